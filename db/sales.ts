// 売上 records: written once per order × kind (returns numbered), read per order, per day and store.
// Plain reads and writes; usecases/book-shipment-sales.ts and record-return.ts decide.
import { sql } from 'kysely';
import { formatOrderNo } from '../domain/order.js';
import type { PlannedRecord, RecordLine, SalesKind } from '../domain/sales.js';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';

export interface SalesRecord {
  id: number;
  storeId: number;
  storeCode: string;
  orderId: number;
  orderNo: string;
  cartOrderNo: string;
  kind: SalesKind;
  seq: number;
  salesDate: string;
  basis: 'shipment' | 'order' | 'return';
  amount10: number;
  tax10: number;
  amount8: number;
  tax8: number;
  amount0: number;
  total: number;
  lines: RecordLine[];
  reason: string | null;
  createdBy: string;
  createdAt: string;
}

/** Writes the records that are not there yet (unique per order × kind × seq); returns how many. */
export async function insertSalesRecords(
  trx: Db,
  base: { storeId: number; orderId: number; salesDate: string; basis: SalesRecord['basis']; actor: string },
  records: ReadonlyArray<PlannedRecord & { seq?: number; reason?: string | null }>,
): Promise<number> {
  if (!records.length) return 0;
  const r = await trx
    .insertInto('sales_records')
    .values(
      records.map((x) => ({
        store_id: base.storeId,
        order_id: base.orderId,
        kind: x.kind,
        seq: x.seq ?? 0,
        sales_date: base.salesDate,
        basis: base.basis,
        amount_10: x.amount[10],
        tax_10: x.tax[10],
        amount_8: x.amount[8],
        tax_8: x.tax[8],
        amount_0: x.amount[0],
        total: x.total,
        lines: JSON.stringify(x.lines),
        reason: x.reason ?? null,
        created_by: base.actor,
      })),
    )
    .onConflict((oc) => oc.columns(['order_id', 'kind', 'seq']).doNothing())
    .returning('id')
    .execute();
  return r.length;
}

function toRecord(r: {
  id: number;
  store_id: number;
  store_code: string;
  order_id: number;
  order_seq: number;
  cart_order_no: string;
  kind: SalesKind;
  seq: number;
  sales_date: string;
  basis: SalesRecord['basis'];
  amount_10: number;
  tax_10: number;
  amount_8: number;
  tax_8: number;
  amount_0: number;
  total: number;
  lines: unknown;
  reason: string | null;
  created_by: string;
  created_at: Date;
}): SalesRecord {
  return {
    id: r.id,
    storeId: r.store_id,
    storeCode: r.store_code,
    orderId: r.order_id,
    orderNo: formatOrderNo(r.order_seq),
    cartOrderNo: r.cart_order_no,
    kind: r.kind,
    seq: r.seq,
    salesDate: r.sales_date,
    basis: r.basis,
    amount10: r.amount_10,
    tax10: r.tax_10,
    amount8: r.amount_8,
    tax8: r.tax_8,
    amount0: r.amount_0,
    total: r.total,
    lines: (r.lines as RecordLine[]) ?? [],
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: toJstIso(r.created_at),
  };
}

function recordQuery(db: Db) {
  return db
    .selectFrom('sales_records as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .innerJoin('stores as s', 's.id', 'r.store_id')
    .select([
      'r.id',
      'r.store_id',
      's.code as store_code',
      'r.order_id',
      'o.order_seq',
      'o.cart_order_no',
      'r.kind',
      'r.seq',
      'r.sales_date',
      'r.basis',
      'r.amount_10',
      'r.tax_10',
      'r.amount_8',
      'r.tax_8',
      'r.amount_0',
      'r.total',
      'r.lines',
      'r.reason',
      'r.created_by',
      'r.created_at',
    ]);
}

export async function orderSalesRecords(db: Db, orderId: number): Promise<SalesRecord[]> {
  const rows = await recordQuery(db).where('r.order_id', '=', orderId).orderBy('r.id').execute();
  return rows.map((r) => toRecord({ ...r, order_seq: Number(r.order_seq) }));
}

export interface SalesFilter {
  storeIds?: readonly number[];
  from: string;
  to: string;
}

/** The records of a period (both days included), by day, store and id. */
export async function listSalesRecords(db: Db, f: SalesFilter, limit = 500): Promise<SalesRecord[]> {
  let q = recordQuery(db).where('r.sales_date', '>=', f.from).where('r.sales_date', '<=', f.to);
  if (f.storeIds) q = q.where('r.store_id', 'in', f.storeIds.length ? [...f.storeIds] : [-1]);
  const rows = await q.orderBy('r.sales_date').orderBy('s.code').orderBy('r.id').limit(limit).execute();
  return rows.map((r) => toRecord({ ...r, order_seq: Number(r.order_seq) }));
}

/** Per store and day: the records summed (each record's tax already rounded once per rate). */
export async function dailySales(db: Db, f: SalesFilter) {
  let q = db
    .selectFrom('sales_records as r')
    .innerJoin('stores as s', 's.id', 'r.store_id')
    .select([
      'r.sales_date as date',
      's.code as storeCode',
      's.name as storeName',
      sql<number>`count(*) FILTER (WHERE r.kind = 'sale')::int`.as('orders'),
      sql<number>`coalesce(sum(r.total) FILTER (WHERE r.kind = 'sale'), 0)::int`.as('sale'),
      sql<number>`coalesce(sum(r.total) FILTER (WHERE r.kind = 'discount'), 0)::int`.as('discount'),
      sql<number>`coalesce(sum(r.total) FILTER (WHERE r.kind = 'points'), 0)::int`.as('points'),
      sql<number>`coalesce(sum(r.total) FILTER (WHERE r.kind = 'return'), 0)::int`.as('returns'),
      sql<number>`sum(r.amount_10)::int`.as('amount10'),
      sql<number>`sum(r.tax_10)::int`.as('tax10'),
      sql<number>`sum(r.amount_8)::int`.as('amount8'),
      sql<number>`sum(r.tax_8)::int`.as('tax8'),
      sql<number>`sum(r.amount_0)::int`.as('amount0'),
      sql<number>`sum(r.total)::int`.as('total'),
    ])
    .where('r.sales_date', '>=', f.from)
    .where('r.sales_date', '<=', f.to);
  if (f.storeIds) q = q.where('r.store_id', 'in', f.storeIds.length ? [...f.storeIds] : [-1]);
  return q.groupBy(['r.sales_date', 's.code', 's.name']).orderBy('r.sales_date').orderBy('s.code').execute();
}

/** The next return number of an order (the caller holds the order's lock). */
export async function nextReturnSeq(trx: Db, orderId: number): Promise<number> {
  const r = await trx
    .selectFrom('sales_records')
    .select(sql<number>`coalesce(max(seq), 0)::int`.as('seq'))
    .where('order_id', '=', orderId)
    .where('kind', '=', 'return')
    .executeTakeFirstOrThrow();
  return r.seq + 1;
}
