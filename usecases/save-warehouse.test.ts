// 倉庫 (issue 14 item 3): create, edit, priority, disable / enable, and which stores ship from which
// warehouses — through the use case, with the allocation (import page, arrival, sweep) honouring them.
import { describe, expect, it } from 'vitest';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { allocateProducts } from '../db/stock.js';
import { listWarehouses } from '../db/warehouses.js';
import { isRuleRefusal } from '../domain/refusal.js';
import {
  at,
  cartOrder,
  expectStockHealthy,
  importOrders,
  NOW,
  orderView,
  seedStock,
  stockWorld,
} from '../test/stock-fixtures.js';
import { receiveStock } from './receive-stock.js';
import {
  assignStoreWarehouses,
  createWarehouse,
  editWarehouse,
  setWarehouseEnabled,
} from './save-warehouse.js';

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e) => (isRuleRefusal(e) ? e.rule : e),
  );

describe('倉庫: warehouses and the stores that ship from them', () => {
  const world = stockWorld('warehouses', { shop: 'shop-wh', west: 'shop-west' });

  it('creates, refuses a taken or bad code, renames and re-prioritises', async () => {
    await seedStock(world.db, {});
    const w = await createWarehouse(world.ops(), { code: 'fukuoka', name: '福岡倉庫', priority: 5 });
    expect(w).toMatchObject({ code: 'fukuoka', name: '福岡倉庫', priority: 5, enabled: true });
    expect(await refusal(createWarehouse(world.ops(), { code: 'fukuoka', name: 'x', priority: 1 }))).toBe(
      'taken',
    );
    expect(await refusal(createWarehouse(world.ops(), { code: '福岡', name: 'x', priority: 1 }))).toBe(
      'invalid_code',
    );
    expect(await refusal(createWarehouse(world.ops(), { code: 'x1', name: ' ', priority: 1 }))).toBe(
      'required',
    );
    expect(await refusal(editWarehouse(world.ops(), { code: 'fukuoka', priority: -1 }))).toBe(
      'invalid_priority',
    );
    expect(await refusal(editWarehouse(world.ops(), { code: 'nowhere', name: 'x' }))).toBe('not_found');
    expect(
      await editWarehouse(world.ops(), { code: 'fukuoka', name: '九州倉庫', priority: 0 }),
    ).toMatchObject({
      name: '九州倉庫',
      priority: 0,
    });
    expect((await listWarehouses(world.db)).map((x) => x.code)).toEqual(['fukuoka', 'tokyo', 'osaka']);
  });

  it('a disabled warehouse takes no new reservations (import, arrival); enabling hands its stock on', async () => {
    await seedStock(world.db, { 'WH-A': { tokyo: 1, osaka: 3 } });
    const stop = await setWarehouseEnabled(world.ops(), { code: 'osaka', enabled: false });
    expect(stop.message).toContain('停止');
    await importOrders(
      world.db,
      world.shops.shop,
      [cartOrder(world.shops.shop, 'wh-1', { lines: [['WH-A', 3]], orderedAt: at(1) })],
      NOW,
    );
    const o = await orderView(world.db, world.shops.shop.id, 'wh-1');
    expect(o.held).toEqual([1]); // tokyo's one, nothing of osaka's three
    await receiveStock(world.ops(), { productCode: 'WH-A', warehouse: 'osaka', quantity: 2 });
    expect((await orderView(world.db, world.shops.shop.id, 'wh-1')).held).toEqual([1]);
    const [loaded] = await loadOrders(world.db, [o.id], await loadStatuses(world.db));
    expect(loaded!.disabledWarehouses).toEqual([]);
    const go = await setWarehouseEnabled(world.ops(), { code: 'osaka', enabled: true });
    expect(go.reserved).toBe(2);
    expect((await orderView(world.db, world.shops.shop.id, 'wh-1')).held).toEqual([3]);
    // What it holds stays held when it stops again, and the order says the warehouse is stopped.
    await setWarehouseEnabled(world.ops(), { code: 'osaka', enabled: false });
    expect((await orderView(world.db, world.shops.shop.id, 'wh-1')).held).toEqual([3]);
    const [again] = await loadOrders(world.db, [o.id], await loadStatuses(world.db));
    expect(again!.disabledWarehouses).toEqual(['osaka']);
    await setWarehouseEnabled(world.ops(), { code: 'osaka', enabled: true });
    await expectStockHealthy(world.db);
  });

  it('a store ships only from its warehouses: at import and when allocation serves waiting orders', async () => {
    await seedStock(world.db, { 'WH-B': { tokyo: 5, osaka: 1 } });
    expect(
      await refusal(
        assignStoreWarehouses(world.ops(), { storeCode: world.shops.west.code, warehouses: ['nope'] }),
      ),
    ).toBe('not_found');
    const r = await assignStoreWarehouses(world.ops(), {
      storeCode: world.shops.west.code,
      warehouses: ['osaka'],
    });
    expect(r.warehouses).toEqual(['osaka']);
    await importOrders(
      world.db,
      world.shops.west,
      [cartOrder(world.shops.west, 'west-1', { lines: [['WH-B', 2]], orderedAt: at(2) })],
      NOW,
    );
    expect((await orderView(world.db, world.shops.west.id, 'west-1')).held).toEqual([1]); // osaka only
    // The sweep does not reach for tokyo either.
    await allocateProducts(world.db, ['WH-B']);
    expect((await orderView(world.db, world.shops.west.id, 'west-1')).held).toEqual([1]);
    // An order of another store, younger, still gets tokyo's stock (the world.shops.west order does not block it).
    await importOrders(
      world.db,
      world.shops.shop,
      [cartOrder(world.shops.shop, 'east-1', { lines: [['WH-B', 2]], orderedAt: at(3) })],
      NOW,
    );
    await allocateProducts(world.db, ['WH-B']);
    expect((await orderView(world.db, world.shops.shop.id, 'east-1')).held).toEqual([2]);
    // Ship from every warehouse again: the waiting world.shops.west order takes tokyo's stock at once.
    const all = await assignStoreWarehouses(world.ops(), {
      storeCode: world.shops.west.code,
      warehouses: [],
    });
    expect(all.warehouses).toEqual([]);
    expect((await orderView(world.db, world.shops.west.id, 'west-1')).held).toEqual([2]);
    await expectStockHealthy(world.db, { oldestFirst: false });
  });
});
