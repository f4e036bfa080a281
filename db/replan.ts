// What a full re-plan of held stock reads (usecases/replan-allocation.ts): the open lines of every
// order that may hold stock and has no shipping instruction yet (nor an allocation on hold: see
// holdingOrder), oldest first across stores (the allocation's own order: ordered_at, 受注No, line),
// each with the warehouses its store ships from, and per product the units those lines may share.
// Lines of a set (セット商品) hold their components, whole sets at a time: the re-plan leaves them
// to the allocation as they are.
import { sql } from 'kysely';
import { formatOrderNo } from '../domain/order.js';
import type { PoolStock, ReplanLine } from '../domain/replan.js';
import type { Db } from './db.js';
import { holdingOrder } from './stock.js';
import { storeWarehouseMap } from './warehouses.js';

export interface ReplanCandidate extends ReplanLine {
  orderNo: string;
  store: string;
  cartOrderNo: string;
  orderedAt: Date;
}

export async function replanCandidates(
  db: Db,
  productCode?: string,
): Promise<{ lines: ReplanCandidate[]; pool: Map<string, PoolStock[]> }> {
  const r = await sql<{
    line_id: number;
    order_id: number;
    store_id: number;
    order_seq: number;
    store: string;
    cart_order_no: string;
    ordered_at: Date;
    product_code: string;
    needed: number;
    held: number;
  }>`
    SELECT l.id AS line_id, o.id AS order_id, o.store_id, o.order_seq, st.code AS store, o.cart_order_no, o.ordered_at,
           l.product_code, (l.quantity * l.units_per_cart_unit)::int AS needed,
           COALESCE((SELECT SUM(r.quantity) FROM reservations r JOIN warehouses w ON w.code = r.warehouse_code
                      WHERE r.order_line_id = l.id AND w.enabled), 0)::int AS held
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    JOIN stores st ON st.id = o.store_id
    JOIN statuses s ON s.code = o.status_code
    WHERE l.open AND l.product_code IS NOT NULL AND o.shipping_instructed_at IS NULL
      AND ${holdingOrder()}
      AND NOT EXISTS (SELECT 1 FROM product_components pc WHERE pc.set_code = l.product_code)
      ${productCode ? sql`AND l.product_code = ${productCode}` : sql``}
    ORDER BY o.ordered_at, o.order_seq, l.line_no`.execute(db);
  const shipsFrom = await storeWarehouseMap(db, [...new Set(r.rows.map((x) => x.store_id))]);
  const lines = r.rows.map((x) => ({
    lineId: x.line_id,
    orderId: x.order_id,
    orderNo: formatOrderNo(x.order_seq),
    store: x.store,
    cartOrderNo: x.cart_order_no,
    orderedAt: x.ordered_at,
    productCode: x.product_code,
    needed: x.needed,
    held: x.held,
    warehouses: shipsFrom.has(x.store_id) ? [...shipsFrom.get(x.store_id)!] : null,
  }));
  const products = [...new Set(lines.map((l) => l.productCode))];
  const pool = new Map<string, PoolStock[]>(products.map((p) => [p, []]));
  if (products.length) {
    // Per warehouse that may give stock: what is free, plus what the re-planned lines hold there.
    const rows = await sql<{ product_code: string; warehouse_code: string; priority: number; units: number }>`
      SELECT s.product_code, s.warehouse_code, w.priority,
             (GREATEST(s.on_hand - s.reserved, 0) + COALESCE(h.held, 0))::int AS units
      FROM stock_levels s JOIN warehouses w ON w.code = s.warehouse_code
      LEFT JOIN (
        SELECT r.product_code, r.warehouse_code, SUM(r.quantity) AS held FROM reservations r
        WHERE r.order_line_id = ANY(${lines.map((l) => l.lineId)}::bigint[]) GROUP BY 1, 2
      ) h ON h.product_code = s.product_code AND h.warehouse_code = s.warehouse_code
      WHERE w.enabled AND s.product_code = ANY(${products}::text[])`.execute(db);
    for (const r of rows.rows)
      pool.get(r.product_code)!.push({ warehouse: r.warehouse_code, priority: r.priority, units: r.units });
  }
  return { lines, pool };
}
