// A page's new orders written together: one multi-row statement per table instead of a dozen round
// trips per order. The rows are exactly the plan domain/import-plan.ts made (first status, held
// quantities, reservation steps); the reservations are written here, and the stock rows are raised
// by the caller's final guarded statement (db/stock.ts), right before commit.

import { orderHashes } from '../domain/hash.js';
import type { NewOrderPlan } from '../domain/import-plan.js';
import { type BulkColumn, bulkInsert } from './bulk.js';
import type { Db } from './db.js';
import type { Actor } from './order-status.js';
import { lineRows, orderColumns, partyRows } from './orders.js';
import type { ResolvedProduct } from './products.js';
import type { PlanStep } from './stock.js';

export interface NewOrderContext {
  storeId: number;
  actor: Actor;
  /** Cart codes resolved for this page (see resolveProducts). */
  products: Map<string, ResolvedProduct>;
  prepaidMethods: readonly string[];
}

export interface NewOrderRow {
  plan: NewOrderPlan;
  raw: unknown;
}

export interface BatchResult {
  inserted: Array<{ cartOrderNo: string; orderId: number }>;
  /** Orders someone else inserted meanwhile: the caller takes them as known orders. */
  conflicts: NewOrderRow[];
  /** The planned reservations, now with their line ids, for the caller to reserve. */
  reservations: PlanStep[];
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
  ['component_units', 'int'],
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

/** `items` must be new to the store, oldest first; nothing is written for an order inserted meanwhile. */
export async function insertNewOrders(
  trx: Db,
  items: readonly NewOrderRow[],
  ctx: NewOrderContext,
): Promise<BatchResult> {
  if (items.length === 0) return { inserted: [], conflicts: [], reservations: [] };
  const orderValues = items.map(({ plan, raw }) => {
    const { payloadHash, contentHash } = orderHashes(plan.order);
    return {
      store_id: ctx.storeId,
      cart_order_no: plan.order.cartOrderNo,
      status_code: plan.status,
      status_reason: plan.reason,
      stock_waited: plan.stockWaited,
      payload_hash: payloadHash,
      content_hash: contentHash,
      raw_payload: raw,
      internal_comment: plan.order.internalComment,
      paid_at: plan.order.payment.paidAt ? new Date(plan.order.payment.paidAt) : null,
      ...orderColumns(plan.order, ctx.prepaidMethods),
    };
  });
  const inserted = await bulkInsert<{ id: number; cart_order_no: string }>(
    trx,
    'orders',
    ORDER_COLUMNS,
    orderValues,
    { returning: ['id', 'cart_order_no'], onConflictDoNothing: 'orders_store_cart_order_no_key' },
  );
  const ids = new Map(inserted.map((r) => [r.cart_order_no, r.id]));
  const conflicts = items.filter((it) => !ids.has(it.plan.order.cartOrderNo));
  const kept = items
    .map((it, i) => ({ ...it, v: orderValues[i]!, id: ids.get(it.plan.order.cartOrderNo) }))
    .filter((x): x is typeof x & { id: number } => x.id !== undefined);

  await bulkInsert(
    trx,
    'order_parties',
    PARTY_COLUMNS,
    kept.flatMap((k) => partyRows(k.id, k.plan.order)),
  );
  const lines = await bulkInsert<{ id: number; order_id: number; line_no: number }>(
    trx,
    'order_lines',
    LINE_COLUMNS,
    kept.flatMap((k) =>
      lineRows(
        k.id,
        k.plan.order,
        ctx.products,
        // Σ of the line's reservations (a set line's are its components' units)
        k.plan.lines.map((l) => l.steps.reduce((n, s) => n + s.quantity, 0)),
      ),
    ),
    { returning: ['id', 'order_id', 'line_no'] },
  );
  const lineIds = new Map(lines.map((r) => [`${r.order_id}:${r.line_no}`, r.id]));
  const reservations = kept.flatMap((k) =>
    k.plan.lines.flatMap((l) =>
      l.steps.map((s) => ({
        orderLineId: lineIds.get(`${k.id}:${l.lineNo}`)!,
        orderId: k.id,
        productCode: s.productCode ?? l.productCode!,
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
      store_id: ctx.storeId,
      cart_order_no: k.plan.order.cartOrderNo,
      actor: ctx.actor,
      action: 'imported',
      to_status: k.v.status_code,
      reason: k.v.status_reason,
      details: { cartStatus: k.plan.order.cartStatus },
    })),
  );
  return {
    inserted: kept.map((k) => ({ cartOrderNo: k.plan.order.cartOrderNo, orderId: k.id })),
    conflicts,
    reservations,
  };
}
