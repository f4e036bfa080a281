// 在庫連携 benchmark (issue 17 item 4), through juchu itself: five stores on four carts (楽天 ×2,
// Yahoo!, Amazon, Shopify simulators, each with its documented rate limits) sell one scarce product
// at once. Customers buy at each store at random; a cart refuses a sale at 0, as the real carts do.
// juchu imports each store on its own schedule (a manual `import-store` job every `pollMs`, standing
// for the store's import cron, scaled down) through a real `juchu worker` process: the import job
// reserves stock, records a `stock` action per store × product in the cart-actions outbox, and the
// worker's deliver-cart-action job sends the store's free quantity with the cart's real stock
// adapter. Push on and off are two runs on two fresh databases, side by side (off: each cart keeps
// the number it was given at the start).
//
// Latency: from a reservation made by an import at store A (its row's created_at, the import page's
// transaction start) to the moment each of the other four simulators accepted a quantity at most
// `start − reserved so far` (seen inside the simulator: its stock map is watched), p50 and p99 of
// the slowest of the four. This is juchu's part; the poll interval before the import is the carts'
// listing delay and is not in it.
import { sql } from 'kysely';
import { AMAZON_LIST_LAG_MS } from '../carts/amazon/constants.js';
import { SIM_SELLER_ID } from '../carts/amazon/simulator-stock.js';
import { forgetShopifyTokens } from '../carts/shopify/auth.js';
import { SIM_LOCATION_ID } from '../carts/shopify/simulator-stock.js';
import { CATALOG } from '../carts/sim/catalog.js';
import { type RunningSimulator, simStockKey } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import type { CartName } from '../domain/order.js';
import {
  type BenchServices,
  openQueues,
  seedStores,
  sleep,
  startBenchServices,
  until,
  WorkerPool,
  workerEnv,
} from './harness.js';

const PRODUCT = CATALOG.find((p) => p.cartCode === '00000911246')!;
const KEY = simStockKey(PRODUCT);
const CARTS: ReadonlyArray<[string, CartName]> = [
  ['sp-rakuten-a', 'rakuten'],
  ['sp-rakuten-b', 'rakuten'],
  ['sp-yahoo', 'yahoo'],
  ['sp-amazon', 'amazon'],
  ['sp-shopify', 'shopify'],
];
/** The settings the carts' stock adapters need at the simulators (Amazon's seller, Shopify's location). */
const STOCK_SETTINGS: Partial<Record<CartName, Record<string, unknown>>> = {
  amazon: { sellerId: SIM_SELLER_ID },
  shopify: { locationId: SIM_LOCATION_ID },
};

/**
 * Amazon lists orders one request every 3 minutes after a burst of 20 (searchOrders) and only up
 * to two minutes ago (AMAZON_LIST_LAG_MS): its import cannot run every few seconds, so it runs at
 * most every 15 s here (its burst lasts both runs), and its sales reach juchu two minutes late — the
 * cart's own listing delay.
 */
const pollEvery = (cart: CartName, pollMs: number) => (cart === 'amazon' ? Math.max(pollMs, 15_000) : pollMs);

/**
 * How late a cart lists an order at best, whatever juchu does: Amazon lists up to now − 2 min, and
 * juchu's client asks 5 s less for clock skew (carts/amazon/client.ts); the others list at once.
 */
const listingDelayMs = (cart: CartName) => (cart === 'amazon' ? AMAZON_LIST_LAG_MS + 5_000 : 0);

export interface StoreBound {
  code: string;
  cart: CartName;
  /** Customers per second at the store (the bench's arrival rate). */
  ratePerS: number;
  listingDelayMs: number;
  /** Mean time between the starts of the store's imports, as run (the import's length included). */
  pollMs: number;
  /** Units the store may sell before its cart shows a sale elsewhere: rate × (listing + poll + push). */
  units: number;
}

/**
 * The goal's bound: the units the carts' own listing delays allow. A sale is invisible to juchu for
 * the cart's listing delay plus up to one polling interval, and the other carts learn of it one push
 * later; each store sells at its rate for that window (never longer than the run). The push latency
 * is the measured p50 of the run with the push on (the p99 would loosen the bound by the run's
 * worst push; the full polling interval, not half of it, is already the generous side).
 */
