// The import asks the cart for the next page while it stores this one (issue 13 item 6), against the
// Rakuten simulator (progress by pages) and the Amazon 2026-01-01 simulator (progress by sub-windows)
// over HTTP, with real PostgreSQL and Redis. No time is measured: a lock the test holds on `orders`
// stands for a slow write, and the order of events shows the overlap. While page 1 cannot be written
// the adapter is asked for page 2 and answers it, and no further; the cursor does not move past an
// order that is not stored; once the lock goes every order is in once and the cursor is at the
// window's end. A failure of the page fetched ahead comes after the page before it is stored.
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { amazonSimulator } from '../carts/amazon/simulator.js';
import type { CartAdapter, ListOptions, ListWindow, OrderPage, RateLimits } from '../carts/contract.js';
import { rakutenSimulator } from '../carts/rakuten/simulator.js';
import { cartModule } from '../carts/registry.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { getStore, type Store } from '../db/stores.js';
import type { CartName } from '../domain/order.js';
import { processImportStore } from '../jobs/import-store.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { countOrders, seedTestShop, setStoreSettings, testDeps } from '../test/pipeline.js';

const FAST = { ratePerSec: 1000, burst: 1000 };
const CASES: ReadonlyArray<{
  cart: CartName;
  store: string;
  settings: Record<string, unknown>;
  limits: RateLimits;
  progress: 'pages' | 'windows';
}> = [
  {
    cart: 'rakuten',
    store: 'rakuten-main',
    settings: { getOrderBatchSize: 40 },
    limits: { '*': FAST },
    progress: 'pages',
  },
  {
    cart: 'amazon',
    store: 'amazon-jp',
    settings: { ordersApi: '2026-01-01', maxResultsPerPage: 40, importSliceMinutes: 720 },
    limits: { searchOrders: FAST, getOrder2026: FAST },
    progress: 'windows',
  },
];

async function importedTwice(t: TestDb): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (SELECT order_id FROM order_events WHERE action = 'imported'
      GROUP BY order_id HAVING count(*) > 1) x`.execute(t.db);
  return r.rows[0]!.n;
}

async function cursorOf(t: TestDb, store: string): Promise<Date | null> {
  const r = await t.db
    .selectFrom('stores')
    .select('import_cursor')
    .where('code', '=', store)
    .executeTakeFirstOrThrow();
  return r.import_cursor;
}

interface Setup {
  t: TestDb;
  sim: RunningSimulator;
  deps: Awaited<ReturnType<typeof testDeps>>;
  /** Pages with orders the adapter handed out, in order: their order numbers. */
  pages: string[][];
  /** Set when the adapter refused page `failAt`. */
  failed: boolean;
}

/** A fresh database and simulator; the store's adapter with fast limits, its pages recorded. */
async function setup(c: (typeof CASES)[number], label: string, failAt: number | null): Promise<Setup> {
  const t = await createTestDb(`ahead_${c.cart}_${label}`);
  const now = Date.now();
  const simulator = c.cart === 'rakuten' ? rakutenSimulator : amazonSimulator;
  const sim = await simulator.start({
    orders: 200,
    seed: 1313,
    from: new Date(now - 2 * 86_400_000),
    to: new Date(now - 10 * 60_000),
    rateLimits: false,
  });
  await seedTestShop(t, { [c.cart]: sim.url });
  await setStoreSettings(t, c.store, { initialImportDays: 3, settleLagSeconds: 0, ...c.settings });
  const deps = await testDeps(t);
  const s: Setup = { t, sim, deps, pages: [], failed: false };
  const mod = cartModule(c.cart);
  deps.adapterFor = async (store: Store) => {
    const a: CartAdapter = mod.createAdapter({
      storeCode: store.code,
      baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
      credentials: mod.demoCredentials,
      settings: store.settings,
      limits: c.limits,
    });
    const list = a.listOrders.bind(a);
    const wrapped: CartAdapter = Object.create(a);
    wrapped.listOrders = async function* (w: ListWindow, o?: ListOptions): AsyncGenerator<OrderPage> {
      for await (const p of list(w, o)) {
        if (p.orders.length) {
          if (s.pages.length + 1 === failAt) {
            s.failed = true;
            throw new Error(`page ${failAt} refused by the test`);
          }
          s.pages.push(p.orders.map((r) => r.cartOrderNo!));
        }
        yield p;
      }
    };
    return wrapped;
  };
  return s;
}

async function teardown(s: Setup | null): Promise<void> {
  await s?.deps.close();
  await s?.sim.stop();
  await s?.t.drop();
}

/** Runs the store's import while the test holds a lock that keeps every insert into orders waiting. */
async function importWhileWritesWait(
  s: Setup,
  store: string,
  whileHeld: () => Promise<void>,
): Promise<{ run: ReturnType<typeof processImportStore> }> {
  let run: ReturnType<typeof processImportStore> | null = null;
  await s.t.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE orders IN SHARE MODE`.execute(trx);
    run = processImportStore({ storeCode: store, trigger: 'manual' }, null, undefined, s.deps);
    run.catch(() => undefined);
    await whileHeld();
  });
  // Wrapped: an async function returning the promise itself would adopt its outcome.
  return { run: run! };
}

