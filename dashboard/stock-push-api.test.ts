// 在庫連携 over HTTP: the push state per store, the dry run (nothing sent), and a push refused in
// Japanese for a store whose push is off; 「この商品の在庫を今すぐ連携」 recorded in the outbox and its
// delivery job queued (nothing sent by the request); a viewer may look but not push.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';

describe('stock push API', () => {
  let d: TestDashboard;
  let operator: Client;
  let viewer: Client;

  beforeAll(async () => {
    d = await startTestDashboard('stock-push-api');
    await createShop(d.t.db, 'push-off');
    await createShop(d.t.db, 'push-on', { stockPush: true });
    await seedStock(d.t.db, { TEA: { tokyo: 7, osaka: 2 } });
    [operator, viewer] = await Promise.all([Client.as(d.url, 'operator'), Client.as(d.url, 'viewer')]);
  }, 60_000);
  afterAll(async () => {
    await d?.close();
  });

  it('lists the stores with their push setting; the dry run shows the quantities', async () => {
    const r = await viewer.get('/api/stock/pushes');
    expect(r.status).toBe(200);
    expect((r.body as { stores: Array<{ code: string; enabled: boolean }> }).stores).toContainEqual(
      expect.objectContaining({ code: 'push-off', enabled: false }),
    );
    const plan = await viewer.get('/api/stores/push-off/stock-push/plan');
    expect(plan.status).toBe(200);
    expect(
      (plan.body as { enabled: boolean; items: Array<{ cartProductCode: string; quantity: number }> }).items,
    ).toContainEqual(expect.objectContaining({ cartProductCode: 'TEA', quantity: 9 }));
  });

  it('a push for a store whose push is off says so; a viewer may not push', async () => {
    const r = await operator.post('/api/stores/push-off/stock-push', {});
    expect(r.status).toBe(200);
    expect((r.body as { message: string }).message).toContain('在庫連携がオフ');
    expect((await viewer.post('/api/stores/push-off/stock-push', {})).status).toBe(403);
  });

  it('「この商品の在庫を今すぐ連携」 records a stock action in the outbox and queues its delivery job', async () => {
    const r = await operator.post('/api/stores/push-on/stock-push', { product: 'TEA' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ actions: 1 });
    expect((r.body as { message: string }).message).toContain('在庫連携を 1 件登録しました');
    const rows = await d.t.db
      .selectFrom('cart_actions as a')
      .innerJoin('stores as s', 's.id', 'a.store_id')
      .select(['a.id', 'a.state', 'a.payload', 'a.created_by'])
      .where('s.code', '=', 'push-on')
      .where('a.kind', '=', 'stock')
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({
        state: 'pending',
        payload: { productCode: 'TEA' },
        created_by: expect.stringMatching(/^user:/),
      }),
    ]);
    const job = await d.running.dashboard.queues.shipping.getJob(`cart-action-${rows[0]!.id}-r0`);
    expect(job?.name).toBe('deliver-cart-action');
    const unknown = await operator.post('/api/stores/push-on/stock-push', { product: 'NOPE' });
    expect(unknown.status).toBe(404);
    expect((unknown.body as { message: string }).message).toContain('販売している商品コードがありません');
  });

  it('全件照合 queues one push-stock job per store and minute (the job id is the store and the minute)', async () => {
    const first = await operator.post('/api/stores/push-on/stock-push', { full: true });
    expect(first.status).toBe(200);
    const jobId = (first.body as { jobId: string }).jobId;
    expect(jobId).toMatch(/^stock-full-push-on-/);
    expect((first.body as { message: string }).message).toContain('全件照合を登録しました');
    const again = await operator.post('/api/stores/push-on/stock-push', { full: true });
    // The same id unless the minute turned between the two clicks.
    expect((again.body as { jobId: string }).jobId).toMatch(/^stock-full-push-on-/);
    const job = await d.running.dashboard.queues.stock.getJob(jobId);
    expect(job?.data).toEqual({ storeCode: 'push-on', full: true });
  });
});
