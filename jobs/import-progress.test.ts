// Progress that survives faults (issue 15 items 1 and 3), against the Shopify simulator over HTTP,
// real PostgreSQL and Redis: an attempt that fails mid-window has committed its progress (the cursor
// moved page by page over GraphQL, sub-window by sub-window over REST), the retry resumes there and
// does not list the pages already stored, nothing is imported twice; a job that failed after
// progress is delayed without counting the attempt; a cursor beyond the database's time is refused
// and set back, and the run says so; HTTP settings are per store, checked where settings are.
import { DelayedError } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartAdapter, ListOptions, ListWindow, OrderPage } from '../carts/contract.js';
import type { CartHttpClient } from '../carts/http.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { databaseNow } from '../db/clock.js';
import { listImportRuns } from '../db/import-runs.js';
import { getStore, type Store } from '../db/stores.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { countOrders, setStoreSettings, shopifyShop, testDeps } from '../test/pipeline.js';
import { saveStore } from '../usecases/save-store.js';
import { type ImportJob, processImportStore } from './import-store.js';

const STORE = 'shopify-global';

async function position(t: TestDb) {
  return t.db
    .selectFrom('stores')
    .select(['import_cursor', 'import_window_to'])
    .where('code', '=', STORE)
    .executeTakeFirstOrThrow();
}

