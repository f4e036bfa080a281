// `juchu stores apply` (one run as its own process, the rest in-process): a stores file goes through the
// save-store use case, so a base URL outside the cart's hosts is refused with one line naming the store, a
// test store may point at a local simulator, and moving a store to another server drops its credentials and
// says so.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';

const juchu = runJuchuInProcess;

async function storesFile(yaml: string): Promise<string> {
  const p = path.join(tmpdir(), `stores-apply-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(p, yaml);
  return p;
}

const rakuten = (more: string) => `stores:
  - code: rakuten-sim
    cart: rakuten
    name: 楽天（シミュレーター）
${more}`;

describe('juchu stores apply', () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createTestDb('stores-apply');
    env = { ...childEnv(t.url, uniquePrefix('stores-apply')), T_SECRET: 'SP-test', T_LICENSE: 'SL-test' };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses a base URL outside the cart’s hosts, in one line naming the store, and saves nothing', async () => {
    for (const [i, url] of [
      'https://evil.example',
      'http://127.0.0.1:4010',
      'http://169.254.169.254',
    ].entries()) {
      // The first as its own process: the binary says it in one line and exits 1 too.
      const r = await (i === 0 ? runJuchu : juchu)(
        ['stores', 'apply', await storesFile(rakuten(`    baseUrl: ${url}\n`))],
        env,
      );
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(/store rakuten-sim: API のベース URL/);
      expect(r.stderr, url).not.toMatch(/\bat .+\(/); // no stack trace
    }
    expect(await findStore(t.db, 'rakuten-sim')).toBeNull();
  });

  it('lets a test store point at a local simulator, and drops its credentials when it moves', async () => {
    const creds = '    credentialsFromEnv:\n      serviceSecret: T_SECRET\n      licenseKey: T_LICENSE\n';
    const first = await juchu(
      [
        'stores',
        'apply',
        await storesFile(rakuten(`    baseUrl: http://127.0.0.1:4010\n    testStore: true\n${creds}`)),
      ],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/✓ rakuten-sim \(rakuten\) enabled .* test store {2}credentials updated/);

    const moved = await juchu(
      [
        'stores',
        'apply',
        await storesFile(rakuten('    baseUrl: http://127.0.0.1:4999\n    testStore: true\n')),
      ],
      env,
    );
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(
      '⚠ API のベース URL の接続先が http://127.0.0.1:4010 から http://127.0.0.1:4999',
    );
    expect(await findStore(t.db, 'rakuten-sim')).toMatchObject({
      hasCredentials: false,
      credentialState: 'needs_credentials',
    });
    const list = await juchu(['stores', 'list'], env);
    expect(list.stdout).toMatch(/rakuten-sim .* test store {2}⚠ 要再登録: API のベース URL の接続先が/);
  });

  it('refuses what could never run, naming file, store and field, and saves nothing of the file', async () => {
    const csv = (code: string, more = '') =>
      `  - code: ${code}\n    cart: csv\n    name: CSV ${code}\n    baseUrl: file:///tmp/juchu-${code}\n${more}`;
    const cases: Array<[string, RegExp]> = [
      [
        `stores:\n${csv('c-ok')}${csv('c-bad', '    cron: "61 * * * *"\n')}`,
        /store c-bad: cron: 「61 \* \* \* \*」は実行できる cron 式ではありません/,
      ],
      [
        `stores:\n${csv('c-ok')}${csv('c-bad', '    settings:\n      reconcileCron: every day\n')}`,
        /store c-bad: settings\.reconcileCron: 「every day」/,
      ],
      [
        `stores:\n${csv('c-ok')}${csv('c-bad', '    settings:\n      inboxdir: /tmp/x\n')}`,
        /store c-bad: settings\.inboxdir: 不明な設定です（inboxDir のことですか？）/,
      ],
      [
        `stores:\n${csv('c-ok')}${csv('c-bad', '    crom: "*/5 * * * *"\n')}`,
        /store c-bad: stores\.1\.crom: 不明な項目です（cron のことですか？）/,
      ],
      [
        `stores:\n${csv('c-ok')}${csv('c-ok')}`,
        /store c-ok: code: 店舗コード c-ok がファイルの中で 2 回使われています（1・2 番目）/,
      ],
      // Refused by the use case (inside the one transaction): the first entry is not kept either.
      [
        `stores:\n${csv('c-ok')}  - code: c-bad\n    cart: rakuten\n    name: R\n    baseUrl: http://api.rms.rakuten.co.jp\n`,
        /store c-bad: API のベース URL は https:\/\/ で始めてください/,
      ],
    ];
    for (const [yaml, message] of cases) {
      const f = await storesFile(yaml);
      const r = await juchu(['stores', 'apply', f], env);
      expect(r.code, yaml).toBe(1);
      expect(r.stderr, yaml).toMatch(message);
      expect(r.stderr.startsWith(`juchu: ${f}: `), r.stderr).toBe(true);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    }
    expect(await findStore(t.db, 'c-ok')).toBeNull();
    expect(await findStore(t.db, 'c-bad')).toBeNull();
  });

  it('moves a store to another cart only with --change-cart', async () => {
    const entry = (cart: string) =>
      `stores:\n  - code: mover\n    cart: ${cart}\n    name: M\n    baseUrl: ${cart === 'csv' ? 'file:///tmp/juchu-mover' : 'http://127.0.0.1:4010'}\n    testStore: true\n`;
    expect((await juchu(['stores', 'apply', await storesFile(entry('csv'))], env)).code).toBe(0);
    const refused = await juchu(['stores', 'apply', await storesFile(entry('rakuten'))], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /store mover: cart: 店舗 mover は csv の店舗で、カートは変更できません.*--change-cart/,
    );
    expect(await findStore(t.db, 'mover')).toMatchObject({ cart: 'csv' });
    const moved = await juchu(['stores', 'apply', '--change-cart', await storesFile(entry('rakuten'))], env);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain('⚠ cart csv → rakuten');
    expect(await findStore(t.db, 'mover')).toMatchObject({ cart: 'rakuten' });
  });
});
