// The classic-API adapter (a store with orderApi: 'classic') against its simulator over real HTTP (port
// 0): fetch modes, the 100-order ceiling, the shop-wide 1 request/second limit (scaled up for speed),
// faults, charsets. The next-generation adapter's tests are next-client.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CartAdapter, ListWindow, RawOrder } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import { type MakeshopClassicAdapter, makeshopCart } from './index.js';
import { type MakeshopSimulator, startMakeshopSimulator } from './simulator.js';
import { decodeXml } from './xml.js';

const HOUR = 3_600_000;
const START = new Date('2024-04-22T00:00:00Z');
const END = new Date('2024-04-25T00:00:00Z');
/** 1 request a second for the shop, sped up 100×: still one at a time, no burst. */
const LIMIT = { '*': { ratePerSec: 100, burst: 1 } };
const HTTP = { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 6 };
const CAP = 8;

let sim: MakeshopSimulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

function start(opts: Parameters<typeof startMakeshopSimulator>[0] = {}) {
  return startMakeshopSimulator({
    from: START,
    to: END,
    clock: () => END,
    limits: LIMIT,
    maxPerCall: CAP,
    ...opts,
  });
}

function adapterFor(
  s: MakeshopSimulator,
  extra: Partial<Parameters<typeof makeshopCart.createAdapter>[0]> = {},
) {
  return makeshopCart.createAdapter({
    storeCode: 'makeshop-main',
    baseUrl: s.url,
    credentials: makeshopCart.demoCredentials,
    http: HTTP,
    limits: LIMIT,
    ...extra,
    settings: { orderApi: 'classic', maxPerCall: CAP, ...extra.settings },
  }) as MakeshopClassicAdapter;
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

const ALL: ListWindow = { from: new Date(START.getTime() - HOUR), to: new Date(END.getTime() + 1000) };

describe('makeshop classic store: adapter ⇄ simulator', () => {
  it('brings every order exactly once across period splits and windows, cancelled ones included, with no 429', async () => {
    let now = END;
    sim = await start({ seed: 21, orders: 70, clock: () => now });
    // A cancelled order is listed only with canceled=1.
    sim.book.happen((await simOrders(sim))[10]!, 'cancel');
    now = new Date(END.getTime() + HOUR);
    const adapter = adapterFor(sim);
    const raws = await collect(adapter, windows(ALL.from, ALL.to, 13 * HOUR));
    const got = raws.map((r) => r.cartOrderNo!).sort();
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(await simOrders(sim));
    expect(sim.stats.sent429).toBe(0);
    const results = raws.map((r) => adapter.normalize(r, 'makeshop-main'));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.some((r) => r.ok && r.order.cancelledInCart)).toBe(true);
    // 13-hour windows hold more than CAP orders: the adapter had to split (more calls than windows + diffs).
    expect(sim.stats.requests).toBeGreaterThan(2 * windows(ALL.from, ALL.to, 13 * HOUR).length);
  });

  it('every operation of the shop shares one limit: two adapters at once meet no 429', async () => {
    // 20 calls/s for the shop. Each adapter alone would stay under it; two with their own buckets would not.
    const slow = { '*': { ratePerSec: 20, burst: 1 } };
    sim = await start({ seed: 2, orders: 30, limits: slow });
    const a = adapterFor(sim, { limits: slow });
    const b = adapterFor(sim, {
      limits: slow,
      settings: { maxPerCall: CAP, service: 'juchu2', diffPass: false },
    });
    const nos = (await simOrders(sim)).slice(0, 6);
    const [listed, fetched] = await Promise.all([
      collect(a, [ALL]),
      Promise.all(nos.map((no) => b.fetchOrder(no))),
    ]);
    expect(listed.length).toBe(30);
    expect(fetched.map((r) => r?.cartOrderNo)).toEqual(nos);
    expect(sim.stats.sent429).toBe(0);

    // The simulator does refuse a burst: 429 with an XML body.
    const q = new URLSearchParams({
      cmd: 'get',
      shopid: 'juchudemo',
      token: makeshopCart.demoCredentials.token!,
      ordernum: nos[0]!,
    });
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${sim!.url}/api/orderinfo/index.html?${q}`)),
    );
    const refused = burst.find((r) => r.status === 429);
    expect(refused).toBeDefined();
    const text = decodeXml(
      new Uint8Array(await refused!.arrayBuffer()),
      refused!.headers.get('content-type'),
    );
    expect(text).toContain('<code>429</code>');
  });

  it('backs off after 429, 5xx and timeouts and still finishes', async () => {
    sim = await start({ seed: 8, orders: 30 });
    Object.assign(sim.faults, { rateLimited: 2, serverErrors: 2, timeouts: 1 });
    const adapter = adapterFor(sim);
    const raws = await collect(adapter, [ALL]);
    expect(raws.map((r) => r.cartOrderNo).sort()).toEqual(await simOrders(sim));
    expect([sim.stats.sent429, sim.stats.sent5xx, sim.stats.timeouts]).toEqual([2, 2, 1]);
    expect(adapter.http.stats.retries).toBeGreaterThanOrEqual(5);
  });

  it('a malformed record is rejected by name while the rest of its answer comes through', async () => {
    sim = await start({ seed: 9, orders: 6 });
    sim.faults.malformedRecords = 2;
    const adapter = adapterFor(sim, { settings: { maxPerCall: 20, diffPass: false } });
    const pages = [];
    for await (const page of adapter.listOrders(ALL)) pages.push(page);
    expect(pages).toHaveLength(1);
    const results = pages[0]!.orders.map((r) => adapter.normalize(r, 's'));
    const bad = results.filter((r) => !r.ok);
    expect(bad.map((r) => !r.ok && r.field).sort()).toEqual([
      'date',
      'orderdetail.commodities.commodity[0].amount',
    ]);
    expect(bad.every((r) => !r.ok && /^JC\d+$/.test(r.cartOrderNo ?? ''))).toBe(true);
    expect(results.filter((r) => r.ok)).toHaveLength(4);
  });

  it('refused credentials are a CartAuthError', async () => {
    sim = await start({ seed: 1, orders: 3 });
    const wrong = adapterFor(sim, { credentials: { shopId: 'juchudemo', token: 'wrong' } });
    const err = await wrong.fetchOrder('JC1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartAuthError);
    expect((err as Error).message).toContain('認証に失敗しました');
    sim.faults.revokeCredentials = true;
    await expect(adapterFor(sim).listOrders(ALL).next()).rejects.toBeInstanceOf(CartAuthError);
  });

  it('an HTML page instead of XML is a CartResponseError', async () => {
    sim = await start({ seed: 1, orders: 3 });
    sim.quirks.htmlBodies = 1;
    await expect(adapterFor(sim).listOrders(ALL).next()).rejects.toBeInstanceOf(CartResponseError);
  });

  it('fetchOrder by ordernum, cancelled orders included; null when unknown', async () => {
    let now = END;
    sim = await start({ seed: 3, orders: 5, clock: () => now });
    const adapter = adapterFor(sim);
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
  });

  it('a cart-side cancel and edit of an older order show up in the next window (diff pass)', async () => {
    let now = END;
    sim = await start({ seed: 4, orders: 20, clock: () => now });
    const adapter = adapterFor(sim);
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
    // The next window holds no new orders; the changes come through the diff pass.
    const next = (await collect(adapter, [{ from: ALL.to, to: now }])).map((r) => adapter.normalize(r, 's'));
    expect(next.map((r) => r.ok && r.order.cartOrderNo).sort()).toEqual([a, b].sort());
    const cancelled = next.find((r) => r.ok && r.order.cartOrderNo === a);
    const edited = next.find((r) => r.ok && r.order.cartOrderNo === b);
    const old = before.get(b!);
    if (!cancelled?.ok || !edited?.ok || !old?.ok) throw new Error('normalize failed');
    expect([cancelled.order.cartStatus, cancelled.order.cancelledInCart]).toEqual(['0', true]);
    expect(edited.order.lines[0]!.quantity).toBe(old.order.lines[0]!.quantity + 1);
    // And only once: the window after that brings nothing.
    expect(await collect(adapter, [{ from: now, to: new Date(now.getTime() + HOUR) }])).toEqual([]);
  });

  it('reads answers in EUC-JP, Shift_JIS and UTF-8 alike', async () => {
    for (const encoding of ['EUC-JP', 'Shift_JIS', 'UTF-8'] as const) {
      sim = await start({ seed: 5, orders: 4, encoding });
      const raws = await collect(adapterFor(sim, { settings: { diffPass: false, maxPerCall: CAP } }), [ALL]);
      const names = raws
        .map((r) => adapterFor(sim!).normalize(r, 's'))
        .map((r) => r.ok && r.order.orderer.name);
      expect(names.every((n) => typeof n === 'string' && /^[\u4e00-\u9fff]+ [\u3040-\u9fff]+$/.test(n))).toBe(
        true,
      );
      await sim.stop();
      sim = null;
    }
  });

  it('serves recorded answers from a fixtures folder', async () => {
    sim = await start({ fixturesDir: join(import.meta.dirname, 'fixtures') });
    const raws = await collect(adapterFor(sim, { settings: { diffPass: false, maxPerCall: CAP } }), [
      { from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-01T00:00:00Z') },
    ]);
    expect(raws).toHaveLength(7);
  });

  it('accepts the request the third-party integration builds (same parameter names)', async () => {
    sim = await start({ seed: 6, orders: 5 });
    const template = readFileSync(
      join(import.meta.dirname, 'fixtures', 'makeshop-orderinfo-request-urls-thirdparty.txt'),
      'utf8',
    );
    const fetchUrl = template.split('\n').find((l) => l.includes('cmd=get'))!;
    const url = fetchUrl
      .replace('https://{apiUrl}', sim.url)
      .replace('{shopId}', 'juchudemo')
      .replace('{token}', makeshopCart.demoCredentials.token!)
      .replace('{yyyyMMddHHmmss}', '20240401000000')
      .replace('{yyyyMMddHHmmss}', '20240430000000');
    const res = await fetch(url);
    const orders = makeshopCart.rawOrdersFromRecorded(Buffer.from(await res.arrayBuffer()));
    expect(orders.length).toBeGreaterThan(0);
  });
});
