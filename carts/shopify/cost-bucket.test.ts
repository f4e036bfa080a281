// Shopify's GraphQL cost bucket shared in Redis per shop: two adapter instances of one shop (two
// worker processes, or the import beside the write-back) reading orders at once against the
// simulator take their points from the same Redis bucket (infra/redis-limiter.ts, key
// <prefix>:ratelimit:shopify-<shop>-graphql) and settle it on Shopify's count after each query, so
// together they never meet THROTTLED: the simulator's throttled count is 0.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLimiter } from '../../infra/redis-limiter.js';
import { redisUrl, uniquePrefix } from '../../test/harness.js';
import type { ListWindow } from '../contract.js';
import { limitBucket } from '../rate-limit.js';
import type { ShopifyAdapter } from './client.js';
import { SHOPIFY_LEGACY_DEMO_TOKEN } from './demo-credentials.js';
import { shopifyCart } from './index.js';
import { type ShopifySimulator, startShopifySimulator } from './simulator.js';

const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 500, maxAttempts: 6 };

describe('Shopify GraphQL cost bucket shared in Redis', () => {
  let sim: ShopifySimulator | null = null;
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await sim?.stop();
    await redis.quit();
  });

  it('two adapters of one shop reading at once stay within the bucket together (0 THROTTLED)', async () => {
    // A small bucket (one ~1,000-point page at a time) that restores fast enough for a short test.
    sim = await startShopifySimulator({
      seed: 31,
      orders: 48,
      from: START,
      to: END,
      clock: () => END,
      limits: { graphql: { ratePerSec: 3000, burst: 1100 } },
    });
    const prefix = uniquePrefix('shopify-cost');
    const adapter = () =>
      shopifyCart.createAdapter({
        storeCode: 'shopify-main',
        baseUrl: sim!.url,
        credentials: { shop: 'juchu-demo', accessToken: SHOPIFY_LEGACY_DEMO_TOKEN },
        http: HTTP,
        // Two processes: each its own Redis connection and limiter object, one bucket by the shop.
        limiter: new RedisLimiter(redis.duplicate(), prefix),
        settings: { ordersApi: 'graphql', pageSize: 250 },
      }) as ShopifyAdapter;
    const [a, b] = [adapter(), adapter()];
    const window: ListWindow = { from: START, to: new Date(END.getTime() + 1000) };
    const read = async (x: ShopifyAdapter) => {
      let n = 0;
      for await (const page of x.listOrders(window)) n += page.orders.length;
      return n;
    };
    expect(await Promise.all([read(a), read(b)])).toEqual([48, 48]);
    // Each page is close to the bucket: without the shared count the two would overlap.
    expect(sim.cost.queries).toBeGreaterThanOrEqual(12);
    expect(sim.cost.bucket!.throttled).toBe(0);
    expect(a.http.stats.rateLimited + b.http.stats.rateLimited).toBe(0);
    // Both waited on the one bucket in Redis, named by the shop.
    expect(a.graphql!.pacer.waits + b.graphql!.pacer.waits).toBeGreaterThan(0);
    expect(await redis.exists(`${prefix}:ratelimit:${limitBucket('shopify', 'juchu-demo', 'graphql')}`)).toBe(
      1,
    );
  }, 60_000);
});
