// How much text juchu keeps from one cart record (issue 12 item 8: a 15 MB customer remark was
// accepted and made one order's detail 31 MB). Pure.
//
// The spec's rule for a bad order is that "it is kept with its error for a human" (ec-orders.md §4:
// one bad order never stops its page). A field longer than juchu keeps is such an order: it is a
// reject naming the field, never silently cut — a cut remark would be an order that differs from the
// cart's without anyone having decided so. The limits are far above anything a person types:
//
//   customer remarks, internal comment          10,000 characters (code points)
//   names, kana, e-mail, phone, addresses …        500 (every field of 注文者 and 送付先)
//   product name                                 1,000
//   cart order number, product and option codes    255 (Shopify allows SKUs of 255)
//   anything else (statuses, delivery and payment names, dates, codes a cart adds later)  1,000
//
// and a whole raw record (as JSON) is at most 2,000,000 characters, orders.raw_payload included: a
// record larger than that is a reject naming its longest text. A reject keeps a shortened copy of
// such a record (`keptCopy`), which can never be imported as it is.
import type { CartOrder } from './order.js';

export const TEXT_LIMITS = {
  order: { customerRemarks: 10_000, internalComment: 10_000, cartOrderNo: 255 },
  party: 500,
  line: { cartProductCode: 255, cartOptionCode: 255, name: 1_000 },
  other: 1_000,
} as const;

/** The largest raw record kept, as JSON text (orders.raw_payload, import_rejects.raw_payload). */
export const MAX_RECORD_CHARS = 2_000_000;

/** What a reject stores of a record larger than this: a shortened copy. */
export const MAX_KEPT_REJECT_CHARS = 100_000;

/** Code points in `s`, counted only when needed to know whether it is over `limit`; null when not. */
export function lengthOver(s: string, limit: number): number | null {
  if (s.length <= limit) return null; // never more code points than UTF-16 units
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n > limit ? n : null;
}

type Limit = number | Readonly<Record<string, number>>;

export interface OverLong {
  /** The order's field (`customerRemarks`, `lines[0].name`, `shipTo.address1`). */
  field: string;
  value: string;
  length: number;
  limit: number;
}

function firstOverLong(value: unknown, path: string, limit: Limit): OverLong | null {
  if (typeof value === 'string') {
    const max = typeof limit === 'number' ? limit : TEXT_LIMITS.other;
    const n = lengthOver(value, max);
    return n === null ? null : { field: path, value, length: n, limit: max };
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = firstOverLong(v, `${path}[${i}]`, limit);
      if (hit) return hit;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const own = typeof limit === 'number' ? limit : (limit[k] ?? TEXT_LIMITS.other);
      const hit = firstOverLong(v, path ? `${path}.${k}` : k, own);
      if (hit) return hit;
    }
  }
  return null;
}

/** The first field of a normalized order longer than TEXT_LIMITS allows, or null. */
export function overLongField(order: CartOrder): OverLong | null {
  const { orderer, shipTo, packages, lines, ...rest } = order;
  return (
    firstOverLong(rest, '', TEXT_LIMITS.order) ??
    firstOverLong(orderer, 'orderer', TEXT_LIMITS.party) ??
    firstOverLong(shipTo, 'shipTo', TEXT_LIMITS.party) ??
    firstOverLong(packages, 'packages', TEXT_LIMITS.party) ??
    firstOverLong(lines, 'lines', TEXT_LIMITS.line)
  );
}

/** Every string of a raw record with its path (`OrderModelList[0].remarks`, `note`). */
function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path || '(record)', value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
}

/** Where in the raw record an over-long normalized value came from (the longest match), or null. */
export function rawPathOf(payload: unknown, value: string): string | null {
  const head = value.trim().slice(0, 64);
  let best: [string, number] | null = null;
  for (const [path, s] of strings(payload)) {
    if (s.length < 32 || (best && s.length <= best[1])) continue;
    if (s.includes(head) || value.includes(s.trim())) best = [path, s.length];
  }
  return best?.[0] ?? null;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Why a normalized order cannot be kept as the cart sent it (a field over its limit, or the raw
 * record over MAX_RECORD_CHARS), as a rejection's field and message; null when it can. The field is
 * the cart's own where it can be found in the record, as the normalizers name fields.
 */
export function tooLongToKeep(order: CartOrder, payload: unknown): { field: string; message: string } | null {
  const long = overLongField(order);
  if (long) {
    const raw = rawPathOf(payload, long.value);
    return {
      field: raw ?? long.field,
      message: `${long.field}: ${count(long.length)} characters, more than the ${count(long.limit)} kept${raw ? ` (the cart's ${raw})` : ''}`,
    };
  }
  const size = JSON.stringify(payload ?? null).length;
  if (size <= MAX_RECORD_CHARS) return null;
  let longest: [string, number] = ['(record)', 0];
  for (const [path, s] of strings(payload)) if (s.length > longest[1]) longest = [path, s.length];
  return {
    field: longest[0],
    message: `(record): ${count(size)} characters as JSON, more than the ${count(MAX_RECORD_CHARS)} kept (its longest text is ${longest[0]}, ${count(longest[1])} characters)`,
  };
}

/** Marks a reject's shortened copy: not a cart record, so it can never be imported as it is. */
export const KEPT_COPY = 'juchuShortenedCopy';

/**
 * What a reject stores of a raw record: the record itself when it is at most MAX_KEPT_REJECT_CHARS
 * as JSON; otherwise a shortened copy (every text over 1,000 characters cut, with how long it was),
 * wrapped so that no normalizer reads it as an order: re-processing it stays a reject, and the order
 * is brought in again from the cart (再取込) once the cart holds something juchu can keep.
 */
export function keptCopy(payload: unknown): unknown {
  const size = JSON.stringify(payload ?? null).length;
  if (size <= MAX_KEPT_REJECT_CHARS) return payload;
  const cut = JSON.parse(
    JSON.stringify(payload ?? null, (_k, v) =>
      typeof v === 'string' && v.length > 1_000
        ? `${v.slice(0, 1_000)}…（${count(v.length)} 文字のうち先頭 1,000 文字）`
        : v,
    ),
  ) as unknown;
  const note = '大きすぎた記録の一部だけを保存しています。注文はカートから再取込してください';
  // Many short texts can still add up (a record of 100,000 lines): then the start of its JSON only.
  const record =
    JSON.stringify(cut).length <= MAX_KEPT_REJECT_CHARS
      ? cut
      : `${JSON.stringify(cut).slice(0, MAX_KEPT_REJECT_CHARS)}…`;
  return { [KEPT_COPY]: { note, originalChars: size, record } };
}
