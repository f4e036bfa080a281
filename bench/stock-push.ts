// 在庫連携 benchmark (issue 17 item 4): five stores on four carts (Rakuten ×2, Yahoo!, Amazon,
// Shopify) selling one scarce product at once, each through its simulator with the cart's own rate
// limits, and juchu pushing the free quantity with each cart's real stock adapter (setStock over
// HTTP). Customers buy at each store at random; a cart refuses a sale at 0, as the real carts do.
// juchu learns of a store's sales when it polls that store (its import interval) and then pushes
// the new quantity to every store. Reported: units oversold with the push on and off (off: each cart
// keeps the number it was given at the start), and the time from an order being seen at one store to
// the new quantity accepted at the other four (p50, p99).
//
// What this does NOT include: juchu's PostgreSQL import and free-quantity rule (tested in
// usecases/push-stock.test.ts); here the free quantity is "start − sold seen", which is what the rule
// gives for one plain product with no safety stock. Times are real (not compressed): polling every
// `pollMs` stands for the stores' import cron, scaled down so a run takes about a minute.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CartActions } from '../carts/actions.js';
import { amazonCart, amazonSimulatorSettings } from '../carts/amazon/index.js';
import { startAmazonSimulator } from '../carts/amazon/simulator.js';
import { SIM_SELLER_ID } from '../carts/amazon/simulator-stock.js';
import { rakutenCart } from '../carts/rakuten/index.js';
import { rakutenSimulator } from '../carts/rakuten/simulator.js';
import { forgetShopifyTokens } from '../carts/shopify/auth.js';
import { shopifyCart } from '../carts/shopify/index.js';
import { startShopifySimulator } from '../carts/shopify/simulator.js';
import { SIM_LOCATION_ID } from '../carts/shopify/simulator-stock.js';
import { CATALOG } from '../carts/sim/catalog.js';
import { type OrderBook, simStockKey } from '../carts/sim/kit.js';
import { yahooCart } from '../carts/yahoo/index.js';
import { startYahooSimulator } from '../carts/yahoo/simulator.js';

const PRODUCT = CATALOG.find((p) => p.cartCode === '00000911246')!;
const KEY = simStockKey(PRODUCT);
const LEVEL = { cartProductCode: PRODUCT.cartCode, cartOptionCode: null };

interface Store {
  name: string;
  book: OrderBook;
  actions: CartActions;
  stop(): Promise<void>;
  /** Orders of the product juchu has seen at this store. */
  seen: number;
}

async function startStores(): Promise<Store[]> {
  // The carts' documented limits: the simulators enforce them, the adapters pace themselves by them.
  const rk = async (name: string): Promise<Store> => {
    const sim = await rakutenSimulator.start({ orders: 0 });
    const actions = rakutenCart.createActions!({
      storeCode: name,
      baseUrl: sim.url,
      credentials: rakutenCart.demoCredentials,
    });
    return { name, book: sim.book, actions, stop: () => sim.stop(), seen: 0 };
  };
  const yh = await startYahooSimulator({ orders: 0 });
  const az = await startAmazonSimulator({ orders: 0 });
  const sh = await startShopifySimulator({ orders: 0 });
  return [
    await rk('楽天A'),
    await rk('楽天B'),
    {
      name: 'Yahoo!',
      book: yh.book,
      actions: yahooCart.createActions!({
        storeCode: 'yahoo',
        baseUrl: yh.url,
        credentials: yahooCart.demoCredentials,
      }),
      stop: () => yh.stop(),
      seen: 0,
    },
    {
      name: 'Amazon',
      book: az.book,
      actions: amazonCart.createActions!({
        storeCode: 'amazon',
        baseUrl: az.url,
        credentials: amazonCart.demoCredentials,
        settings: { ...amazonSimulatorSettings, sellerId: SIM_SELLER_ID },
      }),
      stop: () => az.stop(),
      seen: 0,
    },
    {
      name: 'Shopify',
      book: sh.book,
      actions: shopifyCart.createActions!({
        storeCode: 'shopify',
        baseUrl: sh.url,
        credentials: shopifyCart.demoCredentials,
        settings: { locationId: SIM_LOCATION_ID },
      }),
      stop: () => sh.stop(),
      seen: 0,
    },
  ];
}

const soldAt = (s: Store) =>
  s.book
    .visible()
    .reduce(
      (n, o) => n + o.lines.filter((l) => simStockKey(l.product) === KEY).reduce((m, l) => m + l.quantity, 0),
      0,
    );

export interface StockPushRun {
  push: boolean;
  stock: number;
  sold: number;
  oversold: number;
  refusedSales: number;
  /** ms from a poll seeing new orders at one store to the quantity accepted at the other four. */
  latencies: number[];
  failures: number;
}