export function oversellBound(
  stores: ReadonlyArray<{ code: string; cart: CartName; pollMs: number }>,
  o: { buyEveryMs: number; durationMs: number; pushMs: number },
): { stores: StoreBound[]; total: number } {
  const ratePerS = 1000 / o.buyEveryMs;
  const out = stores.map((s) => {
    const window = Math.min(o.durationMs, listingDelayMs(s.cart) + s.pollMs + o.pushMs);
    return {
      code: s.code,
      cart: s.cart,
      ratePerS,
      listingDelayMs: listingDelayMs(s.cart),
      pollMs: s.pollMs,
      units: (ratePerS * window) / 1000,
    };
  });
  return { stores: out, total: out.reduce((n, s) => n + s.units, 0) };
}

interface SimStore {
  code: string;
  cart: CartName;
  sim: RunningSimulator;
  /** Quantities the cart accepted from juchu for the product, in order (not the customers' sales). */
  accepted: Array<{ at: number; quantity: number }>;
}

export interface StockPushRun {
  push: boolean;
  stock: number;
  sold: number;
  oversold: number;
  refusedSales: number;
  /** ms from a reservation at one store to the new quantity accepted at the other four. */
  latencies: number[];
  /** Reservations whose quantity did not reach all four other stores (the stock had run out, or a push failed). */
  unmatched: number;
  imports: number;
  /** Per store, the mean time between the starts of its imports (ms). */
  pollMs: Map<string, number>;
  /** Outbox stock actions delivered, and those that ended refused or failed. */
  delivered: number;
  notDone: number;
}

async function startSims(): Promise<SimStore[]> {
  const out: SimStore[] = [];
  for (const [code, cart] of CARTS) {
    // The carts' documented limits are on (the simulators' default); the adapters pace themselves.
    const sim = await cartSimulator(cart).start({ orders: 0 });
    const s: SimStore = { code, cart, sim, accepted: [] };
    const stock = sim.book.stock;
    const set = stock.set.bind(stock);
    // A customer's sale goes through trySell (marked by `selling`); every other set of the product's
    // quantity is the cart's stock endpoint accepting juchu's push.
    stock.set = (k: string, v: number) => {
      if (k === KEY && !selling) s.accepted.push({ at: Date.now(), quantity: v });
      return set(k, v);
    };
    out.push(s);
  }
  return out;
}
let selling = false;

