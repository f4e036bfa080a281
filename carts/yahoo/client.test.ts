import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import type { ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartRateLimitError, CartRequestError, CartResponseError } from '../errors.js';
import { signatureHeaders, type YahooCredentials } from './auth.js';
import { createYahooAdapter, orderListReq, type YahooAdapter } from './client.js';
import { ORDER_LIST_PATH, ordersPerSecondCeiling, YAHOO_API_LIMITS } from './constants.js';
import { YAHOO_DEMO_CREDENTIALS } from './demo-credentials.js';
import { FRAUD_HOLD, publicationTimeOf } from './render.js';
import { type RunningYahooSimulator, startYahooSimulator, type YahooSimulatorOptions } from './simulator.js';
import { buildXml } from './xml.js';

const HOUR = 3_600_000;
const NOW = new Date('2024-04-25T03:00:00Z');
const FROM = new Date('2024-04-20T00:00:00Z');
const TO = new Date('2024-04-24T15:00:00Z');
// Both ends use the same limits, scaled up from Yahoo's 1 req/s so the suite stays fast.
const LIMITS = { '*': { ratePerSec: 400, burst: 10 } };
const HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 10 };

let sims: RunningYahooSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

/** A simulator with a clock the test can move. */
async function sim(opts: YahooSimulatorOptions = {}) {
  let now = NOW.getTime();
  const clock = () => new Date(now);
  const s = await startYahooSimulator({
    orders: 60,
    seed: 7,
    from: FROM,
    to: TO,
    clock,
    limits: LIMITS,
    ...opts,
  });
  sims.push(s);
  return { s, clock, advance: (ms: number) => (now += ms) };
}

function adapter(
  s: RunningYahooSimulator,
  clock: () => Date,
  extra: { settings?: Record<string, unknown>; credentials?: Partial<YahooCredentials> } = {},
): YahooAdapter {
  return createYahooAdapter({
    storeCode: 'yahoo-main',
    baseUrl: s.url,
    credentials: { ...YAHOO_DEMO_CREDENTIALS, ...extra.credentials },
    http: HTTP,
    limits: LIMITS,
    now: clock,
    settings: { pageSize: 7, maxWindowHours: 12, ...extra.settings },
  });
}

async function collect(a: YahooAdapter, w: ListWindow): Promise<{ pages: RawOrder[][]; ids: string[] }> {
  const pages: RawOrder[][] = [];
  for await (const p of a.listOrders(w)) pages.push(p.orders);
  return { pages, ids: pages.flat().map((r) => r.cartOrderNo!) };
}

function normalizeAll(a: YahooAdapter, raws: RawOrder[]): CartOrder[] {
  return raws.map((r) => {
    const n = a.normalize(r, 'yahoo-main');
    if (!n.ok) throw new Error(`${n.cartOrderNo} ${n.field}: ${n.message}`);
    return n.order;
  });
}

