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
