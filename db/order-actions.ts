// Every status change goes through here: it locks the order, asks domain/transitions for a plan,
// applies the stock effect, updates the order with a guard on its current status, and writes the
// event — all in one transaction. Operators, bulk actions, imports and sweeps call the same code.
import { sql } from 'kysely';
import type { LineHold } from '../domain/allocation.js';
import { deliveryHold } from '../domain/delivery.js';
import { formatOrderNo } from '../domain/order.js';
import { AUTO_CONFIRM, S, type StatusCatalogue } from '../domain/statuses.js';
import { parseStoreSettings } from '../domain/store-settings.js';
import { jstDate, toJstIso } from '../domain/time.js';
import {
  fulfillmentDecision,
  type OrderFacts,
  planTransition,
  type TransitionPlan,
} from '../domain/transitions.js';
import { withTransaction } from '../infra/postgres.js';
import type { Db } from './db.js';
import type { OrderRow } from './schema.js';
import { loadStatuses } from './statuses.js';
import { allocateProducts, consumeOrderStock, type ReleaseFilter, releaseOrderStock } from './stock.js';

/** Who did it: `system`, `import`, `cart`, `user:<login>`. */
export type Actor = string;

export interface ChangeResult {
  orderId: number;
  orderNo: string;
  ok: boolean;
  from: string;
  to: string | null;
  message: string;
}

function missingOrder(orderId: number): ChangeResult {
  return {
    orderId,
    orderNo: '-',
    ok: false,
    from: '-',
    to: null,
    message: `order ${orderId} does not exist`,
  };
}

export interface ActionContext {
  statuses: StatusCatalogue;
  now: Date;
}

export async function actionContext(db: Db, now = new Date()): Promise<ActionContext> {
  return { statuses: await loadStatuses(db), now };
}

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
    held: Number(r.held ?? 0),
    needsCheck: r.needs_check ?? false,
  }));
}

/** Our product codes on an order's lines (unknown products left out). */
export async function orderProductCodes(trx: Db, orderId: number): Promise<string[]> {
  const rows = await trx
    .selectFrom('order_lines')
    .select('product_code')
    .distinct()
    .where('order_id', '=', orderId)
    .where('product_code', 'is not', null)
    .execute();
  return rows.map((r) => r.product_code!);
}

export async function orderFacts(trx: Db, row: OrderRow, now: Date): Promise<OrderFacts> {
  const store = await trx
    .selectFrom('stores')
    .select(['cart', 'settings'])
    .where('id', '=', row.store_id)
    .executeTakeFirstOrThrow();
  const settings = parseStoreSettings(store.settings);
  return {
    orderNo: formatOrderNo(row.order_seq),
    status: row.status_code,
    instructed: row.shipping_instructed_at !== null,
    stockWaited: row.stock_waited,
    lines: await orderLineHolds(trx, row.id),
    customerRemarks: row.customer_remarks,
    paymentMethod: row.payment_method,
    paidAt: row.paid_at,
    prepaid: row.prepaid,
    commentChecked: row.comment_checked,
    productChecked: row.product_checked,
    deliveryHold: deliveryHold(row.delivery_requested_date, now, settings.deliveryHoldDays),
    autoCompleteCancel: settings.autoCompleteCancel,
  };
}

export async function recordEvent(
  trx: Db,
  row: Pick<OrderRow, 'id' | 'store_id' | 'cart_order_no'>,
  e: {
    actor: Actor;
    action: string;
    from?: string | null;
    to?: string | null;
    reason?: string | null;
    details?: unknown;
  },
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

/** Applies a planned move inside the caller's transaction (order row already locked). */
async function applyPlan(
  trx: Db,
  row: OrderRow,
  p: TransitionPlan,
  actor: Actor,
  ctx: ActionContext,
  reason?: string,
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
      status_changed_at: ctx.now,
      updated_at: sql`now()`,
      ...(p.acknowledge.commentChecked ? { comment_checked: true } : {}),
      ...(p.acknowledge.productChecked ? { product_checked: true } : {}),
      ...(p.markWaited ? { stock_waited: true } : {}),
      ...(p.instruct
        ? { shipping_instructed_at: ctx.now, ship_date: row.ship_date ?? jstDate(ctx.now) }
        : {}),
      ...(p.to === S.shipped ? { shipped_at: ctx.now } : {}),
      ...(p.attention ? { needs_attention: true, attention_reason: p.attention } : {}),
    })
    .where('id', '=', row.id)
    .where('status_code', '=', p.from) // guarded: a concurrent change makes this a no-op, never a silent overwrite
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

