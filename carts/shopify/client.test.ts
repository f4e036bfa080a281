// The adapter against its simulator over real HTTP (port 0): paging, windows, the leaky bucket, faults.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartAdapter, ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import { type ShopifyAdapter, shopifyCart } from './index.js';
import { type ShopifySimulator, startShopifySimulator } from './simulator.js';

const HOUR = 3_600_000;
const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
const FAST = { '*': { ratePerSec: 400, burst: 10 } };
const HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 6 };

let sim: ShopifySimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

function adapterFor(
  s: ShopifySimulator,
  extra: Partial<Parameters<typeof shopifyCart.createAdapter>[0]> = {},
) {
  return shopifyCart.createAdapter({
    storeCode: 'shopify-main',
    baseUrl: s.url,
    credentials: shopifyCart.demoCredentials,
    http: HTTP,
    limits: FAST,
    settings: { pageSize: 7 },
    ...extra,
  }) as ShopifyAdapter;
}

async function collect(
  adapter: CartAdapter,
  windows: ListWindow[],
): Promise<{ raws: RawOrder[]; pages: number }> {
  const raws: RawOrder[] = [];
  let pages = 0;
  for (const w of windows) {
    for await (const page of adapter.listOrders(w)) {
      pages++;
      raws.push(...page.orders);
    }
  }
  return { raws, pages };
}

function windows(from: Date, to: Date, stepMs: number): ListWindow[] {
  const out: ListWindow[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += stepMs)
    out.push({ from: new Date(t), to: new Date(Math.min(t + stepMs, to.getTime())) });
  return out;
}

async function simOrders(s: ShopifySimulator): Promise<string[]> {
  const res = await fetch(`${s.url}/__sim/orders`);
  return ((await res.json()) as Array<{ cartOrderNo: string }>).map((o) => o.cartOrderNo).sort();
}