for (const c of CASES) {
  describe(`the next page is fetched while this one is stored (${c.cart}, progress by ${c.progress})`, () => {
    let s: Setup | null = null;
    afterEach(async () => {
      await teardown(s);
      s = null;
    });

    it('asks for page 2 while page 1 cannot be written, one page ahead only; the cursor stays behind what is stored', async () => {
      s = await setup(c, 'ok', null);
      const x = s;
      expect((await x.deps.adapterFor(await getStore(x.t.db, c.store))).progress).toBe(c.progress);
      const { run } = await importWhileWritesWait(x, c.store, async () => {
        await vi.waitFor(() => expect(x.pages.length).toBeGreaterThanOrEqual(2), {
          timeout: 30_000,
          interval: 20,
        });
        // Page 2 came while page 1 was not stored; page 3 is not asked for before page 2 is taken.
        expect(x.pages).toHaveLength(2);
        expect(await countOrders(x.t.db, c.store)).toBe(0);
        // A cursor committed so far (an empty stretch before page 1) is before every order handed out.
        const cursor = await cursorOf(x.t, c.store);
        if (cursor) {
          const first = Math.min(...x.pages.flat().map((no) => x.sim.book.find(no)!.updatedAt.getTime()));
          expect(cursor.getTime()).toBeLessThanOrEqual(first);
        }
      });
      const r = await run;
      expect(r.outcome).toBe('succeeded');
      const handedOut = x.pages.flat();
      expect(new Set(handedOut).size).toBe(handedOut.length);
      expect(handedOut.length).toBeGreaterThan(100);
      expect(r.fetched).toBe(handedOut.length);
      expect(r.rejected).toBe(0);
      expect(await countOrders(x.t.db, c.store)).toBe(r.new);
      expect(r.new).toBeGreaterThan(100);
      expect(await importedTwice(x.t)).toBe(0);
      expect((await cursorOf(x.t, c.store))!.toISOString()).toBe(r.window!.to);
    });

    it('a failure of the page fetched ahead surfaces after the page before it is stored', async () => {
      s = await setup(c, 'fail', 2);
      const x = s;
      const { run } = await importWhileWritesWait(x, c.store, async () => {
        // Page 1 handed out and waiting to be written; the fetch of page 2 has failed meanwhile.
        await vi.waitFor(() => expect(x.failed).toBe(true), { timeout: 30_000, interval: 20 });
        expect(x.pages).toHaveLength(1);
        expect(await countOrders(x.t.db, c.store)).toBe(0);
      });
      await expect(run).rejects.toThrow(/page 2 refused by the test/);
      // Page 1 was written in full before the failure was raised, and nothing else.
      const stored = await x.t.db
        .selectFrom('orders as o')
        .innerJoin('stores as st', 'st.id', 'o.store_id')
        .select('o.cart_order_no')
        .where('st.code', '=', c.store)
        .execute();
      expect(stored.length).toBeGreaterThan(0);
      const first = new Set(x.pages[0]);
      for (const o of stored) expect(first.has(o.cart_order_no)).toBe(true);
    });
  });
}
