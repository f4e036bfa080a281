// juchu sets (define, list, show, clear, the refusals) and juchu mappings add through
// usecases/save-mapping.ts (the re-check of the orders waiting in マスタなし商品 is queued; run, it
// lets them go on), against real PostgreSQL and Redis: the first define as its own process, the rest
// in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { processRecheckMapping } from '../jobs/recheck-mapping.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { seedTestShop, testDeps, testQueues } from '../test/pipeline.js';
import { cartOrder, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';

const juchu = runJuchuInProcess;

describe('juchu sets and juchu mappings add', { timeout: 300_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let prefix: string;

  beforeAll(async () => {
    t = await createTestDb('cli-sets');
    await seedTestShop(t, {});
    prefix = uniquePrefix('cli-sets');
    env = childEnv(t.url, prefix);
    await seedStock(t.db, { 'CS-CUP': { tokyo: 5 }, 'CS-TEA': { tokyo: 1, osaka: 1 }, 'CS-GIFT': {} });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('defines a set, lists its free sets (the minimum over its components), shows and clears it', async () => {
    const def = await runJuchu(['sets', 'define', 'CS-GIFT', 'CS-CUP:2', 'CS-TEA'], env);
    expect(def.stderr).toBe('');
    expect(def.stdout).toContain('✓ CS-GIFT はセット商品です: CS-CUP×2、CS-TEA×1');
    // CUP 5 ÷ 2 = 2 sets, TEA 2 ÷ 1 = 2 sets
    expect(def.stdout).toMatch(
      /CS-GIFT +2 sets free {2}CS-CUP×2 \(free 5\), CS-TEA×1 \(free 2\) {2}open lines 0/,
    );
    const list = await juchu(['sets', 'list'], env);
    expect(list.stdout).toMatch(/^CS-GIFT +2 sets free .*\n1 sets\n$/);
    const show = JSON.parse((await juchu(['sets', 'show', 'CS-GIFT'], env)).stdout);
    expect(show).toMatchObject({ code: 'CS-GIFT', freeSets: 2, components: [{ productCode: 'CS-CUP' }, {}] });

    const inSet = await juchu(['sets', 'define', 'CS-CUP', 'CS-TEA:1'], env);
    expect(inSet.code).toBe(1);
    expect(inSet.stderr).toBe('juchu: CS-CUP は他のセットの構成品です。セットにはできません\n');
    const unknown = await juchu(['sets', 'define', 'CS-GIFT', 'NOPE:1'], env);
    expect(unknown.stderr).toBe('juchu: 構成品 NOPE は商品マスタにありません\n');
    const badArg = await juchu(['sets', 'define', 'CS-GIFT', 'CS-CUP:x'], env);
    expect(badArg.code).toBe(1);
    expect(badArg.stderr).toContain('is not a component');

    // While an order of the set is open, its composition stays as the order reserved it.
    const store = (await findStore(t.db, 'rakuten-main'))!;
    await importOrders(t.db, store, [
      cartOrder(store, 'CS-1', { lines: [['CS-GIFT', 1]], orderedAt: '2026-12-01T01:00:00Z' }),
    ]);
    expect((await orderView(t.db, store.id, 'CS-1')).held).toEqual([3]);
    const busy = await juchu(['sets', 'clear', 'CS-GIFT'], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('未出荷の注文 1 行で使われています');
    expect((await juchu(['sets', 'list'], env)).stdout).toMatch(/CS-GIFT +1 sets free .* open lines 1/);

    await t.db
      .updateTable('order_lines')
      .set({ open: false })
      .where('product_code', '=', 'CS-GIFT')
      .execute();
    const clear = await juchu(['sets', 'clear', 'CS-GIFT'], env);
    expect(clear.stdout).toBe('✓ CS-GIFT はセット商品ではなくなりました\n');
    expect((await juchu(['sets', 'show', 'CS-GIFT'], env)).code).toBe(1);
  });

  it('mappings add saves through the use case and queues the re-check, which lets waiting orders go on', async () => {
    const store = (await findStore(t.db, 'rakuten-main'))!;
    await importOrders(t.db, store, [
      cartOrder(store, 'MAP-1', { lines: [['cart-tea-50', 1]], orderedAt: '2026-12-01T02:00:00Z' }),
    ]);
    expect((await orderView(t.db, store.id, 'MAP-1')).status).toBe(S.unknownProduct);

    const bad = await juchu(
      ['mappings', 'add', '--store', 'rakuten-main', '--cart-code', 'cart-tea-50', '--product', 'NOPE'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('juchu: 商品コード NOPE は商品マスタにありません\n');
    const units = await juchu(
      [
        'mappings',
        'add',
        '--store',
        'rakuten-main',
        '--cart-code',
        'x',
        '--product',
        'CS-TEA',
        '--units',
        '0',
      ],
      env,
    );
    expect(units.code).toBe(1);

    const ok = await juchu(
      ['mappings', 'add', '--store', 'rakuten-main', '--cart-code', 'cart-tea-50', '--product', 'CS-TEA'],
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(
      /^✓ rakuten-main cart-tea-50 → CS-TEA ×1; re-check of the waiting orders enqueued \(job \d+\)\n$/,
    );
    // The job the use case queued, run as a worker would run it.
    const q = await testQueues(t, prefix);
    const deps = await testDeps(t);
    try {
      const jobs = await q.queues.maintenance.getJobs(['waiting', 'prioritized', 'delayed']);
      const recheck = jobs.find((j) => j.name === 'recheck-mapping');
      expect(recheck?.data).toMatchObject({ storeCode: 'rakuten-main', cartProductCode: 'cart-tea-50' });
      await processRecheckMapping(recheck!.data, deps);
    } finally {
      await deps.close();
      await q.close();
    }
    expect((await orderView(t.db, store.id, 'MAP-1')).status).not.toBe(S.unknownProduct);
  });
});
