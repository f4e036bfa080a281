// 在庫連携 through the cart-actions outbox, on a real PostgreSQL and the Rakuten simulator: every
// operation that moves stock (an arrival, a correction, an import that reserves, a cancel, a
// shipment, a set change) records a `stock` action per store whose push is on × product, in its own
// transaction, one pending per store × product however many changes come; the delivery computes the
// quantity when it runs (absolute) and sends the store's pending actions in one cart batch; a change
// made while an action is on its way waits behind it; after commit the delivery jobs are enqueued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAKUTEN_DEMO_CREDENTIALS } from '../carts/rakuten/demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { claimCartAction } from '../db/cart-actions.js';
import { pushStateOf } from '../db/stock-push.js';
import { type Store, upsertStore } from '../db/stores.js';
import { storeActionsFactory } from '../jobs/deps.js';
import { TEST_SECRET_KEY } from '../test/harness.js';
import { passThroughAdapter } from '../test/order-builder.js';
import { at, cartOrder, NOW, stockWorld } from '../test/stock-fixtures.js';
import { cancelOrders } from './cancel-order.js';
import { confirmShipment } from './confirm-shipment.js';
import { correctStock } from './correct-stock.js';
import { deliverCartAction } from './deliver-cart-action.js';
import { depsOf } from './deps.js';
import { importPage } from './import-page.js';
import { receiveStock } from './receive-stock.js';
import { setProductComponents } from './save-product-set.js';
import { shippingInstruction } from './shipping-instruction.js';

const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 2 };

