// `juchu stores apply` as a process: a stores file goes through the save-store use case, so a base URL
// outside the cart's hosts is refused with one line naming the store, a test store may point at a
// local simulator, and moving a store to another server drops its credentials and says so.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import { childEnv, createTestDb, runJuchu, type TestDb, uniquePrefix } from '../test/harness.js';

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
    for (const url of ['https://evil.example', 'http://127.0.0.1:4010', 'http://169.254.169.254']) {
      const r = await runJuchu(['stores', 'apply', await storesFile(rakuten(`    baseUrl: ${url}\n`))], env);
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(/store rakuten-sim: API のベース URL/);
      expect(r.stderr, url).not.toMatch(/\bat .+\(/); // no stack trace
    }
    expect(await findStore(t.db, 'rakuten-sim')).toBeNull();
  });

  it('lets a test store point at a local simulator, and drops its credentials when it moves', async () => {
    const creds = '    credentialsFromEnv:\n      serviceSecret: T_SECRET\n      licenseKey: T_LICENSE\n';
    const first = await runJuchu(
      [
        'stores',
        'apply',
        await storesFile(rakuten(`    baseUrl: http://127.0.0.1:4010\n    testStore: true\n${creds}`)),
      ],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/✓ rakuten-sim \(rakuten\) enabled .* test store {2}credentials updated/);

    const moved = await runJuchu(
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
    const list = await runJuchu(['stores', 'list'], env);
    expect(list.stdout).toMatch(
      /rakuten-sim .* test store {2}⚠ needs credentials \(API のベース URL の接続先が/,
    );
  });
});
