// The page writer's fast path (new orders in one batch, stock planned under the page's locks) must
// leave exactly the state the order-by-order path leaves, serve orders already waiting first, and
// fall back to order-by-order when one order cannot be written.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { S } from '../domain/statuses.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { passThroughAdapter } from '../test/order-builder.js';
import {
  cartOrder,
  createShop,
  expectStockHealthy,
  importOrders,
  type OrderSpec,
  orderView,
  seedStock,
} from '../test/stock-fixtures.js';
import { depsOf } from './deps.js';
import { importPage } from './import-page.js';

const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h)).toISOString();
const NOW = new Date('2026-11-21T00:00:00Z');

async function stateOf(t: TestDb) {
  const orders = await sql<{
    cart_order_no: string;
    status_code: string;
    status_reason: string | null;
    stock_waited: boolean;
  }>`
    SELECT cart_order_no, status_code, status_reason, stock_waited FROM orders ORDER BY cart_order_no`.execute(
    t.db,
  );
  const holds = await sql<{
    cart_order_no: string;
    line_no: number;
    warehouse_code: string;
    quantity: number;
  }>`
    SELECT o.cart_order_no, l.line_no, r.warehouse_code, r.quantity FROM reservations r
    JOIN order_lines l ON l.id = r.order_line_id JOIN orders o ON o.id = r.order_id ORDER BY 1, 2, 3`.execute(
    t.db,
  );
  const stock =
    await sql`SELECT product_code, warehouse_code, on_hand, reserved FROM stock_levels ORDER BY 1, 2`.execute(
      t.db,
    );
  return { orders: orders.rows, holds: holds.rows, stock: stock.rows };
}

