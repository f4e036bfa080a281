// The 商品マスタ routes against real PostgreSQL and Redis: everyone reads, admins write; paging and
// search; add (the re-check job for the code, storeCode null), edit, deactivate / reactivate, delete
// only while unused (404 for none); the CSV import with a dry run and every bad row listed (400,
// nothing applied); the export in UTF-8 with a BOM and in Shift_JIS; セット商品 (/api/sets).
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { cartOrder, importOrders, seedStock } from '../test/stock-fixtures.js';

type ProductBody = { code: string; name: string; active: boolean; taxRate: number; jan: string | null };
type ListBody = {
  products: ProductBody[];
  next: string | null;
  waiting: Array<{ cartProductCode: string; name: string; orders: number; stores: string[] }>;
};

describe('商品マスタ routes', () => {
  let d: TestDashboard;
  let admin: Client;
  let operator: Client;
  let viewer: Client;

  beforeAll(async () => {
    d = await startTestDashboard('products-api');
    [admin, operator, viewer] = await Promise.all([
      Client.as(d.url, 'admin'),
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'viewer'),
    ]);
    const store = (await findStore(d.t.db, 'rakuten-main'))!;
    await importOrders(d.t.db, store, [
      cartOrder(store, 'W-1', { lines: [['WAIT-ME', 1]], orderedAt: '2026-12-01T01:00:00Z' }),
    ]);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('lists the master a page at a time with search, and the codes orders wait on', async () => {
    const seen: string[] = [];
    let after: string | null = '';
    while (after !== null) {
      const r = await viewer.get(
        `/api/product-master?size=4${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      );
      expect(r.status).toBe(200);
      const b = r.body as ListBody;
      seen.push(...b.products.map((p) => p.code));
      after = b.next;
    }
    expect(seen.length).toBeGreaterThan(8);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    const search = (await viewer.get(`/api/product-master?q=${encodeURIComponent('抹茶')}`)).body as ListBody;
    expect(search.products.map((p) => p.code)).toContain('00000911246');
    expect(search.waiting).toContainEqual(
      expect.objectContaining({ cartProductCode: 'WAIT-ME', orders: 1, stores: ['rakuten-main'] }),
    );
    expect((await viewer.get('/api/product-master?after=a%2Fb')).status).toBe(400);
    expect((await viewer.get('/api/product-master/00000911246')).body).toMatchObject({ taxRate: 8 });
    expect((await viewer.get('/api/product-master/NOPE')).status).toBe(404);
    expect((await viewer.get('/api/product-master/a%20b')).status).toBe(404);
  });

  it('lets admins only add; a new product enqueues the re-check of its code for every store', async () => {
    const body = { code: 'WAIT-ME', name: '待っていた商品', taxRate: 8, jan: '4006381333931' };
    expect((await viewer.post('/api/product-master', body)).status).toBe(403);
    expect((await operator.post('/api/product-master', body)).status).toBe(403);
    const r = await admin.post('/api/product-master', body);
    expect(r.status).toBe(200);
    const b = r.body as { jobId: string; message: string; product: ProductBody };
    expect(b.product).toMatchObject({ code: 'WAIT-ME', taxRate: 8, active: true });
    expect(b.message).toContain('商品 WAIT-ME（待っていた商品）を登録しました');
    const job = await d.running.dashboard.queues.maintenance.getJob(b.jobId);
    expect(job?.name).toBe('recheck-mapping');
    expect(job?.data).toEqual({ storeCode: null, cartProductCode: 'WAIT-ME', requestedBy: 'user:admin' });

    const again = await admin.post('/api/product-master', body);
    expect(again.status).toBe(400);
    expect((again.body as { message: string }).message).toBe('商品コード WAIT-ME はすでに登録されています');
    const bad = await admin.post('/api/product-master', { code: 'BAD', name: 'x', jan: '123', taxRate: 5 });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^JAN: 桁数が違います.*／税率: 10 か 8/);
  });

  it('edits, deactivates and reactivates, and deletes only what nothing uses', async () => {
    const e = await admin.request('PUT', '/api/product-master/WAIT-ME', {
      body: { needsCheck: true, needsCheckNote: '色を確認' },
    });
    expect(e.status).toBe(200);
    expect((e.body as { message: string }).message).toBe('商品 WAIT-ME を更新しました（要修正、要修正メモ）');
    expect(
      (await operator.request('PUT', '/api/product-master/WAIT-ME', { body: { name: 'x' } })).status,
    ).toBe(403);
    expect((await admin.post('/api/product-master/WAIT-ME/deactivate')).status).toBe(200);
    const active = (await viewer.get('/api/product-master?q=WAIT-ME')).body as ListBody;
    expect(active.products).toEqual([]);
    const inactive = (await viewer.get('/api/product-master?q=WAIT-ME&state=inactive')).body as ListBody;
    expect(inactive.products.map((p) => p.code)).toEqual(['WAIT-ME']);
    expect((await admin.post('/api/product-master/WAIT-ME/activate')).status).toBe(200);

    // An order line uses WAIT-ME once the re-check ran; run the same check the worker would.
    await d.t.db
      .updateTable('order_lines')
      .set({ product_code: 'WAIT-ME' })
      .where('cart_product_code', '=', 'WAIT-ME')
      .execute();
    const used = await admin.request('DELETE', '/api/product-master/WAIT-ME');
    expect(used.status).toBe(400);
    expect(used.body).toMatchObject({ rule: 'product_in_use' });
    expect((used.body as { message: string }).message).toContain('無効にしてください');
    await admin.post('/api/product-master', { code: 'GONE', name: '消す商品' });
    expect((await admin.request('DELETE', '/api/product-master/GONE')).status).toBe(200);
    expect((await admin.request('DELETE', '/api/product-master/GONE')).status).toBe(404);
  });

  it('imports a CSV after a dry run, and refuses a file with a bad row, listing every one', async () => {
    const csv = Buffer.from(
      '商品コード,商品名,税率\r\nCSV-A,CSV の商品,8\r\n00000911245,静岡深蒸し煎茶 100g 改,8\r\n',
    );
    expect((await operator.request('POST', '/api/product-import?dryRun=1', { raw: csv })).status).toBe(403);
    const dry = await admin.request('POST', '/api/product-import?dryRun=1', { raw: csv });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      ok: true,
      applied: false,
      counts: { new: 1, changed: 1, unchanged: 0 },
    });
    expect((await viewer.get('/api/product-master/CSV-A')).status).toBe(404);
    const done = await admin.request('POST', '/api/product-import', { raw: csv });
    expect(done.body).toMatchObject({ ok: true, applied: true });
    expect((await viewer.get('/api/product-master/CSV-A')).status).toBe(200);

    const bad = Buffer.from('商品コード,商品名,JAN\nCSV-B,良い行,\nCSV C,悪いコード,4006381333932\n');
    const r = await admin.request('POST', '/api/product-import', { raw: bad });
    expect(r.status).toBe(400);
    const b = r.body as { errors: Array<{ line: number; column: string }>; lines: string[]; message: string };
    expect(b.errors.map((e) => [e.line, e.column])).toEqual([
      [3, '商品コード'],
      [3, 'JAN'],
    ]);
    expect(b.message).toBe('ファイルにエラーがあるため、何も登録していません');
    expect((await viewer.get('/api/product-master/CSV-B')).status).toBe(404);
    const noCode = await admin.request('POST', '/api/product-import', { raw: Buffer.from('name\nx\n') });
    expect(noCode.status).toBe(400);
  });

  it('exports the master in UTF-8 with a BOM or in Shift_JIS', async () => {
    const get = (q: string) =>
      fetch(`${d.url}/api/product-export${q}`, { headers: { cookie: viewer.cookie! } });
    const utf8 = await get('');
    expect(utf8.status).toBe(200);
    expect(utf8.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(utf8.headers.get('content-disposition')).toMatch(/^attachment; filename="products-\d{8}\.csv"$/);
    const u = Buffer.from(await utf8.arrayBuffer());
    expect([...u.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(u.toString('utf8', 3)).toContain('00000911246,宇治抹茶 30g缶,,8,0,,1');
    const sjis = await get('?encoding=sjis');
    expect(sjis.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
    expect(iconv.decode(Buffer.from(await sjis.arrayBuffer()), 'cp932')).toContain('宇治抹茶 30g缶');
    expect((await get('?encoding=latin1')).status).toBe(400);
  });

  it('セット商品: everyone reads a set with its free sets; admins define and clear it (one use case)', async () => {
    await seedStock(d.t.db, { 'API-SET': {}, 'API-CUP': { tokyo: 7 }, 'API-TEA': { tokyo: 2, osaka: 1 } });
    const body = {
      components: [
        { productCode: 'API-CUP', quantity: 2 },
        { productCode: 'API-TEA', quantity: 1 },
      ],
    };
    expect((await operator.request('PUT', '/api/sets/API-SET', { body })).status).toBe(403);
    const put = await admin.request('PUT', '/api/sets/API-SET', { body });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      message: 'API-SET はセット商品です: API-CUP×2、API-TEA×1',
      set: { code: 'API-SET', freeSets: 3 }, // CUP 7 ÷ 2 = 3, TEA 3 ÷ 1 = 3
    });
    const list = (await viewer.get('/api/sets')).body as { sets: Array<{ code: string; freeSets: number }> };
    expect(list.sets).toContainEqual(expect.objectContaining({ code: 'API-SET', freeSets: 3 }));
    const one = await viewer.get('/api/sets/API-SET');
    expect(one.body).toMatchObject({
      components: [
        { productCode: 'API-CUP', quantity: 2, free: 7 },
        { productCode: 'API-TEA', quantity: 1, free: 3 },
      ],
      openLines: 0,
    });
    const refusals = [
      [{ components: [] }, '構成品を 1 つ以上入力してください'],
      [{ components: [{ productCode: 'API-SET', quantity: 1 }] }, '自分自身を構成品にできません'],
      [{ components: [{ productCode: 'NOPE', quantity: 1 }] }, '構成品 NOPE は商品マスタにありません'],
      [{ components: [{ productCode: 'API-CUP', quantity: 0 }] }, '数量は 1 以上です'],
    ] as const;
    for (const [b, message] of refusals) {
      const r = await admin.request('PUT', '/api/sets/API-SET', { body: b });
      expect(r.status, message).toBe(400);
      expect((r.body as { message: string }).message).toContain(message);
    }
    expect((await admin.request('PUT', '/api/sets/NO-SUCH', { body })).status).toBe(404);
    const del = await admin.request('DELETE', '/api/sets/API-SET');
    expect(del.body).toMatchObject({ message: 'API-SET はセット商品ではなくなりました' });
    expect((await viewer.get('/api/sets/API-SET')).status).toBe(404);
  });
});
