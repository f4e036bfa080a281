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
import { AMAZON_RATE_LIMITS } from '../carts/amazon/constants.js';
import type { CartAdapter, RateLimits } from '../carts/contract.js';
import { MAKESHOP_NEXT_LIMITS } from '../carts/makeshop/settings.js';
import { RAKUTEN_LIMITS } from '../carts/rakuten/client.js';
import { cartModule } from '../carts/registry.js';
import { GRAPHQL_PLAN_LIMITS } from '../carts/shopify/constants.js';
import { DEFAULT_LIMITS as YAHOO_LIMITS } from '../carts/yahoo/constants.js';
import { getStore, type Store } from '../db/stores.js';
import type { CartName } from '../domain/order.js';
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

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { only: { type: 'string' }, carts: { type: 'boolean' }, quick: { type: 'boolean' } },
    allowPositionals: true,
  });
  const only = args.only ? new Set(args.only.split(',')) : null;
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
