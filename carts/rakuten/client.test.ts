// The adapter against its simulator over real HTTP (port 0). Limits are scaled down: a 6-hour
// searchOrder period instead of 63 days, a 20-hit ceiling instead of 15,000, 7 per page instead of
// 1000, and 500 requests/s instead of ~1 — the same on both ends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterOptions, ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartRequestError, CartResponseError } from '../errors.js';
import { classifyRakuten, type RakutenAdapter, type RakutenCredentials } from './client.js';
import {
  DAY_MS,
  esaAuthorization,
  GET_ORDER_PATH,
  ordersPerSecondCeiling,
  RAKUTEN_API_LIMITS,
  SEARCH_ORDER_PATH,
} from './codes.js';
import { rakutenCart } from './index.js';
import { changeTimesOf } from './normalize.js';
import { renderOrderModel } from './render.js';
import { type RunningRakutenSimulator, rakutenSimulator } from './simulator.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (f: string) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as unknown;

const LIMITS = { '*': { ratePerSec: 500, burst: 5 } };
const SCALED = { hitCeiling: 20, maxWindowDays: 0.25, maxPageSize: 7 };
const SETTINGS = { pageSize: 7, hitCeiling: 20, maxWindowDays: 0.25, changeLookbackDays: 5 };
const T0 = new Date('2026-03-10T00:00:00+09:00');
const START = new Date(T0.getTime() - 3 * DAY_MS);

interface Harness {
  sim: RunningRakutenSimulator;
  clock: { now: Date };
  adapter(over?: Partial<AdapterOptions<RakutenCredentials>>): RakutenAdapter;
}

async function harness(orders = 300, seed = 7): Promise<Harness> {
  // Every generated event (payment ≤ 2 days, cancel ≤ 3 days after the order) has happened by now.
  const clock = { now: new Date(T0.getTime() + 4 * DAY_MS) };
  const sim = await rakutenSimulator.start({
    port: 0,
    seed,
    orders,
    from: START,
    to: T0,
    clock: () => clock.now,
    limits: LIMITS,
    ...SCALED,
  });
  return {
    sim,
    clock,
    adapter: (over = {}) =>
      rakutenCart.createAdapter({
        storeCode: 'rakuten-main',
        baseUrl: sim.url,
        credentials: rakutenCart.demoCredentials,
        limits: LIMITS,
        now: () => clock.now,
        http: { timeoutMs: 2000, baseDelayMs: 5, maxDelayMs: 50 },
        ...over,
        settings: { ...SETTINGS, ...over.settings },
      }) as RakutenAdapter,
  };
}

async function collect(
  adapter: { listOrders(w: ListWindow): AsyncGenerator<{ orders: RawOrder[] }> },
  w: ListWindow,
) {
  const out: RawOrder[] = [];
  for await (const page of adapter.listOrders(w)) out.push(...page.orders);
  return out;
}

/** Orders whose own change times (as the payload shows them) fall in the window. */
function expectedIn(h: Harness, w: ListWindow): string[] {
  return h.sim.book
    .visible()
    .map((v) => renderOrderModel(v, { version: 10 }))
    .filter((p) =>
      changeTimesOf(p)!.some((t) => t.getTime() >= w.from.getTime() && t.getTime() < w.to.getTime()),
    )
    .map((p) => p.orderNumber as string)
    .sort();
}

function numbers(orders: RawOrder[]): string[] {
  return orders.map((o) => o.cartOrderNo!).sort();
}

