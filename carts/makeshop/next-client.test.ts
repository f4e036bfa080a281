// The next-generation adapter (GraphQL searchOrder) against the simulator over real HTTP (port 0): paging,
// the order-date window and the re-scan of older orders, the three auth headers, a guessed field makeshop
// lacks, the shop-wide rate (scaled up for speed), faults; and which adapter a store gets.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartAdapter, ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartClockError, CartRequestError, CartResponseError } from '../errors.js';
import { MakeshopClassicAdapter, MakeshopNextAdapter, makeshopCart } from './index.js';
import { MAKESHOP_NEXT_PATH, type MakeshopSimulator, startMakeshopSimulator } from './simulator.js';

const HOUR = 3_600_000;
const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
/** 1 request a second for the shop, sped up 100×: still one at a time, no burst. */
const LIMIT = { '*': { ratePerSec: 100, burst: 1 } };
const HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 6 };
const PAGE = 7;
const ALL: ListWindow = { from: new Date(START.getTime() - HOUR), to: new Date(END.getTime() + 1000) };

let sim: MakeshopSimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

function start(opts: Parameters<typeof startMakeshopSimulator>[0] = {}) {
  return startMakeshopSimulator({ from: START, to: END, clock: () => END, limits: LIMIT, ...opts });
}

function adapterFor(
  s: MakeshopSimulator,
  extra: Partial<Parameters<typeof makeshopCart.createAdapter>[0]> = {},
): MakeshopNextAdapter {
  const a = makeshopCart.createAdapter({
    storeCode: 'makeshop-main',
    baseUrl: s.url,
    credentials: makeshopCart.demoCredentials,
    http: HTTP,
    limits: LIMIT,
    ...extra,
    settings: { pageSize: PAGE, ...extra.settings },
  });
  expect(a).toBeInstanceOf(MakeshopNextAdapter);
  return a as MakeshopNextAdapter;
}

async function collect(adapter: CartAdapter, windows: ListWindow[]): Promise<RawOrder[]> {
  const raws: RawOrder[] = [];
  for (const w of windows) for await (const page of adapter.listOrders(w)) raws.push(...page.orders);
  return raws;
}

function windows(from: Date, to: Date, stepMs: number): ListWindow[] {
  const out: ListWindow[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += stepMs)
    out.push({ from: new Date(t), to: new Date(Math.min(t + stepMs, to.getTime())) });
  return out;
}

async function simOrders(s: MakeshopSimulator): Promise<string[]> {
  const res = await fetch(`${s.url}/__sim/orders`);
  return ((await res.json()) as Array<{ cartOrderNo: string }>).map((o) => o.cartOrderNo).sort();
}

