// A release that sticks (issue 14 item 4): stock released on 受注在庫予約解除 does not come back to
// the same order with the next sweep or arrival; the order is on 引当保留 until an operator
// re-allocates it, and its history says who released, why, and who re-allocated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import type { Store } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import {
  cartOrder,
  createShop,
  expectStockHealthy,
  importOrders,
  orderView,
  seedStock,
  stockOf,
} from '../test/stock-fixtures.js';
import { allocateWaitingStock } from './allocate-waiting-stock.js';
import { depsOf } from './deps.js';
import { reallocateOrder } from './reallocate-order.js';
import { receiveStock } from './receive-stock.js';
import { releaseReservations } from './release-reservations.js';

const NOW = new Date('2026-12-02T03:00:00Z');
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();

describe('引当保留: a released order takes no stock until re-allocated', () => {
  let t: TestDb;
  let shop: Store;
  const ops = () => depsOf(t.db, NOW);

  beforeAll(async () => {
    t = await createTestDb('hold');
    shop = await createShop(t.db, 'shop-hold');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('release → sweep and arrival leave it alone → re-allocate gives it stock, with the history', async () => {
    await seedStock(t.db, { 'HOLD-A': { tokyo: 2 } });
    await importOrders(
      t.db,
      shop,
      [
        cartOrder(shop, 'hold-1', { lines: [['HOLD-A', 2]], orderedAt: at(1) }),
        cartOrder(shop, 'hold-2', { lines: [['HOLD-A', 1]], orderedAt: at(2) }),
      ],
      NOW,
    );
    const first = await orderView(t.db, shop.id, 'hold-1');
    expect(first.held).toEqual([2]);
    expect((await orderView(t.db, shop.id, 'hold-2')).held).toEqual([0]);

    const released = await releaseReservations(ops(), {
      selection: { orderIds: [first.id] },
      actor: 'user:ops',
      why: '顧客から住所変更の連絡待ち',
    });
    expect(released).toMatchObject([{ ok: true, to: S.waiting }]);
    expect(released[0]!.message).toContain('引当保留');

    // The sweep a minute later: the younger order takes the freed stock, the released one nothing.
    await allocateWaitingStock(ops(), {});
    expect((await orderView(t.db, shop.id, 'hold-1')).held).toEqual([0]);
    expect((await orderView(t.db, shop.id, 'hold-2')).held).toEqual([1]);
    // An arrival: still nothing for the held order, though it is the oldest waiting.
    await receiveStock(ops(), { productCode: 'HOLD-A', warehouse: 'tokyo', quantity: 5 });
    await allocateWaitingStock(ops(), {});
    const held = await orderView(t.db, shop.id, 'hold-1');
    expect(held.held).toEqual([0]);
    expect(held.status).toBe(S.waiting);
    expect((await stockOf(t.db, 'HOLD-A')).tokyo).toMatchObject({ onHand: 7, reserved: 1 });
    const [loaded] = await loadOrders(t.db, [first.id], await loadStatuses(t.db));
    expect(loaded!.allocationHold).toMatchObject({ by: 'user:ops', reason: '顧客から住所変更の連絡待ち' });
    await expectStockHealthy(t.db);

    const r = await reallocateOrder(ops(), { orderId: first.id, actor: 'user:boss' });
    expect(r).toMatchObject({ resumed: true, reservedUnits: 2, status: S.readyAfterStock });
    const after = await orderView(t.db, shop.id, 'hold-1');
    expect(after.held).toEqual([2]);
    const [reloaded] = await loadOrders(t.db, [first.id], await loadStatuses(t.db));
    expect(reloaded!.allocationHold).toBeNull();

    const history = await t.db
      .selectFrom('order_events')
      .select(['actor', 'action', 'reason'])
      .where('order_id', '=', first.id)
      .where('action', 'in', ['reservation_released', 'allocation_held', 'allocation_resumed'])
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { actor: 'user:ops', action: 'reservation_released', reason: '顧客から住所変更の連絡待ち' },
      { actor: 'user:ops', action: 'allocation_held', reason: '顧客から住所変更の連絡待ち' },
      { actor: 'user:boss', action: 'allocation_resumed', reason: null },
    ]);
    // Re-allocating an order not on hold changes nothing and says so.
    expect(await reallocateOrder(ops(), { orderId: first.id, actor: 'user:boss' })).toMatchObject({
      resumed: false,
      reservedUnits: 2,
    });
    await expectStockHealthy(t.db);
  });
});
