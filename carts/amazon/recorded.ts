// Raw orders from recorded response bodies (`juchu parse --cart amazon --file orders.json --items
// items-1.json …`, and the simulator's fixtures folder). Amazon splits an order over several calls,
// so a recording is a getOrders (or getOrder) body plus getOrderItems bodies, matched by order id.
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
  | { kind: 'items'; amazonOrderId: string; items: unknown[] }
  | { kind: 'address'; amazonOrderId: string; payload: Json }
  | { kind: 'buyerInfo'; amazonOrderId: string; payload: Json }
  | { kind: 'other' };

/** Which operation a response body came from, by its shape. */
export function classifyRecorded(doc: unknown): RecordedBody {
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

export function amazonOrderIdOf(order: unknown): string | null {
  return isObject(order) && typeof order.AmazonOrderId === 'string' ? order.AmazonOrderId : null;
}

/**
 * `body`: a getOrders (`{payload:{Orders:[…]}}`) or getOrder (`{payload:{AmazonOrderId…}}`) body.
 * `items`: getOrderItems bodies, several pages of one order allowed (concatenated in the given order).
 * An order with no items body is returned with `items: []`; normalize then rejects it on `items`.
 */
export function rawOrdersFromRecorded(body: Buffer, extra?: { items?: Buffer[] }): RawOrder[] {
  const doc = classifyRecorded(parseRecordedJson(body, 'the orders body'));
  if (doc.kind !== 'orders')
    throw new CartResponseError(
      'amazon: the orders body is neither a getOrders nor a getOrder response',
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