describe('yahoo adapter against its simulator over HTTP', () => {
  it('LastUpdateTime (opt-in): every order changed in the window exactly once across pages and sub-windows, without a 429', async () => {
    const { s, clock } = await sim();
    const a = adapter(s, clock, { settings: { windowCondition: 'LastUpdateTime' } });
    // Window bounds with milliseconds: Yahoo searches whole seconds, the adapter must not lose or
    // repeat an order that sits on a boundary.
    const bounds = [
      new Date('2024-04-19T23:59:59.500Z'),
      new Date('2024-04-21T10:20:30.250Z'),
      new Date('2024-04-23T05:00:00.000Z'),
      new Date(NOW.getTime() + 1),
    ];
    const all: string[] = [];
    let pageCount = 0;
    for (let i = 0; i < bounds.length - 1; i++) {
      const w = { from: bounds[i]!, to: bounds[i + 1]! };
      const { pages, ids } = await collect(a, w);
      pageCount += pages.length;
      for (const o of normalizeAll(a, pages.flat())) {
        const at = Date.parse(o.cartUpdatedAt!);
        expect(at).toBeGreaterThanOrEqual(w.from.getTime());
        expect(at).toBeLessThan(w.to.getTime());
      }
      all.push(...ids);
    }
    const expected = s.book.visible().map((v) => s.book.cartOrderNo(v));
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...expected].sort());
    expect(expected.length).toBe(60);
    expect(pageCount).toBeGreaterThan(6); // several pages and sub-windows were walked
    expect(s.stats.byRoute.orderList).toBeGreaterThan(10);
    // One orderInfo per order; a request retried after the client's 300 ms timeout (a loaded machine)
    // reaches the simulator twice.
    expect(s.stats.byRoute.orderInfo).toBeGreaterThanOrEqual(60);
    expect(s.stats.byRoute.orderInfo).toBeLessThanOrEqual(60 + a.http.stats.retries);
    expect(s.stats.sent429).toBe(0);
    expect(a.http.stats.rateLimited).toBe(0);
  });

  it('the re-scan of open orders: a cart-side cancel or edit shows up in the next window with a later updated time', async () => {
    const { s, clock, advance } = await sim();
    const a = adapter(s, clock);
    const first = await collect(a, { from: FROM, to: NOW });
    const before = normalizeAll(a, first.pages.flat());
    const target = before.find((o) => o.cartStatus === '2' && o.lines[0]!.quantity === 1)!;
    const edited = before.find((o) => o.cartStatus === '2' && o !== target)!;

    advance(HOUR);
    expect(s.book.happen(target.cartOrderNo, 'cancel')?.state).toBe('cancelled');
    expect(s.book.happen(edited.cartOrderNo, 'edit')?.edits).toBeGreaterThan(0);
    advance(60_000);

    const w = { from: NOW, to: clock() };
    const next = await collect(a, w);
    const after = normalizeAll(a, next.pages.flat());
    // Other orders may have changed in that hour too (payments the generator scheduled).
    expect(after.map((o) => o.cartOrderNo)).toEqual(
      expect.arrayContaining([target.cartOrderNo, edited.cartOrderNo]),
    );
    for (const o of after) expect(Date.parse(o.cartUpdatedAt!)).toBeGreaterThanOrEqual(NOW.getTime());
    const cancelled = after.find((o) => o.cartOrderNo === target.cartOrderNo)!;
    expect(cancelled.cartStatus).toBe('4');
    expect(cancelled.cancelledInCart).toBe(true);
    expect(Date.parse(cancelled.cartUpdatedAt!)).toBeGreaterThan(Date.parse(target.cartUpdatedAt!));
    const changed = after.find((o) => o.cartOrderNo === edited.cartOrderNo)!;
    expect(changed.lines[0]!.quantity).toBe(edited.lines[0]!.quantity + 1);
    expect(Date.parse(changed.cartUpdatedAt!)).toBeGreaterThan(Date.parse(edited.cartUpdatedAt!));
  });

  it('an order leaving the window while pages are read does not make the next one be skipped', async () => {
    const { s, clock, advance } = await sim({ orders: 30 });
    // On LastUpdateTime a change moves a hit out of the window (on OrderTime nothing leaves it).
    const a = adapter(s, clock, { settings: { maxWindowHours: 1000, windowCondition: 'LastUpdateTime' } });
    const w = { from: FROM, to: NOW };
    const inWindow = s.book
      .visible()
      .filter((v) => v.updatedAt < NOW)
      .map((v) => s.book.cartOrderNo(v));
    const gen = a.listOrders(w);
    const first = await gen.next();
    const firstIds = (first.value?.orders ?? []).map((r: RawOrder) => r.cartOrderNo!);
    expect(firstIds).toHaveLength(7);
    // A hit on page 1 changes at the cart: it moves out of [FROM, NOW), every later hit moves up one.
    advance(HOUR);
    s.book.happen(firstIds[0]!, 'cancel');
    const rest: string[] = [];
    for await (const p of gen) rest.push(...p.orders.map((r) => r.cartOrderNo!));
    const all = [...firstIds, ...rest];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...inWindow].sort());
  });

  it('with the PublicationTime pass and the re-scan off, only orders placed in the window come back', async () => {
    const { s, clock, advance } = await sim({ orders: 20 });
    const a = adapter(s, clock, { settings: { publicationPass: false, changeLookbackDays: 0 } });
    const first = await collect(a, { from: FROM, to: NOW });
    expect(first.ids).toHaveLength(20);
    advance(HOUR);
    s.book.happen(first.ids[0]!, 'cancel');
    advance(60_000);
    expect((await collect(a, { from: NOW, to: clock() })).ids).toEqual([]);
    // The default finds the cancel by the re-scan.
    expect((await collect(adapter(s, clock), { from: NOW, to: clock() })).ids).toEqual([first.ids[0]]);
  });

  it('by default every order in consecutive windows, each window once, and never a LastUpdateTime condition', async () => {
    const { s, clock } = await sim();
    const a = adapter(s, clock);
    const sent: string[] = [];
    const send = a.http.send.bind(a.http);
    a.http.send = (req, signal) => {
      sent.push(String(req.body));
      return send(req, signal);
    };
    const bounds = [FROM, new Date('2024-04-21T10:20:30.250Z'), new Date('2024-04-23T05:00:00.000Z'), NOW];
    const all = new Set<string>();
    for (let i = 0; i < bounds.length - 1; i++) {
      const w = { from: bounds[i]!, to: bounds[i + 1]! };
      const { ids, pages } = await collect(a, w);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) all.add(id);
      // Each order came for a reason: placed, published or changed in the window.
      for (const o of normalizeAll(a, pages.flat())) {
        const v = s.book.find(o.cartOrderNo)!;
        const inW = (d: Date) => d >= w.from && d < w.to;
        expect(inW(v.orderedAt) || inW(publicationTimeOf(v)) || inW(new Date(o.cartUpdatedAt!))).toBe(true);
      }
    }
    expect([...all].sort()).toEqual(
      s.book
        .visible()
        .map((v) => s.book.cartOrderNo(v))
        .sort(),
    );
    const lists = sent.filter((b) => b.includes('<Search>'));
    expect(lists.some((b) => b.includes('<OrderTimeFrom>'))).toBe(true);
    expect(lists.some((b) => b.includes('<PublicationTimeFrom>'))).toBe(true);
    expect(lists.some((b) => b.includes('<OrderStatus>1,2,3,4</OrderStatus>'))).toBe(true);
    expect(sent.some((b) => b.includes('LastUpdateTimeFrom'))).toBe(false);
    expect(s.stats.sent429).toBe(0);
  });

  it('orderInfo calls of a page overlap (orderInfoConcurrency) yet come back in page order, with no 429 at a burst of 1', async () => {
    // Burst 1 on both ends (the simulator doubles it): only the limiter's pace lets calls out.
    const tight = { '*': { ratePerSec: 200, burst: 1 } };
    const { s, clock } = await sim({ orders: 40, limits: tight });
    const run = async (orderInfoConcurrency: number) => {
      const a = createYahooAdapter({
        storeCode: 'yahoo-main',
        baseUrl: s.url,
        credentials: YAHOO_DEMO_CREDENTIALS,
        http: HTTP,
        limits: tight,
        now: clock,
        settings: { pageSize: 7, maxWindowHours: 12, orderInfoConcurrency },
      });
      let inFlight = 0;
      let most = 0;
      const send = a.http.send.bind(a.http);
      a.http.send = async (req, signal) => {
        if (req.operation !== 'orderInfo') return send(req, signal);
        most = Math.max(most, ++inFlight);
        try {
          return await send(req, signal);
        } finally {
          inFlight--;
        }
      };
      const { pages } = await collect(a, { from: FROM, to: NOW });
      return { pages: pages.map((p) => p.map((r) => r.cartOrderNo)), most };
    };
    const one = await run(1);
    const four = await run(4);
    expect(one.most).toBe(1);
    expect(four.most).toBeLessThanOrEqual(4);
    expect(four.pages).toEqual(one.pages);
    expect(one.pages.flat()).toHaveLength(40);
    expect(s.stats.sent429).toBe(0);
  });

  it('an order Yahoo holds for its checks is found by the PublicationTime pass after its OrderTime window was read', async () => {
    const { s, clock, advance } = await sim({ orders: 0 });
    // Ten orders placed now; seq 5 is held for FRAUD_HOLD.minutes.
    const placed = Array.from({ length: 10 }, () => s.book.placeNow());
    const held = placed.find((o) => publicationTimeOf(o) > o.orderedAt)!;
    expect(held.seq).toBe(FRAUD_HOLD.remainder);
    const heldNo = s.book.cartOrderNo(held);
    advance(5 * 60_000);
    const first = await collect(adapter(s, clock), { from: NOW, to: clock() });
    expect(first.ids).toHaveLength(9);
    expect(first.ids).not.toContain(heldNo);
    const t1 = clock();
    advance(FRAUD_HOLD.minutes * 60_000);
    // Without the PublicationTime pass (and the re-scan) the held order is never seen…
    const blind = adapter(s, clock, { settings: { publicationPass: false, changeLookbackDays: 0 } });
    expect((await collect(blind, { from: t1, to: clock() })).ids).toEqual([]);
    // …with it, the next window brings it.
    const next = await collect(adapter(s, clock, { settings: { changeLookbackDays: 0 } }), {
      from: t1,
      to: clock(),
    });
    expect(next.ids).toEqual([heldNo]);
  });

  it('backs off and finishes after 429s, 5xx and timeouts', async () => {
    const { s, clock } = await sim({ orders: 25 });
    const a = adapter(s, clock);
    Object.assign(s.faults, { rateLimited: 3, serverErrors: 3, timeouts: 2 });
    const { ids } = await collect(a, { from: FROM, to: NOW });
    expect(new Set(ids).size).toBe(25);
    expect(s.stats.sent429).toBe(3);
    expect(s.stats.sent5xx).toBe(3);
    expect(s.stats.timeouts).toBe(2);
    expect(a.http.stats.retries).toBeGreaterThanOrEqual(8);
  });

  it('refreshes the access token when Yahoo says it expired (expireTokens, and after an hour)', async () => {
    const { s, clock, advance } = await sim({ orders: 10 });
    const a = adapter(s, clock);
    s.faults.expireTokens = true;
    expect((await collect(a, { from: FROM, to: NOW })).ids).toHaveLength(10);
    expect(s.stats.authFailures).toBe(1); // one 401 "expired token", then the refreshed token works
    expect(s.yahoo.tokensIssued).toBe(1);
    expect(a.tokens.refreshes).toBe(1);

    s.faults.expireTokens = false;
    advance(2 * HOUR); // the refreshed token is past its hour: refreshed before use, no 401
    expect((await collect(a, { from: FROM, to: NOW })).ids).toHaveLength(10);
    expect(s.stats.authFailures).toBe(1);
    expect(a.tokens.refreshes).toBe(2);
  });

  it('a revoked authorization is a CartAuthError', async () => {
    const { s, clock } = await sim({ orders: 5 });
    s.faults.revokeCredentials = true;
    const a = adapter(s, clock);
    await expect(collect(a, { from: FROM, to: NOW })).rejects.toBeInstanceOf(CartAuthError);
    await expect(a.fetchOrder('juchu-demo-10000001')).rejects.toThrow(/invalid_grant/);
  });

  it('a wrong client secret or refresh token is a CartAuthError', async () => {
    const { s, clock } = await sim({ orders: 5 });
    const a = adapter(s, clock, { credentials: { accessToken: undefined, refreshToken: 'stale' } });
    await expect(collect(a, { from: FROM, to: NOW })).rejects.toBeInstanceOf(CartAuthError);
    const b = adapter(s, clock, { credentials: { accessToken: undefined, clientSecret: 'wrong' } });
    await expect(b.fetchOrder('juchu-demo-10000001')).rejects.toThrow(/invalid_client/);
  });

  it('a body that is not XML is a CartResponseError', async () => {
    const { s, clock } = await sim({ orders: 5 });
    s.yahoo.htmlBodies = 1;
    const a = adapter(s, clock);
    const err = await collect(a, { from: FROM, to: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartResponseError);
    expect(String(err)).toMatch(/not XML.*text\/html/);
  });

  it('an Error body of the API (a store that is not ours) is a CartRequestError', async () => {
    const { s, clock } = await sim({ orders: 5 });
    const a = adapter(s, clock, { credentials: { sellerId: 'someone-else' } });
    await expect(a.fetchOrder('someone-else-10000001')).rejects.toBeInstanceOf(CartRequestError);
  });

  it('over the daily quota: 403 "Your Request was Forbidden" → CartRateLimitError until midnight JST, no retries', async () => {
    const { s, clock } = await sim({ orders: 10, dailyQuota: 4 });
    const a = adapter(s, clock);
    const err = await collect(a, { from: FROM, to: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartRateLimitError);
    const e = err as CartRateLimitError;
    expect(e.status).toBe(403);
    // NOW is 12:00 JST: twelve hours to the reset.
    expect(e.retryAfterMs).toBe(12 * HOUR);
    expect(s.stats.requests).toBe(5);
  });

  it('a malformed record is rejected alone, naming the field and the order; the rest comes through', async () => {
    const { s, clock } = await sim({ orders: 12 });
    s.faults.malformedRecords = 2;
    const a = adapter(s, clock, { settings: { pageSize: 12, maxWindowHours: 1000 } });
    const { pages } = await collect(a, { from: FROM, to: NOW });
    expect(pages).toHaveLength(1);
    const results = pages[0]!.map((r) => a.normalize(r, 'yahoo-main'));
    const bad = results.filter((r) => !r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(bad.map((r) => !r.ok && r.field).sort()).toEqual(['Item[0].Quantity', 'OrderTime']);
    for (const r of bad) expect(!r.ok && r.cartOrderNo).toMatch(/^juchu-demo-100000\d\d$/);
  });

  it('fetchOrder: one order by number, null for an unknown one', async () => {
    const { s, clock } = await sim({ orders: 8 });
    const a = adapter(s, clock);
    const raw = await a.fetchOrder('juchu-demo-10000003');
    expect(raw?.cartOrderNo).toBe('juchu-demo-10000003');
    const n = a.normalize(raw!, 'yahoo-main');
    expect(n.ok && n.order.cartOrderNo).toBe('juchu-demo-10000003');
    expect(await a.fetchOrder('juchu-demo-19999999')).toBeNull();
  });

  it('serves a folder of recorded orderInfo bodies (fixturesDir)', async () => {
    const { s, clock } = await sim({ fixturesDir: join(import.meta.dirname, 'fixtures') });
    const a = adapter(s, clock, { settings: { pageSize: 4 } });
    const { ids, pages } = await collect(a, { from: new Date('2024-04-01T00:00:00Z'), to: NOW });
    expect(ids).toHaveLength(9);
    expect(ids).toContain('snbx-example-00012');
    expect(normalizeAll(a, pages.flat())).toHaveLength(9);
  });

  it('signs calls with the store public key when one is configured (公開鍵認証)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const headers = signatureHeaders(
      { ...YAHOO_DEMO_CREDENTIALS, publicKey: pem, publicKeyVersion: '2' },
      NOW,
    );
    expect(headers['X-sws-signature-version']).toBe('2');
    // Node 20 refuses PKCS#1 v1.5 private decryption, so undo the padding by hand:
    // 0x00 0x02 <random non-zero bytes> 0x00 <message>.
    const padded = privateDecrypt(
      { key: privateKey, padding: constants.RSA_NO_PADDING },
      Buffer.from(headers['X-sws-signature']!, 'base64'),
    );
    expect([padded[0], padded[1]]).toEqual([0, 2]);
    const plain = padded.subarray(padded.indexOf(0, 2) + 1).toString();
    expect(plain).toBe(`juchu-demo:${NOW.getTime() / 1000}`);
    expect(signatureHeaders(YAHOO_DEMO_CREDENTIALS, NOW)).toEqual({});
  });
});

describe('yahoo documented limits (issue 13 item 6)', () => {
  it('the simulator answers 429 over 1 request a second by default; the ceiling follows from the limits', async () => {
    const s = await startYahooSimulator({ orders: 3, seed: 1 });
    sims.push(s);
    const body = buildXml({
      Req: orderListReq(
        YAHOO_DEMO_CREDENTIALS.sellerId,
        { OrderTimeFrom: '20240401000000', OrderTimeTo: '20240401235959' },
        1,
        10,
      ),
    });
    const statuses = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(s.url + ORDER_LIST_PATH, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${YAHOO_DEMO_CREDENTIALS.accessToken}`,
            'Content-Type': 'application/xml; charset=UTF-8',
          },
          body,
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(2);
    expect(s.yahoo.dailyQuota).toBe(YAHOO_API_LIMITS.requestsPerDay.value);
    // One orderInfo per order plus two list passes of 100 rows: 1 / 1.02 orders a second.
    expect(ordersPerSecondCeiling()).toBeCloseTo(1 / 1.02, 6);
    expect(ordersPerSecondCeiling(1, 1000)).toBeCloseTo(1 / 1.001, 6);
  });
});
