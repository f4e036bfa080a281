// A stock upload as one unit (real PostgreSQL): applied in batches, the same file again changes
// nothing, an interrupted sending resumes after its last committed row, quantities are decimal
// digits only and unknown products and warehouses are named by value; the result is stored.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../carts/csv/table-stream.js';
import { claimUpload, getUpload, listUploadErrors, recordUploadBatch } from '../db/uploads.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { seedStock } from '../test/stock-fixtures.js';
import { fingerprint } from '../uploads/columns.js';
import { applyStockCsv } from '../uploads/stock-csv.js';
import { depsOf } from './deps.js';

const onHand = async (t: TestDb, product: string, warehouse = 'tokyo') =>
  (
    await sql<{
      on_hand: number;
    }>`SELECT on_hand FROM stock_levels WHERE product_code = ${product} AND warehouse_code = ${warehouse}`.execute(
      t.db,
    )
  ).rows[0]?.on_hand ?? 0;

describe('stock uploads through the upload ledger', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('uploads');
    await seedStock(t.db, { UPA: {}, UPB: {}, UPC: {} });
  });
  afterAll(async () => {
    await t?.drop();
  });
  const ops = () => depsOf(t.db);

  it('applies in batches, refuses bad rows by value, and the same file again changes nothing', async () => {
    const csv =
      '商品コード,倉庫,入荷数\nUPA,tokyo,5\nUPA,tokyo,1e3\nNOPE,tokyo,1\nUPB,nowhere,1\nUPB,tokyo, 0x10\nUPB,tokyo,２\nUPC,tokyo,3\n';
    const progress: number[] = [];
    const r = await applyStockCsv(ops(), Buffer.from(csv), 'test', 'arrivals.csv', {
      batchSize: 2,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(r).toMatchObject({ ok: 3, failed: 4, status: 'succeeded', repeated: false });
    expect(progress).toEqual([0, 2, 4, 6, 7]);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('arrivals.csv 3 行目: 入荷数 "1e3" は数量として読めません'),
        'arrivals.csv 4 行目: 商品コード「NOPE」は商品マスタにありません'.replace(/^/, '✗ '),
        '✗ arrivals.csv 5 行目: 倉庫「nowhere」は登録されていません',
        expect.stringContaining('arrivals.csv 6 行目: 入荷数 "0x10" は数量として読めません'),
      ]),
    );
    expect(r.lines.at(-1)).toContain('arrivals.csv: 3 行を反映、4 行はエラー');
    expect([await onHand(t, 'UPA'), await onHand(t, 'UPB'), await onHand(t, 'UPC')]).toEqual([5, 2, 3]);
    expect((await listUploadErrors(t.db, r.uploadId)).map((e) => e.line)).toEqual([3, 4, 5, 6]);

    const again = await applyStockCsv(ops(), Buffer.from(csv), 'someone-else', 'renamed.csv');
    expect(again).toMatchObject({ uploadId: r.uploadId, repeated: true, ok: 3, failed: 4 });
    expect(again.lines[0]).toContain(`アップロード #${r.uploadId}`);
    expect([await onHand(t, 'UPA'), await onHand(t, 'UPB'), await onHand(t, 'UPC')]).toEqual([5, 2, 3]);
    expect((await getUpload(t.db, r.uploadId))?.result).toMatchObject({ ok: 3, failed: 4 });
  });

  it('resumes a sending whose process died after its last committed batch', async () => {
    const csv = 'product_code,warehouse,quantity\nUPA,osaka,1\nUPB,osaka,2\nUPC,osaka,4\n';
    const { sha256, byteSize } = await fingerprint(bufferSource(Buffer.from(csv), 'x.csv'));
    // A first sending applied row 2 (its batch committed with its progress), then its process died.
    const first = await claimUpload(t.db, { kind: 'stock', fileName: 'x.csv', sha256, byteSize, actor: 'a' });
    await t.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO stock_levels (product_code, warehouse_code, on_hand) VALUES ('UPA', 'osaka', 1)
                ON CONFLICT (product_code, warehouse_code) DO UPDATE SET on_hand = stock_levels.on_hand + 1`.execute(
        trx,
      );
      await recordUploadBatch(trx, first.upload.id, { through: 2, read: 1, applied: 1, refused: [] });
    });
    // While its lease runs it may be alive: the same file is not applied a second time beside it.
    const busy = await applyStockCsv(ops(), Buffer.from(csv), 'b', 'x.csv');
    expect(busy).toMatchObject({ repeated: true, status: 'running', uploadId: first.upload.id });
    await sql`UPDATE uploads SET lease_until = now() - interval '1 second' WHERE id = ${first.upload.id}`.execute(
      t.db,
    );
    const r = await applyStockCsv(ops(), Buffer.from(csv), 'b', 'x.csv');
    expect(r).toMatchObject({ uploadId: first.upload.id, repeated: false, ok: 3, failed: 0 });
    expect(r.lines[0]).toContain('2 行目の次から再開');
    expect([
      await onHand(t, 'UPA', 'osaka'),
      await onHand(t, 'UPB', 'osaka'),
      await onHand(t, 'UPC', 'osaka'),
    ]).toEqual([1, 2, 4]);
  });

  it('a file without the columns fails as a whole, and is stored with its reason', async () => {
    await expect(applyStockCsv(ops(), Buffer.from('a,b\n1,2\n'), 'test', 'wrong.csv')).rejects.toThrow(
      'wrong.csv: 列がありません: product',
    );
    const row = await t.db
      .selectFrom('uploads')
      .select(['status', 'error'])
      .where('file_name', '=', 'wrong.csv')
      .executeTakeFirst();
    expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('列がありません') });
  });
});
