// The adapter against its simulator over real HTTP, for a v0 store and a 2026-01-01 store: paging and
// windows, restricted data (v0) and PII by role (2026), LWA refresh, rate limits, faults, cart-side
// changes, and one order read through both APIs. Rates are scaled up on both sides (getOrders is 1/min
// for real, searchOrders 1 every 3 min); a normal run must not meet a single 429.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import type { ListWindow, RateLimits, RawOrder } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import { paced } from './client.js';
import { AMAZON_RATE_LIMITS, type OrdersApi } from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { amazonCart, amazonSimulatorSettings, createAmazonAdapter } from './index.js';
import { resolveLwaUrl } from './settings.js';
import { type AmazonRunningSimulator, startAmazonSimulator } from './simulator.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = new Date('2026-05-01T03:00:00Z');

/** The documented burst, a much faster rate: same numbers on both ends. */
const LIMITS: RateLimits = {
  getOrders: { ratePerSec: 25, burst: 2 },
  getOrder: { ratePerSec: 100, burst: 5 },
  getOrderItems: { ratePerSec: 400, burst: 10 },
  getOrderAddress: { ratePerSec: 100, burst: 5 },
  getOrderBuyerInfo: { ratePerSec: 100, burst: 5 },
  createRestrictedDataToken: { ratePerSec: 50, burst: 3 },
  searchOrders: { ratePerSec: 25, burst: 2 },
  getOrder2026: { ratePerSec: 100, burst: 5 },
};
/**
 * What the simulator enforces: the same rates with two tokens of slack. Between taking a token and
 * the request's arrival there is jitter (a loaded CI machine once compressed two getOrderItems sent
 * 2.5 ms apart into one 429); the slack absorbs that, not a client that paces too fast.
 */
const SIM_LIMITS: RateLimits = Object.fromEntries(
  Object.entries(LIMITS).map(([op, l]) => [op, { ...l, burst: l.burst + 2 }]),
) as RateLimits;
/** Short waits for the fault tests; normal runs get a timeout a loaded CI machine will not hit. */
const FAST_HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 8 };
const HTTP = { ...FAST_HTTP, timeoutMs: 5_000 };

const running: AmazonRunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function testClock(start = T0) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function setup(
  o: {
    orders?: number;
    clock?: ReturnType<typeof testClock>;
    settings?: Record<string, unknown>;
    credentials?: typeof AMAZON_DEMO_CREDENTIALS;
    itemsPerPage?: number;
    http?: typeof HTTP;
    /** The store's Orders API (the v0 tests say so; a store without the setting reads 2026-01-01). */
    api?: OrdersApi;
    piiRoles?: boolean;
  } = {},
) {
  const clock = o.clock ?? testClock();
  const sim = await startAmazonSimulator({
    seed: 11,
    orders: o.orders ?? 40,
    clock: clock.now,
    from: new Date(T0.getTime() - 3 * DAY),
    to: new Date(T0.getTime() - 10 * MIN),
    limits: SIM_LIMITS,
    itemsPerPage: o.itemsPerPage ?? 2,
    piiRoles: o.piiRoles,
  });
  running.push(sim);
  const adapter = createAmazonAdapter({
    storeCode: 'amazon-main',
    baseUrl: sim.url,
    credentials: o.credentials ?? AMAZON_DEMO_CREDENTIALS,
    settings: {
      ...amazonSimulatorSettings,
      maxResultsPerPage: 7,
      ...(o.api === '2026-01-01' ? {} : { ordersApi: 'v0' }),
      ...o.settings,
    },
    limits: LIMITS,
    now: clock.now,
    http: o.http ?? HTTP,
  });
  return { sim, adapter, clock };
}

/** A simulator serving fixtures/ and an adapter for it with these settings. */
async function fixtureSim(settings: Record<string, unknown>) {
  const sim = await startAmazonSimulator({
    fixturesDir: fileURLToPath(new URL('./fixtures/', import.meta.url)),
    clock: () => T0,
    limits: SIM_LIMITS,
  });
  running.push(sim);
  const adapter = createAmazonAdapter({
    storeCode: 'amazon-main',
    baseUrl: sim.url,
    credentials: AMAZON_DEMO_CREDENTIALS,
    settings,
    limits: LIMITS,
    now: () => T0,
    http: HTTP,
  });
  return { sim, adapter };
}

async function collect(adapter: ReturnType<typeof createAmazonAdapter>, window: ListWindow) {
  const pages: RawOrder[][] = [];
  for await (const page of adapter.listOrders(window)) pages.push(page.orders);
  return pages;
}

async function simOrders(sim: AmazonRunningSimulator) {
  const res = await fetch(`${sim.url}/__sim/orders`);
  return (await res.json()) as Array<{ cartOrderNo: string; state: string; updatedAt: string }>;
}

function normalized(adapter: ReturnType<typeof createAmazonAdapter>, raws: RawOrder[]): CartOrder[] {
  return raws.map((r) => {
    const n = adapter.normalize(r, 'amazon-main');
    if (!n.ok) throw new Error(`${n.cartOrderNo}: ${n.field}: ${n.message}`);
    return n.order;
  });
}

