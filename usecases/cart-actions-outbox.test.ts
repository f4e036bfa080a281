// The cart-actions outbox through the use cases, on a real PostgreSQL: 出荷完了 records a `ship`
// action per package in the order's transaction (once, however often it is confirmed), delivery
// sends it once (a second job sends nothing), a transient error is retried then 失敗, a refusal
// waits for a human (要確認), 再送 makes a new round, and the sweep finds actions whose job was lost.
// The cart here is a contract implementation that counts what it was sent (the simulators' own
// write tests are carts/*/actions.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionOutcome, CartActions, ShipInput } from '../carts/actions.js';
import { orderCartActions } from '../db/cart-action-list.js';
import { getCartAction } from '../db/cart-actions.js';
import type { Store } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { toJstIso } from '../domain/time.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { cartOrder, createShop, importOrders, seedStock } from '../test/stock-fixtures.js';
import { changeStatus, changeStatuses } from './change-status.js';
import { confirmShipment } from './confirm-shipment.js';
import { deliverCartAction } from './deliver-cart-action.js';
import { depsOf } from './deps.js';
import { resendCartAction } from './resend-cart-action.js';
import { shippingInstruction } from './shipping-instruction.js';
import { sweepCartActions } from './sweep-cart-actions.js';

const NOW = new Date('2026-11-26T03:00:00Z');

class CountingCart implements CartActions {
  readonly cart = 'rakuten' as const;
  sent: ShipInput[] = [];
  next: Array<ActionOutcome | Error> = [];
  carrierCode(c: string) {
    return c === 'yamato' ? '1001' : null;
  }
  async ship(input: ShipInput): Promise<ActionOutcome> {
    const n = this.next.shift();
    if (n instanceof Error) throw n;
    this.sent.push(input);
    return (
      n ?? {
        status: 'done',
        answer: '発送完了を登録しました',
        cartRefs: { 'package:1': `SD-${this.sent.length}` },
      }
    );
  }
}

