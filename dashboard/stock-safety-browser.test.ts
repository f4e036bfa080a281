// The stock screen's 安全在庫 editor in Chromium: an operator adds a product's safety stock at a store,
// a value the server refuses shows its Japanese reason, 解除 removes it; a viewer sees the list only.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('stock screen: 安全在庫 editor', () => {
  let d: TestDashboard;
  let browser: Browser;
  const login = async (who: 'operator' | 'viewer'): Promise<Page> => {
    const page = await browser.newPage({ locale: 'ja-JP' });
    await page.goto(`${d.url}/login`);
    await page.fill('#login', who);
    await page.fill('#password', PASSWORDS[who]);
    await Promise.all([page.waitForURL('**/orders'), page.click('button[type=submit]')]);
    await page.goto(`${d.url}/stock`);
    await page.waitForSelector('#safety-store');
    return page;
  };

  beforeAll(async () => {
    d = await startTestDashboard('safety-browser');
    await createShop(d.t.db, 'aa-safety', { stockPush: true, stockSafety: 1 });
    await seedStock(d.t.db, { SAFE: { tokyo: 10 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('an operator adds, is refused a bad value in Japanese, and clears', async () => {
    const page = await login('operator');
    await page.selectOption('#safety-store', 'aa-safety');
    await page.waitForSelector('#safety-default:has-text("既定の安全在庫: 1 個")');
    await page.fill('#safety-add input[name=product]', 'SAFE');
    await page.fill('#safety-add input[name=quantity]', '3');
    await page.click('#safety-add button[type=submit]');
    await page.waitForSelector('#safety-result .notice.ok');
    expect(await page.textContent('#safety-result')).toMatch(/安全在庫を 3 個にしました/);
    expect(await page.inputValue('#safety-items input.safety-quantity[data-product="SAFE"]')).toBe('3');
    await page.fill('#safety-items input.safety-quantity[data-product="SAFE"]', '-2');
    await page.click('#safety-items button.safety-save');
    await page.waitForSelector('#safety-result .notice.error');
    expect(await page.textContent('#safety-result')).toMatch(/0 以上の整数/);
    const row = await d.t.db.selectFrom('store_stock_safety').select('quantity').executeTakeFirst();
    expect(row?.quantity).toBe(3);
    await page.click('#safety-items button.safety-clear');
    await page.waitForSelector('#safety-result .notice.ok:has-text("解除")');
    expect(await page.textContent('#safety-items')).toMatch(/個別の安全在庫はありません/);
    await page.close();
  });

  it('a viewer sees the values and no editor', async () => {
    await d.t.db
      .insertInto('store_stock_safety')
      .values({
        store_id: (
          await d.t.db
            .selectFrom('stores')
            .select('id')
            .where('code', '=', 'aa-safety')
            .executeTakeFirstOrThrow()
        ).id,
        product_code: 'SAFE',
        quantity: 5,
      })
      .execute();
    const page = await login('viewer');
    await page.selectOption('#safety-store', 'aa-safety');
    await page.waitForSelector('#safety-items td:has-text("SAFE")');
    expect(await page.locator('#safety-add').count()).toBe(0);
    expect(await page.locator('#safety-items input').count()).toBe(0);
    expect(await page.textContent('#safety-items')).toMatch(/5/);
    await page.close();
  });
});
