// 帳票 and 売上 in a real browser (Debian's Chromium): on the shipping screen an operator downloads
// the batch's picking list and 納品書 (PDF, read back), the order detail's 納品書; the 売上 screen shows
// the day's totals per rate, downloads the daily CSV (UTF-8 with BOM) and books a partial 返品. Over
// HTTP: a viewer sees neither sales nor 納品書 (403), refusals come back in Japanese.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyParty } from '../domain/order.js';
import { CHROMIUM, launchChromium } from '../test/browser.js';
import { Client, PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { pdfText } from '../test/pdf-text.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { instructShipping } from '../usecases/shipping-instruction.js';

const hasChromium = existsSync(CHROMIUM);
const today = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

describe('帳票 and 売上 over HTTP: roles and refusals', () => {
  let d: TestDashboard;
  beforeAll(async () => {
    d = await startTestDashboard('sales-api');
  }, 60_000);
  afterAll(async () => {
    await d?.close();
  });

  it('viewers may not see sales or print 納品書; bad input is refused in Japanese', async () => {
    const viewer = await Client.as(d.url, 'viewer');
    for (const path of [
      '/api/sales/daily',
      '/api/sales/export',
      '/api/orders/1/delivery-note.pdf',
      '/api/shipping/batches/1/picking.pdf',
    ])
      expect((await viewer.get(path)).status, path).toBe(403);
    expect(
      (await viewer.post('/api/sales/returns', { orderId: 1, lines: [{ lineId: 1, quantity: 1 }] })).status,
    ).toBe(403);
    const operator = await Client.as(d.url, 'operator');
    const bad = await operator.get('/api/sales/daily?from=2026-13-01');
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toContain('開始日は YYYY-MM-DD の日付です');
    expect((await operator.get('/api/shipping/batches/999/picking.pdf')).status).toBe(404);
    const none = await operator.post('/api/sales/returns', { orderId: 1, lines: [] });
    expect((none.body as { message: string }).message).toContain('返品する明細と数量を選んでください');
  }, 60_000);
});

describe.skipIf(!hasChromium)('帳票 and 売上 screens', () => {
  let d: TestDashboard;
  let browser: Browser;
  let page: Page;
  let orderId = 0;
  let orderNo = '';

  beforeAll(async () => {
    d = await startTestDashboard('sales-browser');
    const shop = await createShop(d.t.db, 'sale-shop', { invoiceRegistrationNumber: 'T1111222233334' });
    await seedStock(d.t.db, { CHA: { tokyo: 20 } });
    await d.t.db
      .updateTable('products')
      .set({ name: '玄米茶 200g', tax_rate: 8 })
      .where('code', '=', 'CHA')
      .execute();
    const o = cartOrder(shop, 'P-1', { lines: [['CHA', 2]], orderedAt: at(1) });
    o.lines = [{ ...o.lines[0]!, name: '玄米茶 200g', unitPrice: 864, taxRate: 8, taxAmount: null }];
    o.orderer = {
      ...emptyParty(),
      name: '高橋 四郎',
      postalCode: '1000001',
      prefecture: '東京都',
      address1: '千代田区1-1',
    };
    o.shipTo = o.orderer;
    await importOrders(d.t.db, shop, [o], new Date());
    await instructShipping(depsOf(d.t.db), { storeCodes: ['sale-shop'], actor: 'test' });
    const v = await orderView(d.t.db, shop.id, 'P-1');
    orderId = v.id;
    orderNo = v.orderNo;
    expect((await confirmShipment(depsOf(d.t.db), { orderId, actor: 'test' })).ok).toBe(true);
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

  const grab = async (selector: string) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    return { name: dl.suggestedFilename(), bytes: await readFile((await dl.path())!) };
  };

  it('downloads the picking list and the 納品書 of the batch, and the order’s 納品書', async () => {
    await page.goto(`${d.url}/shipping`);
    await page.waitForSelector('#picking-pdf');
    const picking = await grab('#picking-pdf');
    expect(picking.name).toMatch(/^picking-batch\d+-\d{8}\.pdf$/);
    expect((await pdfText(picking.bytes))[0]).toContain('玄米茶 200g');
    const notes = await grab('#delivery-notes-pdf');
    const [text] = await pdfText(notes.bytes);
    expect(text).toContain('登録番号 T1111222233334');
    expect(text).toContain('8%対象（軽減税率） ¥1,728 消費税 ¥128');
    await page.goto(`${d.url}/orders/${orderId}`);
    await page.waitForSelector('#delivery-note-pdf');
    const one = await grab('#delivery-note-pdf');
    expect(one.name).toBe(`nohinsho-${orderNo}.pdf`);
    expect((await pdfText(one.bytes))[0]).toContain('高橋 四郎 様');
  }, 120_000);

  it('the 売上 screen: totals per day and rate, the CSV, a partial 返品', async () => {
    await page.goto(`${d.url}/sales`);
    await page.waitForSelector('#sales-daily-table');
    await expect.poll(() => page.textContent('#sales-daily-table')).toContain('¥1,728');
    expect(await page.textContent('#sales-daily-table')).toContain(today());
    const csv = await grab('#sales-csv');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.subarray(3).toString('utf8')).toContain(
      `${today()},sale-shop,店舗 sale-shop,1,1728,0,0,0,0,0,1728,128,0,1728`,
    );
    await page.fill('#return-order', orderNo);
    await page.click('#return-find');
    await page.waitForSelector('#return-qty-1');
    await page.fill('#return-qty-1', '1');
    await page.fill('#return-reason', '賞味期限');
    await page.click('#return-submit');
    await expect
      .poll(() => page.textContent('#sales-out'))
      .toContain(`受注No ${orderNo} の返品1を記録しました（¥-864`);
    await expect.poll(() => page.textContent('#sales-daily-table')).toContain('¥-864');
    // Only one more can be returned now; more than that is refused in Japanese.
    await page.waitForSelector('#return-qty-1');
    await page.fill('#return-qty-1', '2');
    await page.click('#return-submit');
    await expect.poll(() => page.textContent('#sales-out')).toContain('返品できるのはあと 1 点です');
  }, 120_000);
});
