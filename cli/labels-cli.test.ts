// juchu carriers … and juchu labels … on a real database (the first as its own process, the rest in-process):
// settings, the instruction's batch, the export twice the same bytes, the result file back with an unmatched
// row.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/stores.js';
import { emptyParty } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';

describe('juchu labels and carriers', () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let shop: Store;
  const juchu = (...args: string[]) => runJuchuInProcess(args, env);
  const juchuProcess = (...args: string[]) => runJuchu(args, env);

  beforeAll(async () => {
    t = await createTestDb('labels-cli');
    env = childEnv(t.url, uniquePrefix('labels-cli'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-labels-'));
    shop = await createShop(t.db, 'cli-shop');
    await seedStock(t.db, { CLI1: { tokyo: 10 } });
    const shipTo = {
      ...emptyParty(),
      name: '鈴木 花',
      postalCode: '900-0001',
      prefecture: '沖縄県',
      address1: '那覇市1-1',
    };
    await importOrders(
      t.db,
      shop,
      [
        { ...cartOrder(shop, 'C-1', { lines: [['CLI1', 1]], orderedAt: at(1) }), shipTo },
        {
          ...cartOrder(shop, 'C-2', { lines: [['CLI1', 1]], orderedAt: at(2) }),
          shipTo: { ...shipTo, prefecture: '大阪府', postalCode: '530-0001', address1: '大阪市北区1-1' },
        },
      ],
      new Date(),
    );
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('sets the sender, default and a rule, and shows them', async () => {
    expect(
      (
        await juchuProcess(
          'carriers',
          'sender',
          '--store',
          'cli-shop',
          '--postal',
          '100-0001',
          '--phone',
          '03-1234-5678',
          '--address1',
          '東京都千代田区千代田1-1',
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await juchu(
          'carriers',
          'default',
          '--store',
          'cli-shop',
          '--carrier',
          'sagawa',
          '--method',
          'hikyaku',
        )
      ).code,
    ).toBe(0);
    const added = await juchu(
      'carriers',
      'rule',
      'add',
      '--store',
      'cli-shop',
      '--kind',
      'prefecture',
      '--values',
      '沖縄県',
      '--carrier',
      'japanpost',
      '--method',
      'yupack',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('ルール1  沖縄県 → 日本郵便 ゆうパック');
    const bad = await juchu(
      'carriers',
      'rule',
      'add',
      '--store',
      'cli-shop',
      '--kind',
      'postal',
      '--values',
      'x',
      '--carrier',
      'japanpost',
      '--method',
      'yupack',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ルール2: 「x」は郵便番号の範囲ではありません');
    const shown = await juchu('carriers', 'show', '--store', 'cli-shop');
    expect(shown.stdout).toContain('既定      佐川急便 飛脚宅配便');
  }, 60_000);

  it('instructs, exports each carrier twice the same, imports the result file', async () => {
    const ins = await juchu('ship', 'instruct', '--store', 'cli-shop');
    expect(ins.code).toBe(0);
    const batch = /shipping batch #(\d+)/.exec(ins.stdout)![1]!;
    const file = path.join(dir, 'post.csv');
    const e1 = await juchu('labels', 'export', '--carrier', 'japanpost', '--batch', batch, '--out', file);
    expect(e1.code).toBe(0);
    expect(e1.stderr).toContain('1 orders, 1 rows (ゆうパックプリントR 発送予定データ 117項目, Shift_JIS');
    const first = await readFile(file);
    await juchu('labels', 'export', '--carrier', 'japanpost', '--batch', batch, '--out', file);
    expect((await readFile(file)).equals(first)).toBe(true);
    expect(iconv.decode(first, 'cp932')).toContain('"沖縄県那覇市1-1"');
    const shown = await juchu('labels', 'show', '--batch', batch);
    expect(shown.stdout).toContain('ルール1: 沖縄県 → 日本郵便 ゆうパック');

    const c1 = await orderView(t.db, shop.id, 'C-1');
    const result = path.join(dir, 'issued.csv');
    await writeFile(
      result,
      iconv.encode(
        `"お客様側管理番号","お問い合わせ番号"\r\n"${c1.orderNo}01","123456789012"\r\n"${c1.orderNo}09","123456789013"\r\n`,
        'cp932',
      ),
    );
    const imp = await juchu('labels', 'import', result, '--carrier', 'japanpost');
    // A refused row: exit 1, the row named by file, line and field; the progress line names the upload.
    expect(imp.code).toBe(1);
    expect(imp.stdout).toMatch(/… .*issued\.csv: 0 行（反映 0・エラー 0）アップロード #\d+/);
    expect(imp.stdout).toContain(`✓ 受注No ${c1.orderNo}: 出荷完了（伝票番号 123456789012）`);
    expect(imp.stdout).toContain(
      `✗ issued.csv 3 行目: お客様管理番号「${c1.orderNo}09」: 受注No ${c1.orderNo} に荷物9はありません`,
    );
    expect(imp.stdout).toMatch(
      /issued\.csv: 1 行を取込、1 行はエラー。出荷完了 1 件、一致しない行 1 件（.*アップロード #\d+）/,
    );
    // The same file again: nothing changes (and the refused row is still reported: exit 1).
    const again = await juchu('labels', 'import', result, '--carrier', 'japanpost');
    expect(again.stdout).toContain('今回は何も変えていません');
    expect((await orderView(t.db, shop.id, 'C-1')).status).toBe(S.shipped);

    const wrong = await juchu('labels', 'export', '--carrier', 'fedex', '--batch', batch);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--carrier must be one of yamato, sagawa, japanpost');
    const late = await juchu(
      'carriers',
      'set-order',
      '--order',
      'cli-shop:C-2',
      '--carrier',
      'yamato',
      '--method',
      'takkyubin',
    );
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('出荷指示の後は運送会社を変えられません');
  }, 120_000);
});
