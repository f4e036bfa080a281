// Bad records inside good pages, end to end (issue 7 item 3, issue 3 item 5): each cart's simulator
// serves some records corrupted (its `malformedRecords` fault: a required field dropped, or a number
// that is not one) in the middle of real pages; the import keeps each bad record in import_rejects,
// naming the field and the cart order number, and imports every good record of the same page. Also
// records PostgreSQL cannot store at all (U+0000, lone surrogates), which must not sink their page.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartAdapter, OrderPage, RateLimits } from '../carts/contract.js';
import type { RunningCsvSimulator } from '../carts/csv/simulator.js';
import { cartModule } from '../carts/registry.js';
import { renderShopifyOrder } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { getStore, type Store } from '../db/stores.js';
import type { CartName } from '../domain/order.js';
import { processImportStore } from '../jobs/import-store.js';
import { depsOf } from '../usecases/deps.js';
import { importPage } from '../usecases/import-page.js';
import { simViews } from './fuzz.js';
import { createTestDb, type TestDb } from './harness.js';
import { countOrders, expectStockInvariants, FAST_HTTP, seedTestShop, testDeps } from './pipeline.js';

const HOUR = 3_600_000;
/** Both ends unthrottled: this test is about records, not rate limits. */
const FAST_LIMITS: RateLimits = { '*': { ratePerSec: 500, burst: 500 } };

/** What each simulator breaks, as the rejection must name it. */
const CASES: Array<{
  cart: CartName;
  store: string;
  fields: RegExp;
  settings?: Record<string, unknown>;
}> = [
  { cart: 'rakuten', store: 'rakuten-main', fields: /^(orderDatetime|orderProgress)$/ },
  { cart: 'yahoo', store: 'yahoo-main', fields: /^(OrderTime|Item\[0\]\.Quantity)$/ },
  {
    // The next-generation API (searchOrder), the default for a store with its credentials.
    cart: 'makeshop',
    store: 'makeshop-main',
    fields: /^(orderDate|deliveryInfos\[0\]\.basketInfos\[0\]\.amount)$/,
  },
  {
    // The GraphQL Admin API, the default: the fields of the GraphQL order node.
    cart: 'shopify',
    store: 'shopify-global',
    fields: /^(createdAt|lineItems\.nodes\[0\]\.quantity|totalPriceSet\.shopMoney)$/,
  },
  { cart: 'csv', store: 'csv-wholesale', fields: /^lines\[0\]\.quantity \(個数\)$/ },
  // The demo store reads Orders API 2026-01-01 (no ordersApi setting), whose malformed records lack createdTime.
  { cart: 'amazon', store: 'amazon-jp', fields: /^createdTime$/ },
];
const BAD = 3;

