// The delivery job on real Redis and PostgreSQL, through a real BullMQ worker running jobs/handlers.ts:
// a job whose attempts ran out (失敗) delivers again when retried the way Bull Board retries it
// (job.getState() then job.retry(state)); a job that found its action leased by a worker that died
// completes without sending, and the sweep retries that finished job once the lease ran out (BullMQ
// ignores an add with the id of a job it keeps); a permanent refusal — in the cart's answer or as a
// 4xx the HTTP client throws — waits for a human: not retried by BullMQ, the sweep or a Bull Board
// retry; refused credentials fail at once. The cart is a contract implementation that counts what it
// was sent (each cart's own write tests are carts/*/actions.test.ts).
import { Worker } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, CartActions, ShipInput } from '../carts/actions.js';
import { CartAuthError, CartRequestError, CartUnavailableError } from '../carts/errors.js';
import { getCartAction } from '../db/cart-actions.js';
import type { Store } from '../db/stores.js';
import { loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createProducerConnection, createWorkerConnection, ready } from '../infra/redis.js';
import { createTestDb, redisUrl, TEST_SECRET_KEY, type TestDb, uniquePrefix } from '../test/harness.js';
import { createShop } from '../test/stock-fixtures.js';
import { sweepCartActions } from '../usecases/sweep-cart-actions.js';
import { backoffStrategy } from './backoff.js';
import { jobIds, QUEUES } from './catalogue.js';
import type { JobDeps } from './deps.js';
import { runJob } from './handlers.js';
import { createQueues, type Queues } from './queues.js';

class ScriptedCart implements CartActions {
  readonly cart = 'rakuten' as const;
  calls = 0;
  /** What each call does, in order; when empty, the call succeeds. */
  next: Array<ActionOutcome | Error> = [];
  carrierCode(c: string) {
    return c === 'yamato' ? '1001' : null;
  }
  async ship(_input: ShipInput): Promise<ActionOutcome> {
    this.calls++;
    const n = this.next.shift();
    if (n instanceof Error) throw n;
    return (
      n ?? { status: 'done', answer: '発送完了を登録しました', cartRefs: { 'package:1': `SD-${this.calls}` } }
    );
  }
}

