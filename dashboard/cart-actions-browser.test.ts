// カート連携 in a real browser (Debian's Chromium): an order shipped from its detail screen shows its
// ship action 送信待ち; once its delivery has failed for good the card says 失敗 with the error, an
// operator presses 再送, the action is 送信待ち again in a new round with its job on the queue; after it
// is delivered the card shows 完了 with the cart's answer and the Rakuten shippingDetailId. A viewer
// sees the card without the button; the stores screen counts the store's actions.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionOutcome, CartActions } from '../carts/actions.js';
import { claimCartAction, failCartAttempt } from '../db/cart-actions.js';
import type { Store } from '../db/stores.js';
import { CHROMIUM, launchChromium } from '../test/browser.js';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { deliverCartAction } from '../usecases/deliver-cart-action.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';

const hasChromium = existsSync(CHROMIUM);

const cart: CartActions = {
  cart: 'rakuten',
  carrierCode: () => '1000',
  ship: async (): Promise<ActionOutcome> => ({
    status: 'done',
    answer: 'updateOrderShipping: 発送完了を登録しました',
    cartRefs: { 'shippingDetailId:1:1': '70012345' },
  }),
};

describe.skipIf(!hasChromium)('order detail: カート連携 and 再送', () => {
  let d: TestDashboard;
  let browser: Browser;
  let page: Page;
  let shop: Store;
  let orderId: number;

  async function login(p: Page, role: 'operator' | 'viewer') {
    await p.goto(`${d.url}/login`);
    await p.fill('#login', role);
    await p.fill('#password', PASSWORDS[role]);
    await Promise.all([p.waitForURL('**/orders'), p.click('button[type=submit]')]);
  }

  beforeAll(async () => {
    d = await startTestDashboard('cart-actions-browser');
    shop = await createShop(d.t.db, 'ca-browser');
    await seedStock(d.t.db, { 'CAB-1': { tokyo: 3 } });
    await importOrders(d.t.db, shop, [
      cartOrder(shop, 'CAB-100', { lines: [['CAB-1', 1]], orderedAt: at(1) }),
    ]);
    orderId = (await orderView(d.t.db, shop.id, 'CAB-100')).id;
    await shippingInstruction(depsOf(d.t.db), { orderIds: [orderId], actor: 'user:ops' });
    browser = await launchChromium();
    page = await browser.newPage({ locale: 'ja-JP' });
    await login(page, 'operator');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  const rowText = () => page.textContent('#cart-actions-table tbody tr');

  it('shipped from the screen: 送信待ち; failed: 失敗 with the error; 再送; then 完了 with the cart’s id', async () => {
    await page.goto(`${d.url}/orders/${orderId}`);
    await page.waitForSelector('#cart-actions-table');
    expect(await page.textContent('#cart-actions')).toContain('カートに送る操作はありません');
    await page.fill('#tracking', '4000-2222-3333');
    await page.click('#confirm-ship');
    await expect.poll(rowText, { timeout: 20_000 }).toContain('送信待ち');
    const text = (await rowText()) ?? '';
    expect(text).toContain('出荷');
    expect(text).toContain('4000-2222-3333');
    const id = Number(await page.getAttribute('#cart-actions-table tbody tr', 'data-action-id'));
    expect(id).toBeGreaterThan(0);
    expect(await page.$(`#resend-${id}`)).toBeNull();

    // Its delivery fails for good (the retries ran out).
    const now = new Date();
    await claimCartAction(d.t.db, id, now, 60_000);
    await failCartAttempt(d.t.db, id, 'rakuten updateOrderShipping: HTTP 503 Service Unavailable', {
      now,
      retryAt: now,
      final: true,
    });
    await page.reload();
    await page.waitForSelector(`#resend-${id}`);
    expect(await rowText()).toContain('失敗');
    expect(await rowText()).toContain('HTTP 503 Service Unavailable');

    await page.click(`#resend-${id}`);
    await expect
      .poll(() => page.textContent('#cart-actions-messages'), { timeout: 20_000 })
      .toContain('再送します（1 回目の再送）');
    expect(await rowText()).toContain('送信待ち');
    expect(await rowText()).toContain('再送 1 回');
    expect(await rowText()).toContain('最後の再送 operator');
    expect(await page.$(`#resend-${id}`)).toBeNull();
    const job = await d.running.dashboard.queues.shipping.getJob(`cart-action-${id}-r1`);
    expect(job?.data).toEqual({ actionId: id });

    // The worker's part, done here with a cart that answers: 完了 with the answer and the id.
    const r = await deliverCartAction(
      { ...depsOf(d.t.db), actionsFor: async () => cart },
      { actionId: id, final: false, retryAt: new Date() },
    );
    expect(r.status).toBe('done');
    await page.reload();
    await expect.poll(rowText, { timeout: 20_000 }).toContain('完了');
    expect(await rowText()).toContain('発送完了を登録しました');
    expect(await rowText()).toContain('shippingDetailId（荷物1）: 70012345');
  }, 120_000);

  it('a viewer sees the actions without 再送; the stores screen counts them', async () => {
    const now = new Date();
    const [a] = await d.t.db
      .insertInto('cart_actions')
      .values({
        store_id: shop.id,
        order_id: orderId,
        cart_order_no: 'CAB-100',
        kind: 'cancel',
        payload: JSON.stringify({ reason: 'お客様都合' }),
        created_by: 'test',
        state: 'refused',
        cart_answer: 'ERROR_301 キャンセル理由が不正です',
        last_error: 'ERROR_301 キャンセル理由が不正です',
        answer_code: 'ERROR_301',
        attempts: 1,
        created_at: now,
      })
      .returning('id')
      .execute();
    const viewer = await browser.newPage({ locale: 'ja-JP' });
    try {
      await login(viewer, 'viewer');
      await viewer.goto(`${d.url}/orders/${orderId}`);
      await viewer.waitForSelector(`#cart-actions-table tr[data-action-id="${a!.id}"]`);
      const row = await viewer.textContent(`#cart-actions-table tr[data-action-id="${a!.id}"]`);
      expect(row).toContain('キャンセル');
      expect(row).toContain('要対応');
      expect(row).toContain('ERROR_301 キャンセル理由が不正です');
      expect(await viewer.$('#cart-actions-table button.resend')).toBeNull();

      await viewer.goto(`${d.url}/stores`);
      await viewer.waitForSelector('.cart-actions[data-store="ca-browser"]');
      const cell = await viewer.textContent('.cart-actions[data-store="ca-browser"]');
      expect(cell).toContain('送信待ち 0 件');
      expect(cell).toContain('要対応 1 件');
    } finally {
      await viewer.close();
    }
  }, 120_000);
});
