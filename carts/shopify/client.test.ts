// The adapter against its simulator over real HTTP (port 0), through both APIs: paging, windows,
// faults, tokens; REST's leaky bucket and GraphQL's cost bucket; the stores screen's API status.
import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartAdapter, ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import { credentialFields } from '../registry.js';
import { shopifyAuthMode } from './auth.js';
import { SHOPIFY_DEMO_REFRESH_TOKEN, SHOPIFY_LEGACY_DEMO_TOKEN } from './demo-credentials.js';
import { ORDERS_QUERY } from './graphql.js';
import { parseGraphql, requestedCost } from './graphql-query.js';
import {
  forgetShopifyTokens,
  GRAPHQL_PLAN_LIMITS,
  MAX_QUERY_COST,
  type ShopifyAdapter,
  shopifyApiStatus,
  shopifyCart,
} from './index.js';
import {
  loadShopifyFixtures,
  RECORDED_NODES_FILE,
  recordShopifyNodes,
  type ShopifySimulator,
  startShopifySimulator,
} from './simulator.js';

const HOUR = 3_600_000;
const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
// Both ends scaled: REST calls a second, and GraphQL points (restore rate, bucket size).
const FAST = { '*': { ratePerSec: 400, burst: 10 }, graphql: { ratePerSec: 50_000, burst: 2000 } };
const HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 6 };
const LEGACY = { 'X-Shopify-Access-Token': SHOPIFY_LEGACY_DEMO_TOKEN };

let sim: ShopifySimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
  forgetShopifyTokens();
});

type Api = 'graphql' | 'rest';