/** One run: `stock` units, customers at every store, juchu polling each store every `pollMs`. */
export async function crossChannelRun(opts: {
  push: boolean;
  stock: number;
  pollMs: number;
  /** Mean ms between two customers at one store. */
  buyEveryMs: number;
  durationMs: number;
  seed: number;
}): Promise<StockPushRun> {
  const stores = await startStores();
  let rnd = opts.seed >>> 0;
  const random = () => {
    rnd = (rnd * 1664525 + 1013904223) >>> 0;
    return rnd / 2 ** 32;
  };
  const latencies: number[] = [];
  let failures = 0;
  try {
    // Every cart starts with the whole stock (what each cart believes without a push).
    await Promise.all(stores.map((s) => s.actions.setStock!([{ ...LEVEL, quantity: opts.stock }])));
    const end = Date.now() + opts.durationMs;
    const customers = stores.map(async (s) => {
      while (Date.now() < end) {
        await sleep(-Math.log(1 - random()) * opts.buyEveryMs);
        s.book.trySell([{ product: PRODUCT, quantity: 1, packageNo: 1 }]);
      }
    });
    let pushing: Promise<void> = Promise.resolve();
    const pollers = stores.map(async (s, i) => {
      await sleep((opts.pollMs * i) / stores.length); // stores' crons are not in step
      while (Date.now() < end) {
        const sold = soldAt(s);
        if (sold > s.seen) {
          s.seen = sold;
          if (opts.push) {
            const seenAt = Date.now();
            // The free quantity now: start − every sale juchu has seen, pushed to the other stores
            // (and this one) — one push after another, as the outbox delivers per store.
            pushing = pushing.then(async () => {
              const free = Math.max(0, opts.stock - stores.reduce((n, x) => n + x.seen, 0));
              const sent = await Promise.all(
                stores.map(async (x) => {
                  try {
                    const a = await x.actions.setStock!([{ ...LEVEL, quantity: free }]);
                    return x === s ? null : a.get(KEY)?.status === 'done' ? Date.now() : null;
                  } catch {
                    failures++;
                    return null;
                  }
                }),
              );
              const others = sent.filter((t): t is number => t !== null);
              if (others.length === stores.length - 1) latencies.push(Math.max(...others) - seenAt);
            });
          }
        }
        await sleep(opts.pollMs);
      }
    });
    await Promise.all([...customers, ...pollers]);
    await pushing;
    const sold = stores.reduce((n, s) => n + soldAt(s), 0);
    return {
      push: opts.push,
      stock: opts.stock,
      sold,
      oversold: Math.max(0, sold - opts.stock),
      refusedSales: stores.reduce((n, s) => n + s.book.refusedSales, 0),
      latencies,
      failures,
    };
  } finally {
    await Promise.all(stores.map((s) => s.stop()));
    forgetShopifyTokens();
  }
}

export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The side-by-side report lines (markdown). */
export async function stockPushBench(o: { quick?: boolean; seed?: number } = {}): Promise<string[]> {
  const base = {
    stock: 20,
    pollMs: o.quick ? 2_000 : 5_000,
    buyEveryMs: o.quick ? 1_500 : 3_000,
    durationMs: o.quick ? 20_000 : 60_000,
    seed: o.seed ?? 7,
  };
  const off = await crossChannelRun({ ...base, push: false });
  const on = await crossChannelRun({ ...base, push: true });
  const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(2)} s`);
  return [
    `5 stores (楽天 ×2, Yahoo!, Amazon, Shopify simulators with their documented rate limits), one product with ${base.stock} units, a customer every ${(base.buyEveryMs / 1000).toFixed(1)} s on average at each store for ${base.durationMs / 1000} s, juchu polling each store every ${base.pollMs / 1000} s (its import interval, scaled down) and pushing with each cart's stock adapter.`,
    '',
    '| | push off | push on |',
    '|---|---:|---:|',
    `| units sold | ${off.sold} | ${on.sold} |`,
    `| **units oversold** | **${off.oversold}** | **${on.oversold}** |`,
    `| sales the carts refused at 0 | ${off.refusedSales} | ${on.refusedSales} |`,
    `| order seen at one store → quantity accepted at the other four, p50 | - | ${ms(percentile(on.latencies, 50))} |`,
    `| same, p99 (${on.latencies.length} pushes) | - | ${ms(percentile(on.latencies, 99))} |`,
    `| failed pushes | - | ${on.failures} |`,
    '',
    `With the push on, units can still be oversold within the listing delay: sales at several stores in the same poll interval, before juchu has seen them (the "carts' own listing delay" of the goal is that interval plus the push time).`,
  ];
}

if (process.argv[1]?.endsWith('stock-push.ts')) {
  const quick = process.argv.includes('--quick');
  stockPushBench({ quick }).then(
    (lines) => {
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
