// Rakuten's write side against its simulator over real HTTP: confirmOrder (≤ 100 a call; 100 → 200,
// then 300 when Rakuten releases it; ERROR_103 after a lost answer counts as already), the
// 発送完了報告 with a ShippingModel per parcel and basket (the returned shippingDetailId stored, a
// retry updating instead of adding, a lost answer settled by getOrder), the async bulk report with
// result polling, refusals before sending and Rakuten's own, and cancelOrder with its reason codes.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { SimOrderView } from '../sim/generate.js';
import { createRakutenActions, DEFAULT_CANCEL_REASON, shippingRefKey } from './actions.js';
import { createRakutenAdapter } from './client.js';
import { DAY_MS, UPDATE_ORDER_SHIPPING_PATH } from './codes.js';
import { RAKUTEN_DEMO_CREDENTIALS } from './demo-credentials.js';
import { type RunningRakutenSimulator, rakutenSimulator } from './simulator.js';

const NOW = new Date('2026-03-10T03:00:00Z');
const LIMITS = { '*': { ratePerSec: 500, burst: 10 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 4 };

let sims: RunningRakutenSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

async function setup(settings: Record<string, unknown> = {}, simOpts: Record<string, unknown> = {}) {
  let t = NOW.getTime();
  const clock = () => new Date(t);
  const sim = (await rakutenSimulator.start({
    port: 0,
    seed: 11,
    orders: 90,
    // Every generated event (payment ≤ 2 days, cancel ≤ 3 days after the order) has happened.
    from: new Date(NOW.getTime() - 6 * DAY_MS),
    to: new Date(NOW.getTime() - 4 * DAY_MS),
    clock,
    limits: LIMITS,
    multiPackageShare: 0.3,
    ...simOpts,
  })) as RunningRakutenSimulator;
  sims.push(sim);
  const opts = {
    storeCode: 'rakuten-main',
    baseUrl: sim.url,
    credentials: RAKUTEN_DEMO_CREDENTIALS,
    http: HTTP,
    limits: LIMITS,
    now: clock,
    settings: { asyncPollMs: 5, asyncMaxWaitMs: 5_000, ...settings },
  };
  const adapter = createRakutenAdapter(opts);
  const actions = createRakutenActions(opts);
  const no = (v: SimOrderView) => sim.book.cartOrderNo(v);
  const orders = (pred: (v: SimOrderView) => boolean) => sim.book.visible().filter(pred).map(no);
  const okinawa = (v: SimOrderView) => v.shipTos.some((p) => p.prefecture === '沖縄県');
  /** The order as the next import reads it: its orderProgress and normalized fields. */
  const reimport = async (cartOrderNo: string) => {
    const raw = await adapter.fetchOrder(cartOrderNo);
    const n = adapter.normalize(raw!, 'rakuten-main');
    if (!n.ok) throw new Error(n.message);
    return { raw: raw!.payload as Record<string, unknown>, order: n.order };
  };
  return {
    sim,
    adapter,
    actions,
    clock,
    advance: (ms: number) => {
      t += ms;
    },
    reimport,
    /** COD orders waiting for the shop's confirmation (100), postage known. */
    awaiting: () => orders((v) => v.state === 'new' && v.payment === 'cod' && !okinawa(v)),
    awaitingOkinawa: () => orders((v) => v.state === 'new' && v.payment === 'cod' && okinawa(v)),
    /** Card orders Rakuten released (300 発送待ち), one package or two. */
    ready: (packages = 1) => orders((v) => v.state === 'paid' && v.shipTos.length === packages),
    inRakutenProcessing: () =>
      orders((v) => v.state === 'new' && (v.payment === 'bank' || v.payment === 'cvs')),
    cancelled: () => orders((v) => v.state === 'cancelled'),
  };
}
type Setup = Awaited<ReturnType<typeof setup>>;

function shipInput(no: string, packages: Array<Partial<ShipmentPackage>>, cartRefs = {}): ShipInput {
  return {
    cartOrderNo: no,
    cartRefs,
    cartPayload: null,
    packages: packages.map((p, i) => ({
      packageNo: 1,
      carrier: 'yamato',
      trackingNumber: `4321-0000-${1000 + i}`,
      shippedOn: '2026-03-10',
      ...p,
    })),
  };
}

/** The ShippingModels of each basket as getOrder shows them now. */
async function shippings(s: Setup, no: string) {
  const { raw } = await s.reimport(no);
  return (
    raw.PackageModelList as Array<{ basketId: number; ShippingModelList: Array<Record<string, unknown>> }>
  ).map((p) => ({
    basketId: p.basketId,
    models: p.ShippingModelList.map((m) => [
      m.shippingDetailId,
      m.deliveryCompany,
      m.shippingNumber,
      m.shippingDate,
    ]),
  }));
}

describe('rakuten confirmOrder against the simulator', () => {
  it('confirms 100 → 200; Rakuten releases it to 300; already-moved, cancelled and -9999 orders answer for themselves', async () => {
    const s = await setup();
    const [a, b] = s.awaiting();
    const [card] = s.inRakutenProcessing();
    const [gone] = s.cancelled();
    const [island] = s.awaitingOkinawa();
    expect([a, b, card, gone, island].every(Boolean)).toBe(true);
    const at = s.clock();
    const out = await s.actions.confirmOrders([a!, b!, card!, gone!, island!, '376541-20260101-0000000001']);
    expect(out.get(a!)).toMatchObject({ status: 'done' });
    expect(out.get(a!)!.answer).toContain('ORDER_EXT_API_CONFIRM_ORDER_INFO_101');
    expect(out.get(b!)!.status).toBe('done');
    // Already in 楽天処理中: ERROR_103, and getOrder shows it confirmed.
    expect(out.get(card!)).toMatchObject({ status: 'already' });
    expect(out.get(card!)!.answer).toContain('ERROR_103');
    expect(out.get(gone!)).toMatchObject({
      status: 'refused',
      code: 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_102',
    });
    expect(out.get(island!)).toMatchObject({
      status: 'refused',
      code: 'ORDER_EXT_API_CONFIRM_ORDER_ERROR_105',
    });
    expect(out.get(island!)!.answer).toContain('金額が未確定');
    expect(out.get('376541-20260101-0000000001')!.status).toBe('refused');
    expect(s.sim.stats.byRoute.confirmOrder).toBe(1);

    // The next import: 200 with the shop's confirmation time, found by a window after the write.
    s.advance(60_000);
    const listed: string[] = [];
    for await (const page of s.adapter.listOrders({ from: at, to: s.clock() }))
      listed.push(...page.orders.map((o) => o.cartOrderNo!));
    expect(listed).toEqual(expect.arrayContaining([a!, b!]));
    const confirmed = await s.reimport(a!);
    expect(confirmed.order.cartStatus).toBe('200');
    expect(confirmed.raw.shopOrderCfmDatetime).not.toBeNull();
    // Rakuten's checks take a while (10 minutes in the simulator), then 300 発送待ち.
    s.advance(10 * 60_000);
    expect((await s.reimport(a!)).order.cartStatus).toBe('300');
    expect((await s.reimport(island!)).order.cartStatus).toBe('100');
  });

  it('a lost answer is retried; the repeat’s ERROR_103 is `already` after getOrder; > 100 numbers go in two calls', async () => {
    const s = await setup({}, { releaseAfterMs: null });
    const [a] = s.awaiting();
    s.sim.faults.dropReplies = 1;
    s.sim.faults.dropRepliesOn = 'confirmOrder';
    const out = await s.actions.confirmOrders([a!]);
    expect(s.sim.stats.droppedReplies).toBe(1);
    expect(s.sim.stats.byRoute.confirmOrder).toBe(2);
    expect(out.get(a!)).toMatchObject({ status: 'already' });
    expect(out.get(a!)!.answer).toContain('200 楽天処理中');
    // Without the automatic release the order stays in 200 until Rakuten's checks pass.
    s.advance(DAY_MS);
    expect((await s.reimport(a!)).order.cartStatus).toBe('200');
    expect(s.sim.rakuten.release(a!)).toBe(true);
    expect((await s.reimport(a!)).order.cartStatus).toBe('300');

    const many = Array.from({ length: 150 }, (_, i) => `376541-20260301-${String(i).padStart(10, '0')}`);
    const before = s.sim.stats.byRoute.confirmOrder!;
    const outcomes = await s.actions.confirmOrders(many);
    expect(s.sim.stats.byRoute.confirmOrder! - before).toBe(2);
    expect([...outcomes.values()].every((o) => o.status === 'refused')).toBe(true);
  });
});

describe('rakuten updateOrderShipping against the simulator', () => {
  it('reports a parcel; the next import shows 500 with the number and the shippingDetailId; a retry updates it', async () => {
    const s = await setup();
    const [no] = s.ready();
    const out = await s.actions.ship!(shipInput(no!, [{ trackingNumber: '4321-5678-9012' }]));
    expect(out.status).toBe('done');
    const id = out.status !== 'refused' ? out.cartRefs![shippingRefKey(1, 1)] : undefined;
    expect(id).toMatch(/^\d+$/);
    s.advance(2_000);
    const { order } = await s.reimport(no!);
    expect(order.cartStatus).toBe('500');
    const [basket] = await shippings(s, no!);
    expect(basket!.models).toEqual([[Number(id), '1001', '4321-5678-9012', '2026-03-10']]);

    // Sent again with what the first attempt stored: nothing new to say.
    const again = await s.actions.ship!(
      shipInput(no!, [{ trackingNumber: '4321-5678-9012' }], out.status !== 'refused' ? out.cartRefs : {}),
    );
    expect(again.status).toBe('already');
    expect(s.sim.stats.byRoute.updateOrderShipping).toBe(1);
    // A corrected number with the stored id updates that record (INFO_102), never adds a second.
    const fixed = await s.actions.ship!(
      shipInput(no!, [{ trackingNumber: '4321-5678-9999', carrier: 'sagawa' }], {
        [shippingRefKey(1, 1)]: id,
      }),
    );
    expect(fixed.status).toBe('done');
    expect(fixed.answer).toContain('1002');
    s.advance(2_000);
    expect((await shippings(s, no!))[0]!.models).toEqual([
      [Number(id), '1002', '4321-5678-9999', '2026-03-10'],
    ]);
  });

  it('a lost answer is settled by getOrder: one record, its id stored; the outbox’s next try is `already`', async () => {
    const s = await setup();
    const [no] = s.ready();
    s.sim.faults.dropReplies = 1;
    s.sim.faults.dropRepliesOn = 'updateOrderShipping';
    const out = await s.actions.ship!(shipInput(no!, [{ trackingNumber: '111122223333' }]));
    expect(s.sim.stats.droppedReplies).toBe(1);
    expect(out.status).toBe('done');
    expect(out.answer).toContain('応答なし');
    // Not sent twice: the client did not repeat it blindly.
    expect(s.sim.stats.byRoute.updateOrderShipping).toBe(1);
    const again = await s.actions.ship!(shipInput(no!, [{ trackingNumber: '111122223333' }]));
    expect(again.status).toBe('already');
    s.advance(2_000);
    const [basket] = await shippings(s, no!);
    expect(basket!.models.map((m) => m[2])).toEqual(['111122223333']);
    expect(out.status !== 'refused' && out.cartRefs![shippingRefKey(1, 1)]).toBe(
      String(basket!.models[0]![0]),
    );
  });

  it('a multi-package order: each basket its own shipment; 500 only once every basket is reported', async () => {
    const s = await setup();
    const [no] = s.ready(2);
    expect(no).toBeDefined();
    const first = await s.actions.ship!(shipInput(no!, [{ packageNo: 1, trackingNumber: '1111' }]));
    expect(first.status).toBe('done');
    s.advance(2_000);
    expect((await s.reimport(no!)).order.cartStatus).toBe('300');
    // Package 1 again (already there) with package 2 and a second parcel (個口) for package 2.
    const all = await s.actions.ship!(
      shipInput(
        no!,
        [
          { packageNo: 1, trackingNumber: '1111' },
          { packageNo: 2, trackingNumber: '2222', carrier: 'japanpost' },
          { packageNo: 2, trackingNumber: '3333', carrier: 'japanpost' },
        ],
        first.status !== 'refused' ? first.cartRefs : {},
      ),
    );
    expect(all.status).toBe('done');
    const refs = all.status !== 'refused' ? all.cartRefs! : {};
    expect(Object.keys(refs).sort()).toEqual([
      shippingRefKey(1, 1),
      shippingRefKey(2, 1),
      shippingRefKey(2, 2),
    ]);
    s.advance(2_000);
    expect((await s.reimport(no!)).order.cartStatus).toBe('500');
    const baskets = await shippings(s, no!);
    expect(baskets.map((b) => b.models.map((m) => [m[0], m[2]]))).toEqual([
      [[Number(refs[shippingRefKey(1, 1)]), '1111']],
      [
        [Number(refs[shippingRefKey(2, 1)]), '2222'],
        [Number(refs[shippingRefKey(2, 2)]), '3333'],
      ],
    ]);
  });

  it('refuses before sending (not released, cancelled, machine-dependent characters, no such basket) and with Rakuten’s own ERROR_011', async () => {
    const s = await setup({ carrierCodes: { seino: '9999' } });
    const [waiting] = s.awaiting();
    const [processing] = s.inRakutenProcessing();
    const [gone] = s.cancelled();
    const [no] = s.ready();
    expect(await s.actions.ship!(shipInput(waiting!, [{}]))).toMatchObject({
      status: 'refused',
      code: 'NOT_RELEASED',
    });
    const inProcess = await s.actions.ship!(shipInput(processing!, [{}]));
    expect(inProcess).toMatchObject({ status: 'refused', code: 'NOT_RELEASED' });
    expect(inProcess.answer).toContain('200 楽天処理中');
    expect(await s.actions.ship!(shipInput(gone!, [{}]))).toMatchObject({
      status: 'refused',
      code: 'ORDER_CANCELLED',
    });
    expect(await s.actions.ship!(shipInput(no!, [{ trackingNumber: '①2345' }]))).toMatchObject({
      status: 'refused',
      code: 'INVALID_SHIPPING_NUMBER',
    });
    expect(await s.actions.ship!(shipInput(no!, [{ packageNo: 3 }]))).toMatchObject({
      status: 'refused',
      code: 'PACKAGE_UNKNOWN',
    });
    expect(s.sim.stats.byRoute.updateOrderShipping).toBeUndefined();
    // A code Rakuten does not have (the store's own setting) is sent and refused with its message.
    const bad = await s.actions.ship!(shipInput(no!, [{ carrier: 'seino' }]));
    expect(bad).toMatchObject({ status: 'refused', code: 'ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_011' });
    expect(bad.answer).toContain('deliveryCompanyの書式が不正です。');
    // The simulator checks as the documented error sample does: 2018/01/25 and a carrier name.
    const res = await s.adapter.write('updateOrderShipping', UPDATE_ORDER_SHIPPING_PATH, {
      orderNumber: no,
      BasketidModelList: [
        {
          basketId: 1,
          ShippingModelList: [
            {
              shippingDetailId: 15419,
              deliveryCompany: '1001',
              shippingNumber: 'SN111111',
              shippingDate: '2018/01/25',
            },
            { deliveryCompany: '佐川急便' },
          ],
        },
      ],
    });
    expect(res).toEqual({
      status: 400,
      body: {
        MessageModelList: [
          {
            messageType: 'ERROR',
            messageCode: 'ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_011',
            message: 'shippingDateの書式が不正です。',
            dataNumber: 1,
            shippingDetailId: 15419,
          },
          {
            messageType: 'ERROR',
            messageCode: 'ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_011',
            message: 'deliveryCompanyの書式が不正です。',
            dataNumber: 2,
            shippingDetailId: null,
          },
        ],
      },
    });
  });

  it('many orders with updateOrderShippingAsync: one request, results polled, each order 500 with its id', async () => {
    const s = await setup();
    const nos = s.ready().slice(0, 3);
    const [waiting] = s.awaiting();
    const inputs = nos.map((no, i) => shipInput(no, [{ trackingNumber: `9000-${i}` }]));
    const out = await s.actions.shipMany!([...inputs, shipInput(waiting!, [{}])]);
    expect(s.sim.stats.byRoute.updateOrderShippingAsync).toBe(1);
    // The first poll finds no result yet (still processing), the second has them.
    expect(s.sim.stats.byRoute.getResultUpdateOrderShippingAsync).toBe(2);
    expect([...s.sim.rakuten.asyncRequests.values()]).toEqual([
      { orders: 3, polls: 2, done: true, known: true },
    ]);
    for (const no of nos) {
      const o = out.get(no)!;
      expect(o.status).toBe('done');
      expect(o.status !== 'refused' && o.cartRefs![shippingRefKey(1, 1)]).toMatch(/^\d+$/);
    }
    expect(out.get(waiting!)).toMatchObject({ status: 'refused', code: 'NOT_RELEASED' });
    s.advance(2_000);
    expect((await s.reimport(nos[0]!)).order.cartStatus).toBe('500');
    // Sent again (the outbox retrying): already there, nothing submitted.
    const again = await s.actions.shipMany!(inputs);
    expect([...again.values()].map((o) => o.status)).toEqual(['already', 'already', 'already']);
    expect(s.sim.stats.byRoute.updateOrderShippingAsync).toBe(1);
  });
});

describe('rakuten cancelOrder against the simulator', () => {
  it('cancels with a reason code; the next import sees 900 with it; a repeat (or a lost answer) is `already`', async () => {
    const s = await setup();
    const [a, b] = s.awaiting();
    const out = await s.actions.cancel!({
      cartOrderNo: a!,
      reasonCode: '8',
      reason: '欠品',
      cartPayload: null,
    });
    expect(out).toMatchObject({ status: 'done' });
    expect(out.answer).toContain('ORDER_EXT_API_CANCEL_ORDER_INFO_101');
    s.advance(2_000);
    const { order, raw } = await s.reimport(a!);
    expect([order.cartStatus, order.cancelledInCart]).toEqual(['900', true]);
    expect(
      (raw.ChangeReasonModelList as Array<{ changeReasonDetail: number }>).at(-1)!.changeReasonDetail,
    ).toBe(8);
    const again = await s.actions.cancel!({ cartOrderNo: a!, reason: '欠品', cartPayload: null });
    expect(again.status).toBe('already');
    expect(again.answer).toContain('900 キャンセル確定');

    s.sim.faults.dropReplies = 1;
    s.sim.faults.dropRepliesOn = 'cancelOrder';
    const lost = await s.actions.cancel!({ cartOrderNo: b!, reason: 'x', cartPayload: null });
    expect(lost.status).toBe('already');
    s.advance(2_000);
    expect((await s.reimport(b!)).order.cartStatus).toBe('900');
    expect(s.sim.book.find(b!)!.cancelReason).toBe(DEFAULT_CANCEL_REASON);
  });

  it('refuses a reason Rakuten lacks before sending, and a shipped order with Rakuten’s answer', async () => {
    const s = await setup();
    const [no] = s.ready();
    const bad = await s.actions.cancel!({
      cartOrderNo: no!,
      reasonCode: '99',
      reason: 'x',
      cartPayload: null,
    });
    expect(bad).toMatchObject({ status: 'refused', code: 'INVALID_CANCEL_REASON' });
    expect(s.sim.stats.byRoute.cancelOrder).toBeUndefined();
    await s.actions.ship!(shipInput(no!, [{}]));
    s.advance(2_000);
    const shipped = await s.actions.cancel!({ cartOrderNo: no!, reason: 'x', cartPayload: null });
    expect(shipped.status).toBe('refused');
    expect(shipped.answer).toContain('500 発送済');
  });
});