describe('import page writer', () => {
  const dbs: TestDb[] = [];
  const fresh = async (label: string) => {
    const t = await createTestDb(label);
    dbs.push(t);
    await seedStock(t.db, {
      P1: { tokyo: 3, osaka: 2 },
      P2: { tokyo: 1 },
      P3: { osaka: 10 },
      FLAG: { tokyo: 5, needsCheck: true },
    });
    return t;
  };
  afterAll(async () => {
    for (const t of dbs) await t.drop();
  });

  const specs: Record<string, OrderSpec> = {
    a: {
      lines: [
        ['P1', 2],
        ['P2', 1],
      ],
      orderedAt: at(1),
    },
    b: { lines: [['P1', 2]], orderedAt: at(2) }, // splits over tokyo and osaka
    c: {
      lines: [
        ['P1', 2],
        ['P3', 1],
      ],
      orderedAt: at(3),
    }, // P1 runs out: waits
    d: { lines: [['P2', 1]], orderedAt: at(4), remarks: '不在時は宅配ボックスへ' },
    e: { lines: [['UNKNOWN-1', 1]], orderedAt: at(5) },
    f: { lines: [['FLAG', 1]], orderedAt: at(6) },
    g: { lines: [['P3', 1]], orderedAt: at(7), payment: '銀行振込' },
    h: { lines: [['P3', 2]], orderedAt: at(8), requestedDate: '2026-12-20' },
  };

  it('leaves the same statuses, reservations and stock as the order-by-order path', async () => {
    const fast = await fresh('fast');
    const careful = await fresh('careful');
    for (const [t, isCareful] of [
      [fast, false],
      [careful, true],
    ] as const) {
      const shop = await createShop(t.db, 'shop-a');
      const orders = Object.entries(specs).map(([no, s]) => cartOrder(shop, no, s));
      // Shuffled on purpose: the writer sorts oldest first.
      const c = await importPage(
        depsOf(t.db, NOW),
        shop,
        passThroughAdapter,
        [...orders].reverse().map((o) => ({ cartOrderNo: o.cartOrderNo, payload: o })),
        {
          runId: null,
          actor: 'import',
          careful: isCareful,
        },
      );
      expect(c.new).toBe(8);
      await expectStockHealthy(t.db);
    }
    const a = await stateOf(fast);
    expect(a).toEqual(await stateOf(careful));
    const status = Object.fromEntries(a.orders.map((o) => [o.cart_order_no, o.status_code]));
    expect(status).toEqual({
      a: S.readyToShip,
      b: S.readyToShip,
      c: S.waiting,
      d: S.customerComment,
      e: S.unknownProduct,
      f: S.needsCheck,
      g: S.awaitingPayment,
      h: S.waiting,
    });
    expect(a.holds.filter((h) => h.cart_order_no === 'b')).toEqual([
      { cart_order_no: 'b', line_no: 1, warehouse_code: 'osaka', quantity: 1 },
      { cart_order_no: 'b', line_no: 1, warehouse_code: 'tokyo', quantity: 1 },
    ]);
  });

  it('serves orders already waiting before the new page', async () => {
    const t = await fresh('waiters');
    const shop = await createShop(t.db, 'shop-a');
    await sql`UPDATE stock_levels SET on_hand = 0 WHERE product_code = 'P2'`.execute(t.db);
    await importOrders(t.db, shop, [cartOrder(shop, 'old', { lines: [['P2', 1]], orderedAt: at(1) })], NOW);
    expect((await orderView(t.db, shop.id, 'old')).status).toBe(S.waiting);
    // Stock arrives without anyone re-allocating, then a newer order comes in: the old one gets it.
    await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = 'P2' AND warehouse_code = 'tokyo'`.execute(
      t.db,
    );
    await importOrders(t.db, shop, [cartOrder(shop, 'new', { lines: [['P2', 1]], orderedAt: at(9) })], NOW);
    expect((await orderView(t.db, shop.id, 'old')).status).toBe(S.readyAfterStock);
    expect((await orderView(t.db, shop.id, 'new')).status).toBe(S.waiting);
    await expectStockHealthy(t.db);
  });

  it('falls back to order-by-order when one order cannot be written: it becomes a reject, the rest go in', async () => {
    const t = await fresh('fallback');
    const shop = await createShop(t.db, 'shop-a');
    const good1 = cartOrder(shop, 'ok-1', { lines: [['P3', 1]], orderedAt: at(1) });
    const bad = cartOrder(shop, 'bad', { lines: [['P3', 1]], orderedAt: at(2) });
    bad.lines[0]!.quantity = 0; // the database refuses it (CHECK quantity > 0)
    const good2 = cartOrder(shop, 'ok-2', { lines: [['P3', 1]], orderedAt: at(3) });
    const c = await importPage(
      depsOf(t.db, NOW),
      shop,
      passThroughAdapter,
      [good1, bad, good2].map((o) => ({ cartOrderNo: o.cartOrderNo, payload: o })),
      {
        runId: null,
        actor: 'import',
      },
    );
    expect(c).toMatchObject({ new: 2, rejected: 1 });
    const rejects = await t.db.selectFrom('import_rejects').select(['cart_order_no', 'error']).execute();
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.error).toMatch(/^bad: .*order_lines_quantity_check|quantity/);
    await expectStockHealthy(t.db);
  });

  it('concurrent pages of several stores over scarce stock: all written once, never oversold', async () => {
    const t = await fresh('concurrent');
    await sql`UPDATE stock_levels SET on_hand = 7 WHERE product_code = 'P3' AND warehouse_code = 'osaka'`.execute(
      t.db,
    );
    const shops = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => createShop(t.db, `shop-${i}`)));
    await Promise.all(
      shops.map((shop, i) =>
        importOrders(
          t.db,
          shop,
          Array.from({ length: 5 }, (_, k) =>
            cartOrder(shop, `c${k}`, { lines: [['P3', 1]], orderedAt: at(i + k) }),
          ),
          NOW,
        ),
      ),
    );
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`.execute(t.db);
    expect(n.rows[0]!.n).toBe(30);
    const held = await sql<{
      reserved: number;
    }>`SELECT SUM(reserved)::int AS reserved FROM stock_levels WHERE product_code = 'P3'`.execute(t.db);
    expect(held.rows[0]!.reserved).toBe(7); // every free unit taken, none twice
    await expectStockHealthy(t.db, { oldestFirst: false });
  });
});