/**
 * Moves a locked order to `target` (a status code or 自動確認 `auto`), following any move the plan
 * chains (cancel → cancelled). Returns the result; refusals change nothing.
 */
export async function transitionInTx(
  trx: Db,
  orderId: number,
  target: string,
  actor: Actor,
  ctx: ActionContext,
  reason?: string,
): Promise<ChangeResult> {
  let row = await lockOrder(trx, orderId);
  if (!row) return missingOrder(orderId);
  const orderNo = formatOrderNo(row.order_seq);
  const first = row.status_code;
  let next: string | null = target;
  let lastPlan: TransitionPlan | null = null;
  let by = actor;
  while (next) {
    const facts = await orderFacts(trx, row, ctx.now);
    const p = planTransition(facts, next, ctx.statuses);
    if (!p.ok) {
      if (lastPlan) break; // a chained follow-up that does not apply leaves the first move done
      return { orderId, orderNo, ok: false, from: first, to: null, message: p.refusal };
    }
    await applyPlan(trx, row, p, by, ctx, lastPlan ? undefined : reason);
    lastPlan = p;
    next = p.followUp;
    by = 'system';
    row = (await lockOrder(trx, orderId))!;
  }
  return {
    orderId,
    orderNo,
    ok: true,
    from: first,
    to: row.status_code,
    message: `${ctx.statuses.label(first)} → ${ctx.statuses.label(row.status_code)}`,
  };
}

/** One order, its own transaction (retried on deadlock), then stock re-allocation if it freed any. */
export async function changeStatus(
  db: Db,
  orderId: number,
  target: string,
  actor: Actor,
  opts: { reason?: string; now?: Date } = {},
): Promise<ChangeResult> {
  const ctx = await actionContext(db, opts.now);
  const freed = new Set<string>();
  const result = await withTransaction(db, async (trx) => {
    freed.clear();
    const before = await trx
      .selectFrom('reservations')
      .select('product_code')
      .distinct()
      .where('order_id', '=', orderId)
      .execute();
    const r = await transitionInTx(trx, orderId, target, actor, ctx, opts.reason);
    if (r.ok && (r.to === S.cancelled || r.to === S.shipped))
      for (const b of before) freed.add(b.product_code);
    return r;
  });
  if (result.ok) await afterStockFreedOrNeeded(db, orderId, freed, ctx.now);
  return result;
}

/** Bulk status change (including 自動確認): a result per order, in 受注No order to keep lock order stable. */
export async function bulkChangeStatus(
  db: Db,
  orderIds: readonly number[],
  target: string,
  actor: Actor,
  opts: { reason?: string; now?: Date } = {},
): Promise<ChangeResult[]> {
  const out: ChangeResult[] = [];
  for (const id of [...new Set(orderIds)].sort((a, b) => a - b)) {
    try {
      out.push(await changeStatus(db, id, target, actor, opts));
    } catch (e) {
      out.push({
        orderId: id,
        orderNo: '-',
        ok: false,
        from: '-',
        to: null,
        message: e instanceof Error ? e.message : String(e),
      });
    }
  }
  return out;
}

/**
 * After a move: stock an order gave back goes to the oldest waiting orders; an order that entered
 * fulfillment (or review, when stores reserve at import) gets stock; then statuses follow the holds.
 */
