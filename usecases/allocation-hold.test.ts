// A release that sticks (issue 14 item 4): stock released on 受注在庫予約解除 does not come back to
// the same order with the next sweep or arrival; the order is on 引当保留 until an operator
// re-allocates it, and its history says who released, why, and who re-allocated.
import { describe, expect, it } from 'vitest';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { S } from '../domain/statuses.js';
import {
  at,
  cartOrder,
  expectStockHealthy,
  importOrders,
  NOW,
  orderView,
  seedStock,
  stockOf,
  stockWorld,
} from '../test/stock-fixtures.js';
import { allocateWaitingStock } from './allocate-waiting-stock.js';
import { reallocateOrder } from './reallocate-order.js';
import { receiveStock } from './receive-stock.js';
import { releaseReservations } from './release-reservations.js';

describe('引当保留: a released order takes no stock until re-allocated', () => {
  const world = stockWorld('hold', { shop: 'shop-hold' });

  it('release → sweep and arrival leave it alone → re-allocate gives it stock, with the history', async () => {
    await seedStock(world.db, { 'HOLD-A': { tokyo: 2 } });
    await importOrders(
      world.db,
      world.shops.shop,
      [
        cartOrder(world.shops.shop, 'hold-1', { lines: [['HOLD-A', 2]], orderedAt: at(1) }),
        cartOrder(world.shops.shop, 'hold-2', { lines: [['HOLD-A', 1]], orderedAt: at(2) }),
      ],
      NOW,
    );
    const first = await orderView(world.db, world.shops.shop.id, 'hold-1');
    expect(first.held).toEqual([2]);
    expect((await orderView(world.db, world.shops.shop.id, 'hold-2')).held).toEqual([0]);

    const released = await releaseReservations(world.ops(), {
      selection: { orderIds: [first.id] },
      actor: 'user:ops',
      why: '顧客から住所変更の連絡待ち',
    });
    expect(released).toMatchObject([{ ok: true, to: S.waiting }]);
    expect(released[0]!.message).toContain('引当保留');

    // The sweep a minute later: the younger order takes the freed stock, the released one nothing.
    await allocateWaitingStock(world.ops(), {});
    expect((await orderView(world.db, world.shops.shop.id, 'hold-1')).held).toEqual([0]);
    expect((await orderView(world.db, world.shops.shop.id, 'hold-2')).held).toEqual([1]);
    // An arrival: still nothing for the held order, though it is the oldest waiting.
    await receiveStock(world.ops(), { productCode: 'HOLD-A', warehouse: 'tokyo', quantity: 5 });
    await allocateWaitingStock(world.ops(), {});
    const held = await orderView(world.db, world.shops.shop.id, 'hold-1');
    expect(held.held).toEqual([0]);
    expect(held.status).toBe(S.waiting);
    expect((await stockOf(world.db, 'HOLD-A')).tokyo).toMatchObject({ onHand: 7, reserved: 1 });
    const [loaded] = await loadOrders(world.db, [first.id], await loadStatuses(world.db));
    expect(loaded!.allocationHold).toMatchObject({ by: 'user:ops', reason: '顧客から住所変更の連絡待ち' });
    await expectStockHealthy(world.db);

    const r = await reallocateOrder(world.ops(), { orderId: first.id, actor: 'user:boss' });
    expect(r).toMatchObject({ resumed: true, reservedUnits: 2, status: S.readyAfterStock });
    const after = await orderView(world.db, world.shops.shop.id, 'hold-1');
    expect(after.held).toEqual([2]);
    const [reloaded] = await loadOrders(world.db, [first.id], await loadStatuses(world.db));
    expect(reloaded!.allocationHold).toBeNull();

    const history = await world.db
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
    expect(await reallocateOrder(world.ops(), { orderId: first.id, actor: 'user:boss' })).toMatchObject({
      resumed: false,
      reservedUnits: 2,
    });
    await expectStockHealthy(world.db);
  });
});