describe('bad records in good pages, through the import', () => {
  let t: TestDb;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const sims = new Map<CartName, RunningSimulator>();
  /** Every page the adapters yielded, by store: the cart order numbers in it. */
  const pages = new Map<string, Array<Array<string | null>>>();

  beforeAll(async () => {
    t = await createTestDb('badpages');
    const now = Date.now();
    for (const { cart } of CASES)
      sims.set(
        cart,
        await cartSimulator(cart).start({
          orders: 24,
          seed: 31,
          from: new Date(now - 30 * HOUR),
          to: new Date(now - 2 * HOUR),
          rateLimits: false,
        }),
      );
    const csv = sims.get('csv') as RunningCsvSimulator;
    await seedTestShop(
      t,
      Object.fromEntries(CASES.filter((c) => c.cart !== 'csv').map((c) => [c.cart, sims.get(c.cart)!.url])),
      csv.inboxDir,
    );
    for (const { cart, store, settings } of CASES)
      await sql`UPDATE stores SET settings = settings || ${JSON.stringify({
        ...settings,
        // Every cart status: no record is skipped for its status, so every good one must arrive.
        importStatuses: cartModule(cart).cartStatuses.map((s) => s.code),
        initialImportDays: 2,
        settleLagSeconds: 0,
        minFileAgeMs: 0,
      })}::jsonb WHERE code = ${store}`.execute(t.db);

    const base = await testDeps(t);
    deps = {
      ...base,
      // The store's adapter with the simulators' demo credentials and no client-side throttle, its
      // pages recorded so that "the rest of the same page" can be checked.
      adapterFor: async (store: Store): Promise<CartAdapter> => {
        const mod = cartModule(store.cart);
        const adapter = mod.createAdapter({
          storeCode: store.code,
          baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
          credentials: mod.demoCredentials,
          settings: store.settings,
          http: FAST_HTTP,
          limits: FAST_LIMITS,
        });
        const seen = pages.get(store.code) ?? [];
        pages.set(store.code, seen);
        const list = adapter.listOrders.bind(adapter);
        adapter.listOrders = async function* (window, opts): AsyncGenerator<OrderPage> {
          for await (const page of list(window, opts)) {
            seen.push(page.orders.map((o) => o.cartOrderNo));
            yield page;
          }
        };
        // A CSV store's import reads its inbox a file at a time, a page at a time.
        const inbox = adapter.inbox;
        if (inbox) {
          const filePages = inbox.pages.bind(inbox);
          inbox.pages = async function* (file): AsyncGenerator<OrderPage> {
            for await (const page of filePages(file)) {
              seen.push(page.orders.map((o) => o.cartOrderNo));
              yield page;
            }
          };
        }
        return adapter;
      },
    };
  });
  afterAll(async () => {
    await deps.close();
    for (const s of sims.values()) await s.stop();
    await t.drop();
  });

  it.each(CASES)(
    '$cart: bad records are rejects naming the field and order; the rest of their page is imported',
    async (c) => {
      const sim = sims.get(c.cart)!;
      if (c.cart === 'csv') {
        // The CSV simulator exports when it starts; one fresh export of every order carries the bad rows.
        const csv = sim as RunningCsvSimulator;
        const { readdir, rm } = await import('node:fs/promises');
        for (const f of await readdir(csv.inboxDir)) if (f.endsWith('.csv')) await rm(`${csv.inboxDir}/${f}`);
        sim.faults.malformedRecords = BAD;
        expect(csv.exportNow()).toBeTruthy();
      } else sim.faults.malformedRecords = BAD;

      const r = await processImportStore({ storeCode: c.store, trigger: 'manual' }, null, undefined, deps);
      expect(r.outcome).toBe('succeeded');
      expect(sim.stats.malformedServed).toBe(BAD);
      expect(r.rejected).toBe(BAD);

      const store = await getStore(t.db, c.store);
      const rejects = await t.db
        .selectFrom('import_rejects')
        .select(['cart_order_no', 'field', 'error'])
        .where('store_id', '=', store.id)
        .execute();
      expect(rejects).toHaveLength(BAD);
      for (const x of rejects) {
        expect(x.cart_order_no, `${c.cart} reject without its order number: ${x.error}`).toBeTruthy();
        expect(x.field).toMatch(c.fields);
        expect(x.error).toContain(x.cart_order_no!);
        expect(x.error).toContain(x.field!);
      }
      const rejected = new Set(rejects.map((x) => x.cart_order_no));
      const stored = new Set(
        (
          await t.db.selectFrom('orders').select('cart_order_no').where('store_id', '=', store.id).execute()
        ).map((o) => o.cart_order_no),
      );
      // Every page that held a bad record: all its other records are orders now.
      const storePages = pages.get(c.store) ?? [];
      const mixed = storePages.filter((p) => p.some((no) => rejected.has(no)));
      expect(mixed.length).toBeGreaterThan(0);
      for (const page of mixed)
        for (const no of page)
          if (!rejected.has(no)) expect(stored.has(no!), `${c.cart} ${no} of a mixed page`).toBe(true);
      // And over the whole import: every order the cart has is either stored or rejected, never both.
      const all = new Set(storePages.flat());
      expect(stored.size + rejected.size).toBe(all.size);
      for (const no of rejected) expect(no !== null && stored.has(no)).toBe(false);
      expect(await countOrders(t.db, c.store)).toBe(stored.size);
      await expectStockInvariants(t.db);
    },
  );

  it('a record PostgreSQL cannot store (U+0000, a lone surrogate) is a reject naming the field; its page goes on', async () => {
    const store = await getStore(t.db, 'shopify-global');
    const payloads = simViews({ seed: 77, count: 4 }).map((v) => {
      const o = renderShopifyOrder(v) as Record<string, unknown>;
      o.name = `#NUL-${v.seq}`;
      return o;
    });
    payloads[0]!.note = 'before\u0000after';
    (payloads[2]!.shipping_address as Record<string, unknown>).address1 = 'lone \ud800 surrogate';
    const raws = payloads.map((p) => ({ cartOrderNo: p.name as string, payload: p }));
    const counts = await importPage(depsOf(t.db), store, cartModule('shopify'), raws, {
      runId: null,
      actor: 'test',
      force: true,
    });
    expect(counts).toMatchObject({ new: 2, rejected: 2 });
    const rejects = await t.db
      .selectFrom('import_rejects')
      .select(['cart_order_no', 'field', 'error', 'raw_payload'])
      .where('store_id', '=', store.id)
      .where('cart_order_no', 'like', '#NUL-%')
      .orderBy('cart_order_no')
      .execute();
    expect(rejects.map((x) => [x.cart_order_no, x.field])).toEqual([
      ['#NUL-1', 'note'],
      ['#NUL-3', 'shipping_address.address1'],
    ]);
    // Kept for a human with the unstorable character shown as U+FFFD.
    expect((rejects[0]!.raw_payload as { note: string }).note).toBe('before\ufffdafter');
    const stored = await t.db
      .selectFrom('orders')
      .select('cart_order_no')
      .where('cart_order_no', 'in', ['#NUL-2', '#NUL-4'])
      .execute();
    expect(stored).toHaveLength(2);
  });
});
