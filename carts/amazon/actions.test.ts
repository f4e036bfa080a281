// Amazon's write side against its simulator over real HTTP: confirmShipment per package with a
// packageReferenceId that edits its package, the next import seeing the shipment (2026-01-01
// PACKAGES with the tracking number; v0 the status and items shipped), a lost answer retried into
// one package, carriers refused before sending, Amazon's InvalidInput / NotFound as refusals, and the
// documented 2/s burst 10 kept without a 429.
import { afterEach, describe, expect, it } from 'vitest';
import { jstDate } from '../../domain/time.js';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { RateLimits, RawOrder } from '../contract.js';
import { AMAZON_CARRIER_CODES, createAmazonActions, isCodOrder, orderItemsOf } from './actions.js';
import { AMAZON_RATE_LIMITS, type OrdersApi } from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { amazonSimulatorSettings, createAmazonAdapter } from './index.js';
import { type AmazonRunningSimulator, startAmazonSimulator } from './simulator.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const T0 = new Date('2026-05-01T03:00:00Z');
const LIMITS: RateLimits = {
  ...Object.fromEntries(Object.keys(AMAZON_RATE_LIMITS).map((k) => [k, { ratePerSec: 200, burst: 20 }])),
  confirmShipment: { ratePerSec: 200, burst: 20 },
};
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 5 };

