// Warehouses (倉庫), in the order stock is taken from them (priority).
import type { Db } from './db.js';

export interface Warehouse {
  code: string;
  name: string;
  priority: number;
  enabled: boolean;
  createdAt: Date;
}

export async function listWarehouses(db: Db): Promise<Warehouse[]> {
  const rows = await db.selectFrom('warehouses').selectAll().orderBy('priority').execute();
  return rows.map((w) => ({
    code: w.code,
    name: w.name,
    priority: w.priority,
    enabled: w.enabled,
    createdAt: w.created_at,
  }));
}

export async function warehouseExists(db: Db, code: string): Promise<boolean> {
  return (
    (await db.selectFrom('warehouses').select('code').where('code', '=', code).executeTakeFirst()) !==
    undefined
  );
}

export async function findWarehouse(db: Db, code: string): Promise<Warehouse | undefined> {
  const w = await db.selectFrom('warehouses').selectAll().where('code', '=', code).executeTakeFirst();
  return (
    w && { code: w.code, name: w.name, priority: w.priority, enabled: w.enabled, createdAt: w.created_at }
  );
}

/** A new warehouse; false when the code is taken. */
export async function insertWarehouse(
  db: Db,
  w: { code: string; name: string; priority: number; enabled: boolean },
): Promise<boolean> {
  const r = await db
    .insertInto('warehouses')
    .values(w)
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('code')
    .executeTakeFirst();
  return r !== undefined;
}

/** Name, priority or enabled of one warehouse; false when it does not exist. */
export async function updateWarehouse(
  db: Db,
  code: string,
  patch: { name?: string; priority?: number; enabled?: boolean },
): Promise<boolean> {
  const r = await db.updateTable('warehouses').set(patch).where('code', '=', code).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Products with free stock in a warehouse (what enabling it can hand to waiting orders). */
export async function productsWithFreeStockIn(db: Db, warehouse: string): Promise<string[]> {
  const rows = await db
    .selectFrom('stock_levels')
    .select('product_code')
    .where('warehouse_code', '=', warehouse)
    .whereRef('on_hand', '>', 'reserved')
    .execute();
  return rows.map((r) => r.product_code);
}

/** Which warehouses each store ships from (store id → codes); a store absent ships from all. */
export async function storeWarehouseMap(
  db: Db,
  storeIds?: readonly number[],
): Promise<Map<number, Set<string>>> {
  if (storeIds && storeIds.length === 0) return new Map();
  let q = db.selectFrom('store_warehouses').select(['store_id', 'warehouse_code']);
  if (storeIds) q = q.where('store_id', 'in', [...new Set(storeIds)]);
  const out = new Map<number, Set<string>>();
  for (const r of await q.execute()) {
    const set = out.get(r.store_id) ?? new Set<string>();
    set.add(r.warehouse_code);
    out.set(r.store_id, set);
  }
  return out;
}

/** One store's warehouses, by code; empty: it ships from every enabled warehouse. */
export async function storeWarehouseCodes(db: Db, storeId: number): Promise<string[]> {
  return [...((await storeWarehouseMap(db, [storeId])).get(storeId) ?? [])].sort();
}

/** Replaces a store's warehouses (none: every enabled warehouse). The caller's transaction. */
export async function replaceStoreWarehouses(
  trx: Db,
  storeId: number,
  codes: readonly string[],
): Promise<void> {
  await trx.deleteFrom('store_warehouses').where('store_id', '=', storeId).execute();
  if (codes.length)
    await trx
      .insertInto('store_warehouses')
      .values([...new Set(codes)].map((warehouse_code) => ({ store_id: storeId, warehouse_code })))
      .execute();
}