async function afterStockFreedOrNeeded(
  db: Db,
  orderId: number,
  freed: Set<string>,
  now: Date,
): Promise<void> {
  const lines = await db
    .selectFrom('order_lines')
    .select('product_code')
    .where('order_id', '=', orderId)
    .execute();
  const products = new Set([
    ...freed,
    ...lines.map((l) => l.product_code).filter((p): p is string => p !== null),
  ]);
  const allocated = await allocateProducts(db, products);
  const touched = new Set<number>([orderId, ...allocated.flatMap((a) => a.orderIds)]);
  await refreshOrders(db, touched, now);
}

/**
 * Puts orders where their holds say they belong: 在庫なし / 納期指定あり → ready once every line is held
 * and the date is near; ready → 在庫なし when a line lost its stock. Idempotent; sweeps call it too.
 */
export async function refreshOrders(
  db: Db,
  orderIds: Iterable<number>,
  now = new Date(),
): Promise<ChangeResult[]> {
  const ctx = await actionContext(db, now);
  const out: ChangeResult[] = [];
  for (const id of [...new Set(orderIds)].sort((a, b) => a - b)) {
    const r = await withTransaction(db, async (trx) => {
      const row = await lockOrder(trx, id);
      if (!row) return null;
      if (![S.waiting, S.readyToShip, S.readyAfterStock].includes(row.status_code as never)) return null;
      const facts = await orderFacts(trx, row, now);
      const d = fulfillmentDecision(facts);
      if (d.to === row.status_code || (d.to !== S.waiting && row.status_code !== S.waiting)) {
        if (d.to === S.waiting && (!row.stock_waited || row.status_reason !== d.reason)) {
          await trx
            .updateTable('orders')
            .set({ stock_waited: true, status_reason: d.reason })
            .where('id', '=', id)
            .execute();
        }
        return null;
      }
      const p = planTransition(facts, d.to, ctx.statuses);
      if (!p.ok) return null;
      // The holds decide, not a person: the reason is the decision's own (none when ready).
      await applyPlan(trx, row, { ...p, reason: d.reason, markWaited: d.to === S.waiting }, 'system', ctx);
      return {
        orderId: id,
        orderNo: formatOrderNo(row.order_seq),
        ok: true,
        from: row.status_code,
        to: d.to,
        message: `${ctx.statuses.label(row.status_code)} → ${ctx.statuses.label(d.to)}`,
      } satisfies ChangeResult;
    });
    if (r) out.push(r);
  }
  return out;
}

/** 出荷指示: fully held ready orders → 出荷作業中; those that lost stock → 在庫なし. A result per order. */
export async function shippingInstruction(
  db: Db,
  select: { orderIds?: readonly number[]; storeCodes?: readonly string[] },
  actor: Actor,
  now = new Date(),
): Promise<ChangeResult[]> {
  let q = db
    .selectFrom('orders as o')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select('o.id')
    .where('o.status_code', 'in', [S.readyToShip, S.readyAfterStock]);
  if (select.orderIds) q = q.where('o.id', 'in', select.orderIds.length ? [...select.orderIds] : [-1]);
  if (select.storeCodes)
    q = q.where('s.code', 'in', select.storeCodes.length ? [...select.storeCodes] : ['']);
  const ids = (await q.orderBy('o.ordered_at').execute()).map((r) => r.id);
  const results: ChangeResult[] = [];
  for (const id of ids) {
    const r = await changeStatus(db, id, S.shipping, actor, { now });
    if (r.ok) {
      results.push(r);
      continue;
    }
    // Lost stock since it was confirmed: back to 在庫なし with the reason, not a silent skip.
    const moved = await refreshOrders(db, [id], now);
    results.push(moved[0] ?? r);
  }
  if (select.orderIds) {
    const picked = new Set(ids);
    for (const id of select.orderIds)
      if (!picked.has(id)) results.push(await changeStatus(db, id, S.shipping, actor, { now })); // explains the refusal
  }
  return results;
}

