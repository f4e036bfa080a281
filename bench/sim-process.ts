// One cart simulator in a process of its own, for the catch-up and freshness benchmarks
// (bench/carts.ts): the simulator's rendering then never shares an event loop with the import it
// serves. Started as `tsx bench/sim-process.ts '<json spec>'`; prints one JSON line `{ "url": … }`,
// then answers JSON lines on stdin:
//   {"offset": ms}   the simulated clock is the real one plus `ms` (freshness: skipping idle time)
//   {"stats": true}  → one JSON line: the simulator's request stats (and Shopify's cost totals)
//   {"stop": true}   stops the server and exits
import { createInterface } from 'node:readline';
import type { RateLimits } from '../carts/contract.js';
import type { ShopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import type { CartName } from '../domain/order.js';

export interface SimProcessSpec {
  cart: CartName;
  orders: number;
  seed: number;
  /** Orders are placed over [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  /** `fixed`: the cart's clock stands at `ms` (catch-up); `offset`: real time plus an offset. */
  clock: { kind: 'fixed'; ms: number } | { kind: 'offset'; ms: number };
  /** The limits the simulator enforces (the cart's documented ones, time-compressed or not). */
  limits: RateLimits;
}

export interface SimProcessStats {
  requests: number;
  byRoute: Record<string, number>;
  sent429: number;
  sent5xx: number;
  /** Shopify GraphQL: points charged (actual cost) over every query, and the queries. */
  costCharged?: number;
  queries?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SimProcessSpec;
let offset = spec.clock.kind === 'offset' ? spec.clock.ms : 0;
const fixed = spec.clock.kind === 'fixed' ? spec.clock.ms : null;
const clock = () => new Date(fixed ?? Date.now() + offset);

const sim: RunningSimulator = await cartSimulator(spec.cart).start({
  orders: spec.orders,
  seed: spec.seed,
  from: new Date(spec.fromMs),
  to: new Date(spec.toMs),
  clock,
  limits: spec.limits,
});
const say = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
say({ url: sim.url });

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const msg = JSON.parse(line) as { offset?: number; stats?: boolean; stop?: boolean };
  if (typeof msg.offset === 'number') {
    offset = msg.offset;
    say({ ok: true });
  }
  if (msg.stats) {
    const shopify = spec.cart === 'shopify' ? (sim as ShopifySimulator).cost : null;
    const stats: SimProcessStats = {
      requests: sim.stats.requests,
      byRoute: sim.stats.byRoute,
      sent429: sim.stats.sent429,
      sent5xx: sim.stats.sent5xx,
      ...(shopify ? { costCharged: shopify.charged, queries: shopify.queries } : {}),
    };
    say(stats);
  }
  if (msg.stop) break;
}
await sim.stop();
process.exit(0);