describe('在庫連携 through the outbox', () => {
  const w = stockWorld('stock-outbox', {}, { TEA: { tokyo: 10 }, CUP: { tokyo: 4 } });
  let sim: RunningRakutenSimulator;
  let on: Store;
  let off: Store;
  const queued: number[] = [];
  const queues = {
    add: async (_name: string, data: unknown) => {
      queued.push((data as { actionId: number }).actionId);
      return undefined as never;
    },
  };
  const deliverDeps = () => ({
    ...depsOf(w.db, NOW),
    actionsFor: storeActionsFactory(w.db, TEST_SECRET_KEY, HTTP),
  });
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
  /** The pending stock actions, as `store code:product`. */
  const pending = async () =>
    (
      await w.db
        .selectFrom('cart_actions as a')
        .innerJoin('stores as s', 's.id', 'a.store_id')
        .select(['a.id', 's.code', 'a.payload'])
        .where('a.kind', '=', 'stock')
        .where('a.state', '=', 'pending')
        .orderBy('a.id')
        .execute()
    ).map((r) => ({ id: r.id, key: `${r.code}:${(r.payload as { productCode: string }).productCode}` }));
  /** What the cart shows now (its bulk-get), per own code. */
  const cart = async (code: string) =>
    (
      await (
        await storeActionsFactory(w.db, TEST_SECRET_KEY, HTTP)(on)
      ).readStock!([{ cartProductCode: code, cartOptionCode: null }])
    ).get(code);
  const deliverAll = async () => {
    for (const p of await pending())
      await deliverCartAction(deliverDeps(), { actionId: p.id, final: false, retryAt: NOW });
  };

  beforeAll(async () => {
    sim = await rakutenSimulator.start({ orders: 0, rateLimits: false });
    on = await store('rk-on', { stockPush: true });
    off = await store('rk-off', {});
    await w.db.insertInto('products').values({ code: 'GIFT', name: 'ギフト', tax_rate: 8 }).execute();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('an arrival records one pending action per store with the push on × product, sets included; a burst stays one', async () => {
    await setProductComponents(w.ops(), {
      setCode: 'GIFT',
      components: [
        { productCode: 'CUP', quantity: 2 },
        { productCode: 'TEA', quantity: 1 },
      ],
    });
    expect((await pending()).map((p) => p.key).sort()).toEqual(['rk-on:CUP', 'rk-on:GIFT', 'rk-on:TEA']);
    for (let i = 0; i < 5; i++)
      await receiveStock(w.ops(), { productCode: 'TEA', warehouse: 'tokyo', quantity: 1 });
    await correctStock(w.ops(), { productCode: 'CUP', warehouse: 'tokyo', counted: 6 });
    expect((await pending()).map((p) => p.key).sort()).toEqual(['rk-on:CUP', 'rk-on:GIFT', 'rk-on:TEA']);
    expect((await pending()).some((p) => p.key.startsWith(off.code))).toBe(false);
  });

  it('delivery computes the quantities now and sends the store’s pending actions in one cart call', async () => {
    const before = sim.stats.byRoute.inventoryBulkUpsert ?? 0;
    const [lead] = await pending();
    const r = await deliverCartAction(deliverDeps(), { actionId: lead!.id, final: false, retryAt: NOW });
    expect(r).toMatchObject({ status: 'done' });
    expect(r.status === 'done' && r.ids.length).toBe(3);
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(before + 1);
    expect(await cart('TEA')).toBe(15);
    expect(await cart('CUP')).toBe(6);
    expect(await cart('GIFT')).toBe(3);
    expect(await pending()).toEqual([]);
    const state = await pushStateOf(w.db, { storeId: on.id });
    expect(state.map((s) => [s.cartProductCode, s.pushedQuantity, s.outcome])).toEqual([
      ['CUP', 6, 'accepted'],
      ['GIFT', 3, 'accepted'],
      ['TEA', 15, 'accepted'],
    ]);
    // Its mates' own jobs find them done and send nothing.
    for (const id of r.status === 'done' ? r.ids.slice(1) : [])
      expect(await deliverCartAction(deliverDeps(), { actionId: id, final: false, retryAt: NOW })).toEqual({
        status: 'skipped',
      });
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(before + 1);
  });

  it('a change while an action is on its way records a new one that waits behind it', async () => {
    await receiveStock(w.ops(), { productCode: 'CUP', warehouse: 'tokyo', quantity: 2 });
    const first = (await pending()).find((p) => p.key === 'rk-on:CUP')!;
    expect(await claimCartAction(w.db, first.id, NOW, 60_000)).toBeDefined();
    await receiveStock(w.ops(), { productCode: 'CUP', warehouse: 'tokyo', quantity: 2 });
    const second = (await pending()).find((p) => p.key === 'rk-on:CUP')!;
    expect(second.id).not.toBe(first.id);
    expect(await claimCartAction(w.db, second.id, NOW, 60_000)).toBeUndefined();
    // The first one's worker died: its lease runs out, its job (or the sweep's) delivers it.
    await w.db
      .updateTable('cart_actions')
      .set({ lease_until: new Date(0) })
      .where('id', '=', first.id)
      .execute();
    await deliverCartAction(deliverDeps(), { actionId: first.id, final: false, retryAt: NOW });
    await deliverAll();
    expect(await cart('CUP')).toBe(10);
    expect(await cart('GIFT')).toBe(5);
  });

  it('an import that reserves records the actions in its page and enqueues their delivery after commit', async () => {
    queued.length = 0;
    const orders = [
      cartOrder(on, 'o-1', { orderedAt: at(1), lines: [['TEA', 2]] }),
      cartOrder(on, 'o-2', { orderedAt: at(2), lines: [['TEA', 3]] }),
    ];
    const counts = await importPage(
      { ...depsOf(w.db, NOW), queues },
      on,
      passThroughAdapter,
      orders.map((o) => ({ cartOrderNo: o.cartOrderNo, payload: o })),
      { runId: null, actor: 'import' },
    );
    expect(counts.new).toBe(2);
    const found = await pending();
    expect(found.map((p) => p.key).sort()).toEqual(['rk-on:GIFT', 'rk-on:TEA']);
    expect([...new Set(queued)].sort()).toEqual(found.map((p) => p.id).sort());
    await deliverAll();
    expect(await cart('TEA')).toBe(10);
    expect(await cart('GIFT')).toBe(5);
  });

  it('a cancel gives the units back at every store; a shipment records too (the number stays)', async () => {
    const order = await w.db
      .selectFrom('orders')
      .select('id')
      .where('cart_order_no', '=', 'o-2')
      .executeTakeFirstOrThrow();
    const [r] = await cancelOrders(w.ops(), { orderIds: [order.id], step: 'request', actor: 'test' });
    expect(r?.ok).toBe(true);
    expect((await pending()).map((p) => p.key).sort()).toEqual(['rk-on:GIFT', 'rk-on:TEA']);
    await deliverAll();
    expect(await cart('TEA')).toBe(13);

    const one = await w.db
      .selectFrom('orders')
      .select('id')
      .where('cart_order_no', '=', 'o-1')
      .executeTakeFirstOrThrow();
    await shippingInstruction(w.ops(), { orderIds: [one.id], actor: 'test' });
    await confirmShipment(w.ops(), { orderId: one.id, trackingNumber: '1234-5678-9012', actor: 'test' });
    expect((await pending()).map((p) => p.key).sort()).toEqual(['rk-on:GIFT', 'rk-on:TEA']);
    const calls = sim.stats.byRoute.inventoryBulkUpsert;
    await deliverAll();
    // on hand and reserved both went down by 2: the cart already shows 13, nothing is sent again.
    expect(sim.stats.byRoute.inventoryBulkUpsert).toBe(calls);
    expect(await cart('TEA')).toBe(13);
  });
});
