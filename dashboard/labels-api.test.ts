// 配送設定 and 送り状データ over HTTP: who may change what, refusals in Japanese naming the rule, an
// order's carrier changed by an operator, a size class set by an admin, the label download's headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../db/stores.js';
import { emptyParty } from '../domain/order.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';

describe('配送設定 and label API', () => {
  let d: TestDashboard;
  let admin: Client;
  let operator: Client;
  let viewer: Client;
  let shop: Store;

  beforeAll(async () => {
    d = await startTestDashboard('labels-api');
    shop = await createShop(d.t.db, 'api-shop');
    await seedStock(d.t.db, { API1: { tokyo: 10 } });
    const shipTo = {
      ...emptyParty(),
      name: '佐藤 一',
      postalCode: '100-1511',
      prefecture: '東京都',
      address1: '八丈町1',
    };
    await importOrders(
      d.t.db,
      shop,
      [{ ...cartOrder(shop, 'A-1', { lines: [['API1', 1]], orderedAt: at(1) }), shipTo }],
      new Date(),
    );
    [admin, operator, viewer] = await Promise.all([
      Client.as(d.url, 'admin'),
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'viewer'),
    ]);
  }, 60_000);
  afterAll(async () => {
    await d?.close();
  });

  const settings = {
    sender: {
      name: '',
      postalCode: '100-0001',
      phone: '03-1234-5678',
      address1: '東京都千代田区千代田1-1',
      address2: '',
    },
    defaults: { carrier: 'yamato', method: 'takkyubin' },
    codMethods: null,
    codes: { yamatoBillingCustomerCode: '012345678901' },
    rules: [
      { kind: 'postal', values: ['1000100-1002999'], carrier: 'japanpost', method: 'yupack', note: '離島' },
    ],
  };

  it('admins save a store’s settings; operators may not; a bad rule is refused naming it', async () => {
    expect((await operator.request('PUT', '/api/carrier-settings/api-shop', { body: settings })).status).toBe(
      403,
    );
    const bad = await admin.request('PUT', '/api/carrier-settings/api-shop', {
      body: { ...settings, rules: [{ kind: 'size', values: ['75'], carrier: 'sagawa', method: 'hikyaku' }] },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toContain('ルール1: サイズ区分を1つ選んでください');
    const ok = await admin.request('PUT', '/api/carrier-settings/api-shop', { body: settings });
    expect(ok.status).toBe(200);
    const read = (await viewer.get('/api/carrier-settings')).body as {
      stores: Array<{ storeCode: string; rules: unknown[] }>;
    };
    expect(read.stores.find((s) => s.storeCode === 'api-shop')!.rules).toHaveLength(1);
  });

  it('an order shows its rule; an operator changes the carrier and parcels; viewers cannot', async () => {
    const { id } = await orderView(d.t.db, shop.id, 'A-1');
    const c = (await viewer.get(`/api/orders/${id}/carrier`)).body as { reason: string; label: string };
    expect(c).toMatchObject({
      label: '日本郵便 ゆうパック',
      reason: 'ルール1: 離島（郵便番号 1000100-1002999） → 日本郵便 ゆうパック',
    });
    expect((await viewer.post(`/api/orders/${id}/carrier`, { parcels: 2 })).status).toBe(403);
    const r = await operator.post(`/api/orders/${id}/carrier`, {
      choice: { carrier: 'sagawa', method: 'hikyaku' },
      parcels: 2,
    });
    expect(r.status).toBe(200);
    expect((r.body as { message: string }).message).toContain(
      '運送会社を 佐川急便 飛脚宅配便 にしました、個口数を 2 にしました',
    );
    const after = (await viewer.get(`/api/orders/${id}/carrier`)).body as { source: string; parcels: number };
    expect(after).toMatchObject({ source: 'operator', parcels: 2 });
  });

  it('size classes: admins set them, a bad one is refused', async () => {
    expect(
      (await admin.request('PUT', '/api/product-sizes/API1', { body: { sizeClass: '120' } })).status,
    ).toBe(200);
    expect(
      (await admin.request('PUT', '/api/product-sizes/NOPE', { body: { sizeClass: '120' } })).status,
    ).toBe(404);
    expect(
      (await operator.request('PUT', '/api/product-sizes/API1', { body: { sizeClass: '60' } })).status,
    ).toBe(403);
    const list = (await viewer.get('/api/product-sizes?q=API')).body as {
      products: Array<{ code: string; sizeClass: string }>;
    };
    expect(list.products).toEqual([{ code: 'API1', name: '商品 API1', sizeClass: '120' }]);
  });

  it('instruction answers with its batch; the download is Shift_JIS with its summary; viewers cannot download', async () => {
    const { id } = await orderView(d.t.db, shop.id, 'A-1');
    const r = await operator.post('/api/shipping/instruction', { orderIds: [id] });
    const batchId = (r.body as { batchId: number }).batchId;
    expect(batchId).toBeGreaterThan(0);
    const detail = (await viewer.get(`/api/shipping/batches/${batchId}`)).body as {
      counts: Record<string, number>;
    };
    expect(detail.counts).toEqual({ sagawa: 1 });
    expect((await viewer.get(`/api/shipping/batches/${batchId}/labels?carrier=sagawa`)).status).toBe(403);
    const bad = await operator.get(`/api/shipping/batches/${batchId}/labels?carrier=fedex`);
    expect(bad.status).toBe(400);
    const dl = await operator.get(`/api/shipping/batches/${batchId}/labels?carrier=sagawa`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
    const summary = JSON.parse(decodeURIComponent(dl.headers.get('x-label-summary')!));
    expect(summary).toMatchObject({ orders: 1, rows: 1, layout: { id: 'ehiden3' } });
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${summary.fileName}"`);
    expect((await operator.post(`/api/orders/${id}/carrier`, { choice: null })).status).toBe(400);
  });
});
