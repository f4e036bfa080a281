// End to end, per cart with an API (issue 16 item 7): an order imported from the cart's simulator
// by the import job, shipped in juchu (出荷指示, then 出荷完了 with a tracking number), its `ship`
// action delivered by a real BullMQ worker (workers/worker.ts, the shipping queue) to the simulator,
// and the next import showing the order shipped at the cart with its tracking number. The simulator's
// own record of what it was told says the shipment arrived once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../carts/registry.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { getStore, type Store } from '../db/stores.js';
import type { CartName } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { processImportStore } from '../jobs/import-store.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { FAST_HTTP, seedTestShop, setStoreSettings, testDeps } from '../test/pipeline.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import { type RunningWorkers, startWorkers } from './worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Case {
  name: string;
  cart: CartName;
  /** The demo store of the cart. */
  store: string;
  settings?: Record<string, unknown>;
  /** The cart status the next import shows for a shipped order. */
  shipped: RegExp;
  /** Whether the record the import reads carries the tracking number (Shopify's GraphQL query does not ask for it). */
  trackingInRecord: boolean;
  /**
   * Whether the import stores that record anew: makeshop's classic order has no field juchu reads that
   * the shipment changes (status stays 1, no update time), so the order is unchanged to juchu.
   */
  storesRecord?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'rakuten', cart: 'rakuten', store: 'rakuten-main', shipped: /^500$/, trackingInRecord: true },
  // Yahoo!'s OrderStatus stays 2 処理中; the shipment is ShipStatus 3 in the record.
  { name: 'yahoo', cart: 'yahoo', store: 'yahoo-main', shipped: /^2$/, trackingInRecord: true },
  { name: 'amazon', cart: 'amazon', store: 'amazon-jp', shipped: /^Shipped$/, trackingInRecord: true },
  {
    name: 'makeshop (classic API)',
    cart: 'makeshop',
    store: 'makeshop-main',
    settings: { orderApi: 'classic' },
    shipped: /^1$/,
    trackingInRecord: true,
    storesRecord: false,
  },
  {
    name: 'shopify (GraphQL)',
    cart: 'shopify',
    store: 'shopify-global',
    shipped: /^paid\/fulfilled$/,
    trackingInRecord: false,
  },
  {
    name: 'shopify (REST)',
    cart: 'shopify',
    store: 'shopify-global',
    settings: { ordersApi: 'rest' },
    shipped: /^paid\/fulfilled$/,
    trackingInRecord: true,
  },
];

