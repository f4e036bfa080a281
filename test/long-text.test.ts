// Text longer than juchu keeps (issue 12 item 8: a 15 MB customer remark was accepted and made one
// order's detail 31 MB), through a real cart simulator and the import job. The CSV simulator plays
// the shop exporting its orders (Rakuten CSV, CP932) into the store's inbox; three of its orders carry
// remarks of 15,000,000, 10,001 and exactly 10,000 characters. The first two are rejects naming the
// cart's field (the spec's rule for a bad order: kept with its error for a human, never cut), the
// reject stores a bounded copy of the 15 MB record, re-processing it never imports it, and the
// 10,000-character remark is imported whole with a detail of ordinary size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCart } from '../carts/csv/index.js';
import { rakutenCsvOrderNo } from '../carts/csv/render.js';
import { csvSimulator, type RunningCsvSimulator } from '../carts/csv/simulator.js';
import { generateOrders } from '../carts/sim/generate.js';
import { findImportReject, listImportRejects } from '../db/import-rejects.js';
import { orderDetail } from '../db/order-list.js';
import { loadStatuses } from '../db/statuses.js';
import { type Store, upsertStore } from '../db/stores.js';
import { processImportStore } from '../jobs/import-store.js';
import { depsOf } from '../usecases/deps.js';
import { reprocessReject } from '../usecases/reprocess-reject.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from './harness.js';
import { testDeps } from './pipeline.js';

const STORE = 'csv-long';
const HUGE = 15_000_000;

describe('text longer than juchu keeps, through the CSV cart simulator and the import', () => {
  let t: TestDb;
  let sim: RunningCsvSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let store: Store;
  const nos: Record<'huge' | 'over' | 'limit', string> = { huge: '', over: '', limit: '' };

  beforeAll(async () => {
    t = await createTestDb('long-text');
    const now = Date.now();
    const from = new Date(now - 2 * 86_400_000);
    const to = new Date(now - 3_600_000);
    sim = await csvSimulator.start({ seed: 1212, orders: 2, from, to });
    const [a, b, c] = generateOrders({ seed: 1213, count: 3, from, to, firstSeq: sim.book.size + 1 });
    const add = (o: typeof a, remarks: string) => {
      sim.book.add({ ...o!, remarks, events: [] });
      return rakutenCsvOrderNo(o!);
    };
    nos.huge = add(a, 'x'.repeat(HUGE));
    nos.over = add(b, '長'.repeat(10_001));
    nos.limit = add(c, '備'.repeat(10_000));
    sim.exportNow([nos.huge, nos.over, nos.limit]);
    store = await upsertStore(
      t.db,
      {
        code: STORE,
        cart: 'csv',
        name: 'CSV 長文テスト',
        baseUrl: sim.url,
        testStore: true,
        settings: {
          minFileAgeMs: 0,
          initialImportDays: 3,
          settleLagSeconds: 0,
          // Every status, so that the order at the limit is imported whatever its state.
          importStatuses: csvCart.cartStatuses.map((s) => s.code),
        },
      },
      TEST_SECRET_KEY,
    );
    deps = await testDeps(t);
  }, 120_000);
  afterAll(async () => {
    await deps?.close();
    await sim?.stop();
    await t?.drop();
  });

  it('rejects the over-long remarks naming the field, and imports the rest of the file', async () => {
    const r = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
    expect(r).toMatchObject({ outcome: 'succeeded', fetched: 5, rejected: 2 });
    const orders = await t.db
      .selectFrom('orders')
      .select('cart_order_no')
      .where('store_id', '=', store.id)
      .execute();
    const imported = orders.map((o) => o.cart_order_no);
    expect(imported).toContain(nos.limit);
    expect(imported).not.toContain(nos.huge);
    expect(imported).not.toContain(nos.over);

    const page = await listImportRejects(t.db, { store: STORE });
    const byNo = new Map(page.items.map((x) => [x.cartOrderNo, x]));
    expect(byNo.get(nos.huge)).toMatchObject({
      field: expect.stringMatching(/コメント/),
      error: expect.stringContaining(
        "customerRemarks: 15,000,000 characters, more than the 10,000 kept (the cart's",
      ),
    });
    expect(byNo.get(nos.over)).toMatchObject({
      error: expect.stringContaining('customerRemarks: 10,001 characters, more than the 10,000 kept'),
    });
  });

  it('keeps a bounded copy of the 15 MB record in the reject, which re-processing never imports', async () => {
    const page = await listImportRejects(t.db, { store: STORE });
    const huge = page.items.find((x) => x.cartOrderNo === nos.huge)!;
    const detail = await findImportReject(t.db, huge.id);
    const size = JSON.stringify(detail).length;
    expect(size).toBeLessThan(200_000);
    expect(JSON.stringify(detail)).toContain('juchuShortenedCopy');
    const again = await reprocessReject(depsOf(t.db), { rejectId: huge.id, requestedBy: 'test' });
    expect(again.outcome).toBe('still-rejected');
    const n = await t.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cart_order_no', '=', nos.huge)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('imports a remark of exactly 10,000 characters whole, and its detail stays small', async () => {
    const row = await t.db
      .selectFrom('orders')
      .select(['id', 'customer_remarks'])
      .where('cart_order_no', '=', nos.limit)
      .executeTakeFirstOrThrow();
    expect(row.customer_remarks).toContain('備'.repeat(10_000));
    const detail = await orderDetail(t.db, row.id, await loadStatuses(t.db));
    expect(JSON.stringify(detail).length).toBeLessThan(100_000);
    const sizes = await t.db
      .selectFrom('orders')
      .select((eb) => eb.fn.max(eb.fn<number>('octet_length', [eb.cast('raw_payload', 'text')])).as('max'))
      .where('store_id', '=', store.id)
      .executeTakeFirstOrThrow();
    expect(Number(sizes.max)).toBeLessThan(200_000);
  });
});
