// Change detection: a hash of the normalized order, and one of its content alone (without the cart's
// status, update time and payment time) to tell "the cart moved it on" from "the cart edited it".
// The order is serialized field by field in a fixed order, so the hash depends on the data only —
// never on the key order a normalizer happens to build its objects in — and costs one
// JSON.stringify of an array instead of a recursive key sort (it runs for every order fetched).
import { createHash } from 'node:crypto';
import type { CartOrder, Party } from './order.js';

/** JSON with object keys sorted, so equal data always hashes equal (for arbitrary payloads). */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const party = (p: Party) => [
  p.name,
  p.kana,
  p.email,
  p.phone,
  p.postalCode,
  p.prefecture,
  p.address1,
  p.address2,
];

/** Every field of the order that is its content (not the cart's progress on it), in a fixed order. */
function contentTuple(o: CartOrder): unknown[] {
  return [
    o.store,
    o.cart,
    o.cartOrderNo,
    o.orderedAt,
    o.currency,
    o.customerRemarks,
    o.internalComment,
    party(o.orderer),
    party(o.shipTo),
    o.packages.map((p) => [p.packageNo, party(p.shipTo)]),
    o.lines.map((l) => [
      l.packageNo,
      l.cartProductCode,
      l.cartOptionCode,
      l.name,
      l.quantity,
      l.unitPrice,
      l.taxIncluded,
      l.taxRate,
      l.taxAmount,
    ]),
    [o.delivery.requestedDate, o.delivery.timeSlot, o.delivery.carrier, o.delivery.method, o.delivery.fee],
    [o.payment.method, o.payment.cardType, o.payment.fee],
    [
      o.totals.goods,
      o.totals.shipping,
      o.totals.fees,
      o.totals.discount,
      o.totals.points,
      o.totals.tax,
      o.totals.total,
    ],
  ];
}

export function orderHashes(order: CartOrder): { payloadHash: string; contentHash: string } {
  const content = JSON.stringify(contentTuple(order));
  const progress = JSON.stringify([
    order.cartStatus,
    order.cancelledInCart,
    order.cartUpdatedAt,
    order.payment.paidAt,
  ]);
  return { payloadHash: sha256(`${content}|${progress}`), contentHash: sha256(content) };
}