/** One run: `stock` units, customers at every store, each store imported every `pollMs`. */
export async function crossChannelRun(
  services: BenchServices,
  opts: {
    push: boolean;
    stock: number;
    pollMs: number;
    buyEveryMs: number;
    durationMs: number;
    seed: number;
  },
): Promise<StockPushRun> {
  const sims = await startSims();
  const bench = await services.database(`stockpush_${opts.push ? 'on' : 'off'}`);
  const handle = await openQueues(services.redisUrl, bench.url);
  const pool = new WorkerPool(
    workerEnv({ databaseUrl: bench.url, redisUrl: services.redisUrl, prefix: handle.prefix, concurrency: 8 }),
  );
  let rnd = opts.seed >>> 0;
  const random = () => {
    rnd = (rnd * 1664525 + 1013904223) >>> 0;
    return rnd / 2 ** 32;
  };
  try {
    await seedStores(
      bench.db,
      sims.map((s) => ({ code: s.code, cart: s.cart, sim: s.sim })),
    );
    for (const s of sims)
      await sql`UPDATE stores SET settings = settings || ${JSON.stringify({
        stockPush: opts.push,
        ...STOCK_SETTINGS[s.cart],
      })}::jsonb WHERE code = ${s.code}`.execute(bench.db);
    // The scarce product: `stock` units in one warehouse (every store ships from every warehouse).
    await sql`UPDATE stock_levels SET on_hand = CASE WHEN warehouse_code = (SELECT min(warehouse_code) FROM stock_levels)
              THEN ${opts.stock}::int ELSE 0 END WHERE product_code = ${PRODUCT.masterCode}`.execute(
      bench.db,
    );
    // Every cart starts with the whole stock (what each cart believes without a push).
    for (const s of sims) s.sim.book.stock.set(KEY, opts.stock);
    for (const s of sims) s.accepted.length = 0;
    await pool.startMany(1, handle.queues);

    const end = Date.now() + opts.durationMs;
    let imports = 0;
    const starts = new Map<string, number[]>(sims.map((s) => [s.code, []]));
    const customers = sims.map(async (s) => {
      while (Date.now() < end) {
        await sleep(-Math.log(1 - random()) * opts.buyEveryMs);
        selling = true;
        try {
          s.sim.book.trySell([{ product: PRODUCT, quantity: 1, packageNo: 1 }]);
        } finally {
          selling = false;
        }
      }
    });
    // Each store's import cron: a job every pollMs, the next one only once the last has finished
    // (as a store's import lease allows one at a time). Stores are not in step.
    const importOnce = async (code: string) => {
      const id = await handle.queues.add('import-store', {
        storeCode: code,
        trigger: 'manual',
        requestedBy: 'bench',
      });
      imports++;
      await until(
        async () => (await handle.queues.import.getJob(id!))?.finishedOn !== undefined,
        120_000,
        `import of ${code}`,
      ).catch(async (e: unknown) => {
        const job = await handle.queues.import.getJob(id!);
        throw new Error(
          `${String(e)}: ${job ? await job.getState() : 'no job'} ${job?.failedReason ?? ''} ${(job?.stacktrace ?? []).join(' / ')}\n${pool.procs.flatMap((p) => p.tail).join('\n')}`,
        );
      });
    };
    const pollers = sims.map(async (s, i) => {
      await sleep((opts.pollMs * i) / sims.length);
      const every = pollEvery(s.cart, opts.pollMs);
      while (Date.now() < end) {
        const started = Date.now();
        starts.get(s.code)!.push(started);
        await importOnce(s.code);
        await sleep(Math.max(0, every - (Date.now() - started)));
      }
    });
    await Promise.all([...customers, ...pollers]);
    // The last sales are imported, and the outbox is empty before counting.
    await Promise.all(sims.map((s) => importOnce(s.code)));
    await until(
      async () =>
        Number(
          (
            await sql<{ n: number }>`SELECT count(*)::int AS n FROM cart_actions WHERE kind = 'stock'
                                      AND state NOT IN ('done', 'refused', 'failed')`.execute(bench.db)
          ).rows[0]?.n,
        ) === 0,
      120_000,
      'the stock actions to be delivered',
    );

    const sold = sims.reduce(
      (n, s) =>
        n +
        s.sim.book
          .visible()
          .reduce(
            (m, o) =>
              m + o.lines.filter((l) => simStockKey(l.product) === KEY).reduce((k, l) => k + l.quantity, 0),
            0,
          ),
      0,
    );
    const reservations = (
      await sql<{ code: string; quantity: number; at: Date }>`
        SELECT s.code, r.quantity, r.created_at AS at FROM reservations r
        JOIN orders o ON o.id = r.order_id JOIN stores s ON s.id = o.store_id
        WHERE r.product_code = ${PRODUCT.masterCode} ORDER BY r.created_at, r.id`.execute(bench.db)
    ).rows;
    const latencies: number[] = [];
    let unmatched = 0;
    let reserved = 0;
    for (const r of reservations) {
      reserved += r.quantity;
      const t = new Date(r.at).getTime();
      const want = Math.max(0, opts.stock - reserved);
      const times = sims
        .filter((s) => s.code !== r.code)
        .map((s) => s.accepted.find((a) => a.at >= t && a.quantity <= want)?.at);
      if (opts.stock - reserved < 0 || times.some((x) => x === undefined)) unmatched++;
      else latencies.push(Math.max(...(times as number[])) - t);
    }
    const actions = (
      await sql<{ state: string; n: number }>`SELECT state, count(*)::int AS n FROM cart_actions
                                               WHERE kind = 'stock' GROUP BY state`.execute(bench.db)
    ).rows;
    return {
      push: opts.push,
      stock: opts.stock,
      sold,
      oversold: Math.max(0, sold - opts.stock),
      refusedSales: sims.reduce((n, s) => n + s.sim.book.refusedSales, 0),
      latencies: opts.push ? latencies : [],
      unmatched: opts.push ? unmatched : 0,
      imports,
      pollMs: new Map(
        sims.map((s) => {
          const t = starts.get(s.code)!;
          const every = pollEvery(s.cart, opts.pollMs);
          return [s.code, t.length < 2 ? every : (t[t.length - 1]! - t[0]!) / (t.length - 1)];
        }),
      ),
      delivered: actions.reduce((n, a) => n + a.n, 0),
      notDone: actions.filter((a) => a.state !== 'done').reduce((n, a) => n + a.n, 0),
    };
  } finally {
    await pool.stopAll(10_000);
    await handle.close();
    await Promise.allSettled(sims.map((s) => s.sim.stop()));
    forgetShopifyTokens();
    await bench.drop();
  }
}