describe('deliver-cart-action job: Bull Board retry, lost leases, permanent refusals', () => {
  let t: TestDb;
  let shop: Store;
  let queues: Queues;
  let worker: Worker;
  const cart = new ScriptedCart();
  const producer = () => createProducerConnection(redisUrl(), 'deliver-test');
  let conn: ReturnType<typeof producer>;
  let wconn: ReturnType<typeof createWorkerConnection>;
  let n = 0;

  beforeAll(async () => {
    logger.level = 'silent';
    t = await createTestDb('deliver_job');
    shop = await createShop(t.db, 'deliver-shop');
    const config = loadConfig({
      DATABASE_URL: t.url,
      REDIS_URL: redisUrl(),
      JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
      QUEUE_PREFIX: uniquePrefix('deliver'),
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '20',
    });
    conn = producer();
    await ready(conn);
    queues = createQueues(conn, config);
    const deps = {
      db: t.db,
      config,
      queues,
      log: logger,
      now: () => new Date(),
      adapterFor: async () => {
        throw new Error('no import in this test');
      },
      actionsFor: async () => cart,
      processId: 'test',
    } satisfies JobDeps;
    wconn = createWorkerConnection(redisUrl(), 'deliver-test-worker');
    worker = new Worker(QUEUES.shipping.name, (job, token) => runJob(job, token, deps), {
      connection: wconn,
      prefix: config.QUEUE_PREFIX,
      concurrency: 1,
      settings: { backoffStrategy: backoffStrategy(config.JOB_BACKOFF_MS) },
    });
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await worker?.close();
    await queues?.shipping.obliterate({ force: true }).catch(() => undefined);
    await queues?.close();
    conn?.disconnect();
    wconn?.disconnect();
    await t?.drop();
  });
  beforeEach(() => {
    cart.calls = 0;
    cart.next = [];
  });

  async function newAction() {
    n++;
    const [a] = await t.db
      .insertInto('cart_actions')
      .values({
        store_id: shop.id,
        kind: 'ship',
        cart_order_no: `dj-${n}`,
        action_key: `ship:test:${n}`,
        payload: JSON.stringify({
          packages: [
            { packageNo: 1, carrier: 'yamato', trackingNumber: `4000-${n}`, shippedOn: '2026-12-03' },
          ],
        }),
        created_by: 'test',
      })
      .returning('id')
      .execute();
    return a!.id;
  }
  const enqueue = (id: number) =>
    queues.add('deliver-cart-action', { actionId: id }, { jobId: jobIds.cartAction(id, 0) });
  const job = async (id: number) => (await queues.shipping.getJob(jobIds.cartAction(id, 0)))!;
  const jobState = async (id: number) => (await job(id)).getState();
  /** What Bull Board's retry button does (@bull-board/api handlers/retryJob.js). */
  async function bullBoardRetry(id: number) {
    const j = await job(id);
    const state = await j.getState();
    expect(['failed', 'completed']).toContain(state);
    await j.retry(state as 'failed' | 'completed');
  }

  it('a job whose attempts ran out (失敗) delivers again when retried from Bull Board', async () => {
    const id = await newAction();
    cart.next = [1, 2, 3].map(
      () => new CartUnavailableError('rakuten updateOrderShipping: HTTP 503', 'rakuten', 503),
    );
    const jobId = await enqueue(id);
    expect(jobId).toBe(`cart-action-${id}-r0`);
    expect(jobId).not.toContain(':');
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('failed');
    expect(cart.calls).toBe(3);
    expect(await getCartAction(t.db, id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_error: 'rakuten updateOrderShipping: HTTP 503',
      lease_until: null,
    });
    // Neither the sweep nor a new add brings a failed action back by itself: it waits for a retry.
    expect(await sweepCartActions({ db: t.db, now: () => new Date(), queues })).toBe(0);

    await bullBoardRetry(id);
    await expect.poll(async () => (await getCartAction(t.db, id))?.state, { timeout: 20_000 }).toBe('done');
    expect(cart.calls).toBe(4);
    expect(await getCartAction(t.db, id)).toMatchObject({
      cart_refs: { 'package:1': 'SD-4' },
      answer_code: 'done',
      last_error: null,
      // The retried job claimed a failed action: recorded as Bull Board's 再送 (same job, same round).
      resent_by: 'bullboard',
      resend_count: 1,
      retries: 0,
    });
    expect((await getCartAction(t.db, id))?.resent_at).toBeInstanceOf(Date);
    await expect.poll(() => jobState(id)).toBe('completed');
    // A second Bull Board retry of the completed job sends nothing: the action is done.
    await bullBoardRetry(id);
    await expect.poll(async () => (await job(id)).returnvalue?.status, { timeout: 20_000 }).toBe('skipped');
    expect(cart.calls).toBe(4);
    expect((await getCartAction(t.db, id))?.resend_count).toBe(1);
  }, 60_000);

  it('a job that found its action leased by a dead worker is retried by the sweep when the lease runs out', async () => {
    const id = await newAction();
    // A worker claimed it and died: delivering, lease still running.
    await t.db
      .updateTable('cart_actions')
      .set({ state: 'delivering', attempts: 1, lease_until: new Date(Date.now() + 600_000) })
      .where('id', '=', id)
      .execute();
    await enqueue(id);
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('completed');
    expect((await job(id)).returnvalue).toEqual({ status: 'skipped' });
    expect(cart.calls).toBe(0);
    // Nothing is due while the lease runs.
    expect(await sweepCartActions({ db: t.db, now: () => new Date(), queues })).toBe(0);
    // The lease ran out. The sweep's add of the same job id alone would be ignored (the completed job
    // is kept): it retries that job instead.
    await t.db
      .updateTable('cart_actions')
      .set({ lease_until: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    expect(
      await queues.add('deliver-cart-action', { actionId: id }, { jobId: jobIds.cartAction(id, 0) }),
    ).toBe(jobIds.cartAction(id, 0));
    expect(await jobState(id)).toBe('completed');
    expect(await sweepCartActions({ db: t.db, now: () => new Date(), queues })).toBe(1);
    await expect.poll(async () => (await getCartAction(t.db, id))?.state, { timeout: 20_000 }).toBe('done');
    expect(cart.calls).toBe(1);
    expect((await getCartAction(t.db, id))?.attempts).toBe(2);
  }, 60_000);

  it('a job that failed while its action stayed pending is retried by the sweep', async () => {
    const id = await newAction();
    cart.next = [1, 2, 3].map(() => new CartUnavailableError('rakuten: socket hang up', 'rakuten'));
    await enqueue(id);
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('failed');
    // As if the last failure was never written (PostgreSQL did not answer): pending and due.
    await t.db
      .updateTable('cart_actions')
      .set({ state: 'pending', next_attempt_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    expect(await sweepCartActions({ db: t.db, now: () => new Date(), queues })).toBe(1);
    await expect.poll(async () => (await getCartAction(t.db, id))?.state, { timeout: 20_000 }).toBe('done');
    expect(cart.calls).toBe(4);
  }, 60_000);

  it('a refusal in the answer waits for a human: no retry by BullMQ, the sweep or Bull Board', async () => {
    const id = await newAction();
    cart.next = [{ status: 'refused', code: 'ERROR_X', answer: '配送会社コードが不正です' }];
    await enqueue(id);
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('completed');
    expect(await getCartAction(t.db, id)).toMatchObject({
      state: 'refused',
      answer_code: 'ERROR_X',
      cart_answer: '配送会社コードが不正です',
      attempts: 1,
    });
    expect(await sweepCartActions({ db: t.db, now: () => new Date(Date.now() + 86_400_000), queues })).toBe(
      0,
    );
    await bullBoardRetry(id);
    await expect.poll(async () => (await job(id)).returnvalue?.status, { timeout: 20_000 }).toBe('skipped');
    expect(cart.calls).toBe(1);
    expect((await getCartAction(t.db, id))?.state).toBe('refused');
  }, 60_000);

  it('a 4xx the HTTP client throws (validation error) is 要対応 at once, not retried', async () => {
    const id = await newAction();
    cart.next = [
      new CartRequestError('rakuten updateOrderShipping: HTTP 400 shippingDate is invalid', 'rakuten', 400),
    ];
    await enqueue(id);
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('completed');
    expect(cart.calls).toBe(1);
    expect(await getCartAction(t.db, id)).toMatchObject({
      state: 'refused',
      answer_code: 'BAD_REQUEST',
      attempts: 1,
      lease_until: null,
    });
    expect((await getCartAction(t.db, id))?.cart_answer).toContain('shippingDate is invalid');
    expect(await sweepCartActions({ db: t.db, now: () => new Date(Date.now() + 86_400_000), queues })).toBe(
      0,
    );
  }, 60_000);

  it('refused credentials fail at once (失敗), then a Bull Board retry sends it', async () => {
    const id = await newAction();
    cart.next = [new CartAuthError('rakuten: 401 invalid license key', 'rakuten', 401)];
    await enqueue(id);
    await expect.poll(() => jobState(id), { timeout: 20_000 }).toBe('failed');
    expect(cart.calls).toBe(1);
    expect((await getCartAction(t.db, id))?.state).toBe('failed');
    await bullBoardRetry(id);
    await expect.poll(async () => (await getCartAction(t.db, id))?.state, { timeout: 20_000 }).toBe('done');
    expect(cart.calls).toBe(2);
  }, 60_000);
});
