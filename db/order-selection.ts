// Which orders an operation applies to: the searches behind 出荷指示, 受注在庫予約解除 and the stock
// sweeps. Read-only repository functions; the operations lock each order themselves.
import { sql } from 'kysely';
import { S } from '../domain/statuses.js';
import type { Db } from './db.js';
import { holdingOrder } from './stock.js';

/** Ready orders (新規受付分の出荷 / 在庫確認後の出荷) for a shipping instruction, oldest first. */
export async function readyOrderIds(
  db: Db,
  select: { orderIds?: readonly number[]; storeCodes?: readonly string[] },
): Promise<number[]> {
  return (await readyOrders(db, select)).map((r) => r.id);
}

/** The same, with the cart and its status (whether the cart released each one for shipping). */
export async function readyOrders(
  db: Db,
  select: { orderIds?: readonly number[]; storeCodes?: readonly string[] },
): Promise<Array<{ id: number; orderSeq: number; status: string; cart: string; cartStatus: string }>> {
  let q = db
    .selectFrom('orders as o')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select([
      'o.id',
      'o.order_seq as orderSeq',
      'o.status_code as status',
      's.cart',
      'o.cart_status as cartStatus',
    ])
    .where('o.status_code', 'in', [S.readyToShip, S.readyAfterStock]);
  if (select.orderIds) q = q.where('o.id', 'in', select.orderIds.length ? [...select.orderIds] : [-1]);
  if (select.storeCodes)
    q = q.where('s.code', 'in', select.storeCodes.length ? [...select.storeCodes] : ['']);
  return q.orderBy('o.ordered_at').execute();
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

/** Orders in 在庫なし / 納期指定あり (all, or those with a line of these products). */
export async function waitingOrderIds(db: Db, productCodes?: readonly string[]): Promise<number[]> {
  if (productCodes && productCodes.length === 0) return [];
  let q = db.selectFrom('orders as o').select('o.id').distinct().where('o.status_code', '=', S.waiting);
  if (productCodes)
    q = q
      .innerJoin('order_lines as l', 'l.order_id', 'o.id')
      .where('l.product_code', 'in', [...productCodes]);
  return (await q.execute()).map((r) => r.id);
}

/**
 * Products with lines waiting for stock in orders that may hold it, and free stock to give them
 * (the allocation sweep's work list). "May hold" is the one definition, domain/stock-holding.ts.
 */
export async function productsWithShortfall(db: Db): Promise<string[]> {
  const r = await sql<{ product_code: string }>`
    SELECT DISTINCT l.product_code FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    JOIN stores st ON st.id = o.store_id
    JOIN statuses s ON s.code = o.status_code
    WHERE l.product_code IS NOT NULL AND l.open AND l.waiting_units > 0
      AND o.shipping_instructed_at IS NULL
      AND ${holdingOrder()}
      AND EXISTS (SELECT 1 FROM stock_levels sl JOIN warehouses w ON w.code = sl.warehouse_code
                  WHERE sl.product_code = l.product_code AND w.enabled AND sl.on_hand > sl.reserved
                    -- a warehouse the order's store ships from (none assigned: every one)
                    AND (NOT EXISTS (SELECT 1 FROM store_warehouses sw WHERE sw.store_id = o.store_id)
                         OR EXISTS (SELECT 1 FROM store_warehouses sw
                                    WHERE sw.store_id = o.store_id AND sw.warehouse_code = w.code)))`.execute(
    db,
  );
  return r.rows.map((x) => x.product_code);
}

/** The product codes on these orders' lines (unknown products left out). */
export async function productCodesOfOrders(db: Db, orderIds: readonly number[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await db
    .selectFrom('order_lines')
    .select('product_code')
    .distinct()
    .where('order_id', 'in', [...orderIds])
    .where('product_code', 'is not', null)
    .execute();
  return rows.map((r) => r.product_code!);
}