/** 出荷完了: consumes the stock; records the tracking number. */
export async function confirmShipment(
  db: Db,
  orderId: number,
  info: { trackingNumber?: string | null; carrier?: string | null },
  actor: Actor,
  now = new Date(),
): Promise<ChangeResult> {
  const r = await changeStatus(db, orderId, S.shipped, actor, { now });
  if (r.ok && (info.trackingNumber || info.carrier)) {
    await db
      .updateTable('orders')
      .set({
        ...(info.trackingNumber ? { tracking_number: info.trackingNumber } : {}),
        ...(info.carrier ? { delivery_carrier: info.carrier } : {}),
      })
      .where('id', '=', orderId)
      .execute();
  }
  return r;
}

/** 入金: records the payment; a 入金待ち order moves on by itself. */
export async function recordPayment(
  db: Db,
  orderId: number,
  paidAt: Date,
  actor: Actor,
): Promise<ChangeResult> {
  const row = await db
    .selectFrom('orders')
    .select(['status_code', 'paid_at'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!row) return missingOrder(orderId);
  await withTransaction(db, async (trx) => {
    const locked = (await lockOrder(trx, orderId))!;
    if (locked.paid_at) return;
    await trx
      .updateTable('orders')
      .set({ paid_at: paidAt, updated_at: sql`now()` })
      .where('id', '=', orderId)
      .execute();
    await recordEvent(trx, locked, { actor, action: 'payment_recorded', reason: `入金 ${toJstIso(paidAt)}` });
  });
  if (row.status_code !== S.awaitingPayment) {
    const o = await db
      .selectFrom('orders')
      .select(['order_seq', 'status_code'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    return {
      orderId,
      orderNo: formatOrderNo(o.order_seq),
      ok: true,
      from: o.status_code,
      to: o.status_code,
      message: '入金を記録しました',
    };
  }
  return changeStatus(db, orderId, AUTO_CONFIRM, actor, { reason: '入金確認' });
}

export interface ReleaseSelection {
  orderIds?: readonly number[];
  storeCodes?: readonly string[];
  orderNos?: readonly string[];
  statuses?: readonly string[];
  warehouse?: string;
  productCode?: string;
}

/** Orders that hold stock matching the 受注在庫予約解除 search. */
export async function findOrdersHoldingStock(db: Db, sel: ReleaseSelection): Promise<number[]> {
  let q = db
    .selectFrom('reservations as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select('o.id')
    .distinct()
    .where('o.shipping_instructed_at', 'is', null);
  if (sel.orderIds?.length) q = q.where('o.id', 'in', [...sel.orderIds]);
  if (sel.storeCodes?.length) q = q.where('s.code', 'in', [...sel.storeCodes]);
  // A 受注No that is not a number matches nothing (never "no filter", never a SQL error).
  if (sel.orderNos?.length)
    q = q.where(
      'o.order_seq',
      'in',
      sel.orderNos.map((n) => (/^\d{1,18}$/.test(n.trim()) ? Number(n) : -1)),
    );
  if (sel.statuses?.length) q = q.where('o.status_code', 'in', [...sel.statuses]);
  if (sel.warehouse) q = q.where('r.warehouse_code', '=', sel.warehouse);
  if (sel.productCode) q = q.where('r.product_code', '=', sel.productCode);
  return (await q.execute()).map((r) => r.id).sort((a, b) => a - b);
}

/**
 * 受注在庫予約解除: takes held stock back off the selected orders. Orders in fulfillment go back to
 * 在庫なし; every release is an event with who and why. Stock handed to the warehouse is never taken.
 */
export async function releaseReservations(
  db: Db,
  sel: ReleaseSelection,
  actor: Actor,
  why: string,
  now = new Date(),
): Promise<ChangeResult[]> {
  const ids = await findOrdersHoldingStock(db, sel);
  const ctx = await actionContext(db, now);
  const results: ChangeResult[] = [];
  const filter: ReleaseFilter = { warehouse: sel.warehouse, productCode: sel.productCode };
  for (const id of ids) {
    const r = await withTransaction(db, async (trx) => {
      const row = await lockOrder(trx, id);
      if (!row) return null;
      if (row.shipping_instructed_at) {
        return {
          orderId: id,
          orderNo: formatOrderNo(row.order_seq),
          ok: false,
          from: row.status_code,
          to: null,
          message: '出荷指示済みの注文の引当は解除できません',
        };
      }
      const released = await releaseOrderStock(trx, id, filter);
      const units = released.reduce((n, x) => n + x.quantity, 0);
      await recordEvent(trx, row, {
        actor,
        action: 'reservation_released',
        reason: why,
        details: { released },
      });
      let to = row.status_code;
      if (row.status_code === S.readyToShip || row.status_code === S.readyAfterStock) {
        const facts = await orderFacts(trx, row, now);
        const d = fulfillmentDecision(facts);
        const p = planTransition(facts, S.waiting, ctx.statuses);
        if (p.ok) {
          await applyPlan(trx, row, { ...p, markWaited: true }, actor, ctx, d.reason ?? `引当解除: ${why}`);
          to = S.waiting;
        }
      }
      return {
        orderId: id,
        orderNo: formatOrderNo(row.order_seq),
        ok: true,
        from: row.status_code,
        to,
        message: `${units} 個の引当を解除しました`,
      } satisfies ChangeResult;
    });
    if (r) results.push(r);
  }
  return results;
}

/** Only キャンセル済み orders may be deleted; the audit trail stays. */
export async function deleteOrder(db: Db, orderId: number, actor: Actor): Promise<ChangeResult> {
  return withTransaction(db, async (trx) => {
    const row = await lockOrder(trx, orderId);
    if (!row) return missingOrder(orderId);
    const orderNo = formatOrderNo(row.order_seq);
    if (row.status_code !== S.cancelled)
      return {
        orderId,
        orderNo,
        ok: false,
        from: row.status_code,
        to: null,
        message: `受注No ${orderNo}: キャンセル済みの注文だけ削除できます`,
      };
    // A cancelled order holds nothing; should it (a bug, a hand edit), the cascade must not drop its
    // reservation rows behind stock_levels.reserved's back: give them back first, by the rules.
    const released = await releaseOrderStock(trx, orderId);
    await recordEvent(trx, row, {
      actor,
      action: 'deleted',
      from: row.status_code,
      reason: '伝票削除',
      ...(released.length ? { details: { released } } : {}),
    });
    await trx.deleteFrom('orders').where('id', '=', orderId).execute();
    return {
      orderId,
      orderNo,
      ok: true,
      from: row.status_code,
      to: null,
      message: `受注No ${orderNo} を削除しました`,
    };
  });
}

/** Operator notes and acknowledgements on the detail screen. */
export async function updateOrderNotes(
  db: Db,
  orderId: number,
  patch: {
    internalComment?: string | null;
    commentChecked?: boolean;
    productChecked?: boolean;
    shipDate?: string | null;
  },
  actor: Actor,
): Promise<void> {
  await withTransaction(db, async (trx) => {
    const row = await lockOrder(trx, orderId);
    if (!row) throw new Error(`order ${orderId} does not exist`);
    await trx
      .updateTable('orders')
      .set({
        ...(patch.internalComment !== undefined ? { internal_comment: patch.internalComment } : {}),
        ...(patch.commentChecked !== undefined ? { comment_checked: patch.commentChecked } : {}),
        ...(patch.productChecked !== undefined ? { product_checked: patch.productChecked } : {}),
        ...(patch.shipDate !== undefined ? { ship_date: patch.shipDate } : {}),
        updated_at: sql`now()`,
      })
      .where('id', '=', orderId)
      .execute();
    await recordEvent(trx, row, { actor, action: 'notes_updated', details: patch });
  });
}
