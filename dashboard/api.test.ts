// The admin API the screens use, against real PostgreSQL and Redis and orders imported from the
// Shopify simulator: list paging/sorting/filters and tab counts, detail, bulk status change with
// 自動確認 (a result per row), reservation release, hostile cart strings, stores, mappings, statuses,
// stock, shipping, order CSV upload, rejects and metrics.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../carts/registry.js';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import type { OrderListRow } from '../db/order-list.js';
import { processImportStore } from '../jobs/import-store.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { countOrders, expectStockInvariants, testDeps } from '../test/pipeline.js';
import type { ChangeResult } from '../usecases/results.js';
import { nextRun } from './routes/stores.js';

const HOSTILE_REMARK = `<script>alert('xss')</script>`;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>山田';
const HOSTILE_CSV = `注文番号,注文日時,商品コード,商品名,数量,単価,税率,注文者名,注文者電話番号,注文者郵便番号,注文者住所,備考,支払方法
H-0001,2026/11/25 10:03,TSE-0013-9124,"静岡深蒸し煎茶 <b>100g</b>",1,1296,8%,"${HOSTILE_NAME}",090-1111-2222,1000005,東京都千代田区丸の内1-9-1,"${HOSTILE_REMARK.replace(/"/g, '""')}",代金引換
,2026/11/25 11:00,00000940104,竹製 茶さじ,1,550,10%,注文番号なし,090-0000-0000,1000005,東京都千代田区丸の内1-9-1,,代金引換
`;

type ListBody = { rows: OrderListRow[]; next: string | null };

