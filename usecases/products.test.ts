// The product master's operations against real PostgreSQL: add, edit, deactivate, delete only while
// unused; a new product lets the orders waiting in マスタなし商品 on its code go on (every store); the
// CSV import is all or nothing with errors by line and column, has a dry run, reads UTF-8 (BOM or
// not) and Shift_JIS, and reads its own export back unchanged; the full oldest-first re-plan.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { allProducts, findProduct } from '../db/product-master.js';
import { S } from '../domain/statuses.js';
import {
  at,
  cartOrder,
  createShop,
  expectStockHealthy,
  importOrders,
  NOW,
  orderView,
  stockWorld,
} from '../test/stock-fixtures.js';
import { importProductsCsv, productsCsvFile } from '../uploads/products-csv.js';
import { replanAllocation } from './replan-allocation.js';
import { createProduct, editProduct, removeProduct, setProductActive } from './save-product.js';

const HEADER = '商品コード,商品名,JAN,税率,要修正,要修正メモ,有効';

describe('product master', () => {
  const world = stockWorld(
    'products',
    { shopA: 'shop-a', shopB: 'shop-b' },
    { P1: { tokyo: 5 }, SCARCE: { tokyo: 1 } },
  );

  it('adds a product, and the orders waiting on its code in every store go on', async () => {
    await importOrders(
      world.db,
      world.shops.shopA,
      [cartOrder(world.shops.shopA, 'A-1', { lines: [['NEW-AKI', 1]], orderedAt: at(1) })],
      NOW,
    );
    await importOrders(
      world.db,
      world.shops.shopB,
      [cartOrder(world.shops.shopB, 'B-1', { lines: [['NEW-AKI', 2]], orderedAt: at(2) })],
      NOW,
    );
    expect((await orderView(world.db, world.shops.shopA.id, 'A-1')).status).toBe(S.unknownProduct);

    const r = await createProduct(world.ops(), {
      product: { code: 'NEW-AKI', name: '秋限定 和紅茶 50g', taxRate: 8, jan: '4006381333931' },
      actor: 'user:admin',
    });
    expect(r.product).toMatchObject({ code: 'NEW-AKI', taxRate: 8, active: true, jan: '4006381333931' });
    expect(r.recheck).toMatchObject({ jobId: null, ordersUpdated: 2, ordersMovedOn: 2 });
    for (const [store, no] of [
      [world.shops.shopA, 'A-1'],
      [world.shops.shopB, 'B-1'],
    ] as const) {
      const v = await orderView(world.db, store.id, no);
      // No stock of the new product yet: on to 在庫なし, out of マスタなし商品.
      expect(v.status).toBe(S.waiting);
    }
    const events = await world.db
      .selectFrom('order_events')
      .select('reason')
      .where('cart_order_no', '=', 'A-1')
      .execute();
    expect(events.map((e) => e.reason)).toContain('商品マスタに NEW-AKI を追加');
  });

  it('refuses a bad or duplicate product with the field named in Japanese', async () => {
    await expect(
      createProduct(world.ops(), { product: { code: 'NEW-AKI', name: 'again' }, actor: 'x' }),
    ).rejects.toThrow('商品コード NEW-AKI はすでに登録されています');
    await expect(
      createProduct(world.ops(), {
        product: { code: 'X-1', name: '', jan: '4006381333932', taxRate: 5 },
        actor: 'x',
      }),
    ).rejects.toThrow(/商品名: 入力してください／JAN: チェックデジットが違います.*／税率: 10 か 8/);
    await expect(
      createProduct(world.ops(), { product: { code: 'X-2', name: 'x', jan: '4006381333931' }, actor: 'x' }),
    ).rejects.toThrow('JAN: 4006381333931 は商品 NEW-AKI に登録済みです');
    await expect(editProduct(world.ops(), { product: { code: 'NOPE', name: 'x' } })).rejects.toMatchObject({
      rule: 'not_found',
    });
  });

  it('edits the fields given, deactivates and reactivates, and deletes only an unused product', async () => {
    const e = await editProduct(world.ops(), {
      product: { code: 'P1', needsCheck: true, needsCheckNote: '名入れの文字を確認' },
    });
    expect(e.changed).toEqual(['要修正', '要修正メモ']);
    expect(e.product).toMatchObject({
      name: '商品 P1',
      needsCheck: true,
      needsCheckNote: '名入れの文字を確認',
    });
    expect((await setProductActive(world.ops(), { code: 'NEW-AKI', active: false })).active).toBe(false);
    expect((await setProductActive(world.ops(), { code: 'NEW-AKI', active: true })).active).toBe(true);

    // Orders use NEW-AKI: refused, and it stays.
    await expect(removeProduct(world.ops(), { code: 'NEW-AKI' })).rejects.toThrow(
      /使われているため削除できません（受注明細 2 件）。無効にしてください/,
    );
    // Stock on hand: refused too.
    await expect(removeProduct(world.ops(), { code: 'P1' })).rejects.toThrow(/在庫のある倉庫 1 件/);
    await createProduct(world.ops(), { product: { code: 'UNUSED', name: '未使用' }, actor: 'x' });
    await removeProduct(world.ops(), { code: 'UNUSED' });
    expect(await findProduct(world.db, 'UNUSED')).toBeNull();
    await expect(removeProduct(world.ops(), { code: 'UNUSED' })).rejects.toMatchObject({ rule: 'not_found' });
  });

  it('imports nothing when one row is bad, and lists every bad row by line and column', async () => {
    const before = await allProducts(world.db);
    const csv = [
      HEADER,
      'C-1,正しい商品,,10,0,,1',
      'C-2,,4006381333932,5,たぶん,,1',
      'C-1,二回目,,8,0,,1',
      'C-3,JAN が他の商品,4006381333931,8,0,,1',
    ].join('\r\n');
    const r = await importProductsCsv(world.ops(), Buffer.from(csv), { dryRun: false, actor: 'x' });
    expect(r.ok).toBe(false);
    expect(r.applied).toBe(false);
    expect(r.errors).toEqual([
      { line: 3, column: '税率', message: '"5" は 10 か 8 にしてください' },
      { line: 3, column: '要修正', message: '"たぶん" は 1 か 0 にしてください' },
      { line: 3, column: '商品名', message: '入力してください' },
      { line: 3, column: 'JAN', message: 'チェックデジットが違います（最後の桁は 1 のはずです）' },
      { line: 4, column: '商品コード', message: '2 行目と同じ商品コードです' },
      { line: 5, column: 'JAN', message: '4006381333931 は商品 NEW-AKI に登録済みです' },
    ]);
    expect(r.lines.at(-1)).toBe('3 行にエラーがあるため、何も登録していません（全 4 行）');
    expect(await allProducts(world.db)).toEqual(before);
  });

  it('shows what would change in a dry run, then applies it, and re-checks the new codes', async () => {
    await importOrders(
      world.db,
      world.shops.shopA,
      [cartOrder(world.shops.shopA, 'A-2', { lines: [['CSV-NEW', 1]], orderedAt: at(3) })],
      NOW,
    );
    const csv = [
      HEADER,
      'P1,商品 P1 改,,8,1,名入れの文字を確認,1',
      'CSV-NEW,CSV で追加,,10,0,,1',
      'SCARCE,商品 SCARCE,,10,0,,1',
    ].join('\n');
    const dry = await importProductsCsv(world.ops(), Buffer.from(csv), { dryRun: true, actor: 'x' });
    expect(dry.ok).toBe(true);
    expect(dry.applied).toBe(false);
    expect(dry.counts).toEqual({ new: 1, changed: 1, unchanged: 1 });
    expect(dry.rows.find((r) => r.code === 'P1')?.changes).toEqual([
      { column: '商品名', before: '商品 P1', after: '商品 P1 改' },
      { column: '税率', before: '10%', after: '8%' },
    ]);
    expect(dry.lines.at(-1)).toBe('確認のみ（まだ登録していません）: 新規 1 件、変更 1 件、変更なし 1 件');
    expect(await findProduct(world.db, 'CSV-NEW')).toBeNull();

    const r = await importProductsCsv(world.ops(), Buffer.from(csv), { dryRun: false, actor: 'x' });
    expect(r.applied).toBe(true);
    expect((await findProduct(world.db, 'P1'))?.name).toBe('商品 P1 改');
    expect(r.rechecks).toEqual([{ jobId: null, ordersUpdated: 1, ordersMovedOn: 1 }]);
    expect((await orderView(world.db, world.shops.shopA.id, 'A-2')).status).not.toBe(S.unknownProduct);
  });

  it('reads Shift_JIS and UTF-8 with a BOM, and keeps columns a file leaves out', async () => {
    const sjis = iconv.encode(['商品コード,商品名,税率', 'SJ-1,宇治抹茶 30g缶,8%'].join('\r\n'), 'cp932');
    expect((await importProductsCsv(world.ops(), sjis, { dryRun: false, actor: 'x' })).ok).toBe(true);
    expect(await findProduct(world.db, 'SJ-1')).toMatchObject({
      name: '宇治抹茶 30g缶',
      taxRate: 8,
      active: true,
    });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('商品コード,有効\nSJ-1,0\n')]);
    const r = await importProductsCsv(world.ops(), bom, { dryRun: false, actor: 'x' });
    expect(r.lines[0]).toBe('~ 2 行目 SJ-1: 有効 有効 → 無効');
    expect(await findProduct(world.db, 'SJ-1')).toMatchObject({
      name: '宇治抹茶 30g缶',
      taxRate: 8,
      active: false,
    });
  });

  it('exports a file the import reads back unchanged, in UTF-8 with a BOM or Shift_JIS', async () => {
    const products = await allProducts(world.db);
    const utf8 = productsCsvFile(products);
    expect([...utf8.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(utf8.toString('utf8', 3).split('\r\n')[0]).toBe(HEADER);
    for (const file of [utf8, productsCsvFile(products, 'sjis')]) {
      const r = await importProductsCsv(world.ops(), file, { dryRun: true, actor: 'x' });
      expect(r.ok).toBe(true);
      expect(r.counts).toEqual({ new: 0, changed: 0, unchanged: products.length });
    }
    expect(() =>
      productsCsvFile(products.concat([{ ...products[0]!, code: 'E', name: '🍵' }]), 'sjis'),
    ).toThrow(/Shift_JIS で書けない文字があります（商品 E）/);
  });

  it('re-plans every order without a shipping instruction oldest first, with a dry run', async () => {
    const store = await createShop(world.db, 'shop-r');
    // The younger order takes the only unit; the older one arrives later in the import (a re-import,
    // say) and waits. The re-plan gives the unit to the older one.
    await importOrders(
      world.db,
      store,
      [cartOrder(store, 'R-YOUNG', { lines: [['SCARCE', 1]], orderedAt: at(30) })],
      NOW,
    );
    await importOrders(
      world.db,
      store,
      [cartOrder(store, 'R-OLD', { lines: [['SCARCE', 1]], orderedAt: at(10) })],
      NOW,
    );
    expect((await orderView(world.db, store.id, 'R-YOUNG')).held).toEqual([1]);
    expect((await orderView(world.db, store.id, 'R-OLD')).held).toEqual([0]);

    const dry = await replanAllocation(world.ops(), {
      productCode: 'SCARCE',
      dryRun: true,
      actor: 'cli:test',
    });
    expect(dry.moves.map((m) => [m.cartOrderNo, m.held, m.planned])).toEqual([
      ['R-OLD', 0, 1],
      ['R-YOUNG', 1, 0],
    ]);
    expect((await orderView(world.db, store.id, 'R-YOUNG')).held).toEqual([1]);

    const r = await replanAllocation(world.ops(), { dryRun: false, actor: 'cli:test' });
    expect(r.moves).toHaveLength(2);
    const old = await orderView(world.db, store.id, 'R-OLD');
    const young = await orderView(world.db, store.id, 'R-YOUNG');
    expect(old.held).toEqual([1]);
    expect(old.status).toBe(S.readyAfterStock);
    expect(young.held).toEqual([0]);
    expect(young.status).toBe(S.waiting);
    const ev = await world.db
      .selectFrom('order_events')
      .select(['actor', 'reason'])
      .where('order_id', '=', young.id)
      .where('action', '=', 'stock_replanned')
      .executeTakeFirstOrThrow();
    expect(ev).toEqual({
      actor: 'cli:test',
      reason: '全体再引当: SCARCE 1 → 0（古い受注から順に引き当て直し）',
    });
    // Nothing more to move, and the stock is whole.
    expect((await replanAllocation(world.ops(), { dryRun: true, actor: 'x' })).moves).toEqual([]);
    await expectStockHealthy(world.db, { oldestFirst: true });
  });

  it('applies a large file in batches as one upload: a JAN moving to an earlier batch, the same file again changes nothing', async () => {
    await createProduct(world.ops(), {
      product: { code: 'JAN-HOLDER', name: 'JAN を手放す商品', jan: '4901234567894' },
      actor: 'x',
    });
    const csv = Buffer.from(
      [
        HEADER,
        'BATCH-1,一つ目のバッチ,4901234567894,10,0,,1', // takes JAN-HOLDER's JAN…
        'BATCH-2,二つ目,,10,0,,1',
        'JAN-HOLDER,JAN を手放す商品,4901234567887,10,0,,1', // …which gives it up two batches later
      ].join('\n'),
    );
    const progress: number[] = [];
    const r = await importProductsCsv(world.ops(), csv, {
      dryRun: false,
      actor: 'x',
      file: 'master.csv',
      batchSize: 1,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.status).toBe('succeeded');
    expect(progress).toEqual([0, 1, 2, 3]); // the claim, then each batch
    expect(r.counts).toEqual({ new: 2, changed: 1, unchanged: 0 });
    expect(r.lines.at(-1)).toMatch(/^master\.csv: 3 行を登録、0 行はエラー。.*アップロード #\d+/);
    expect((await findProduct(world.db, 'BATCH-1'))?.jan).toBe('4901234567894');
    expect((await findProduct(world.db, 'JAN-HOLDER'))?.jan).toBe('4901234567887');
    const ledger = await world.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', r.uploadId!)
      .executeTakeFirstOrThrow();
    expect(ledger).toMatchObject({
      kind: 'products',
      status: 'succeeded',
      rows_applied: 3,
      applied_through: 4,
    });

    // The same bytes again: nothing read, nothing changed (an edit meanwhile stays).
    await editProduct(world.ops(), { product: { code: 'BATCH-2', name: '画面で直した名前' } });
    const again = await importProductsCsv(world.ops(), csv, { dryRun: false, actor: 'x', file: 'again.csv' });
    expect(again.repeated).toBe(true);
    expect(again.uploadId).toBe(r.uploadId);
    expect(again.lines[0]).toContain(`アップロード #${r.uploadId}`);
    expect((await findProduct(world.db, 'BATCH-2'))?.name).toBe('画面で直した名前');

    // A refused file is recorded failed, its bad rows by line, and nothing applied.
    const bad = Buffer.from([HEADER, 'BATCH-3,三つ目,,10,0,,1', 'BATCH-4,,,7,0,,1'].join('\n'));
    const refused = await importProductsCsv(world.ops(), bad, { dryRun: false, actor: 'x', file: 'bad.csv' });
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe('failed');
    expect(refused.lines[0]).toBe('✗ bad.csv 3 行目 税率: "7" は 10 か 8 にしてください');
    expect(await findProduct(world.db, 'BATCH-3')).toBeNull();
    const errs = await world.db
      .selectFrom('upload_errors')
      .select(['line', 'column_name'])
      .where('upload_id', '=', refused.uploadId!)
      .execute();
    expect(errs).toEqual([
      { line: 3, column_name: '税率' },
      { line: 3, column_name: '商品名' },
    ]);
  });
});
