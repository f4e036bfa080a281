import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../test/harness.js';
import { at, cartOrder, createShop, importOrders } from '../test/stock-fixtures.js';
import { migrateDownAll, migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
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

  it('2026-12-06T0400 moves tracking_uploads into the upload ledger, parcels following, and back', async () => {
    const migrator = new Migrator({
      db: t.db,
      provider: { getMigrations: async () => migrations },
      allowUnorderedMigrations: true,
    });
    const before = '2026-12-06T0300-cart-api-hosts';
    const r = await migrator.migrateTo(before);
    expect(r.error).toBeUndefined();
    expect(await tables(t)).toContain('tracking_uploads');
    const shop = await createShop(t.db, 'mig-shop');
    await importOrders(t.db, shop, [cartOrder(shop, 'M-1', { lines: [['MIG1', 1]], orderedAt: at(1) })]);
    const order = await t.db.selectFrom('orders').select(['id', 'order_seq']).executeTakeFirstOrThrow();
    const unmatched = [
      {
        rowNo: 3,
        key: '0000999901',
        trackingNumber: '400000000099',
        reason: '受注No 00009999 の注文はありません',
      },
    ];
    const results = [
      {
        orderId: order.id,
        orderNo: '00000001',
        state: 'shipped',
        ok: true,
        message: '出荷完了（伝票番号 400000000011）',
      },
    ];
    const ids = await sql<{ id: number }>`
      INSERT INTO tracking_uploads (carrier, file_name, sha256, rows, matched, unmatched, results, uploaded_by)
      VALUES ('yamato', 'b2.csv', 'abc', 2, 1, ${JSON.stringify(unmatched)}::jsonb, ${JSON.stringify(results)}::jsonb, 'user:ops'),
             ('yamato', 'b2-again.csv', 'abc', 2, 1, ${JSON.stringify(unmatched)}::jsonb, '[]'::jsonb, 'user:ops'),
             ('sagawa', 'e.csv', 'def', 1, 0, '[]'::jsonb, '[]'::jsonb, 'user:ops')
      RETURNING id`.execute(t.db);
    await sql`INSERT INTO order_parcels (order_id, package_no, carrier, tracking_number, shipped_on, upload_id)
      VALUES (${order.id}, 1, 'yamato', '400000000011', '2026-12-02', ${ids.rows[0]!.id})`.execute(t.db);

    expect(await migrateToLatest(t.db)).toEqual(['↑ 2026-12-06T0400-tracking-uploads-ledger']);
    expect(await tables(t)).not.toContain('tracking_uploads');
    const uploads = await t.db
      .selectFrom('uploads')
      .select([
        'id',
        'upload_key',
        'file_name',
        'status',
        'rows_read',
        'rows_applied',
        'rows_failed',
        'result',
      ])
      .where('kind', '=', 'tracking')
      .orderBy('id')
      .execute();
    // One per carrier and content (the repeat had added nothing).
    expect(
      uploads.map((u) => [u.upload_key, u.file_name, u.status, u.rows_read, u.rows_applied, u.rows_failed]),
    ).toEqual([
      ['tracking:yamato:abc', 'b2.csv', 'succeeded', 2, 1, 1],
      ['tracking:sagawa:def', 'e.csv', 'succeeded', 1, 0, 0],
    ]);
    const result = uploads[0]!.result as { carrier: string; counts: Record<string, number>; lines: string[] };
    expect(result.carrier).toBe('yamato');
    expect(result.counts).toMatchObject({ shipped: 1, unmatched: 1 });
    expect(result.lines).toEqual([
      '✗ b2.csv 3 行目: お客様管理番号「0000999901」: 受注No 00009999 の注文はありません',
      '✓ 受注No 00000001: 出荷完了（伝票番号 400000000011）',
      `b2.csv: 1 行を取込、1 行はエラー（user:ops、移行前の伝票番号取込 #${ids.rows[0]!.id}）`,
    ]);
    const errors = await t.db.selectFrom('upload_errors').select(['upload_id', 'line', 'message']).execute();
    expect(errors.map((e) => [Number(e.upload_id), e.line])).toEqual([[Number(uploads[0]!.id), 3]]);
    const parcel = await t.db.selectFrom('order_parcels').select('upload_id').executeTakeFirstOrThrow();
    expect(Number(parcel.upload_id)).toBe(Number(uploads[0]!.id));

    // Down and up again keeps the parcel's file.
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    const back = await sql<{
      id: number;
      carrier: string;
    }>`SELECT id, carrier FROM tracking_uploads ORDER BY id`.execute(t.db);
    expect(back.rows.map((x) => x.carrier)).toEqual(['yamato', 'sagawa']);
    await migrateToLatest(t.db);
    const again = await t.db.selectFrom('order_parcels').select('upload_id').executeTakeFirstOrThrow();
    expect(again.upload_id).not.toBeNull();
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