describe('amazon adapter against the simulator, v0 store (ordersApi: v0)', () => {
  it('brings every order once across pages and windows, with all item pages, and meets no 429', async () => {
    const { sim, adapter } = await setup({ orders: 45 });
    const start = new Date(T0.getTime() - 4 * DAY);
    const end = adapter.listableUntil();
    // Cut the windows exactly on two orders' update times (whole seconds, as Amazon serves them),
    // so that the half-open rule decides where those two orders go.
    const all = (await simOrders(sim)).filter((o) => Date.parse(o.updatedAt) < end.getTime());
    const second = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000);
    const cut1 = second(all[10]!.updatedAt);
    const cut2 = second(all[30]!.updatedAt);
    const seen: string[] = [];
    const raws: RawOrder[] = [];
    let pages = 0;
    for (const w of [
      { from: start, to: cut1 },
      { from: cut1, to: cut2 },
      { from: cut2, to: T0 },
    ]) {
      const got = await collect(adapter, w);
      pages += got.length;
      for (const r of got.flat()) {
        const updated = Date.parse((r.payload as { order: { LastUpdateDate: string } }).order.LastUpdateDate);
        expect(updated).toBeGreaterThanOrEqual(w.from.getTime());
        expect(updated).toBeLessThan(w.to.getTime());
        seen.push(r.cartOrderNo!);
        raws.push(r);
      }
    }
    expect([...seen].sort()).toEqual(all.map((o) => o.cartOrderNo).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.indexOf(all[10]!.cartOrderNo)).toBeGreaterThanOrEqual(0);
    expect(pages).toBeGreaterThanOrEqual(7); // 45 orders at 7 a page, over three windows
    expect(sim.stats.byRoute.lwaToken).toBe(1);
    expect(sim.stats.byRoute.createRestrictedDataToken).toBe(1);
    expect(sim.stats.sent429).toBe(0);
    expect(adapter.http.stats.rateLimited).toBe(0);
    // Every item arrived, through as many getOrderItems pages as it took (2 items a page here).
    for (const r of raws)
      expect((r.payload as { items: unknown[] }).items).toHaveLength(
        sim.book.find(r.cartOrderNo!)!.lines.length,
      );
    expect(raws.some((r) => (r.payload as { items: unknown[] }).items.length > 2)).toBe(true);
    expect(sim.stats.byRoute.getOrderItems).toBeGreaterThan(raws.length);
  });

  it('returns ship-to and buyer name through the restricted-data token, and not without it', async () => {
    const { sim, adapter } = await setup({ orders: 15 });
    const window = { from: new Date(T0.getTime() - 4 * DAY), to: T0 };
    const withPii = normalized(adapter, (await collect(adapter, window)).flat());
    const shippable = withPii.filter((o) => o.cartStatus === 'Unshipped');
    expect(shippable.length).toBeGreaterThan(0);
    for (const o of shippable) {
      expect(o.shipTo.name).toMatch(/^\S+ \S+$/);
      expect(o.shipTo.address1).not.toBeNull();
      expect(o.shipTo.phone).toMatch(/^0\d+-\d+-\d+$/);
      expect(o.shipTo.prefecture).toMatch(/[都道府県]$/);
      expect(o.orderer.name).not.toBeNull();
      expect(o.orderer.email).toMatch(/@marketplace\.amazon\.co\.jp$/);
    }
    const plain = createAmazonAdapter({
      storeCode: 'amazon-main',
      baseUrl: sim.url,
      credentials: AMAZON_DEMO_CREDENTIALS,
      settings: { ...amazonSimulatorSettings, ordersApi: 'v0', restrictedData: false },
      limits: LIMITS,
      now: () => T0,
      http: HTTP,
    });
    const without = normalized(plain, (await collect(plain, window)).flat());
    const o = without.find((x) => x.cartOrderNo === shippable[0]!.cartOrderNo)!;
    expect(o.shipTo).toMatchObject({ name: null, address2: null, phone: null });
    // City, prefecture and postal code are not restricted; the street is.
    const full = shippable[0]!.shipTo;
    expect(o.shipTo).toMatchObject({ prefecture: full.prefecture, postalCode: full.postalCode });
    expect(full.address1!.startsWith(o.shipTo.address1!)).toBe(true);
    expect(o.shipTo.address1!.length).toBeLessThan(full.address1!.length);
    expect(o.orderer.name).toBeNull();
    expect(o.orderer.email).toBe(shippable[0]!.orderer.email);
  });

  it('refreshes the LWA token and the RDT before they expire (no 403 on the way)', async () => {
    const clock = testClock();
    const { sim, adapter } = await setup({ orders: 10, clock });
    const window = { from: new Date(T0.getTime() - 4 * DAY), to: T0 };
    await collect(adapter, window);
    expect(sim.stats.byRoute.lwaToken).toBe(1);
    clock.advance(HOUR - 50_000); // 50 s left: inside the 60 s margin
    await collect(adapter, { from: window.from, to: clock.now() });
    expect(sim.stats.byRoute.lwaToken).toBe(2);
    expect(sim.stats.byRoute.createRestrictedDataToken).toBe(2);
    expect(sim.stats.authFailures).toBe(0);
  });

  it('an expired token: the 403 makes the adapter refresh once and retry', async () => {
    const { sim, adapter } = await setup({ orders: 10 });
    const window = { from: new Date(T0.getTime() - 4 * DAY), to: T0 };
    const before = (await collect(adapter, window)).flat().length;
    sim.faults.expireTokens = true;
    const after = (await collect(adapter, window)).flat().length;
    expect(after).toBe(before);
    expect(sim.stats.authFailures).toBeGreaterThanOrEqual(1);
    expect(sim.stats.byRoute.lwaToken).toBe(2);
  });

  it('a revoked refresh token is a CartAuthError; so are wrong app credentials', async () => {
    const { sim, adapter } = await setup({ orders: 5 });
    const window = { from: new Date(T0.getTime() - 4 * DAY), to: T0 };
    await collect(adapter, window);
    sim.faults.revokeCredentials = true;
    await expect(collect(adapter, window)).rejects.toBeInstanceOf(CartAuthError);

    const wrong = createAmazonAdapter({
      storeCode: 'amazon-main',
      baseUrl: sim.url,
      credentials: { ...AMAZON_DEMO_CREDENTIALS, clientSecret: 'not-the-secret' },
      settings: amazonSimulatorSettings,
      limits: LIMITS,
      now: () => T0,
      http: HTTP,
    });
    await expect(wrong.fetchOrder('503-1234567-1234567')).rejects.toBeInstanceOf(CartAuthError);
  });

  it('backs off after 429, 5xx and timeouts and still brings every order', async () => {
    const { sim, adapter } = await setup({ orders: 20, http: FAST_HTTP });
    await collect(adapter, {
      from: new Date(T0.getTime() - 4 * DAY),
      to: new Date(T0.getTime() - 4 * DAY + 1),
    });
    sim.faults.rateLimited = 2;
    sim.faults.serverErrors = 2;
    sim.faults.timeouts = 1;
    const got = (await collect(adapter, { from: new Date(T0.getTime() - 4 * DAY), to: T0 })).flat();
    expect(new Set(got.map((r) => r.cartOrderNo)).size).toBe(20);
    expect(sim.stats.sent429).toBeGreaterThanOrEqual(2);
    expect(sim.stats.sent5xx).toBe(2);
    expect(sim.stats.timeouts).toBe(1);
    expect(adapter.http.stats.retries).toBeGreaterThanOrEqual(5);
  });

  it('a malformed record is one rejection naming field and order; the rest of the page comes through', async () => {
    const { sim, adapter } = await setup({ orders: 12 });
    sim.faults.malformedRecords = 1;
    const raws = (await collect(adapter, { from: new Date(T0.getTime() - 4 * DAY), to: T0 })).flat();
    const results = raws.map((r) => adapter.normalize(r, 'amazon-main'));
    const rejected = results.filter((r) => !r.ok);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ ok: false, field: 'order.PurchaseDate' });
    expect(rejected[0]!.ok === false && rejected[0]!.cartOrderNo).toMatch(/^\d{3}-\d{7}-\d{7}$/);
    expect(results.filter((r) => r.ok)).toHaveLength(11);
  });

  it('a body that is not JSON is a CartResponseError', async () => {
    const { sim, adapter } = await setup({ orders: 5 });
    sim.htmlBodies.count = 1;
    await expect(collect(adapter, { from: new Date(T0.getTime() - 4 * DAY), to: T0 })).rejects.toBeInstanceOf(
      CartResponseError,
    );
  });

  it('a cart-side cancel and edit show up in the next window with a later update time', async () => {
    const clock = testClock();
    const { sim, adapter } = await setup({ orders: 20, clock });
    const first = { from: new Date(T0.getTime() - 4 * DAY), to: adapter.listableUntil() };
    const before = normalized(adapter, (await collect(adapter, first)).flat());
    const target = before.find((o) => o.cartStatus === 'Unshipped')!;
    const edited = before.find((o) => o.cartStatus === 'Unshipped' && o !== target)!;

    clock.advance(10 * MIN);
    await fetch(`${sim.url}/__sim/orders/${target.cartOrderNo}/cancel`, { method: 'POST' });
    await fetch(`${sim.url}/__sim/orders/${edited.cartOrderNo}/edit`, { method: 'POST' });
    clock.advance(3 * MIN); // past the two-minute rule
    const next = normalized(adapter, (await collect(adapter, { from: first.to, to: clock.now() })).flat());
    expect(next.map((o) => o.cartOrderNo)).toEqual(
      expect.arrayContaining([target.cartOrderNo, edited.cartOrderNo]),
    );
    const cancelled = next.find((o) => o.cartOrderNo === target.cartOrderNo)!;
    expect(cancelled.cartStatus).toBe('Canceled');
    expect(cancelled.cancelledInCart).toBe(true);
    expect(Date.parse(cancelled.cartUpdatedAt!)).toBeGreaterThan(Date.parse(target.cartUpdatedAt!));
    const changed = next.find((o) => o.cartOrderNo === edited.cartOrderNo)!;
    expect(changed.lines[0]!.quantity).toBe(edited.lines[0]!.quantity + 1);
    expect(Date.parse(changed.cartUpdatedAt!)).toBeGreaterThan(Date.parse(edited.cartUpdatedAt!));
  });

  it('clamps a window ending now to two minutes ago (LastUpdatedBefore rule) instead of failing', async () => {
    const clock = testClock();
    const { sim, adapter } = await setup({ orders: 5, clock });
    // An order placed a minute ago is not listable yet; it is for a window starting at listableUntil.
    const placed = (await (await fetch(`${sim.url}/__sim/orders`, { method: 'POST' })).json()) as {
      placed: string[];
    };
    const until = adapter.listableUntil();
    expect(until.getTime()).toBeLessThanOrEqual(clock.now().getTime() - 2 * MIN);
    const now = (await collect(adapter, { from: new Date(T0.getTime() - 4 * DAY), to: clock.now() })).flat();
    expect(now.map((r) => r.cartOrderNo)).not.toContain(placed.placed[0]);
    expect(now).toHaveLength(5);
    clock.advance(3 * MIN);
    const later = (await collect(adapter, { from: until, to: clock.now() })).flat();
    expect(later.map((r) => r.cartOrderNo)).toContain(placed.placed[0]);
  });

  it('fetchOrder: one order with its items through getOrder; null for unknown or malformed ids', async () => {
    const { sim, adapter } = await setup({ orders: 8 });
    const [first] = await simOrders(sim);
    const raw = await adapter.fetchOrder(first!.cartOrderNo);
    expect(raw?.cartOrderNo).toBe(first!.cartOrderNo);
    const n = adapter.normalize(raw!, 'amazon-main');
    expect(n.ok).toBe(true);
    expect(await adapter.fetchOrder('503-0000000-0000000')).toBeNull();
    expect(await adapter.fetchOrder('not-an-order')).toBeNull();
    expect(sim.stats.byRoute.getOrder).toBe(2);
  });

  it('serves a folder of recorded bodies (fixturesDir) like generated orders', async () => {
    // No lwaUrl: the loopback default finds the simulator's.
    const { sim, adapter } = await fixtureSim({ maxResultsPerPage: 3, ordersApi: 'v0' });
    const raws = (await collect(adapter, { from: new Date('2026-04-01T00:00:00Z'), to: T0 })).flat();
    // The eight JP recordings; the 2017 US example is outside the window and the marketplace.
    expect(raws.map((r) => r.cartOrderNo)).toHaveLength(8);
    const orders = normalized(adapter, raws);
    expect(orders.find((o) => o.cartOrderNo === '249-1258324-2341544')?.totals.total).toBe(2340);
    const one = await adapter.fetchOrder('503-1622598-0344060');
    expect((one!.payload as { items: unknown[] }).items).toHaveLength(1);
    const address = await fetch(`${sim.url}/orders/v0/orders/503-1622598-0344060/address`);
    expect(address.status).toBe(403); // no token: Amazon's 403 body, not the recording
    expect(await address.json()).toEqual({
      errors: [
        {
          code: 'Unauthorized',
          message: 'Access to requested resource is denied.',
          details: 'Access token is missing in the request header.',
        },
      ],
    });
    expect(address.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('successive jobs of one store share the access token and the rate buckets', async () => {
    const sim = await startAmazonSimulator({ seed: 3, orders: 4, limits: LIMITS });
    running.push(sim);
    const opts = {
      storeCode: 'amazon-main',
      baseUrl: sim.url,
      credentials: AMAZON_DEMO_CREDENTIALS,
      limits: LIMITS,
      http: HTTP,
    };
    const window = { from: new Date(Date.now() - 4 * DAY), to: new Date() };
    const first = createAmazonAdapter(opts);
    await collect(first, window);
    const second = createAmazonAdapter({ ...opts });
    expect(second).toBe(first);
    await collect(second, window);
    expect(sim.stats.byRoute.lwaToken).toBe(1);
    expect(createAmazonAdapter({ ...opts, settings: { restrictedData: false } })).not.toBe(first);
  });

  it('LWA URL: Amazon by default, the simulator on loopback, or as set', () => {
    const api = 'https://sellingpartnerapi-fe.amazon.com';
    expect(resolveLwaUrl({}, api)).toBe('https://api.amazon.com/auth/o2/token');
    expect(resolveLwaUrl({}, 'https://proxy.example.jp/spapi')).toBe('https://api.amazon.com/auth/o2/token');
    expect(resolveLwaUrl({}, 'http://127.0.0.1:4103/')).toBe('http://127.0.0.1:4103/auth/o2/token');
    expect(resolveLwaUrl({ lwaUrl: '/auth/o2/token' }, 'http://sim.local:9')).toBe(
      'http://sim.local:9/auth/o2/token',
    );
    expect(resolveLwaUrl({ lwaUrl: 'https://lwa.example/t' }, api)).toBe('https://lwa.example/t');
  });

  it('refuses bad settings with a message naming the setting', () => {
    expect(() =>
      createAmazonAdapter({
        storeCode: 'x',
        baseUrl: 'http://127.0.0.1:1',
        credentials: AMAZON_DEMO_CREDENTIALS,
        settings: { maxResultsPerPage: 500 },
      }),
    ).toThrow(/maxResultsPerPage/);
  });
});

describe('amazon adapter against the simulator, 2026-01-01 store (the default)', () => {
  const API = '2026-01-01' as const;
  const window = { from: new Date(T0.getTime() - 4 * DAY), to: T0 };

  it('pages searchOrders with paginationToken across windows: every order once, items inline, no RDT, no 429', async () => {
    const { sim, adapter } = await setup({ orders: 45, api: API });
    const end = adapter.listableUntil();
    const all = (await simOrders(sim)).filter((o) => Date.parse(o.updatedAt) < end.getTime());
    const second = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000);
    const cut = second(all[20]!.updatedAt);
    const raws: RawOrder[] = [];
    let pages = 0;
    for (const w of [
      { from: window.from, to: cut },
      { from: cut, to: T0 },
    ]) {
      const got = await collect(adapter, w);
      pages += got.length;
      for (const r of got.flat()) {
        const updated = Date.parse((r.payload as { lastUpdatedTime: string }).lastUpdatedTime);
        expect(updated).toBeGreaterThanOrEqual(w.from.getTime());
        expect(updated).toBeLessThan(w.to.getTime());
        raws.push(r);
      }
    }
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(all.map((o) => o.cartOrderNo).sort());
    expect(pages).toBeGreaterThanOrEqual(7); // 45 orders at 7 a page
    for (const r of raws)
      expect((r.payload as { orderItems: unknown[] }).orderItems).toHaveLength(
        sim.book.find(r.cartOrderNo!)!.lines.length,
      );
    // Every page, not just the first, carried includedData: the last page's orders have their status.
    const orders = normalized(adapter, raws);
    expect(orders.every((o) => o.cartStatus !== '')).toBe(true);
    // One call a page (a page whose orders all fall outside the half-open window yields nothing).
    expect(sim.stats.byRoute.searchOrders).toBeGreaterThanOrEqual(pages);
    expect(sim.stats.byRoute.searchOrders).toBeLessThanOrEqual(pages + 2);
    expect(sim.stats.byRoute.getOrders).toBeUndefined();
    expect(sim.stats.byRoute.getOrderItems).toBeUndefined();
    expect(sim.stats.byRoute.createRestrictedDataToken).toBeUndefined();
    expect(sim.stats.byRoute.lwaToken).toBe(1);
    expect(sim.stats.sent429).toBe(0);
  });

  it('PII by role: ship-to and buyer with the Direct-to-Consumer roles; without them an auth error, or (restrictedData: false) no names, street, postal code or phone', async () => {
    const { adapter } = await setup({ orders: 15, api: API });
    const withPii = normalized(adapter, (await collect(adapter, window)).flat());
    const shippable = withPii.filter((o) => o.cartStatus === 'Unshipped');
    expect(shippable.length).toBeGreaterThan(0);
    for (const o of shippable) {
      expect(o.shipTo.name).toMatch(/^\S+ \S+$/);
      expect(o.shipTo.phone).toMatch(/^0\d+-\d+-\d+$/);
      expect(o.orderer.email).toMatch(/@marketplace\.amazon\.co\.jp$/);
    }
    // Without the roles Amazon leaves the PII out silently: for a store that expects it, an auth error.
    const { adapter: noRole } = await setup({ orders: 15, api: API, piiRoles: false });
    await expect(collect(noRole, window)).rejects.toThrow(/Direct-to-Consumer Delivery role/);
    await expect(collect(noRole, window)).rejects.toBeInstanceOf(CartAuthError);
    const { adapter: plain } = await setup({
      orders: 15,
      api: API,
      piiRoles: false,
      settings: { restrictedData: false },
    });
    const without = normalized(plain, (await collect(plain, window)).flat());
    const o = without.find((x) => x.cartOrderNo === shippable[0]!.cartOrderNo)!;
    expect(o.shipTo).toMatchObject({ name: null, phone: null, postalCode: null });
    // City and prefecture are not PII in 2026-01-01; the street and the postal code are.
    expect(o.shipTo.prefecture).toBe(shippable[0]!.shipTo.prefecture);
    expect(o.orderer).toMatchObject({ name: null, email: null });
  });

  it('one store, either API: the same orders as the same order JSON (the v0 read lacks only what v0 never fetched)', async () => {
    const { sim, adapter } = await setup({ orders: 30, api: API });
    const v0 = createAmazonAdapter({
      storeCode: 'amazon-main',
      baseUrl: sim.url,
      credentials: AMAZON_DEMO_CREDENTIALS,
      settings: { ...amazonSimulatorSettings, ordersApi: 'v0' },
      limits: LIMITS,
      now: () => T0,
      http: HTTP,
    });
    const a = new Map(normalized(v0, (await collect(v0, window)).flat()).map((o) => [o.cartOrderNo, o]));
    const b = normalized(adapter, (await collect(adapter, window)).flat());
    expect(b.map((o) => o.cartOrderNo).sort()).toEqual([...a.keys()].sort());
    for (const o of b) {
      const old = a.get(o.cartOrderNo)!;
      // v0 lists without getOrderAddress (delivery instructions) or an RDT for items (gift messages);
      // 2026 withholds the buyer of an order not yet payable or cancelled (access-orders-pii).
      const { customerRemarks: _r, orderer: _o, ...rest } = o;
      const { customerRemarks: _r0, orderer: _o0, ...restV0 } = old;
      expect(rest).toEqual(restV0);
      if (o.cartStatus === 'Unshipped') expect(o.orderer).toEqual(old.orderer);
    }
  });

  it('fetchOrder: getOrder (2026) with includedData; null for unknown or malformed ids', async () => {
    const { sim, adapter } = await setup({ orders: 8, api: API });
    const [first] = await simOrders(sim);
    const raw = await adapter.fetchOrder(first!.cartOrderNo);
    expect(raw?.cartOrderNo).toBe(first!.cartOrderNo);
    expect(ok(adapter.normalize(raw!, 'amazon-main')).lines.length).toBeGreaterThan(0);
    expect(await adapter.fetchOrder('503-0000000-0000000')).toBeNull();
    expect(await adapter.fetchOrder('not-an-order')).toBeNull();
    expect(sim.stats.byRoute.getOrder2026).toBe(2);
    expect(sim.stats.byRoute.getOrder).toBeUndefined();
  });

  it('an expired token: the 403 makes the adapter refresh once and retry; a revoked one is a CartAuthError', async () => {
    const { sim, adapter } = await setup({ orders: 10, api: API });
    const before = (await collect(adapter, window)).flat().length;
    sim.faults.expireTokens = true;
    expect((await collect(adapter, window)).flat()).toHaveLength(before);
    expect(sim.stats.authFailures).toBeGreaterThanOrEqual(1);
    expect(sim.stats.byRoute.lwaToken).toBe(2);
    sim.faults.expireTokens = false;
    sim.faults.revokeCredentials = true;
    await expect(collect(adapter, window)).rejects.toBeInstanceOf(CartAuthError);
  });

  it('backs off after 429, 5xx and timeouts; a malformed record is one rejection naming createdTime', async () => {
    const { sim, adapter } = await setup({ orders: 20, api: API, http: FAST_HTTP });
    await collect(adapter, { from: window.from, to: new Date(window.from.getTime() + 1) }); // the LWA token first
    sim.faults.rateLimited = 2;
    sim.faults.serverErrors = 2;
    sim.faults.timeouts = 1;
    sim.faults.malformedRecords = 1;
    const raws = (await collect(adapter, window)).flat();
    expect(new Set(raws.map((r) => r.cartOrderNo)).size).toBe(20);
    expect(sim.stats.sent429).toBeGreaterThanOrEqual(2);
    expect(adapter.http.stats.retries).toBeGreaterThanOrEqual(5);
    const rejected = raws.map((r) => adapter.normalize(r, 'amazon-main')).filter((r) => !r.ok);
    expect(rejected).toEqual([expect.objectContaining({ ok: false, field: 'createdTime' })]);
  });

  it('a cart-side cancel comes with the next window as Canceled, once two minutes have passed', async () => {
    const clock = testClock();
    const { sim, adapter } = await setup({ orders: 12, clock, api: API });
    const first = { from: window.from, to: adapter.listableUntil() };
    const before = normalized(adapter, (await collect(adapter, first)).flat());
    const target = before.find((o) => o.cartStatus === 'Unshipped')!;
    clock.advance(10 * MIN);
    await fetch(`${sim.url}/__sim/orders/${target.cartOrderNo}/cancel`, { method: 'POST' });
    const listed = async () =>
      (await collect(adapter, { from: first.to, to: clock.now() })).flat().map((r) => r.cartOrderNo);
    // Changed a moment ago: not listable before two minutes have passed (lastUpdatedBefore rule).
    expect(await listed()).not.toContain(target.cartOrderNo);
    clock.advance(3 * MIN);
    const next = normalized(adapter, (await collect(adapter, { from: first.to, to: clock.now() })).flat());
    const cancelled = next.find((o) => o.cartOrderNo === target.cartOrderNo);
    expect(cancelled).toMatchObject({ cartStatus: 'Canceled', cancelledInCart: true });
    expect(Date.parse(cancelled!.cartUpdatedAt!)).toBeGreaterThan(Date.parse(target.cartUpdatedAt!));
  });

  it('serves the fixtures folder through 2026-01-01 too: the v0 recordings as 2026 orders, the 2026 examples as recorded', async () => {
    const { sim, adapter } = await fixtureSim({ maxResultsPerPage: 3 });
    const raws = (await collect(adapter, { from: new Date('2026-04-01T00:00:00Z'), to: T0 })).flat();
    expect(raws).toHaveLength(8);
    expect(normalized(adapter, raws).find((o) => o.cartOrderNo === '249-1258324-2341544')?.totals.total).toBe(
      2340,
    );
    // The model's sandbox JP order (December 2024), as recorded; FBA, so not listed for a MERCHANT store.
    const dec = { from: new Date('2024-12-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') };
    expect((await collect(adapter, dec)).flat()).toHaveLength(0);
    const fba = createAmazonAdapter({
      storeCode: 'amazon-fba',
      baseUrl: sim.url,
      credentials: AMAZON_DEMO_CREDENTIALS,
      settings: { fulfillmentChannels: ['AFN'] },
      limits: LIMITS,
      now: () => T0,
      http: HTTP,
    });
    expect((await collect(fba, dec)).flat().map((r) => r.cartOrderNo)).toEqual(['250-1234567-8901234']);
  });
});

