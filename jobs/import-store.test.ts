import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { getStore } from '../db/stores.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { countOrders, expectStockInvariants, seedTestShop, testDeps } from '../test/pipeline.js';
import { processImportStore } from './import-store.js';

describe('import-store against the Shopify simulator', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestDb('import');
    sim = await shopifySimulator.start({
      orders: 300,
      seed: 7,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
    });
    await seedTestShop(t, { shopify: sim.url });
    deps = await testDeps(t);
  });
  afterAll(async () => {
    await deps.close();
    await sim.stop();
    await t.drop();
  });

  it('imports every order once, with counts, and a second run changes nothing', async () => {
    const first = await processImportStore(
      { storeCode: 'shopify-global', trigger: 'manual' },
      null,
      undefined,
      deps,
    );
    expect(first.outcome).toBe('succeeded');
    expect(first.fetched).toBe(300);
    expect((first.new ?? 0) + (first.skipped ?? 0) + (first.rejected ?? 0)).toBe(300);
    expect(first.rejected).toBe(0);
    expect(await countOrders(t.db, 'shopify-global')).toBe(first.new);
    const events1 = await t.db
      .selectFrom('order_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    // Re-run the same window from scratch (cursor reset): nothing new, nothing doubled.
    await t.db
      .updateTable('stores')
      .set({ import_cursor: null })
      .where('code', '=', 'shopify-global')
      .execute();
    const second = await processImportStore(
      { storeCode: 'shopify-global', trigger: 'manual' },
      null,
      undefined,
      deps,
    );
    expect(second.new).toBe(0);
    expect(second.unchanged).toBe(first.new);
    expect(await countOrders(t.db, 'shopify-global')).toBe(first.new);
    const events2 = await t.db
      .selectFrom('order_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(events2.n)).toBe(Number(events1.n));

    const store = await getStore(t.db, 'shopify-global');
    expect(store.importCursor).not.toBeNull();
    const runs = await t.db.selectFrom('import_runs').selectAll().orderBy('id').execute();
    expect(runs.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(runs[0]!.new).toBe(first.new);

    const byStatus = await t.db
      .selectFrom('orders')
      .select(['status_code'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('status_code')
      .execute();
    console.log(Object.fromEntries(byStatus.map((r) => [r.status_code, Number(r.n)])));
    await expectStockInvariants(t.db);
  });
});
