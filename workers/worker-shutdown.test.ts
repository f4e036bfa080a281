// SIGTERM to a `juchu worker` in the middle of an import: the worker stops taking jobs, finishes the
// one it is running and exits 0 — the job completes on its first attempt instead of stalling and
// being run again by another worker. A job whose request is waiting for a rate-limit token (the
// store's bucket paused for minutes, as after a 429 with a long Retry-After) does not hold the
// shutdown: the wait ends at once, nothing is sent, the action is pending again and its job delayed
// without spending an attempt.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_LIMITS } from '../carts/rakuten/client.js';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { accountOf, limitBucket } from '../carts/rate-limit.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { getCartAction } from '../db/cart-actions.js';
import { type Store, upsertStore } from '../db/stores.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { RedisLimiter } from '../infra/redis-limiter.js';
import { jobIds } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';
import {
  childEnv,
  createTestDb,
  redisUrl,
  TEST_SECRET_KEY,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { countOrders, shopifyShop, testQueues } from '../test/pipeline.js';

const STORE = 'shopify-global';

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a worker given SIGTERM mid-import', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let queues: Queues;
  let producers: Awaited<ReturnType<typeof testQueues>>;
  let worker: ChildProcess | undefined;
  const prefix = uniquePrefix('term');

  beforeAll(async () => {
    t = await createTestDb('term');
    sim = await shopifyShop(t, 500, 9);
    producers = await testQueues(t, prefix, 'term-test');
    queues = producers.queues;
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await queues.import.obliterate({ force: true }).catch(() => undefined);
    await producers.close();
    await sim.stop();
    await t.drop();
  });

  it('finishes the running import, then exits 0', async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ slowMs: 400 }) });
    worker = spawn(process.execPath, ['bin/juchu.mjs', 'worker', '--queues', 'import'], {
      env: childEnv(t.url, prefix, { WORKER_CONCURRENCY: '1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => worker!.once('exit', (code) => r(code)));
    const jobId = await queues.add('import-store', {
      storeCode: STORE,
      trigger: 'manual',
      requestedBy: 'test',
    });
    await until(async () => (await countOrders(t.db, STORE)) > 0, 60_000, 'the first page to be stored');
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    const job = (await queues.import.getJob(jobId!))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(1); // finished by the worker that started it, not stalled
    expect(await queues.import.getActiveCount()).toBe(0);
  });
});

describe('a worker given SIGTERM while a cart action waits for a rate-limit token', () => {
  let t: TestDb;
  let sim: RunningRakutenSimulator;
  let store: Store;
  let producers: Awaited<ReturnType<typeof testQueues>>;
  let redis: ReturnType<typeof createProducerConnection>;
  let worker: ChildProcess | undefined;
  const prefix = uniquePrefix('term-limit');

  beforeAll(async () => {
    t = await createTestDb('term_limit');
    const now = Date.now();
    sim = (await rakutenSimulator.start({
      orders: 4,
      seed: 16,
      from: new Date(now - 6 * 86_400_000),
      to: new Date(now - 4 * 86_400_000),
      rateLimits: false,
    })) as RunningRakutenSimulator;
    store = await upsertStore(
      t.db,
      {
        code: 'rk-term',
        cart: 'rakuten',
        name: 'rk-term',
        baseUrl: sim.url,
        testStore: true,
        credentials: RAKUTEN_DEMO_CREDENTIALS,
      },
      TEST_SECRET_KEY,
    );
    producers = await testQueues(t, prefix, 'term-limit-test');
    redis = createProducerConnection(redisUrl(), 'term-limit-test-limiter');
    await ready(redis);
  }, 60_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await producers?.queues.shipping.obliterate({ force: true }).catch(() => undefined);
    await producers?.close();
    redis?.disconnect();
    await sim?.stop();
    await t?.drop();
  });

  it('stops waiting at once, sends nothing, leaves the action to be retried and exits 0 promptly', async () => {
    // The shop's bucket (every process of the shop shares it) paused for two minutes.
    const spec = RAKUTEN_LIMITS['*']!;
    const bucket = limitBucket('rakuten', accountOf(RAKUTEN_DEMO_CREDENTIALS.serviceSecret), '*');
    await new RedisLimiter(redis, prefix).pause(bucket, spec, 120_000);
    const cartOrderNo = sim.book.cartOrderNo(sim.book.visible()[0]!);
    const [a] = await t.db
      .insertInto('cart_actions')
      .values({
        store_id: store.id,
        kind: 'ship',
        cart_order_no: cartOrderNo,
        action_key: `ship:${cartOrderNo}:term`,
        payload: JSON.stringify({
          packages: [
            { packageNo: 1, carrier: 'yamato', trackingNumber: '4000-7001', shippedOn: '2026-12-03' },
          ],
        }),
        created_by: 'test',
      })
      .returning('id')
      .execute();
    const id = a!.id;
    const jobId = jobIds.cartAction(id, 0);
    await producers.queues.add('deliver-cart-action', { actionId: id }, { jobId });

    worker = spawn(process.execPath, ['bin/juchu.mjs', 'worker', '--queues', 'shipping'], {
      env: childEnv(t.url, prefix, { WORKER_CONCURRENCY: '1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => worker!.once('exit', (code) => r(code)));
    await until(
      async () => (await getCartAction(t.db, id))?.state === 'delivering',
      60_000,
      'the worker to claim the action',
    );
    // Its request is now waiting for the bucket (asking again every second).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sim.stats.requests).toBe(0);

    const termAt = Date.now();
    worker.kill('SIGTERM');
    await until(
      async () => (await getCartAction(t.db, id))?.state === 'pending',
      10_000,
      'the action to be pending again',
    );
    expect(Date.now() - termAt).toBeLessThan(1_000);
    expect(await exited).toBe(0);
    // Well before the shutdown's 20 s deadline and the bucket's two minutes.
    expect(Date.now() - termAt).toBeLessThan(5_000);

    expect(sim.stats.requests).toBe(0);
    const row = (await getCartAction(t.db, id))!;
    expect(row).toMatchObject({ state: 'pending', lease_until: null });
    expect(row.last_error).toMatch(/process is stopping/);
    const job = (await producers.queues.shipping.getJob(jobId))!;
    expect(await job.getState()).toBe('delayed');
    expect(job.attemptsMade).toBe(0);
  }, 90_000);
});