describe.each(CASES)('ship at the cart, end to end: $name', (c) => {
  const { cart, store, settings, shipped, trackingInRecord } = c;
  let t: TestDb;
  let sim: RunningSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let workers: RunningWorkers | undefined;
  /** The simulated cart's clock against ours (ms). */
  let simShift = 0;

  beforeAll(async () => {
    t = await createTestDb(`e2e-ship-${cart}`);
    const now = Date.now();
    sim = await cartSimulator(cart).start({
      orders: 16,
      seed: 16,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
      clock: () => new Date(Date.now() + simShift),
    });
    await seedTestShop(t, { [cart]: sim.url });
    await setStoreSettings(t, store, { initialImportDays: 3, settleLagSeconds: 0, ...settings });
    deps = await testDeps(t);
  });
  afterAll(async () => {
    await workers?.close();
    await deps?.close();
    await sim?.stop();
    await t?.drop();
  });

  it('imported → 出荷完了 in juchu → delivered by the worker → the next import shows it shipped with its tracking number', async () => {
    const first = await processImportStore({ storeCode: store, trigger: 'manual' }, null, undefined, deps);
    expect(first.outcome).toBe('succeeded');
    // An order ready to ship in juchu, paid and still open at the cart, in one package.
    const candidates = await t.db
      .selectFrom('orders as o')
      .innerJoin('stores as s', 's.id', 'o.store_id')
      .select(['o.id', 'o.cart_order_no', 'o.cart_status'])
      .where('s.code', '=', store)
      .where('o.status_code', '=', S.readyToShip)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('order_lines as l')
              .select('l.id')
              .whereRef('l.order_id', '=', 'o.id')
              .where('l.package_no', '>', 1),
          ),
        ),
      )
      .orderBy('o.id')
      .execute();
    const order = candidates.find((c) => sim.book.find(c.cart_order_no)?.state === 'paid');
    expect(order, `an open, paid order among ${candidates.length} ready to ship`).toBeDefined();
    const tracking = `4${String(order!.id).padStart(11, '0')}`;

    const use = depsOf(t.db);
    const [instructed] = await shippingInstruction(use, { orderIds: [order!.id], actor: 'user:ops' });
    expect(instructed?.ok).toBe(true);
    const r = await confirmShipment(
      { ...use, queues: deps.queues },
      { orderId: order!.id, trackingNumber: tracking, carrier: 'yamato', actor: 'user:ops' },
    );
    expect(r.ok).toBe(true);

    workers = await startWorkers({
      config: deps.config,
      queues: ['shipping'],
      concurrency: 1,
      http: FAST_HTTP,
      preflight: false,
    });
    const end = Date.now() + 60_000;
    let action = await t.db
      .selectFrom('cart_actions')
      .selectAll()
      .where('order_id', '=', order!.id)
      .executeTakeFirstOrThrow();
    while (!['done', 'refused', 'failed'].includes(action.state) && Date.now() < end) {
      await sleep(200);
      action = await t.db
        .selectFrom('cart_actions')
        .selectAll()
        .where('id', '=', action.id)
        .executeTakeFirstOrThrow();
    }
    expect(action, JSON.stringify(action)).toMatchObject({ kind: 'ship', state: 'done' });
    await workers.close();
    workers = undefined;

    // The cart's own record: one shipment write, with the number and the carrier juchu sent.
    const view = sim.book.find(order!.cart_order_no)!;
    expect(view.state).toBe('shipped');
    expect(view.events.filter((e) => e.kind === 'ship' && e.shipments)).toHaveLength(1);
    expect(view.shipments.map((s) => s.trackingNumber)).toEqual([tracking]);

    // The next import: the cart's status is its shipped one, and the record it gave carries the number.
    await sleep(1100); // the shipment's time is inside the next window
    // Amazon lists orders changed up to two minutes ago only: rather than wait, the cart and the
    // adapter's clock move three minutes on (the window still ends at the database's now).
    const later = () => new Date(Date.now() + simShift);
    if (cart === 'amazon') simShift = 3 * 60_000;
    const importDeps =
      cart === 'amazon'
        ? {
            ...deps,
            adapterFor: async (s: Store) =>
              cartModule(s.cart).createAdapter({
                storeCode: s.code,
                baseUrl: s.baseUrl!,
                credentials: cartModule(s.cart).demoCredentials,
                settings: s.settings,
                http: FAST_HTTP,
                now: later,
              }),
          }
        : deps;
    const next = await processImportStore(
      { storeCode: store, trigger: 'manual' },
      null,
      undefined,
      importDeps,
    );

    expect(next.outcome).toBe('succeeded');
    const after = await t.db
      .selectFrom('orders')
      .select(['status_code', 'cart_status', 'raw_payload', 'needs_attention'])
      .where('id', '=', order!.id)
      .executeTakeFirstOrThrow();
    expect(after.status_code).toBe(S.shipped);
    expect(after.cart_status).toMatch(shipped);
    expect(after.needs_attention).toBe(false);
    expect(next.flagged).toBe(0);
    if (trackingInRecord && c.storesRecord !== false)
      expect(JSON.stringify(after.raw_payload)).toContain(tracking);
    // What the import reads of the order now (the adapter's own read of it).
    const read = await (await importDeps.adapterFor(await getStore(t.db, store))).fetchOrder(
      order!.cart_order_no,
    );
    expect(read).not.toBeNull();
    if (trackingInRecord) expect(JSON.stringify(read!.payload)).toContain(tracking);
  }, 120_000);
});
