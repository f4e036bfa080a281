// Write-back benchmark (issue 16 item 5): N 出荷完了 per cart recorded in juchu (a `ship` action each,
// its delivery job enqueued after commit), then 4 `juchu worker` processes on the shipping queue
// deliver them to the carts' simulators, which enforce the carts' documented limits. Every worker
// takes its requests from the one limiter per store in Redis (and Shopify's cost points from the
// shop's bucket there), so together they must stay within the limit.
//
// Reported per cart: actions delivered and the time from the workers' start to the store's last
// action done; what the delivery sent (requests, or Shopify cost points); the ceiling the documented
// limit allows in that time (rate × time + burst); their ratio (the share of the limit the delivery
// used — equal to throughput ÷ the throughput the limit allows for the requests juchu's delivery
// needs per action); and the simulator's count of requests over its limit (429s from its bucket,
// THROTTLED answers from Shopify's cost bucket). The orders are imported first with the limits off
// (the import is not measured here).
import { sql } from 'kysely';
import { RAKUTEN_LIMITS } from '../carts/rakuten/client.js';
import { GRAPHQL_PLAN_LIMITS } from '../carts/shopify/constants.js';
import type { ShopifySimulator } from '../carts/shopify/simulator.js';
import type { CartName } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import {
  type BenchServices,
  type BenchStore,
  enqueueImports,
  openQueues,
  seedStores,
  sleep,
  startStores,
  stopStores,
  WorkerPool,
  waitForImports,
  workerEnv,
} from './harness.js';