async function importedTwice(t: TestDb): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (SELECT order_id FROM order_events WHERE action = 'imported'
      GROUP BY order_id HAVING count(*) > 1) x`.execute(t.db);
  return r.rows[0]!.n;
}

for (const api of ['graphql', 'rest'] as const) {
  describe(`an import that fails mid-window resumes where it stopped (Shopify ${api})`, () => {
    let t: TestDb;
    let sim: RunningSimulator;
    let deps: Awaited<ReturnType<typeof testDeps>>;
    /** Window starts the adapter was asked for, in order. */
    const listed: Array<{ from: Date; resume: boolean }> = [];
    let failAfterPages: number | null = null;
    const faults = (f: Record<string, unknown>) =>
      fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(f) });

    beforeAll(async () => {
      t = await createTestDb(`progress_${api}`);
      sim = await shopifyShop(t, 240, api === 'graphql' ? 31 : 32);
      await setStoreSettings(t, STORE, {
        initialImportDays: 3,
        settleLagSeconds: 0,
        pageSize: 40,
        ...(api === 'rest' ? { ordersApi: 'rest', importSliceMinutes: 360 } : {}),
        // One 5xx fails the attempt: the fault the job meets after its HTTP attempts are spent.
        http: { maxAttempts: 1 },
      });
      deps = await testDeps(t, { http: {} });
      const build = deps.adapterFor;
      // The cart starts failing after N pages (the simulator's 5xx switch, thrown at the adapter).
      deps.adapterFor = async (store: Store) => {
        const a = await build(store);
        const list = a.listOrders.bind(a);
        let pages = 0;
        const wrapped: CartAdapter = Object.create(a);
        wrapped.listOrders = async function* (w: ListWindow, o?: ListOptions): AsyncGenerator<OrderPage> {
          listed.push({ from: w.from, resume: o?.resume ?? false });
          for await (const p of list(w, o)) {
            yield p;
            if (p.orders.length && ++pages === failAfterPages) await faults({ serverErrors: 1000 });
          }
        };
        return wrapped;
      };
    });
    afterAll(async () => {
      await deps?.close();
      await sim?.stop();
      await t?.drop();
    });

    it('commits progress before the failure; the retry lists only what is not in yet; every order once', async () => {
      expect(((await deps.adapterFor(await getStore(t.db, STORE))) as CartAdapter).progress).toBe(
        api === 'graphql' ? 'pages' : 'windows',
      );
      const before = await position(t);
      expect(before.import_cursor).toBeNull();
      failAfterPages = 2;
      await expect(
        processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps),
      ).rejects.toThrow(/取込は進んでいます|HTTP 5/);
      const mid = await position(t);
      const firstIn = await countOrders(t.db, STORE);
      expect(firstIn).toBeGreaterThan(0);
      expect(mid.import_cursor).not.toBeNull();
      expect(mid.import_window_to).not.toBeNull();
      expect(mid.import_cursor!.getTime()).toBeLessThan(mid.import_window_to!.getTime());
      const failedRun = (await listImportRuns(t.db, { store: STORE })).items[0]!;
      expect(failedRun.outcome).toBe('failed');
      expect(failedRun.error).toContain('続きから再開します');

      await faults({ serverErrors: 0 });
      failAfterPages = null;
      listed.length = 0;
      const second = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
      expect(second.outcome).toBe('succeeded');
      // The retry began at the cursor the failed attempt committed, with no overlap before it …
      expect(listed[0]!.from.getTime()).toBe(mid.import_cursor!.getTime());
      expect(listed[0]!.resume).toBe(true);
      // … and ended where that window ended; the pages stored before are not listed again.
      expect(second.window?.to).toBe(mid.import_window_to!.toISOString());
      expect((second.fetched ?? 0) + firstIn).toBeLessThan(240 + 40);
      const all = await countOrders(t.db, STORE);
      expect(all).toBe(firstIn + (second.new ?? 0));
      expect(await importedTwice(t)).toBe(0);
      // Every order the cart shows is in (those cancelled before their import are skipped by design).
      const simOrders = (await (await fetch(`${sim.url}/__sim/orders`)).json()) as Array<{ state: string }>;
      expect(all).toBe(simOrders.filter((o) => o.state !== 'cancelled').length);
      const after = await position(t);
      expect(after.import_window_to).toBeNull();
      expect(after.import_cursor!.toISOString()).toBe(second.window!.to);
    });

    it('a job that failed after progress is delayed, its attempt not counted', async () => {
      await t.db.updateTable('stores').set({ import_cursor: null, import_window_to: null }).execute();
      await faults({ serverErrors: 0 });
      failAfterPages = 1;
      const delayed: number[] = [];
      const job: ImportJob = {
        id: `progress-${api}`,
        attemptsMade: 0,
        moveToDelayed: async (at: number) => {
          delayed.push(at);
        },
      };
      await expect(
        processImportStore({ storeCode: STORE, trigger: 'manual' }, job, 'token', deps),
      ).rejects.toBeInstanceOf(DelayedError);
      expect(delayed).toHaveLength(1);
      // Without progress the failure is an ordinary one (BullMQ counts it, with its backoff).
      const cursor = (await position(t)).import_cursor;
      failAfterPages = null; // the 5xx switch is still on: the next attempt fails at its first request
      await expect(
        processImportStore({ storeCode: STORE, trigger: 'manual' }, job, 'token', deps),
      ).rejects.toThrow(/HTTP 5/);
      expect(delayed).toHaveLength(1);
      expect((await position(t)).import_cursor).toEqual(cursor);
      await faults({ serverErrors: 0 });
      const done = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
      expect(done.outcome).toBe('succeeded');
      expect(await importedTwice(t)).toBe(0);
    });

    if (api === 'graphql')
      it('a cursor beyond the database time is refused, set back and reported; the orders placed meanwhile come in', async () => {
        await faults({ serverErrors: 0 });
        const dbNow = await databaseNow(t.db);
        const ahead = new Date(dbNow.getTime() + 30 * 60_000);
        await t.db.updateTable('stores').set({ import_cursor: ahead }).where('code', '=', STORE).execute();
        const placed = sim.book.cartOrderNo(sim.book.placeNow());
        const r = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
        expect(r.outcome).toBe('succeeded');
        expect(new Date(r.window!.to).getTime()).toBeLessThanOrEqual((await databaseNow(t.db)).getTime());
        const run = (await listImportRuns(t.db, { store: STORE })).items[0]!;
        expect(run.notice).toMatch(/取込カーソル .* がデータベースの時刻 .* より先でした/);
        const cursor = (await position(t)).import_cursor!;
        expect(cursor.getTime()).toBeLessThanOrEqual((await databaseNow(t.db)).getTime());
        const got = await t.db
          .selectFrom('orders')
          .select('id')
          .where('cart_order_no', '=', placed)
          .executeTakeFirst();
        expect(got).toBeDefined();
        expect(await importedTwice(t)).toBe(0);
      });

    if (api === 'graphql')
      it('HTTP timeout, attempts and backoff are store settings, checked on save', async () => {
        const store = await getStore(t.db, STORE);
        const save = (http: unknown) =>
          saveStore(
            { db: t.db, key: TEST_SECRET_KEY },
            {
              code: STORE,
              name: store.name,
              enabled: store.enabled,
              importCron: store.importCron,
              settings: { initialImportDays: 3, settleLagSeconds: 0, http },
            },
          );
        await expect(save({ maxAttempts: 0 })).rejects.toThrow(/http\.maxAttempts/);
        await expect(save({ timeoutMs: 'soon' })).rejects.toThrow(/http\.timeoutMs/);
        await expect(save({ baseDelayMs: 5000, maxDelayMs: 1000 })).rejects.toThrow(/baseDelayMs/);
        await save({ timeoutMs: 7000, maxAttempts: 3 });
        const a = (await deps.adapterFor(await getStore(t.db, STORE))) as CartAdapter & {
          http: CartHttpClient;
        };
        expect(a.http.settings).toMatchObject({ timeoutMs: 7000, maxAttempts: 3, baseDelayMs: 500 });
      });
  });
}
