// The SQL that picks the orders stock goes to (db/stock.ts `holdingOrder`, used by the allocation and
// the sweep's work list) must answer as domain/stock-holding.ts `mayHoldStock` does: for every system
// status and a custom status of each group, under both reservation timings (and the default), before
// and after the shipping instruction. Real orders in a test database, read by the real predicate.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusGroup } from '../domain/order.js';
import type { StatusDef } from '../domain/statuses.js';
import { mayHoldStock } from '../domain/stock-holding.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { expectStockInvariants } from '../test/pipeline.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';
import { addStatus } from '../usecases/edit-statuses.js';
import { productsWithShortfall } from './order-selection.js';
import { loadStatuses } from './statuses.js';
import { allocateProducts, holdingOrder } from './stock.js';
import type { Store } from './stores.js';

const PRODUCT = 'HOLD-P';

describe('holdingOrder() agrees with mayHoldStock', () => {
  let t: TestDb;
  let stores: Store[];
  let statuses: readonly StatusDef[];
  /** cart_order_no → what mayHoldStock says for that order. */
  const expected = new Map<string, boolean>();
  const orderNo = (store: Store, status: string, instructed: boolean, held: boolean) =>
    `${store.code}:${status}:${instructed ? 'instructed' : 'open'}${held ? ':held' : ''}`;

  beforeAll(async () => {
    t = await createTestDb('holding');
    await seedStock(t.db, { [PRODUCT]: {} }); // nothing free yet
    stores = [
      await createShop(t.db, 'timing-default'),
      await createShop(t.db, 'timing-import', { reservationTiming: 'import' }),
      await createShop(t.db, 'timing-late', { reservationTiming: 'fulfillment' }),
    ];
    // A custom status in each group (the seed already has hold_1 in fulfillment). The cancellation
    // group refuses custom statuses through addStatus; one written by hand must still not hold.
    for (const group of ['review', 'payment', 'fulfillment'] as StatusGroup[])
      await addStatus({ db: t.db }, { code: `custom_${group}`, group, label: `独自 ${group}` });
    await sql`INSERT INTO statuses (code, "group", label, sort_order, system)
              VALUES ('custom_cancellation', 'cancellation', '独自 cancellation', 499, false)`.execute(t.db);
    statuses = (await loadStatuses(t.db)).all;

    // An order of one short line in every status × store × (instructed or not) × (引当保留 or not).
    let minute = 0;
    for (const store of stores)
      for (const s of statuses)
        for (const instructed of [false, true])
          for (const held of [false, true]) {
            const no = orderNo(store, s.code, instructed, held);
            expected.set(no, mayHoldStock(s, store.settings.reservationTiming, instructed, held));
            const at = new Date(Date.UTC(2026, 10, 20, 0, minute++));
            // By hand, the columns the predicate reads and those the schema requires: no pipeline
            // puts an order in every status (a shipped one unheld, a custom cancellation status).
            const o = await sql<{ id: number }>`
            INSERT INTO orders (store_id, cart_order_no, status_code, ordered_at, cart_status,
                                payload_hash, content_hash, raw_payload, shipping_instructed_at,
                                allocation_held_at, allocation_held_by, allocation_hold_reason)
            VALUES (${store.id}, ${no}, ${s.code}, ${at}, '300', ${`p-${no}`}, ${`c-${no}`}, '{}'::jsonb,
                    ${instructed ? at : null}, ${held ? at : null}, ${held ? 'user:ops' : null},
                    ${held ? '棚卸のため' : null})
            RETURNING id`.execute(t.db);
            await sql`
            INSERT INTO order_lines (order_id, line_no, cart_product_code, product_code, name, quantity,
                                     unit_price, tax_included)
            VALUES (${o.rows[0]!.id}, 1, ${PRODUCT}, ${PRODUCT}, '商品', 1, 1000, true)`.execute(t.db);
          }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('covers every status of each kind under each timing', () => {
    expect(stores.map((s) => s.settings.reservationTiming)).toEqual(['import', 'import', 'fulfillment']);
    const system = statuses.filter((s) => s.system).map((s) => s.code);
    expect(system).toHaveLength(13);
    const customGroups = new Set(statuses.filter((s) => !s.system).map((s) => s.group));
    expect([...customGroups].sort()).toEqual(['cancellation', 'fulfillment', 'payment', 'review']);
    // Not a vacuous comparison: both answers occur, and the timings differ.
    expect(new Set(expected.values())).toEqual(new Set([true, false]));
    expect(expected.get(orderNo(stores[1]!, 'customer_comment', false, false))).toBe(true);
    expect(expected.get(orderNo(stores[2]!, 'customer_comment', false, false))).toBe(false);
    // 引当保留 takes an order that would hold out of the allocation.
    expect(expected.get(orderNo(stores[1]!, 'customer_comment', false, true))).toBe(false);
    expect(expected.get(orderNo(stores[2]!, 'waiting', false, true))).toBe(false);
  });

  it('the predicate, joined as the allocation joins it, selects exactly the orders that may hold stock', async () => {
    const r = await sql<{ cart_order_no: string }>`
      SELECT o.cart_order_no FROM orders o
      JOIN stores st ON st.id = o.store_id
      JOIN statuses s ON s.code = o.status_code
      WHERE o.shipping_instructed_at IS NULL AND ${holdingOrder()}`.execute(t.db);
    const selected = new Set(r.rows.map((x) => x.cart_order_no));
    const got = Object.fromEntries([...expected.keys()].map((no) => [no, selected.has(no)]));
    expect(got).toEqual(Object.fromEntries(expected));
  });

  it('the sweep lists the product while a holding order is short, and allocation serves exactly those', async () => {
    expect(await productsWithShortfall(t.db)).toEqual([]); // short, but no free stock
    await sql`UPDATE stock_levels SET on_hand = 1000 WHERE product_code = ${PRODUCT} AND warehouse_code = 'tokyo'`.execute(
      t.db,
    );
    expect(await productsWithShortfall(t.db)).toEqual([PRODUCT]);
    const [a] = await allocateProducts(t.db, [PRODUCT]);
    const served = await t.db
      .selectFrom('reservations as r')
      .innerJoin('orders as o', 'o.id', 'r.order_id')
      .select('o.cart_order_no')
      .execute();
    const got = Object.fromEntries(
      [...expected.keys()].map((no) => [no, served.some((x) => x.cart_order_no === no)]),
    );
    expect(got).toEqual(Object.fromEntries(expected));
    expect(a!.reserved).toBe([...expected.values()].filter(Boolean).length);
    // What is still short belongs to orders that may not hold stock: the sweep has nothing left to do.
    expect(await productsWithShortfall(t.db)).toEqual([]);
    expect((await allocateProducts(t.db, [PRODUCT]))[0]!.reserved).toBe(0);
    await expectStockInvariants(t.db);
  });
});
