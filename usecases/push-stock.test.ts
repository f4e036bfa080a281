// 在庫連携 end to end against the Rakuten simulator, through the outbox (requested, then delivered as
// the deliver-cart-action job does): each store's free quantity (its warehouses, safety stock, sets,
// several cart codes for one product) pushed as absolute numbers, only what changed sent again, the push off by default, an import that reserves lowering the number, the full sync
// finding and repairing drift, and a failure recorded and retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import type { RunningRakutenSimulator } from '../carts/rakuten/simulator.js';
import { rakutenSimulator } from '../carts/rakuten/simulator.js';
import { pushLagByStore, pushStateOf, setStoreSafety } from '../db/stock-push.js';
import { type Store, upsertStore } from '../db/stores.js';
import { replaceStoreWarehouses } from '../db/warehouses.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { childEnv, runJuchu, TEST_SECRET_KEY, uniquePrefix } from '../test/harness.js';
import { at, cartOrder, importOrders, NOW, stockWorld } from '../test/stock-fixtures.js';
import { deliverPendingStock, pushThroughOutbox } from '../test/stock-push-outbox.js';
import { depsOf } from './deps.js';
import { planStockPush } from './push-stock.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };

describe('stock push (在庫連携)', () => {
  const w = stockWorld('stock-push', {}, { TEA: { tokyo: 10, osaka: 5 }, CUP: { tokyo: 4 } });
  let sim: RunningRakutenSimulator;
  let a: Store;
  let b: Store;
  const deps = () => ({ ...depsOf(w.db, NOW), actionsFor: storeActionsFactory(w.db, TEST_SECRET_KEY, HTTP) });
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

  beforeAll(async () => {
    sim = await rakutenSimulator.start({ orders: 0, rateLimits: false });
    a = await store('rk-a', { stockPush: true, stockPushOwnCodes: false });
    b = await store('rk-b', {});
    await w.db.insertInto('products').values({ code: 'GIFT', name: 'ギフト', tax_rate: 8 }).execute();
    await w.db
      .insertInto('product_components')
      .values([
        { set_code: 'GIFT', component_code: 'CUP', quantity: 2 },
        { set_code: 'GIFT', component_code: 'TEA', quantity: 1 },
      ])
      .execute();
    await w.db
      .insertInto('store_product_mappings')
      .values([
        { store_id: a.id, cart_product_code: 'TSE-0013-9124', product_code: 'TEA', units_per_cart_unit: 1 },
        { store_id: a.id, cart_product_code: 'TEA-2P', product_code: 'TEA', units_per_cart_unit: 2 },
        { store_id: a.id, cart_product_code: 'GIFT-SET', product_code: 'GIFT', units_per_cart_unit: 1 },
        { store_id: b.id, cart_product_code: 'TSE-0013-9124', product_code: 'TEA', units_per_cart_unit: 1 },
      ])
      .execute();
    await replaceStoreWarehouses(w.db, a.id, ['tokyo']);
    await setStoreSafety(w.db, a.id, 'TEA', 1);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('the dry run shows each item: free over the store warehouses, minus safety, in cart units, sets from components', async () => {
    const plan = await planStockPush(w.ops(), { storeCode: 'rk-a' });
    expect(plan.enabled).toBe(true);
    expect(plan.items.map((i) => [i.cartProductCode, i.free, i.safety, i.quantity, i.changes])).toEqual([
      ['GIFT-SET', 2, 0, 2, true],
      ['TEA-2P', 10, 1, 4, true],
      ['TSE-0013-9124', 10, 1, 9, true],
    ]);
    expect(sim.stats.byRoute.inventoryBulkUpsert ?? 0).toBe(0);
  });

  it('pushes absolute numbers in one batch, then only what changed; a store whose push is off sends nothing', async () => {
    // Two stock actions (TEA, GIFT), delivered as one cart call: the store's pending ones in a batch.
    const r = await pushThroughOutbox(deps(), { storeCode: 'rk-a' });
    expect(r.request).toMatchObject({ enabled: true, actions: 2 });
    expect(r.error).toBeNull();
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(9);
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(1);
    expect((await pushThroughOutbox(deps(), { storeCode: 'rk-a' })).request.actions).toBe(0);
    const off = await pushThroughOutbox(deps(), { storeCode: 'rk-b' });
    expect(off.request).toMatchObject({ enabled: false, actions: 0 });
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(1);
    const state = await pushStateOf(w.db, { storeId: a.id });
    expect(state.every((s) => s.outcome === 'accepted' && s.pushedAt !== null)).toBe(true);
  });

  it('an import that reserves lowers the number; only the changed product items go, coalesced', async () => {
    await importOrders(w.db, a, [
      cartOrder(a, 'o-1', { orderedAt: at(1), lines: [['TSE-0013-9124', 1]] }),
      cartOrder(a, 'o-2', { orderedAt: at(2), lines: [['TSE-0013-9124', 2]] }),
    ]);
    const plan = await planStockPush(w.ops(), { storeCode: 'rk-a', productCodes: ['TEA'] });
    expect(plan.items.filter((i) => i.changes).map((i) => [i.cartProductCode, i.quantity])).toEqual([
      ['TEA-2P', 3],
      ['TSE-0013-9124', 6],
    ]);
    // The import recorded TEA's and its set GIFT's actions; the operator's push of TEA is the same two.
    const r = await pushThroughOutbox(deps(), { storeCode: 'rk-a', productCodes: ['TEA'] });
    expect(r.request.actions).toBe(2);
    expect(r.error).toBeNull();
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(2);
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(6);
    const tea2p = (await pushStateOf(w.db, { storeId: a.id })).find((x) => x.cartProductCode === 'TEA-2P');
    expect(tea2p).toMatchObject({ pushedQuantity: 3, outcome: 'accepted' });
  });

  it('the full sync re-reads the cart, records the drift and sends the right number again', async () => {
    sim.book.stock.set('TSE-0013-9124', 50);
    const r = await pushThroughOutbox(deps(), { storeCode: 'rk-a', full: true });
    expect(r.request).toMatchObject({ drifted: 1, actions: 2 }); // TEA and its set GIFT
    expect(r.error).toBeNull();
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(6);
    const [row] = await pushStateOf(w.db, { storeId: a.id, onlyProblems: true });
    expect(row).toMatchObject({ cartProductCode: 'TSE-0013-9124', cartQuantity: 50, drift: 44 });
  });

  it('a cart failure is recorded with its message and sent again next time', async () => {
    await w.db
      .updateTable('stock_levels')
      .set({ on_hand: 20 })
      .where('product_code', '=', 'TEA')
      .where('warehouse_code', '=', 'tokyo')
      .execute();
    sim.faults.serverErrors = 10;
    const r = await pushThroughOutbox(deps(), { storeCode: 'rk-a', productCodes: ['TEA'] });
    expect(r.error).toMatch(/HTTP 50/);
    const lag = await pushLagByStore(w.db, new Date(NOW.getTime() + 60_000));
    expect(lag.find((l) => l.storeId === a.id)).toMatchObject({ failed: 2 }); // TEA-2P, TSE-0013-9124
    sim.faults.serverErrors = 0;
    // The failed action is pending again (the job's retry): delivered now, both items accepted.
    const again = await deliverPendingStock(deps(), 'rk-a');
    expect(again.error).toBeNull();
    expect(sim.book.stock.get('TSE-0013-9124')).toBe(16);
    expect((await pushLagByStore(w.db, NOW)).find((l) => l.storeId === a.id)).toMatchObject({ failed: 0 });
  });

  it('juchu stock push --dry-run shows what would go and sends nothing; juchu stock pushes lists the state', async () => {
    await w.db
      .updateTable('stock_levels')
      .set({ on_hand: 30 })
      .where('product_code', '=', 'TEA')
      .where('warehouse_code', '=', 'tokyo')
      .execute();
    const before = sim.stats.byRoute.inventoryBulkUpsert;
    const env = childEnv(w.t.url, uniquePrefix('stock-push'));
    const dry = await runJuchu(['stock', 'push', '--dry-run', '--store', 'rk-a'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/rk-a \(rakuten\) 在庫連携 オン: 3 商品, 送信対象 2/);
    expect(dry.stdout).toMatch(/→ TSE-0013-9124\s+26/);
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(before);
    const list = await runJuchu(['stock', 'pushes', '--store', 'rk-a', '--problems'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/TSE-0013-9124/);
  }, 60_000);
});