describe('the simulator’s Orders API 2026-01-01, as a client sees it on the wire', () => {
  async function token(sim: AmazonRunningSimulator): Promise<string> {
    const c = AMAZON_DEMO_CREDENTIALS;
    const res = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.refreshToken,
        client_id: c.clientId,
        client_secret: c.clientSecret,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const search = (sim: AmazonRunningSimulator, t: string | null, query: Record<string, string>) => {
    const u = new URL(`${sim.url}/orders/2026-01-01/orders`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return fetch(u, { headers: t ? { 'x-amz-access-token': t } : {} });
  };

  it('enforces the documented searchOrders usage plan (burst 20, then 429 QuotaExceeded) and says its rate', async () => {
    // The documented limits, unscaled: AMAZON_RATE_LIMITS.searchOrders is 0.0056/s, burst 20.
    const sim = await startAmazonSimulator({ seed: 3, orders: 5, clock: () => T0 });
    running.push(sim);
    const t = await token(sim);
    const q = { lastUpdatedAfter: '2026-04-20T00:00:00Z', marketplaceIds: 'A1VC38T7YXB528' };
    const statuses: number[] = [];
    let first: Response | null = null;
    let last: Response | null = null;
    for (let i = 0; i < 21; i++) {
      const res = await search(sim, t, q);
      statuses.push(res.status);
      first ??= res;
      last = res;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses[20]).toBe(429);
    expect(first!.headers.get('x-amzn-ratelimit-limit')).toBe('0.0056');
    expect(await last!.json()).toEqual({
      errors: [
        {
          code: 'QuotaExceeded',
          message: 'You exceeded your quota for the requested resource.',
          details: '',
        },
      ],
    });
    expect(last!.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers Amazon’s way: 403 without a token; 400 InvalidInput for both date filters, a bad includedData value, an expired paginationToken; includedData decides the datasets', async () => {
    let now = T0.getTime();
    const sim = await startAmazonSimulator({
      seed: 3,
      orders: 12,
      clock: () => new Date(now),
      rateLimits: false,
    });
    running.push(sim);
    const t = await token(sim);
    const noToken = await search(sim, null, { lastUpdatedAfter: '2026-04-20T00:00:00Z' });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe(
      'Unauthorized',
    );
    const both = await search(sim, t, {
      createdAfter: '2026-04-20T00:00:00Z',
      lastUpdatedAfter: '2026-04-20T00:00:00Z',
    });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ errors: [{ code: 'InvalidInput', message: 'Invalid Input' }] });
    expect(
      (await search(sim, t, { createdAfter: '2026-04-20T00:00:00Z', includedData: 'ITEMS' })).status,
    ).toBe(400);
    expect(
      (
        await search(sim, t, {
          lastUpdatedAfter: '2026-04-20T00:00:00Z',
          lastUpdatedBefore: T0.toISOString(),
        })
      ).status,
    ).toBe(400); // not 2 min ago

    const bare = (await (
      await search(sim, t, { createdAfter: '2026-04-20T00:00:00Z', maxResultsPerPage: '5' })
    ).json()) as {
      orders: Array<Record<string, unknown>>;
      pagination?: { nextToken: string };
      createdBefore: string;
    };
    // Without includedData: basic information only (get-orders-with-filtering-criteria).
    expect(Object.keys(bare.orders[0]!).sort()).toEqual(
      [
        'associatedOrders',
        'createdTime',
        'lastUpdatedTime',
        'orderAliases',
        'orderId',
        'orderItems',
        'programs',
        'salesChannel',
      ].sort(),
    );
    expect(Object.keys((bare.orders[0]!.orderItems as Json[])[0]!).sort()).toEqual(
      ['orderItemId', 'product', 'programs', 'quantityOrdered'].sort(),
    );
    expect(bare.createdBefore).toBeDefined();
    const next = bare.pagination!.nextToken;
    const page2 = await search(sim, t, {
      createdAfter: '2026-04-20T00:00:00Z',
      maxResultsPerPage: '5',
      includedData: 'FULFILLMENT',
      paginationToken: next,
    });
    expect(page2.status).toBe(200);
    const p2 = (await page2.json()) as {
      orders: Array<Record<string, unknown>>;
      pagination?: { nextToken: string };
    };
    expect(p2.orders[0]!.fulfillment).toBeDefined();
    expect(p2.orders[0]!.buyer).toBeUndefined();
    now += 25 * HOUR; // pagination tokens expire after 24 h (access tokens after one)
    const stale = await search(sim, await token(sim), {
      createdAfter: '2026-04-20T00:00:00Z',
      paginationToken: p2.pagination!.nextToken,
    });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ errors: [{ code: 'InvalidInput' }] });
  });
});

