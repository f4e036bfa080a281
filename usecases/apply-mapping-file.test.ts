// A mapping file as one upload (real PostgreSQL): read as a stream, written a batch per transaction
// through the upload ledger; 入数 decimal digits only, unknown stores and products refused by value
// and row; a re-check only for the cart codes orders wait on; the same file again changes nothing.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { getUpload, listUploadErrors } from '../db/uploads.js';
import { S } from '../domain/statuses.js';
import { at, cartOrder, importOrders, NOW, orderView, stockWorld } from '../test/stock-fixtures.js';
import { applyMappingsCsv } from '../uploads/mappings-csv.js';

const HEADER = '店舗コード,カート商品コード,オプション,商品コード,入数';

describe('mapping uploads through the upload ledger', () => {
  const world = stockWorld('mapfile', { shop: 'map-shop' }, { 'MP-1': { tokyo: 5 }, 'MP-2': {} });

  it('applies in batches, refuses bad rows naming row, column and value, re-checks only waiting codes', async () => {
    await importOrders(
      world.db,
      world.shops.shop,
      [cartOrder(world.shops.shop, 'MAP-1', { lines: [['CART-A', 1]], orderedAt: at(1) })],
      NOW,
    );
    expect((await orderView(world.db, world.shops.shop.id, 'MAP-1')).status).toBe(S.unknownProduct);
    const added: Array<{ storeCode: string | null; cartProductCode: string }> = [];
    const queues = {
      add: (async (_name: string, payload: { storeCode: string | null; cartProductCode: string }) => {
        added.push({ storeCode: payload.storeCode, cartProductCode: payload.cartProductCode });
        return 'job';
      }) as never,
    };
    const csv = [
      HEADER,
      'map-shop,CART-A,,MP-1,1', // 2: orders wait on it
      'map-shop,CART-B,,MP-2,1e3', // 3
      'map-shop,CART-C,,MP-2, 0x10', // 4
      'map-shop,CART-D,,MP-2,1.0', // 5
      'map-shop,CART-E,,MP-2,-1', // 6
      'nowhere,CART-F,,MP-1,1', // 7
      'map-shop,CART-G,,NOPE,1', // 8
      'map-shop,CART-H,L,MP-2,２', // 9: full-width digits are digits
      'map-shop,CART-H,L,MP-1,3', // 10: the same key again in the batch, the later row wins
      'map-shop,CART-I,,MP-2,', // 11: no 入数 is 1
    ].join('\n');
    const progress: number[] = [];
    const r = await applyMappingsCsv({ db: world.db, queues }, Buffer.from(csv), 'user:admin', 'map.csv', {
      batchSize: 4,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(r).toMatchObject({ ok: 4, failed: 6, status: 'succeeded', repeated: false });
    expect(progress).toEqual([0, 4, 8, 10]);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('map.csv 3 行目: 入数 "1e3" は数量として読めません'),
        expect.stringContaining('map.csv 4 行目: 入数 "0x10" は数量として読めません'),
        expect.stringContaining('map.csv 5 行目: 入数 "1.0" は数量として読めません'),
        expect.stringContaining('map.csv 6 行目: 入数 "-1" は数量として読めません'),
        '✗ map.csv 7 行目: 店舗コード「nowhere」はありません',
        '✗ map.csv 8 行目: 商品コード「NOPE」は商品マスタにありません',
      ]),
    );
    expect(r.lines.at(-1)).toContain(
      'map.csv: 4 行を登録、6 行はエラー。1 件のカート商品コードで待ち注文を再確認します',
    );
    expect(added).toEqual([{ storeCode: 'map-shop', cartProductCode: 'CART-A' }]);
    const rows = await sql<{
      cart_product_code: string;
      cart_option_code: string;
      product_code: string;
      units: number;
    }>`
      SELECT cart_product_code, cart_option_code, product_code, units_per_cart_unit AS units
      FROM store_product_mappings WHERE store_id = ${world.shops.shop.id} ORDER BY 1, 2`.execute(world.db);
    expect(rows.rows).toEqual([
      { cart_product_code: 'CART-A', cart_option_code: '', product_code: 'MP-1', units: 1 },
      { cart_product_code: 'CART-H', cart_option_code: 'L', product_code: 'MP-1', units: 3 },
      { cart_product_code: 'CART-I', cart_option_code: '', product_code: 'MP-2', units: 1 },
    ]);
    expect((await listUploadErrors(world.db, r.uploadId)).map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);

    // The same file again, under another name: nothing changes, no second re-check.
    await sql`UPDATE store_product_mappings SET units_per_cart_unit = 7 WHERE cart_product_code = 'CART-I'`.execute(
      world.db,
    );
    const again = await applyMappingsCsv(
      { db: world.db, queues },
      Buffer.from(csv),
      'user:other',
      'again.csv',
    );
    expect(again).toMatchObject({ uploadId: r.uploadId, repeated: true, ok: 4, failed: 6 });
    expect(again.lines[0]).toContain(`アップロード #${r.uploadId}`);
    expect(added).toHaveLength(1);
    const units = await sql<{ u: number }>`
      SELECT units_per_cart_unit AS u FROM store_product_mappings WHERE cart_product_code = 'CART-I'`.execute(
      world.db,
    );
    expect(units.rows[0]?.u).toBe(7);
    expect(await getUpload(world.db, r.uploadId)).toMatchObject({ kind: 'mappings', status: 'succeeded' });
  });

  it('refuses a file without the columns, naming them', async () => {
    await expect(
      applyMappingsCsv(
        { db: world.db, queues: { add: (async () => null) as never } },
        Buffer.from('a,b\n1,2\n'),
        'x',
        'wrong.csv',
      ),
    ).rejects.toThrow(/wrong\.csv: 列がありません: store/);
  });
});
