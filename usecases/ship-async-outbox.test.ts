// Rakuten 発送完了 in bulk through the outbox (updateOrderShippingAsync + getResultUpdateOrderShippingAsync),
// on a real PostgreSQL and the Rakuten simulator over HTTP: a store's due ship actions go in one
// request; its requestId is stored on the rows as soon as Rakuten takes it, so when the delivery gives
// up polling (or its worker dies) the retry reads that request's result instead of sending again —
// one request in all, each order's shipment recorded once with its shippingDetailId. A lone action
// goes the synchronous way (updateOrderShipping). A stored requestId Rakuten no longer knows (its
// result expired, or the request was lost) answers the same "no result" as one still processing: past
// asyncLostAfterMs the orders are re-read instead — done when the parcels are there, else sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { getCartAction } from '../db/cart-actions.js';
import { type Store, upsertStore } from '../db/stores.js';
import { storeActionsFactory, storeAdapterFactory } from '../jobs/deps.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { deliverCartAction } from './deliver-cart-action.js';
import { depsOf } from './deps.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe('Rakuten updateOrderShippingAsync through the outbox', () => {
  let t: TestDb;
  let sim: RunningRakutenSimulator;
  let store: Store;
  let ready: string[];
  /** Time passed for Rakuten and juchu alike (ms); it only moves on. */
  let shift = 0;
  const clock = () => new Date(Date.now() + shift);
  const deps = () => ({
    ...depsOf(t.db),
    now: clock,
    actionsFor: storeActionsFactory(t.db, TEST_SECRET_KEY, HTTP, undefined, clock),
  });
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
      clock,
      // Results kept an hour (Rakuten: 30 days), so that a stored id expires while juchu, which asks
      // for ids younger than 30 days, would still poll it.
      asyncResultsKeptMs: HOUR_MS,
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
    expect(ready.length).toBeGreaterThanOrEqual(10);
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
    expect([...sim.rakuten.asyncRequests.values()]).toEqual([
      { orders: 3, polls: 2, done: true, known: true },
    ]);
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

  /** Each order's parcels as getOrder shows them now: [shippingNumber, shippingDetailId]. */
  async function parcels(no: string) {
    const adapter = await storeAdapterFactory(t.db, TEST_SECRET_KEY, HTTP, undefined, clock)(store);
    const raw = (await adapter.fetchOrder(no))!.payload as {
      PackageModelList: Array<{
        ShippingModelList: Array<{ shippingNumber: string; shippingDetailId: number }>;
      }>;
    };
    return raw.PackageModelList.flatMap((p) =>
      p.ShippingModelList.map((m) => [m.shippingNumber, String(m.shippingDetailId)]),
    );
  }
  const asyncSent = () => sim.stats.byRoute.updateOrderShippingAsync ?? 0;

  it('a stored requestId whose result expired: the orders are re-read, the parcels it recorded are there, done without sending again', async () => {
    const nos = [ready[4]!, ready[5]!, ready[6]!];
    const ids = [
      await shipAction(nos[0]!, '4000-0005'),
      await shipAction(nos[1]!, '4000-0006'),
      await shipAction(nos[2]!, '4000-0007'),
    ];
    const before = asyncSent();
    await expect(deliver(ids[0]!)).rejects.toThrow(/no result after/);
    expect(asyncSent()).toBe(before + 1);
    const requestId = (await getCartAction(t.db, ids[0]!))!.async_request_id!;
    const syncBefore = sim.stats.byRoute.updateOrderShipping ?? 0;
    // Two hours on: past the simulator's keeping of results and juchu's asyncLostAfterMs (30 min).
    shift += 2 * HOUR_MS;
    const r = await deliver(ids[0]!);
    expect(r).toMatchObject({ status: 'done', ids });
    expect(sim.rakuten.asyncRequests.get(requestId)).toMatchObject({ done: true, known: false });
    expect(asyncSent()).toBe(before + 1);
    expect(sim.stats.byRoute.updateOrderShipping ?? 0).toBe(syncBefore);
    for (const [i, id] of ids.entries()) {
      const a = await getCartAction(t.db, id);
      expect(a).toMatchObject({ state: 'done', answer_code: 'already', async_request_id: requestId });
      // Recorded once, by the expired request.
      expect(await parcels(nos[i]!)).toEqual([[`4000-000${5 + i}`, Object.values(a!.cart_refs)[0]]]);
    }
  });

  it('a stored requestId Rakuten lost before doing it: the orders are re-read and sent again, each parcel once', async () => {
    const nos = [ready[7]!, ready[8]!, ready[9]!];
    const ids = [
      await shipAction(nos[0]!, '4000-0008'),
      await shipAction(nos[1]!, '4000-0009'),
      await shipAction(nos[2]!, '4000-0010'),
    ];
    const before = asyncSent();
    await expect(deliver(ids[0]!)).rejects.toThrow(/no result after/);
    const lost = (await getCartAction(t.db, ids[0]!))!.async_request_id!;
    expect(sim.rakuten.loseAsyncRequest(lost)).toBe(true);
    // Still younger than asyncLostAfterMs: it may be processing, so it is polled, not sent again.
    await expect(deliver(ids[0]!)).rejects.toThrow(/no result after/);
    expect(asyncSent()).toBe(before + 1);
    shift += HOUR_MS;
    // Past asyncLostAfterMs: nothing of it at Rakuten, so the three go in a new request (whose
    // result the one poll does not see yet), and the next attempt reads that one's result.
    await expect(deliver(ids[0]!)).rejects.toThrow(/no result after/);
    expect(asyncSent()).toBe(before + 2);
    const again = (await getCartAction(t.db, ids[0]!))!.async_request_id!;
    expect(again).not.toBe(lost);
    expect(await deliver(ids[0]!)).toMatchObject({ status: 'done', ids });
    expect(asyncSent()).toBe(before + 2);
    expect(sim.rakuten.asyncRequests.get(lost)).toMatchObject({ done: false, known: false });
    expect(sim.rakuten.asyncRequests.get(again)).toMatchObject({ done: true, known: true });
    for (const [i, id] of ids.entries()) {
      const a = await getCartAction(t.db, id);
      expect(a).toMatchObject({ state: 'done', async_request_id: again });
      expect(await parcels(nos[i]!)).toEqual([
        [`4000-00${String(8 + i).padStart(2, '0')}`, Object.values(a!.cart_refs)[0]],
      ]);
    }
  });
});