describe('cart-actions outbox', () => {
  let t: TestDb;
  let shop: Store;
  const cart = new CountingCart();
  const queued: string[] = [];
  const queues = {
    add: async (_n: string, _d: unknown, o?: { jobId?: string }) => {
      queued.push(o?.jobId ?? '');
      return o?.jobId;
    },
    shipping: { getJob: async () => undefined },
  };
  const deps = () => ({ ...depsOf(t.db, NOW), actionsFor: async () => cart });
  const retryAt = new Date(NOW.getTime() + 60_000);

  beforeAll(async () => {
    t = await createTestDb('outbox');
    shop = await createShop(t.db, 'outbox-a');
    await seedStock(t.db, { 'OB-A': { tokyo: 10 } });
    await importOrders(
      t.db,
      shop,
      ['ob-1', 'ob-2'].map((no, i) =>
        cartOrder(shop, no, { lines: [['OB-A', 1]], orderedAt: new Date(Date.UTC(2026, 10, 20, 0, i)) }),
      ),
      NOW,
    );
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function orderId(no: string) {
    return (
      await t.db.selectFrom('orders').select('id').where('cart_order_no', '=', no).executeTakeFirstOrThrow()
    ).id;
  }
  async function actionsOf(id: number) {
    return t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).orderBy('id').execute();
  }

  it('records ship with the shipment, delivers it once, and keeps the cart-side id', async () => {
    const id = await orderId('ob-1');
    await shippingInstruction(depsOf(t.db, NOW), { orderIds: [id], actor: 'user:ops' });
    const r = await confirmShipment(
      { ...depsOf(t.db, NOW), queues },
      { orderId: id, trackingNumber: '1234-5678-9012', carrier: 'yamato', actor: 'user:ops' },
    );
    expect(r.ok).toBe(true);
    const [a] = await actionsOf(id);
    expect(a).toMatchObject({
      kind: 'ship',
      state: 'pending',
      cart_order_no: 'ob-1',
      created_by: 'user:ops',
    });
    expect(a?.payload).toMatchObject({
      packages: [{ packageNo: 1, carrier: 'yamato', trackingNumber: '1234-5678-9012' }],
    });
    expect(queued).toEqual([`cart-action-${a?.id}-r0`]);

    const first = await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt });
    const second = await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt });
    expect(first.status).toBe('done');
    expect(second.status).toBe('skipped');
    expect(cart.sent).toHaveLength(1);
    expect(cart.sent[0]).toMatchObject({ cartOrderNo: 'ob-1', cartRefs: {} });
    expect(await getCartAction(t.db, a!.id)).toMatchObject({
      state: 'done',
      cart_refs: { 'package:1': 'SD-1' },
      answer_code: 'done',
    });
  });

  it('a transient error retries then fails; a refusal waits for a human; 再送 and the sweep send it again', async () => {
    const id = await orderId('ob-2');
    await shippingInstruction(depsOf(t.db, NOW), { orderIds: [id], actor: 'user:ops' });
    await confirmShipment(depsOf(t.db, NOW), {
      orderId: id,
      trackingNumber: '9999-0000-1111',
      carrier: 'yamato',
      actor: 'user:ops',
    });
    const [a] = await actionsOf(id);
    // No queue: the sweep finds it.
    queued.length = 0;
    expect(await sweepCartActions({ ...depsOf(t.db, NOW), queues })).toBeGreaterThanOrEqual(1);
    expect(queued).toContain(`cart-action-${a!.id}-r0`);

    cart.next = [new Error('ECONNRESET'), new Error('ECONNRESET')];
    await expect(deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt })).rejects.toThrow(
      'ECONNRESET',
    );
    expect(await getCartAction(t.db, a!.id)).toMatchObject({
      state: 'pending',
      last_error: 'ECONNRESET',
      attempts: 1,
    });
    await expect(deliverCartAction(deps(), { actionId: a!.id, final: true, retryAt })).rejects.toThrow();
    expect((await getCartAction(t.db, a!.id))?.state).toBe('failed');
    // Bull Board's retry of the failed job runs it again.
    cart.next = [{ status: 'refused', code: 'ERROR_X', answer: '配送会社コードが不正です' }];
    expect((await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt })).status).toBe(
      'refused',
    );
    expect(await getCartAction(t.db, a!.id)).toMatchObject({
      state: 'refused',
      cart_answer: '配送会社コードが不正です',
      // The job claimed an action that had failed: only Bull Board's retry brings a job to one.
      resent_by: 'bullboard',
      resent_at: NOW,
      resend_count: 1,
      retries: 0,
    });
    // Refused is not retried by a job or the sweep.
    expect((await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt })).status).toBe(
      'skipped',
    );
    queued.length = 0;
    await sweepCartActions({ ...depsOf(t.db, new Date(NOW.getTime() + 3_600_000)), queues });
    expect(queued).not.toContain(`cart-action-${a!.id}-r0`);
    // 再送 by a human: a new round.
    queued.length = 0;
    const later = new Date(NOW.getTime() + 60_000);
    expect(
      await resendCartAction({ ...depsOf(t.db, later), queues }, { actionId: a!.id, actor: 'user:ops' }),
    ).toMatchObject({
      ok: true,
      round: 1,
    });
    expect(queued).toEqual([`cart-action-${a!.id}-r1`]);
    expect(await getCartAction(t.db, a!.id)).toMatchObject({
      resent_by: 'user:ops',
      resent_at: later,
      resend_count: 2,
      retries: 1,
    });
    expect((await resendCartAction(depsOf(t.db, NOW), { actionId: a!.id, actor: 'user:ops' })).ok).toBe(
      false,
    );
    // The order's action list says who sent it again last and when.
    expect((await orderCartActions(t.db, id)).find((x) => x.id === a!.id)?.resent).toEqual({
      by: 'user:ops',
      byLabel: 'ops',
      at: toJstIso(later),
      count: 2,
    });
    expect((await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt })).status).toBe('done');
  });

  it('a queue that does not answer after commit does not undo 出荷完了: the sweep enqueues the action', async () => {
    await importOrders(
      t.db,
      shop,
      [cartOrder(shop, 'ob-3', { lines: [['OB-A', 1]], orderedAt: new Date(Date.UTC(2026, 10, 20, 0, 5)) })],
      NOW,
    );
    const id = await orderId('ob-3');
    await shippingInstruction(depsOf(t.db, NOW), { orderIds: [id], actor: 'user:ops' });
    const down = {
      add: async () => {
        throw new Error('Connection is closed.');
      },
    };
    const r = await confirmShipment(
      { ...depsOf(t.db, NOW), queues: down },
      { orderId: id, trackingNumber: '5555-0000-1111', carrier: 'yamato', actor: 'user:ops' },
    );
    expect(r.ok).toBe(true);
    const [a] = await actionsOf(id);
    expect(a?.state).toBe('pending');
    queued.length = 0;
    await sweepCartActions({ ...depsOf(t.db, NOW), queues });
    expect(queued).toContain(`cart-action-${a!.id}-r0`);
  });

  it('a direct status change to 出荷完了 (single and bulk) records ship in its transaction and enqueues it', async () => {
    await importOrders(
      t.db,
      shop,
      ['ob-4', 'ob-5', 'ob-6'].map((no, i) =>
        cartOrder(shop, no, { lines: [['OB-A', 1]], orderedAt: new Date(Date.UTC(2026, 10, 20, 1, i)) }),
      ),
      NOW,
    );
    const [single, b1, b2] = [await orderId('ob-4'), await orderId('ob-5'), await orderId('ob-6')];
    await shippingInstruction(depsOf(t.db, NOW), { orderIds: [single, b1, b2], actor: 'user:ops' });
    // The tracking number came in earlier (a tracking file), not with the move.
    for (const [id, no] of [
      [single, '4444-0000-0001'],
      [b1, '4444-0000-0002'],
      [b2, '4444-0000-0003'],
    ] as const)
      await t.db
        .updateTable('orders')
        .set({ tracking_number: no, delivery_carrier: 'yamato' })
        .where('id', '=', id)
        .execute();
    queued.length = 0;
    const r = await changeStatus(
      { ...depsOf(t.db, NOW), queues },
      { orderId: single, target: S.shipped, actor: 'user:ops' },
    );
    expect(r).toMatchObject({ ok: true, to: S.shipped });
    const [a] = await actionsOf(single);
    expect(a).toMatchObject({
      kind: 'ship',
      state: 'pending',
      cart_order_no: 'ob-4',
      created_by: 'user:ops',
    });
    expect(a?.payload).toMatchObject({
      packages: [{ packageNo: 1, carrier: 'yamato', trackingNumber: '4444-0000-0001' }],
    });
    expect(queued).toEqual([`cart-action-${a?.id}-r0`]);

    queued.length = 0;
    const bulk = await changeStatuses(
      { ...depsOf(t.db, NOW), queues },
      { orderIds: [b2, b1], target: S.shipped, actor: 'cli' },
    );
    expect(bulk.map((x) => x.ok)).toEqual([true, true]);
    const bulkActions = [...(await actionsOf(b1)), ...(await actionsOf(b2))];
    expect(bulkActions.map((x) => [x.kind, x.created_by])).toEqual([
      ['ship', 'cli'],
      ['ship', 'cli'],
    ]);
    expect(queued.sort()).toEqual(bulkActions.map((x) => `cart-action-${x.id}-r0`).sort());
    // Moving it to 出荷完了 again (already there) records nothing new.
    await changeStatus(
      { ...depsOf(t.db, NOW), queues },
      { orderId: single, target: S.shipped, actor: 'user:ops' },
    );
    expect(await actionsOf(single)).toHaveLength(1);
  });

  it('a carrier the cart does not know is refused before sending', async () => {
    const sent = cart.sent.length;
    const [a] = await t.db
      .insertInto('cart_actions')
      .values({
        store_id: shop.id,
        kind: 'ship',
        cart_order_no: 'ob-x',
        payload: JSON.stringify({
          packages: [{ packageNo: 1, carrier: 'seino', trackingNumber: '1', shippedOn: '2026-11-26' }],
        }),
        created_by: 'test',
      })
      .returning('id')
      .execute();
    expect((await deliverCartAction(deps(), { actionId: a!.id, final: false, retryAt })).status).toBe(
      'refused',
    );
    expect((await getCartAction(t.db, a!.id))?.answer_code).toBe('UNKNOWN_CARRIER');
    expect(cart.sent.length).toBe(sent);
  });
});