async function post(h: Harness, path: string, body: unknown, auth?: string) {
  const c = rakutenCart.demoCredentials;
  const res = await fetch(h.sim.url + path, {
    method: 'POST',
    headers: {
      Authorization: auth ?? esaAuthorization(c.serviceSecret, c.licenseKey),
      'Content-Type': 'application/json; charset=utf-8',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const search = (start: string, end: string, page = 1, size = 7) => ({
  dateType: 1,
  startDatetime: start,
  endDatetime: end,
  PaginationRequestModel: {
    requestRecordsAmount: size,
    requestPage: page,
    SortModelList: [{ sortColumn: 1, sortDirection: 1 }],
  },
});

describe('rakuten adapter ↔ simulator: paging, windows, hit ceiling, rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.sim.stop());

  it('brings every order changed in each window exactly once, across pages, 6-hour periods and ceiling halves', async () => {
    const adapter = h.adapter();
    const split = new Date(T0.getTime() - 1.5 * DAY_MS);
    const w1 = { from: START, to: split };
    const w2 = { from: split, to: h.clock.now };
    const got1 = await collect(adapter, w1);
    const got2 = await collect(adapter, w2);
    // No order twice within one listOrders call.
    expect(new Set(numbers(got1)).size).toBe(got1.length);
    expect(new Set(numbers(got2)).size).toBe(got2.length);
    expect(numbers(got1)).toEqual(expectedIn(h, w1));
    expect(numbers(got2)).toEqual(expectedIn(h, w2));
    // Together they hold every order; orders paid or changed after the split are in both.
    expect(new Set([...numbers(got1), ...numbers(got2)]).size).toBe(300);
    expect(got2.length).toBeGreaterThan(150);
    // The windows needed many periods, halves and pages …
    expect(h.sim.stats.byRoute.searchOrder).toBeGreaterThan(100);
    // … and the client-side limiter kept both ends below the simulated rate limit.
    expect(h.sim.stats.sent429).toBe(0);
    expect(adapter.stats.rateLimited).toBe(0);
    for (const raw of [...got1, ...got2]) expect(rakutenCart.normalize(raw, 'rakuten-main').ok).toBe(true);
  });

  it('the simulator enforces the hit ceiling: hits after the 20th cannot be paged to', async () => {
    const first = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-07T00:00:00+0900', '2026-03-07T05:59:59+0900'),
    );
    const pagination = first.body.PaginationResponseModel as {
      totalRecordsAmount: number;
      totalPages: number;
    };
    expect(pagination.totalRecordsAmount).toBeGreaterThanOrEqual(20);
    expect(pagination.totalPages).toBe(3);
    const seen = new Set<string>();
    for (let page = 1; page <= 4; page++) {
      const r = await post(
        h,
        SEARCH_ORDER_PATH,
        search('2026-03-07T00:00:00+0900', '2026-03-07T05:59:59+0900', page),
      );
      for (const n of r.body.orderNumberList as string[]) seen.add(n);
    }
    expect(seen.size).toBe(20);
    // An adapter that trusted the ceiling to be higher would miss orders — this is what splitting avoids.
    const naive = h.adapter({
      settings: { hitCeiling: 15_000, changeLookbackDays: 0, searchDateTypes: [1] },
    });
    const w = { from: START, to: T0 };
    expect((await collect(naive, w)).length).toBeLessThan(expectedIn(h, w).length);
  });

  it('the simulator enforces the period limit, the 730-day horizon, page size and the +0900 form', async () => {
    const tooLong = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-07T00:00:00+0900', '2026-03-07T06:00:01+0900'),
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.orderNumberList).toBeNull();
    const colon = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-07T00:00:00+09:00', '2026-03-07T01:00:00+0900'),
    );
    expect(colon.status).toBe(400);
    expect(colon.body.MessageModelList).toEqual([
      {
        messageType: 'ERROR',
        messageCode: 'ORDER_EXT_API_SEARCH_ORDER_ERROR_011',
        message: 'startDatetimeの書式が不正です。',
      },
    ]);
    const old = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2024-03-01T00:00:00+0900', '2024-03-01T01:00:00+0900'),
    );
    expect(old.status).toBe(400);
    const big = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-07T00:00:00+0900', '2026-03-07T01:00:00+0900', 1, 8),
    );
    expect(big.status).toBe(400);
  });

  it('answers with the documented bodies: 400 sample, zero hits, ES 401, getOrder ERROR_009 and INFO_102', async () => {
    // The doc's own bad request (no dateType, a broken startDatetime) gets the doc's own 400 body.
    const docBad = fixture('rakuten-searchOrder-request-doc-sample.json') as Record<string, unknown>;
    delete docBad.dateType;
    docBad.startDatetime = '10-14T00:00:00+0900';
    docBad.PaginationRequestModel = { requestRecordsAmount: 7, requestPage: 1 };
    const bad = await post(h, SEARCH_ORDER_PATH, docBad);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(fixture('rakuten-searchOrder-400-error-doc-sample.json'));

    const none = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-02-01T00:00:00+0900', '2026-02-01T05:00:00+0900'),
    );
    expect(none.status).toBe(200);
    expect(none.body).toEqual(fixture('rakuten-searchOrder-200-empty-doc-sample.json'));

    const found = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-08T00:00:00+0900', '2026-03-08T05:59:59+0900'),
    );
    const sample = fixture('rakuten-searchOrder-200-found-doc-sample.json') as Record<string, unknown>;
    expect(Object.keys(found.body).sort()).toEqual(Object.keys(sample).sort());
    expect(found.body.MessageModelList).toEqual(sample.MessageModelList);

    const denied = await post(
      h,
      SEARCH_ORDER_PATH,
      search('2026-03-08T00:00:00+0900', '2026-03-08T05:59:59+0900'),
      esaAuthorization('SPx', 'SLtypo'),
    );
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual(fixture('rakuten-es-auth-error-401-thirdparty-test.json'));

    const noList = await post(h, GET_ORDER_PATH, { orderNumberList: [], version: 10 });
    expect(noList.status).toBe(400);
    expect(noList.body).toEqual(fixture('rakuten-getOrder-error009-thirdparty-test.json'));
    const noVersion = await post(h, GET_ORDER_PATH, { orderNumberList: ['376541-20260301-0207800001'] });
    expect(noVersion.status).toBe(400);
    const tooMany = await post(h, GET_ORDER_PATH, {
      orderNumberList: Array.from(
        { length: 101 },
        (_, i) => `376541-20260301-${String(i).padStart(10, '0')}`,
      ),
      version: 10,
    });
    expect(tooMany.status).toBe(400);

    const missing = ['123456-20210101-10740985', '123456-20210101-10737896', '123456-20210101-10740988'];
    const unknown = await post(h, GET_ORDER_PATH, { orderNumberList: missing, version: 10 });
    expect(unknown.status).toBe(200);
    const notFound = fixture('rakuten-purchaseItem-getOrderItem-200-notfound-doc-sample.json') as Record<
      string,
      unknown
    >;
    expect(unknown.body.MessageModelList).toEqual(notFound.MessageModelList);
    expect(unknown.body.OrderModelList).toEqual([]);
  });

  it('fetchOrder finds an order by number and returns null for one Rakuten does not know', async () => {
    const adapter = h.adapter();
    const [some] = expectedIn(h, { from: START, to: T0 });
    const raw = await adapter.fetchOrder(some!);
    expect(raw?.cartOrderNo).toBe(some);
    expect(await adapter.fetchOrder('376541-20260101-0000000001')).toBeNull();
  });

  it('refuses a window beyond the 730-day horizon and clips one reaching into it', async () => {
    // Real 63-day periods here, on a simulator with Rakuten's own period limit.
    const real = await rakutenSimulator.start({
      port: 0,
      seed: 7,
      orders: 300,
      from: START,
      to: T0,
      clock: () => h.clock.now,
      limits: LIMITS,
    });
    try {
      const adapter = rakutenCart.createAdapter({
        storeCode: 'rakuten-main',
        baseUrl: real.url,
        credentials: rakutenCart.demoCredentials,
        limits: LIMITS,
        now: () => h.clock.now,
        settings: { changeLookbackDays: 0, searchDateTypes: [1] },
      });
      const now = h.clock.now.getTime();
      const beyond = { from: new Date(now - 800 * DAY_MS), to: new Date(now - 731 * DAY_MS) };
      await expect(collect(adapter, beyond)).rejects.toThrow(CartRequestError);
      await expect(collect(adapter, beyond)).rejects.toThrow(/730-day horizon/);
      expect(real.stats.requests).toBe(0);
      // Unclipped, the first 63-day period would start before the horizon and get a 400.
      const reaching = { from: new Date(now - 800 * DAY_MS), to: new Date(START.getTime() + DAY_MS) };
      const got = await collect(adapter, reaching);
      const placedFirstDay = h.sim.book
        .visible()
        .filter((v) => v.orderedAt.getTime() < START.getTime() + DAY_MS)
        .map((v) => h.sim.book.cartOrderNo(v))
        .sort();
      expect(numbers(got)).toEqual(placedFirstDay);
      expect(got.length).toBeGreaterThan(50);
      expect(real.stats.byRoute.searchOrder).toBe(12); // ceil((730 days − margin) / 63)
    } finally {
      await real.stop();
    }
  });

  it('at a rate the client could exceed, pacing keeps it at zero 429s; unpaced it meets them', async () => {
    // 100 requests/s is below what this adapter does unpaced against a small shop, so the check bites.
    const rate = { '*': { ratePerSec: 100, burst: 2 } };
    const run = async (clientLimits: AdapterOptions<RakutenCredentials>['limits']) => {
      const sim = await rakutenSimulator.start({
        port: 0,
        seed: 3,
        orders: 40,
        from: START,
        to: T0,
        clock: () => h.clock.now,
        limits: rate,
        ...SCALED,
        maxPageSize: 5,
      });
      try {
        const adapter = rakutenCart.createAdapter({
          storeCode: 'rakuten-main',
          baseUrl: sim.url,
          credentials: rakutenCart.demoCredentials,
          limits: clientLimits,
          now: () => h.clock.now,
          http: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 10 },
          settings: { ...SETTINGS, pageSize: 5, changeLookbackDays: 1 },
        });
        const got = await collect(adapter, { from: START, to: h.clock.now });
        return { orders: got.length, sent429: sim.stats.sent429, requests: sim.stats.requests };
      } finally {
        await sim.stop();
      }
    };
    const paced = await run(rate);
    expect(paced).toMatchObject({ orders: 40, sent429: 0 });
    expect(paced.requests).toBeGreaterThan(60);
    const unpaced = await run({});
    expect(unpaced.orders).toBe(40); // it still finishes, by backing off
    expect(unpaced.sent429).toBeGreaterThan(0);
  });

  it('the simulator itself limits to about one request a second by default', async () => {
    const strict = await rakutenSimulator.start({ port: 0, seed: 1, orders: 5 });
    try {
      const c = rakutenCart.demoCredentials;
      const statuses = await Promise.all(
        Array.from({ length: 4 }, () =>
          fetch(strict.url + SEARCH_ORDER_PATH, {
            method: 'POST',
            headers: {
              Authorization: esaAuthorization(c.serviceSecret, c.licenseKey),
              'Content-Type': 'application/json; charset=utf-8',
            },
            body: JSON.stringify({
              dateType: 1,
              startDatetime: '2026-03-01T00:00:00+0900',
              endDatetime: '2026-03-01T01:00:00+0900',
            }),
          }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    } finally {
      await strict.stop();
    }
  });
});

describe('rakuten adapter: faults, bad records, auth, bodies that are not JSON', () => {
  let h: Harness;
  const w = () => ({ from: START, to: T0 });
  beforeAll(async () => {
    h = await harness(120, 11);
  });
  afterAll(() => h.sim.stop());

  it('backs off after 429, 5xx and a timeout and still finishes', async () => {
    const expected = expectedIn(h, w());
    Object.assign(h.sim.faults, { rateLimited: 3, serverErrors: 2, timeouts: 1 });
    // The first request meets all six faults in a row, hence eight attempts.
    const adapter = h.adapter({ http: { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 } });
    const got = await collect(adapter, w());
    expect(numbers(got)).toEqual(expected);
    expect(h.sim.stats.sent429).toBeGreaterThanOrEqual(3);
    expect(h.sim.stats.sent5xx).toBeGreaterThanOrEqual(2);
    expect(h.sim.stats.timeouts).toBe(1);
    expect(adapter.stats.retries).toBeGreaterThanOrEqual(6);
  });

  it('a malformed record is a rejection naming the field and order; the rest of its page comes through', async () => {
    Object.assign(h.sim.faults, { malformedRecords: 2 });
    const adapter = h.adapter({ settings: { searchDateTypes: [1], changeLookbackDays: 0 } });
    const pages: RawOrder[][] = [];
    for await (const page of adapter.listOrders(w())) pages.push(page.orders);
    const results = pages.flat().map((raw) => adapter.normalize(raw, 'rakuten-main'));
    const rejected = results.filter((r) => !r.ok);
    expect(rejected).toHaveLength(2);
    expect(rejected.map((r) => !r.ok && r.field).sort()).toEqual(['orderDatetime', 'orderProgress']);
    for (const r of rejected) expect(!r.ok && r.cartOrderNo).toMatch(/^376541-\d{8}-\d{10}$/);
    expect(results.filter((r) => r.ok)).toHaveLength(120 - 2);
    // The bad records shared their page with good ones.
    const firstBadPage = pages.find((p) => p.some((raw) => !adapter.normalize(raw, 's').ok))!;
    expect(firstBadPage.length).toBeGreaterThan(1);
  });

  it('refused credentials are a CartAuthError (wrong key, revoked, expired license)', async () => {
    const wrong = h.adapter({ credentials: { serviceSecret: 'SP376541_x', licenseKey: 'SL376541_typo' } });
    await expect(collect(wrong, w())).rejects.toThrow(CartAuthError);
    await expect(wrong.fetchOrder('376541-20260301-0207800001')).rejects.toThrow(/ES01-01/);
    h.sim.faults.revokeCredentials = true;
    await expect(collect(h.adapter(), w())).rejects.toThrow(CartAuthError);
    h.sim.faults.revokeCredentials = false;
    h.sim.faults.expireTokens = true;
    await expect(h.adapter().fetchOrder('376541-20260301-0207800001')).rejects.toThrow(CartAuthError);
    h.sim.faults.expireTokens = false;
  });

  it('an HTML page or a JSON body of the wrong shape is a CartResponseError', async () => {
    h.sim.rakuten.htmlReplies = 1;
    await expect(collect(h.adapter(), w())).rejects.toThrow(CartResponseError);
    h.sim.rakuten.wrongShapeReplies = 1;
    const err = await collect(h.adapter(), w()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartResponseError);
    expect(String(err)).toMatch(/OrderModelList/);
  });

  it('a wrong request is a CartRequestError with Rakuten’s messages', async () => {
    // A 7-day period against the simulator's 6-hour limit: the simulator answers 400.
    const adapter = h.adapter({ settings: { maxWindowDays: 7 } });
    await expect(collect(adapter, w())).rejects.toThrow(/ORDER_EXT_API_SEARCH_ORDER_ERROR/);
  });
});

describe('rakuten adapter: cart-side changes show up in the next window', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(80, 23);
  });
  afterAll(() => h.sim.stop());

  it('a cancel, an edit and a shipment after the last import come back with later updated times', async () => {
    // The orders are 4–7 days old: the re-scan of open orders must reach back that far.
    const adapter = h.adapter({ settings: { changeLookbackDays: 10 } });
    const first = { from: START, to: h.clock.now };
    const before = new Map(
      (await collect(adapter, first)).map((raw) => {
        const r = adapter.normalize(raw, 'rakuten-main');
        if (!r.ok) throw new Error(r.message);
        return [r.order.cartOrderNo, r.order];
      }),
    );
    const open = [...before.values()].filter((o) => o.cartStatus === '300');
    const [toCancel, toEdit, toShip] = open;
    expect(toShip).toBeDefined();

    h.clock.now = new Date(h.clock.now.getTime() + 3600_000);
    h.sim.book.happen(toCancel!.cartOrderNo, 'cancel');
    h.sim.book.happen(toEdit!.cartOrderNo, 'edit');
    h.sim.book.happen(toShip!.cartOrderNo, 'ship');
    const next = { from: first.to, to: new Date(h.clock.now.getTime() + 1000) };
    const after = new Map(
      (await collect(adapter, next)).map((raw) => {
        const r = adapter.normalize(raw, 'rakuten-main');
        if (!r.ok) throw new Error(r.message);
        return [r.order.cartOrderNo, r.order];
      }),
    );
    expect([...after.keys()].sort()).toEqual([toCancel!, toEdit!, toShip!].map((o) => o.cartOrderNo).sort());
    const cancelled = after.get(toCancel!.cartOrderNo)!;
    expect(cancelled).toMatchObject({ cartStatus: '900', cancelledInCart: true });
    const edited = after.get(toEdit!.cartOrderNo)!;
    expect(edited.lines[0]!.quantity).toBe(toEdit!.lines[0]!.quantity + 1);
    expect(after.get(toShip!.cartOrderNo)!.cartStatus).toBe('500');
    for (const o of [toCancel!, toEdit!, toShip!]) {
      const later = after.get(o.cartOrderNo)!.cartUpdatedAt!;
      expect(Date.parse(later)).toBeGreaterThan(Date.parse(o.cartUpdatedAt!));
      expect(Date.parse(later)).toBeGreaterThanOrEqual(next.from.getTime());
    }

    // Without the re-scan of open orders only the shipment (dateType 5) would be seen: that re-scan
    // is what catches cancels and edits, which have no dateType of their own.
    const blind = h.adapter({ settings: { changeLookbackDays: 0 } });
    expect(numbers(await collect(blind, next))).toEqual([toShip!.cartOrderNo]);
  });
});

