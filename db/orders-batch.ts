// A page's new orders written together: one multi-row statement per table instead of a dozen round
// trips per order. Each order's first status comes from the same `autoTarget` the per-order path
// uses; its stock is planned (pure `planReservation`) from the stock rows this transaction has
// locked, oldest order first, and reserved by ONE guarded statement for the whole page. Products
// that already have orders waiting are left to `allocateProduct` after commit, so those older
// orders are served first.
import { planReservation, type WarehouseStock } from '../domain/allocation.js';
import { classifyOrder, isPrepaid } from '../domain/classify.js';
import { deliveryHold } from '../domain/delivery.js';
import { orderHashes } from '../domain/hash.js';
import type { CartOrder } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { autoTarget, type OrderFacts } from '../domain/transitions.js';
import { type BulkColumn, bulkInsert } from './bulk.js';
import type { Db } from './db.js';
import { lineRows, orderColumns, type PersistContext, partyRows } from './orders.js';
import { resolvedFor } from './products.js';
import {
  insertPlannedReservations,
  lockStock,
  productsWithWaitingLines,
  raiseReservedForPlan,
  readStock,
  reservePlan,
} from './stock.js';

export interface NewOrder {
  order: CartOrder;
  raw: unknown;
}

export interface BatchResult {
  inserted: Array<{ cartOrderNo: string; orderId: number }>;
  /** Orders someone else inserted meanwhile: the caller takes them through the per-order path. */
  conflicts: NewOrder[];
  /** Products to allocate after commit (older orders were already waiting for them). */
  allocateLater: string[];
  /** Reserves the planned stock: the caller runs it last, right before commit. */
  reserveStock(): Promise<void>;
}

// Column types of the bulk inserts (every column a new order, party, line or event is written with).
const ORDER_COLUMNS: readonly BulkColumn[] = [
  ['store_id', 'int'],
  ['cart_order_no', 'text'],
  ['status_code', 'text'],
  ['status_reason', 'text'],
  ['stock_waited', 'boolean'],
  ['payload_hash', 'text'],
  ['content_hash', 'text'],
  ['raw_payload', 'jsonb'],
  ['internal_comment', 'text'],
  ['paid_at', 'timestamptz'],
  ['prepaid', 'boolean'],
  ['ordered_at', 'timestamptz'],
  ['cart_status', 'text'],
  ['cart_cancelled', 'boolean'],
  ['cart_updated_at', 'timestamptz'],
  ['customer_remarks', 'text'],
  ['delivery_requested_date', 'date'],
  ['delivery_time_slot', 'text'],
  ['delivery_carrier', 'text'],
  ['delivery_method', 'text'],
  ['delivery_fee', 'bigint'],
  ['payment_method', 'text'],
  ['payment_card_type', 'text'],
  ['payment_fee', 'bigint'],
  ['goods_total', 'bigint'],
  ['shipping_total', 'bigint'],
  ['fees_total', 'bigint'],
  ['discount_total', 'bigint'],
  ['points_total', 'bigint'],
  ['tax_total', 'bigint'],
  ['grand_total', 'bigint'],
  ['currency', 'text'],
];
const PARTY_COLUMNS: readonly BulkColumn[] = [
  ['order_id', 'bigint'],
  ['role', 'text'],
  ['package_no', 'int'],
  ['name', 'text'],
  ['kana', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['postal_code', 'text'],
  ['prefecture', 'text'],
  ['address1', 'text'],
  ['address2', 'text'],
];
const LINE_COLUMNS: readonly BulkColumn[] = [
  ['order_id', 'bigint'],
  ['line_no', 'int'],
  ['package_no', 'int'],
  ['cart_product_code', 'text'],
  ['cart_option_code', 'text'],
  ['product_code', 'text'],
  ['units_per_cart_unit', 'int'],
  ['name', 'text'],
  ['quantity', 'int'],
  ['unit_price', 'bigint'],
  ['tax_included', 'boolean'],
  ['tax_rate', 'int'],
  ['tax_amount', 'bigint'],
  ['reserved_quantity', 'int'],
];
const EVENT_COLUMNS: readonly BulkColumn[] = [
  ['order_id', 'bigint'],
  ['store_id', 'int'],
  ['cart_order_no', 'text'],
  ['actor', 'text'],
  ['action', 'text'],
  ['to_status', 'text'],
  ['reason', 'text'],
  ['details', 'jsonb'],
];

/**
 * The stock a page planned from moved before it could be reserved (another import took it, or
 * orders began to wait for the product). The page is written again, locking the stock first.
 */
export class StockMovedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockMovedError';
  }
}

