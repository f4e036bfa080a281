// The request limiter shared through Redis (issue 16 item 5): four independent clients of one store
// hammering one simulator that enforces the cart's limit stay under it together (and four clients
// each pacing only themselves do not), a 429's Retry-After holds every client back, a serial bucket
// (makeshop) lets one request out at a time, the keys live under the queue prefix, and a stopping
// process gives up a long wait at once (nothing sent) but still waits the short ones of pacing.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CartHttpClient } from '../carts/http.js';
import {
  isLimiterStopped,
  type LimitSpec,
  LocalLimiter,
  type RequestLimiter,
  stopWaiting,
} from '../carts/rate-limit.js';
import { type CartBehaviour, OrderBook, type RunningSimulator, startSimulator } from '../carts/sim/kit.js';
import { redisUrl, uniquePrefix } from '../test/harness.js';
import { RedisLimiter } from './redis-limiter.js';

const behaviour: CartBehaviour = {
  cart: 'test',
  serverErrorReply: (status) => ({ status, body: { error: 'server' } }),
  rateLimitReply: () => ({
    status: 429,
    headers: { 'retry-after': '1' },
    body: { error: 'Too Many Requests' },
  }),
  cartOrderNo: (o) => `T-${o.seq}`,
};

/**
 * What the clients pace themselves by (a tenth under the limit, as Amazon's adapter does), and the
 * simulator enforcing the limit with two tokens of slack: between taking a token and the request's
 * arrival there is jitter (this process runs four clients and the simulator on a shared machine).
 */
const CLIENT: LimitSpec = { ratePerSec: 4.5, burst: 2 };
const SERVER = { ratePerSec: 5, burst: 4 };

const connections: Redis[] = [];
function connect(): Redis {
  const r = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  connections.push(r);
  return r;
}

let sim: RunningSimulator;
const arrivals: number[] = [];
beforeAll(async () => {
  sim = await startSimulator({
    routes: [
      {
        method: 'POST',
        path: '/ship',
        name: 'ship',
        handler: () => {
          arrivals.push(Date.now());
          return { status: 200, body: { ok: true } };
        },
      },
    ],
    behaviour,
    book: new OrderBook(1, (o) => `T-${o.seq}`),
    limits: { ship: SERVER },
  });
});
afterEach(async () => {
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
  arrivals.length = 0;
});
afterAll(async () => {
  await sim.stop();
  await Promise.all(connections.map((c) => c.quit()));
});

function client(limiter: RequestLimiter, limits: Record<string, LimitSpec> = { ship: CLIENT }) {
  return new CartHttpClient({
    cart: 'test',
    baseUrl: sim.url,
    limits,
    limiter,
    account: 'shop-1',
    // One attempt: a 429 is counted, not hidden by a retry.
    http: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 2_000 },
  });
}

async function hammer(clients: CartHttpClient[], each: number): Promise<{ ok: number; refused: number }> {
  let ok = 0;
  let refused = 0;
  await Promise.all(
    clients.flatMap((c) =>
      Array.from({ length: each }, async () => {
        try {
          await c.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' });
          ok++;
        } catch {
          refused++;
        }
      }),
    ),
  );
  return { ok, refused };
}

