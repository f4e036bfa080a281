// A CSV store's 在庫: each push one file in the cart's stock upload layout (Shift_JIS for Rakuten and
// Yahoo!, tab-separated for Amazon) in <inbox>/stock; without a layout, refused before writing.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvActions } from './actions.js';
import { csvCart } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'juchu-csv-stock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const actions = (settings: Record<string, unknown>) =>
  createCsvActions({
    storeCode: 'csv-main',
    baseUrl: csvCart.defaultBaseUrl,
    credentials: csvCart.demoCredentials,
    settings: { inboxDir: dir, ...settings },
    now: () => new Date('2026-12-02T03:00:00Z'),
  });
const LEVELS = [
  { cartProductCode: 'TSE-0013-9124', cartOptionCode: null, quantity: 9 },
  { cartProductCode: 'KYUSU-TKN', cartOptionCode: 'COLOR-RED', quantity: 0 },
];

describe('CSV store stock file', () => {
  it('writes the Yahoo! quantity file (cp932) with code, sub-code, quantity', async () => {
    const out = await actions({ stockLayout: 'yahoo' }).setStock(LEVELS);
    expect([...out.values()].every((o) => o.status === 'done')).toBe(true);
    const files = (await readdir(join(dir, 'stock'))).filter((f) => f.startsWith('yahoo-stock-'));
    expect(files).toHaveLength(1);
    const text = iconv.decode(await readFile(join(dir, 'stock', files[0]!)), 'cp932');
    expect(text).toBe('code,sub-code,quantity\r\nTSE-0013-9124,,9\r\nKYUSU-TKN,KYUSU-TKN:COLOR-RED,0\r\n');
  });

  it('Rakuten by preset (manage number and SKU), Amazon tab-separated; no layout is refused', async () => {
    await actions({ preset: 'rakuten', stockDir: join(dir, 'rk') }).setStock(LEVELS);
    const [rk] = await readdir(join(dir, 'rk'));
    expect(iconv.decode(await readFile(join(dir, 'rk', rk!)), 'cp932')).toContain(
      'tse-0013-9124,normal-inventory,9',
    );
    await actions({ stockLayout: 'amazon', stockDir: join(dir, 'az') }).setStock(LEVELS);
    const [az] = await readdir(join(dir, 'az'));
    expect((await readFile(join(dir, 'az', az!), 'utf8')).split('\r\n')[1]).toBe('TSE-0013-9124\t9');
    const none = await actions({}).setStock(LEVELS);
    expect(none.get('TSE-0013-9124')).toMatchObject({ status: 'refused', code: 'NO_STOCK_LAYOUT' });
  });
});
