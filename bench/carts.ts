// `npm run bench -- --carts` (or `npm run bench:carts`): how close each cart adapter comes to the
// best a catch-up can do within the cart's documented limits (issue 13 item 6).
//
// For each cart a 24-hour backlog of a busy store is imported by the real import use case (fetch,
// normalize, classify, persist, reserve) from the cart's simulator, which runs in a process of its
// own (bench/sim-process.ts) and enforces the cart's documented limits (requests per second and
// burst per operation; Shopify's GraphQL cost bucket). The adapter paces itself by the same limits.
//
// The ceiling is computed from what the import asked for: for each limited bucket, the requests
// beyond its burst at its rate (Shopify: the points charged beyond the bucket at the restore rate).
// A run can be no shorter than the slowest bucket, so `ceiling time ÷ measured time` is the share of
// the limit the adapter uses (goal ≥ 0.9). The requests per order are printed beside it: a low ratio
// of requests to orders (large pages) is the other half of a fast catch-up, and the cart READMEs
// compare it with the page sizes the cart allows.
//
// Carts whose documented rate would make a backlog take hours (Amazon's searchOrders: one call every
// 3 minutes after a burst of 20) run time-compressed: every rate × k on both ends, bursts unchanged.
// The ratio does not depend on k as long as a request's own latency stays well under the interval.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AMAZON_LIST_LAG_MS, AMAZON_RATE_LIMITS } from '../carts/amazon/constants.js';
import type { CartAdapter, RateLimits } from '../carts/contract.js';
import { MAKESHOP_NEXT_LIMITS } from '../carts/makeshop/settings.js';
import { RAKUTEN_LIMITS } from '../carts/rakuten/client.js';
import { cartModule } from '../carts/registry.js';
import { GRAPHQL_PLAN_LIMITS } from '../carts/shopify/constants.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { DEFAULT_LIMITS as YAHOO_LIMITS } from '../carts/yahoo/constants.js';
import { publicationTimeOf } from '../carts/yahoo/render.js';
import { getStore, type Store } from '../db/stores.js';
import type { CartName } from '../domain/order.js';
import { storeSettingsSchema } from '../domain/store-settings.js';
import { logger } from '../infra/logger.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { processImportStore } from '../jobs/import-store.js';
import { BENCH_KEY, openQueues, ROOT, seedStores, startBenchServices } from './harness.js';
import type { SimProcessSpec, SimProcessStats } from './sim-process.js';

const DAY = 86_400_000;
const f1 = (n: number) => n.toFixed(1);
const f3 = (n: number) => n.toFixed(3);

interface CartRun {
  cart: CartName;
  /** What the store speaks (its settings): the default API of each cart. */
  settings: Record<string, unknown>;
  orders: number;
  /** Time compression: every documented rate × k. */
  k: number;
  /** The cart's documented limits (client and simulator), before compression. */
  limits: RateLimits;
}

const shopifyPlan = GRAPHQL_PLAN_LIMITS.standard;

const RUNS: readonly CartRun[] = [
  { cart: 'rakuten', settings: {}, orders: 2000, k: 1, limits: RAKUTEN_LIMITS },
  { cart: 'yahoo', settings: { interactive: true }, orders: 600, k: 20, limits: YAHOO_LIMITS },
  { cart: 'amazon', settings: { ordersApi: '2026-01-01' }, orders: 4000, k: 100, limits: AMAZON_RATE_LIMITS },
  {
    cart: 'shopify',
    settings: { ordersApi: 'graphql' },
    orders: 600,
    k: 2,
    limits: { graphql: { ratePerSec: shopifyPlan.restoreRate, burst: shopifyPlan.bucketSize } },
  },
  // makeshop's pages hold 1,000 orders: slowed down (k < 1) so that the backlog takes longer than its burst.
  { cart: 'makeshop', settings: {}, orders: 3000, k: 0.1, limits: MAKESHOP_NEXT_LIMITS },
];

const scaled = (limits: RateLimits, k: number): RateLimits =>
  Object.fromEntries(Object.entries(limits).map(([op, l]) => [op, { ...l, ratePerSec: l.ratePerSec * k }]));

