// Times leave juchu as ISO-8601 with the Japan offset (+09:00): the business runs in Japan time and
// the instant is kept exactly, whatever offset the cart sent (Rakuten +0900, Amazon Z, Shopify ±hh:mm).

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** Parses an ISO-like timestamp with an offset (`+0900`, `+09:00`, `Z`). Throws on anything else. */
export function parseInstant(text: string): Date {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/.exec(
      text.trim(),
    );
  if (!m) throw new Error(`not a timestamp with an offset: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMin = 0;
  if (zone !== 'Z') {
    const z = zone!.replace(':', '');
    if (Number(z.slice(1, 3)) > 14 || Number(z.slice(3, 5)) > 59)
      throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
    offsetMin = (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * (z[0] === '-' ? -1 : 1);
  }
  checkWallClock(text, y!, mo!, d!, h!, mi!, s);
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const date = new Date(utc - offsetMin * 60_000);
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return date;
}

/**
 * Date.UTC rolls 2024-02-30 over to March 1 and 25:00 into the next day; a cart sending either has
 * sent something wrong, so it is refused rather than read as another time.
 */
function checkWallClock(text: string, y: string, mo: string, d: string, h = '0', mi = '0', s = '0'): void {
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    throw new Error(`not a valid date-time: ${JSON.stringify(text)}`);
}

/** A wall-clock time in Japan without an offset (`2024-04-22 10:03:12`, as CSVs and makeshop give it). */
export function parseJstLocal(text: string): Date {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) throw new Error(`not a Japan-time date-time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  checkWallClock(text, y!, mo!, d!, h, mi, s);
  return new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - JST_OFFSET_MS,
  );
}

/** `2024-04-22T01:03:12+09:00` */
export function toJstIso(date: Date): string {
  const j = new Date(date.getTime() + JST_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(j.getUTCFullYear(), 4)}-${p(j.getUTCMonth() + 1)}-${p(j.getUTCDate())}` +
    `T${p(j.getUTCHours())}:${p(j.getUTCMinutes())}:${p(j.getUTCSeconds())}+09:00`
  );
}

/** The calendar date in Japan, `YYYY-MM-DD`. */
export function jstDate(date: Date): string {
  return toJstIso(date).slice(0, 10);
}

/** Whole days from `from`'s Japan date to the plain date `to` (`YYYY-MM-DD`); negative when past. */
export function jstDaysUntil(from: Date, to: string): number {
  const a = Date.parse(`${jstDate(from)}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(b)) throw new Error(`not a date: ${JSON.stringify(to)}`);
  return Math.round((b - a) / 86_400_000);
}

/** `YYYY-MM-DD` naming a day the calendar has, year 1 or later (PostgreSQL has no year 0). */
export function isCalendarDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || iso.startsWith('0000')) return false;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/** Normalizes `2024/5/2`, `2024-05-02`, `20240502` to `2024-05-02`; null for empty. */
export function plainDate(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const t = text.trim();
  const m = /^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})/.exec(t);
  if (!m) throw new Error(`not a date: ${JSON.stringify(text)}`);
  const [, y, mo, d] = m;
  const iso = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  // Date.parse takes 2024-02-30 (as March 1): compare the calendar date back.
  const parsed = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== iso)
    throw new Error(`not a date: ${JSON.stringify(text)}`);
  return iso;
}
