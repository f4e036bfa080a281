// 出荷バッチ: the orders of one shipping-instruction run, or an operator's selection; label files are
// exported per batch and carrier (label_exports logs each export with its hash).
import { sql } from 'kysely';
import { toJstIso } from '../domain/time.js';
import type { Db } from './db.js';

export interface BatchRow {
  id: number;
  source: 'instruction' | 'selection';
  shipDate: string;
  createdBy: string;
  createdAt: string;
  orders: number;
}

export async function createBatch(
  trx: Db,
  b: { source: 'instruction' | 'selection'; shipDate: string; actor: string; orderIds: readonly number[] },
): Promise<number> {
  const { id } = await trx
    .insertInto('shipping_batches')
    .values({ source: b.source, ship_date: b.shipDate, created_by: b.actor })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids = [...new Set(b.orderIds)];
  if (ids.length)
    await trx
      .insertInto('shipping_batch_orders')
      .values(ids.map((order_id) => ({ batch_id: id, order_id })))
      .execute();
  return id;
}

const batchColumns = sql<number>`(SELECT count(*)::int FROM shipping_batch_orders o WHERE o.batch_id = b.id)`;

function toBatch(r: {
  id: number;
  source: 'instruction' | 'selection';
  ship_date: string;
  created_by: string;
  created_at: Date;
  orders: number;
}): BatchRow {
  return {
    id: r.id,
    source: r.source,
    shipDate: r.ship_date,
    createdBy: r.created_by,
    createdAt: toJstIso(r.created_at),
    orders: r.orders,
  };
}

export async function findBatch(db: Db, id: number): Promise<BatchRow | null> {
  const r = await db
    .selectFrom('shipping_batches as b')
    .select(['b.id', 'b.source', 'b.ship_date', 'b.created_by', 'b.created_at', batchColumns.as('orders')])
    .where('b.id', '=', id)
    .executeTakeFirst();
  return r ? toBatch(r) : null;
}

/** Newest first. */
export async function listBatches(db: Db, limit = 30): Promise<BatchRow[]> {
  const rows = await db
    .selectFrom('shipping_batches as b')
    .select(['b.id', 'b.source', 'b.ship_date', 'b.created_by', 'b.created_at', batchColumns.as('orders')])
    .orderBy('b.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toBatch);
}

export async function batchOrderIds(db: Db, batchId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('shipping_batch_orders')
    .select('order_id')
    .where('batch_id', '=', batchId)
    .orderBy('order_id')
    .execute();
  return rows.map((r) => r.order_id);
}

export interface ExportLog {
  carrier: string;
  layout: string;
  sha256: string;
  bytes: number;
  orders: number;
  rows: number;
  exportedBy: string;
  exportedAt: string;
}

export async function logExport(
  trx: Db,
  e: Omit<ExportLog, 'exportedAt'> & { batchId: number },
): Promise<void> {
  await trx
    .insertInto('label_exports')
    .values({
      batch_id: e.batchId,
      carrier: e.carrier,
      layout: e.layout,
      sha256: e.sha256,
      bytes: e.bytes,
      orders: e.orders,
      rows: e.rows,
      exported_by: e.exportedBy,
    })
    .execute();
}

/** A batch's exports, newest first. */
export async function batchExports(db: Db, batchId: number): Promise<ExportLog[]> {
  const rows = await db
    .selectFrom('label_exports')
    .selectAll()
    .where('batch_id', '=', batchId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    carrier: r.carrier,
    layout: r.layout,
    sha256: r.sha256,
    bytes: r.bytes,
    orders: r.orders,
    rows: r.rows,
    exportedBy: r.exported_by,
    exportedAt: toJstIso(r.exported_at),
  }));
}