describe('rakuten simulator with recorded bodies (fixturesDir)', () => {
  it('serves the recorded orders through searchOrder and getOrder, and honours the horizon', async () => {
    const now = new Date('2026-03-12T00:00:00+09:00');
    const sim = await rakutenSimulator.start({
      port: 0,
      fixturesDir: FIXTURES,
      clock: () => now,
      rateLimits: false,
    });
    try {
      const adapter = rakutenCart.createAdapter({
        storeCode: 'rakuten-main',
        baseUrl: sim.url,
        credentials: rakutenCart.demoCredentials,
        now: () => now,
        limits: {},
      });
      const got = await collect(adapter, { from: new Date('2026-02-20T00:00:00+09:00'), to: now });
      expect(got).toHaveLength(13);
      // The 2018 order is beyond the 730-day horizon of getOrder.
      expect(await adapter.fetchOrder('360238-20180724-00000810')).toBeNull();
    } finally {
      await sim.stop();
    }
    const then = new Date('2018-08-01T00:00:00+09:00');
    const old = await rakutenSimulator.start({
      port: 0,
      fixturesDir: FIXTURES,
      clock: () => then,
      rateLimits: false,
    });
    try {
      const adapter = rakutenCart.createAdapter({
        storeCode: 'rakuten-main',
        baseUrl: old.url,
        credentials: rakutenCart.demoCredentials,
        now: () => then,
        limits: {},
      });
      const got = await collect(adapter, { from: new Date('2018-07-24T00:00:00+09:00'), to: then });
      expect(numbers(got)).toEqual(['360238-20180724-00000810']);
      expect(adapter.normalize(got[0]!, 'rakuten-main')).toMatchObject({ ok: true });
    } finally {
      await old.stop();
    }
  });
});

