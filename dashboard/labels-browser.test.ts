// The shipping screen in a real browser (Debian's Chromium): an operator instructs two orders, the
// batch appears, the B2クラウド button downloads the Shift_JIS file (twice the same bytes), and the
// carrier's result file uploaded back confirms a shipment and lists the row that matches no order.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/stores.js';
import { emptyParty } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { CHROMIUM, launchChromium } from '../test/browser.js';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { depsOf } from '../usecases/deps.js';
import { saveShippingSettings } from '../usecases/save-shipping-settings.js';

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('shipping screen: label export and tracking numbers back', () => {
  let d: TestDashboard;
  let browser: Browser;
  let page: Page;
  let shop: Store;

  beforeAll(async () => {
    d = await startTestDashboard('labels-browser');
    shop = await createShop(d.t.db, 'label-shop');
    await seedStock(d.t.db, { LBL: { tokyo: 20 } });
    await saveShippingSettings(depsOf(d.t.db), {
      storeCode: 'label-shop',
      actor: 'test',
      sender: {
        name: '茶葉の店',
        postalCode: '100-0001',
        phone: '03-1234-5678',
        address1: '東京都千代田区千代田1-1',
        address2: '',
      },
      defaults: { carrier: 'yamato', method: 'takkyubin' },
      codMethods: null,
      codes: {},
      rules: [
        {
          position: 1,
          kind: 'prefecture',
          values: ['沖縄県'],
          carrier: 'japanpost',
          method: 'yupack',
          note: null,
        },
      ],
    });
    const shipTo = {
      ...emptyParty(),
      name: '山田 太郎',
      phone: '090-1111-2222',
      postalCode: '150-0001',
      prefecture: '東京都',
      address1: '渋谷区神宮前1-1',
    };
    await importOrders(
      d.t.db,
      shop,
      [
        { ...cartOrder(shop, 'B-1', { lines: [['LBL', 1]], orderedAt: at(1) }), shipTo },
        {
          ...cartOrder(shop, 'B-2', { lines: [['LBL', 2]], orderedAt: at(2) }),
          shipTo: { ...shipTo, prefecture: '沖縄県', postalCode: '900-0001', address1: '那覇市1-1' },
        },
      ],
      new Date(),
    );
    browser = await launchChromium();
    page = await browser.newPage({ acceptDownloads: true, locale: 'ja-JP' });
    await page.goto(`${d.url}/login`);
    await page.fill('#login', 'operator');
    await page.fill('#password', PASSWORDS.operator);
    await Promise.all([page.waitForURL('**/orders'), page.click('button[type=submit]')]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('instructs, exports the B2 file from the button, and takes the result file back', async () => {
    await page.goto(`${d.url}/shipping`);
    await page.waitForSelector('#ready-table tbody tr input.pick');
    // Each order shows its carrier (the rule for 沖縄県).
    await expect.poll(() => page.textContent('#ready-table')).toContain('日本郵便 ゆうパック');
    for (const box of await page.$$('#ready-table input.pick')) await box.check();
    await page.click('#instruct-selected');
    await page.waitForSelector('#export-yamato:not([disabled])');
    expect(await page.textContent('#export-yamato')).toContain('1件');
    expect(await page.textContent('#export-japanpost')).toContain('1件');
    expect(await page.isDisabled('#export-sagawa')).toBe(true);

    const grab = async () => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-yamato')]);
      return { name: dl.suggestedFilename(), bytes: await readFile((await dl.path())!) };
    };
    const first = await grab();
    await page.waitForSelector('#carrier-out, .notice.ok');
    const second = await grab();
    expect(first.name).toMatch(/^yamato-b2-batch\d+-\d{8}\.csv$/);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const text = iconv.decode(first.bytes, 'cp932');
    const b1 = await orderView(d.t.db, shop.id, 'B-1');
    expect(text.startsWith('"お客様管理番号","送り状種別"')).toBe(true);
    expect(text).toContain(`"${b1.orderNo}01","0","0",""`);
    expect(text).toContain('"東京都渋谷区神宮前1-1"');
    expect(await page.textContent('#shipping-results')).toContain(`${first.name}: 1 件 1 行`);

    // The result file: 伝票番号 for B-1 and a row that is not ours.
    const result = iconv.encode(
      `"お客様管理番号","送り状種類","クール区分","伝票番号"\r\n"${b1.orderNo}01","0","0","400012345678"\r\n"0000999901","0","0","400012345679"\r\n`,
      'cp932',
    );
    await page.selectOption('#tracking-carrier', 'yamato');
    await page.setInputFiles('#tracking-file', {
      name: 'b2-issued.csv',
      mimeType: 'text/csv',
      buffer: result,
    });
    await page.click('#tracking-upload button[type=submit]');
    await page.waitForSelector('#tracking-results');
    const shown = await page.textContent('#tracking-results');
    expect(shown).toContain('出荷完了 1 件、一致しない行 1 件');
    expect(shown).toContain('受注No 00009999 の注文はありません');
    expect((await orderView(d.t.db, shop.id, 'B-1')).status).toBe(S.shipped);
    await expect.poll(() => page.textContent('#uploads-table')).toContain('b2-issued.csv');
  }, 120_000);

  it('the order shows which rule chose its carrier and its tracking number; 配送設定 opens', async () => {
    const b2 = await orderView(d.t.db, shop.id, 'B-2');
    await page.goto(`${d.url}/orders/${b2.id}`);
    await page.waitForSelector('#order-carrier-label');
    expect(await page.textContent('#order-carrier-reason')).toContain(
      'ルール1: 沖縄県 → 日本郵便 ゆうパック',
    );
    const b1 = await orderView(d.t.db, shop.id, 'B-1');
    await page.goto(`${d.url}/orders/${b1.id}`);
    await page.waitForSelector('#order-tracking');
    expect(await page.textContent('#order-tracking')).toContain('400012345678');
    await page.goto(`${d.url}/carriers`);
    await page.waitForSelector('#rules-table');
    expect(await page.isDisabled('#sender-name')).toBe(true); // operators read; admins change
  }, 60_000);
});
