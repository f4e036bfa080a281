// The cancel screen (受注詳細's キャンセル card) in a real browser (Debian's Chromium): for a Rakuten
// order the operator ticks カートでもキャンセルする, picks Rakuten's reason and cancels — the order is
// cancelled and one cancel action waits for delivery with that reason; for an Amazon order the card
// says plainly that the cart must be told by hand and offers no choice. 注文確認 for Rakuten 100 orders
// from the order list's bulk action and the detail's button.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../test/browser.js';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, seedStock } from '../test/stock-fixtures.js';

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('cancel screen: cancel at the cart too', () => {
  let d: TestDashboard;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    d = await startTestDashboard('cancel-browser');
    await seedStock(d.t.db, { CB: { tokyo: 10 } });
    for (const [code, cart, status] of [
      ['cb-rakuten', 'rakuten', '300'],
      ['cb-amazon', 'amazon', 'Unshipped'],
    ] as const) {
      const shop = await createShop(d.t.db, code, { importStatuses: [status] }, cart);
      await importOrders(d.t.db, shop, [
        cartOrder(shop, `${code}-1`, { lines: [['CB', 1]], orderedAt: at(1), cartStatus: status }),
      ]);
    }
    // Rakuten orders waiting for the shop's 注文確認 (100), confirmed by the operator.
    const waiting = await createShop(
      d.t.db,
      'cb-confirm',
      { importStatuses: ['100'], orderConfirmation: 'operator' },
      'rakuten',
    );
    await importOrders(
      d.t.db,
      waiting,
      [2, 3].map((i) =>
        cartOrder(waiting, `cb-confirm-${i}`, { lines: [['CB', 1]], orderedAt: at(i), cartStatus: '100' }),
      ),
    );
    for (const o of await d.t.db.selectFrom('orders').select(['id', 'cart_order_no']).execute())
      ids[o.cart_order_no] = o.id;
    browser = await launchChromium();
    page = await browser.newPage({ locale: 'ja-JP' });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${d.url}/login`);
    await page.fill('#login', 'operator');
    await page.fill('#password', PASSWORDS.operator);
    await Promise.all([page.waitForURL('**/orders'), page.click('button[type=submit]')]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it("a Rakuten order: the choice with Rakuten's reasons, and the cancel recorded for the cart", async () => {
    const id = ids['cb-rakuten-1']!;
    await page.goto(`${d.url}/orders/${id}`);
    await page.waitForSelector('#cancel-at-cart');
    // The reason list is Rakuten's, off until the choice is made.
    expect(await page.isDisabled('#cancel-cart-reason')).toBe(true);
    expect(await page.inputValue('#cancel-cart-reason')).toBe('10');
    expect(await page.textContent('#cancel-cart-reason')).toContain('8 欠品（店舗都合）');
    await page.check('#cancel-at-cart');
    expect(await page.isDisabled('#cancel-cart-reason')).toBe(false);
    await page.selectOption('#cancel-cart-reason', '8');
    await page.fill('#cancel-reason', '欠品のため');
    await page.click('#cancel-order');
    await expect
      .poll(() => page.textContent('#detail-messages'))
      .toContain('カートへのキャンセル送信を登録しました');
    expect(await page.textContent('#status-label')).toContain('キャンセル');
    // Cancelled: the card is gone.
    expect(await page.$('#cancel-card')).toBeNull();
    const actions = await d.t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).execute();
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'cancel', state: 'pending', created_by: 'user:operator' });
    expect(actions[0]!.payload).toMatchObject({ reasonCode: '8', reason: '欠品のため' });
  });

  it('an Amazon order: no choice, the card says the cart must be told by hand', async () => {
    const id = ids['cb-amazon-1']!;
    await page.goto(`${d.url}/orders/${id}`);
    await page.waitForSelector('#cancel-cart-note');
    expect(await page.$('#cancel-at-cart')).toBeNull();
    expect(await page.textContent('#cancel-cart-note')).toContain('Amazonの管理画面でキャンセルしてください');
    await page.click('#cancel-order');
    await expect.poll(() => page.textContent('#detail-messages')).toContain('キャンセル');
    expect(await d.t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).execute()).toEqual(
      [],
    );
  });

  it('注文確認: the order list bulk action and the detail button record the confirm for Rakuten', async () => {
    const confirms = () =>
      d.t.db.selectFrom('cart_actions').select(['order_id', 'state']).where('kind', '=', 'confirm').execute();
    await page.goto(`${d.url}/orders?store=cb-confirm`);
    const pick = `input.pick[value="${ids['cb-confirm-2']}"]`;
    await page.waitForSelector(pick);
    await page.check(pick);
    await page.click('#bulk-confirm');
    await page.waitForSelector('#results');
    expect(await page.textContent('#results')).toContain('楽天へ注文確認を送ります');
    expect(await confirms()).toEqual([{ order_id: ids['cb-confirm-2'], state: 'pending' }]);

    await page.goto(`${d.url}/orders/${ids['cb-confirm-3']}`);
    await page.click('#confirm-at-cart');
    await expect.poll(() => page.textContent('#detail-messages')).toContain('楽天へ注文確認を送ります');
    expect((await confirms()).map((c) => c.order_id).sort()).toEqual(
      [ids['cb-confirm-2'], ids['cb-confirm-3']].sort(),
    );
  });
});