export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The side-by-side report lines (markdown). */
export async function stockPushBench(
  services: BenchServices,
  o: { quick?: boolean; seed?: number } = {},
): Promise<string[]> {
  const base = {
    stock: 20,
    pollMs: o.quick ? 2_000 : 5_000,
    buyEveryMs: o.quick ? 1_500 : 3_000,
    durationMs: o.quick ? 20_000 : 60_000,
    seed: o.seed ?? 7,
  };
  const off = await crossChannelRun(services, { ...base, push: false });
  process.stderr.write(`stockpush: off done (${JSON.stringify({ ...off, latencies: undefined })})\n`);
  const on = await crossChannelRun(services, { ...base, push: true });
  const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(2)} s`);
  const bound = oversellBound(
    CARTS.map(([code, cart]) => ({
      code,
      cart,
      pollMs: on.pollMs.get(code) ?? pollEvery(cart, base.pollMs),
    })),
    { ...base, pushMs: percentile(on.latencies, 50) ?? 0 },
  );
  const meets = on.oversold <= Math.ceil(bound.total);
  return [
    `5 stores (楽天 ×2, Yahoo!, Amazon, Shopify simulators with their documented rate limits), one product with ${base.stock} units, a customer every ${(base.buyEveryMs / 1000).toFixed(1)} s on average at each store for ${base.durationMs / 1000} s; each store imported every ${base.pollMs / 1000} s (its import cron, scaled down; Amazon every ${pollEvery('amazon', base.pollMs) / 1000} s, its searchOrders limit, and its orders listed two minutes late) by one \`juchu worker\` process (the import job reserves and records the outbox's stock actions; its deliver-cart-action jobs push with each cart's stock adapter).`,
    '',
    '| | push off | push on |',
    '|---|---:|---:|',
    `| units sold | ${off.sold} | ${on.sold} |`,
    `| **units oversold** | **${off.oversold}** | **${on.oversold}** |`,
    `| sales the carts refused at 0 | ${off.refusedSales} | ${on.refusedSales} |`,
    `| import jobs | ${off.imports} | ${on.imports} |`,
    `| reservation at one store → quantity accepted at the other four, p50 | - | ${ms(percentile(on.latencies, 50))} |`,
    `| same, p99 (${on.latencies.length} reservations; ${on.unmatched} not measured: stock gone or push not accepted) | - | ${ms(percentile(on.latencies, 99))} |`,
    `| outbox stock actions (not done) | ${off.delivered} (${off.notDone}) | ${on.delivered} (${on.notDone}) |`,
    `| **bound: units the carts' own listing delays allow** | - | **${bound.total.toFixed(1)}** |`,
    `| **goal met** (oversold with the push on ≤ the bound, rounded up) | - | **${meets ? 'yes' : 'no'}** |`,
    '',
    `The bound, per store: its sales rate × (its listing delay + its polling interval as run + the push p50 ${ms(percentile(on.latencies, 50))}), the window at most the run's ${base.durationMs / 1000} s:`,
    '',
    '| store | cart | sales / s | listing delay | polling interval (as run) | units |',
    '|---|---|---:|---:|---:|---:|',
    ...bound.stores.map(
      (s) =>
        `| ${s.code} | ${s.cart} | ${s.ratePerS.toFixed(3)} | ${ms(s.listingDelayMs)} | ${ms(s.pollMs)} | ${s.units.toFixed(1)} |`,
    ),
  ];
}

if (process.argv[1]?.endsWith('stock-push.ts')) {
  const quick = process.argv.includes('--quick');
  (async () => {
    const services = await startBenchServices({ unsafeFast: true });
    try {
      return await stockPushBench(services, { quick });
    } finally {
      await services.stop();
    }
  })().then(
    (lines) => {
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
