// Dates as order CSVs write them: Japan wall-clock time without an offset (`2024-04-22 10:03:12`,
// `2024/4/22 10:03`, `20240422100312`, `2024年4月22日`), sometimes with one (Yahoo `…T…+09:00`), or
// in a layout the store names (`dateFormat`). Values are checked (no 2024-02-30), unlike Date.UTC.
import { parseInstant, parseJstLocal } from '../../domain/time.js';

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function checked(p: Parts, text: string): Parts {
  const days = new Date(Date.UTC(p.y, p.mo, 0)).getUTCDate();
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > days || p.h > 23 || p.mi > 59 || p.s > 59)
    throw new Error(`not a valid date-time: ${JSON.stringify(text)}`);
  return p;
}

function toDate(p: Parts): Date {
  const pad = (n: number) => String(n).padStart(2, '0');
  return parseJstLocal(`${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`);
}

const TOKENS: Record<string, [keyof Parts, string]> = {
  YYYY: ['y', '(\\d{4})'],
  MM: ['mo', '(\\d{1,2})'],
  M: ['mo', '(\\d{1,2})'],
  DD: ['d', '(\\d{1,2})'],
  D: ['d', '(\\d{1,2})'],
  HH: ['h', '(\\d{1,2})'],
  H: ['h', '(\\d{1,2})'],
  mm: ['mi', '(\\d{1,2})'],
  ss: ['s', '(\\d{1,2})'],
};

/** `YYYY/MM/DD HH:mm` → a matcher. Two-digit tokens match exactly two digits when nothing separates them. */
function compileFormat(format: string): (text: string) => Parts | null {
  const keys: Array<keyof Parts> = [];
  let src = '';
  const re = /YYYY|MM|DD|HH|mm|ss|M|D|H/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    src += format.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const [key, pattern] = TOKENS[m[0]]!;
    const next = format[m.index + m[0].length];
    const glued = next !== undefined && /[YMDHms]/.test(next);
    src += glued && m[0].length === 2 ? '(\\d{2})' : pattern;
    keys.push(key);
    last = m.index + m[0].length;
  }
  src += format.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matcher = new RegExp(`^${src}$`);
  return (text) => {
    const m = matcher.exec(text);
    if (!m) return null;
    const p: Parts = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
    keys.forEach((k, i) => {
      p[k] = Number(m[i + 1]);
    });
    return p;
  };
}

const formats = new Map<string, (text: string) => Parts | null>();
function matcherOf(format: string): (text: string) => Parts | null {
  let match = formats.get(format);
  if (!match) {
    match = compileFormat(format);
    formats.set(format, match);
  }
  return match;
}

/**
 * A date or date-time cell → the instant (Japan time unless the text carries an offset). The store's
 * `dateFormat` is tried first; the usual spellings are still accepted (a date-only column).
 */
export function parseCsvDateTime(text: string, dateFormat: string | null = null): Date {
  const t = text.normalize('NFKC').trim();
  if (dateFormat) {
    const p = matcherOf(dateFormat)(t);
    if (p) return toDate(checked(p, text));
  }
  if (/\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(t)) return parseInstant(t);
  const compact = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/.exec(t);
  const loose =
    compact ??
    /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:\s*\([^)]*\))?(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(
      t,
    );
  if (!loose)
    throw new Error(
      `not a date-time: ${JSON.stringify(text)}${dateFormat ? ` (date format ${dateFormat})` : ''}`,
    );
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = loose;
  return toDate(
    checked({ y: Number(y), mo: Number(mo), d: Number(d), h: Number(h), mi: Number(mi), s: Number(s) }, text),
  );
}

/** A date cell (お届け日指定) → `YYYY-MM-DD`, read as written (a date has no time zone). */
export function parseCsvDate(text: string, dateFormat: string | null = null): string {
  const t = text.normalize('NFKC').trim();
  let p: Parts | null = null;
  const m = /^(\d{4})[-/年]?(\d{1,2})[-/月]?(\d{1,2})日?(?:\s*\([^)]*\))?(?:[T\s].*)?$/.exec(t);
  if (m) p = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: 0, mi: 0, s: 0 };
  else if (dateFormat) p = matcherOf(dateFormat)(t);
  if (!p) throw new Error(`not a date: ${JSON.stringify(text)}`);
  checked(p, text);
  return `${p.y}-${String(p.mo).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** `2024-04-22` + `10:03:12` (Rakuten's 注文日 / 注文時間 pair) → one cell. */
export function joinDateTime(date: string, time: string | null): string {
  return time ? `${date.trim()} ${time.trim()}` : date.trim();
}
