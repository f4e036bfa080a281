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
  if (typeof value === 'string') return unstorable(value) ? at || '(record)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = unstorablePath(v, `${at}[${i}]`);
      if (hit) return hit;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const name = at ? `${at}.${k}` : k;
      if (unstorable(k)) return name;
      const hit = unstorablePath(v, name);
      if (hit) return hit;
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