/** One simulator in its own process (bench/sim-process.ts), spoken to by JSON lines. */
async function startSim(spec: SimProcessSpec): Promise<{
  url: string;
  stats(): Promise<SimProcessStats>;
  stop(): Promise<void>;
}> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'sim-process.ts'), JSON.stringify(spec)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`the ${spec.cart} simulator process ended`);
    return JSON.parse(r.value) as unknown;
  };
  const { url } = (await next()) as { url: string };
  return {
    url,
    async stats() {
      child.stdin!.write(`${JSON.stringify({ stats: true })}\n`);
      return (await next()) as SimProcessStats;
    },
    async stop() {
      child.stdin!.write(`${JSON.stringify({ stop: true })}\n`);
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The shortest time the documented (compressed) limits allow for the requests the import made. */
function ceilingSeconds(run: CartRun, stats: SimProcessStats): { seconds: number; bucket: string } {
  const limits = scaled(run.limits, run.k);
  let best = { seconds: 0, bucket: '—' };
  const consider = (bucket: string, seconds: number) => {
    if (seconds > best.seconds) best = { seconds, bucket };
  };
  if (run.cart === 'shopify') {
    const l = limits.graphql!;
    consider('GraphQL cost', Math.max(0, (stats.costCharged ?? 0) - l.burst) / l.ratePerSec);
    return best;
  }
  const named = new Set(Object.keys(limits).filter((k) => k !== '*'));
  const star = limits['*'];
  let rest = 0;
  for (const [route, n] of Object.entries(stats.byRoute)) {
    const l = limits[route];
    if (named.has(route) && l) consider(route, Math.max(0, n - l.burst) / l.ratePerSec);
    else rest += n;
  }
  if (star) consider('every call', Math.max(0, rest - star.burst) / star.ratePerSec);
  return best;
}

interface CartFigure {
  cart: CartName;
  orders: number;
  imported: number;
  seconds: number;
  requests: number;
  ceiling: { seconds: number; bucket: string };
  k: number;
  sent429: number;
}

const MINUTE = 60_000;
// The default schedule of a store: import_cron's default, every 10 minutes (db/migrations, cli/stores-file.ts).
const SLOT_MS = 10 * MINUTE;

const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

interface FreshFigure {
  cart: CartName;
  orders: number;
  lagSec: number;
  /** Seconds from a slot's start to the last new order of that import stored (measured). */
  importSec: number;
  imported: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Freshness (`--only freshness`): placed at the cart → stored in juchu, with the default schedule
 * (an import every 10 minutes, windows ending `settleLagSeconds` = 120 s before now; Amazon lists
 * up to 2 min 5 s before now), at the documented rates (k = 1), for an hour of a busy store's orders
 * (the catch-up backlog's daily rate ÷ 24).
 *
 * An hour of wall time per cart is too long for this bench, so the hour is split in two: the wait
 * for the slot is computed per order from the cart's own times (placed, or published: Yahoo! holds
 * some orders for its checks) and the schedule — the first slot whose window end passes the time the
 * cart shows the order; and the import's own time is measured: one scheduled import of the last
 * slot (cursor where the previous slot left it, the overlap re-listed, the re-scans run) by the real
 * use case against the simulator, from its start to its last new order stored. Freshness of an order
 * = wait for its slot + that import time. Not included: the queue's own pickup delay (BullMQ, a
 * worker busy with another store).
 */
async function freshness(services: Awaited<ReturnType<typeof startBenchServices>>): Promise<FreshFigure[]> {
  const figures: FreshFigure[] = [];
  for (const run of RUNS) {
    const now = Date.now();
    const perHour = Math.ceil(run.orders / 24);
    // The simulator's clock is held back while the previous slot runs, then set to now.
    let holdBackMs = SLOT_MS;
    const sim = await cartSimulator(run.cart).start({
      orders: perHour,
      seed: 4343,
      from: new Date(now - 60 * MINUTE),
      to: new Date(now - 2 * MINUTE),
      clock: () => new Date(Date.now() - holdBackMs),
      limits: run.limits,
    });
    const bdb = await services.database(`fresh-${run.cart}`);
    const q = await openQueues(services.redisUrl, bdb.url);
    try {
      const code = `fresh-${run.cart}`;
      await seedStores(bdb.db, [{ code, cart: run.cart, sim: { url: sim.url } }]);
      const seeded = { ...(await getStore(bdb.db, code)).settings, ...run.settings } as Record<
        string,
        unknown
      >;
      delete seeded.settleLagSeconds; // the bench stores' 0; freshness uses the default
      await bdb.db
        .updateTable('stores')
        .set({ settings: JSON.stringify(seeded) })
        .where('code', '=', code)
        .execute();
      const mod = cartModule(run.cart);
      const deps = {
        db: bdb.db,
        config: q.config,
        queues: q.queues,
        log: logger,
        now: () => new Date(),
        processId: `bench-fresh-${process.pid}`,
        actionsFor: storeActionsFactory(bdb.db, BENCH_KEY),
        adapterFor: async (store: Store): Promise<CartAdapter> =>
          mod.createAdapter({
            storeCode: store.code,
            baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
            credentials: mod.demoCredentials,
            settings: store.settings,
            // The cart's clock (Amazon lists up to 2 minutes before it).
            now: () => new Date(Date.now() - holdBackMs),
          }),
      };
      // The slots before: everything the cart showed until 10 minutes ago is in.
      const before = await processImportStore({ storeCode: code, trigger: 'manual' }, null, undefined, deps);
      if (before.outcome !== 'succeeded') throw new Error(`${run.cart}: import ${before.outcome}`);
      const known = new Set(
        (await bdb.db.selectFrom('orders').select('cart_order_no').execute()).map((r) => r.cart_order_no),
      );
      // The last slot, at the documented rates.
      holdBackMs = 0;
      const t0 = new Date();
      const r = await processImportStore({ storeCode: code, trigger: 'manual' }, null, undefined, deps);
      if (r.outcome !== 'succeeded') throw new Error(`${run.cart}: import ${r.outcome} ${r.reason ?? ''}`);
      const stored = (
        await bdb.db.selectFrom('orders').select(['cart_order_no', 'created_at']).execute()
      ).filter((o) => !known.has(o.cart_order_no));
      const importSec = Math.max(
        0,
        ...stored.map((o) => (new Date(o.created_at).getTime() - t0.getTime()) / 1000),
      );
      const settle = storeSettingsSchema.parse({}).settleLagSeconds * 1000;
      const lag = run.cart === 'amazon' ? Math.max(settle, AMAZON_LIST_LAG_MS + 5_000) : settle;
      const delays = sim.book.visible().map((v) => {
        const shown = run.cart === 'yahoo' ? publicationTimeOf(v) : v.orderedAt;
        const slot = Math.ceil((shown.getTime() + lag) / SLOT_MS) * SLOT_MS;
        return (slot - v.orderedAt.getTime()) / 1000 + importSec;
      });
      const imported = Number(
        (
          await bdb.db
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      figures.push({
        cart: run.cart,
        orders: delays.length,
        lagSec: lag / 1000,
        importSec,
        imported,
        p50: quantile(delays, 0.5),
        p99: quantile(delays, 0.99),
        max: Math.max(...delays),
      });
      console.log(
        `${run.cart}: ${delays.length} orders in the hour, ${stored.length} new in the last slot stored within ${f1(importSec)} s of its start`,
      );
    } finally {
      await q.close();
      await sim.stop();
      await bdb.drop();
    }
  }
  return figures;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { only: { type: 'string' }, carts: { type: 'boolean' }, quick: { type: 'boolean' } },
    allowPositionals: true,
  });
  const only = args.only ? new Set(args.only.split(',')) : null;
  if (only?.has('freshness')) {
    logger.level = 'warn';
    const services = await startBenchServices();
    const load0 = os.loadavg()[0]!;
    let figures: FreshFigure[];
    try {
      figures = await freshness(services);
    } finally {
      await services.stop();
    }
    const mm = (sec: number) =>
      `${Math.floor(sec / 60)} min ${String(Math.round(sec % 60)).padStart(2, '0')} s`;
    console.log('');
    console.log(
      `Freshness, default schedule (load ${f1(load0)} → ${f1(os.loadavg()[0]!)}, ${os.cpus().length} CPUs)`,
    );
    console.log('');
    console.log(
      '| cart | orders in the hour | window ends before now | last slot: import time | p50 | p99 | max |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const f of figures)
      console.log(
        `| ${f.cart} | ${f.orders} | ${f.lagSec} s | ${f1(f.importSec)} s | ${mm(f.p50)} | ${mm(f.p99)} | ${mm(f.max)} |`,
      );
    return;
  }
  const runs = RUNS.filter((r) => !only || only.has(r.cart)).map((r) =>
    args.quick ? { ...r, orders: Math.ceil(r.orders / 4) } : r,
  );
  logger.level = 'warn';
  const services = await startBenchServices();
  const figures: CartFigure[] = [];
  const load0 = os.loadavg()[0]!;
  try {
    for (const run of runs) {
      const now = Date.now();
      const limits = scaled(run.limits, run.k);
      const sim = await startSim({
        cart: run.cart,
        orders: run.orders,
        seed: 4242,
        fromMs: now - DAY,
        toMs: now - 10 * 60_000,
        clock: { kind: 'offset', ms: 0 },
        limits,
      });
      const bdb = await services.database(`carts-${run.cart}`);
      const q = await openQueues(services.redisUrl, bdb.url);
      try {
        const code = `catchup-${run.cart}`;
        await seedStores(bdb.db, [{ code, cart: run.cart, sim: { url: sim.url } }]);
        await bdb.db
          .updateTable('stores')
          .set({ settings: JSON.stringify({ ...(await getStore(bdb.db, code)).settings, ...run.settings }) })
          .where('code', '=', code)
          .execute();
        const mod = cartModule(run.cart);
        const deps = {
          db: bdb.db,
          config: q.config,
          queues: q.queues,
          log: logger,
          now: () => new Date(),
          processId: `bench-carts-${process.pid}`,
          // Nothing is written to the carts here: an import records no cart action that needs one.
          actionsFor: storeActionsFactory(bdb.db, BENCH_KEY),
          // The store's adapter as jobs build it, paced by the compressed limits.
          adapterFor: async (store: Store): Promise<CartAdapter> =>
            mod.createAdapter({
              storeCode: store.code,
              baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
              credentials: mod.demoCredentials,
              settings: store.settings,
              limits,
            }),
        };
        const t0 = performance.now();
        // One import of the whole backlog (the store's first window: initialImportDays covers it).
        const r = await processImportStore({ storeCode: code, trigger: 'manual' }, null, undefined, deps);
        if (r.outcome !== 'succeeded') throw new Error(`${run.cart}: import ${r.outcome} ${r.reason ?? ''}`);
        const seconds = (performance.now() - t0) / 1000;
        const stats = await sim.stats();
        const imported = Number(
          (
            await bdb.db
              .selectFrom('orders')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        figures.push({
          cart: run.cart,
          orders: run.orders,
          imported,
          seconds,
          requests: stats.requests,
          ceiling: ceilingSeconds(run, stats),
          k: run.k,
          sent429: stats.sent429,
        });
        console.log(
          `${run.cart}: ${imported}/${run.orders} orders in ${f1(seconds)} s, ${stats.requests} requests, ` +
            `ceiling ${f1(figures.at(-1)!.ceiling.seconds)} s (${figures.at(-1)!.ceiling.bucket}), 429s ${stats.sent429}, by route ${JSON.stringify(stats.byRoute)}`,
        );
      } finally {
        await q.close();
        await sim.stop();
        await bdb.drop();
      }
    }
  } finally {
    await services.stop();
  }
  const load1 = os.loadavg()[0]!;
  console.log('');
  console.log(`Catch-up per cart (load ${f1(load0)} → ${f1(load1)}, ${os.cpus().length} CPUs)`);
  console.log('');
  console.log(
    '| cart | backlog (24 h) | imported | time | requests / order | ceiling time (slowest bucket) | orders/s ÷ ceiling | goal ≥ 0.9 | 429 answers | rates × k |',
  );
  console.log('|---|---:|---:|---:|---:|---|---:|---|---:|---:|');
  for (const f of figures) {
    const ratio = f.ceiling.seconds > 0 ? f.ceiling.seconds / f.seconds : null;
    console.log(
      `| ${f.cart} | ${f.orders} | ${f.imported} | ${f1(f.seconds)} s | ${f3(f.requests / Math.max(1, f.imported))} | ${f1(f.ceiling.seconds)} s (${f.ceiling.bucket}) | ${ratio === null ? '— (within the burst)' : ratio.toFixed(2)} | ${ratio === null ? '—' : ratio >= 0.9 ? 'yes' : 'no'} | ${f.sent429} | ${f.k} |`,
    );
  }
}

await main();
process.exit(0);
