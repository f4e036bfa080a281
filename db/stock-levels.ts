// Read model of stock: on hand, reserved and available per product × warehouse, with the units
// orders still wait for (取り寄せ中 lines not yet fully held). The stock screen and `juchu stock list`.
import { sql } from 'kysely';
import { S } from '../domain/statuses.js';
import type { Db } from './db.js';

export interface StockLevelView {
  productCode: string;
  name: string;
  warehouse: string;
  warehouseName: string;
  onHand: number;
  reserved: number;
  available: number;
  /** Units waiting orders still need of this product (all warehouses), as itself or in a set. */
  waitingDemand: number;
}

export interface StockLevelQuery {
  /** A code prefix or part of the product name. */
  search?: string;
  /** Exactly this product. */
  productCode?: string;
  warehouse?: string;
  /** Only rows where something is short: demand waiting, or nothing available. */
  short?: boolean;
  /** At most this many rows (default 1,000; null: all of them). */
  limit?: number | null;
}

/** Levels by product code, then warehouse priority. */
export async function listStockLevels(db: Db, q: StockLevelQuery = {}): Promise<StockLevelView[]> {
  const r = await sql<{
    product_code: string;
    name: string;
    warehouse_code: string;
    warehouse_name: string;
    on_hand: number;
    reserved: number;
    needed: number;
  }>`
    SELECT s.product_code, p.name, s.warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved,
           (COALESCE(d.needed, 0) + COALESCE(ds.needed, 0))::int AS needed
    FROM stock_levels s
    JOIN products p ON p.code = s.product_code
    JOIN warehouses w ON w.code = s.warehouse_code
    LEFT JOIN LATERAL (
      SELECT SUM(l.quantity * l.units_per_cart_unit - COALESCE((SELECT SUM(r.quantity) FROM reservations r WHERE r.order_line_id = l.id), 0)) AS needed
      FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE l.product_code = s.product_code AND o.status_code = ${S.waiting} AND l.shipped_from IS NULL
    ) d ON true
    -- セット商品 waiting for it as a component: the whole sets still to hold × its quantity
    LEFT JOIN LATERAL (
      SELECT SUM(GREATEST(l.waiting_units, 0) / l.component_units * pc.quantity) AS needed
      FROM product_components pc
      JOIN order_lines l ON l.product_code = pc.set_code
      JOIN orders o ON o.id = l.order_id
      WHERE pc.component_code = s.product_code AND o.status_code = ${S.waiting} AND l.shipped_from IS NULL
    ) ds ON true
    WHERE (${q.search ?? null}::text IS NULL OR s.product_code LIKE ${`${q.search ?? ''}%`} OR p.name LIKE ${`%${q.search ?? ''}%`})
      AND (${q.productCode ?? null}::text IS NULL OR s.product_code = ${q.productCode ?? null})
      AND (${q.warehouse ?? null}::text IS NULL OR s.warehouse_code = ${q.warehouse ?? null})
    ORDER BY s.product_code, w.priority
    ${q.limit === null ? sql`` : sql`LIMIT ${q.limit ?? 1000}`}`.execute(db);
  return r.rows
    .map((x) => ({
      productCode: x.product_code,
      name: x.name,
      warehouse: x.warehouse_code,
      warehouseName: x.warehouse_name,
      onHand: x.on_hand,
      reserved: x.reserved,
      available: Math.max(0, x.on_hand - x.reserved),
      waitingDemand: Math.max(0, x.needed),
    }))
    .filter((x) => !q.short || x.waitingDemand > 0 || x.available === 0);
}
