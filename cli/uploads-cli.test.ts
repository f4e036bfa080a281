// The other `… upload` commands as processes against real PostgreSQL and Redis, on the stock
// upload's path (cli/upload-file.ts): juchu mappings upload and juchu ship upload name each refused
// row by line, column and value, exit 1 when rows were refused (0 when none), and the same file
// again changes nothing; juchu uploads show gives the stored result.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createTestDb, runJuchu, type TestDb, uniquePrefix } from '../test/harness.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';

describe('juchu mappings upload, juchu ship upload', { timeout: 120_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDb('cli-uploads');
    await seedStock(t.db, { CLIM: {} });
    await createShop(t.db, 'cli-shop');
    env = childEnv(t.url, uniquePrefix('cli-uploads'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-cli-uploads-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('mappings: refused 入数 named by row and value, exit 1; a clean file exits 0; the same file again changes nothing', async () => {
    const file = path.join(dir, 'map.csv');
    await writeFile(
      file,
      '店舗コード,カート商品コード,オプション,商品コード,入数\ncli-shop,C-1,,CLIM,2\ncli-shop,C-2,,CLIM,1e3\n',
    );
    const r = await runJuchu(['mappings', 'upload', file], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ map.csv 3 行目: 入数 "1e3" は数量として読めません');
    expect(r.stdout).toContain('map.csv: 1 行を登録、1 行はエラー');
    const units = async () =>
      (
        await sql<{
          u: number;
        }>`SELECT units_per_cart_unit AS u FROM store_product_mappings WHERE cart_product_code = 'C-1'`.execute(
          t.db,
        )
      ).rows[0]?.u;
    expect(await units()).toBe(2);
    const again = await runJuchu(['mappings', 'upload', file], env);
    expect(again.stdout).toContain('反映済みです。今回は何も変えていません');

    const good = path.join(dir, 'map-ok.csv');
    await writeFile(good, 'store,cart_code,product,units\ncli-shop,C-1,CLIM,3\n');
    expect((await runJuchu(['mappings', 'upload', good], env)).code).toBe(0);
    expect(await units()).toBe(3);
  });

  it('ship: rows that name no order, or no 受注No, are refused by line; exit 1', async () => {
    const file = path.join(dir, 'ship.csv');
    await writeFile(file, '受注No,伝票番号\n99999999,TRK-1\n1.5,TRK-2\n');
    const r = await runJuchu(['ship', 'upload', file], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ ship.csv 2 行目: 受注No 99999999 の注文はありません');
    expect(r.stdout).toContain('✗ ship.csv 3 行目: 受注No "1.5" は受注番号として読めません');
    const list = await runJuchu(['uploads', 'list'], env);
    const id = /#(\d+) shipments ship\.csv 完了/.exec(list.stdout)?.[1];
    expect(id, list.stdout).toBeDefined();
    const shown = await runJuchu(['uploads', 'show', id!], env);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('✗ ship.csv 2 行目: 受注No 99999999 の注文はありません');
  });
});