const running: AmazonRunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function setup(o: { api?: OrdersApi; settings?: Record<string, unknown>; limits?: RateLimits } = {}) {
  let t = T0.getTime();
  const now = () => new Date(t);
  const sim = await startAmazonSimulator({
    seed: 23,
    orders: 40,
    clock: now,
    from: new Date(T0.getTime() - 3 * DAY),
    to: new Date(T0.getTime() - 10 * MIN),
    limits: o.limits ?? LIMITS,
  });
  running.push(sim);
  const opts = {
    storeCode: 'amazon-main',
    baseUrl: sim.url,
    credentials: AMAZON_DEMO_CREDENTIALS,
    settings: { ...amazonSimulatorSettings, ...(o.api === 'v0' ? { ordersApi: 'v0' } : {}), ...o.settings },
    limits: o.limits ?? LIMITS,
    now,
    http: HTTP,
  };
  const adapter = createAmazonAdapter(opts);
  const actions = createAmazonActions(opts);
  const advance = (ms: number) => {
    t += ms;
  };
  /** Every order the store imports now, as raw records. */
  const importAll = async (): Promise<RawOrder[]> => {
    const out: RawOrder[] = [];
    for await (const page of adapter.listOrders({ from: new Date(T0.getTime() - 4 * DAY), to: now() }))
      out.push(...page.orders);
    return out;
  };
  return { sim, adapter, actions, advance, now, importAll };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Orders the cart will let ship: Unshipped, not COD unless asked for. */
async function shippable(s: Setup, o: { cod?: boolean; lines?: number } = {}): Promise<RawOrder[]> {
  return (await s.importAll()).filter((r) => {
    const n = s.adapter.normalize(r, 'amazon-main');
    return (
      n.ok &&
      n.order.cartStatus === 'Unshipped' &&
      isCodOrder(r.payload) === (o.cod ?? false) &&
      n.order.lines.length >= (o.lines ?? 1)
    );
  });
}

function shipInput(raw: RawOrder, packages: Array<Partial<ShipmentPackage>>, cartRefs = {}): ShipInput {
  return {
    cartOrderNo: raw.cartOrderNo!,
    cartRefs,
    cartPayload: raw.payload,
    packages: packages.map((p, i) => ({
      packageNo: i + 1,
      carrier: 'yamato',
      trackingNumber: `4801-2345-${6000 + i}`,
      shippedOn: jstDate(T0),
      ...p,
    })),
  };
}

/** The order as the next import brings it. */
async function reimported(s: Setup, id: string): Promise<RawOrder> {
  s.advance(5 * MIN); // past Amazon's two-minute listing lag
  const hit = (await s.importAll()).find((r) => r.cartOrderNo === id);
  if (!hit) throw new Error(`${id} not in the next import`);
  return hit;
}

const packagesOf = (raw: RawOrder) =>
  ((raw.payload as { packages?: Array<Record<string, unknown>> }).packages ?? []) as Array<{
    packageReferenceId: string;
    carrier: string;
    trackingNumber: string;
    packageItems: Array<{ orderItemId: string; quantity: number }>;
  }>;

describe('amazon confirmShipment against the simulator', () => {
  it('ships an order; the next import sees it Shipped with its carrier and tracking number (2026-01-01 PACKAGES)', async () => {
    const s = await setup();
    const [raw] = await shippable(s);
    const out = await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '4801-2345-6789' }]));
    expect(out).toMatchObject({ status: 'done', cartRefs: { 'package:1': '1' } });
    expect(out.answer).toContain('YamatoTransport');
    const next = await reimported(s, raw!.cartOrderNo!);
    const n = s.adapter.normalize(next, 'amazon-main');
    expect(n.ok && n.order.cartStatus).toBe('Shipped');
    expect(packagesOf(next)).toEqual([
      expect.objectContaining({
        packageReferenceId: '1',
        carrier: 'YamatoTransport',
        trackingNumber: '4801-2345-6789',
      }),
    ]);
    // Every item of the order went in the one package, in full.
    const items = orderItemsOf(raw!.payload);
    expect(packagesOf(next)[0]!.packageItems).toEqual(
      items.map((it) => ({ orderItemId: it.orderItemId, quantity: it.quantity })),
    );
  });

  it('a v0 store sends the same call (items from getOrderItems); its next import sees Shipped and the items shipped', async () => {
    const s = await setup({ api: 'v0' });
    const [raw] = await shippable(s);
    expect((raw!.payload as { items?: unknown[] }).items?.length).toBeGreaterThan(0);
    expect((await s.actions.ship!(shipInput(raw!, [{}]))).status).toBe('done');
    const next = await reimported(s, raw!.cartOrderNo!);
    const p = next.payload as { order: { OrderStatus: string; NumberOfItemsUnshipped: number } };
    expect(p.order).toMatchObject({ OrderStatus: 'Shipped', NumberOfItemsUnshipped: 0 });
  });

  it('retries a lost answer into one package: the same packageReferenceId edits it, so does a later retry', async () => {
    const s = await setup();
    const [raw] = await shippable(s);
    s.sim.faults.dropReplies = 1;
    s.sim.faults.dropRepliesOn = 'confirmShipment';
    const first = await s.actions.ship!(shipInput(raw!, [{ trackingNumber: '1111-2222-3333' }]));
    expect(first.status).toBe('done');
    expect(s.sim.stats.droppedReplies).toBe(1);
    expect(s.sim.stats.byRoute.confirmShipment).toBe(2); // the lost one and its retry
    // The outbox tries the action again later (it cannot know the first attempt worked), with a
    // corrected tracking number and the stored cartRefs: still one package, now edited.
    const again = await s.actions.ship!(
      shipInput(raw!, [{ trackingNumber: '1111-2222-4444' }], first.status === 'done' ? first.cartRefs : {}),
    );
    expect(again.status).toBe('done');
    const pkgs = packagesOf(await reimported(s, raw!.cartOrderNo!));
    expect(pkgs).toHaveLength(1);
    expect(pkgs[0]).toMatchObject({ packageReferenceId: '1', trackingNumber: '1111-2222-4444' });
  });

  it('two packages of one order: each its own packageReferenceId; the first leaves it PartiallyShipped', async () => {
    const s = await setup();
    const [raw] = await shippable(s, { lines: 2 });
    const n = s.adapter.normalize(raw!, 'amazon-main');
    if (!n.ok) throw new Error(n.message);
    const [a, ...rest] = n.order.lines;
    const first = await s.actions.ship!(
      shipInput(raw!, [{ lines: [{ cartProductCode: a!.cartProductCode, quantity: a!.quantity }] }]),
    );
    expect(first.status).toBe('done');
    const mid = await reimported(s, raw!.cartOrderNo!);
    expect(s.adapter.normalize(mid, 'amazon-main')).toMatchObject({
      order: { cartStatus: 'PartiallyShipped' },
    });
    // The second package alone (packageNo 2): the order is then shipped in two packages.
    const second = await s.actions.ship!({
      ...shipInput(raw!, []),
      packages: [
        {
          packageNo: 2,
          carrier: 'sagawa',
          trackingNumber: '3600-1234-5678',
          shippedOn: jstDate(T0),
          lines: rest.map((l) => ({ cartProductCode: l.cartProductCode, quantity: l.quantity })),
        },
      ],
    });
    expect(second).toMatchObject({ status: 'done', cartRefs: { 'package:2': '2' } });
    const done = await reimported(s, raw!.cartOrderNo!);
    expect(s.adapter.normalize(done, 'amazon-main')).toMatchObject({ order: { cartStatus: 'Shipped' } });
    expect(packagesOf(done).map((p) => [p.packageReferenceId, p.carrier])).toEqual([
      ['1', 'YamatoTransport'],
      ['2', 'SagawaExpress'],
    ]);
  });

  it('Japan Post goes as Other with carrierName 日本郵便; a COD order carries codCollectionMethod', async () => {
    const s = await setup();
    expect(s.actions.carrierCode('japanpost')).toBe('Other');
    const [raw] = await shippable(s, { cod: true });
    expect(isCodOrder(raw!.payload)).toBe(true);
    const out = await s.actions.ship!(
      shipInput(raw!, [{ carrier: 'japanpost', trackingNumber: '123456789012' }]),
    );
    expect(out.status).toBe('done');
    expect(packagesOf(await reimported(s, raw!.cartOrderNo!))[0]).toMatchObject({ carrier: '日本郵便' });
  });

  it('a carrier the store has no code for is refused before anything is sent, naming the order and the carrier', async () => {
    const s = await setup({ settings: { carrierCodes: { seino: '' } } });
    const [raw] = await shippable(s);
    expect(s.actions.carrierCode('seino')).toBeNull();
    const out = await s.actions.ship!(shipInput(raw!, [{ carrier: 'seino' }]));
    expect(out).toMatchObject({ status: 'refused', code: 'UNKNOWN_CARRIER' });
    expect(out.answer).toContain(raw!.cartOrderNo!);
    expect(out.answer).toContain('西濃運輸');
    expect(s.sim.stats.byRoute.confirmShipment).toBeUndefined();
    // `other` without a name cannot be sent either (Amazon requires carrierName with Other).
    const other = await s.actions.ship!(shipInput(raw!, [{ carrier: 'other', carrierName: ' ' }]));
    expect(other).toMatchObject({ status: 'refused', code: 'CARRIER_NAME_REQUIRED' });
    expect(s.sim.stats.byRoute.confirmShipment).toBeUndefined();
  });

  it('Amazon’s InvalidInput and NotFound are refusals with Amazon’s words, not retried', async () => {
    const s = await setup({ settings: { carrierCodes: { yamato: 'Kuroneko' } } });
    const [raw] = await shippable(s);
    const bad = await s.actions.ship!(shipInput(raw!, [{}]));
    expect(bad).toMatchObject({ status: 'refused', code: 'InvalidInput' });
    expect(bad.answer).toContain('Invalid carrierCode: Kuroneko');
    expect(s.sim.stats.byRoute.confirmShipment).toBe(1);
    // An order the buyer cancelled at Amazon meanwhile.
    const other = (await shippable(s))[1]!;
    s.sim.book.happen(other.cartOrderNo!, 'cancel');
    const cancelledOut = await s.actions.ship!(shipInput(other, [{ carrier: 'sagawa' }]));
    expect(s.sim.stats.byRoute.confirmShipment).toBe(2);
    expect(cancelledOut).toMatchObject({ status: 'refused', code: 'InvalidInput' });
    expect(cancelledOut.answer).toContain('canceled');
    const unknown = await s.actions.ship!({
      ...shipInput(raw!, [{ carrier: 'sagawa' }]),
      cartOrderNo: '999-9999999-9999999',
    });
    expect(unknown).toMatchObject({ status: 'refused', code: 'NotFound' });
    // An order whose stored record has no items cannot say what it ships: refused here.
    const empty = await s.actions.ship!({
      ...shipInput(raw!, [{ carrier: 'sagawa' }]),
      cartPayload: { orderId: raw!.cartOrderNo },
    });
    expect(empty).toMatchObject({ status: 'refused', code: 'ORDER_ITEMS_MISSING' });
  });

  it('keeps the documented 2/s, burst 10: 14 shipments meet no 429', async () => {
    const s = await setup({
      limits: { ...LIMITS, confirmShipment: AMAZON_RATE_LIMITS.confirmShipment! },
    });
    const orders = (await shippable(s)).slice(0, 14);
    expect(orders.length).toBe(14);
    const outs = await Promise.all(orders.map((r) => s.actions.ship!(shipInput(r, [{}]))));
    expect(outs.every((o) => o.status === 'done')).toBe(true);
    expect(s.sim.stats.sent429).toBe(0);
    expect(s.sim.stats.byRoute.confirmShipment).toBe(14);
  });

  it('reads order items from both stored shapes', () => {
    expect(
      orderItemsOf({ order: {}, items: [{ OrderItemId: '1', SellerSKU: 'A', QuantityOrdered: 2 }] }),
    ).toEqual([{ orderItemId: '1', sku: 'A', quantity: 2 }]);
    expect(
      orderItemsOf({ orderItems: [{ orderItemId: '2', product: { sellerSku: 'B' }, quantityOrdered: 1 }] }),
    ).toEqual([{ orderItemId: '2', sku: 'B', quantity: 1 }]);
    expect(isCodOrder({ order: { PaymentMethod: 'COD' }, items: [] })).toBe(true);
    expect(isCodOrder({ payment: { paymentExecutions: [{ paymentMethod: 'CashOnDelivery' }] } })).toBe(true);
    expect(Object.keys(AMAZON_CARRIER_CODES)).toHaveLength(7);
  });
});
