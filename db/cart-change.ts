// The effects of a cart's new version of an order we have, one function per effect of the decision
// table in domain/cart-change.ts. Each runs in the caller's (page) transaction on a locked order.
import { sql } from 'kysely';
import type { CartChange } from '../domain/cart-change.js';
import type { CartOrder } from '../domain/order.js';
import type { Db } from './db.js';
import { type Actor, recordEvent } from './order-status.js';
import { lineRows, orderColumns, partyRows } from './orders.js';
import type { ResolvedProduct } from './products.js';
import type { OrderRow } from './schema.js';
import { releaseOrderStock } from './stock.js';

const cartFields = (o: CartOrder) => ({
  cart_status: o.cartStatus,
  cart_cancelled: o.cancelledInCart,
  cart_updated_at: o.cartUpdatedAt ? new Date(o.cartUpdatedAt) : null,
});

/** The order of a store by its cart order number, locked; undefined when we do not have it. */
export async function lockOrderByCartNo(trx: Db, storeId: number, cartOrderNo: string) {
  return trx
    .selectFrom('orders')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('cart_order_no', '=', cartOrderNo)
    .forUpdate()
    .executeTakeFirst();
}

/** What we have of these cart orders: the hashes that tell an unchanged version without a lock. */
export async function knownVersions(
  db: Db,
  storeId: number,
  cartOrderNos: readonly string[],
): Promise<Map<string, { payloadHash: string; pendingPayloadHash: string | null }>> {
  const known = new Map<string, { payloadHash: string; pendingPayloadHash: string | null }>();
  for (let i = 0; i < cartOrderNos.length; i += 1000) {
    const rows = await db
      .selectFrom('orders')
      .select(['cart_order_no', 'payload_hash', 'pending_payload_hash'])
      .where('store_id', '=', storeId)
      .where('cart_order_no', 'in', cartOrderNos.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      known.set(r.cart_order_no, { payloadHash: r.payload_hash, pendingPayloadHash: r.pending_payload_hash });
  }
  return known;
}

/** `cancel`: the cart cancelled it. Its cart fields and the event; the cancellation flow follows. */
export async function markCancelledInCart(trx: Db, row: OrderRow, o: CartOrder, payloadHash: string) {
  await trx
    .updateTable('orders')
    .set({ ...cartFields(o), payload_hash: payloadHash })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, {
    actor: 'cart',
    action: 'cart_cancelled',
    reason: `カートでキャンセル（${o.cartStatus}）`,
  });
}

/**
 * `status only`: the cart's status, times and payment, and the record as the cart gives it now (what
 * the cart did since, e.g. the shipment and tracking number juchu reported, and what a later cart
 * action reads); a cancel after shipping is flagged.
 */
export async function recordCartStatus(
  trx: Db,
  row: OrderRow,
  o: CartOrder,
  raw: unknown,
  payloadHash: string,
  change: Extract<CartChange, { kind: 'status-only' }>,
) {
  await trx
    .updateTable('orders')
    .set({
      ...cartFields(o),
      payload_hash: payloadHash,
      raw_payload: JSON.stringify(raw),
      ...(change.newlyPaid ? { paid_at: new Date(o.payment.paidAt!) } : {}),
      ...(change.cancelledAfterShipping
        ? { needs_attention: true, attention_reason: '出荷後にカートでキャンセルされました' }
        : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  if (change.cancelledAfterShipping)
    await recordEvent(trx, row, { actor: 'cart', action: 'flagged', reason: '出荷後にカートでキャンセル' });
  if (change.newlyPaid)
    await recordEvent(trx, row, {
      actor: 'cart',
      action: 'payment_recorded',
      reason: `カートで入金確認 ${o.payment.paidAt}`,
    });
}

/** `flag`: handed to the warehouse, never changed silently: the cart's version is kept aside. */
export async function setAsideCartVersion(
  trx: Db,
  row: OrderRow,
  o: CartOrder,
  raw: unknown,
  payloadHash: string,
) {
  await trx
    .updateTable('orders')
    .set({
      ...cartFields(o),
      pending_payload: JSON.stringify({ order: o, raw }),
      pending_payload_hash: payloadHash,
      needs_attention: true,
      attention_reason: '出荷指示後にカートで注文内容が変更されました',
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, {
    actor: 'cart',
    action: 'flagged',
    reason: '出荷指示後のカート側変更（未反映）',
  });
}

/**
 * `replace`: before the shipping instruction the cart's version replaces ours — its stock is given
 * back, lines and parties rewritten, the product check (and, with new remarks, the comment check)
 * to be done again. Returns what was released and the products the new lines need.
 */
export async function replaceOrderContent(
  trx: Db,
  row: OrderRow,
  input: {
    order: CartOrder;
    raw: unknown;
    hashes: { payloadHash: string; contentHash: string };
    products: Map<string, ResolvedProduct>;
    prepaidMethods: readonly string[];
    remarksChanged: boolean;
  },
) {
  const { order: o } = input;
  const released = await releaseOrderStock(trx, row.id);
  await trx.deleteFrom('order_lines').where('order_id', '=', row.id).execute();
  await trx.deleteFrom('order_parties').where('order_id', '=', row.id).execute();
  await trx
    .updateTable('orders')
    .set({
      ...orderColumns(o, input.prepaidMethods),
      payload_hash: input.hashes.payloadHash,
      content_hash: input.hashes.contentHash,
      raw_payload: JSON.stringify(input.raw),
      paid_at: row.paid_at ?? (o.payment.paidAt ? new Date(o.payment.paidAt) : null),
      product_checked: false,
      ...(input.remarksChanged ? { comment_checked: false } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  await trx.insertInto('order_parties').values(partyRows(row.id, o)).execute();
  const lines = lineRows(row.id, o, input.products);
  if (lines.length) await trx.insertInto('order_lines').values(lines).execute();
  await recordEvent(trx, row, {
    actor: 'cart' satisfies Actor,
    action: 'cart_changed',
    reason: 'カートで注文内容が変更されたため更新し再確認',
    details: { released },
  });
  return {
    released,
    productCodes: lines.map((l) => l.product_code).filter((p): p is string => p !== null),
  };
}
