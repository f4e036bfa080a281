// makeshop's write side against its simulator over real HTTP: the classic API's cmd=deliver (status 3
// with carrier, tracking number and the customer's mail) seen by the next import, a lost answer found
// by reading the order so nothing is sent (or mailed) twice, cmd=status cancels with an
// already-cancelled re-read, refusals, and a next-generation store refused in Japanese.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { RawOrder } from '../contract.js';
import { createMakeshopActions } from './actions.js';
import { makeshopCart } from './index.js';
import { type MakeshopSimulator, startMakeshopSimulator } from './simulator.js';

const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
const LIMIT = { '*': { ratePerSec: 100, burst: 1 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 4 };

let sim: MakeshopSimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function setup(settings: Record<string, unknown> = {}) {
  let t = END.getTime() + 3_600_000;
  sim = await startMakeshopSimulator({
    from: START,
    to: END,
    clock: () => new Date(t),
    limits: LIMIT,
    orders: 30,
  });
  const opts = {
    storeCode: 'makeshop-main',
    baseUrl: sim.url,
    credentials: makeshopCart.demoCredentials,
    http: HTTP,
    limits: LIMIT,
    settings: { orderApi: 'classic', ...settings },
  };
  const adapter = makeshopCart.createAdapter(opts);
  const actions = createMakeshopActions(opts);
  const s = sim;
  const open = async (): Promise<RawOrder[]> => {
    const out: RawOrder[] = [];
    for await (const p of adapter.listOrders({ from: START, to: END })) out.push(...p.orders);
    return out.filter((r) => {
      const v = s.book.find(r.cartOrderNo!);
      return v && v.state !== 'cancelled' && v.state !== 'shipped';
    });
  };
  /** The order as the next import reads it (a second later: cart events are a second apart). */
  const reread = async (no: string) => {
    t += 1500;
    return (await adapter.fetchOrder(no))!;
  };
  return { sim: s, adapter, actions, open, reread };
}

function shipInput(no: string, packages: Array<Partial<ShipmentPackage>>): ShipInput {
  return {
    cartOrderNo: no,
    cartRefs: {},
    cartPayload: null,
    packages: packages.map((p, i) => ({
      packageNo: i + 1,
      carrier: 'yamato',
      trackingNumber: `4000-1234-${5000 + i}`,
      shippedOn: '2024-04-25',
      ...p,
    })),
  };
}

const deliveries = (raw: RawOrder) =>
  (raw.payload as { deliveries: { delivery: Array<Record<string, string>> } }).deliveries.delivery;

describe('makeshop classic cmd=deliver / cmd=status against the simulator', () => {
  it('delivers; the next import shows the delivery 配送完了 with carrier and number; the customer mailed once', async () => {
    const s = await setup();
    const [raw] = await s.open();
    const no = raw!.cartOrderNo!;
    const out = await s.actions.ship!(shipInput(no, [{ trackingNumber: '4000-1234-9999' }]));
    expect(out.status).toBe('done');
    expect(out.answer).toContain('deliverynum 4000-1234-9999');
    const next = await s.reread(no);
    expect(deliveries(next)[0]).toMatchObject({
      deliverystatus: '3',
      carrier: 'ヤマト運輸',
      deliverynum: '4000-1234-9999',
    });
    expect(s.sim.mailsSent).toEqual([{ ordernum: no, deliveryid: 0 }]);
    // The next-generation view of the same order says 配送 (Y).
    expect(s.sim.book.find(no)!.state).toBe('shipped');
  });

  it('a lost answer is found by reading the order; the outbox’s next attempt sends nothing and mails nobody', async () => {
    const s = await setup();
    const [raw] = await s.open();
    const no = raw!.cartOrderNo!;
    s.sim.faults.dropReplies = 1;
    s.sim.faults.faultsOnBody = 'cmd=deliver';
    const out = await s.actions.ship!(shipInput(no, [{ trackingNumber: '7777' }]));
    expect(out.status).toBe('done');
    expect(out.answer).toContain('再読込');
    expect(s.sim.stats.droppedReplies).toBe(1);
    const again = await s.actions.ship!(shipInput(no, [{ trackingNumber: '7777' }]));
    expect(again.status).toBe('already');
    expect(s.sim.mailsSent.filter((m) => m.ordernum === no)).toHaveLength(1);
    expect(s.sim.book.find(no)!.shipments).toHaveLength(1);
  });

  it('cancels with cmd=status&status=0; again is `already`; a cancelled order’s deliver is refused', async () => {
    const s = await setup();
    const [raw] = await s.open();
    const no = raw!.cartOrderNo!;
    expect((await s.actions.cancel!({ cartOrderNo: no, reason: '欠品', cartPayload: null })).status).toBe(
      'done',
    );
    const next = await s.reread(no);
    expect(makeshopCart.normalize(next, 'makeshop-main')).toMatchObject({
      ok: true,
      order: { cancelledInCart: true },
    });
    const again = await s.actions.cancel!({ cartOrderNo: no, reason: '欠品', cartPayload: null });
    expect(again.status).toBe('already');
    const ship = await s.actions.ship!(shipInput(no, [{}]));
    expect(ship).toMatchObject({ status: 'refused', code: '409' });
    const unknown = await s.actions.cancel!({
      cartOrderNo: 'P000000000000000000',
      reason: 'x',
      cartPayload: null,
    });
    expect(unknown).toMatchObject({ status: 'refused' });
    expect(unknown.answer).toContain('この注文がありません');
  });

  it('refuses a carrier without a name for the shop before sending, and makeshop’s parameter errors after', async () => {
    const s = await setup({ carrierCodes: { fukuyama: '' }, sendShippingMail: false });
    const [raw] = await s.open();
    const no = raw!.cartOrderNo!;
    const before = s.sim.stats.byRoute.orderinfo ?? 0;
    const out = await s.actions.ship!(shipInput(no, [{ carrier: 'fukuyama' }]));
    expect(out).toMatchObject({ status: 'refused', code: 'UNKNOWN_CARRIER' });
    expect(s.sim.stats.byRoute.orderinfo ?? 0).toBe(before);
    const bad = await s.actions.ship!(shipInput(no, [{ trackingNumber: '伝票 12' }]));
    expect(bad).toMatchObject({ status: 'refused', code: '400' });
    expect(bad.answer).toContain('deliverynum');
    // `other` with the shop's own carrier name, and no mail when the store says so.
    expect((await s.actions.ship!(shipInput(no, [{ carrier: 'other', carrierName: 'エコ配' }]))).status).toBe(
      'done',
    );
    expect(deliveries(await s.reread(no))[0]).toMatchObject({ carrier: 'エコ配' });
    expect(s.sim.mailsSent).toEqual([]);
  });

  it('a next-generation store is told in Japanese that its API has no such write, and nothing is sent', async () => {
    const s = await setup({ orderApi: 'next' });
    const next = createMakeshopActions({
      storeCode: 'makeshop-next',
      baseUrl: s.sim.url,
      credentials: makeshopCart.demoCredentials,
      settings: { orderApi: 'next' },
    });
    const before = s.sim.stats.requests;
    const out = await next.ship!(shipInput('P1', [{}]));
    expect(out).toMatchObject({ status: 'refused', code: 'NEXT_API_UNSUPPORTED' });
    expect(out.answer).toContain('次世代API');
    expect((await next.cancel!({ cartOrderNo: 'P1', reason: 'x', cartPayload: null })).status).toBe(
      'refused',
    );
    expect(s.sim.stats.requests).toBe(before);
  });
});
