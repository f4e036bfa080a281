// Yahoo times: search conditions are Japan wall-clock `YYYYMMDDHHmmss` with one-second precision
// [V: orderList page, T: every client]; response timestamps come as ISO with `+09:00` or without an
// offset (then Japan time) [T: C# DateTime fields, third-party mocks].
import { parseInstant, parseJstLocal, toJstIso } from '../../domain/time.js';

/** `2024-04-22T01:03:12Z` → `20240422100312` (Japan time). */
export function toYahooStamp(date: Date): string {
  return toJstIso(date).slice(0, 19).replace(/[-:T]/g, '');
}

/** `20240422100312` → the instant (Japan time). */
export function fromYahooStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp.trim());
  if (!m) throw new Error(`not a YYYYMMDDHHmmss time: ${JSON.stringify(stamp)}`);
  return parseJstLocal(`${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`);
}

/** Any of the timestamp forms Yahoo is seen to send → the instant. */
export function parseYahooTime(text: string): Date {
  const s = text.trim();
  if (/^\d{14}$/.test(s)) return fromYahooStamp(s);
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) return parseInstant(s);
  // No offset: Japan wall-clock time. Fractions of a second are dropped (Yahoo keeps whole seconds).
  return parseJstLocal(s.replace(/\.\d+$/, ''));
}

const SECOND = 1000;

/** Smallest whole second ≥ t (Yahoo compares whole seconds). */
export function ceilSecond(t: Date): Date {
  return new Date(Math.ceil(t.getTime() / SECOND) * SECOND);
}
