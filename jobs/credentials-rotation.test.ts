// Shopify rotates the refresh token of an expiring offline token on every refresh. The adapter built by
// the job deps writes each replacement back to the store (compare and set), so a restarted process,
// another worker, or a process whose refresh token was retired meanwhile all keep importing; against
// the Shopify simulator (which rotates and retires tokens as Shopify does) and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartAdapter } from '../carts/contract.js';
import { forgetShopifyTokens } from '../carts/shopify/auth.js';
import { SHOPIFY_DEMO_REFRESH_TOKEN } from '../carts/shopify/demo-credentials.js';
import { shopifyCart } from '../carts/shopify/index.js';
import { type ShopifySimulator, startShopifySimulator } from '../carts/shopify/simulator.js';
import { findStore, storeCredentials, upsertStore } from '../db/stores.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { rotateStoreCredentials } from '../usecases/rotate-store-credentials.js';
import { storeAdapterFactory } from './deps.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
const HTTP = { timeoutMs: 2000, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 4 };

async function importAll(adapter: CartAdapter): Promise<number> {
  let n = 0;
  for await (const page of adapter.listOrders({ from: START, to: END })) n += page.orders.length;
  return n;
}

describe('Shopify refresh-token rotation stored back to the store', () => {
  let t: TestDb;
  let sim: ShopifySimulator;
  let now = END;
  let storeId = 0;
  const stored = async () => storeCredentials(t.db, storeId, TEST_SECRET_KEY);
  const adapter = async () => {
    const store = (await findStore(t.db, 'shopify-oauth'))!;
    return storeAdapterFactory(t.db, TEST_SECRET_KEY, HTTP)(store);
  };

  beforeAll(async () => {
    t = await createTestDb('credentials-rotation');
    sim = await startShopifySimulator({ seed: 3, orders: 4, from: START, to: END, clock: () => now });
    const store = await upsertStore(
      t.db,
      {
        code: 'shopify-oauth',
        cart: 'shopify',
        name: 'OAuth の店',
        baseUrl: sim.url,
        testStore: true,
        credentials: { ...shopifyCart.demoCredentials, refreshToken: SHOPIFY_DEMO_REFRESH_TOKEN },
      },
      TEST_SECRET_KEY,
    );
    storeId = store.id;
  });
  afterAll(async () => {
    await sim?.stop();
    forgetShopifyTokens();
    await t?.drop();
  });

  it('stores each replacement, so a process started 31 days later still refreshes', async () => {
    expect(await importAll(await adapter())).toBe(4);
    const first = await stored();
    expect(first.refreshToken).toMatch(/^shprt_/);
    expect(first.refreshToken).not.toBe(SHOPIFY_DEMO_REFRESH_TOKEN);
    expect(typeof first.accessToken).toBe('string');
    expect(sim.tokens.refreshed).toBe(1);

    // Past the 30 days Shopify keeps a used refresh token working: only the replacement still works.
    now = new Date(END.getTime() + 31 * DAY);
    forgetShopifyTokens(); // a new process: nothing held but what the store has
    expect(await importAll(await adapter())).toBe(4);
    const second = await stored();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(sim.tokens.refusedRefresh).toBe(0);
    expect((await findStore(t.db, 'shopify-oauth'))!.credentialState).toBe('ok');
  });

  it('a process whose refresh token another process retired takes the stored one and goes on', async () => {
    const stale = await adapter(); // built now: it holds the current refresh token
    const refusedBefore = sim.tokens.refusedRefresh;
    // Another worker refreshes twice; using its first replacement retires the token `stale` holds.
    const other = await adapter();
    for (let i = 0; i < 2; i++) {
      now = new Date(now.getTime() + 2 * HOUR);
      forgetShopifyTokens();
      expect(await importAll(other)).toBe(4);
    }
    const latest = (await stored()).refreshToken;
    now = new Date(now.getTime() + 2 * HOUR);
    forgetShopifyTokens();
    expect(await importAll(stale)).toBe(4);
    expect(sim.tokens.refusedRefresh).toBe(refusedBefore + 1); // its own token, refused once
    expect((await stored()).refreshToken).not.toBe(latest); // and its replacement stored
    expect((await findStore(t.db, 'shopify-oauth'))!.credentialState).toBe('ok');
  });

  it('two refreshes stored at once: exactly one wins, the other is told', async () => {
    const before = (await stored()).refreshToken as string;
    const deps = { db: t.db, key: TEST_SECRET_KEY, now: () => new Date() };
    const results = await Promise.all(
      ['shprt_a', 'shprt_b'].map((next) =>
        rotateStoreCredentials(deps, {
          storeId,
          previous: { refreshToken: before },
          next: { refreshToken: next },
        }),
      ),
    );
    expect(results.filter((r) => r.stored)).toHaveLength(1);
    expect(results.filter((r) => !r.stored)).toEqual([{ stored: false, reason: 'changed-meanwhile' }]);
    expect(['shprt_a', 'shprt_b']).toContain((await stored()).refreshToken);
    expect(await rotateStoreCredentials(deps, { storeId: 999_999, previous: {}, next: {} })).toEqual({
      stored: false,
      reason: 'store-missing',
    });
  });
});
