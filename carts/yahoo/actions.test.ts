// Yahoo!'s write side against its simulator over real HTTP: orderShipStatusChange (ShipStatus 3,
// ShipCompanyCode, invoice numbers, ShipDate) seen by the next import, a lost answer retried into one
// shipment, carriers and ヤマト numbers refused before sending, Yahoo!'s <Error> answers as refusals,
// and orderStatusChange cancels within the transition table, a repeat counting as `already` after an
// orderInfo re-read.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShipInput, ShipmentPackage } from '../actions.js';
import type { RawOrder } from '../contract.js';
import { createYahooActions, DEFAULT_CANCEL_REASON } from './actions.js';
import { createYahooAdapter } from './client.js';
import { YAHOO_DEMO_CREDENTIALS } from './demo-credentials.js';
import { type RunningYahooSimulator, startYahooSimulator } from './simulator.js';

const MIN = 60_000;
const NOW = new Date('2024-04-25T03:00:00Z');
const FROM = new Date('2024-04-20T00:00:00Z');
const TO = new Date('2024-04-24T15:00:00Z');
const LIMITS = { '*': { ratePerSec: 400, burst: 10 } };
const HTTP = { timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 5 };

let sims: RunningYahooSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

async function setup(settings: Record<string, unknown> = {}) {
  let t = NOW.getTime();
  const clock = () => new Date(t);
  const sim = await startYahooSimulator({ orders: 40, seed: 7, from: FROM, to: TO, clock, limits: LIMITS });
  sims.push(sim);
  const opts = {
    storeCode: 'yahoo-main',
    baseUrl: sim.url,
    credentials: YAHOO_DEMO_CREDENTIALS,
    http: HTTP,
    limits: LIMITS,
    now: clock,
    settings,
  };
  const adapter = createYahooAdapter(opts);
  const actions = createYahooActions(opts);
  /** The next import: a window from the write to a minute later (found by the re-scan of open orders). */
  const nextImport = async (since: Date): Promise<RawOrder[]> => {
    t += MIN;
    const out: RawOrder[] = [];
    for await (const p of adapter.listOrders({ from: new Date(since.getTime() - 1000), to: clock() }))
      out.push(...p.orders);
    return out;
  };
  /** Cart events are at least a second apart: a write right after another shows a second later. */
  const advance = (ms = 1_500) => {
    t += ms;
  };
  return { sim, adapter, actions, clock, nextImport, advance };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** Open (処理中, not shipped) orders as the cart shows them now. */
function openOrders(s: Setup): string[] {
  return s.sim.book
    .visible()
    .filter((v) => v.state === 'paid' || v.state === 'new')
    .map((v) => s.sim.book.cartOrderNo(v));
}

function shipInput(no: string, packages: Array<Partial<ShipmentPackage>>): ShipInput {
  return {
    cartOrderNo: no,
    cartRefs: {},
    cartPayload: null,
    packages: packages.map((p, i) => ({
      packageNo: i + 1,
      carrier: 'yamato',
      trackingNumber: `4321-0000-${1000 + i}`,
      shippedOn: '2024-04-25',
      ...p,
    })),
  };
}

const shipOf = (raw: RawOrder | undefined) =>
  ((raw?.payload as { Ship?: Record<string, string> } | undefined)?.Ship ?? {}) as Record<string, string>;

describe('yahoo orderShipStatusChange / orderStatusChange against the simulator', () => {
  it('ships an order; the next import sees ShipStatus 3 with the carrier code, invoice number and ship date', async () => {
    const s = await setup();
    const [no] = openOrders(s);
    const at = s.clock();
    const out = await s.actions.ship!(shipInput(no!, [{ trackingNumber: '4321-5678-9012' }]));
    expect(out.status).toBe('done');
    expect(out.answer).toContain('ShipCompanyCode 1001');
    const raw = (await s.nextImport(at)).find((r) => r.cartOrderNo === no);
    expect(shipOf(raw)).toMatchObject({
      ShipStatus: '3',
      ShipCompanyCode: '1001',
      ShipInvoiceNumber1: '4321-5678-9012',
      ShipDate: '2024-04-25',
    });
    const n = s.adapter.normalize(raw!, 'yahoo-main');
    // Shipping does not complete a Yahoo! order: it stays 処理中 (2) for the store to complete.
    expect(n.ok && [n.order.cartStatus, n.order.delivery.carrier]).toEqual(['2', '1001']);
  });

  it('retries a lost answer into one shipment: the same values set again', async () => {
    const s = await setup();
    const [no] = openOrders(s);
    s.sim.faults.dropReplies = 1;
    s.sim.faults.dropRepliesOn = 'orderShipStatusChange';
    expect((await s.actions.ship!(shipInput(no!, [{ trackingNumber: '111122223333' }]))).status).toBe('done');
    expect(s.sim.stats.droppedReplies).toBe(1);
    expect(s.sim.stats.byRoute.orderShipStatusChange).toBe(2);
    // The outbox sends it again later: still one shipment with that number.
    expect((await s.actions.ship!(shipInput(no!, [{ trackingNumber: '111122223333' }]))).status).toBe('done');
    const view = s.sim.book.find(no!)!;
    expect(view.shipments.map((x) => [x.key, x.trackingNumber])).toEqual([['1', '111122223333']]);
  });

  it('two packages of one carrier go as ShipInvoiceNumber1 and 2; three, or two carriers, are refused', async () => {
    const s = await setup();
    const [a, b] = openOrders(s);
    const two = await s.actions.ship!(
      shipInput(a!, [{ trackingNumber: '1111' }, { trackingNumber: '2222' }]),
    );
    expect(two.status).toBe('done');
    expect(s.sim.book.find(a!)!.shipments.map((x) => x.trackingNumber)).toEqual(['1111', '2222']);
    const mixed = await s.actions.ship!(shipInput(b!, [{}, { carrier: 'sagawa' }]));
    expect(mixed).toMatchObject({ status: 'refused', code: 'TOO_MANY_PACKAGES' });
    const three = await s.actions.ship!(shipInput(b!, [{}, {}, {}]));
    expect(three).toMatchObject({ status: 'refused', code: 'TOO_MANY_PACKAGES' });
    expect(s.sim.stats.byRoute.orderShipStatusChange).toBe(1);
  });

  it('refuses before sending: a carrier without a code, a ヤマト number that is not digits and hyphens up to 14', async () => {
    const s = await setup();
    const [no] = openOrders(s);
    const seino = await s.actions.ship!(shipInput(no!, [{ carrier: 'seino' }]));
    expect(seino).toMatchObject({ status: 'refused', code: 'UNKNOWN_CARRIER' });
    expect(seino.answer).toContain(no!);
    expect(seino.answer).toContain('西濃運輸');
    const long = await s.actions.ship!(shipInput(no!, [{ trackingNumber: '1234-5678-90123' }]));
    expect(long).toMatchObject({ status: 'refused', code: 'INVALID_TRACKING_NUMBER' });
    const letters = await s.actions.ship!(shipInput(no!, [{ trackingNumber: 'YMT1234' }]));
    expect(letters).toMatchObject({ status: 'refused', code: 'INVALID_TRACKING_NUMBER' });
    expect(s.sim.stats.byRoute.orderShipStatusChange).toBeUndefined();
    // A store that sets the code sends it (佐川 numbers are not held to ヤマト's rule).
    const s2 = await setup({ carrierCodes: { seino: '1004' } });
    const [no2] = openOrders(s2);
    expect(
      (await s2.actions.ship!(shipInput(no2!, [{ carrier: 'seino', trackingNumber: 'S-99' }]))).status,
    ).toBe('done');
    expect(s2.sim.book.find(no2!)!.shipments[0]).toMatchObject({ carrier: '1004' });
  });

  it('Yahoo!’s <Error> answers are refusals with its code, after a re-read shows the order is not so', async () => {
    const s = await setup({ carrierCodes: { yamato: 'YMT' } });
    const [no, gone] = openOrders(s);
    const bad = await s.actions.ship!(shipInput(no!, [{}]));
    expect(bad).toMatchObject({ status: 'refused', code: 'od90175' });
    expect(bad.answer).toContain('配送会社コードが正しくありません');
    s.sim.book.happen(gone!, 'cancel');
    const cancelled = await s.actions.ship!(shipInput(gone!, [{ carrier: 'sagawa' }]));
    expect(cancelled).toMatchObject({ status: 'refused', code: 'od90150' });
    const unknown = await s.actions.ship!(shipInput('snbx-nope-10099999', [{ carrier: 'sagawa' }]));
    expect(unknown.status).toBe('refused');
  });

  it('cancels with orderStatusChange; the next import sees 4 with the reason; a repeat is `already` after orderInfo', async () => {
    const s = await setup();
    const [no] = openOrders(s);
    const at = s.clock();
    const out = await s.actions.cancel!({
      cartOrderNo: no!,
      reasonCode: '210',
      reason: '欠品',
      cartPayload: null,
    });
    expect(out.status).toBe('done');
    const raw = (await s.nextImport(at)).find((r) => r.cartOrderNo === no);
    const n = s.adapter.normalize(raw!, 'yahoo-main');
    expect(n.ok && [n.order.cartStatus, n.order.cancelledInCart]).toEqual(['4', true]);
    expect((raw!.payload as { CancelReason: string }).CancelReason).toBe('210');
    // Cancelled → cancelled is refused by the transition table; orderInfo shows 4: already so.
    const again = await s.actions.cancel!({ cartOrderNo: no!, reason: '欠品', cartPayload: null });
    expect(again.status).toBe('already');
    expect(again.answer).toContain('od91150');
    expect(s.sim.stats.byRoute.orderStatusChange).toBe(2);
  });

  it('follows the transition table: 保留 and 完了 may be cancelled; a bad reason code is refused before sending', async () => {
    const s = await setup();
    const [held, done, other] = openOrders(s);
    s.sim.book.happen(held!, 'status', { cartStatus: '3' });
    s.sim.book.happen(done!, 'status', { cartStatus: '5' });
    s.advance();
    expect((await s.actions.cancel!({ cartOrderNo: held!, reason: 'x', cartPayload: null })).status).toBe(
      'done',
    );
    expect((await s.actions.cancel!({ cartOrderNo: done!, reason: 'x', cartPayload: null })).status).toBe(
      'done',
    );
    s.advance();
    expect(s.sim.book.find(held!)!.cancelReason).toBe(DEFAULT_CANCEL_REASON);
    expect(s.sim.book.find(done!)!.state).toBe('cancelled');
    const bad = await s.actions.cancel!({
      cartOrderNo: other!,
      reasonCode: '999',
      reason: 'x',
      cartPayload: null,
    });
    expect(bad).toMatchObject({ status: 'refused', code: 'INVALID_CANCEL_REASON' });
    expect(s.sim.stats.byRoute.orderStatusChange).toBe(2);
    const unknown = await s.actions.cancel!({
      cartOrderNo: 'snbx-nope-10099999',
      reason: 'x',
      cartPayload: null,
    });
    expect(unknown.status).toBe('refused');
    expect(unknown.answer).toContain('この注文がありません');
  });
});
