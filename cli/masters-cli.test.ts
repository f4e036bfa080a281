// The admin's commands against real PostgreSQL and Redis (products add as its own process, the rest
// in-process): juchu products (add with the マスタなし re-check at once, list, show, edit, deactivate, delete
// refused while used, CSV import with --dry-run and a refused file, export in Shift_JIS), warehouses list,
// rejects, allocate (now, and --full --dry-run), required options (set-status / cancel without an order
// refuse), reconcile --no-wait saying what it queued.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { seedTestShop } from '../test/pipeline.js';
import { cartOrder, importOrders, orderView } from '../test/stock-fixtures.js';

// One command as a process of its own (the binary), the others in-process through the same command
// tree (a process is a few seconds each on a busy machine).
const juchu = runJuchuInProcess;

describe('juchu products, warehouses, rejects, allocate', { timeout: 300_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDb('cli-masters');
    await seedTestShop(t, {});
    env = childEnv(t.url, uniquePrefix('cli-masters'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-cli-masters-'));
    const store = (await findStore(t.db, 'rakuten-main'))!;
    await importOrders(t.db, store, [
      cartOrder(store, 'CLI-1', { lines: [['CLI-NEW', 1]], orderedAt: '2026-12-01T01:00:00Z' }),
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });

  it('adds a product and the orders waiting on its code go on; lists, shows, edits, deactivates', async () => {
    const store = (await findStore(t.db, 'rakuten-main'))!;
    expect((await orderView(t.db, store.id, 'CLI-1')).status).toBe(S.unknownProduct);
    const add = await runJuchu(
      [
        'products',
        'add',
        '--code',
        'CLI-NEW',
        '--name',
        'CLI の商品',
        '--tax',
        '8',
        '--jan',
        '4006381333931',
      ],
      env,
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/✓ CLI-NEW +active +8% {2}JAN 4006381333931 +CLI の商品/);
    expect(add.stdout).toContain('マスタなし商品: 1 orders took the product, 1 moved on');
    expect((await orderView(t.db, store.id, 'CLI-1')).status).not.toBe(S.unknownProduct);

    const bad = await juchu(['products', 'add', '--code', 'CLI-2', '--name', 'x', '--jan', '123'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^juchu: JAN: 桁数が違います/);
    const missing = await juchu(['products', 'add', '--code', 'CLI-3'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--name <name>' not specified");

    const list = await juchu(['products', 'list', '--q', 'CLI'], env);
    expect(list.stdout).toMatch(/CLI-NEW .*\n1 products\n$/);
    const show = JSON.parse((await juchu(['products', 'show', 'CLI-NEW'], env)).stdout);
    expect(show).toMatchObject({ code: 'CLI-NEW', taxRate: 8, needsCheck: false });

    const edit = await juchu(['products', 'edit', 'CLI-NEW', '--needs-check', '--note', '色を確認'], env);
    expect(edit.stdout).toContain('changed: 要修正, 要修正メモ');
    expect(edit.stdout).toContain('[要修正: 色を確認]');
    expect((await juchu(['products', 'deactivate', 'CLI-NEW'], env)).stdout).toMatch(/CLI-NEW +inactive/);
    expect((await juchu(['products', 'list', '--q', 'CLI'], env)).stdout).toBe('0 products\n');
    expect((await juchu(['products', 'list', '--q', 'CLI', '--state', 'all'], env)).stdout).toContain(
      'CLI-NEW',
    );
    const del = await juchu(['products', 'delete', 'CLI-NEW'], env);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('使われているため削除できません（受注明細 1 件）');
  });

  it('imports a CSV with --dry-run first, refuses a file with a bad row, exports Shift_JIS', async () => {
    const good = path.join(dir, 'good.csv');
    await writeFile(good, iconv.encode('商品コード,商品名,税率\r\nCLI-CSV,CSV の商品,10\r\n', 'cp932'));
    const dry = await juchu(['products', 'import', good, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      '+ 2 行目 CLI-CSV: 新規\n確認のみ（まだ登録していません）: 新規 1 件、変更 0 件、変更なし 0 件\n',
    );
    const done = await juchu(['products', 'import', good], env);
    expect(done.stdout).toContain('登録しました: 新規 1 件');

    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, '商品コード,商品名,税率\nCLI-OK,よい,10\nCLI-BAD,,7\n');
    const r = await juchu(['products', 'import', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        '✗ bad.csv 3 行目 税率: "7" は 10 か 8 にしてください',
        '✗ bad.csv 3 行目 商品名: 入力してください',
        '1 行にエラーがあるため、何も登録していません（全 2 行）',
        '',
      ].join('\n'),
    );
    expect((await juchu(['products', 'show', 'CLI-OK'], env)).code).toBe(1);
    expect((await juchu(['products', 'import', path.join(dir, 'none.csv')], env)).stderr).toMatch(/ENOENT/);

    const out = path.join(dir, 'export.csv');
    const ex = await juchu(['products', 'export', '--encoding', 'sjis', '--out', out], env);
    expect(ex.code).toBe(0);
    const text = iconv.decode(await readFile(out), 'cp932');
    expect(text.split('\r\n')[0]).toBe('商品コード,商品名,JAN,税率,要修正,要修正メモ,有効');
    expect(text).toContain('CLI-CSV,CSV の商品,,10,0,,1');
  });

  it('lists warehouses and rejects; a reject that does not exist is refused', async () => {
    const w = await juchu(['warehouses', 'list'], env);
    expect(w.stdout).toMatch(/^tokyo +priority +1 +enabled +東京倉庫/m);
    expect((await juchu(['rejects', 'list'], env)).stdout).toBe('0 rejects\n');
    const show = await juchu(['rejects', 'show', '999'], env);
    expect(show.code).toBe(1);
    expect(show.stderr).toBe('juchu: no reject 999\n');
    const rp = await juchu(['rejects', 'reprocess', '999'], env);
    expect(rp.code).toBe(1);
    expect(rp.stderr).toBe('juchu: 取込エラー 999 はありません\n');
  });

  it('allocates now, and lists what a full re-plan would move', async () => {
    const now = await juchu(['allocate'], env);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/^✓ \d+ products looked at: \d+ units reserved, \d+ orders moved on\n$/);
    const dry = await juchu(['allocate', '--full', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /0 lines of 0 orders would move \(of \d+ lines looked at\); nothing written \(--dry-run\)\n$/,
    );
    const alone = await juchu(['allocate', '--dry-run'], env);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('add --full');
  });

  it('refuses set-status and cancel without an order, and says what reconcile --no-wait queued', async () => {
    const none = await juchu(['set-status', '--to', 'auto'], env);
    expect(none.code).toBe(1);
    const empty = await juchu(['set-status', '--to', 'auto', '--order', ','], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('juchu: give at least one order: --order <受注No or store:cartOrderNo>\n');
    expect(empty.stdout).toBe('');
    const cancel = await juchu(['cancel', '--order', ''], env);
    expect(cancel.code).toBe(1);
    expect(cancel.stdout).not.toContain('0 done');
    const rec = await juchu(['reconcile', '--store', 'rakuten-main', '--no-wait'], env);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(
      /^reconcile of rakuten-main \(yesterday, JST\) enqueued \(job \d+\); not waiting \(--no-wait\)\n$/,
    );
    const unknown = await juchu(['reconcile', '--store', 'nope', '--no-wait'], env);
    expect(unknown.code).toBe(1);
  });
});
