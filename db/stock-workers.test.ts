// Issue 5's load test: 4 worker processes reserving 10,000 order lines over scarce stock at once —
// allocation runs in random product order, stock arrivals, imports, cancels, shipments and releases
// interleaved — then: never oversold, reserved = Σ reservations, oldest orders served first, stock
// conserved (received − shipped), a disabled warehouse untouched.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S } from '../domain/statuses.js';
import { childEnv, createTestDb, type TestDb, uniquePrefix } from '../test/harness.js';
import { seededRandom } from '../test/order-builder.js';
import { createShop, expectStockHealthy, oldestFirstViolations } from '../test/stock-fixtures.js';
import type { WorkerPlan, WorkerReport } from '../test/stock-worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKERS = 4;
const PRODUCTS = Array.from({ length: 40 }, (_, i) => `W${String(i).padStart(3, '0')}`);
const SEEDED_ORDERS = 2400; // × 4 lines = 9,600 lines, plus 4 × 25 imported orders × 4 lines = 10,000
const IMPORTED_PER_WORKER = 25;
const LINES_PER_ORDER = 4;

function runWorker(t: TestDb, plan: WorkerPlan): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/stock-worker.ts')], {
      cwd: ROOT,
      env: childEnv(t.url, uniquePrefix('stockw'), { STOCK_WORKER_PLAN: JSON.stringify(plan) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${plan.index} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as WorkerReport);
    });
  });
}

