import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
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
import { applyStockCsv } from '../uploads/stock-csv.js';
import { changeStatus } from '../usecases/change-status.js';
import { deleteOrder } from '../usecases/delete-order.js';
import { depsOf } from '../usecases/deps.js';
import { actionContext, moveOrder } from '../usecases/move-order.js';
import { receiveStock as receiveArrival } from '../usecases/receive-stock.js';
import { settleOrders } from '../usecases/settle-after-stock-change.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import type { Db } from './db.js';
import {
  allocateProduct,
  allocateProducts,
  correctStock,
  receiveStock,
  releaseOrderStock,
  reserve,
} from './stock.js';
import type { Store } from './stores.js';

const NOW = new Date('2026-11-26T03:00:00Z'); // 12:00 in Japan
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 0, minute)).toISOString();

/** Resolves once `n` backends of this database are waiting on a lock. */
async function waitForLockWaiters(db: Db, n = 1): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (r.rows[0]!.n >= n) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('no backend started waiting on a lock');
}

/** A transaction held open until `release()` is called (to interleave two connections by hand). */
function openTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let started!: (v: T) => void;
  const ready = new Promise<T>((r) => {
    started = r;
  });
  const done = db.transaction().execute(async (trx) => {
    started(await fn(trx));
    await gate;
  });
  return { ready, release, done };
}