export interface WritebackOptions {
  /** Orders per cart's simulator (the ship actions are those of them open and ready to ship). */
  ordersPerCart: number;
  carts?: CartName[];
  workers?: number;
  concurrency?: number;
  seed?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface WritebackCartFigure {
  cart: CartName;
  store: string;
  actions: number;
  done: number;
  ms: number;
  /** What the delivery sent: requests (Rakuten), cost points (Shopify GraphQL). */
  used: number;
  unit: string;
  ceiling: number;
  ratio: number;
  violations: number;
  requests: Record<string, number>;
}

const total = (byRoute: Record<string, number>) => Object.values(byRoute).reduce((a, b) => a + b, 0);

async function faults(url: string, body: Record<string, unknown>) {
  await fetch(`${url}/__sim/faults`, { method: 'POST', body: JSON.stringify(body) });
}

export async function writebackBench(
  services: BenchServices,
  opts: WritebackOptions,
): Promise<{ figures: WritebackCartFigure[]; lines: string[] }> {
  const log = opts.log ?? (() => undefined);
  const carts = opts.carts ?? (['rakuten', 'shopify'] as CartName[]);
  const bench = await services.database('bench_writeback');
  let stores: BenchStore[] = [];
  let pool: WorkerPool | null = null;
  let handle: Awaited<ReturnType<typeof openQueues>> | null = null;
  try {
    stores = await startStores(opts.ordersPerCart * carts.length, {
      stores: carts.length,
      carts,
      seed: opts.seed,
      prefix: 'wb',
      rateLimits: true,
    });
    for (const s of stores) await faults(s.sim.url, { limitsOff: true });
    await seedStores(bench.db, stores, 'ample');
    // Rakuten: poll the async result as often as its limit allows (1 request a second), not every 10 s.
    await sql`UPDATE stores SET settings = settings || '{"asyncPollMs": 1000}'::jsonb WHERE cart = 'rakuten'`.execute(
      bench.db,
    );
    handle = await openQueues(services.redisUrl, bench.url);
    const { queues } = handle;
    const env = workerEnv({
      databaseUrl: bench.url,
      redisUrl: services.redisUrl,
      prefix: handle.prefix,
      concurrency: opts.concurrency ?? 4,
    });
    const importPool = new WorkerPool(env, ['--queues', 'import,stock']);
    try {
      await importPool.startMany(1, queues);
      await waitForImports(queues, await enqueueImports(queues, stores), opts.timeoutMs ?? 600_000);
    } finally {
      await importPool.stopAll();
    }
    // The change: 出荷指示 and 出荷完了 for every one-package order ready to ship and open at its cart.
    const byCode = new Map(stores.map((s) => [s.code, s]));
    const ready = await bench.db
      .selectFrom('orders as o')
      .innerJoin('stores as s', 's.id', 'o.store_id')
      .select(['o.id', 'o.cart_order_no', 's.code'])
      .where('o.status_code', '=', S.readyToShip)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('order_lines as l')
              .select('l.id')
              .whereRef('l.order_id', '=', 'o.id')
              .where('l.package_no', '>', 1),
          ),
        ),
      )
      .orderBy('o.id')
      .execute();
    const open = ready.filter((o) => {
      const store = byCode.get(o.code);
      const state = store?.sim.book.find(o.cart_order_no)?.state;
      return store?.cart === 'rakuten' ? state === 'paid' : state === 'new' || state === 'paid';
    });
    const use = depsOf(bench.db);
    for (let i = 0; i < open.length; i += 200)
      await shippingInstruction(use, { orderIds: open.slice(i, i + 200).map((o) => o.id), actor: 'bench' });
    for (const o of open)
      await confirmShipment(
        { ...use, queues },
        {
          orderId: o.id,
          trackingNumber: `6${String(o.id).padStart(11, '0')}`,
          carrier: 'yamato',
          actor: 'bench',
        },
      );
    log(`  ${open.length} ship actions recorded over ${stores.length} stores; limits on`);

    // Delivery with the limits enforced, from the first request on.
    const before = new Map<string, { byRoute: Record<string, number>; charged: number; throttled: number }>();
    for (const s of stores) {
      await faults(s.sim.url, { limitsOff: false });
      const shop = s.cart === 'shopify' ? (s.sim as unknown as ShopifySimulator) : null;
      before.set(s.code, {
        byRoute: { ...s.sim.stats.byRoute },
        charged: shop?.cost.charged ?? 0,
        throttled: shop?.cost.bucket?.throttled ?? 0,
      });
      s.sim.stats.limitViolations = 0;
    }
    pool = new WorkerPool(env, ['--queues', 'shipping']);
    const workers = opts.workers ?? 4;
    // From the first start: a worker that is up delivers while the others still boot.
    const t0 = new Date();
    for (let i = 0; i < workers; i++) pool.start();
    while ((await queues.shipping.getWorkers()).length < workers) await sleep(100);
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    for (;;) {
      const r = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM cart_actions WHERE kind = 'ship' AND state IN ('pending', 'delivering')`.execute(
        bench.db,
      );
      if (r.rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`write-back: ${r.rows[0]!.n} actions not delivered in time`);
      await sleep(200);
    }
    const rows = await sql<{ code: string; actions: number; done: number; last: Date | null }>`
      SELECT s.code, count(*)::int AS actions, count(*) FILTER (WHERE a.state = 'done')::int AS done,
             max(a.done_at) AS last
      FROM cart_actions a JOIN stores s ON s.id = a.store_id WHERE a.kind = 'ship' GROUP BY s.code`.execute(
      bench.db,
    );
    const figures: WritebackCartFigure[] = [];
    for (const row of rows.rows) {
      const s = byCode.get(row.code)!;
      const b = before.get(row.code)!;
      const requests: Record<string, number> = {};
      for (const [k, v] of Object.entries(s.sim.stats.byRoute)) {
        const d = v - (b.byRoute[k] ?? 0);
        if (d > 0) requests[k] = d;
      }
      const ms = Math.max(1, (row.last?.getTime() ?? t0.getTime()) - t0.getTime());
      const secs = ms / 1000;
      let used: number;
      let ceiling: number;
      let unit: string;
      let violations = s.sim.stats.limitViolations;
      if (s.cart === 'shopify') {
        const shop = s.sim as unknown as ShopifySimulator;
        const plan = GRAPHQL_PLAN_LIMITS.standard;
        used = shop.cost.charged - b.charged;
        ceiling = plan.restoreRate * secs + plan.bucketSize;
        unit = 'cost points';
        violations += (shop.cost.bucket?.throttled ?? 0) - b.throttled;
      } else {
        const spec = RAKUTEN_LIMITS['*']!;
        used = total(requests);
        ceiling = spec.ratePerSec * secs + spec.burst;
        unit = 'requests';
      }
      figures.push({
        cart: s.cart,
        store: row.code,
        actions: row.actions,
        done: row.done,
        ms,
        used,
        unit,
        ceiling,
        ratio: used / ceiling,
        violations,
        requests,
      });
    }
    const lines = figures.map(
      (f) =>
        `| ${f.cart} | ${f.done} / ${f.actions} | ${(f.ms / 1000).toFixed(1)} s (${(f.done / (f.ms / 1000)).toFixed(1)}/s) | ${Math.round(f.used)} ${f.unit} (${Object.entries(
          f.requests,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}) | ${Math.round(f.ceiling)} | **${f.ratio.toFixed(2)}** | ≥ 0.9 | ${f.violations} | 0 |`,
    );
    return {
      figures,
      lines: [
        '| cart | done / actions | time (actions/s) | sent during delivery | ceiling (rate × time + burst) | sent ÷ ceiling | goal | limit violations | goal |',
        '|---|---:|---:|---|---:|---:|---|---:|---|',
        ...lines,
      ],
    };
  } finally {
    await pool?.stopAll(5000).catch(() => undefined);
    await handle?.queues.shipping.obliterate({ force: true }).catch(() => undefined);
    await handle?.queues.import.obliterate({ force: true }).catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await stopStores(stores);
    await bench.drop().catch(() => undefined);
  }
}
