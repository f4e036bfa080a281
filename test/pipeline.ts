// Shared setup for pipeline tests: demo data in a test database, job dependencies without a worker
// process (processors are plain functions), and invariant checks every test ends with.

import { hostname } from 'node:os';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { HttpSettings } from '../carts/contract.js';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import type { Db } from '../db/db.js';
import { lineReservationMismatches, reservationMismatches } from '../db/stock.js';
import { seedDemo } from '../dev/seed-demo.js';
import type { CartName } from '../domain/order.js';
import { loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { type JobDeps, storeActionsFactory, storeAdapterFactory } from '../jobs/deps.js';
import { createQueues } from '../jobs/queues.js';
import { redisUrl, TEST_SECRET_KEY, type TestDb, uniquePrefix } from './harness.js';

export const FAST_HTTP: Partial<HttpSettings> = {
  timeoutMs: 1500,
  baseDelayMs: 5,
  maxDelayMs: 50,
  maxAttempts: 6,
};

export async function seedTestShop(
  t: TestDb,
  baseUrls: Partial<Record<CartName, string>>,
  csvInbox = '/nonexistent',
): Promise<void> {
  await seedDemo(t.db, { baseUrls, csvInbox, key: TEST_SECRET_KEY, cron: '*/10 * * * *' });
}

/** Configuration for a test's own database and queue prefix. */
export function testConfig(t: TestDb, prefix: string) {
  return loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: redisUrl(),
    JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
    QUEUE_PREFIX: prefix,
  });
}

/** Queue producers on the test's prefix, as the CLI and dashboard have them. */
export async function testQueues(t: TestDb, prefix: string, name = 'test') {
  const config = testConfig(t, prefix);
  const redis = createProducerConnection(config.REDIS_URL, name);
  await ready(redis);
  const queues = createQueues(redis, config);
  return {
    config,
    queues,
    async close() {
      await queues.close();
      redis.disconnect();
    },
  };
}

/** A store's settings, replaced (tests start stores from a known state). */
export async function setStoreSettings(
  t: TestDb,
  storeCode: string,
  settings: Record<string, unknown>,
): Promise<void> {
  await t.db
    .updateTable('stores')
    .set({ settings: JSON.stringify(settings) })
    .where('code', '=', storeCode)
    .execute();
}

export async function testDeps(
  t: TestDb,
  opts: { now?: () => Date; http?: Partial<HttpSettings> } = {},
): Promise<JobDeps & { close(): Promise<void> }> {
  const { config, queues, close } = await testQueues(t, uniquePrefix('deps'));
  logger.level = 'warn';
  return {
    db: t.db,
    config,
    queues,
    log: logger,
    now: opts.now ?? (() => new Date()),
    adapterFor: storeAdapterFactory(t.db, TEST_SECRET_KEY, opts.http ?? FAST_HTTP),
    actionsFor: storeActionsFactory(t.db, TEST_SECRET_KEY, opts.http ?? FAST_HTTP),
    processId: `${hostname()}-${process.pid}-test`,
    close,
  };
}

/** The invariants every stock-touching test ends with. */
export async function expectStockInvariants(db: Db): Promise<void> {
  expect(await reservationMismatches(db)).toEqual([]);
  expect(await lineReservationMismatches(db)).toEqual([]);
  const over = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM stock_levels WHERE reserved > on_hand OR reserved < 0`.execute(db);
  expect(over.rows[0]!.n).toBe(0);
  // No order holds more than its lines need.
  const excess = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM order_lines l
    JOIN (SELECT order_line_id, SUM(quantity) AS held FROM reservations GROUP BY 1) r ON r.order_line_id = l.id
    WHERE r.held > l.quantity * l.units_per_cart_unit * l.component_units`.execute(db);
  expect(excess.rows[0]!.n).toBe(0);
}

export async function countOrders(db: Db, storeCode?: string): Promise<number> {
  let q = db
    .selectFrom('orders as o')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select((eb) => eb.fn.countAll<number>().as('n'));
  if (storeCode) q = q.where('s.code', '=', storeCode);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/**
 * The demo shop with its Shopify store pointed at a fresh simulator of `orders` orders placed over
 * the last two days, set to import all of them at once.
 */
export async function shopifyShop(t: TestDb, orders: number, seed: number): Promise<RunningSimulator> {
  const now = Date.now();
  const sim = await shopifySimulator.start({
    orders,
    seed,
    from: new Date(now - 2 * 86_400_000),
    to: new Date(now - 60_000),
    rateLimits: false,
  });
  await seedTestShop(t, { shopify: sim.url });
  await setStoreSettings(t, 'shopify-global', { initialImportDays: 3, settleLagSeconds: 0 });
  return sim;
}
