// Change detection: a stable hash of the normalized order, and one of its content alone (without the
// cart's status, update time and payment time) to tell "the cart moved it on" from "the cart edited it".
import { createHash } from 'node:crypto';
import type { CartOrder } from './order.js';

/** JSON with object keys sorted, so equal data always hashes equal. */
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

export function orderHashes(order: CartOrder): { payloadHash: string; contentHash: string } {
  const { cartStatus: _s, cartUpdatedAt: _u, cancelledInCart: _c, payment, ...rest } = order;
  const content = { ...rest, payment: { ...payment, paidAt: null } };
  return { payloadHash: sha256(stableJson(order)), contentHash: sha256(stableJson(content)) };
}
