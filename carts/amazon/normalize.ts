// Amazon raw record → CartOrder, whichever Orders API brought it. Pure. The raw payload tells its
// shape: the v0 composite `{ order, items, address?, buyerInfo?, itemsError? }` (README "The raw
// payload of one order"), or a 2026-01-01 `Order` as searchOrders / getOrder return it (items inline).
// Both are read into the same facts and built by one function (`order-facts.ts`), so one order gives
// the same order JSON through either API (`normalize.test.ts`, "one order, both APIs").
import type { NormalizeResult, RawOrder } from '../contract.js';
import { normalizeSafely } from '../normalize-kit.js';
import { factsFrom2026 } from './normalize-2026.js';
import { factsFromV0 } from './normalize-v0.js';
import { buildAmazonOrder } from './order-facts.js';

export { paymentMethodOf } from './normalize-v0.js';

export function normalizeAmazonOrder(raw: RawOrder, store: string): NormalizeResult {
  const v0 = isV0Payload(raw.payload);
  const cartOrderNo = raw.cartOrderNo ?? orderNoOfPayload(raw.payload);
  return normalizeSafely(cartOrderNo, () =>
    buildAmazonOrder(v0 ? factsFromV0(raw.payload) : factsFrom2026(raw.payload), store),
  );
}

/**
 * The v0 composite has `order` or `items`; a 2026 `Order` has neither (its id is `orderId`, its
 * lines `orderItems`). Anything else is read as a 2026 `Order` and refused by what it lacks.
 */
export function isV0Payload(payload: unknown): boolean {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    (Object.hasOwn(payload, 'order') || Object.hasOwn(payload, 'items'))
  );
}

/** The Amazon order id a raw payload of either shape shows (`AmazonOrderId` / `orderId`). */
export function orderNoOfPayload(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const id = isV0Payload(payload)
    ? (payload as { order?: { AmazonOrderId?: unknown } | null }).order?.AmazonOrderId
    : (payload as { orderId?: unknown }).orderId;
  return typeof id === 'string' ? id : null;
}
