// Fixtures for the stock and shipping-stage tests: a shop with two warehouses, a few products with
// the stock each test asks for, hand-built cart orders imported through the real import path
// (importPage with a pass-through adapter), and the invariants every such test ends with.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Db } from '../db/db.js';
import { type Store, upsertStore } from '../db/stores.js';
import type { PageCounts } from '../domain/import-counts.js';
import type { CartName, CartOrder } from '../domain/order.js';
import { depsOf, type UseCaseDeps } from '../usecases/deps.js';
import { importPage } from '../usecases/import-page.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from './harness.js';
import { passThroughAdapter } from './order-builder.js';
import { expectStockInvariants } from './pipeline.js';

export { cartOrder, type OrderSpec } from './order-builder.js';

export const WAREHOUSES = [
  { code: 'tokyo', name: '東京倉庫', priority: 1 },
  { code: 'osaka', name: '大阪倉庫', priority: 2 },
] as const;

/** Products and their stock: code → on hand per warehouse. */
export type StockPlan = Record<string, { tokyo?: number; osaka?: number; needsCheck?: boolean }>;

export async function seedWarehouses(db: Db): Promise<void> {
  await db
    .insertInto('warehouses')
    .values([...WAREHOUSES])
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function seedStock(db: Db, plan: StockPlan): Promise<void> {
  await seedWarehouses(db);
  for (const [code, p] of Object.entries(plan)) {
    await db
      .insertInto('products')
      .values({ code, name: `商品 ${code}`, tax_rate: 10, needs_check: p.needsCheck ?? false })
      .onConflict((oc) => oc.doNothing())
      .execute();
    for (const w of WAREHOUSES)
      await sql`INSERT INTO stock_levels (product_code, warehouse_code, on_hand)
                VALUES (${code}, ${w.code}, ${p[w.code] ?? 0})
                ON CONFLICT (product_code, warehouse_code) DO UPDATE SET on_hand = EXCLUDED.on_hand`.execute(
        db,
      );
  }
}

/** The clock of the stock tests, and an order time `minute` minutes into 2026-12-01 (UTC). */
export const NOW = new Date('2026-12-02T03:00:00Z');
export const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();

export interface StockWorld<K extends string> {
  /** Set once the file's beforeAll ran. */
  t: TestDb;
  db: Db;
  /** The shops asked for, by the key they were asked under. */
  shops: Record<K, Store>;
  /** Use-case deps with the clock at NOW. */
  ops(): UseCaseDeps;
}

/**
 * The setup every stock test file repeats: a private database, these shops (key → store code) and
 * this stock, made before the file's tests and dropped after them. Call it inside the file's describe.
 */
export function stockWorld<K extends string>(
  name: string,
  shops: Record<K, string>,
  stock: StockPlan = {},
): StockWorld<K> {
  const w = { shops: {} as Record<K, Store> } as StockWorld<K>;
  w.ops = () => depsOf(w.db, NOW);
  beforeAll(async () => {
    w.t = await createTestDb(name);
    w.db = w.t.db;
    for (const [key, code] of Object.entries(shops) as Array<[K, string]>)
      w.shops[key] = await createShop(w.db, code);
    if (Object.keys(stock).length) await seedStock(w.db, stock);
  });
  afterAll(async () => {
    await w.t?.drop();
  });
  return w;
}

export async function createShop(
  db: Db,
  code = 'shop-a',
  settings: Record<string, unknown> = {},
  cart: CartName = 'rakuten',
): Promise<Store> {
  return upsertStore(db, { code, cart, name: `店舗 ${code}`, settings }, TEST_SECRET_KEY);
}

/** Imports orders through the real page pipeline (persist, reserve after commit, settle statuses). */
export async function importOrders(
  db: Db,
  store: Store,
  orders: readonly CartOrder[],
  now = new Date(),
): Promise<PageCounts> {
  return importPage(
    depsOf(db, now),
    store,
    passThroughAdapter,
    orders.map((o) => ({ cartOrderNo: o.cartOrderNo, payload: o })),
    { runId: null, actor: 'import' },
  );
}

export interface OrderView {
  id: number;
  orderNo: string;
  status: string;
  reason: string | null;
  instructed: boolean;
  needsAttention: boolean;
  /** Units held per line (line order). */
  held: number[];
}

export async function orderView(db: Db, storeId: number, cartOrderNo: string): Promise<OrderView> {
  const o = await db
    .selectFrom('orders')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('cart_order_no', '=', cartOrderNo)
    .executeTakeFirstOrThrow();
  const lines = await sql<{ held: number }>`
    SELECT COALESCE((SELECT SUM(quantity) FROM reservations r WHERE r.order_line_id = l.id), 0)::int AS held
    FROM order_lines l WHERE l.order_id = ${o.id} ORDER BY l.line_no`.execute(db);
  return {
    id: o.id,
    orderNo: String(o.order_seq).padStart(8, '0'),
    status: o.status_code,
    reason: o.status_reason,
    instructed: o.shipping_instructed_at !== null,
    needsAttention: o.needs_attention,
    held: lines.rows.map((l) => l.held),
  };
}

export async function stockOf(
  db: Db,
  product: string,
): Promise<Record<string, { onHand: number; reserved: number }>> {
  const rows = await db
    .selectFrom('stock_levels')
    .select(['warehouse_code', 'on_hand', 'reserved'])
    .where('product_code', '=', product)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.warehouse_code, { onHand: r.on_hand, reserved: r.reserved }]));
}

