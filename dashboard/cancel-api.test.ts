// The cancel screen's API over HTTP: what cancelling at the cart means for an order (the cart's
// reasons, or "by hand" for a cart without a cancel API), an operator's cancel with the cart's reason
// recorded as a cart action, a reason the cart does not take refused, and a viewer who may look but
// not cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { cartOrder, createShop, importOrders, seedStock } from '../test/stock-fixtures.js';

interface Options {
  supported: boolean;
  reasons: Array<{ code: string; label: string }>;
  defaultReason: string | null;
  note: string;
  cartCancelled: boolean;
}
interface Result {
  ok: boolean;
  message: string;
  cart?: { recorded: boolean; message: string };
}

describe('cancel API', () => {
  let d: TestDashboard;
  let operator: Client;
  let viewer: Client;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    d = await startTestDashboard('cancel-api');
    await seedStock(d.t.db, { 'CA-A': { tokyo: 9 } });
    for (const [code, cart] of [
      ['ca-rakuten', 'rakuten'],
      ['ca-amazon', 'amazon'],
    ] as const) {
      const shop = await createShop(d.t.db, code, { importStatuses: ['300', 'Unshipped'] }, cart);
      await importOrders(
        d.t.db,
        shop,
        [1, 2].map((i) =>
          cartOrder(shop, `${code}-${i}`, {
            lines: [['CA-A', 1]],
            orderedAt: new Date(Date.UTC(2026, 10, 20, 0, i)),
            cartStatus: cart === 'rakuten' ? '300' : 'Unshipped',
          }),
        ),
      );
    }
    for (const o of await d.t.db.selectFrom('orders').select(['id', 'cart_order_no']).execute())
      ids[o.cart_order_no] = o.id;
    [operator, viewer] = await Promise.all([Client.as(d.url, 'operator'), Client.as(d.url, 'viewer')]);
  }, 60_000);
  afterAll(async () => {
    await d?.close();
  });

  it("shows the cart's cancel reasons, or that the cart must be told by hand", async () => {
    const r = await viewer.get(`/api/orders/${ids['ca-rakuten-1']}/cancel-options`);
    expect(r.status).toBe(200);
    const rakuten = r.body as Options;
    expect(rakuten).toMatchObject({ supported: true, defaultReason: '10', cartCancelled: false });
    expect(rakuten.reasons).toContainEqual({ code: '8', label: '欠品（店舗都合）' });
    const amazon = (await viewer.get(`/api/orders/${ids['ca-amazon-1']}/cancel-options`)).body as Options;
    expect(amazon).toMatchObject({ supported: false, reasons: [] });
    expect(amazon.note).toContain('Amazonの管理画面でキャンセルしてください');
    expect((await viewer.get('/api/orders/999999/cancel-options')).status).toBe(404);
  });

  it('a viewer may not cancel; an operator cancels at the cart with its reason', async () => {
    const id = ids['ca-rakuten-1']!;
    expect((await viewer.post(`/api/orders/${id}/cancel`, { atCart: true })).status).toBe(403);

    const bad = await operator.post(`/api/orders/${id}/cancel`, { atCart: true, cartReason: '7' });
    expect(bad.status).toBe(200);
    expect((bad.body as { result: Result }).result).toMatchObject({ ok: false });
    expect((bad.body as { result: Result }).result.message).toContain('キャンセル理由コード 7');

    const r = await operator.post(`/api/orders/${id}/cancel`, {
      reason: '欠品',
      atCart: true,
      cartReason: '8',
    });
    expect(r.status).toBe(200);
    expect((r.body as { result: Result }).result).toMatchObject({ ok: true, cart: { recorded: true } });
    const actions = await d.t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).execute();
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'cancel', created_by: 'user:operator' });
    expect(actions[0]!.payload).toMatchObject({ reasonCode: '8', reason: '欠品' });
  });

  it('a cart without the API: cancelled in juchu, nothing recorded, told to do it by hand', async () => {
    const id = ids['ca-amazon-1']!;
    const r = await operator.post(`/api/orders/${id}/cancel`, { atCart: true });
    const result = (r.body as { result: Result }).result;
    expect(result).toMatchObject({ ok: true, cart: { recorded: false } });
    expect(result.message).toContain('管理画面でキャンセルしてください');
    expect(await d.t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).execute()).toEqual(
      [],
    );
  });

  it('without the choice nothing goes to the cart; the choice is refused with a later step', async () => {
    const id = ids['ca-rakuten-2']!;
    const later = await operator.post(`/api/orders/${id}/cancel`, { atCart: true, step: 'complete' });
    expect(later.status).toBe(400);
    const r = await operator.post(`/api/orders/${id}/cancel`, { reason: '重複注文' });
    expect((r.body as { result: Result }).result).toMatchObject({ ok: true });
    expect(await d.t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).execute()).toEqual(
      [],
    );
  });

  it('注文確認: a viewer may not; an operator is told per order why it needs none', async () => {
    const ids2 = [ids['ca-rakuten-2']!, ids['ca-amazon-2']!];
    expect((await viewer.post('/api/orders/confirm-at-cart', { ids: ids2 })).status).toBe(403);
    const r = await operator.post('/api/orders/confirm-at-cart', { ids: ids2 });
    expect(r.status).toBe(200);
    const results = (r.body as { results: Result[] }).results;
    expect(results.map((x) => x.ok)).toEqual([false, false]);
    expect(results.map((x) => x.message).join(' ')).toContain('注文確認待ち 100 の注文だけ');
    expect(results.map((x) => x.message).join(' ')).toContain('楽天市場の注文だけ');
    expect((await operator.post('/api/orders/confirm-at-cart', { ids: [] })).status).toBe(400);
  });
});