function adapterFor(
  s: ShopifySimulator,
  extra: Partial<Parameters<typeof shopifyCart.createAdapter>[0]> = {},
  api: Api = 'graphql',
) {
  return shopifyCart.createAdapter({
    storeCode: 'shopify-main',
    baseUrl: s.url,
    credentials: shopifyCart.demoCredentials,
    http: HTTP,
    limits: FAST,
    ...extra,
    settings: { ordersApi: api, pageSize: 7, ...extra.settings },
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

const ALL = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2030-01-01T00:00:00Z') };

describe.each<Api>(['graphql', 'rest'])('shopify adapter ⇄ simulator (%s)', (api) => {
  it('brings every order exactly once across pages and windows, with no 429 or THROTTLED in a normal run', async () => {
    const now = new Date(END.getTime() + 2 * HOUR);
    sim = await startShopifySimulator({
      seed: 11,
      orders: 90,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const adapter = adapterFor(sim, {}, api);
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
    expect(sim.cost.bucket!.throttled).toBe(0);
    expect(raws.every((r) => adapter.normalize(r, 'shopify-main').ok)).toBe(true);
    // USD orders come through in cents, tagged USD.
    const usd = raws.map((r) => adapter.normalize(r, 's')).filter((r) => r.ok && r.order.currency === 'USD');
    expect(usd.length).toBeGreaterThan(0);
  });

  it('backs off after 429/THROTTLED, 5xx and timeouts and still finishes', async () => {
    sim = await startShopifySimulator({
      seed: 8,
      orders: 40,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    const adapter = adapterFor(sim, {}, api);
    await adapter.fetchOrder('#1001'); // the token first: the faults are for the orders
    Object.assign(sim.faults, { rateLimited: 2, serverErrors: 2, timeouts: 1 });
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
    const adapter = adapterFor(sim, { settings: { pageSize: 20 } }, api);
    const pages = [];
    for await (const page of adapter.listOrders({ from: START, to: new Date(END.getTime() + 1000) }))
      pages.push(page);
    const results = pages.flatMap((p) => p.orders).map((r) => adapter.normalize(r, 's'));
    const bad = results.filter((r) => !r.ok);
    expect(bad).toHaveLength(2);
    expect(bad.map((r) => !r.ok && r.field).sort()).toEqual(
      api === 'rest'
        ? ['created_at', 'line_items[0].quantity']
        : ['createdAt', 'lineItems.nodes[0].quantity'],
    );
    expect(bad.every((r) => !r.ok && /^#10\d\d$/.test(r.cartOrderNo ?? ''))).toBe(true);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('a refused token is a CartAuthError carrying Shopify’s 401 body', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 3, clock: () => END, limits: FAST });
    const wrong = adapterFor(sim, { credentials: { shop: 'juchu-demo', accessToken: 'shpat_wrong' } }, api);
    const err = await wrong
      .listOrders({ from: START, to: END })
      .next()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartAuthError);
    expect((err as Error).message).toContain('[API] Invalid API key or access token');
    sim.faults.revokeCredentials = true;
    await expect(adapterFor(sim, {}, api).fetchOrder('#1001')).rejects.toBeInstanceOf(CartAuthError);
  });

  it('a body that is not JSON is a CartResponseError', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 3, clock: () => END, limits: FAST });
    sim.quirks.htmlBodies = 1;
    const err = await adapterFor(
      sim,
      { credentials: { shop: 'juchu-demo', accessToken: SHOPIFY_LEGACY_DEMO_TOKEN } },
      api,
    )
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
    const adapter = adapterFor(sim, {}, api);
    const byName = await adapter.fetchOrder('#1003');
    expect(byName?.cartOrderNo).toBe('#1003');
    const payload = byName!.payload as { id: number | string; legacyResourceId?: string };
    const id = api === 'rest' ? String(payload.id) : payload.legacyResourceId!;
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
    const adapter = adapterFor(sim, {}, api);
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

  it('serves recorded REST bodies from a fixtures folder', async () => {
    sim = await startShopifySimulator({ fixturesDir: join(import.meta.dirname, 'fixtures'), limits: FAST });
    const { raws } = await collect(adapterFor(sim, {}, api), [ALL]);
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(['#1001', '#1034', '#1047', '#1048', '#1056']);
    const one = await adapterFor(sim, {}, api).fetchOrder('#1001');
    expect(one?.payload).toMatchObject(
      api === 'rest' ? { id: 450789469 } : { legacyResourceId: '450789469' },
    );
  });
});

describe('shopify simulator: recorded GraphQL nodes (benchmarks pre-render them)', () => {
  it('serves the recorded node for the recorded query, the same as projecting it, and only then', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures');
    const dir = await mkdtemp(join(tmpdir(), 'juchu-shopify-rec-'));
    try {
      for (const f of readdirSync(fixtures).filter((x) => x.endsWith('.json')))
        await copyFile(join(fixtures, f), join(dir, f));
      const payloads = async (d: string) => {
        sim = await startShopifySimulator({ fixturesDir: d, limits: FAST });
        const { raws } = await collect(adapterFor(sim, {}, 'graphql'), [ALL]);
        await sim.stop();
        sim = null;
        return new Map(raws.map((r) => [r.cartOrderNo, r.payload]));
      };
      const projected = await payloads(fixtures);
      const rec = recordShopifyNodes(loadShopifyFixtures(fixtures), ORDERS_QUERY, { lines: 10 });
      await writeFile(join(dir, RECORDED_NODES_FILE), JSON.stringify(rec));
      expect(await payloads(dir)).toEqual(projected);
      expect(projected.size).toBe(5);

      // Served from the record: a change to it shows; recorded for other variables, it is not used.
      const id = Object.keys(rec.nodes)[0]!;
      rec.nodes[id] = { ...rec.nodes[id], note: 'recorded' };
      await writeFile(join(dir, RECORDED_NODES_FILE), JSON.stringify(rec));
      const tampered = [...(await payloads(dir)).values()].filter(
        (p) => (p as { note?: unknown }).note === 'recorded',
      );
      expect(tampered.length).toBe(1);
      await writeFile(join(dir, RECORDED_NODES_FILE), JSON.stringify({ ...rec, vars: { lines: 3 } }));
      expect(await payloads(dir)).toEqual(projected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('shopify adapter ⇄ simulator (REST only)', () => {
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
    const adapter = adapterFor(
      sim,
      { limits: { '*': { ratePerSec: 10_000, burst: 10_000 } }, settings: { pageSize: 3, leakPerSec: 20 } },
      'rest',
    );
    const { raws } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws.length).toBe(60);
    expect(sim.stats.sent429).toBe(0);
    expect(adapter.pacer.waits).toBeGreaterThan(0);
    expect(sim.bucket!.maxLevel).toBeLessThanOrEqual(4);

    // The same simulator does refuse a burst that ignores the header.
    const burst = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${sim!.url}/admin/api/2025-10/orders.json?limit=1`, { headers: LEGACY }),
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
    const first = await fetch(`${sim.url}/admin/api/2025-10/orders.json?status=any&limit=3`, {
      headers: LEGACY,
    });
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')![1]!;
    expect((await fetch(next, { headers: LEGACY })).status).toBe(200);
    const bad = await fetch(`${next}&status=any`, { headers: LEGACY });
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
          await fetch(`${sim!.url}/admin/api/2025-10/orders.json?limit=250${q}`, { headers: LEGACY })
        ).json()) as {
          orders: Array<{ name: string }>;
        }
      ).orders.map((o) => o.name);
    expect(await names('')).not.toContain('#1002');
    expect(await names('&status=any')).toContain('#1002');
  });
});

// biome-ignore lint/suspicious/noExplicitAny: test reads of free-form GraphQL answers
type GqlBody = Record<string, any>;

/** A GraphQL request to the simulator with the old token (what a client outside juchu would send). */
async function gql(s: ShopifySimulator, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${s.url}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { ...LEGACY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlBody };
}

const DEAR = `query($q: String) { orders(first: 8, query: $q) { nodes { id lineItems(first: 10) { nodes { sku originalUnitPriceSet { shopMoney { amount } } taxLines { priceSet { shopMoney { amount } } } variant { legacyResourceId } product { legacyResourceId } } } shippingLines(first: 5) { nodes { originalPriceSet { shopMoney { amount } } } } } } }`;

describe('shopify adapter ⇄ simulator (GraphQL cost limits)', () => {
  it('paces by the cost bucket: waits for the points a page needs instead of meeting THROTTLED', async () => {
    sim = await startShopifySimulator({
      seed: 12,
      orders: 60,
      from: START,
      to: END,
      clock: () => END,
      limits: { graphql: { ratePerSec: 4000, burst: 1100 } },
    });
    const adapter = adapterFor(sim, { settings: { pageSize: 250 } });
    const { raws, pages } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws).toHaveLength(60);
    // Eight orders with ten line items each is as many as fit under the 1,000-point query limit.
    expect(adapter.graphql!.pageSize()).toBe(8);
    expect(sim.cost.queries).toBe(8);
    // …gathered into pages of up to pageSize (250) orders for the import: one page here.
    expect(pages).toBe(1);
    expect(sim.cost.maxRequested).toBeLessThanOrEqual(MAX_QUERY_COST);
    expect(sim.cost.bucket!.throttled).toBe(0);
    expect(adapter.graphql!.pacer.waits).toBeGreaterThan(0);
  });

  it('a THROTTLED answer (in Shopify’s shape) is retried after the time the bucket needs', async () => {
    sim = await startShopifySimulator({
      seed: 13,
      orders: 20,
      from: START,
      to: END,
      clock: () => END,
      limits: { graphql: { ratePerSec: 500, burst: 1000 } },
    });
    // Another app of the shop takes the bucket until a query no longer fits.
    let refused = await gql(sim, DEAR);
    for (let i = 0; i < 10 && !refused.body.errors; i++) refused = await gql(sim, DEAR);
    expect(refused.status).toBe(200);
    expect(refused.body.errors).toEqual([
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
      },
    ]);
    expect(refused.body.extensions.cost).toMatchObject({
      actualQueryCost: null,
      requestedQueryCost: expect.any(Number),
    });
    expect(refused.body.extensions.cost.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: expect.any(Number),
      restoreRate: 500,
    });
    expect(refused.body.data).toBeUndefined();
    const adapter = adapterFor(sim, { settings: { pageSize: 250 } });
    const t0 = performance.now();
    const { raws } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws).toHaveLength(20);
    expect(adapter.http.stats.rateLimited).toBeGreaterThanOrEqual(1);
    // It waited what the bucket needed ((requested − available) / restoreRate), not a blind backoff.
    expect(performance.now() - t0).toBeGreaterThan(300);
    expect(performance.now() - t0).toBeLessThan(8000);
  });

  it('a query over 1,000 points is refused before it runs; the adapter shrinks the page to what Shopify says it costs', async () => {
    sim = await startShopifySimulator({
      seed: 14,
      orders: 30,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    // Shopify charging twice what the documented rules add up to.
    sim.quirks.costFactor = 2;
    const refused = await gql(sim, DEAR);
    expect(refused.body.errors[0].extensions).toEqual({
      code: 'MAX_COST_EXCEEDED',
      cost: expect.any(Number),
      maxCost: 1000,
    });
    expect(refused.body.errors[0].message).toMatch(
      /^Query cost is \d+, which exceeds the single query max cost limit \(1000\)\./,
    );
    const adapter = adapterFor(sim, { settings: { pageSize: 250 } });
    const { raws } = await collect(adapter, [{ from: START, to: new Date(END.getTime() + 1000) }]);
    expect(raws).toHaveLength(30);
    expect(adapter.graphql!.stats.costRetries).toBe(1);
    expect(adapter.graphql!.pageSize()).toBe(4);
  });

  it('first is at most 250, and an unknown field is a GraphQL error (a CartRequestError for the adapter)', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 3, clock: () => END, limits: FAST });
    const big = await gql(sim, '{ orders(first: 251) { nodes { id } } }');
    expect(big.body.errors[0].message).toMatch(/first must be between 0 and 250/);
    const unknown = await gql(sim, '{ orders(first: 1) { nodes { id nope } } }');
    expect(unknown.body.errors[0]).toMatchObject({
      message: "Field 'nope' doesn't exist on type 'Order'",
      extensions: { code: 'undefinedField' },
    });
    const syntax = await gql(sim, '{ orders(first: 1) { nodes { id }');
    expect(syntax.body.errors[0].message).toMatch(/^Parse error/);
  });

  it('line items beyond the first page are read with order(id:): the order comes out whole, as over REST', async () => {
    sim = await startShopifySimulator({
      seed: 15,
      orders: 25,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    const w = [{ from: START, to: new Date(END.getTime() + 1000) }];
    const viaGraphql = adapterFor(sim, { settings: { lineItemsFirst: 1 } });
    const g = await collect(viaGraphql, w);
    const r = await collect(adapterFor(sim, {}, 'rest'), w);
    expect(viaGraphql.graphql!.stats.linePages).toBeGreaterThan(0);
    const norm = (raws: RawOrder[]) =>
      new Map(raws.map((x) => [x.cartOrderNo, shopifyCart.normalize(x, 's')]));
    expect(norm(g.raws)).toEqual(norm(r.raws));
  });
});

describe('shopify tokens ⇄ simulator', () => {
  it('client credentials: one 24-hour token for every adapter of the process, renewed before it expires', async () => {
    let now = END;
    sim = await startShopifySimulator({
      seed: 1,
      orders: 5,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const at = () => now;
    await collect(adapterFor(sim, { now: at }), [ALL]);
    await collect(adapterFor(sim, { now: at }), [ALL]);
    expect(sim.tokens.clientCredentials).toBe(1);
    now = new Date(END.getTime() + 24 * HOUR - 4 * 60_000); // four minutes before it expires
    await collect(adapterFor(sim, { now: at }), [ALL]);
    expect(sim.tokens.clientCredentials).toBe(2);
    expect(sim.stats.authFailures).toBe(0);
  });

  it('a token the API calls expired is renewed once and the request goes through', async () => {
    sim = await startShopifySimulator({
      seed: 1,
      orders: 5,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    const adapter = adapterFor(sim);
    await collect(adapter, [ALL]);
    sim.faults.expireTokens = true;
    const { raws } = await collect(adapter, [ALL]);
    expect(raws).toHaveLength(5);
    expect(sim.stats.authFailures).toBe(1);
    expect(sim.tokens.clientCredentials).toBe(2);
  });

  it('wrong app keys are a CartAuthError naming the token endpoint’s answer', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 1, clock: () => END, limits: FAST });
    const wrong = adapterFor(sim, {
      credentials: { shop: 'juchu-demo', clientId: 'juchu-demo-client-id', clientSecret: 'nope' },
    });
    const err = await wrong.fetchOrder('#1001').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartAuthError);
    expect((err as Error).message).toMatch(/token request refused \(HTTP 400\): invalid_client/);
  });

  it('expiring offline tokens: renewed every hour with the stored refresh token, in this process and the next', async () => {
    let now = END;
    sim = await startShopifySimulator({
      seed: 1,
      orders: 5,
      from: START,
      to: END,
      clock: () => now,
      limits: FAST,
    });
    const creds = { ...shopifyCart.demoCredentials, refreshToken: SHOPIFY_DEMO_REFRESH_TOKEN };
    const run = () => collect(adapterFor(sim!, { credentials: creds, now: () => now }), [ALL]);
    await run();
    now = new Date(now.getTime() + HOUR);
    await run();
    forgetShopifyTokens(); // the worker restarted: its tokens are gone, the stored refresh token is not
    await run();
    expect(sim.tokens.refreshed).toBe(3);
    expect(sim.tokens.refusedRefresh).toBe(0);
    expect(sim.stats.authFailures).toBe(0);
    // Shopify keeps a used refresh token working for 30 days after its first use, no longer.
    now = new Date(END.getTime() + 31 * 24 * HOUR);
    forgetShopifyTokens();
    await expect(run()).rejects.toThrow(/invalid_grant/);
  });

  it('the simulator rotates refresh tokens as Shopify does: using the replacement retires the stored one', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 1, clock: () => END, limits: FAST });
    const refresh = async (token: string) => {
      const res = await fetch(`${sim!.url}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: shopifyCart.demoCredentials.clientId!,
          client_secret: shopifyCart.demoCredentials.clientSecret!,
        }).toString(),
      });
      return { status: res.status, body: (await res.json()) as GqlBody };
    };
    const first = await refresh(SHOPIFY_DEMO_REFRESH_TOKEN);
    expect(first.body).toMatchObject({ expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/) });
    expect((await refresh(SHOPIFY_DEMO_REFRESH_TOKEN)).status).toBe(200); // still good: the replacement is unused
    expect((await refresh(first.body.refresh_token)).status).toBe(200);
    expect(await refresh(SHOPIFY_DEMO_REFRESH_TOKEN)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('the old custom-app token (shpat_) still reads orders through GraphQL', async () => {
    sim = await startShopifySimulator({
      seed: 1,
      orders: 4,
      from: START,
      to: END,
      clock: () => END,
      limits: FAST,
    });
    const legacy = adapterFor(sim, {
      credentials: { shop: 'juchu-demo', accessToken: SHOPIFY_LEGACY_DEMO_TOKEN },
    });
    expect((await collect(legacy, [ALL])).raws).toHaveLength(4);
    expect(legacy.tokens.mode).toBe('access_token');
    expect(sim.tokens.clientCredentials).toBe(0);
  });
});

describe('shopify apiStatus (the stores screen)', () => {
  const on = new Date('2026-12-02T03:00:00Z');
  const cases: Array<{ why: string; settings: Record<string, unknown>; api: string; warns: RegExp[] }> = [
    {
      why: 'the default: GraphQL on the latest stable version',
      settings: {},
      api: 'GraphQL Admin API 2026-10',
      warns: [],
    },
    {
      why: 'a version inside its window',
      settings: { apiVersion: '2026-04' },
      api: 'GraphQL Admin API 2026-04',
      warns: [],
    },
    {
      why: 'support ends within 60 days (2026-01 → 2027-01-01)',
      settings: { apiVersion: '2026-01' },
      api: 'GraphQL Admin API 2026-01',
      warns: [/2027-01-01 に終わります（あと 30 日）/],
    },
    {
      why: 'past its support window (2025-10 → 2026-10-01): Shopify falls forward',
      settings: { apiVersion: '2025-10' },
      api: 'GraphQL Admin API 2025-10',
      warns: [/2026-10-01 に終わりました/],
    },
    {
      why: 'not released yet',
      settings: { apiVersion: '2027-01' },
      api: 'GraphQL Admin API 2027-01',
      warns: [/まだ安定版ではありません/],
    },
    {
      why: 'REST is legacy',
      settings: { ordersApi: 'rest' },
      api: 'REST Admin API 2026-10',
      warns: [/REST Admin API はレガシーです/],
    },
    {
      why: 'a version that is not one',
      settings: { apiVersion: '2026-13' },
      api: 'GraphQL Admin API 2026-13',
      warns: [/読めません/],
    },
  ];
  it.each(cases)('$why', ({ settings, api, warns }) => {
    const s = shopifyApiStatus(settings, on);
    expect(s.api).toBe(api);
    expect(s.warnings).toHaveLength(warns.length);
    for (const [i, re] of warns.entries()) expect(s.warnings[i]).toMatch(re);
    expect(shopifyCart.apiStatus!(settings, on)).toEqual(s);
  });
});

describe('shopify credentials (the store screen’s fields)', () => {
  const cases: Array<{ why: string; creds: Record<string, string>; mode: string | RegExp }> = [
    {
      why: 'a Dev Dashboard app: client credentials',
      creds: { shop: 'a', clientId: 'id', clientSecret: 's' },
      mode: 'client_credentials',
    },
    {
      why: 'an expiring offline token with its refresh token',
      creds: { shop: 'a', clientId: 'id', clientSecret: 's', refreshToken: 'r' },
      mode: 'refresh_token',
    },
    { why: 'the old custom app token', creds: { shop: 'a', accessToken: 'shpat_x' }, mode: 'access_token' },
    {
      why: 'every field filled: the app’s keys win over a token given beside them',
      creds: { shop: 'a', clientId: 'id', clientSecret: 's', refreshToken: 'r', accessToken: 't' },
      mode: 'refresh_token',
    },
    { why: 'a client ID without its secret', creds: { shop: 'a', clientId: 'id' }, mode: /clientSecret/ },
    {
      why: 'a refresh token without the app’s keys',
      creds: { shop: 'a', refreshToken: 'r' },
      mode: /clientSecret|clientId/,
    },
    { why: 'nothing to authenticate with', creds: { shop: 'a' }, mode: /accessToken/ },
    { why: 'not a shop', creds: { shop: 'a b', accessToken: 't' }, mode: /shop/ },
  ];
  it.each(cases)('$why', ({ creds, mode }) => {
    const r = shopifyCart.credentialsSchema.safeParse(creds);
    if (mode instanceof RegExp) {
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path.join('.')).toMatch(mode);
    } else {
      expect(r.success).toBe(true);
      expect(shopifyAuthMode(r.data!)).toBe(mode);
    }
  });

  it('the form offers shop, the app’s keys, the refresh token and the old token', () => {
    expect(credentialFields('shopify')).toEqual([
      'shop',
      'clientId',
      'clientSecret',
      'refreshToken',
      'accessToken',
    ]);
  });
});

describe('shopify GraphQL cost (graphql-query.ts)', () => {
  const cost = (q: string, vars = {}) => requestedCost(parseGraphql(q).selection, vars);
  const cases: Array<{ why: string; query: string; vars?: Record<string, unknown>; want: number }> = [
    { why: 'an object with scalars costs 1', query: '{ shop { id name } }', want: 1 },
    {
      why: 'a connection: 2 + first × (1 + its node), as Shopify answers for products(first: 10)',
      query: '{ products(first: 10) { edges { node { id title } } } }',
      want: 12,
    },
    {
      why: 'nested connections multiply; variables give the sizes',
      query: 'query($n: Int!) { orders(first: $n) { nodes { lineItems(first: 5) { nodes { sku } } } } }',
      vars: { n: 4 },
      want: 2 + 4 * (1 + 2 + 5),
    },
    {
      why: 'an inline fragment costs what it selects; pageInfo is free',
      query:
        '{ orders(first: 1) { pageInfo { hasNextPage } nodes { transactions(first: 2) { paymentDetails { ... on CardPaymentDetails { company } } } } } }',
      want: 2 + 1 * (1 + 2 + 2 * (1 + 1)),
    },
    {
      why: 'the adapter’s own page: 8 orders, 10 line items each',
      query: ORDERS_QUERY,
      vars: { first: 8, lines: 10 },
      want: 978,
    },
  ];
  it.each(cases)('$why', ({ query, vars, want }) => {
    expect(cost(query, vars)).toBe(want);
  });

  it('the simulator enforces the plan’s bucket and restore rate (constants.ts)', async () => {
    sim = await startShopifySimulator({ seed: 1, orders: 1, clock: () => END, plan: 'plus' });
    const r = await gql(sim, '{ shop: orders(first: 1) { nodes { id } } }');
    expect(r.body.extensions.cost.throttleStatus).toMatchObject({
      maximumAvailable: GRAPHQL_PLAN_LIMITS.plus.bucketSize,
      restoreRate: GRAPHQL_PLAN_LIMITS.plus.restoreRate,
    });
  });
});