describe('rakuten documented limits (issue 13 item 6)', () => {
  it('the simulator enforces the real page size and getOrder count; the ceiling follows from them', async () => {
    const sim = await rakutenSimulator.start({ port: 0, seed: 1, orders: 5, rateLimits: false });
    try {
      const c = rakutenCart.demoCredentials;
      const post = (path: string, body: unknown) =>
        fetch(sim.url + path, {
          method: 'POST',
          headers: {
            Authorization: esaAuthorization(c.serviceSecret, c.licenseKey),
            'Content-Type': 'application/json; charset=utf-8',
          },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      const search = (amount: number) =>
        post(SEARCH_ORDER_PATH, {
          dateType: 1,
          startDatetime: '2026-03-01T00:00:00+0900',
          endDatetime: '2026-03-01T01:00:00+0900',
          PaginationRequestModel: { requestRecordsAmount: amount, requestPage: 1 },
        });
      const pageSize = RAKUTEN_API_LIMITS.searchPageSize.value;
      expect((await search(pageSize)).status).toBe(200);
      expect(await search(pageSize + 1)).toMatchObject({
        status: 400,
        body: { MessageModelList: [{ messageCode: 'ORDER_EXT_API_SEARCH_ORDER_ERROR_SIM01' }] },
      });
      const numbers = (n: number) =>
        Array.from({ length: n }, (_, i) => `376541-20260301-${String(i).padStart(10, '0')}`);
      const perCall = RAKUTEN_API_LIMITS.getOrderNumbers.value;
      expect((await post(GET_ORDER_PATH, { orderNumberList: numbers(perCall), version: 10 })).status).toBe(
        200,
      );
      expect(
        await post(GET_ORDER_PATH, { orderNumberList: numbers(perCall + 1), version: 10 }),
      ).toMatchObject({
        status: 400,
        body: { MessageModelList: [{ messageCode: 'ORDER_EXT_API_GET_ORDER_ERROR_SIM02' }] },
      });
    } finally {
      await sim.stop();
    }
    // 1 req/s, 100 orders per getOrder, 1,000 numbers per search page.
    expect(ordersPerSecondCeiling(1)).toBeCloseTo(1 / (1 / 100 + 1 / 1000), 6);
    expect(ordersPerSecondCeiling(3)).toBeCloseTo(76.923, 2);
  });
});

describe('classifyRakuten', () => {
  const res = (status: number, body: unknown) => ({
    status,
    headers: new Headers(),
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('reads the ES gateway body whatever the status, and Rakuten’s messages on a 400', () => {
    expect(
      classifyRakuten(res(401, fixture('rakuten-es-auth-error-401-thirdparty-test.json'))),
    ).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('ES01-01'),
    });
    // Vendor FAQs: ES04-01 means RakutenPayOrderAPI is not enabled for the license; seen with HTTP 200.
    expect(
      classifyRakuten(res(200, { Results: { errorCode: 'ES04-01', message: 'Bad Request' } })),
    ).toMatchObject({
      kind: 'auth',
    });
    expect(classifyRakuten(res(400, fixture('rakuten-searchOrder-400-error-doc-sample.json')))).toEqual({
      kind: 'bad-request',
      message:
        'HTTP 400: ORDER_EXT_API_SEARCH_ORDER_ERROR_009 dateTypeの項目を指定して下さい。; ORDER_EXT_API_SEARCH_ORDER_ERROR_011 startDatetimeの書式が不正です。',
    });
    expect(classifyRakuten(res(429, ''))).toMatchObject({ kind: 'rate-limited' });
    expect(classifyRakuten(res(503, '<html>'))).toMatchObject({ kind: 'unavailable' });
    expect(classifyRakuten(res(200, fixture('rakuten-searchOrder-200-empty-doc-sample.json')))).toEqual({
      kind: 'ok',
    });
  });
});
