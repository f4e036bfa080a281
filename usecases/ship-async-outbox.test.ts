// Rakuten 発送完了 in bulk through the outbox (updateOrderShippingAsync + getResultUpdateOrderShippingAsync),
// on a real PostgreSQL and the Rakuten simulator over HTTP: a store's due ship actions go in one
// request; its requestId is stored on the rows as soon as Rakuten takes it, so when the delivery gives
// up polling (or its worker dies) the retry reads that request's result instead of sending again —
// one request in all, each order's shipment recorded once with its shippingDetailId. A lone action
// goes the synchronous way (updateOrderShipping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { getCartAction } from '../db/cart-actions.js';
import { type Store, upsertStore } from '../db/stores.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { deliverCartAction } from './deliver-cart-action.js';
import { depsOf } from './deps.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };
const DAY_MS = 86_400_000;

describe('Rakuten updateOrderShippingAsync through the outbox', () => {
  let t: TestDb;
  let sim: RunningRakutenSimulator;
  let store: Store;
  let ready: string[];
  const deps = () => ({ ...depsOf(t.db), actionsFor: storeActionsFactory(t.db, TEST_SECRET_KEY, HTTP) });
  const deliver = (actionId: number) =>
    deliverCartAction(deps(), { actionId, final: false, retryAt: new Date() });
  async function shipAction(cartOrderNo: string, tracking: string) {
    const [a] = await t.db
      .insertInto('cart_actions')
      .values({
        store_id: store.id,
        kind: 'ship',
        cart_order_no: cartOrderNo,
        action_key: `ship:${cartOrderNo}:${tracking}`,
        payload: JSON.stringify({
          packages: [{ packageNo: 1, carrier: 'yamato', trackingNumber: tracking, shippedOn: '2026-12-03' }],
        }),
        created_by: 'test',
      })
      .returning('id')
      .execute();
    return a!.id;
  }

  beforeAll(async () => {
    t = await createTestDb('ship-async');
    const now = Date.now();
    sim = (await rakutenSimulator.start({
      orders: 60,
      seed: 11,
      // Every payment and cancel has happened: card orders are 300 発送待ち.
      from: new Date(now - 6 * DAY_MS),
      to: new Date(now - 4 * DAY_MS),
      rateLimits: false,
    })) as RunningRakutenSimulator;
    store = await upsertStore(
      t.db,
      {
        code: 'rk-async',
        cart: 'rakuten',
        name: 'rk-async',
        baseUrl: sim.url,
        testStore: true,
        // One poll, then it gives up (the simulator answers "no result yet" the first time).
        settings: { asyncPollMs: 5, asyncMaxWaitMs: 0 },
        credentials: RAKUTEN_DEMO_CREDENTIALS,
      },
      TEST_SECRET_KEY,
    );
    ready = sim.book
      .visible()
      .filter((v) => v.state === 'paid' && v.shipTos.length === 1)
      .map((v) => sim.book.cartOrderNo(v));
    expect(ready.length).toBeGreaterThanOrEqual(4);
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await t?.drop();
  });

  it('one request for the store’s due actions; a retry polls the stored requestId and sends nothing again', async () => {
    const ids = [
      await shipAction(ready[0]!, '4000-0001'),
      await shipAction(ready[1]!, '4000-0002'),
      await shipAction(ready[2]!, '4000-0003'),
    ];
    // Rakuten took the request, the result was not there at the one poll: retried later, the id kept.
    await expect(deliver(ids[0]!)).rejects.toThrow(/no result after/);
    expect(sim.stats.byRoute.updateOrderShippingAsync).toBe(1);
    const [requestId] = [...sim.rakuten.asyncRequests.keys()];
    for (const id of ids)
      expect(await getCartAction(t.db, id)).toMatchObject({ state: 'pending', async_request_id: requestId });

    const r = await deliver(ids[0]!);
    expect(r).toMatchObject({ status: 'done', ids });
    // No second request: the stored one's result was read, and getOrder found the parcels it recorded.
    expect(sim.stats.byRoute.updateOrderShippingAsync).toBe(1);
    expect(sim.stats.byRoute.updateOrderShipping ?? 0).toBe(0);
    expect([...sim.rakuten.asyncRequests.values()]).toEqual([{ orders: 3, polls: 2, done: true }]);
    for (const id of ids) {
      const a = await getCartAction(t.db, id);
      expect(a).toMatchObject({ state: 'done', answer_code: 'already', async_request_id: requestId });
      expect(Object.values(a!.cart_refs)).toEqual([expect.stringMatching(/^\d+$/)]);
    }
    // Its mates' own jobs find them done.
    expect(await deliver(ids[1]!)).toEqual({ status: 'skipped' });
  });

  it('a lone action goes the synchronous way', async () => {
    const id = await shipAction(ready[3]!, '4000-0004');
    expect(await deliver(id)).toMatchObject({ status: 'done', ids: [id] });
    expect(sim.stats.byRoute.updateOrderShipping).toBe(1);
    expect(sim.stats.byRoute.updateOrderShippingAsync).toBe(1);
    expect((await getCartAction(t.db, id))?.async_request_id).toBeNull();
  });
});
