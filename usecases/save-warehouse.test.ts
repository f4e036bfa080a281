// 倉庫 (issue 14 item 3): create, edit, priority, disable / enable, and which stores ship from which
// warehouses — through the use case, with the allocation (import page, arrival, sweep) honouring them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { allocateProducts } from '../db/stock.js';
import type { Store } from '../db/stores.js';
import { listWarehouses } from '../db/warehouses.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import {
  cartOrder,
  createShop,
  expectStockHealthy,
  importOrders,
  orderView,
  seedStock,
} from '../test/stock-fixtures.js';
import { depsOf } from './deps.js';
import { receiveStock } from './receive-stock.js';
import {
  assignStoreWarehouses,
  createWarehouse,
  editWarehouse,
  setWarehouseEnabled,
} from './save-warehouse.js';

const NOW = new Date('2026-12-02T03:00:00Z');
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e) => (isRuleRefusal(e) ? e.rule : e),
  );

describe('倉庫: warehouses and the stores that ship from them', () => {
  let t: TestDb;
  let shop: Store;
  let west: Store;
  const ops = () => depsOf(t.db, NOW);

  beforeAll(async () => {
    t = await createTestDb('warehouses');
    shop = await createShop(t.db, 'shop-wh');
    west = await createShop(t.db, 'shop-west');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('creates, refuses a taken or bad code, renames and re-prioritises', async () => {
    await seedStock(t.db, {});
    const w = await createWarehouse(ops(), { code: 'fukuoka', name: '福岡倉庫', priority: 5 });
    expect(w).toMatchObject({ code: 'fukuoka', name: '福岡倉庫', priority: 5, enabled: true });
    expect(await refusal(createWarehouse(ops(), { code: 'fukuoka', name: 'x', priority: 1 }))).toBe('taken');
    expect(await refusal(createWarehouse(ops(), { code: '福岡', name: 'x', priority: 1 }))).toBe(
      'invalid_code',
    );
    expect(await refusal(createWarehouse(ops(), { code: 'x1', name: ' ', priority: 1 }))).toBe('required');
    expect(await refusal(editWarehouse(ops(), { code: 'fukuoka', priority: -1 }))).toBe('invalid_priority');
    expect(await refusal(editWarehouse(ops(), { code: 'nowhere', name: 'x' }))).toBe('not_found');
    expect(await editWarehouse(ops(), { code: 'fukuoka', name: '九州倉庫', priority: 0 })).toMatchObject({
      name: '九州倉庫',
      priority: 0,
    });
    expect((await listWarehouses(t.db)).map((x) => x.code)).toEqual(['fukuoka', 'tokyo', 'osaka']);
  });

  it('a disabled warehouse takes no new reservations (import, arrival); enabling hands its stock on', async () => {
    await seedStock(t.db, { 'WH-A': { tokyo: 1, osaka: 3 } });
    const stop = await setWarehouseEnabled(ops(), { code: 'osaka', enabled: false });
    expect(stop.message).toContain('停止');
    await importOrders(
      t.db,
      shop,
      [cartOrder(shop, 'wh-1', { lines: [['WH-A', 3]], orderedAt: at(1) })],
      NOW,
    );
    const o = await orderView(t.db, shop.id, 'wh-1');
    expect(o.held).toEqual([1]); // tokyo's one, nothing of osaka's three
    await receiveStock(ops(), { productCode: 'WH-A', warehouse: 'osaka', quantity: 2 });
    expect((await orderView(t.db, shop.id, 'wh-1')).held).toEqual([1]);
    const [loaded] = await loadOrders(t.db, [o.id], await loadStatuses(t.db));
    expect(loaded!.disabledWarehouses).toEqual([]);
    const go = await setWarehouseEnabled(ops(), { code: 'osaka', enabled: true });
    expect(go.reserved).toBe(2);
    expect((await orderView(t.db, shop.id, 'wh-1')).held).toEqual([3]);
    // What it holds stays held when it stops again, and the order says the warehouse is stopped.
    await setWarehouseEnabled(ops(), { code: 'osaka', enabled: false });
    expect((await orderView(t.db, shop.id, 'wh-1')).held).toEqual([3]);
    const [again] = await loadOrders(t.db, [o.id], await loadStatuses(t.db));
    expect(again!.disabledWarehouses).toEqual(['osaka']);
    await setWarehouseEnabled(ops(), { code: 'osaka', enabled: true });
    await expectStockHealthy(t.db);
  });

  it('a store ships only from its warehouses: at import and when allocation serves waiting orders', async () => {
    await seedStock(t.db, { 'WH-B': { tokyo: 5, osaka: 1 } });
    expect(await refusal(assignStoreWarehouses(ops(), { storeCode: west.code, warehouses: ['nope'] }))).toBe(
      'not_found',
    );
    const r = await assignStoreWarehouses(ops(), { storeCode: west.code, warehouses: ['osaka'] });
    expect(r.warehouses).toEqual(['osaka']);
    await importOrders(
      t.db,
      west,
      [cartOrder(west, 'west-1', { lines: [['WH-B', 2]], orderedAt: at(2) })],
      NOW,
    );
    expect((await orderView(t.db, west.id, 'west-1')).held).toEqual([1]); // osaka only
    // The sweep does not reach for tokyo either.
    await allocateProducts(t.db, ['WH-B']);
    expect((await orderView(t.db, west.id, 'west-1')).held).toEqual([1]);
    // An order of another store, younger, still gets tokyo's stock (the west order does not block it).
    await importOrders(
      t.db,
      shop,
      [cartOrder(shop, 'east-1', { lines: [['WH-B', 2]], orderedAt: at(3) })],
      NOW,
    );
    await allocateProducts(t.db, ['WH-B']);
    expect((await orderView(t.db, shop.id, 'east-1')).held).toEqual([2]);
    // Ship from every warehouse again: the waiting west order takes tokyo's stock at once.
    const all = await assignStoreWarehouses(ops(), { storeCode: west.code, warehouses: [] });
    expect(all.warehouses).toEqual([]);
    expect((await orderView(t.db, west.id, 'west-1')).held).toEqual([2]);
    await expectStockHealthy(t.db, { oldestFirst: false });
  });
});
