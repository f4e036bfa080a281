// The dashboard in a real browser (playwright-core driving Debian's Chromium): log in, see imported
// orders, change statuses in bulk, open a detail (hostile cart strings stay text), release a
// reservation, retry a failed import on Bull Board, and a viewer who cannot act; every screen and
// Bull Board with nothing loaded from another site. Screenshots of the main screens go to
// docs/screenshots/ for the README.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { noteRun } from '../db/import-runs.js';
import { loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { processImportStore } from '../jobs/import-store.js';
import { processRecheckMapping } from '../jobs/recheck-mapping.js';
import { CHROMIUM, launchChromium } from '../test/browser.js';
import { PASSWORDS, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { redisUrl, TEST_SECRET_KEY } from '../test/harness.js';
import { FAST_HTTP, testDeps } from '../test/pipeline.js';
import { cartOrder, createShop, importOrders } from '../test/stock-fixtures.js';
import { type RunningWorkers, startWorkers } from '../workers/worker.js';
import { PAGES } from './server.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`dashboard/browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

// The README's screenshots are refreshed with JUCHU_SCREENSHOTS=1 (on a machine with fonts-noto-cjk);
// ordinary runs write them to a temporary folder so the tree stays clean.
const SHOTS = process.env.JUCHU_SCREENSHOTS
  ? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots')
  : path.join(tmpdir(), 'juchu-screenshots');
const HOSTILE_REMARK = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
const HOSTILE_NAME = '<b onmouseover="window.__xss = 3">山田</b> 太郎';

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!hasChromium)('dashboard in a real browser', () => {
  let d: TestDashboard;
  let sim: RunningSimulator;
  let browser: Browser;
  let page: Page;
  let workers: RunningWorkers;
  let hostileId: number;

  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

  async function login(p: Page, role: keyof typeof PASSWORDS) {
    await p.goto(`${d.url}/login`);
    await p.fill('#login', role);
    await p.fill('#password', PASSWORDS[role]);
    await Promise.all([p.waitForURL('**/orders'), p.click('button[type=submit]')]);
    await p.waitForSelector('#orders-table tbody tr');
  }

  beforeAll(async () => {
    logger.level = 'error';
    await mkdir(SHOTS, { recursive: true });
    const now = Date.now();
    sim = await shopifySimulator.start({
      orders: 40,
      seed: 5,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
    });
    d = await startTestDashboard('browser', { baseUrls: { shopify: sim.url } });
    const deps = await testDeps(d.t);
    try {
      const r = await processImportStore(
        { storeCode: 'shopify-global', trigger: 'manual' },
        null,
        undefined,
        deps,
      );
      expect(r.outcome).toBe('succeeded');
    } finally {
      await deps.close();
    }
    // Cart data is anyone's text: a remark and a name with markup in them.
    const o = await d.t.db
      .selectFrom('orders')
      .select('id')
      .where('status_code', '=', 'customer_comment')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    hostileId = o.id;
    await d.t.db
      .updateTable('orders')
      .set({ customer_remarks: HOSTILE_REMARK })
      .where('id', '=', o.id)
      .execute();
    await d.t.db
      .updateTable('order_parties')
      .set({ name: HOSTILE_NAME })
      .where('order_id', '=', o.id)
      .where('role', '=', 'orderer')
      .execute();
    workers = await startWorkers({
      config: loadConfig({
        DATABASE_URL: d.t.url,
        REDIS_URL: redisUrl(),
        JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
        QUEUE_PREFIX: d.prefix,
      }),
      queues: ['import'],
      concurrency: 1,
      http: FAST_HTTP,
    });
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
    });
    page.on('pageerror', (e) => console.error('page error:', e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await d?.close();
    await sim?.stop();
  });

  it('logs in and sees the imported orders with tab counts', async () => {
    await page.goto(`${d.url}/orders`);
    await page.waitForURL('**/login?next=*');
    await shot('login');
    await login(page, 'operator');
    const rows = await page.locator('#orders-table tbody tr').count();
    expect(rows).toBeGreaterThan(10);
    await expect.poll(() => page.locator('#tabs .tab').count()).toBe(5);
    expect(await page.locator('#tabs').textContent()).toContain('受注内容の確認');
    expect(await page.locator('#who').textContent()).toContain('受注担当');
    await shot('orders');
  });

  it('changes statuses in bulk with 自動確認 and shows a result per row', async () => {
    await page.click('#status-chips [data-status="customer_comment"]');
    await expect
      .poll(async () => {
        const rows = await page.locator('#orders-table tbody tr').allTextContents();
        return rows.length > 0 && rows.every((r) => r.includes('お客様コメント確認'));
      })
      .toBe(true);
    const picks = page.locator('#orders-table input.pick');
    const n = Math.min(2, await picks.count());
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) await picks.nth(i).check();
    await page.selectOption('#bulk-target', 'auto');
    await page.click('#bulk-status');
    await page.waitForSelector('#results');
    const result = await page.locator('#results').textContent();
    expect(result).toContain(`${n} 件成功`);
    expect(await page.locator('#results tbody tr.ok').count()).toBe(n);
    await shot('orders-bulk-result');
  });

  it('opens a detail: orderer and ship-to apart, lines with 予約区分, history, and hostile strings shown as text', async () => {
    await page.goto(`${d.url}/orders`);
    await page.waitForSelector('#orders-table tbody tr');
    const link = page.locator('#orders-table tbody tr a').first();
    await Promise.all([page.waitForURL('**/orders/*'), link.click()]);
    await page.waitForSelector('#lines');
    expect(await page.locator('#orderer').textContent()).toContain('注文者');
    expect(await page.locator('[id^="ship-to-"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#lines thead').textContent()).toContain('予約区分');
    expect(await page.locator('#events tbody tr').count()).toBeGreaterThan(0);

    await page.goto(`${d.url}/orders/${hostileId}`);
    await page.waitForSelector('#customer-remarks');
    expect(await page.locator('#customer-remarks').textContent()).toBe(HOSTILE_REMARK);
    expect(await page.locator('#orderer').textContent()).toContain(HOSTILE_NAME);
    expect(await page.locator('#customer-remarks img, #customer-remarks script, #orderer b').count()).toBe(0);
    await page.hover('#orderer');
    // (A function, not a string: the page's CSP forbids evaluating strings, as it should.)
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#status-reason').textContent()).toContain('お客様備考');
    await page.locator('#raw-payload').evaluate((el) => el.closest('details')?.setAttribute('open', ''));
    await page.screenshot({ path: path.join(SHOTS, 'order-detail.png'), fullPage: true });
    // 自動確認 from the detail screen.
    await page.check('#comment-checked');
    await page.click('#save-notes');
    await page.selectOption('#status-target', 'auto');
    await page.click('#status-save');
    await expect.poll(() => page.locator('#status-label').textContent()).not.toContain('お客様コメント確認');
  });

  it('releases a reservation from 受注在庫予約解除', async () => {
    await page.goto(`${d.url}/release`);
    await page.waitForSelector('#release-table');
    await page.selectOption('#release-search select[name="warehouse"]', 'tokyo');
    await page.click('#release-search button[type=submit]');
    await page.waitForSelector('#release-table input.pick');
    await page.locator('#release-table input.pick').first().check();
    await page.fill('#release-reason', '予約注文に回すため');
    await page.click('#release-run');
    await page.waitForSelector('#results');
    expect(await page.locator('#results').textContent()).toContain('個の引当を解除しました');
    await shot('release');
  });

  it('shows the other screens', async () => {
    // A run that set back a cursor beyond the database's time says so on 取込履歴 (注記).
    const run = await d.t.db
      .selectFrom('import_runs')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await noteRun(
      d.t.db,
      run.id,
      '取込カーソルがデータベースの時刻より先でした。受け付けず、取り込み直します。',
    );
    for (const [url, name, sel] of [
      ['/stock', 'stock', '#stock-table'],
      // 在庫連携 panel: per store, with its dry run.
      ['/stock', 'stock-push', '#stock-push-stores button.dry-run'],
      ['/shipping', 'shipping', '#ready-table'],
      ['/imports', 'imports', '#runs-table'],
      ['/mappings', 'mappings', '#mappings-table'],
      ['/products', 'products', '#products-table'],
      ['/statuses', 'statuses', '#status-groups table'],
    ] as const) {
      await page.goto(d.url + url);
      await page.waitForSelector(sel);
      await shot(name);
    }
    await page.goto(`${d.url}/imports`);
    const notice = await page.waitForSelector(
      `#runs-table tbody tr:has(td:text-is("${run.id}")) .run-notice`,
    );
    expect(await notice.textContent()).toBe(
      '注記: 取込カーソルがデータベースの時刻より先でした。受け付けず、取り込み直します。',
    );
  });

  it('asks before a role changes on ユーザー; a viewer opening an admin screen reads a Japanese page', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ja-JP' });
    const ap = await context.newPage();
    await login(ap, 'admin');
    await ap.goto(`${d.url}/users`);
    await ap.waitForSelector('#add-user');
    await ap.fill('#add-user input[name=login]', 'tanaka');
    await ap.fill('#add-user input[name=displayName]', '田中 花子');
    await ap.fill('#add-user input[name=password]', 'hanako-no-ocha-2026');
    await ap.click('#add-user button[type=submit]');
    await ap.waitForSelector('#users td:text("tanaka")');
    const role = async () =>
      (
        await d.t.db
          .selectFrom('users')
          .select('role')
          .where('login', '=', 'tanaka')
          .executeTakeFirstOrThrow()
      ).role;
    const id = (
      await d.t.db.selectFrom('users').select('id').where('login', '=', 'tanaka').executeTakeFirstOrThrow()
    ).id;
    // No: nothing changes and the select goes back.
    const asked: string[] = [];
    ap.once('dialog', (dlg) => {
      asked.push(dlg.message());
      void dlg.dismiss();
    });
    await ap.selectOption(`#role-${id}`, 'admin');
    await waitFor('the question', async () => asked.length > 0);
    expect(asked[0]).toContain(
      '田中 花子（tanaka）の権限を「閲覧（viewer）」から「管理者（admin）」に変更しますか',
    );
    expect(await ap.inputValue(`#role-${id}`)).toBe('viewer');
    expect(await role()).toBe('viewer');
    // Yes: the role changes.
    ap.once('dialog', (dlg) => void dlg.accept());
    await ap.selectOption(`#role-${id}`, 'operator');
    await waitFor('the role change', async () => (await role()) === 'operator');
    await ap.waitForSelector('#user-messages .notice.ok');
    expect(await ap.textContent('#user-messages')).toContain(
      'tanaka の権限を「担当者（operator）」に変更しました',
    );
    await context.close();

    const vc = await browser.newContext({ locale: 'ja-JP' });
    const vp = await vc.newPage();
    await login(vp, 'viewer');
    const res = await vp.goto(`${d.url}/users`);
    expect(res?.status()).toBe(403);
    expect(await vp.textContent('#refusal-title')).toBe('この画面を開く権限がありません');
    expect(await vp.textContent('#refusal-detail')).toContain('閲覧');
    await vc.close();
  });

  it('fixes an unknown product from 商品マスタ in a few clicks: its orders leave マスタなし商品', async () => {
    // The demo catalogue sells NEW-2026-AKI on the carts without a product in the master.
    const waiting = () =>
      d.t.db
        .selectFrom('orders')
        .select('id')
        .where('status_code', '=', 'unknown_product')
        .where('id', 'in', (eb) =>
          eb.selectFrom('order_lines').select('order_id').where('cart_product_code', '=', 'NEW-2026-AKI'),
        )
        .execute();
    expect((await waiting()).length).toBeGreaterThan(0);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ja-JP' });
    const ap = await context.newPage();
    await login(ap, 'admin');
    await ap.goto(`${d.url}/products`);
    await ap.click('#waiting-table button.register-product[data-code="NEW-2026-AKI"]');
    // The form has the code and the name the cart sent; the tax rate the cart gave (8%, tea).
    expect(await ap.inputValue('#product-code')).toBe('NEW-2026-AKI');
    expect(await ap.inputValue('#product-name')).toContain('秋限定 和紅茶');
    expect(await ap.inputValue('#product-tax')).toBe('8');
    await ap.click('#product-save');
    await ap.waitForSelector('#product-messages .notice.ok');
    expect(await ap.textContent('#product-messages')).toContain('商品 NEW-2026-AKI');
    // The re-check is a maintenance job (this test's workers run imports only): run it as a worker would.
    const jobs = await d.running.dashboard.queues.maintenance.getJobs(['waiting']);
    const job = jobs.find((j) => j.name === 'recheck-mapping' && j.data.cartProductCode === 'NEW-2026-AKI');
    expect(job?.data).toMatchObject({ storeCode: null, requestedBy: 'user:admin' });
    const deps = await testDeps(d.t);
    try {
      await processRecheckMapping(job!.data, deps);
    } finally {
      await deps.close();
    }
    expect(await waiting()).toEqual([]);
    await ap.reload();
    await ap.waitForSelector('#products-table');
    expect(await ap.locator('#waiting-table button[data-code="NEW-2026-AKI"]').count()).toBe(0);
    expect(await ap.textContent('#products-table')).toContain('NEW-2026-AKI');
    await shot('products', ap);

    // A bad CSV shows its bad rows and applies nothing.
    const page = ap;
    await page.setInputFiles('#product-file', {
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('商品コード,商品名,JAN\nBAD-1,悪い JAN,4006381333932\n'),
    });
    await page.click('#product-import');
    await page.waitForSelector('#import-result');
    expect(await page.textContent('#product-messages')).toContain('2 行目 JAN: チェックデジットが違います');
    await context.close();
  });

  it('retries a failed import on Bull Board (admin); a viewer can neither retry nor act on orders', async () => {
    // The cart refuses the credentials: the import fails for good (no retries) and the store is flagged.
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ revokeCredentials: true }),
    });
    const queues = d.running.dashboard.queues;
    const jobId = (await queues.add(
      'import-store',
      { storeCode: 'shopify-global', trigger: 'manual', requestedBy: 'user:admin' },
      { attempts: 1 },
    ))!;
    await waitFor(
      'the import to fail',
      async () =>
        (await queues.import.getJob(jobId))?.finishedOn &&
        (await queues.import.getJobState(jobId)) === 'failed',
    );

    await page.goto(`${d.url}/stores`);
    await page.waitForSelector('#stores-table');
    expect(await page.locator('#store-list .notice.warn').textContent()).toContain(
      '認証情報の再登録が必要な店舗があります',
    );
    await shot('stores');

    // A viewer: no bulk actions, the API refuses, the board is read-only.
    const viewerContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'ja-JP',
    });
    const vp = await viewerContext.newPage();
    await login(vp, 'viewer');
    expect(await vp.locator('#bulkbar').count()).toBe(0);
    expect(await vp.locator('#readonly-note').textContent()).toContain('閲覧のみ');
    expect(await vp.locator('#orders-table input.pick').count()).toBe(0);
    const status = await vp.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const r = await fetch('/api/orders/bulk-status', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ ids: [1], target: 'auto' }),
      });
      return r.status;
    });
    expect(status).toBe(403);
    await vp.goto(`${d.url}/admin/queues/queue/orders-import?status=failed`);
    await vp.waitForSelector('text=import-store');
    expect(await vp.locator('button', { hasText: 'すべて再試行' }).count()).toBe(0);
    await shot('bull-board-viewer', vp);
    await viewerContext.close();

    // The admin fixes the cause (the cart accepts the credentials again) and retries from the board.
    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    await page.click('#logout');
    await page.waitForURL('**/login');
    await login(page, 'admin');
    await page.goto(`${d.url}/admin/queues/queue/orders-import?status=failed`);
    await page.waitForSelector('text=import-store');
    await shot('bull-board');
    await page.locator('button', { hasText: 'すべて再試行' }).click();
    const [retry] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/admin/queues/api/queues/orders-import/retry/failed')),
      page.locator('[role=dialog] button, [role=alertdialog] button', { hasText: '確認' }).click(),
    ]);
    expect(retry.status()).toBeLessThan(300);
    await waitFor(
      'the retried import to complete',
      async () => (await queues.import.getJobState(jobId)) === 'completed',
    );
    const store = await d.t.db
      .selectFrom('stores')
      .select('credential_state')
      .where('code', '=', 'shopify-global')
      .executeTakeFirstOrThrow();
    expect(store.credential_state).toBe('ok');
  });

  it('shows why a Rakuten order cannot ship yet and flags one near the 14-day auto-cancel', async () => {
    const shop = await createShop(d.t.db, 'rakuten-browser');
    const now = Date.now();
    const placed = (days: number) => new Date(now - days * 86_400_000).toISOString();
    await importOrders(d.t.db, shop, [
      cartOrder(shop, 'rk-browser-100', { lines: [['RB-1', 1]], orderedAt: placed(11), cartStatus: '100' }),
      cartOrder(shop, 'rk-browser-200', { lines: [['RB-1', 1]], orderedAt: placed(1), cartStatus: '200' }),
    ]);
    await page.goto(`${d.url}/orders`);
    const row = (no: string) => page.locator('#orders-table tbody tr', { hasText: no });
    await expect.poll(() => row('rk-browser-100').count()).toBe(1);
    const waiting = row('rk-browser-100');
    expect(await waiting.locator('.badge.cart-hold').textContent()).toBe('楽天 注文確認待ち');
    expect(await waiting.locator('.badge.cart-hold').getAttribute('title')).toContain('注文確認を送り');
    expect(await waiting.locator('.badge.auto-cancel').textContent()).toContain(
      '楽天の自動キャンセルまであと3日',
    );
    const processing = row('rk-browser-200');
    expect(await processing.locator('.badge.cart-hold').textContent()).toBe('楽天処理中');
    expect(await processing.locator('.badge.auto-cancel').count()).toBe(0);
  });

  it('loads every screen and Bull Board with no request to another site (works offline)', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ja-JP' });
    const own = new URL(d.url).origin;
    const outside: string[] = [];
    const violations: string[] = [];
    // Offline: anything for another origin is recorded and never reaches the network.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === own) return route.continue();
      outside.push(url);
      return route.abort();
    });
    context.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith('data:') && new URL(url).origin !== own) outside.push(url);
    });
    // A load the CSP blocks never becomes a request: count those too.
    context.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) violations.push(m.text());
    });
    const p = await context.newPage();
    p.on('pageerror', (e) => violations.push(`page error: ${e.message}`));

    // The login page, and the way back after it: /login?next=%2F%09%2Fevil.example stays here.
    await p.goto(`${d.url}/login?next=%2F%09%2Fevil.example`);
    await p.fill('#login', 'admin');
    await p.fill('#password', PASSWORDS.admin);
    await Promise.all([p.waitForURL(`${own}/orders`), p.click('button[type=submit]')]);

    const screens = PAGES.map((x) => x.path.replace(':id', String(hostileId)));
    for (const url of screens) {
      await p.goto(d.url + url);
      await expect.poll(() => p.locator('#main').textContent()).not.toContain('読み込み中');
      await p.waitForLoadState('networkidle');
      expect(await p.locator('#main .error').count(), url).toBe(0);
    }
    for (const url of [
      '/admin/queues',
      '/admin/queues/queue/orders-import',
      '/admin/queues/queue/orders-import?status=completed',
    ]) {
      await p.goto(d.url + url);
      await p.waitForSelector('text=受注取込');
      await p.waitForLoadState('networkidle');
      const loads = await p.$$eval('link[href], script[src], img[src]', (els) =>
        els.map((e) => (e as unknown as { href?: string; src?: string }).href || (e as { src?: string }).src),
      );
      expect(loads.length).toBeGreaterThan(3);
      expect(loads.filter((u) => u && new URL(u).origin !== own)).toEqual([]);
    }
    await context.close();
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
  });
});