describe('stock: reservations, oldest first, never oversold', () => {
  let t: TestDb;
  let store: Store;
  /** The use cases' deps, the clock fixed at NOW. */
  const ops = () => depsOf(t.db, NOW);

  beforeAll(async () => {
    t = await createTestDb('stock');
    store = await createShop(t.db);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** Line ids of fresh waiting orders for `product` (imported with no stock, so nothing is held). */
  async function waitingOrders(product: string, count: number, prefix: string) {
    await seedStock(t.db, { [product]: {} });
    await importOrders(
      t.db,
      store,
      Array.from({ length: count }, (_, i) =>
        cartOrder(store, `${prefix}-${i}`, { lines: [[product, 1]], orderedAt: at(i) }),
      ),
      NOW,
    );
    const rows = await t.db
      .selectFrom('order_lines as l')
      .innerJoin('orders as o', 'o.id', 'l.order_id')
      .select(['l.id as lineId', 'o.id as orderId', 'o.cart_order_no'])
      .where('l.product_code', '=', product)
      .orderBy('o.ordered_at')
      .execute();
    return rows.map((r) => ({ orderLineId: r.lineId, orderId: r.orderId, productCode: product }));
  }

  /** Hand-placed reservations ignore "oldest first" on purpose: take them back and retire the orders. */
  async function retire(product: string) {
    await sql`
      WITH gone AS (DELETE FROM reservations WHERE product_code = ${product} RETURNING order_line_id, warehouse_code, quantity),
      lines AS (UPDATE order_lines l SET reserved_quantity = 0 WHERE l.id IN (SELECT order_line_id FROM gone) RETURNING l.id),
      per AS (SELECT warehouse_code, SUM(quantity)::int AS q FROM gone GROUP BY 1)
      UPDATE stock_levels s SET reserved = s.reserved - per.q FROM per
      WHERE s.product_code = ${product} AND s.warehouse_code = per.warehouse_code`.execute(t.db);
    await sql`UPDATE orders SET status_code = 'cancelled'
              WHERE id IN (SELECT order_id FROM order_lines WHERE product_code = ${product})`.execute(t.db);
  }

  it('two reservations racing for the last unit: exactly one wins (interleaved by hand)', async () => {
    const [a, b] = await waitingOrders('RACE-HAND', 2, 'hand');
    await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = 'RACE-HAND' AND warehouse_code = 'tokyo'`.execute(
      t.db,
    );
    // A takes the unit and keeps its transaction open; B's guarded statement must wait for it…
    const first = openTransaction(t.db, (trx) => reserve(trx, a!, 'tokyo', 1));
    expect(await first.ready).toBe(1);
    const second = withTransaction(t.db, (trx) => reserve(trx, b!, 'tokyo', 1));
    await waitForLockWaiters(t.db);
    first.release();
    await first.done;
    // …and re-checks the guard against A's committed row: nothing left, nothing written.
    expect(await second).toBe(0);
    const held = await t.db
      .selectFrom('reservations')
      .select(['order_line_id', 'quantity'])
      .where('product_code', '=', 'RACE-HAND')
      .execute();
    expect(held).toEqual([{ order_line_id: a!.orderLineId, quantity: 1 }]);
    expect(await stockOf(t.db, 'RACE-HAND')).toMatchObject({ tokyo: { onHand: 1, reserved: 1 } });
    await expectStockHealthy(t.db, { oldestFirst: false });
    await retire('RACE-HAND');
  });

  it('a rolled-back reservation leaves the unit to the other one', async () => {
    const [a, b] = await waitingOrders('RACE-ROLLBACK', 2, 'rb');
    await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = 'RACE-ROLLBACK' AND warehouse_code = 'tokyo'`.execute(
      t.db,
    );
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let took!: (n: number) => void;
    const tookP = new Promise<number>((r) => {
      took = r;
    });
    const first = t.db.transaction().execute(async (trx) => {
      took(await reserve(trx, a!, 'tokyo', 1));
      await gate;
      throw new Error('operator gave up');
    });
    expect(await tookP).toBe(1);
    const second = withTransaction(t.db, (trx) => reserve(trx, b!, 'tokyo', 1));
    await waitForLockWaiters(t.db);
    release();
    await expect(first).rejects.toThrow('operator gave up');
    expect(await second).toBe(1);
    expect(await stockOf(t.db, 'RACE-ROLLBACK')).toMatchObject({ tokyo: { onHand: 1, reserved: 1 } });
    await expectStockHealthy(t.db, { oldestFirst: false });
    await retire('RACE-ROLLBACK');
  });

  it('two reservations racing for the last unit: exactly one wins (really concurrent, 60 rounds)', async () => {
    const lines = await waitingOrders('RACE-LAST', 120, 'race');
    let wins = 0;
    for (let round = 0; round < 60; round++) {
      const a = lines[2 * round]!;
      const b = lines[2 * round + 1]!;
      await sql`UPDATE stock_levels SET on_hand = reserved + 1 WHERE product_code = 'RACE-LAST' AND warehouse_code = 'tokyo'`.execute(
        t.db,
      );
      // Both transactions are open on their own connections before either reserves.
      let arrived = 0;
      let go!: () => void;
      const barrier = new Promise<void>((r) => {
        go = r;
      });
      const contender = (line: typeof a) =>
        withTransaction(t.db, async (trx) => {
          await sql`SELECT pg_backend_pid()`.execute(trx);
          if (++arrived === 2) go();
          await barrier;
          return reserve(trx, line, 'tokyo', 1);
        });
      const got = await Promise.all(round % 2 ? [contender(a), contender(b)] : [contender(b), contender(a)]);
      expect(got.sort()).toEqual([0, 1]);
      wins += got[1]!;
    }
    expect(wins).toBe(60);
    expect(await stockOf(t.db, 'RACE-LAST')).toMatchObject({ tokyo: { onHand: 60, reserved: 60 } });
    await expectStockHealthy(t.db, { oldestFirst: false });
    await retire('RACE-LAST');
  });

  it('two allocation runs racing for the last unit: the oldest order gets it, once', async () => {
    for (let round = 0; round < 15; round++) {
      const product = `RACE-ALLOC-${round}`;
      await waitingOrders(product, 2, `alloc-${round}`);
      await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = ${product} AND warehouse_code = 'tokyo'`.execute(
        t.db,
      );
      const runs = await Promise.all([allocateProduct(t.db, product), allocateProduct(t.db, product)]);
      expect(runs.map((r) => r.reserved).sort()).toEqual([0, 1]);
      const oldest = await orderView(t.db, store.id, `alloc-${round}-0`);
      const youngest = await orderView(t.db, store.id, `alloc-${round}-1`);
      expect([oldest.held, youngest.held]).toEqual([[1], [0]]);
    }
    await expectStockHealthy(t.db);
  });

  it('reserves at import oldest first, in warehouse priority order, splitting a line', async () => {
    await seedStock(t.db, { 'SPLIT-A': { tokyo: 3, osaka: 4 }, 'SPLIT-B': { tokyo: 1 } });
    // Imported youngest first on purpose: the page is served by order time, not by arrival.
    const orders = [
      cartOrder(store, 'split-3', { lines: [['SPLIT-A', 3]], orderedAt: at(3) }),
      cartOrder(store, 'split-2', {
        lines: [
          ['SPLIT-A', 2],
          ['SPLIT-B', 1],
        ],
        orderedAt: at(2),
      }),
      cartOrder(store, 'split-1', { lines: [['SPLIT-A', 4]], orderedAt: at(1) }),
    ];
    const counts = await importOrders(t.db, store, orders, NOW);
    expect(counts.new).toBe(3);
    const o1 = await orderView(t.db, store.id, 'split-1');
    const o2 = await orderView(t.db, store.id, 'split-2');
    const o3 = await orderView(t.db, store.id, 'split-3');
    expect([o1.held, o2.held, o3.held]).toEqual([[4], [2, 1], [1]]);
    expect([o1.status, o2.status, o3.status]).toEqual([S.readyToShip, S.readyToShip, S.waiting]);
    expect(o3.reason).toBe('在庫不足: 行1 SPLIT-A 1/3');
    const split = await t.db
      .selectFrom('reservations')
      .select(['warehouse_code', 'quantity'])
      .where('order_id', '=', o1.id)
      .orderBy('warehouse_code', 'desc')
      .execute();
    expect(split).toEqual([
      { warehouse_code: 'tokyo', quantity: 3 },
      { warehouse_code: 'osaka', quantity: 1 },
    ]);
    expect(await stockOf(t.db, 'SPLIT-A')).toEqual({
      tokyo: { onHand: 3, reserved: 3 },
      osaka: { onHand: 4, reserved: 4 },
    });
    await expectStockHealthy(t.db);
  });

  it('stock arrival re-allocates oldest first and moves orders to 在庫確認後の出荷 (CLI path and CSV)', async () => {
    await seedStock(t.db, { ARRIVE: {} });
    await importOrders(
      t.db,
      store,
      [1, 2, 3].map((i) => cartOrder(store, `arrive-${i}`, { lines: [['ARRIVE', 2]], orderedAt: at(i) })),
      NOW,
    );
    for (const i of [1, 2, 3])
      expect((await orderView(t.db, store.id, `arrive-${i}`)).status).toBe(S.waiting);

    // 入荷 of 3 units, as `juchu stock receive` does it: the oldest is served in full, the next in part.
    const arrival = await receiveArrival(ops(), { productCode: 'ARRIVE', warehouse: 'osaka', quantity: 3 });
    expect(arrival.onHand).toBe(3);
    const moved = arrival.settled.moved;
    expect(moved.map((m) => [m.from, m.to])).toEqual([[S.waiting, S.readyAfterStock]]);
    const views = await Promise.all([1, 2, 3].map((i) => orderView(t.db, store.id, `arrive-${i}`)));
    expect(views.map((v) => [v.status, v.held[0]])).toEqual([
      [S.readyAfterStock, 2],
      [S.waiting, 1],
      [S.waiting, 0],
    ]);
    expect(views[1]!.reason).toBe('在庫不足: 行1 ARRIVE 1/2');
    await expectStockHealthy(t.db);

    // The stock CSV (arrivals in one column, counts in another).
    const csv = 'product_code,warehouse,quantity,counted\nARRIVE,tokyo,3,\nNOPE,tokyo,1,\nARRIVE,,1,\n';
    const r = await applyStockCsv(ops(), Buffer.from(csv), 'test');
    expect(r.ok).toBe(1);
    expect(r.failed).toBe(2);
    expect(r.lines.at(-1)).toContain('2 件の注文が次のステータスへ');
    const after = await Promise.all([2, 3].map((i) => orderView(t.db, store.id, `arrive-${i}`)));
    expect(after.map((v) => [v.status, v.held[0]])).toEqual([
      [S.readyAfterStock, 2],
      [S.readyAfterStock, 2],
    ]);
    await expectStockHealthy(t.db);
  });

  it('a count correction below what is held takes it from the youngest orders first', async () => {
    await seedStock(t.db, { COUNT: { tokyo: 5 } });
    await importOrders(
      t.db,
      store,
      [
        cartOrder(store, 'count-1', { lines: [['COUNT', 2]], orderedAt: at(1) }),
        cartOrder(store, 'count-2', { lines: [['COUNT', 1]], orderedAt: at(2) }),
        cartOrder(store, 'count-3', { lines: [['COUNT', 2]], orderedAt: at(3) }),
      ],
      NOW,
    );
    // Counted 2: count-3 gives back both units (its reservation row goes), count-2 its one.
    const r = await withTransaction(t.db, (trx) => correctStock(trx, 'COUNT', 'tokyo', 2));
    expect(r.onHand).toBe(2);
    const [c1, c2, c3] = await Promise.all([1, 2, 3].map((i) => orderView(t.db, store.id, `count-${i}`)));
    expect(r.releasedOrderIds.sort()).toEqual([c2!.id, c3!.id].sort());
    expect([c1!.held, c2!.held, c3!.held]).toEqual([[2], [0], [0]]);
    await settleOrders(ops(), r.releasedOrderIds);
    expect((await orderView(t.db, store.id, 'count-3')).status).toBe(S.waiting);
    expect(await stockOf(t.db, 'COUNT')).toMatchObject({ tokyo: { onHand: 2, reserved: 2 } });
    await expectStockHealthy(t.db);

    // A partial give-back shrinks the reservation; counting up re-allocates oldest first.
    await withTransaction(t.db, (trx) => correctStock(trx, 'COUNT', 'tokyo', 1));
    expect((await orderView(t.db, store.id, 'count-1')).held).toEqual([1]);
    await withTransaction(t.db, (trx) => correctStock(trx, 'COUNT', 'tokyo', 4));
    await allocateProducts(t.db, ['COUNT']);
    const held = await Promise.all(
      [1, 2, 3].map(async (i) => (await orderView(t.db, store.id, `count-${i}`)).held),
    );
    expect(held).toEqual([[2], [1], [1]]);
    await expectStockHealthy(t.db);

    // Stock already handed to the warehouse is never taken back by a count.
    const c1id = (await orderView(t.db, store.id, 'count-1')).id;
    await settleOrders(ops(), [c1id]);
    expect((await changeStatus(ops(), { orderId: c1id, target: S.shipping, actor: 'user:test' })).ok).toBe(
      true,
    );
    await expect(withTransaction(t.db, (trx) => correctStock(trx, 'COUNT', 'tokyo', 1))).rejects.toThrow(
      '出荷指示済みの注文が引当てています',
    );
    expect(await stockOf(t.db, 'COUNT')).toMatchObject({ tokyo: { onHand: 4, reserved: 4 } });
    await expect(withTransaction(t.db, (trx) => correctStock(trx, 'COUNT', 'tokyo', -1))).rejects.toThrow(
      '0 以上の整数',
    );
    await expect(withTransaction(t.db, (trx) => receiveStock(trx, 'COUNT', 'tokyo', 0))).rejects.toThrow(
      '1 以上の整数',
    );
    await expectStockHealthy(t.db);
  });

  it('releasing by warehouse or product takes only those reservations', async () => {
    await seedStock(t.db, { 'REL-A': { tokyo: 1, osaka: 1 }, 'REL-B': { tokyo: 1 } });
    await importOrders(
      t.db,
      store,
      [
        cartOrder(store, 'rel-1', {
          lines: [
            ['REL-A', 2],
            ['REL-B', 1],
          ],
          orderedAt: at(1),
        }),
      ],
      NOW,
    );
    const o = await orderView(t.db, store.id, 'rel-1');
    expect(o.held).toEqual([2, 1]);
    const gone = await withTransaction(t.db, (trx) => releaseOrderStock(trx, o.id, { warehouse: 'osaka' }));
    expect(gone).toEqual([{ productCode: 'REL-A', warehouse: 'osaka', quantity: 1 }]);
    const gone2 = await withTransaction(t.db, (trx) =>
      releaseOrderStock(trx, o.id, { productCode: 'REL-B' }),
    );
    expect(gone2).toEqual([{ productCode: 'REL-B', warehouse: 'tokyo', quantity: 1 }]);
    expect((await orderView(t.db, store.id, 'rel-1')).held).toEqual([1, 0]);
    expect(
      await withTransaction(t.db, (trx) => releaseOrderStock(trx, o.id, { productCode: 'NONE' })),
    ).toEqual([]);
    await allocateProducts(t.db, ['REL-A', 'REL-B']);
    expect((await orderView(t.db, store.id, 'rel-1')).held).toEqual([2, 1]);
    await expectStockHealthy(t.db);
  });

  it('a cancel racing an allocation never leaves stock on the cancelled order (interleaved by hand)', async () => {
    await seedStock(t.db, { 'CXL-A': { tokyo: 1 }, 'CXL-B': {} });
    await importOrders(
      t.db,
      store,
      [
        cartOrder(store, 'cxl-1', {
          lines: [
            ['CXL-A', 1],
            ['CXL-B', 1],
          ],
          orderedAt: at(1),
        }),
      ],
      NOW,
    );
    const o = await orderView(t.db, store.id, 'cxl-1');
    expect([o.status, o.held]).toEqual([S.waiting, [1, 0]]);
    await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = 'CXL-B' AND warehouse_code = 'tokyo'`.execute(
      t.db,
    );
    // The cancel has locked the order and released its stock, but not committed yet…
    const ctx = await actionContext(t.db, NOW);
    const cancel = openTransaction(t.db, (trx) =>
      moveOrder(trx, o.id, S.cancelRequested, 'user:test', ctx, 'お客様都合'),
    );
    expect((await cancel.ready).to).toBe(S.cancelled);
    // …when an allocation run for the other product starts.
    const allocation = allocateProduct(t.db, 'CXL-B');
    await waitForLockWaiters(t.db);
    cancel.release();
    await cancel.done;
    expect((await allocation).reserved).toBe(0);
    const after = await orderView(t.db, store.id, 'cxl-1');
    expect([after.status, after.held]).toEqual([S.cancelled, [0, 0]]);
    await expectStockHealthy(t.db);
    // Only then may it be deleted; the stock stays consistent.
    expect((await deleteOrder(ops(), { orderId: o.id, actor: 'user:test' })).ok).toBe(true);
    await expectStockHealthy(t.db);
  });

  it('a count correction racing a shipping instruction never hands a short order to the warehouse', async () => {
    await seedStock(t.db, { 'INSTR-A': { tokyo: 1 } });
    await importOrders(
      t.db,
      store,
      [cartOrder(store, 'instr-1', { lines: [['INSTR-A', 1]], orderedAt: at(1) })],
      NOW,
    );
    const o = await orderView(t.db, store.id, 'instr-1');
    expect(o.status).toBe(S.readyToShip);
    // The count (0 on the shelf) has taken the unit back but not committed yet…
    const count = openTransaction(t.db, (trx) => correctStock(trx, 'INSTR-A', 'tokyo', 0));
    expect((await count.ready).releasedOrderIds).toEqual([o.id]);
    // …when the shipping instruction for the order runs.
    const instruction = shippingInstruction(ops(), { orderIds: [o.id], actor: 'user:ops' });
    await Promise.race([instruction, waitForLockWaiters(t.db)]);
    count.release();
    await count.done;
    const [r] = await instruction;
    expect(r).toMatchObject({ ok: true, to: S.waiting });
    expect(await orderView(t.db, store.id, 'instr-1')).toMatchObject({
      status: S.waiting,
      instructed: false,
      held: [0],
    });
    await expectStockHealthy(t.db);
  });

  it('a count correction meeting an order being instructed waits for it, then leaves it its stock', async () => {
    await seedStock(t.db, { 'INSTR-B': { tokyo: 1 } });
    await importOrders(
      t.db,
      store,
      [cartOrder(store, 'instr-2', { lines: [['INSTR-B', 1]], orderedAt: at(1) })],
      NOW,
    );
    const o = await orderView(t.db, store.id, 'instr-2');
    const ctx = await actionContext(t.db, NOW);
    const instruction = openTransaction(t.db, (trx) => moveOrder(trx, o.id, S.shipping, 'user:ops', ctx));
    expect((await instruction.ready).to).toBe(S.shipping);
    const count = withTransaction(t.db, (trx) => correctStock(trx, 'INSTR-B', 'tokyo', 0));
    await new Promise((r) => setTimeout(r, 30));
    instruction.release();
    await instruction.done;
    await expect(count).rejects.toThrow('出荷指示済みの注文が引当てています');
    expect(await orderView(t.db, store.id, 'instr-2')).toMatchObject({ status: S.shipping, held: [1] });
    expect(await stockOf(t.db, 'INSTR-B')).toMatchObject({ tokyo: { onHand: 1, reserved: 1 } });
    await expectStockHealthy(t.db);
  });

  it('cancels, arrivals and allocations running together keep every invariant (40 orders)', async () => {
    await seedStock(t.db, { 'MIX-A': { tokyo: 5 }, 'MIX-B': { osaka: 3 } });
    const orders = Array.from({ length: 40 }, (_, i) =>
      cartOrder(store, `mix-${i}`, {
        lines:
          i % 3
            ? [
                ['MIX-A', 1],
                ['MIX-B', 1],
              ]
            : [['MIX-B', 2]],
        orderedAt: at(100 + i),
      }),
    );
    await importOrders(t.db, store, orders, NOW);
    const ids = await Promise.all(
      orders.map(async (o) => (await orderView(t.db, store.id, o.cartOrderNo)).id),
    );
    await Promise.all([
      ...ids
        .filter((_, i) => i % 4 === 0)
        .map((id) => changeStatus(ops(), { orderId: id, target: S.cancelRequested, actor: 'user:test' })),
      ...[1, 2, 3, 4, 5].map(async (i) => {
        await withTransaction(t.db, (trx) => receiveStock(trx, i % 2 ? 'MIX-A' : 'MIX-B', 'tokyo', 2));
        return allocateProducts(t.db, ['MIX-A', 'MIX-B']);
      }),
    ]);
    await allocateProducts(t.db, ['MIX-A', 'MIX-B']);
    await expectStockHealthy(t.db);
  });
});