describe('shopify adapter ⇄ simulator', () => {
  it('brings every order exactly once across pages and windows, with no 429 in a normal run', async () => {
    const now = new Date(END.getTime() + 2 * HOUR);
    sim = await startShopifySimulator({
      seed: 11,
      orders: 90,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const adapter = adapterFor(sim);
    // Windows end on the clock, not past it: the last one is [.., now + 1s) so "updated at now" is in.
    const { raws, pages } = await collect(
      adapter,
      windows(new Date(START.getTime() - HOUR), new Date(now.getTime() + 1000), 9 * HOUR),
    );
    const got = raws.map((r) => r.cartOrderNo!).sort();
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(await simOrders(sim));
    expect(got.length).toBe(90);
    expect(pages).toBeGreaterThan(90 / 7);
    expect(sim.stats.sent429).toBe(0);
    expect(raws.every((r) => adapter.normalize(r, 'shopify-main').ok)).toBe(true);
    // USD orders come through in cents, tagged USD.
    const usd = raws.map((r) => adapter.normalize(r, 's')).filter((r) => r.ok && r.order.currency === 'USD');
    expect(usd.length).toBeGreaterThan(0);
  });

  it('reads X-Shopify-Shop-Api-Call-Limit and slows down before the bucket is full', async () => {
    // The simulator's bucket is small (4, leaking 20/s); the client's own token bucket would allow far
    // more, so only the header-driven pacing keeps this run free of 429s.
    const bucket = { '*': { ratePerSec: 20, burst: 4 } };
    sim = await startShopifySimulator({
      seed: 3,
      orders: 60,
      from: START,
      to: END,
      clock: () => END,
      limits: bucket,
    });
    const adapter = adapterFor(sim, {
      limits: { '*': { ratePerSec: 10_000, burst: 10_000 } },
      settings: { pageSize: 3, leakPerSec: 20 },
    });
    const { raws } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws.length).toBe(60);
    expect(sim.stats.sent429).toBe(0);
    expect(adapter.pacer.waits).toBeGreaterThan(0);
    expect(sim.bucket!.maxLevel).toBeLessThanOrEqual(4);

    // The same simulator does refuse a burst that ignores the header.
    const burst = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${sim!.url}/admin/api/2025-10/orders.json?limit=1`, {
          headers: { 'X-Shopify-Access-Token': shopifyCart.demoCredentials.accessToken },
        }),
      ),
    );
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get('retry-after')).toBe('0.2');
    expect(await refused[0]!.json()).toEqual({
      errors:
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    });
  });

  it('page_info requests refuse any parameter but limit and fields, as Shopify does', async () => {
    let now = END;
    sim = await startShopifySimulator({
      seed: 5,
      orders: 10,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const headers = { 'X-Shopify-Access-Token': shopifyCart.demoCredentials.accessToken };
    const first = await fetch(`${sim.url}/admin/api/2025-10/orders.json?status=any&limit=3`, { headers });
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')![1]!;
    expect((await fetch(next, { headers })).status).toBe(200);
    const bad = await fetch(`${next}&status=any`, { headers });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      errors: {
        status:
          'status cannot be passed when page_info is present. See https://shopify.dev/api/usage/pagination-rest for more information.',
      },
    });
    // Without status=any Shopify lists only open orders: a cancelled one is missing.
    sim.book.happen('#1002', 'cancel');
    now = new Date(END.getTime() + HOUR);
    const names = async (q: string) =>
      (
        (await (
          await fetch(`${sim!.url}/admin/api/2025-10/orders.json?limit=250${q}`, { headers })
        ).json()) as {
          orders: Array<{ name: string }>;
        }
      ).orders.map((o) => o.name);
    expect(await names('')).not.toContain('#1002');
    expect(await names('&status=any')).toContain('#1002');
  });

  it('backs off after 429, 5xx and timeouts and still finishes', async () => {
    sim = await startShopifySimulator({
      seed: 8,
      orders: 40,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    Object.assign(sim.faults, { rateLimited: 2, serverErrors: 2, timeouts: 1 });
    const adapter = adapterFor(sim);
    const { raws } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(await simOrders(sim));
    expect(sim.stats.sent429).toBe(2);
    expect(sim.stats.sent5xx).toBe(2);
    expect(sim.stats.timeouts).toBe(1);
    expect(adapter.http.stats.retries).toBeGreaterThanOrEqual(5);
  });

  it('a malformed record is rejected by name while the rest of its page comes through', async () => {
    sim = await startShopifySimulator({
      seed: 9,
      orders: 12,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    sim.faults.malformedRecords = 2;
    const adapter = adapterFor(sim, { settings: { pageSize: 20 } });
    const pages = [];
    for await (const page of adapter.listOrders({ from: START, to: new Date(END.getTime() + 1000) }))
      pages.push(page);
    expect(pages).toHaveLength(1);
    const results = pages[0]!.orders.map((r) => adapter.normalize(r, 's'));
    const bad = results.filter((r) => !r.ok);
    expect(bad).toHaveLength(2);
    expect(bad.map((r) => !r.ok && r.field).sort()).toEqual(['created_at', 'line_items[0].quantity']);
    expect(bad.every((r) => !r.ok && /^#10\d\d$/.test(r.cartOrderNo ?? ''))).toBe(true);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('a refused token is a CartAuthError carrying Shopify’s 401 body', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 3, clock: () => END, limits: FAST });
    const wrong = adapterFor(sim, { credentials: { shop: 'juchu-demo', accessToken: 'shpat_wrong' } });
    const err = await wrong
      .listOrders({ from: START, to: END })
      .next()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartAuthError);
    expect((err as Error).message).toContain('[API] Invalid API key or access token');
    sim.faults.revokeCredentials = true;
    await expect(adapterFor(sim).fetchOrder('#1001')).rejects.toBeInstanceOf(CartAuthError);
  });

  it('a body that is not JSON is a CartResponseError', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 3, clock: () => END, limits: FAST });
    sim.quirks.htmlBodies = 1;
    const err = await adapterFor(sim)
      .listOrders({ from: START, to: END })
      .next()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartResponseError);
  });

  it('fetchOrder finds an order by its name (#1001) or numeric id; null when unknown', async () => {
    sim = await startShopifySimulator({
      seed: 2,
      orders: 5,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    const adapter = adapterFor(sim);
    const byName = await adapter.fetchOrder('#1003');
    expect(byName?.cartOrderNo).toBe('#1003');
    const id = String((byName!.payload as { id: number }).id);
    expect((await adapter.fetchOrder(id))?.cartOrderNo).toBe('#1003');
    expect(await adapter.fetchOrder('#9999')).toBeNull();
    expect(await adapter.fetchOrder('999999999')).toBeNull();
  });

  it('a cart-side cancel and edit show up in the next window with a later updated time', async () => {
    let now = END;
    sim = await startShopifySimulator({
      seed: 4,
      orders: 20,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const adapter = adapterFor(sim);
    const first = await collect(adapter, [{ from: START, to: new Date(now.getTime() + 1000) }]);
    const before = new Map(first.raws.map((r) => [r.cartOrderNo, adapter.normalize(r, 's')]));
    now = new Date(END.getTime() + HOUR);
    sim.book.happen('#1005', 'cancel');
    sim.book.happen('#1006', 'edit');
    now = new Date(END.getTime() + 2 * HOUR);
    const next = await collect(adapter, [{ from: new Date(END.getTime() + 1000), to: now }]);
    const seen = next.raws.map((r) => adapter.normalize(r, 's'));
    expect(seen.map((r) => r.ok && r.order.cartOrderNo).sort()).toEqual(['#1005', '#1006']);
    const cancelled = seen.find((r) => r.ok && r.order.cartOrderNo === '#1005');
    const edited = seen.find((r) => r.ok && r.order.cartOrderNo === '#1006');
    const old5 = before.get('#1005');
    const old6 = before.get('#1006');
    if (!cancelled?.ok || !edited?.ok || !old5?.ok || !old6?.ok) throw new Error('normalize failed');
    expect(cancelled.order.cartStatus).toBe('cancelled');
    expect(cancelled.order.cancelledInCart).toBe(true);
    expect(cancelled.order.cartUpdatedAt! > old5.order.cartUpdatedAt!).toBe(true);
    expect(edited.order.lines[0]!.quantity).toBe(old6.order.lines[0]!.quantity + 1);
    expect(edited.order.cartUpdatedAt! > old6.order.cartUpdatedAt!).toBe(true);
  });

  it('serves recorded bodies from a fixtures folder', async () => {
    sim = await startShopifySimulator({ fixturesDir: join(import.meta.dirname, 'fixtures'), limits: FAST });
    const { raws } = await collect(adapterFor(sim), [
      { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') },
    ]);
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(['#1001', '#1034', '#1047', '#1048', '#1056']);
    expect((await adapterFor(sim).fetchOrder('#1001'))?.payload).toMatchObject({ id: 450789469 });
  });
});