describe('RedisLimiter', () => {
  it('keeps four independent clients of one store within the limit together', async () => {
    const prefix = uniquePrefix('lim');
    const clients = Array.from({ length: 4 }, () => client(new RedisLimiter(connect(), prefix)));
    const r = await hammer(clients, 6);
    expect(r).toEqual({ ok: 24, refused: 0 });
    expect(sim.stats.limitViolations).toBe(0);
    // The bucket is under the queue prefix.
    const keys = await connections[0]!.keys(`${prefix}:ratelimit:*`);
    expect(keys).toEqual([`${prefix}:ratelimit:test-shop-1-ship`]);
  }, 60_000);

  it('is what keeps them within it: four clients pacing only themselves break the limit', async () => {
    const clients = Array.from({ length: 4 }, () => client(new LocalLimiter()));
    await hammer(clients, 6);
    expect(sim.stats.limitViolations).toBeGreaterThan(0);
  }, 60_000);

  it("makes every client wait out one client's Retry-After", async () => {
    const prefix = uniquePrefix('lim');
    const [a, b] = [client(new RedisLimiter(connect(), prefix)), client(new RedisLimiter(connect(), prefix))];
    sim.faults.rateLimited = 1; // the next request answers 429 with Retry-After: 1
    await expect(a.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' })).rejects.toThrow(
      /429/,
    );
    const refusedAt = Date.now();
    await b.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' });
    // B never heard the 429 itself; it still did not reach the cart before the second was over.
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]!).toBeGreaterThanOrEqual(refusedAt + 900);
    expect(b.stats.rateLimited).toBe(0);
  }, 30_000);

  it('lets one request of a serial bucket out at a time, the next one interval after the answer', async () => {
    const prefix = uniquePrefix('lim');
    const serial: LimitSpec = { ratePerSec: 20, burst: 1, serial: { holdMs: 5_000 } };
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ limitsOff: true }) });
    sim.faults.slowMs = 30; // each answer takes a while: a plain bucket would let the next one go
    const clients = Array.from({ length: 3 }, () =>
      client(new RedisLimiter(connect(), prefix), { '*': serial }),
    );
    const r = await hammer(clients, 4);
    expect(r).toEqual({ ok: 12, refused: 0 });
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    // Interval 50 ms after an answer that took ≥ 30 ms: no two arrivals closer than that.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(75);
  }, 30_000);

  it("settles a cost bucket on the cart's count, less what is still in flight (Shopify points)", async () => {
    const prefix = uniquePrefix('lim');
    const l = new RedisLimiter(connect(), prefix);
    const r = connections.at(-1)!;
    const tokens = async () => Math.round(Number((await r.hgetall(l.key('cost'))).t));
    const spec: LimitSpec = { ratePerSec: 0.001, burst: 100 };
    await l.take('cost', spec, { cost: 90 });
    // Charged 40 of the 90 taken; Shopify says 70 are left and nothing else is in flight.
    await l.settle('cost', spec, { taken: 90, charged: 40, available: 70 });
    expect(await tokens()).toBe(70);
    // Two queries in flight (30 and 20); the first's answer says 45 left: the second's 20 still count.
    await l.take('cost', spec, { cost: 30 });
    await l.take('cost', spec, { cost: 20 });
    await l.settle('cost', spec, { taken: 30, charged: 30, available: 45 });
    expect(await tokens()).toBe(25);
    await l.pause('cost', spec, 10_000);
    expect(await tokens()).toBe(0);
    expect(await r.pttl(l.key('cost'))).toBeGreaterThan(60_000);
  });

  it('keeps the size and rate the cart reported over a later caller’s assumption (both limiters)', async () => {
    // A new adapter (each import job builds one) assumes the least any plan has until its first
    // answer; taking with that must not shrink the shop's bucket to it nor refill it at its rate.
    const reported: LimitSpec = { ratePerSec: 0.001, burst: 20_000 };
    const assumed: LimitSpec = { ratePerSec: 100, burst: 1_000 };
    for (const l of [new RedisLimiter(connect(), uniquePrefix('lim')), new LocalLimiter()] as const) {
      await l.take('shop', reported, { cost: 1_000 });
      await l.settle('shop', reported, { taken: 1_000, charged: 1_000, available: 19_000 });
      // 3 queries of 5,000 with the assumed spec: had it applied, the bucket would be 1,000 and each
      // take would cap its need at 1,000 and refill at 100/s.
      const started = performance.now();
      for (let i = 0; i < 3; i++) await l.take('shop', assumed, { cost: 5_000 });
      expect(performance.now() - started).toBeLessThan(1_000);
      await l.settle('shop', assumed, { taken: 15_000, charged: 15_000, available: null });
      // 4,000 left at 0.001/s: a 5,000 take now waits about 1,000 s (the reported rate), not 10 s.
      const waiting = l.take('shop', assumed, { cost: 5_000, signal: AbortSignal.timeout(300) });
      await expect(waiting).rejects.toThrow();
    }
  });

  it('stops counting points whose settle never came after the in-flight TTL, though takes go on (both limiters)', async () => {
    // The drill's stall: Redis restarted while queries were in flight, their settles were lost, and
    // with the old single count (reset only after a TTL without any take) the shop's bucket stayed
    // short of those points for as long as imports kept taking.
    const spec: LimitSpec = { ratePerSec: 0.001, burst: 1_000 };
    const ttl = 1_200;
    let now = 0;
    const limiters = [
      new RedisLimiter(connect(), uniquePrefix('lim'), ttl),
      new LocalLimiter(() => now, ttl),
    ] as const;
    for (const l of limiters) {
      const local = l instanceof LocalLimiter;
      const pass = async (ms: number) => {
        if (local) now += ms;
        else await new Promise((r) => setTimeout(r, ms));
      };
      // 900 points taken whose answer is never settled.
      await l.take('shop', spec, { cost: 900 });
      await l.settle('shop', spec, { taken: 0, charged: null, available: 1_000 });
      // Queries go on every 150 ms, each settled; the lost 900 still count at first…
      let seen = 0;
      for (let elapsed = 0; elapsed < ttl + 600; elapsed += 150) {
        await l.take('shop', spec, { cost: 50, signal: AbortSignal.timeout(2_000) });
        await l.settle('shop', spec, { taken: 50, charged: 50, available: 1_000 });
        await pass(150);
        if (elapsed === 0) {
          const waiting = l.take('shop', spec, { cost: 200, signal: AbortSignal.timeout(200) });
          await expect(waiting).rejects.toThrow();
        }
        seen = elapsed;
      }
      expect(seen).toBeGreaterThan(ttl);
      // …and no longer once the TTL has passed: the whole bucket is there again.
      await l.take('shop', spec, { cost: 1_000, signal: AbortSignal.timeout(500) });
    }
  }, 20_000);

  it('gives up a long wait at once when the process stops, and still waits a short one (both limiters)', async () => {
    // The shop's bucket paused for a minute (a 429 with a long Retry-After): a request of a stopping
    // worker (stopWaiting, workers/worker.ts) is not sent and does not wait the minute out.
    const spec: LimitSpec = { ratePerSec: 4, burst: 1 };
    for (const make of [() => new RedisLimiter(connect(), uniquePrefix('lim')), () => new LocalLimiter()]) {
      const inner = make();
      const stop = new AbortController();
      const c = client(stopWaiting(inner, stop.signal), { ship: spec });
      await inner.pause('test-shop-1-ship', spec, 60_000);
      const sent = c.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' });
      const failed = sent.then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
      const stoppedAt = performance.now();
      stop.abort();
      const e = await failed;
      expect(performance.now() - stoppedAt).toBeLessThan(1_000);
      expect(isLimiterStopped(e)).toBe(true);
      expect(String(e)).toMatch(/not sent: the process is stopping/);
      expect(arrivals).toHaveLength(0);

      // Normal pacing after the stop: a token 250 ms away is waited for, and the request goes.
      const paced = make();
      const other = new AbortController();
      other.abort();
      const p = client(stopWaiting(paced, other.signal), { ship: spec });
      await p.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' });
      await p.send({ method: 'POST', path: '/ship', operation: 'ship', body: '{}' });
      expect(arrivals).toHaveLength(2);
      arrivals.length = 0;
    }
  });

  it('keeps every key of a hash-tagged prefix in its slot', () => {
    const l = new RedisLimiter(connect(), '{juchu}');
    const key = l.key('amazon-3f2a9c-confirmShipment');
    // Redis Cluster hashes only the first {…} of a key: the prefix's tag.
    expect(/\{([^}]*)\}/.exec(key)?.[1]).toBe('juchu');
    expect(key).toBe('{juchu}:ratelimit:amazon-3f2a9c-confirmShipment');
  });
});