describe('dashboard API', () => {
  let d: TestDashboard;
  let sim: RunningSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  let admin: Client;
  let operator: Client;
  let viewer: Client;
  let total = 0;

  beforeAll(async () => {
    const now = Date.now();
    sim = await shopifySimulator.start({
      orders: 80,
      seed: 11,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
    });
    d = await startTestDashboard('api', { baseUrls: { shopify: sim.url } });
    deps = await testDeps(d.t);
    const r = await processImportStore(
      { storeCode: 'shopify-global', trigger: 'manual' },
      null,
      undefined,
      deps,
    );
    expect(r.outcome).toBe('succeeded');
    total = await countOrders(d.t.db);
    [admin, operator, viewer] = await Promise.all([
      Client.as(d.url, 'admin'),
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'viewer'),
    ]);
  });
  afterAll(async () => {
    await deps?.close();
    await d?.close();
    await sim?.stop();
  });

  it('pages through every order with keyset cursors, newest first, without repeats', async () => {
    expect(total).toBeGreaterThan(50);
    const seen: OrderListRow[] = [];
    let after: string | null = '';
    let pages = 0;
    while (after !== null) {
      const r = await viewer.get(`/api/orders?size=7${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      const b = r.body as ListBody;
      seen.push(...b.rows);
      after = b.next;
      pages++;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen.map((o) => o.id)).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 7));
    const times = seen.map((o) => o.orderedAt);
    expect([...times].sort().reverse()).toEqual(times);
    const first = seen[0]!;
    expect(first).toMatchObject({ store: 'shopify-global', storeName: 'Shopify 海外向け', cart: 'shopify' });
    expect(first.orderNo).toMatch(/^\d{8}$/);
    expect(typeof first.status.label).toBe('string');

    // Sorted by 受注No ascending, in pages too.
    const asc = (await viewer.get('/api/orders?sort=orderNo&dir=asc&size=10')).body as ListBody;
    const asc2 = (await viewer.get(`/api/orders?sort=orderNo&dir=asc&size=10&after=${asc.next}`))
      .body as ListBody;
    const nos = [...asc.rows, ...asc2.rows].map((o) => o.orderNo);
    expect(nos).toEqual([...nos].sort());
    expect(nos[0]).toBe('00000001');
    const byTotal = (await viewer.get('/api/orders?sort=total&dir=desc&size=200')).body as ListBody;
    const totals = byTotal.rows.map((o) => o.total ?? 0);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect((await viewer.get('/api/orders?after=garbage')).status).toBe(400);
    expect((await viewer.get('/api/orders?sort=nope')).status).toBe(400);
  });

  it('filters by tab, status, store, numbers, dates, product and warehouse; tab counts come from order_status_totals', async () => {
    const counts = (await viewer.get('/api/orders/counts')).body as {
      groups: Array<{
        group: string;
        label: string;
        total: number;
        statuses: Array<{ code: string; n: number }>;
      }>;
    };
    expect(counts.groups.map((g) => g.label)).toEqual([
      '受注内容の確認',
      '入金状況の確認',
      '作業の進捗',
      'キャンセル対応',
    ]);
    expect(counts.groups.reduce((n, g) => n + g.total, 0)).toBe(total);
    const review = counts.groups.find((g) => g.group === 'review')!;
    const inReview = (await viewer.get('/api/orders?group=review&size=200')).body as ListBody;
    expect(inReview.rows.length).toBe(review.total);
    expect(inReview.rows.every((o) => o.status.group === 'review')).toBe(true);
    const unknown = review.statuses.find((s) => s.code === 'unknown_product')!;
    const unknownRows = (await viewer.get('/api/orders?status=unknown_product&size=200')).body as ListBody;
    expect(unknownRows.rows.length).toBe(unknown.n);

    const one = inReview.rows[0]!;
    const byNo = (await viewer.get(`/api/orders?orderNo=${Number(one.orderNo)}`)).body as ListBody;
    expect(byNo.rows.map((o) => o.id)).toEqual([one.id]);
    const byCart = (await viewer.get(`/api/orders?cartOrderNo=${encodeURIComponent(one.cartOrderNo)}`))
      .body as ListBody;
    expect(byCart.rows.map((o) => o.id)).toContain(one.id);
    const day = one.orderedAt.slice(0, 10);
    const byDay = (await viewer.get(`/api/orders?orderedFrom=${day}&orderedTo=${day}&size=200`))
      .body as ListBody;
    expect(byDay.rows.every((o) => o.orderedAt.startsWith(day))).toBe(true);
    expect(byDay.rows.map((o) => o.id)).toContain(one.id);
    expect(((await viewer.get('/api/orders?store=amazon-jp')).body as ListBody).rows).toEqual([]);
    expect((await viewer.get('/api/orders?orderedFrom=yesterday')).status).toBe(400);

    const withTea = (await viewer.get('/api/orders?product=00000911245&size=200')).body as ListBody;
    expect(withTea.rows.length).toBeGreaterThan(0);
    const teaDetail = (await viewer.get(`/api/orders/${withTea.rows[0]!.id}`)).body as {
      order: { lines: Array<{ productCode: string | null }> };
    };
    expect(teaDetail.order.lines.some((l) => l.productCode === '00000911245')).toBe(true);
    const inOsaka = (await viewer.get('/api/orders?warehouse=osaka&size=200')).body as ListBody;
    const inTokyo = (await viewer.get('/api/orders?warehouse=tokyo&size=200')).body as ListBody;
    expect(inTokyo.rows.length).toBeGreaterThan(0);
    expect(inTokyo.rows.length + inOsaka.rows.length).toBeLessThanOrEqual(total * 2);
  });

  it('shows an order in detail with its events and raw payload; an unknown id is a 404', async () => {
    const list = (await viewer.get('/api/orders?size=1')).body as ListBody;
    const r = await viewer.get(`/api/orders/${list.rows[0]!.id}`);
    expect(r.status).toBe(200);
    const b = r.body as {
      order: { orderNo: string; orderer: { name: string }; lines: unknown[]; status: { label: string } };
      events: Array<{ action: string; actor: string }>;
      rawPayload: unknown;
    };
    expect(b.order.orderNo).toBe(list.rows[0]!.orderNo);
    expect(b.order.lines.length).toBeGreaterThan(0);
    expect(b.events[0]).toMatchObject({ action: 'imported', actor: 'import' });
    expect(b.rawPayload).toBeTypeOf('object');
    // Shopify sends gateway names: shown as sent.
    expect((r.body as { paymentMethodName: string | null }).paymentMethodName).toBe(
      (r.body as { order: { payment: { method: string | null } } }).order.payment.method,
    );
    expect((await viewer.get('/api/orders/999999')).status).toBe(404);
    expect((await viewer.get('/api/orders/abc')).status).toBe(400);
  });

  it('changes statuses in bulk, 自動確認 included, with a result per row', async () => {
    const comments = ((await viewer.get('/api/orders?status=customer_comment&size=3')).body as ListBody).rows;
    expect(comments.length).toBeGreaterThan(1);
    const ids = comments.map((o) => o.id);
    // A move the rules refuse: each row says why, nothing changes.
    const refused = await operator.post('/api/orders/bulk-status', { ids, target: 'shipping' });
    expect(refused.status).toBe(200);
    const rr = (refused.body as { results: ChangeResult[] }).results;
    expect(rr).toHaveLength(ids.length);
    expect(rr.every((x) => !x.ok && x.message.includes('出荷指示は'))).toBe(true);
    // 自動確認: the comment counts as read, the remaining checks run, each order moves on.
    const auto = await operator.post('/api/orders/bulk-status', {
      ids: [...ids, 999999],
      target: 'auto',
      reason: '確認済み',
    });
    const ar = (auto.body as { results: ChangeResult[] }).results;
    expect(ar).toHaveLength(ids.length + 1);
    for (const id of ids) {
      const x = ar.find((y) => y.orderId === id)!;
      expect(x.ok, x.message).toBe(true);
      expect(x.from).toBe('customer_comment');
      expect(x.to).not.toBe('customer_comment');
      const row = await d.t.db
        .selectFrom('orders')
        .select(['status_code', 'comment_checked'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.status_code).toBe(x.to);
      expect(row.comment_checked).toBe(true);
    }
    expect(ar.find((y) => y.orderId === 999999)).toMatchObject({ ok: false });
    const events = await d.t.db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', ids[0]!)
      .where('actor', '=', 'user:operator')
      .execute();
    expect(events.length).toBeGreaterThan(0);
    // Bad input is a 400 with a message the screen shows.
    expect((await operator.post('/api/orders/bulk-status', { ids, target: 'no_such_status' })).status).toBe(
      400,
    );
    expect((await operator.post('/api/orders/bulk-status', { ids: [], target: 'auto' })).status).toBe(400);
    // Single change from the detail screen, 自動確認 too.
    const hold = await operator.post(`/api/orders/${ids[0]}/status`, {
      target: 'review_hold',
      reason: '電話確認中',
    });
    expect((hold.body as { result: ChangeResult }).result).toMatchObject({ ok: true, to: 'review_hold' });
    const back = await operator.post(`/api/orders/${ids[0]}/status`, { target: 'auto' });
    expect((back.body as { result: ChangeResult }).result.ok).toBe(true);
    await expectStockInvariants(d.t.db);
  });

  it('releases reservations on chosen orders with a result per order, and finds orders holding stock', async () => {
    const search = await viewer.get('/api/release/search?warehouse=tokyo');
    const found = search.body as {
      total: number;
      orders: Array<{ id: number; lines: Array<{ warehouses: unknown[] }> }>;
    };
    expect(found.total).toBeGreaterThan(0);
    expect(found.orders.every((o) => o.lines.length > 0)).toBe(true);
    const holding = found.orders[0]!.id;
    const idle = (
      await d.t.db
        .selectFrom('orders')
        .select('id')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('reservations').select('id').whereRef('reservations.order_id', '=', 'orders.id'),
            ),
          ),
        )
        .limit(1)
        .executeTakeFirstOrThrow()
    ).id;
    expect((await operator.post('/api/orders/release', { ids: [holding] })).status).toBe(400); // reason required
    const r = await operator.post('/api/orders/release', {
      ids: [holding, idle],
      reason: '予約注文に回すため',
    });
    expect(r.status).toBe(200);
    const results = (r.body as { results: ChangeResult[] }).results;
    expect(results).toHaveLength(2);
    expect(results.find((x) => x.orderId === holding)).toMatchObject({ ok: true });
    expect(results.find((x) => x.orderId === holding)!.message).toMatch(/個の引当を解除しました/);
    expect(results.find((x) => x.orderId === idle)).toMatchObject({
      ok: false,
      message: '解除する引当がありません',
    });
    const left = await d.t.db
      .selectFrom('reservations')
      .select('id')
      .where('order_id', '=', holding)
      .execute();
    expect(left).toEqual([]);
    const ev = await d.t.db
      .selectFrom('order_events')
      .select(['actor', 'reason'])
      .where('order_id', '=', holding)
      .where('action', '=', 'reservation_released')
      .executeTakeFirstOrThrow();
    expect(ev).toEqual({ actor: 'user:operator', reason: '予約注文に回すため' });
    await expectStockInvariants(d.t.db);
  });

  it('keeps hostile cart strings as data: uploaded through a CSV store, returned verbatim as JSON, never as markup', async () => {
    const created = await admin.request('PUT', '/api/stores/csv-test', {
      body: { name: 'CSV テスト', cart: 'csv', importCron: '*/30 * * * *', enabled: true, settings: {} },
    });
    expect(created.status).toBe(200);
    const up = await operator.request('POST', '/api/stores/csv-test/orders-upload', {
      raw: Buffer.from(HOSTILE_CSV),
      headers: { 'x-file-name': encodeURIComponent('注文.csv') },
    });
    expect(up.status, up.text).toBe(200);
    const ub = up.body as {
      counts: { new: number; rejected: number };
      rejects: Array<{ id: number; error: string }>;
      lines: string[];
    };
    expect(ub.lines.at(-1)).toContain('注文.csv');
    expect(ub.counts.new).toBe(1);
    expect(ub.counts.rejected).toBe(1);
    expect(ub.rejects).toHaveLength(1);
    // The same file again: the first upload's answer, and no second slip (nor a second run).
    const again = await operator.request('POST', '/api/stores/csv-test/orders-upload', {
      raw: Buffer.from(HOSTILE_CSV),
      headers: { 'x-file-name': encodeURIComponent('注文.csv') },
    });
    const ab = again.body as { repeated: boolean; uploadId: number; lines: string[] };
    expect(ab.repeated).toBe(true);
    expect(ab.lines[0]).toContain('取込済み');
    expect(ab.uploadId).toBe((up.body as { uploadId: number }).uploadId);
    expect(
      (
        await operator.request('POST', '/api/stores/shopify-global/orders-upload', {
          raw: Buffer.from(HOSTILE_CSV),
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await operator.request('POST', '/api/stores/csv-test/orders-upload', {
          raw: Buffer.from('a,b\n1,2\n'),
        })
      ).status,
    ).toBe(400);

    const list = await viewer.get('/api/orders?store=csv-test');
    expect(list.headers.get('content-type')).toContain('application/json');
    const row = (list.body as ListBody).rows[0]!;
    expect(row.orderer).toBe(HOSTILE_NAME);
    const detail = await viewer.get(`/api/orders/${row.id}`);
    const o = (detail.body as { order: { customerRemarks: string; lines: Array<{ name: string }> } }).order;
    expect(o.customerRemarks).toBe(HOSTILE_REMARK);
    expect(o.lines[0]!.name).toBe('静岡深蒸し煎茶 <b>100g</b>');
    expect(detail.headers.get('x-content-type-options')).toBe('nosniff');
    // The page itself carries no data: it is the same static shell for every order.
    const page = await viewer.get(`/orders/${row.id}`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).not.toContain('alert');

    // The rejected row waits in 取込エラー with its payload; an admin can re-process it.
    const rejects = (await viewer.get('/api/import-rejects?store=csv-test')).body as {
      rejects: Array<{ id: number; error: string }>;
    };
    expect(rejects.rejects).toHaveLength(1);
    const rj = (await viewer.get(`/api/import-rejects/${rejects.rejects[0]!.id}`)).body as {
      rawPayload: unknown;
    };
    expect(rj.rawPayload).toBeTypeOf('object');
    const rp = await admin.post(`/api/import-rejects/${rejects.rejects[0]!.id}/reprocess`);
    expect(rp.status).toBe(200);
    const job = await d.running.dashboard.queues.maintenance.getJob((rp.body as { jobId: string }).jobId);
    expect(job?.name).toBe('reprocess-reject');
    expect(job?.data).toEqual({ rejectId: rejects.rejects[0]!.id, requestedBy: 'user:admin' });
    const runs = (await viewer.get('/api/import-runs?store=csv-test')).body as {
      runs: Array<{ trigger: string; counts: { new: number } }>;
    };
    expect(runs.runs.map((x) => x.trigger)).toEqual(['upload']);
  });

  it('never builds screen markup from strings: the scripts use DOM text only', async () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
    const files: string[] = [];
    const walk = async (p: string) => {
      for (const e of await readdir(p, { withFileTypes: true }))
        if (e.isDirectory()) await walk(path.join(p, e.name));
        else files.push(path.join(p, e.name));
    };
    await walk(dir);
    const scripts = files.filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(10);
    for (const f of scripts) {
      const src = await readFile(f, 'utf8');
      expect(src, f).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      );
    }
    for (const f of files.filter((x) => x.endsWith('.html')))
      expect(await readFile(f, 'utf8'), f).not.toMatch(/<script(?![^>]*type="module" src=")/);
  });

  it('lists stores with schedule, next run, lag and cursor; credentials are write-only; import now and re-import enqueue jobs', async () => {
    const s = (await viewer.get('/api/stores')).body as {
      stores: Array<{
        code: string;
        nextRun: string | null;
        lagSeconds: number | null;
        cursor: string | null;
        hasCredentials: boolean;
        credentialFields: string[];
        importCron: string;
        importCronWords: string | null;
      }>;
    };
    const shop = s.stores.find((x) => x.code === 'shopify-global')!;
    if (shop.importCron === '*/10 * * * *') expect(shop.importCronWords).toBe('10分ごと');
    for (const x of s.stores)
      expect(x.importCronWords === null || !/[*/]/.test(x.importCronWords)).toBe(true);
    expect(shop.cursor).not.toBeNull();
    expect(shop.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(shop.nextRun!)).toBeGreaterThan(Date.now() - 1000);
    expect(shop.nextRun).toMatch(/\+09:00$/);
    expect(shop.hasCredentials).toBe(true);
    expect(shop.credentialFields.length).toBeGreaterThan(0);
    for (const v of Object.values(cartModule('shopify').demoCredentials as Record<string, string>))
      expect(JSON.stringify(s)).not.toContain(v);

    const missing = await admin.request('PUT', '/api/stores/shopify-global/credentials', {
      body: { credentials: {} },
    });
    expect(missing.status).toBe(400);
    const fields = Object.fromEntries(shop.credentialFields.map((f) => [f, `secret-${f}-value`]));
    const saved = await admin.request('PUT', '/api/stores/shopify-global/credentials', {
      body: { credentials: fields },
    });
    expect(saved.status).toBe(200);
    expect(saved.text).not.toContain('secret-');
    expect((await viewer.get('/api/stores/shopify-global')).text).not.toContain('secret-');
    const raw = await d.t.db
      .selectFrom('stores')
      .select('credentials_encrypted')
      .where('code', '=', 'shopify-global')
      .executeTakeFirstOrThrow();
    expect(raw.credentials_encrypted).not.toContain('secret-');
    // New credentials are tried at once: an import is queued with them.
    const proving = (saved.body as { jobId: string; message: string }).jobId;
    expect(proving).toBeTruthy();
    expect((saved.body as { message: string }).message).toContain('今の認証情報で取込を始めます');

    const a = await operator.post('/api/stores/shopify-global/import');
    const b = await operator.post('/api/stores/shopify-global/import');
    expect(a.status).toBe(200);
    // Deduplicated: one import waiting per store however often "import now" is clicked (here the
    // one the new credentials queued).
    expect((b.body as { jobId: string }).jobId).toBe((a.body as { jobId: string }).jobId);
    expect((a.body as { jobId: string }).jobId).toBe(proving);
    const job = await d.running.dashboard.queues.import.getJob((a.body as { jobId: string }).jobId);
    expect(job?.data).toEqual({
      storeCode: 'shopify-global',
      trigger: 'manual',
      requestedBy: 'user:admin',
    });
    const re = await operator.post('/api/stores/shopify-global/reimport', { cartOrderNo: '#1001' });
    const rjob = await d.running.dashboard.queues.import.getJob((re.body as { jobId: string }).jobId);
    expect(rjob?.name).toBe('reimport-order');
    expect((await operator.post('/api/stores/no-such-store/import')).status).toBe(404);
    expect(
      (
        await admin.request('PUT', '/api/stores/shopify-global', {
          body: { name: 'x', importCron: 'not cron', enabled: true },
        })
      ).status,
    ).toBe(400);
    // Cron fires in Japan time: 09:00 JST is 00:00 UTC, within the next day.
    const nine = nextRun('0 9 * * *')!;
    expect([nine.getUTCHours(), nine.getUTCMinutes()]).toEqual([0, 0]);
    expect(nine.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(nextRun('not a cron')).toBeNull();
  });

  it('adds, edits and deletes store product mappings; adding one re-checks the orders waiting on it', async () => {
    const before = (await viewer.get('/api/mappings?store=shopify-global')).body as {
      unmapped: Array<{ cartProductCode: string; lines: number }>;
    };
    const waiting = before.unmapped.find((u) => u.cartProductCode === 'NEW-2026-AKI');
    expect(waiting?.lines).toBeGreaterThan(0);
    // The product must exist in the master first.
    const bad = await admin.post('/api/mappings', {
      store: 'shopify-global',
      cartProductCode: 'NEW-2026-AKI',
      productCode: 'NOPE',
    });
    expect(bad.status).toBe(400);
    await d.t.db
      .insertInto('products')
      .values({ code: '00000960001', name: '秋限定 和紅茶 50g', tax_rate: 8 })
      .execute();
    const add = await admin.post('/api/mappings', {
      store: 'shopify-global',
      cartProductCode: 'NEW-2026-AKI',
      productCode: '00000960001',
    });
    expect(add.status).toBe(200);
    const job = await d.running.dashboard.queues.maintenance.getJob((add.body as { jobId: string }).jobId);
    expect(job?.name).toBe('recheck-mapping');
    expect(job?.data).toEqual({
      storeCode: 'shopify-global',
      cartProductCode: 'NEW-2026-AKI',
      requestedBy: 'user:admin',
    });
    const id = (add.body as { id: number }).id;
    const edit = await admin.request('PUT', `/api/mappings/${id}`, {
      body: {
        store: 'shopify-global',
        cartProductCode: 'NEW-2026-AKI',
        productCode: '00000960001',
        unitsPerCartUnit: 2,
      },
    });
    expect(edit.status).toBe(200);
    const list = (await viewer.get('/api/mappings?q=NEW-2026')).body as {
      mappings: Array<{ id: number; unitsPerCartUnit: number; productName: string }>;
    };
    expect(list.mappings.find((m) => m.id === id)).toMatchObject({
      unitsPerCartUnit: 2,
      productName: '秋限定 和紅茶 50g',
    });
    const csv =
      '店舗コード,カート商品コード,オプション,商品コード,入数\nshopify-global,GIFT-A,,00000950001,1\nshopify-global,GIFT-B,,NOPE,1\n';
    const up = await admin.request('POST', '/api/mappings/upload', { raw: Buffer.from(csv) });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ ok: 1, failed: 1 });
    expect((await admin.request('DELETE', `/api/mappings/${id}`)).status).toBe(200);
    expect((await admin.request('DELETE', `/api/mappings/${id}`)).status).toBe(404);
  });

  it('renames and adds statuses; the new label shows everywhere', async () => {
    expect((await admin.request('PUT', '/api/statuses/hold_1', { body: { label: '予約注文' } })).status).toBe(
      200,
    );
    const st = (await viewer.get('/api/statuses')).body as {
      statuses: Array<{ code: string; label: string }>;
    };
    expect(st.statuses.find((s) => s.code === 'hold_1')?.label).toBe('予約注文');
    const add = await admin.post('/api/statuses', {
      code: 'gift_wrap',
      group: 'fulfillment',
      label: 'ギフト包装待ち',
    });
    expect(add.status).toBe(200);
    expect(
      (await admin.post('/api/statuses', { code: 'x_cancel', group: 'cancellation', label: 'x' })).status,
    ).toBe(400);
    const counts = (await viewer.get('/api/orders/counts')).body as {
      groups: Array<{ statuses: Array<{ code: string; label: string }> }>;
    };
    expect(counts.groups.flatMap((g) => g.statuses).find((s) => s.code === 'gift_wrap')?.label).toBe(
      'ギフト包装待ち',
    );
    expect((await admin.request('DELETE', '/api/statuses/gift_wrap')).status).toBe(200);
    expect((await admin.request('DELETE', '/api/statuses/shipped')).status).toBe(400);
  });

  it('receives and corrects stock, instructs shipping and confirms shipments', async () => {
    const stock = (await viewer.get('/api/stock?product=00000911246')).body as {
      rows: Array<{ warehouse: string; onHand: number; reserved: number }>;
    };
    const tokyo = stock.rows.find((r) => r.warehouse === 'tokyo')!;
    const rec = await operator.post('/api/stock/receive', {
      product: '00000911246',
      warehouse: 'tokyo',
      quantity: 50,
    });
    expect(rec.status).toBe(200);
    expect((rec.body as { onHand: number }).onHand).toBe(tokyo.onHand + 50);
    expect(
      (await operator.post('/api/stock/receive', { product: 'NOPE', warehouse: 'tokyo', quantity: 1 }))
        .status,
    ).toBe(400);
    const csv = await operator.request('POST', '/api/stock/upload', {
      raw: Buffer.from('商品コード,倉庫,入荷数\n00000940100,tokyo,5\nNOPE,tokyo,1\n'),
    });
    expect(csv.status).toBe(200);
    expect(csv.body).toMatchObject({ ok: 1, failed: 1 });
    // The result is stored under the upload's id (whoever asks, the sender gone or not); the
    // same file again changes nothing.
    const uploadId = (csv.body as { uploadId: number }).uploadId;
    const stored = (await viewer.get(`/api/uploads/${uploadId}`)).body as {
      upload: { status: string; rowsApplied: number; rowsFailed: number };
      errors: Array<{ line: number; message: string }>;
    };
    expect(stored.upload).toMatchObject({ status: 'succeeded', rowsApplied: 1, rowsFailed: 1 });
    expect(stored.errors).toEqual([{ line: 3, message: '商品コード「NOPE」は商品マスタにありません' }]);
    const again = await operator.request('POST', '/api/stock/upload', {
      raw: Buffer.from('商品コード,倉庫,入荷数\n00000940100,tokyo,5\nNOPE,tokyo,1\n'),
    });
    expect(again.body).toMatchObject({ uploadId, repeated: true });
    expect((await viewer.get('/api/inbox-files/failed')).body).toEqual({ files: [] });

    const ready = (await viewer.get('/api/shipping/orders')).body as { rows: OrderListRow[] };
    expect(ready.rows.length).toBeGreaterThan(0);
    const pick = ready.rows.slice(0, 2).map((o) => o.id);
    const ins = await operator.post('/api/shipping/instruction', { orderIds: pick });
    const results = (ins.body as { results: ChangeResult[] }).results;
    expect(results).toHaveLength(2);
    expect(results.every((r) => r.ok && r.to === 'shipping')).toBe(true);
    const shipped = await operator.post(`/api/orders/${pick[0]}/ship`, { trackingNumber: '1234-5678-9012' });
    expect((shipped.body as { result: ChangeResult }).result).toMatchObject({ ok: true, to: 'shipped' });
    const orderNo = results[1]!.orderNo;
    const up = await operator.request('POST', '/api/shipping/upload', {
      raw: Buffer.from(`受注No,伝票番号\n${orderNo},9999-0000-1111\n99999999,x\n`),
    });
    expect(up.status, up.text).toBe(200);
    const ur = up.body as { ok: number; failed: number; lines: string[]; uploadId: number };
    expect(ur).toMatchObject({ ok: 1, failed: 1 });
    expect(ur.lines).toContain('✗ upload.csv 3 行目: 受注No 99999999 の注文はありません');
    // Its result is stored: whoever asks later (the browser that sent it may be gone) reads it.
    const shipUpload = (await operator.get(`/api/uploads/${ur.uploadId}`)).body as {
      upload: { kind: string; status: string; rowsApplied: number };
      errors: Array<{ line: number }>;
    };
    expect(shipUpload.upload).toMatchObject({ kind: 'shipments', status: 'succeeded', rowsApplied: 1 });
    expect(shipUpload.errors.map((e) => e.line)).toEqual([3]);
    await expectStockInvariants(d.t.db);
  });

  it('exports metrics: queue depths, failed jobs, import lag per store and orders per status', async () => {
    const m = (await new Client(d.url).get('/metrics')).text;
    expect(m).toMatch(/juchu_import_lag_seconds\{store="shopify-global"\} \d+/);
    expect(m).toMatch(/juchu_orders\{store="shopify-global",status="[a-z_]+",group="[a-z]+"\} \d+/);
    expect(m).toMatch(
      /juchu_queue_jobs\{queue="orders-import",state="(waiting|prioritized|delayed)"\} [1-9]/,
    );
    expect(m).toContain('juchu_import_rejects_open{store="csv-test"} 1');
    const sum = [...m.matchAll(/^juchu_orders\{[^}]*\} (\d+)$/gm)].reduce((n, x) => n + Number(x[1]), 0);
    expect(sum).toBe(await countOrders(d.t.db));
  });
});
