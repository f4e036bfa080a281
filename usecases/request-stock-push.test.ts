// 在庫連携 asked for now (an operator's 「この商品の在庫を今すぐ連携」, a store's push, the full sync) goes
// through the cart-actions outbox, on a real PostgreSQL and the Rakuten simulator: the request sends
// nothing itself, it records one pending `stock` action per store × product (coalesced with a stock
// change of the same moment) and enqueues its delivery after commit; the delivery sends. The full
// sync reads the cart first, records the drift and the actions in one transaction; the job
// `push-stock` does the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { pushStateOf } from '../db/stock-push.js';
import { type Store, upsertStore } from '../db/stores.js';
import type { JobDeps } from '../jobs/deps.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { processPushStock } from '../jobs/push-stock.js';
import { TEST_SECRET_KEY } from '../test/harness.js';
import { NOW, stockWorld } from '../test/stock-fixtures.js';
import { deliverCartAction } from './deliver-cart-action.js';
import { depsOf } from './deps.js';
import { receiveStock } from './receive-stock.js';
import { requestStockPush } from './request-stock-push.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };

describe('在庫連携 on request, through the outbox', () => {
  const w = stockWorld('stock-request', {}, { TEA: { tokyo: 10 }, CUP: { tokyo: 4 } });
  let sim: RunningRakutenSimulator;
  let on: Store;
  const queued: number[] = [];
  const queues = {
    add: async (_name: string, data: unknown) => {
      queued.push((data as { actionId: number }).actionId);
      return undefined as never;
    },
  };
  const actionsFor = () => storeActionsFactory(w.db, TEST_SECRET_KEY, HTTP);
  const store = (code: string, settings: Record<string, unknown>) =>
    upsertStore(
      w.db,
      {
        code,
        cart: 'rakuten',
        name: code,
        baseUrl: sim.url,
        testStore: true,
        settings,
        credentials: RAKUTEN_DEMO_CREDENTIALS,
      },
      TEST_SECRET_KEY,
    );
  const pending = async () =>
    (
      await w.db
        .selectFrom('cart_actions as a')
        .innerJoin('stores as s', 's.id', 'a.store_id')
        .select(['a.id', 's.code', 'a.payload', 'a.created_by'])
        .where('a.kind', '=', 'stock')
        .where('a.state', '=', 'pending')
        .orderBy('a.id')
        .execute()
    ).map((r) => ({
      id: r.id,
      by: r.created_by,
      key: `${r.code}:${(r.payload as { productCode: string }).productCode}`,
    }));
  const deliverAll = async () => {
    for (const p of await pending())
      await deliverCartAction(
        { ...depsOf(w.db, NOW), actionsFor: actionsFor() },
        { actionId: p.id, final: false, retryAt: NOW },
      );
  };
  /** What the cart shows now (its bulk-get), per own code. */
  const cart = async (code: string) =>
    (await (await actionsFor()(on)).readStock!([{ cartProductCode: code, cartOptionCode: null }])).get(code);
  const upserts = () => sim.stats.byRoute.inventoryBulkUpsert ?? 0;

  beforeAll(async () => {
    sim = await rakutenSimulator.start({ orders: 0, rateLimits: false });
    on = await store('rk-on', { stockPush: true });
    await store('rk-off', {});
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('「この商品の在庫を今すぐ連携」 records one action and enqueues it; the delivery sends, not the request', async () => {
    queued.length = 0;
    const before = upserts();
    const r = await requestStockPush(
      { ...depsOf(w.db, NOW), queues },
      { storeCode: 'rk-on', productCodes: ['TEA'], actor: 'user:op' },
    );
    expect(r).toMatchObject({ enabled: true, actions: 1, enqueued: true });
    expect(upserts()).toBe(before);
    const found = await pending();
    expect(found.map((p) => [p.key, p.by])).toEqual([['rk-on:TEA', 'user:op']]);
    expect(queued).toEqual(found.map((p) => p.id));
    // A change at the same moment coalesces with it: still one pending action for TEA.
    await receiveStock(w.ops(), { productCode: 'TEA', warehouse: 'tokyo', quantity: 2 });
    expect((await pending()).map((p) => p.key)).toEqual(['rk-on:TEA']);
    await deliverAll();
    expect(upserts()).toBe(before + 1);
    expect(await cart('TEA')).toBe(12);
    expect(await pending()).toEqual([]);
  });

  it('a store push records only the products the cart does not show yet; a store whose push is off records nothing', async () => {
    const r = await requestStockPush(
      { ...depsOf(w.db, NOW), queues },
      { storeCode: 'rk-on', actor: 'user:op' },
    );
    expect(r.actions).toBe(1);
    expect((await pending()).map((p) => p.key)).toEqual(['rk-on:CUP']);
    const off = await requestStockPush(
      { ...depsOf(w.db, NOW), queues },
      { storeCode: 'rk-off', actor: 'user:op' },
    );
    expect(off).toMatchObject({ enabled: false, actions: 0 });
    expect(off.message).toContain('在庫連携がオフ');
    await deliverAll();
    expect(await cart('CUP')).toBe(4);
    const again = await requestStockPush(
      { ...depsOf(w.db, NOW), queues },
      { storeCode: 'rk-on', actor: 'user:op' },
    );
    expect(again.actions).toBe(0);
  });

  it('the full sync job reads the cart, records the drift and an action in one go; the delivery repairs it', async () => {
    // Someone typed 50 in the cart's own screen.
    await (await actionsFor()(on)).setStock!([
      { cartProductCode: 'TEA', cartOptionCode: null, quantity: 50 },
    ]);
    queued.length = 0;
    const before = upserts();
    const reads = sim.stats.byRoute.inventoryBulkGet ?? 0;
    const r = await processPushStock({ storeCode: 'rk-on', full: true }, {
      db: w.db,
      now: () => NOW,
      queues,
      actionsFor: actionsFor(),
    } as unknown as JobDeps);
    expect(r).toMatchObject({ read: 2, drifted: 1, actions: 1, enqueued: true });
    expect(sim.stats.byRoute.inventoryBulkGet).toBe(reads + 1);
    expect(upserts()).toBe(before);
    expect((await pending()).map((p) => [p.key, p.by])).toEqual([['rk-on:TEA', 'stock-full-sync']]);
    const [row] = await pushStateOf(w.db, { storeId: on.id, onlyProblems: true });
    expect(row).toMatchObject({ cartProductCode: 'TEA', cartQuantity: 50, drift: 38 });
    await deliverAll();
    expect(await cart('TEA')).toBe(12);
    expect(upserts()).toBe(before + 1);
    // Nothing differs now: the next full sync reads and records nothing.
    const clean = await processPushStock({ storeCode: 'rk-on', full: true }, {
      db: w.db,
      now: () => NOW,
      queues,
      actionsFor: actionsFor(),
    } as unknown as JobDeps);
    expect(clean).toMatchObject({ drifted: 0, actions: 0 });
  });
});
