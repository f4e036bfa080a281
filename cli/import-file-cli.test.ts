// juchu import-file --store <code> <file> on a real database: a CSV store's order file is imported as
// one upload (progress line, summary, exit 0); the same file again imports nothing; a file with a
// refused order exits 1 naming the order's row and field while the file's good orders are stored; a
// store that is not a CSV store is refused.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/stores.js';
import { childEnv, createTestDb, runJuchuInProcess, type TestDb, uniquePrefix } from '../test/harness.js';
import { createShop } from '../test/stock-fixtures.js';

const HEAD =
  '注文番号,注文日時,商品コード,商品名,数量,単価,税率,注文者名,注文者電話番号,注文者郵便番号,注文者住所,支払方法';
const row = (no: string, quantity = '1') =>
  `${no},2026/11/25 10:03,00000940104,竹製 茶さじ,${quantity},550,10%,山田 花子,090-1111-2222,1000005,東京都千代田区丸の内1-9-1,代金引換`;

describe('juchu import-file', { timeout: 120_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let store: Store;
  const juchu = (...args: string[]) => runJuchuInProcess(args, env);
  const orderNos = async () =>
    (
      await t.db
        .selectFrom('orders')
        .select('cart_order_no')
        .where('store_id', '=', store.id)
        .orderBy('cart_order_no')
        .execute()
    ).map((o) => o.cart_order_no);
  const uploadRuns = async () =>
    (
      await t.db
        .selectFrom('import_runs')
        .select('id')
        .where('store_id', '=', store.id)
        .where('trigger', '=', 'upload')
        .execute()
    ).length;

  beforeAll(async () => {
    t = await createTestDb('import-file-cli');
    env = childEnv(t.url, uniquePrefix('import-file-cli'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-import-file-'));
    store = await createShop(t.db, 'cli-csv', {}, 'csv');
    await createShop(t.db, 'cli-api');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('imports a good file (progress, summary, exit 0); the same file again imports nothing', async () => {
    const file = path.join(dir, '受注_1205.csv');
    await writeFile(file, `${[HEAD, row('G-1'), row('G-2'), row('G-3')].join('\n')}\n`);
    const r = await juchu('import-file', '--store', 'cli-csv', file);
    expect(r.code, r.stderr).toBe(0);
    const id = /… .*受注_1205\.csv: 0 行（反映 0・エラー 0）アップロード #(\d+)/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    expect(r.stdout).toMatch(
      new RegExp(
        `受注_1205\\.csv（3 行）: 新規 3 件、更新 0 件、変更なし 0 件、エラー 0 件（.*アップロード #${id}、取込 #\\d+）`,
      ),
    );
    expect(r.stdout).not.toContain('✗');
    expect(await orderNos()).toEqual(['G-1', 'G-2', 'G-3']);
    expect(await uploadRuns()).toBe(1);

    const again = await juchu('import-file', '--store', 'cli-csv', file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`受注_1205.csv: 同じ内容のファイルはアップロード #${id}`);
    expect(again.stdout).toContain('今回は何も取り込んでいません');
    expect(await orderNos()).toEqual(['G-1', 'G-2', 'G-3']);
    expect(await uploadRuns()).toBe(1); // no second import run
  });

  it('a refused order: exit 1 naming its row and field; the good orders of the file are stored', async () => {
    const file = path.join(dir, 'mixed.csv');
    await writeFile(file, `${[HEAD, row('M-1'), row('M-2', 'x'), row('M-3')].join('\n')}\n`);
    const r = await juchu('import-file', '--store', 'cli-csv', file);
    expect(r.code, r.stderr).toBe(1);
    const refused = r.stdout.split('\n').filter((l) => l.startsWith('✗'));
    expect(refused).toHaveLength(1);
    // The order, the field and its column, the row of the file and the bad value.
    expect(refused[0]).toMatch(/^✗ mixed\.csv 注文No M-2 .*数量.*row 3 of mixed\.csv.*"x"/);
    expect(r.stdout).toMatch(/mixed\.csv（3 行）: 新規 2 件、更新 0 件、変更なし 0 件、エラー 1 件/);
    expect(await orderNos()).toEqual(['G-1', 'G-2', 'G-3', 'M-1', 'M-3']);
  });

  it('refuses a store that is not a CSV store, and a file that is not there', async () => {
    const file = path.join(dir, 'api.csv');
    await writeFile(file, `${[HEAD, row('A-1')].join('\n')}\n`);
    const api = await juchu('import-file', '--store', 'cli-api', file);
    expect(api.code).toBe(1);
    expect(api.stderr).toContain('店舗 cli-api は CSV 店舗ではありません');
    const none = await juchu('import-file', '--store', 'cli-csv', path.join(dir, 'nai.csv'));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nai.csv」を開けません');
    expect(await orderNos()).toEqual(['G-1', 'G-2', 'G-3', 'M-1', 'M-3']);
  });
});
