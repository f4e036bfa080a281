// The stock screen's 在庫連携 panel in Chromium: per store × product the last pushed quantity, when
// and the cart's answer; drift found by the full sync (the cart had X, juchu had pushed Y); a failure
// with 再送 and an accepted item with 今すぐ連携, both recorded in the outbox by the existing POST (the
// screen sends nothing to a cart); 全件照合 per store; a viewer sees the state and no buttons.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium } from '../test/browser.js';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';

describe.skipIf(!HAS_CHROMIUM)('stock screen: 在庫連携 panel', () => {
  let d: TestDashboard;
  let browser: Browser;
  let storeId: number;
  const login = async (who: 'operator' | 'viewer'): Promise<Page> => {
    const page = await browser.newPage({ locale: 'ja-JP' });
    await page.goto(`${d.url}/login`);
    await page.fill('#login', who);
    await page.fill('#password', PASSWORDS[who]);
    await Promise.all([page.waitForURL('**/orders'), page.click('button[type=submit]')]);
    await page.goto(`${d.url}/stock`);
    await page.waitForSelector('#stock-push-items');
    return page;
  };
  const row = (page: Page, product: string) =>
    page.locator(`#stock-push-items tr:has(td:text-is("${product}"))`);
  const stockActions = () =>
    d.t.db
      .selectFrom('cart_actions')
      .select(['payload', 'state'])
      .where('store_id', '=', storeId)
      .where('kind', '=', 'stock')
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    d = await startTestDashboard('stock-push-browser');
    storeId = (await createShop(d.t.db, 'ab-push', { stockPush: true })).id;
    await seedStock(d.t.db, { PTEA: { tokyo: 9 }, PBAG: { tokyo: 4 }, PCUP: { tokyo: 3 } });
    const at = new Date('2026-12-04T01:00:00Z');
    await d.t.db
      .insertInto('stock_push_state')
      .values([
        {
          store_id: storeId,
          cart_product_code: 'PTEA',
          product_code: 'PTEA',
          wanted_quantity: 9,
          wanted_at: at,
          pushed_quantity: 9,
          pushed_at: at,
          outcome: 'accepted',
          answer: 'ok',
        },
        {
          store_id: storeId,
          cart_product_code: 'PBAG',
          product_code: 'PBAG',
          wanted_quantity: 4,
          wanted_at: at,
          outcome: 'failed',
          answer: 'HTTP 503 メンテナンス中',
          failures: 3,
        },
        // The full sync read 5 where juchu had pushed 3, and cleared the pushed number to send again.
        {
          store_id: storeId,
          cart_product_code: 'PCUP',
          product_code: 'PCUP',
          wanted_quantity: 3,
          wanted_at: at,
          pushed_quantity: null,
          pushed_at: at,
          outcome: 'accepted',
          answer: 'ok',
          cart_quantity: 5,
          drift: 2,
          drift_checked_at: at,
        },
      ])
      .execute();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('shows what was pushed, the drift and the failure; 再送 and 今すぐ連携 record outbox actions', async () => {
    const page = await login('operator');
    const tea = await row(page, 'PTEA').textContent();
    expect(tea).toContain('受付済み');
    expect(tea).toMatch(/2026/);
    const bag = await row(page, 'PBAG').textContent();
    expect(bag).toContain('失敗（再送します）・3 回');
    expect(bag).toContain('HTTP 503 メンテナンス中');
    expect(await row(page, 'PCUP').textContent()).toContain('カート 5 / juchu 3（+2');

    await row(page, 'PBAG').locator('button.push-item.retry:text-is("再送")').click();
    await page.waitForSelector('#stock-push-result .notice.ok');
    expect(await page.textContent('#stock-push-result')).toContain('PBAGの在庫連携を 1 件登録しました');
    await row(page, 'PTEA').locator('button.push-item:text-is("今すぐ連携")').click();
    await page.waitForSelector('#stock-push-result .notice.ok:has-text("PTEA")');
    expect(await stockActions()).toEqual([
      { payload: { productCode: 'PBAG' }, state: 'pending' },
      { payload: { productCode: 'PTEA' }, state: 'pending' },
    ]);

    await page.click('#stock-push-stores button.push-full[data-store="ab-push"]');
    await page.waitForSelector('#stock-push-result .notice.ok:has-text("全件照合")');
    expect(await page.textContent('#stock-push-result')).toContain('全件照合を登録しました');
    await page.close();
  });

  it('a viewer sees the state and no push buttons', async () => {
    const page = await login('viewer');
    expect(await row(page, 'PBAG').textContent()).toContain('HTTP 503');
    expect(await page.locator('#stock-push button.push-item, #stock-push button.push-full').count()).toBe(0);
    await page.close();
  });
});
