// Text PostgreSQL can store: U+0000 and lone UTF-16 surrogates cannot go into text or jsonb. A cart
// record holding one is rejected naming the field (`unstorablePath`); a reject itself is stored
// with such characters replaced (`storable`), so one bad record never fails its page. Pure.

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function unstorable(s: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(s);
}

/** Where a record holds text PostgreSQL cannot store, in a string or a key; null when nowhere. */
export function unstorablePath(value: unknown, at = ''): string | null {
  // The walk builds no names: every import reads every record through here, and all but the rare bad
  // one pass. The name is put together from the path of the one hit.
  const path: Array<string | number> = [];
  const hit = findUnstorable(value, path);
  if (hit === null) return null;
  let name = at;
  for (const p of path) name = typeof p === 'number' ? `${name}[${p}]` : name ? `${name}.${p}` : p;
  return hit === 'key' ? name : name || '(record)';
}

/** 'value' or 'key' when `value` holds unstorable text (`path` then leads to it, outermost first). */
function findUnstorable(value: unknown, path: Array<string | number>): 'value' | 'key' | null {
  if (typeof value === 'string') return unstorable(value) ? 'value' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], path);
      if (hit) {
        path.unshift(i);
        return hit;
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const k of Object.keys(value)) {
      if (unstorable(k)) {
        path.unshift(k);
        return 'key';
      }
      const hit = findUnstorable((value as Record<string, unknown>)[k], path);
      if (hit) {
        path.unshift(k);
        return hit;
      }
    }
  }
  return null;
}

/** Text PostgreSQL can store: U+0000 and lone surrogates become U+FFFD. */
export const storableText = (s: string) => s.replace(UNSTORABLE, '\ufffd');

/** A value PostgreSQL can store, strings and keys made storable. */
export function storable<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value ?? null, (_k, v) => (typeof v === 'string' ? storableText(v) : v)),
    (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), x]))
        : v,
  ) as T;
}
