// An order's status in the database: lock it, read the facts a decision needs, apply a planned move
// (with its stock effect), and record what happened. Repository functions: each takes the caller's
// transaction and opens none; the decisions are domain/transitions.ts's.
import { sql } from 'kysely';
import type { LineHold } from '../domain/allocation.js';
import { formatOrderNo } from '../domain/order.js';
import { factsFromStoredOrder } from '../domain/order-facts.js';
import { S } from '../domain/statuses.js';
import { parseStoreSettings, type StoreSettings } from '../domain/store-settings.js';
import { jstDate } from '../domain/time.js';
import type { OrderFacts, TransitionPlan } from '../domain/transitions.js';
import type { Db } from './db.js';
import type { OrderRow } from './schema.js';
import { consumeOrderStock, releaseOrderStock } from './stock.js';

/** Who did it: `system`, `import`, `cart`, `user:<login>`. */
export type Actor = string;

export async function lockOrder(trx: Db, orderId: number): Promise<OrderRow | undefined> {
  return trx.selectFrom('orders').selectAll().where('id', '=', orderId).forUpdate().executeTakeFirst();
}

export async function orderLineHolds(
  trx: Db,
  orderId: number,
): Promise<Array<LineHold & { needsCheck: boolean; cartOptionCode: string | null; id: number }>> {
  const rows = await trx
    .selectFrom('order_lines as l')
    .leftJoin('products as p', 'p.code', 'l.product_code')
    .select((eb) => [
      'l.id',
      'l.line_no',
      'l.product_code',
      'l.cart_product_code',
      'l.cart_option_code',
      'l.quantity',
      'l.units_per_cart_unit',
      'l.component_units',
      'p.needs_check',
      eb
        .selectFrom('reservations as r')
        .select(sql<number>`COALESCE(SUM(r.quantity), 0)::int`.as('held'))
        .whereRef('r.order_line_id', '=', 'l.id')
        .as('held'),
    ])
    .where('l.order_id', '=', orderId)
    .orderBy('l.line_no')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    lineNo: r.line_no,
    productCode: r.product_code,
    cartProductCode: r.cart_product_code,
    cartOptionCode: r.cart_option_code,
    needed: r.quantity * r.units_per_cart_unit,
    // A set's line holds its components: whole sets held (component units ÷ units per set).
    held: Math.floor(Number(r.held ?? 0) / r.component_units),
    needsCheck: r.needs_check ?? false,
  }));
}

/** Our product codes on an order's lines (unknown products left out). */
export async function orderProductCodes(db: Db, orderId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('order_lines')
    .select('product_code')
    .distinct()
    .where('order_id', '=', orderId)
    .where('product_code', 'is not', null)
    .execute();
  return rows.map((r) => r.product_code!);
}

/** Products an order holds stock of. */
export async function reservedProductCodes(db: Db, orderId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('reservations')
    .select('product_code')
    .distinct()
    .where('order_id', '=', orderId)
    .execute();
  return rows.map((r) => r.product_code);
}

/** A store's settings, once per operation: settling a thousand orders reads each store once. */
export type StoreSettingsCache = Map<number, { settings: StoreSettings; cart: string }>;

async function settingsOf(
  trx: Db,
  storeId: number,
  cache?: StoreSettingsCache,
): Promise<{ settings: StoreSettings; cart: string }> {
  const hit = cache?.get(storeId);
  if (hit) return hit;
  const store = await trx
    .selectFrom('stores')
    .select(['settings', 'cart'])
    .where('id', '=', storeId)
    .executeTakeFirstOrThrow();
  const found = { settings: parseStoreSettings(store.settings), cart: store.cart };
  cache?.set(storeId, found);
  return found;
}