/** A raw searchOrder call, as another client would make it. */
function post(s: MakeshopSimulator, body: unknown, headers: Record<string, string> = {}) {
  const c = makeshopCart.demoCredentials;
  return fetch(`${s.url}${MAKESHOP_NEXT_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${c.accessToken}`,
      'x-api-key': c.apiKey!,
      'x-timestamp': String(Math.floor(Date.now() / 1000)),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}
const QUERY =
  'query searchOrder($input: SearchOrderRequest!) { searchOrder(input: $input) { searchedCount page orders { displayOrderNumber orderDate memberId sumPrice deliveryInfos { basketInfos { productName price } } } } }';

describe('makeshop next-generation store: adapter ⇄ simulator', () => {
  it('brings every order once per window, page after page, cancelled ones included, with no 429', async () => {
    let now = END;
    sim = await start({ seed: 21, orders: 70, clock: () => now });
    sim.book.happen((await simOrders(sim))[10]!, 'cancel');
    now = new Date(END.getTime() + HOUR);
    // No re-scan here: each window alone must hold exactly its own orders.
    const adapter = adapterFor(sim, { settings: { changeLookbackDays: 0 } });
    const ws = windows(ALL.from, ALL.to, 13 * HOUR);
    const raws = await collect(adapter, ws);
    const got = raws.map((r) => r.cartOrderNo!).sort();
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(await simOrders(sim));
    expect(sim.stats.sent429).toBe(0);
    const results = raws.map((r) => adapter.normalize(r, 'makeshop-main'));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.some((r) => r.ok && r.order.cancelledInCart)).toBe(true);
    // Pages of 7: more calls than windows; every field of the query known to the simulated schema.
    expect(sim.stats.requests).toBeGreaterThan(ws.length);
    expect([...adapter.dropped]).toEqual([]);
  });

  it('sends authorization: Bearer, x-api-key and a fresh x-timestamp; each wrong one is a CartAuthError', async () => {
    sim = await start({ seed: 1, orders: 3 });
    const c = makeshopCart.demoCredentials;
    const cases: Array<[string, Partial<Parameters<typeof makeshopCart.createAdapter>[0]>, RegExp]> = [
      ['a wrong API key (403)', { credentials: { ...c, apiKey: 'wrong' } }, /HTTP 403/],
      ['a wrong token (401)', { credentials: { ...c, accessToken: 'PAT.wrong' } }, /HTTP 401.*Unauthorized/],
      // A clock 30 minutes ahead does not hide a wrong token: after the stamp follows the cart's
      // clock the token is refused again, and that is about the credentials.
      [
        'a wrong token from a clock ahead (401 twice)',
        { credentials: { ...c, accessToken: 'PAT.wrong' }, now: () => new Date(Date.now() + 30 * 60_000) },
        /HTTP 401.*Unauthorized/,
      ],
    ];
    for (const [why, extra, message] of cases) {
      const err = await collect(adapterFor(sim, extra), [ALL]).catch((e: unknown) => e);
      expect(err, why).toBeInstanceOf(CartAuthError);
      expect((err as Error).message, why).toMatch(message);
    }
    sim.faults.revokeCredentials = true;
    await expect(adapterFor(sim).fetchOrder('JC1')).rejects.toBeInstanceOf(CartAuthError);
    expect(sim.stats.authFailures).toBe(5);
  });

  it('a clock 30 min ahead or 2 h behind: the refused x-timestamp is set by the cart’s Date and every order comes', async () => {
    sim = await start({ seed: 4, orders: 20 });
    const expected = await simOrders(sim);
    for (const [why, offset] of [
      ['30 minutes ahead', 30 * 60_000],
      ['two hours behind (past the hour makeshop allows [V])', -2 * HOUR],
    ] as const) {
      const before = sim.stats.authFailures;
      const adapter = adapterFor(sim, { now: () => new Date(Date.now() + offset) });
      const raws = await collect(adapter, windows(ALL.from, ALL.to, 24 * HOUR));
      // (The re-scan of older orders brings some twice: compared as sets.)
      expect([...new Set(raws.map((r) => r.cartOrderNo))].sort(), why).toEqual(expected);
      // Only the first request was refused: every later stamp followed the cart's clock.
      expect(sim.stats.authFailures - before, why).toBe(1);
    }
  });

  it('a refused x-timestamp without a Date header to correct by is a CartClockError, not bad credentials', async () => {
    sim = await start({ seed: 1, orders: 3, noDateHeader: true });
    const err = await collect(adapterFor(sim, { now: () => new Date(Date.now() + 30 * 60_000) }), [
      ALL,
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartClockError);
    expect(err).not.toBeInstanceOf(CartAuthError);
    expect((err as CartClockError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/x-timestamp/);
    // Once at once and no more: retrying on the same clock cannot help.
    expect(sim.stats.authFailures).toBe(2);
    // The credentials themselves, on a clock that is right, still work.
    expect((await collect(adapterFor(sim), [ALL])).length).toBeGreaterThan(0);
  });

  it('a guessed field the shop’s schema lacks is dropped from the query and the search made again', async () => {
    sim = await start({
      seed: 2,
      orders: 12,
      hiddenFields: ['SearchedOrder.paymentMethodName', 'BasketInfo.taxRate', 'SearchedOrder.notes'],
    });
    const adapter = adapterFor(sim);
    const raws = await collect(adapter, [ALL]);
    expect(raws).toHaveLength(12);
    expect([...adapter.dropped].sort()).toEqual([
      'BasketInfo.taxRate',
      'SearchedOrder.notes',
      'SearchedOrder.paymentMethodName',
    ]);
    const orders = raws.map((r) => {
      const n = adapter.normalize(r, 's');
      if (!n.ok) throw new Error(`${n.field}: ${n.message}`);
      return n.order;
    });
    // What was not asked for is null, the rest is there.
    expect(orders.every((o) => o.payment.method === null && o.lines.every((l) => l.taxRate === null))).toBe(
      true,
    );
    expect(orders.every((o) => o.orderer.name !== null && o.customerRemarks === null)).toBe(true);
  });

  it('a field the public sources name but makeshop refuses is a CartRequestError, not dropped', async () => {
    sim = await start({ seed: 2, orders: 3, hiddenFields: ['SearchedOrder.orderDate'] });
    const err = await collect(adapterFor(sim), [ALL]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartRequestError);
    expect((err as Error).message).toMatch(
      /SearchedOrder\.orderDate does not exist, but public sources name it/,
    );
  });

  it('backs off after 429, 5xx and timeouts and still finishes', async () => {
    sim = await start({ seed: 8, orders: 30 });
    Object.assign(sim.faults, { rateLimited: 2, serverErrors: 2, timeouts: 1 });
    const adapter = adapterFor(sim, { settings: { changeLookbackDays: 0 } });
    const raws = await collect(adapter, [ALL]);
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(await simOrders(sim));
    expect([sim.stats.sent429, sim.stats.sent5xx, sim.stats.timeouts]).toEqual([2, 2, 1]);
    expect(adapter.http.stats.retries).toBeGreaterThanOrEqual(5);
  });

  it('every call of the shop shares one limit: two adapters at once meet no 429; a burst is refused', async () => {
    const slow = { '*': { ratePerSec: 20, burst: 1 } };
    sim = await start({ seed: 2, orders: 30, limits: slow });
    const a = adapterFor(sim, { limits: slow, settings: { pageSize: 10 } });
    const b = adapterFor(sim, { limits: slow, settings: { fetchLookbackDays: 3650 } });
    const nos = (await simOrders(sim)).slice(0, 3);
    const [listed, fetched] = await Promise.all([
      collect(a, [ALL]),
      Promise.all(nos.map((no) => b.fetchOrder(no))),
    ]);
    expect(listed).toHaveLength(30);
    expect(fetched.map((r) => r?.cartOrderNo)).toEqual(nos);
    expect(sim.stats.sent429).toBe(0);
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(sim!, { query: QUERY, variables: { input: { page: 1, limit: 10 } } }),
      ),
    );
    const refused = burst.find((r) => r.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('0.05');
  });

  it('a malformed record is rejected by name while the rest of its page comes through', async () => {
    sim = await start({ seed: 9, orders: 6 });
    sim.faults.malformedRecords = 2;
    const adapter = adapterFor(sim, { settings: { pageSize: 20, changeLookbackDays: 0 } });
    const pages = [];
    for await (const page of adapter.listOrders(ALL)) pages.push(page);
    expect(pages).toHaveLength(1);
    const results = pages[0]!.orders.map((r) => adapter.normalize(r, 's'));
    const bad = results.filter((r) => !r.ok);
    expect(bad.map((r) => !r.ok && r.field).sort()).toEqual([
      'deliveryInfos[0].basketInfos[0].amount',
      'orderDate',
    ]);
    expect(bad.every((r) => !r.ok && /^JC\d+$/.test(r.cartOrderNo ?? ''))).toBe(true);
    expect(results.filter((r) => r.ok)).toHaveLength(4);
  });

  it('an HTML page instead of JSON is a CartResponseError', async () => {
    sim = await start({ seed: 1, orders: 3 });
    sim.quirks.htmlBodies = 1;
    await expect(adapterFor(sim).listOrders(ALL).next()).rejects.toBeInstanceOf(CartResponseError);
  });

  it('fetchOrder finds an order by number in the look-back, cancelled ones included; null when unknown', async () => {
    let now = END;
    sim = await start({ seed: 3, orders: 5, clock: () => now });
    const adapter = adapterFor(sim, { settings: { fetchLookbackDays: 3650 } });
    const [no] = await simOrders(sim);
    sim.book.happen(no!, 'cancel');
    now = new Date(END.getTime() + HOUR);
    const raw = await adapter.fetchOrder(no!);
    const r = raw && adapter.normalize(raw, 's');
    expect(r?.ok && [r.order.cartOrderNo, r.order.cartStatus, r.order.cancelledInCart]).toEqual([
      no,
      '0',
      true,
    ]);
    expect(await adapter.fetchOrder('JC99999999999990000')).toBeNull();
    expect(await adapter.fetchOrder('#1001')).toBeNull();
    // Out of the look-back (the default 90 days before now, 2026 here): not found.
    expect(await adapterFor(sim).fetchOrder(no!)).toBeNull();
  });

  it('a cart-side cancel and edit of an older order come with the next window (re-scan by order date)', async () => {
    let now = END;
    sim = await start({ seed: 4, orders: 20, clock: () => now });
    const adapter = adapterFor(sim, { settings: { changeLookbackDays: 7 } });
    const first = await collect(adapter, [ALL]);
    const before = new Map(first.map((r) => [r.cartOrderNo, adapter.normalize(r, 's')]));
    const [a, b] = (await simOrders(sim)).filter((no) => {
      const r = before.get(no);
      return r?.ok && !r.order.cancelledInCart;
    });
    now = new Date(END.getTime() + HOUR);
    sim.book.happen(a!, 'cancel');
    sim.book.happen(b!, 'edit');
    now = new Date(END.getTime() + 2 * HOUR);
    const next = (await collect(adapter, [{ from: ALL.to, to: now }])).map((r) => adapter.normalize(r, 's'));
    const cancelled = next.find((r) => r.ok && r.order.cartOrderNo === a);
    const edited = next.find((r) => r.ok && r.order.cartOrderNo === b);
    const old = before.get(b!);
    if (!cancelled?.ok || !edited?.ok || !old?.ok) throw new Error('normalize failed');
    expect([cancelled.order.cartStatus, cancelled.order.cancelledInCart]).toEqual(['0', true]);
    expect(edited.order.lines[0]!.quantity).toBe(old.order.lines[0]!.quantity + 1);
    // Each order once per window; without the re-scan the changes would not come.
    const nos = next.map((r) => r.ok && r.order.cartOrderNo);
    expect(new Set(nos).size).toBe(nos.length);
    const off = adapterFor(sim, { settings: { changeLookbackDays: 0 } });
    expect(await collect(off, [{ from: ALL.to, to: now }])).toEqual([]);
  });

  it('with deliveryStatuses, one search per status, every order still once', async () => {
    let now = END;
    sim = await start({ seed: 5, orders: 25, clock: () => now });
    sim.book.happen((await simOrders(sim))[3]!, 'cancel');
    now = new Date(END.getTime() + HOUR);
    const adapter = adapterFor(sim, {
      settings: { deliveryStatuses: ['N', 'Y', 'C', 'R'], changeLookbackDays: 0 },
    });
    const got = (await collect(adapter, [ALL])).map((r) => r.cartOrderNo).sort();
    expect(got).toEqual(await simOrders(sim));
  });

  it('serves recorded searchOrder answers from a fixtures folder (the XML ones to classic stores only)', async () => {
    sim = await start({ fixturesDir: join(import.meta.dirname, 'fixtures') });
    const april = { from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-01T00:00:00Z') };
    const raws = await collect(adapterFor(sim, { settings: { changeLookbackDays: 0 } }), [april]);
    expect(raws).toHaveLength(10);
    const september = { from: new Date('2024-09-01T00:00:00Z'), to: new Date('2024-10-01T00:00:00Z') };
    const thirdParty = await collect(adapterFor(sim, { settings: { changeLookbackDays: 0 } }), [september]);
    expect(thirdParty.map((r) => r.cartOrderNo)).toEqual(['P181234567890123401', 'P181234567890123402']);
  });

  it('the simulator answers only the fields asked for and refuses what makeshop would', async () => {
    sim = await start({ seed: 6, orders: 5, rateLimits: false });
    const ok = (await (
      await post(sim, { query: QUERY, variables: { input: { page: 1, limit: 2 } } })
    ).json()) as {
      data: { searchOrder: { searchedCount: number; page: number; orders: Array<Record<string, unknown>> } };
    };
    expect(ok.data.searchOrder.searchedCount).toBe(5);
    expect(ok.data.searchOrder.orders).toHaveLength(2);
    expect(Object.keys(ok.data.searchOrder.orders[0]!).sort()).toEqual(
      ['deliveryInfos', 'displayOrderNumber', 'memberId', 'orderDate', 'sumPrice'].sort(),
    );
    const errorOf = async (body: unknown) =>
      ((await (await post(sim!, body)).json()) as { errors: Array<{ message: string }> }).errors[0]!.message;
    expect(await errorOf({ query: QUERY, variables: { input: { limit: 1001 } } })).toMatch(/limit は1〜1000/);
    expect(await errorOf({ query: QUERY, variables: { input: { orderNumber: 'x' } } })).toMatch(
      /Field "orderNumber" is not defined by type "SearchOrderRequest"/,
    );
    expect(await errorOf({ query: QUERY.replace('memberId', 'memberCode'), variables: { input: {} } })).toBe(
      'Cannot query field "memberCode" on type "SearchedOrder".',
    );
  });
});

describe('makeshop: which API a store speaks', () => {
  const create = (
    settings: Record<string, unknown>,
    credentials: Record<string, string>,
    baseUrl = 'http://127.0.0.1:1',
  ) => makeshopCart.createAdapter({ storeCode: 's', baseUrl, credentials, settings });
  const c = makeshopCart.demoCredentials;
  const classicOnly = { shopId: c.shopId!, token: c.token! };
  const nextOnly = { accessToken: c.accessToken!, apiKey: c.apiKey! };

  it.each([
    {
      why: 'orderApi decides',
      settings: { orderApi: 'classic' },
      credentials: c,
      want: MakeshopClassicAdapter,
    },
    { why: 'orderApi decides', settings: { orderApi: 'next' }, credentials: c, want: MakeshopNextAdapter },
    {
      why: 'no setting, next-generation credentials: a new store',
      settings: {},
      credentials: nextOnly,
      want: MakeshopNextAdapter,
    },
    {
      why: 'no setting, both sets (the demo): next',
      settings: {},
      credentials: c,
      want: MakeshopNextAdapter,
    },
    {
      why: 'no setting, classic credentials only: a store saved before the setting existed',
      settings: {},
      credentials: classicOnly,
      want: MakeshopClassicAdapter,
    },
  ])('$why', ({ settings, credentials, want }) => {
    expect(create(settings, credentials)).toBeInstanceOf(want);
  });

  it('an API without its credentials, or the next-generation API at the classic host, is a CartAuthError', () => {
    expect(() => create({ orderApi: 'next' }, classicOnly)).toThrow(/accessToken missing/);
    expect(() => create({ orderApi: 'classic' }, nextOnly)).toThrow(/shopId missing/);
    expect(() => create({ orderApi: 'next' }, nextOnly, 'https://www.makeshop.jp')).toThrow(CartAuthError);
    expect(() => create({ orderApi: 'next' }, nextOnly, 'https://www.makeshop.jp')).toThrow(
      /エンドポイント URL/,
    );
  });

  it('credentials: one whole set at least, a half set names what is missing', () => {
    const parse = (v: unknown) => makeshopCart.credentialsSchema.safeParse(v);
    expect(parse(nextOnly).success).toBe(true);
    expect(parse(classicOnly).success).toBe(true);
    // A form or an environment variable left empty is no value.
    expect(parse({ ...nextOnly, shopId: '', token: '  ' }).data).toEqual(nextOnly);
    expect(parse({ accessToken: 'PAT.x' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['apiKey']);
    expect(parse({}).error?.issues[0]?.path).toEqual(['accessToken']);
  });

  it('apiStatus: the API, and for classic stores makeshop’s closing notice', () => {
    const now = new Date('2026-12-02T00:00:00+09:00');
    expect(makeshopCart.apiStatus?.({ orderApi: 'next' }, now)).toEqual({
      api: '次世代API (GraphQL)',
      warnings: [],
    });
    const classic = makeshopCart.apiStatus?.({ orderApi: 'classic' }, now);
    expect(classic?.api).toBe('従来API（閉塞予定）');
    expect(classic?.warnings).toHaveLength(1);
    expect(classic?.warnings[0]).toMatch(/^makeshop は従来APIを2025年末〜2026年頭に閉塞予定と発表しています/);
    expect(classic?.warnings[0]).toMatch(/時期を過ぎており/);
    const before = makeshopCart.apiStatus?.({ orderApi: 'classic' }, new Date('2025-06-01T00:00:00+09:00'));
    expect(before?.warnings[0]).not.toMatch(/時期を過ぎており/);
    // No setting: shown as the classic store it most likely is, with a word on the setting.
    const unset = makeshopCart.apiStatus?.({}, now);
    expect(unset?.api).toBe('従来API（閉塞予定）');
    expect(unset?.warnings[1]).toMatch(/orderApi がありません/);
  });
});