describe('4 worker processes reserving 10,000 lines over scarce stock', () => {
  let t: TestDb;
  const initial = new Map<string, number>();
  let plans: WorkerPlan[] = [];
  let lateStoreId = 0;

  beforeAll(async () => {
    t = await createTestDb('stockw');
    const db = t.db;
    const rand = seededRandom(20261126);
    await db
      .insertInto('warehouses')
      .values([
        { code: 'tokyo', name: '東京', priority: 1 },
        { code: 'osaka', name: '大阪', priority: 2 },
        { code: 'nagoya', name: '名古屋（停止中）', priority: 0, enabled: false },
      ])
      .execute();
    await db
      .insertInto('products')
      .values(PRODUCTS.map((code) => ({ code, name: `商品 ${code}`, tax_rate: 10 as const })))
      .execute();
    const atImport = await createShop(db, 'w-import');
    const atFulfillment = await createShop(db, 'w-late', { reservationTiming: 'fulfillment' });
    lateStoreId = atFulfillment.id;

    // Orders inserted in random order (so 受注No does not follow order time), with ties in time.
    const base = Date.UTC(2026, 10, 1);
    const orders = Array.from({ length: SEEDED_ORDERS }, (_, i) => {
      const r = rand();
      return {
        store_id: rand() < 0.7 ? atImport.id : atFulfillment.id,
        cart_order_no: `seed-${i}`,
        status_code: r < 0.8 ? S.waiting : r < 0.9 ? S.customerComment : S.awaitingPayment,
        ordered_at: new Date(base + Math.floor(rand() * 1500) * 60_000),
        cart_status: '300',
        payload_hash: `h${i}`,
        content_hash: `h${i}`,
        raw_payload: '{}',
        currency: 'JPY',
      };
    });
    const ids: number[] = [];
    for (let i = 0; i < orders.length; i += 600) {
      const rows = await db
        .insertInto('orders')
        .values(orders.slice(i, i + 600))
        .returning('id')
        .execute();
      ids.push(...rows.map((r) => r.id));
    }
    const demand = new Map<string, number>();
    const lines = ids.flatMap((orderId) =>
      [...PRODUCTS]
        .sort(() => rand() - 0.5)
        .slice(0, LINES_PER_ORDER)
        .map((product, k) => {
          const quantity = 1 + Math.floor(rand() * 3);
          const units = rand() < 0.1 ? 2 : 1; // a set: two units per cart unit
          demand.set(product, (demand.get(product) ?? 0) + quantity * units);
          return {
            order_id: orderId,
            line_no: k + 1,
            package_no: 1,
            cart_product_code: product,
            product_code: product,
            units_per_cart_unit: units,
            name: `商品 ${product}`,
            quantity,
            unit_price: 1000,
            tax_included: true,
          };
        }),
    );
    for (let i = 0; i < lines.length; i += 2000)
      await db
        .insertInto('order_lines')
        .values(lines.slice(i, i + 2000))
        .execute();
    // Scarce: a third of what the seeded orders want, split over two warehouses; plenty in the
    // disabled one, which must never be touched.
    const stock = PRODUCTS.flatMap((p) => {
      const d = demand.get(p) ?? 0;
      initial.set(p, Math.floor(d * 0.25) + Math.floor(d * 0.1));
      return [
        { product_code: p, warehouse_code: 'tokyo', on_hand: Math.floor(d * 0.25) },
        { product_code: p, warehouse_code: 'osaka', on_hand: Math.floor(d * 0.1) },
        { product_code: p, warehouse_code: 'nagoya', on_hand: 1000 },
      ];
    });
    await db.insertInto('stock_levels').values(stock).execute();
    // Fresh statistics after the bulk load, as autovacuum would have them by now in a running shop.
    await sql`ANALYZE`.execute(db);

    // Each worker owns some orders to cancel, ship and release (oldest ones: likely held soon).
    const importStoreOldest = ids
      .map((id, i) => ({ id, o: orders[i]! }))
      .filter((x) => x.o.store_id === atImport.id && x.o.status_code === S.waiting)
      .sort((a, b) => a.o.ordered_at.getTime() - b.o.ordered_at.getTime())
      .map((x) => x.id);
    const youngest = base + 1500 * 60_000;
    plans = Array.from({ length: WORKERS }, (_, w) => {
      const mine = importStoreOldest.filter((_, i) => i % WORKERS === w);
      return {
        index: w,
        products: PRODUCTS,
        rounds: 3,
        ship: mine.slice(0, 12),
        release: mine.slice(12, 20),
        cancel: mine.slice(20, 30).concat(mine.slice(200, 205)),
        storeCode: 'w-import',
        imports: Array.from({ length: IMPORTED_PER_WORKER }, (_, k) => ({
          cartOrderNo: `imp-${w}-${k}`,
          orderedAt: new Date(youngest + (k * WORKERS + w + 1) * 60_000).toISOString(),
          lines: [...PRODUCTS]
            .sort(() => rand() - 0.5)
            .slice(0, LINES_PER_ORDER)
            .map((p) => [p, 1 + Math.floor(rand() * 2)] as [string, number]),
        })),
      };
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('never oversold, reserved = Σ reservations, oldest first, stock conserved', {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    const reports = await Promise.all(plans.map((p) => runWorker(t, p)));
    const seconds = (Date.now() - started) / 1000;

    const lineCount = await sql<{ n: number }>`SELECT count(*)::int AS n FROM order_lines`.execute(t.db);
    expect(lineCount.rows[0]!.n).toBe(10_000);
    expect(reports.reduce((n, r) => n + r.imported, 0)).toBe(WORKERS * IMPORTED_PER_WORKER);
    const reserved = reports.reduce((n, r) => n + r.reserved, 0);
    expect(reserved).toBeGreaterThan(1000);
    expect(reports.reduce((n, r) => n + r.cancelled, 0)).toBeGreaterThan(0);
    const shippedOrders = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM orders WHERE status_code = 'shipped'`.execute(t.db);
    expect(shippedOrders.rows[0]!.n).toBeGreaterThan(0);

    // Never oversold; reserved = Σ reservations; nothing held by cancelled/shipped orders; oldest first.
    await expectStockHealthy(t.db);
    expect(await oldestFirstViolations(t.db)).toEqual([]);

    // The disabled warehouse was never used; a store reserving at fulfillment holds nothing in review.
    const nagoya = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM stock_levels WHERE warehouse_code = 'nagoya' AND (reserved <> 0 OR on_hand <> 1000)`.execute(
      t.db,
    );
    expect(nagoya.rows[0]!.n).toBe(0);
    const lateReview = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM reservations r JOIN orders o ON o.id = r.order_id
      WHERE o.store_id = ${lateStoreId} AND o.status_code IN ('customer_comment', 'awaiting_payment')`.execute(
      t.db,
    );
    expect(lateReview.rows[0]!.n).toBe(0);

    // Conservation per product: on hand = initial + received − shipped.
    const received = new Map<string, number>();
    const shipped = new Map<string, number>();
    for (const r of reports) {
      for (const [p, n] of Object.entries(r.received)) received.set(p, (received.get(p) ?? 0) + n);
      for (const [p, n] of Object.entries(r.shipped)) shipped.set(p, (shipped.get(p) ?? 0) + n);
    }
    const onHand = await t.db
      .selectFrom('stock_levels')
      .select(['product_code'])
      .select((eb) => eb.fn.sum<number>('on_hand').as('n'))
      .where('warehouse_code', '<>', 'nagoya')
      .groupBy('product_code')
      .execute();
    for (const r of onHand)
      expect(Number(r.n), r.product_code).toBe(
        initial.get(r.product_code)! +
          (received.get(r.product_code) ?? 0) -
          (shipped.get(r.product_code) ?? 0),
      );
    const dl = await sql<{ n: number }>`
      SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`.execute(t.db);
    console.log(
      `4 workers, 10,000 lines: ${seconds.toFixed(1)}s, ${reports.reduce((n, r) => n + r.allocations, 0)} allocation runs, ${reserved} units reserved, ${shippedOrders.rows[0]!.n} orders shipped, ${dl.rows[0]!.n} deadlocks (retried)`,
    );
  });
});