/** The facts of a stored order, as domain/order-facts.ts builds them. */
export async function readOrderFacts(
  trx: Db,
  row: OrderRow,
  now: Date,
  cache?: StoreSettingsCache,
): Promise<OrderFacts> {
  const { settings, cart } = await settingsOf(trx, row.store_id, cache);
  return factsFromStoredOrder(
    {
      orderNo: formatOrderNo(row.order_seq),
      status: row.status_code,
      instructed: row.shipping_instructed_at !== null,
      stockWaited: row.stock_waited,
      customerRemarks: row.customer_remarks,
      paymentMethod: row.payment_method,
      paidAt: row.paid_at,
      prepaid: row.prepaid,
      commentChecked: row.comment_checked,
      productChecked: row.product_checked,
      deliveryRequestedDate: row.delivery_requested_date,
      cart,
      cartStatus: row.cart_status,
    },
    await orderLineHolds(trx, row.id),
    settings,
    now,
  );
}

export interface OrderEvent {
  actor: Actor;
  action: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  details?: unknown;
}

export async function recordEvent(
  trx: Db,
  row: Pick<OrderRow, 'id' | 'store_id' | 'cart_order_no'>,
  e: OrderEvent,
): Promise<void> {
  await trx
    .insertInto('order_events')
    .values({
      order_id: row.id,
      store_id: row.store_id,
      cart_order_no: row.cart_order_no,
      actor: e.actor,
      action: e.action,
      from_status: e.from ?? null,
      to_status: e.to ?? null,
      reason: e.reason ?? null,
      details: e.details === undefined ? null : JSON.stringify(e.details),
    })
    .execute();
}

/**
 * Applies a planned move to a locked order: its stock effect, the guarded status update (a
 * concurrent change makes it fail, never a silent overwrite) and the event.
 */
export async function applyPlan(
  trx: Db,
  row: OrderRow,
  p: TransitionPlan,
  actor: Actor,
  now: Date,
  reason?: string | null,
): Promise<void> {
  let details: unknown;
  if (p.stock === 'release') {
    const released = await releaseOrderStock(trx, row.id);
    if (released.length) details = { released };
  } else if (p.stock === 'consume') {
    details = { shippedUnits: await consumeOrderStock(trx, row.id) };
  }
  // A cancelled order never needs stock again: its lines leave the allocation queue.
  if (p.to === S.cancelled)
    await trx.updateTable('order_lines').set({ open: false }).where('order_id', '=', row.id).execute();
  const updated = await trx
    .updateTable('orders')
    .set({
      status_code: p.to,
      status_reason: reason ?? p.reason,
      status_changed_at: now,
      updated_at: sql`now()`,
      ...(p.acknowledge.commentChecked ? { comment_checked: true } : {}),
      ...(p.acknowledge.productChecked ? { product_checked: true } : {}),
      ...(p.markWaited ? { stock_waited: true } : {}),
      ...(p.instruct ? { shipping_instructed_at: now, ship_date: row.ship_date ?? jstDate(now) } : {}),
      ...(p.to === S.shipped ? { shipped_at: now } : {}),
      ...(p.attention ? { needs_attention: true, attention_reason: p.attention } : {}),
    })
    .where('id', '=', row.id)
    .where('status_code', '=', p.from)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new Error(`order ${row.id} changed status concurrently`);
  await recordEvent(trx, row, {
    actor,
    action: 'status_changed',
    from: p.from,
    to: p.to,
    reason: reason ?? p.reason,
    details,
  });
}

/** An order that stays in 在庫なし / 納期指定あり: it has waited, and here is why now. */
export async function noteWaiting(trx: Db, orderId: number, reason: string | null): Promise<void> {
  await trx
    .updateTable('orders')
    .set({ stock_waited: true, status_reason: reason })
    .where('id', '=', orderId)
    .execute();
}

/** A status the checks gave an order (import, a cart change): guarded on the status it had. */
export async function setCheckedStatus(
  trx: Db,
  row: OrderRow,
  next: { to: string; reason: string | null },
  actor: Actor,
  now: Date,
  fallbackReason: string,
): Promise<void> {
  await trx
    .updateTable('orders')
    .set({ status_code: next.to, status_reason: next.reason, status_changed_at: now })
    .where('id', '=', row.id)
    .where('status_code', '=', row.status_code)
    .execute();
  await recordEvent(trx, row, {
    actor,
    action: 'status_changed',
    from: row.status_code,
    to: next.to,
    reason: next.reason ?? fallbackReason,
  });
}

