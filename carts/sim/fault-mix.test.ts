// The simulators' steady fault mix (issue 15): a seeded share of requests, not of wall time.
import { afterEach, describe, expect, it } from 'vitest';
import { startShopifySimulator } from '../shopify/simulator.js';
import { createRng } from './generate.js';
import { drawFault, type FaultMix } from './kit.js';

const MIX: FaultMix = {
  seed: 7,
  serverErrors: 0.05,
  rateLimited: 0.03,
  slow: 0.02,
  hangs: 0.005,
  expiredTokens: 0.01,
  malformed: 0.005,
};

describe('fault mix', () => {
  it('draws each fault at its share, the same sequence for the same seed', () => {
    const draws = (seed: number) => {
      const next = createRng(seed).next;
      return Array.from({ length: 100_000 }, () => drawFault(MIX, next));
    };
    const a = draws(7);
    expect(draws(7)).toEqual(a);
    expect(draws(8)).not.toEqual(a);
    const share = (f: string | null) => a.filter((x) => x === f).length / a.length;
    expect(share('serverError')).toBeCloseTo(0.05, 2);
    expect(share('rateLimited')).toBeCloseTo(0.03, 2);
    expect(share('slow')).toBeCloseTo(0.02, 2);
    expect(share('hang')).toBeCloseTo(0.005, 2);
    expect(share('expiredToken')).toBeCloseTo(0.01, 2);
    expect(share('malformed')).toBeCloseTo(0.005, 2);
    expect(share(null)).toBeCloseTo(0.88, 2);
  });

  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stop?.();
    stop = null;
  });

  it('a simulator answers the drawn faults: 5xx, 429 with Retry-After, hangs', async () => {
    const sim = await startShopifySimulator({ seed: 1, orders: 3 });
    stop = () => sim.stop();
    const get = () =>
      fetch(`${sim.url}/admin/api/2025-07/orders.json`, { signal: AbortSignal.timeout(500) }).catch(
        () => null,
      );
    sim.faults.mix = { seed: 1, serverErrors: 1 };
    expect([500, 503]).toContain((await get())?.status);
    sim.faults.mix = { seed: 1, rateLimited: 1, retryAfterSeconds: 3 };
    const limited = await get();
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get('retry-after')).toBeTruthy();
    sim.faults.mix = { seed: 1, hangs: 1 };
    expect(await get()).toBeNull();
    sim.faults.mix = null;
    expect((await get())?.status).not.toBe(503);
    expect(sim.stats).toMatchObject({ sent5xx: 1, sent429: 1, timeouts: 1 });
  });
});
