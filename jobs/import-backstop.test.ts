// The backstops around the import: the daily reconciliation finds orders the regular imports
// missed (and 0 when none were), a rejected record is re-processed after a fix, and a second import
// request while one is queued is merged into it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import { createRng, generateOrder } from '../carts/sim/generate.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { recordReject } from '../db/import-rejects.js';
import { getStore } from '../db/stores.js';
import { jstDate } from '../domain/time.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { countOrders, seedTestShop, testDeps } from '../test/pipeline.js';
import { jobIds } from './catalogue.js';
import { processImportStore } from './import-store.js';
import { processReconcileStore } from './reconcile-store.js';
import { processReprocessReject } from './reprocess-reject.js';

const STORE = 'shopify-global';
const DAY = 86_400_000;

describe('import backstops', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestDb('backstop');
    sim = await shopifySimulator.start({
      orders: 60,
      seed: 21,
      from: new Date(now - 2 * DAY),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
    });
    await seedTestShop(t, { shopify: sim.url });
    await t.db
      .updateTable('stores')
      .set({ settings: JSON.stringify({ importStatuses: null, initialImportDays: 3, settleLagSeconds: 0 }) })
      .where('code', '=', STORE)
      .execute();
    deps = await testDeps(t);
    await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
  });
  afterAll(async () => {
    await deps.close();
    await sim.stop();
    await t.drop();
  });

  it('reconciliation finds an order the imports missed, then finds none', async () => {
    const yesterday = jstDate(new Date(now - DAY));
    const healthy = await processReconcileStore({ storeCode: STORE, day: yesterday }, null, undefined, deps);
    expect(healthy.missingFound).toBe(0);

    // The cart indexes an order of yesterday late: its time is behind the cursor, so windows miss it.
    const late = generateOrder(
      createRng(99),
      sim.book.size + 1,
      new Date(Date.parse(`${yesterday}T12:00:00+09:00`)),
    );
    late.events = []; // nothing happened to it since, so it belongs to yesterday's window only
    sim.book.add(late);
    const before = await countOrders(t.db, STORE);
    await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
    expect(await countOrders(t.db, STORE)).toBe(before); // the regular import did not see it

    const found = await processReconcileStore({ storeCode: STORE, day: yesterday }, null, undefined, deps);
    expect(found.missingFound).toBe(1);
    expect(found.missing).toEqual([sim.book.cartOrderNo(late)]);
    expect(await countOrders(t.db, STORE)).toBe(before + 1);
    const run = await t.db
      .selectFrom('import_runs')
      .selectAll()
      .where('trigger', '=', 'reconcile')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(run.missing_found).toBe(1);
    expect(
      (await processReconcileStore({ storeCode: STORE, day: yesterday }, null, undefined, deps)).missingFound,
    ).toBe(0);
  });

  it('re-processes a rejected record after a fix, and keeps it open while it still fails', async () => {
    const store = await getStore(t.db, STORE);
    const good = (await fetch(`${sim.url}/admin/api/2025-10/orders.json?status=any&limit=1`, {
      headers: { 'x-shopify-access-token': 'shpat_juchu_demo_token' },
    }).then((r) => r.json())) as { orders: Array<Record<string, unknown>> };
    const record = { ...good.orders[0]!, id: 987654321, name: '#REJ-1' };
    const broken = { ...record, id: 987654322, name: '#REJ-2', line_items: 'not a list' };
    // A reject stored by an earlier, stricter version (the "fix" is in the code since).
    await recordReject(t.db, {
      storeId: store.id,
      runId: null,
      cartOrderNo: '#REJ-1',
      payload: record,
      field: 'created_at',
      error: '#REJ-1: created_at: old parser refused it',
    });
    await recordReject(t.db, {
      storeId: store.id,
      runId: null,
      cartOrderNo: '#REJ-2',
      payload: broken,
      field: 'line_items',
      error: '#REJ-2: line_items: expected array',
    });
    const rejects = await t.db
      .selectFrom('import_rejects')
      .select(['id', 'cart_order_no'])
      .where('resolved_at', 'is', null)
      .orderBy('id')
      .execute();
    const fixed = rejects.find((r) => r.cart_order_no === '#REJ-1')!;
    const still = rejects.find((r) => r.cart_order_no === '#REJ-2')!;

    const ok = await processReprocessReject({ rejectId: fixed.id, requestedBy: 'test' }, deps);
    expect(ok.outcome).toBe('imported');
    expect(
      await t.db.selectFrom('orders').select('id').where('cart_order_no', '=', '#REJ-1').executeTakeFirst(),
    ).toBeTruthy();
    const resolved = await t.db
      .selectFrom('import_rejects')
      .selectAll()
      .where('id', '=', fixed.id)
      .executeTakeFirstOrThrow();
    expect(resolved.resolved_at).not.toBeNull();

    const bad = await processReprocessReject({ rejectId: still.id, requestedBy: 'test' }, deps);
    expect(bad.outcome).toBe('still-rejected');
    const open = await t.db
      .selectFrom('import_rejects')
      .selectAll()
      .where('id', '=', still.id)
      .executeTakeFirstOrThrow();
    expect(open.resolved_at).toBeNull();
    expect(open.error).toMatch(/line_items/);
  });

  it('merges a second import request into the one already queued', async () => {
    const opts = { deduplication: { id: jobIds.importDedup(STORE), keepLastIfActive: true } };
    const a = await deps.queues.add('import-store', { storeCode: STORE, trigger: 'manual' }, opts);
    const b = await deps.queues.add('import-store', { storeCode: STORE, trigger: 'manual' }, opts);
    expect(b).toBe(a);
    expect(await deps.queues.import.getWaitingCount()).toBe(1);
    await deps.queues.import.obliterate({ force: true });
  });
});
