// カート連携 over HTTP, on real PostgreSQL and Redis: 出荷完了 from the order screen enqueues the ship
// action's delivery job at once (id without ':'); the order's actions read in Japanese with the cart's
// answer, its ids, the error; 再送 (operators and admins, not viewers) puts a failed or 要対応 action
// back to 送信待ち and enqueues a new round's job, and refuses one that is neither; the stores screen
// counts waiting, failed and refused actions and the oldest one's age; /metrics exports them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartActionView } from '../db/cart-action-list.js';
import { claimCartAction, failCartAttempt, finishCartAction, recordCartActions } from '../db/cart-actions.js';
import type { Store } from '../db/stores.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';

describe('cart actions API', () => {
  let d: TestDashboard;
  let shop: Store;
  let operator: Client;
  let viewer: Client;
  let admin: Client;
  let orderId: number;

  beforeAll(async () => {
    d = await startTestDashboard('cart-actions-api');
    shop = await createShop(d.t.db, 'ca-shop');
    await seedStock(d.t.db, { 'CA-1': { tokyo: 5 } });
    await importOrders(d.t.db, shop, [cartOrder(shop, 'CA-100', { lines: [['CA-1', 1]], orderedAt: at(1) })]);
    orderId = (await orderView(d.t.db, shop.id, 'CA-100')).id;
    await shippingInstruction(depsOf(d.t.db), { orderIds: [orderId], actor: 'user:ops' });
    [operator, viewer, admin] = await Promise.all([
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'viewer'),
      Client.as(d.url, 'admin'),
    ]);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const actions = async (c: Client) => {
    const r = await c.get(`/api/orders/${orderId}/cart-actions`);
    expect(r.status).toBe(200);
    return (r.body as { actions: CartActionView[] }).actions;
  };
  const job = (id: string) => d.running.dashboard.queues.shipping.getJob(id);

  it('出荷完了 on the order screen enqueues the delivery at once', async () => {
    const r = await operator.post(`/api/orders/${orderId}/ship`, { trackingNumber: '4000-1111-2222' });
    expect((r.body as { result: { ok: boolean } }).result.ok).toBe(true);
    const [a] = await actions(viewer);
    expect(a).toMatchObject({
      kind: 'ship',
      kindLabel: '出荷',
      state: 'pending',
      stateLabel: '送信待ち',
      cartOrderNo: 'CA-100',
      attempts: 0,
      canResend: false,
    });
    expect(a?.summary).toContain('4000-1111-2222');
    const j = await job(`cart-action-${a!.id}-r0`);
    expect(j?.name).toBe('deliver-cart-action');
    expect(j?.id).not.toContain(':');
    expect(j?.data).toEqual({ actionId: a!.id });
  });

  it('shows the cart’s answer and ids when done, the error when failed, the refusal as 要対応', async () => {
    const now = new Date();
    const [first] = await actions(viewer);
    await claimCartAction(d.t.db, first!.id, now, 60_000);
    await finishCartAction(
      d.t.db,
      first!.id,
      {
        state: 'done',
        answer: 'updateOrderShipping: 発送完了を登録しました',
        code: 'done',
        cartRefs: { 'shippingDetailId:1:1': '99001' },
      },
      now,
    );
    // Two more of this order: one whose retries ran out, one the cart refused.
    const [failed, refused] = await recordCartActions(
      d.t.db,
      [
        { key: 'test:failed', payload: { reason: '在庫切れ' } },
        { key: 'test:refused', payload: { reason: 'お客様都合' } },
      ].map((x) => ({
        storeId: shop.id,
        orderId,
        cartOrderNo: 'CA-100',
        kind: 'cancel' as const,
        createdBy: 'user:ops',
        ...x,
      })),
      now,
    );
    await claimCartAction(d.t.db, failed!, now, 60_000);
    await failCartAttempt(d.t.db, failed!, 'rakuten cancelOrder: HTTP 503', {
      now,
      retryAt: now,
      final: true,
    });
    await claimCartAction(d.t.db, refused!, now, 60_000);
    await finishCartAction(
      d.t.db,
      refused!,
      { state: 'refused', answer: 'ERROR_301 キャンセル理由が不正です', code: 'ERROR_301' },
      now,
    );

    const list = await actions(viewer);
    expect(list.map((a) => [a.kindLabel, a.stateLabel])).toEqual([
      ['出荷', '完了'],
      ['キャンセル', '失敗'],
      ['キャンセル', '要対応'],
    ]);
    expect(list[0]).toMatchObject({
      answer: 'updateOrderShipping: 発送完了を登録しました',
      cartRefs: [{ label: 'shippingDetailId（荷物1）', value: '99001' }],
      error: null,
      canResend: false,
    });
    expect(list[0]?.doneAt).toMatch(/\+09:00$/);
    expect(list[1]).toMatchObject({ error: 'rakuten cancelOrder: HTTP 503', attempts: 1, canResend: true });
    expect(list[2]).toMatchObject({
      answer: 'ERROR_301 キャンセル理由が不正です',
      answerCode: 'ERROR_301',
      canResend: true,
    });

    // The stores screen: 2 not done and not waiting, 0 waiting; metrics per store and kind.
    const stores = (await viewer.get('/api/stores')).body as {
      stores: Array<{ code: string; cartActions: Record<string, unknown> }>;
    };
    expect(stores.stores.find((s) => s.code === 'ca-shop')?.cartActions).toEqual({
      waiting: 0,
      failed: 1,
      refused: 1,
      oldestWaitingSeconds: null,
      oldestWaitingAt: null,
    });
    const m = (await new Client(d.url).get('/metrics')).text;
    expect(m).toContain('juchu_cart_actions{store="ca-shop",kind="cancel",state="failed"} 1');
    expect(m).toContain('juchu_cart_actions{store="ca-shop",kind="cancel",state="refused"} 1');
    expect(m).toContain('juchu_cart_actions{store="ca-shop",kind="ship",state="waiting"} 0');
    expect(m).toContain('juchu_cart_actions_oldest_waiting_seconds{store="ca-shop",kind="confirm"} 0');
  });

  it('再送: operators and admins, not viewers; a new round’s job; refused for an action that has not stopped', async () => {
    const [, failed, refused] = await actions(viewer);
    expect((await viewer.post(`/api/cart-actions/${failed!.id}/resend`)).status).toBe(403);

    const r = await operator.post(`/api/cart-actions/${failed!.id}/resend`);
    expect(r.status).toBe(200);
    const body = r.body as { result: { ok: boolean; message: string }; action: CartActionView };
    expect(body.result).toMatchObject({ ok: true, round: 1, queued: true });
    expect(body.result.message).toContain('再送します');
    expect(body.action).toMatchObject({ state: 'pending', stateLabel: '送信待ち', retries: 1, attempts: 0 });
    // Who sent it again (the session's user) and when, on the order's action list too.
    expect(body.action.resent).toMatchObject({ by: 'user:operator', byLabel: 'operator', count: 1 });
    expect((await actions(viewer)).find((a) => a.id === failed!.id)?.resent).toEqual(body.action.resent);
    expect((await job(`cart-action-${failed!.id}-r1`))?.data).toEqual({ actionId: failed!.id });

    // Sent again already: not twice.
    const again = (await operator.post(`/api/cart-actions/${failed!.id}/resend`)).body as {
      result: { ok: boolean; message: string };
    };
    expect(again.result.ok).toBe(false);
    expect(again.result.message).toContain('送信待ちのため再送できません');

    expect(
      ((await admin.post(`/api/cart-actions/${refused!.id}/resend`)).body as { result: { ok: boolean } })
        .result.ok,
    ).toBe(true);
    const missing = await operator.post('/api/cart-actions/999999/resend');
    expect(missing.status).toBe(404);
    expect((missing.body as { message: string }).message).toContain('カート連携 999999 はありません');

    // Two waiting now: the stores screen says so, with the oldest one's age.
    const stores = (await viewer.get('/api/stores')).body as {
      stores: Array<{ code: string; cartActions: { waiting: number; oldestWaitingSeconds: number | null } }>;
    };
    const ca = stores.stores.find((s) => s.code === 'ca-shop')?.cartActions;
    expect(ca?.waiting).toBe(2);
    expect(ca?.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
    const m = (await new Client(d.url).get('/metrics')).text;
    expect(m).toContain('juchu_cart_actions{store="ca-shop",kind="cancel",state="waiting"} 2');
  });
});