/** 入金: the payment date, once (a second payment record changes nothing). True when recorded. */
export async function recordPaidAt(trx: Db, row: OrderRow, paidAt: Date, actor: Actor, reason: string) {
  if (row.paid_at) return false;
  await trx
    .updateTable('orders')
    .set({ paid_at: paidAt, updated_at: sql`now()` })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, { actor, action: 'payment_recorded', reason });
  return true;
}

/** The carrier's tracking number and carrier name of a shipped order. */
export async function setTracking(
  trx: Db,
  orderId: number,
  info: { trackingNumber?: string | null; carrier?: string | null },
): Promise<void> {
  if (!info.trackingNumber && !info.carrier) return;
  await trx
    .updateTable('orders')
    .set({
      ...(info.trackingNumber ? { tracking_number: info.trackingNumber } : {}),
      ...(info.carrier ? { delivery_carrier: info.carrier } : {}),
    })
    .where('id', '=', orderId)
    .execute();
}

export interface NotesPatch {
  internalComment?: string | null;
  commentChecked?: boolean;
  productChecked?: boolean;
  shipDate?: string | null;
}

export async function updateNotes(trx: Db, row: OrderRow, patch: NotesPatch, actor: Actor): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      ...(patch.internalComment !== undefined ? { internal_comment: patch.internalComment } : {}),
      ...(patch.commentChecked !== undefined ? { comment_checked: patch.commentChecked } : {}),
      ...(patch.productChecked !== undefined ? { product_checked: patch.productChecked } : {}),
      ...(patch.shipDate !== undefined ? { ship_date: patch.shipDate } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, { actor, action: 'notes_updated', details: patch });
}

/** Deletes an order row (its lines, parties and reservations go with it; its events stay). */
export async function deleteOrderRow(trx: Db, orderId: number): Promise<void> {
  await trx.deleteFrom('orders').where('id', '=', orderId).execute();
}

/** An order's 受注No, status and payment date, read without a lock. */
export async function currentStatus(db: Db, orderId: number) {
  return db
    .selectFrom('orders')
    .select(['order_seq', 'status_code', 'paid_at'])
    .where('id', '=', orderId)
    .executeTakeFirst();
}

/**
 * 引当保留: after an operator released an order's stock, no sweep, arrival or import gives it stock
 * again (db/stock.ts holdingOrder reads the column) until an operator re-allocates it. The caller
 * holds the order's row lock.
 */
export async function holdAllocation(
  trx: Db,
  row: OrderRow,
  hold: { actor: Actor; reason: string; at: Date },
): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      allocation_held_at: hold.at,
      allocation_held_by: hold.actor,
      allocation_hold_reason: hold.reason,
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, { actor: hold.actor, action: 'allocation_held', reason: hold.reason });
}

/** Ends an order's 引当保留 (the caller holds its row lock); false when it was not on hold. */
export async function resumeAllocation(
  trx: Db,
  row: OrderRow,
  actor: Actor,
  reason?: string,
): Promise<boolean> {
  if (!row.allocation_held_at) return false;
  await trx
    .updateTable('orders')
    .set({
      allocation_held_at: null,
      allocation_held_by: null,
      allocation_hold_reason: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, row, {
    actor,
    action: 'allocation_resumed',
    reason: reason ?? null,
    details: {
      heldAt: row.allocation_held_at,
      heldBy: row.allocation_held_by,
      holdReason: row.allocation_hold_reason,
    },
  });
  return true;
}

/** An order's 受注No, status, units held and 引当保留, read without a lock. */
export async function orderStockState(db: Db, orderId: number) {
  const r = await sql<{ order_seq: number; status_code: string; held: boolean; units: number }>`
    SELECT o.order_seq, o.status_code, o.allocation_held_at IS NOT NULL AS held,
           (SELECT COALESCE(SUM(r.quantity), 0)::int FROM reservations r WHERE r.order_id = o.id) AS units
    FROM orders o WHERE o.id = ${orderId}`.execute(db);
  const x = r.rows[0];
  return x
    ? { orderSeq: x.order_seq, status: x.status_code, allocationHeld: x.held, reservedUnits: x.units }
    : undefined;
}