/**
 * Orders that compete for stock: not yet handed to the warehouse, not being cancelled, in
 * fulfillment — or in review / payment when their store reserves at import.
 */
const COMPETING = `o.shipping_instructed_at IS NULL AND o.allocation_held_at IS NULL
  AND o.status_code NOT IN ('shipped', 'cancel_requested', 'cancelling', 'cancelled')
  AND ((SELECT "group" FROM statuses WHERE code = o.status_code) = 'fulfillment'
       OR (SELECT COALESCE(settings->>'reservationTiming', 'import') FROM stores WHERE id = o.store_id) = 'import')`;

/**
 * Oldest first, per product: no line holds stock while an older competing line of the same product is
 * short, and no competing line is short while the product has free stock.
 */
export async function oldestFirstViolations(db: Db): Promise<string[]> {
  const younger = await sql<{ product_code: string; older: number; younger: number }>`
    WITH l AS (
      SELECT l.id, l.product_code, o.ordered_at, o.order_seq, l.line_no,
             l.quantity * l.units_per_cart_unit * l.component_units AS needed,
             COALESCE((SELECT SUM(quantity) FROM reservations r WHERE r.order_line_id = l.id), 0) AS held
      FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE l.product_code IS NOT NULL AND ${sql.raw(COMPETING)}
    )
    SELECT a.product_code, a.order_seq AS older, b.order_seq AS younger
    FROM l a JOIN l b ON b.product_code = a.product_code
    WHERE a.held < a.needed AND b.held > 0
      AND (b.ordered_at, b.order_seq, b.line_no) > (a.ordered_at, a.order_seq, a.line_no)
    LIMIT 20`.execute(db);
  const idle = await sql<{ product_code: string; free: number }>`
    SELECT s.product_code, SUM(s.on_hand - s.reserved)::int AS free
    FROM stock_levels s JOIN warehouses w ON w.code = s.warehouse_code AND w.enabled
    WHERE EXISTS (
      SELECT 1 FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE l.product_code = s.product_code AND ${sql.raw(COMPETING)}
        AND l.quantity * l.units_per_cart_unit * l.component_units >
            COALESCE((SELECT SUM(quantity) FROM reservations r WHERE r.order_line_id = l.id), 0))
    GROUP BY 1 HAVING SUM(s.on_hand - s.reserved) > 0
    LIMIT 20`.execute(db);
  return [
    ...younger.rows.map(
      (r) => `${r.product_code}: order ${r.younger} holds stock while older order ${r.older} is short`,
    ),
    ...idle.rows.map((r) => `${r.product_code}: ${r.free} units free while a competing line is short`),
  ];
}

/**
 * セット商品 lines holding part of a set: every set line must hold whole sets — each component
 * exactly (sets held × its quantity), none alone. Returns the lines that do not (should be none).
 */
export async function halfHeldSetLines(db: Db): Promise<string[]> {
  const r = await sql<{
    id: number;
    product_code: string;
    component_code: string;
    held: number;
    want: number;
  }>`
    SELECT l.id, l.product_code, pc.component_code, COALESCE(r.q, 0)::int AS held,
           (l.reserved_quantity / l.component_units * pc.quantity)::int AS want
    FROM order_lines l
    JOIN product_components pc ON pc.set_code = l.product_code
    LEFT JOIN (SELECT order_line_id, product_code, SUM(quantity) AS q FROM reservations GROUP BY 1, 2) r
      ON r.order_line_id = l.id AND r.product_code = pc.component_code
    WHERE l.reserved_quantity % l.component_units <> 0
       OR COALESCE(r.q, 0) <> l.reserved_quantity / l.component_units * pc.quantity
    ORDER BY l.id LIMIT 20`.execute(db);
  return r.rows.map(
    (x) => `line ${x.id} (${x.product_code}): ${x.component_code} held ${x.held}, whole sets need ${x.want}`,
  );
}

/** Never oversold, reserved = Σ reservations, no line over-held, nothing held by finished orders. */
export async function expectStockHealthy(db: Db, opts: { oldestFirst?: boolean } = {}): Promise<void> {
  await expectStockInvariants(db);
  const finished = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM reservations r JOIN orders o ON o.id = r.order_id
    WHERE o.status_code IN ('shipped', 'cancelled')`.execute(db);
  expect(finished.rows[0]!.n, 'reservations held by shipped or cancelled orders').toBe(0);
  const shortInWarehouse = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.shipping_instructed_at IS NOT NULL AND o.status_code IN ('shipping', 'cancelling')
      AND l.product_code IS NOT NULL
      AND l.quantity * l.units_per_cart_unit * l.component_units >
          COALESCE((SELECT SUM(quantity) FROM reservations r WHERE r.order_line_id = l.id), 0)`.execute(db);
  expect(shortInWarehouse.rows[0]!.n, 'lines handed to the warehouse without their stock').toBe(0);
  expect(await halfHeldSetLines(db), 'set lines holding part of a set').toEqual([]);
  if (opts.oldestFirst !== false) expect(await oldestFirstViolations(db)).toEqual([]);
}