type Json = Record<string, unknown>;

function ok(r: ReturnType<ReturnType<typeof createAmazonAdapter>['normalize']>): CartOrder {
  if (!r.ok) throw new Error(`${r.cartOrderNo}: ${r.field}: ${r.message}`);
  return r.order;
}

describe('which Orders API a store reads, and what the stores screen says', () => {
  const jst = (iso: string) => new Date(`${iso}T12:00:00+09:00`);
  it.each([
    {
      settings: {},
      now: '2026-12-02',
      why: 'no setting (new stores, and old ones never set): 2026-01-01, nothing to warn about',
      api: 'Orders API 2026-01-01',
      warning: null,
    },
    {
      settings: { ordersApi: '2026-01-01' },
      now: '2026-12-02',
      why: 'set to the new API',
      api: 'Orders API 2026-01-01',
      warning: null,
    },
    {
      settings: { ordersApi: 'v0' },
      now: '2026-12-02',
      why: 'v0, 115 days before the cut-off: the date and what to do',
      api: 'Orders API v0',
      warning:
        /^Orders API v0 は 2027-03-27 に使えなくなります（Amazon の移行期限、あと 115 日）。settings の ordersApi を "2026-01-01" に/,
    },
    {
      settings: { ordersApi: 'v0' },
      now: '2026-12-27',
      why: 'v0, 90 days before: urgent',
      api: 'Orders API v0',
      warning: /^至急: Orders API v0 はあと 90 日、2027-03-27 に使えなくなります。/,
    },
    {
      settings: { ordersApi: 'v0' },
      now: '2027-03-27',
      why: 'v0 on the day',
      api: 'Orders API v0',
      warning: /^至急: Orders API v0 は今日（2027-03-27）使えなくなります。/,
    },
    {
      settings: { ordersApi: 'v0' },
      now: '2027-04-01',
      why: 'v0 after the cut-off: imports fail',
      api: 'Orders API v0',
      warning: /^Orders API v0 は 2027-03-27 に使えなくなりました.*取り込みは失敗します/,
    },
    {
      settings: { ordersApi: 'v1' },
      now: '2026-12-02',
      why: 'a value that is neither: the import would stop on it',
      api: 'Orders API 2026-01-01',
      warning: /ordersApi「v1」は読めません/,
    },
  ])('$why', ({ settings, now, api, warning }) => {
    const status = amazonCart.apiStatus!(settings, jst(now));
    expect(status.api).toBe(api);
    if (warning === null) expect(status.warnings).toEqual([]);
    else expect(status.warnings).toEqual([expect.stringMatching(warning)]);
  });

  it('the adapter refuses an ordersApi it does not know, naming the setting', () => {
    expect(() =>
      createAmazonAdapter({
        storeCode: 'x',
        baseUrl: 'http://127.0.0.1:1',
        credentials: AMAZON_DEMO_CREDENTIALS,
        settings: { ordersApi: 'v1' },
      }),
    ).toThrow(/ordersApi/);
  });
});

describe('amazon pacing margin', () => {
  const spacing = (op: string, k: number) => {
    const l = AMAZON_RATE_LIMITS[op]!;
    return 1 / paced(op, { ...l, ratePerSec: l.ratePerSec * k }).ratePerSec;
  };
  it('at the documented rates: 10 % of the interval, at most 2 s', () => {
    expect(spacing('searchOrders', 1)).toBeCloseTo(1 / 0.0056 + 2, 6);
    expect(spacing('getOrder2026', 1)).toBeCloseTo(2 + 0.2, 6);
  });
  it('time-compressed (rates × k): the documented margin ÷ k, never under 25 ms or 10 % of a short interval', () => {
    expect(spacing('searchOrders', 100)).toBeCloseTo(1 / 0.56 + 0.025, 6);
    expect(spacing('searchOrders', 10)).toBeCloseTo(1 / 0.056 + 0.2, 6);
    expect(spacing('getOrder2026', 1000)).toBeCloseTo(0.002 + 0.0002, 9);
    // An operation of no documented limit keeps its own 10 %.
    expect(1 / paced('other', { ratePerSec: 1, burst: 1 }).ratePerSec).toBeCloseTo(1.1, 9);
  });
});
