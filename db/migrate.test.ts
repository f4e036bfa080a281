import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../test/harness.js';
import { migrateDownAll, migrateToLatest } from './migrate.js';
import { compactStatusCounts, statusTotals } from './status-counts.js';

const tables = async (t: TestDb) =>
  (
    await sql<{
      tablename: string;
    }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY 1`.execute(
      t.db,
    )
  ).rows.map((r) => r.tablename);

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('migrate');
  });
  afterAll(async () => t.drop());

  it('run up, down and up again', async () => {
    const before = await tables(t);
    expect(before).toContain('orders');
    expect(before).toContain('reservations');

    const down = await migrateDownAll(t.db);
    expect(down.length).toBeGreaterThan(0);
    expect(await tables(t)).toEqual([]);

    const up = await migrateToLatest(t.db);
    expect(up.every((m) => m.startsWith('↑'))).toBe(true);
    expect(await tables(t)).toEqual(before);
    const statuses = await t.db.selectFrom('statuses').select('code').execute();
    expect(statuses.map((s) => s.code)).toContain('unknown_product');
  });

  it('refuses a second order for the same store and cart order number', async () => {
    const store = await t.db
      .insertInto('stores')
      .values({ code: 'r1', cart: 'rakuten', name: 'R', import_cron: '* * * * *', settings: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = {
      store_id: store.id,
      cart_order_no: '1-2-3',
      status_code: 'ready_to_ship',
      ordered_at: new Date(),
      cart_status: '100',
      payload_hash: 'x',
      content_hash: 'x',
      raw_payload: '{}',
      currency: 'JPY',
    };
    await t.db.insertInto('orders').values(row).execute();
    await expect(t.db.insertInto('orders').values(row).execute()).rejects.toThrow(
      /orders_store_cart_order_no_key/,
    );
  });

  it('refuses stock reserved beyond what is on hand', async () => {
    await t.db.insertInto('products').values({ code: 'P1', name: 'p', tax_rate: 8 }).execute();
    await t.db.insertInto('warehouses').values({ code: 'w1', name: 'w', priority: 1 }).execute();
    await t.db
      .insertInto('stock_levels')
      .values({ product_code: 'P1', warehouse_code: 'w1', on_hand: 2 })
      .execute();
    await expect(
      t.db.updateTable('stock_levels').set({ reserved: 3 }).where('product_code', '=', 'P1').execute(),
    ).rejects.toThrow(/stock_levels_reserved_within_on_hand/);
  });
});

describe('order status counts', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('counts');
  });
  afterAll(async () => t.drop());

  it('follow inserts, status changes and deletes, before and after folding the deltas', async () => {
    const store = await t.db
      .insertInto('stores')
      .values({ code: 's1', cart: 'csv', name: 'S', import_cron: '* * * * *', settings: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const base = {
      store_id: store.id,
      ordered_at: new Date(),
      cart_status: 'x',
      payload_hash: 'h',
      content_hash: 'h',
      raw_payload: '{}',
      currency: 'JPY',
    };
    await t.db
      .insertInto('orders')
      .values([
        { ...base, cart_order_no: 'a', status_code: 'waiting' },
        { ...base, cart_order_no: 'b', status_code: 'waiting' },
        { ...base, cart_order_no: 'c', status_code: 'shipped' },
      ])
      .execute();
    await t.db
      .updateTable('orders')
      .set({ status_code: 'cancelled' })
      .where('cart_order_no', '=', 'a')
      .execute();
    await t.db.updateTable('orders').set({ cart_status: 'y' }).execute(); // not a status change
    await t.db.deleteFrom('orders').where('cart_order_no', '=', 'c').execute();
    const expected = [
      ['cancelled', 1],
      ['waiting', 1],
    ];
    const totals = async () =>
      (await statusTotals(t.db))
        .map((c) => [c.status, c.n])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(await totals()).toEqual(expected);
    expect(await compactStatusCounts(t.db)).toBeGreaterThan(0);
    expect(await t.db.selectFrom('order_status_deltas').select('id').execute()).toEqual([]);
    expect(await totals()).toEqual(expected);
    expect(await compactStatusCounts(t.db)).toBe(0);
  });
});