/**
 * `items` must be new to the store, oldest first, already filtered by the store's import statuses.
 *
 * Optimistic by default: stock is planned from a plain read, the orders are written, and only then
 * are the planned stock rows locked, checked (still that much free, still nobody waiting) and
 * reserved — so concurrent imports of the same products hold those locks for a moment, not for the
 * whole page. If the check fails the caller runs the page again with `lockFirst`, which locks the
 * stock rows before planning (the pessimistic path; the result is the same, only slower).
 */
export async function insertNewOrders(
  trx: Db,
  items: readonly NewOrder[],
  ctx: PersistContext,
  opts: { lockFirst?: boolean } = {},
): Promise<BatchResult> {
  if (items.length === 0)
    return { inserted: [], conflicts: [], allocateLater: [], reserveStock: async () => undefined };
  const settings = ctx.store.settings;
  const planned = items.map(({ order }) => {
    const lines = order.lines.map((l, i) => {
      const r = resolvedFor(ctx.products, l);
      return {
        lineNo: i + 1,
        productCode: r?.productCode ?? null,
        cartProductCode: l.cartProductCode,
        cartOptionCode: l.cartOptionCode,
        needsCheck: r?.needsCheck ?? false,
        needed: l.quantity * (r?.unitsPerCartUnit ?? 1),
        held: 0,
        steps: [] as Array<{ warehouse: string; quantity: number }>,
      };
    });
    const prepaid = isPrepaid(order.payment.method, ctx.prepaidMethods);
    const facts: OrderFacts = {
      orderNo: '',
      status: S.reviewHold,
      instructed: false,
      stockWaited: false,
      lines,
      customerRemarks: order.customerRemarks,
      paymentMethod: order.payment.method,
      paidAt: order.payment.paidAt,
      prepaid,
      commentChecked: false,
      productChecked: false,
      deliveryHold: deliveryHold(order.delivery.requestedDate, ctx.now, settings.deliveryHoldDays),
      autoCompleteCancel: settings.autoCompleteCancel,
    };
    // A store reserving at fulfillment holds nothing for orders that stop in review or payment.
    const holds =
      settings.reservationTiming === 'import' ||
      classifyOrder({ ...facts, commentChecked: false }).next === 'fulfillment';
    return { facts, lines, holds };
  });

  // Plan stock, oldest first (order rows are new: nobody else holds them).
  const wanted = [
    ...new Set(planned.filter((p) => p.holds).flatMap((p) => p.lines.map((l) => l.productCode))),
  ].filter((c): c is string => c !== null);
  const locked = opts.lockFirst ? await lockStock(trx, wanted) : await readStock(trx, wanted);
  const waiting = await productsWithWaitingLines(trx, wanted);
  const stock = new Map<string, WarehouseStock[]>();
  for (const s of locked) if (s.enabled) stock.set(s.productCode, [...(stock.get(s.productCode) ?? []), s]);
  for (const p of planned) {
    if (!p.holds) continue;
    for (const l of p.lines) {
      if (!l.productCode || waiting.has(l.productCode)) continue;
      const rows = stock.get(l.productCode) ?? [];
      for (const step of planReservation(l.needed, rows)) {
        rows.find((w) => w.warehouse === step.warehouse)!.free -= step.quantity;
        l.steps.push(step);
        l.held += step.quantity;
      }
    }
  }

  // Orders, with the status the checks and the planned holds give them.
  const orderValues = items.map(({ order, raw }, i) => {
    const p = planned[i]!;
    const next = autoTarget(p.facts);
    const deferred = p.holds && p.lines.some((l) => l.productCode !== null && waiting.has(l.productCode));
    const { payloadHash, contentHash } = orderHashes(order);
    return {
      store_id: ctx.store.id,
      cart_order_no: order.cartOrderNo,
      status_code: next.to,
      status_reason: next.reason,
      // It waited for stock after an allocation (not merely before one that runs after commit).
      stock_waited: next.to === S.waiting && !deferred,
      payload_hash: payloadHash,
      content_hash: contentHash,
      raw_payload: raw,
      internal_comment: order.internalComment,
      paid_at: order.payment.paidAt ? new Date(order.payment.paidAt) : null,
      ...orderColumns(order, ctx.prepaidMethods),
    };
  });
  const ids = new Map<string, number>();
  const inserted = await bulkInsert<{ id: number; cart_order_no: string }>(
    trx,
    'orders',
    ORDER_COLUMNS,
    orderValues,
    {
      returning: ['id', 'cart_order_no'],
      onConflictDoNothing: 'orders_store_cart_order_no_key',
    },
  );
  for (const r of inserted) ids.set(r.cart_order_no, r.id);
  const conflicts = items.filter((it) => !ids.has(it.order.cartOrderNo));
  const kept = items
    .map((it, i) => ({ ...it, p: planned[i]!, v: orderValues[i]!, id: ids.get(it.order.cartOrderNo) }))
    .filter((x): x is typeof x & { id: number } => x.id !== undefined);

  await bulkInsert(
    trx,
    'order_parties',
    PARTY_COLUMNS,
    kept.flatMap((k) => partyRows(k.id, k.order)),
  );
  const lineValues = kept.flatMap((k) =>
    lineRows(
      k.id,
      k.order,
      ctx.products,
      k.p.lines.map((l) => l.held),
    ),
  );
  const lineIds = new Map<string, number>();
  const lines = await bulkInsert<{ id: number; order_id: number; line_no: number }>(
    trx,
    'order_lines',
    LINE_COLUMNS,
    lineValues,
    {
      returning: ['id', 'order_id', 'line_no'],
    },
  );
  for (const r of lines) lineIds.set(`${r.order_id}:${r.line_no}`, r.id);
  const plan = kept.flatMap((k) =>
    k.p.lines.flatMap((l) =>
      l.steps.map((s) => ({
        orderLineId: lineIds.get(`${k.id}:${l.lineNo}`)!,
        orderId: k.id,
        productCode: l.productCode!,
        warehouse: s.warehouse,
        quantity: s.quantity,
      })),
    ),
  );
  await bulkInsert(
    trx,
    'order_events',
    EVENT_COLUMNS,
    kept.map((k) => ({
      order_id: k.id,
      store_id: ctx.store.id,
      cart_order_no: k.order.cartOrderNo,
      actor: ctx.actor,
      action: 'imported',
      to_status: k.v.status_code,
      reason: k.v.status_reason,
      details: { cartStatus: k.order.cartStatus },
    })),
  );
  const want = plan.reduce((n, s) => n + s.quantity, 0);
  // Last, just before commit (the caller runs it): the stock. Optimistically planned stock rows are
  // locked only now, so another import of the same products waits for a moment, not for this page.
  const reserveStock = async (): Promise<void> => {
    if (opts.lockFirst) {
      const got = await reservePlan(trx, plan);
      // Cannot happen while the stock rows are locked; if it does, nothing of this page stands.
      if (got !== want)
        throw new Error(`stock changed under a locked page import (planned ${want}, reserved ${got})`);
      return;
    }
    if (plan.length === 0) return;
    const products = [...new Set(plan.map((s) => s.productCode))];
    const now = await lockStock(trx, products);
    const need = new Map<string, number>();
    for (const s of plan) {
      const key = `${s.productCode} ${s.warehouse}`;
      need.set(key, (need.get(key) ?? 0) + s.quantity);
    }
    for (const row of now) {
      const n = need.get(`${row.productCode} ${row.warehouse}`) ?? 0;
      if (n > row.free || (n > 0 && !row.enabled))
        throw new StockMovedError(`${row.productCode} @ ${row.warehouse}: planned ${n}, free ${row.free}`);
    }
    const others = await productsWithWaitingLines(
      trx,
      products,
      kept.map((k) => k.id),
    );
    if (others.size) throw new StockMovedError(`orders began to wait for ${[...others].join(', ')}`);
    if (!(await raiseReservedForPlan(trx, plan)))
      throw new StockMovedError('stock changed under a page import');
  };
  // The reservation rows now (they lock nothing another import needs); reserved rises in reserveStock.
  if (!opts.lockFirst) await insertPlannedReservations(trx, plan);

  const allocateLater = [...new Set(kept.flatMap((k) => k.p.lines.map((l) => l.productCode)))].filter(
    (c): c is string => c !== null && waiting.has(c),
  );
  return {
    inserted: kept.map((k) => ({ cartOrderNo: k.order.cartOrderNo, orderId: k.id })),
    conflicts,
    allocateLater,
    reserveStock,
  };
}
