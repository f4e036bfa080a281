// Cancel at the cart end to end against each simulator that has a cancel (Rakuten cancelOrder,
// Yahoo! orderStatusChange, Shopify orderCancel, makeshop cmd=status): orders imported over HTTP, an
// operator's cancel with the cart's reason recorded by the use case, the outbox delivery through the
// store's real write side, and the next import of the order (a re-import by cart order number) sees
// it cancelled at the cart. A second delivery job sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { getCartAction } from '../db/cart-actions.js';
import type { CartName } from '../domain/order.js';
import { processImportStore } from '../jobs/import-store.js';
import { processReimportOrder } from '../jobs/reimport-order.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { seedTestShop, setStoreSettings, testDeps } from '../test/pipeline.js';
import { cancelOrders } from './cancel-order.js';
import { deliverCartAction } from './deliver-cart-action.js';

const CASES: ReadonlyArray<{
  cart: CartName;
  store: string;
  reason: string | null;
  /** Cart statuses the cart's cancel takes. */
  cancellable: (cartStatus: string) => boolean;
}> = [
  {
    cart: 'rakuten',
    store: 'rakuten-main',
    reason: '8',
    cancellable: (s) => ['100', '200', '300'].includes(s),
  },
  { cart: 'yahoo', store: 'yahoo-main', reason: '210', cancellable: (s) => ['1', '2', '3'].includes(s) },
  {
    cart: 'shopify',
    store: 'shopify-global',
    reason: 'INVENTORY',
    cancellable: (s) => !/cancelled|\/fulfilled|partial/.test(s),
  },
  { cart: 'makeshop', store: 'makeshop-main', reason: null, cancellable: (s) => s !== '0' },
];

describe('cancel at the cart, delivered to each simulator', () => {
  let t: TestDb;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const sims: RunningSimulator[] = [];

  beforeAll(async () => {
    t = await createTestDb('cancel-delivery');
    const now = Date.now();
    const urls: Partial<Record<CartName, string>> = {};
    for (const c of CASES) {
      const sim = await cartSimulator(c.cart).start({
        port: 0,
        orders: 40,
        seed: 5,
        from: new Date(now - 2 * 86_400_000),
        to: new Date(now - 10 * 60_000),
        rateLimits: false,
      });
      sims.push(sim);
      urls[c.cart] = sim.url;
    }
    await seedTestShop(t, urls);
    for (const c of CASES)
      await setStoreSettings(t, c.store, {
        initialImportDays: 3,
        settleLagSeconds: 0,
        ...(c.cart === 'rakuten' ? { orderConfirmation: 'never' } : {}),
        // The demo's makeshop credentials hold both APIs' sets; the cancel is the classic API's.
        ...(c.cart === 'makeshop' ? { orderApi: 'classic' } : {}),
      });
    deps = await testDeps(t);
  }, 120_000);
  afterAll(async () => {
    await deps?.close();
    await Promise.all(sims.map((s) => s.stop()));
    await t?.drop();
  });

  for (const c of CASES)
    it(`${c.cart}: the cancel reaches the cart and the next import sees it`, async () => {
      const imported = await processImportStore(
        { storeCode: c.store, trigger: 'manual' },
        null,
        undefined,
        deps,
      );
      expect(imported.outcome).toBe('succeeded');
      const candidates = await t.db
        .selectFrom('orders as o')
        .innerJoin('stores as s', 's.id', 'o.store_id')
        .innerJoin('statuses as st', 'st.code', 'o.status_code')
        .select(['o.id', 'o.cart_order_no', 'o.cart_status'])
        .where('s.code', '=', c.store)
        .where('o.cart_cancelled', '=', false)
        .where('st.group', '<>', 'cancellation')
        .where('o.status_code', '<>', 'shipped')
        .orderBy('o.id')
        .execute();
      const order = candidates.find((o) => c.cancellable(o.cart_status));
      expect(order, `a cancellable ${c.cart} order`).toBeDefined();

      const [r] = await cancelOrders(deps, {
        orderIds: [order!.id],
        step: 'request',
        actor: 'user:ops',
        reason: 'お客様から取消の連絡',
        atCart: true,
        cartReason: c.reason,
      });
      expect(r).toMatchObject({ ok: true, cart: { recorded: true } });
      const action = await t.db
        .selectFrom('cart_actions')
        .selectAll()
        .where('order_id', '=', order!.id)
        .executeTakeFirstOrThrow();

      const retryAt = new Date(Date.now() + 60_000);
      const sent = await deliverCartAction(deps, { actionId: action.id, final: false, retryAt });
      expect(sent, JSON.stringify(await getCartAction(t.db, action.id))).toMatchObject({ status: 'done' });
      expect((await deliverCartAction(deps, { actionId: action.id, final: false, retryAt })).status).toBe(
        'skipped',
      );
      expect(await getCartAction(t.db, action.id)).toMatchObject({ state: 'done' });

      const again = await processReimportOrder(
        { storeCode: c.store, cartOrderNo: order!.cart_order_no, requestedBy: 'test' },
        null,
        undefined,
        deps,
      );
      expect(again.outcome).not.toBe('not-found');
      const after = await t.db
        .selectFrom('orders')
        .select(['cart_cancelled', 'cart_status'])
        .where('id', '=', order!.id)
        .executeTakeFirstOrThrow();
      expect(after.cart_cancelled).toBe(true);
    });
});
