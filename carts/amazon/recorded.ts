// Raw orders from recorded response bodies (`juchu parse --cart amazon --file orders.json --items
// items-1.json …`, and the simulator's fixtures folder), of either Orders API, told apart by shape:
// - v0 splits an order over several calls, so a recording is a getOrders (or getOrder) body plus
//   getOrderItems bodies, matched by order id (`{"payload":{…}}` envelopes);
// - 2026-01-01 answers searchOrders with `{"orders":[…],"pagination":…}` and getOrder with
//   `{"order":{…}}`, items inline: the body alone is the recording.
import type { RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import type { AmazonRawPayload } from './schema.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRecordedJson(body: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new CartResponseError(`amazon: ${what} is not JSON`, 'amazon');
  }
}

export type RecordedBody =
  | { kind: 'orders'; orders: unknown[] }
  | { kind: 'orders2026'; orders: unknown[] }
  | { kind: 'items'; amazonOrderId: string; items: unknown[] }
  | { kind: 'address'; amazonOrderId: string; payload: Json }
  | { kind: 'buyerInfo'; amazonOrderId: string; payload: Json }
  | { kind: 'other' };

/** Which operation a response body came from, by its shape. */
export function classifyRecorded(doc: unknown): RecordedBody {
  if (isObject(doc) && !('payload' in doc)) {
    // 2026-01-01: searchOrders `SearchOrdersResponse`, getOrder `GetOrderResponse` (no `payload`).
    if (Array.isArray(doc.orders)) return { kind: 'orders2026', orders: doc.orders };
    if (isObject(doc.order)) return { kind: 'orders2026', orders: [doc.order] };
    // One `Order` on its own (as a raw payload is kept).
    if (typeof doc.orderId === 'string' && Array.isArray(doc.orderItems))
      return { kind: 'orders2026', orders: [doc] };
  }
  const payload = isObject(doc) ? doc.payload : undefined;
  if (!isObject(payload)) return { kind: 'other' };
  if (Array.isArray(payload.Orders)) return { kind: 'orders', orders: payload.Orders };
  const id = typeof payload.AmazonOrderId === 'string' ? payload.AmazonOrderId : null;
  if (id === null) return { kind: 'other' };
  if (Array.isArray(payload.OrderItems))
    return { kind: 'items', amazonOrderId: id, items: payload.OrderItems };
  if ('PurchaseDate' in payload || 'OrderStatus' in payload) return { kind: 'orders', orders: [payload] };
  if ('ShippingAddress' in payload || 'DeliveryPreferences' in payload)
    return { kind: 'address', amazonOrderId: id, payload };
  if ('BuyerEmail' in payload || 'BuyerName' in payload)
    return { kind: 'buyerInfo', amazonOrderId: id, payload };
  return { kind: 'other' };
}

/** The id of a v0 `Order` (`AmazonOrderId`). */
export function amazonOrderIdOf(order: unknown): string | null {
  return isObject(order) && typeof order.AmazonOrderId === 'string' ? order.AmazonOrderId : null;
}

/** The id of a 2026-01-01 `Order` (`orderId`). */
export function orderIdOf2026(order: unknown): string | null {
  return isObject(order) && typeof order.orderId === 'string' ? order.orderId : null;
}

/**
 * `body`: a v0 getOrders (`{payload:{Orders:[…]}}`) or getOrder (`{payload:{AmazonOrderId…}}`) body,
 * or a 2026-01-01 searchOrders (`{orders:[…]}`) or getOrder (`{order:{…}}`) body.
 * `items`: v0 getOrderItems bodies, several pages of one order allowed (concatenated in the given
 * order). A v0 order with no items body is returned with `items: []`; normalize then rejects it on
 * `items`. A 2026 body has its items inline, so items bodies beside it are refused.
 */
export function rawOrdersFromRecorded(body: Buffer, extra?: { items?: Buffer[] }): RawOrder[] {
  const doc = classifyRecorded(parseRecordedJson(body, 'the orders body'));
  if (doc.kind === 'orders2026') {
    if (extra?.items?.length)
      throw new CartResponseError(
        'amazon: the orders body is an Orders API 2026-01-01 response, whose orders carry their items; getOrderItems bodies belong to a v0 getOrders body',
        'amazon',
      );
    return doc.orders.map((order) => ({ cartOrderNo: orderIdOf2026(order), payload: order }));
  }
  if (doc.kind !== 'orders')
    throw new CartResponseError(
      'amazon: the orders body is neither a getOrders / getOrder (v0) nor a searchOrders / getOrder (2026-01-01) response',
      'amazon',
    );
  const items = new Map<string, unknown[]>();
  (extra?.items ?? []).forEach((b, i) => {
    const d = classifyRecorded(parseRecordedJson(b, `items body #${i + 1}`));
    if (d.kind !== 'items')
      throw new CartResponseError(`amazon: items body #${i + 1} is not a getOrderItems response`, 'amazon');
    items.set(d.amazonOrderId, [...(items.get(d.amazonOrderId) ?? []), ...d.items]);
  });
  const ids = new Set(doc.orders.map(amazonOrderIdOf));
  for (const id of items.keys())
    if (!ids.has(id))
      throw new CartResponseError(
        `amazon: the items of ${id} belong to no order in the orders body`,
        'amazon',
      );
  return doc.orders.map((order) => {
    const id = amazonOrderIdOf(order);
    const payload: AmazonRawPayload = { order, items: (id && items.get(id)) || [] };
    return { cartOrderNo: id, payload };
  });
}
