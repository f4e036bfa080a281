import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { correctStock, reserve } from '../db/stock.js';
import type { Store } from '../db/stores.js';
import { AUTO_CONFIRM, S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { processAllocateStock } from '../jobs/allocate-stock.js';
import type { JobDeps } from '../jobs/deps.js';
import { processRefreshDeliveryHolds } from '../jobs/refresh-delivery-holds.js';
import { processShippingInstruction } from '../jobs/shipping-instruction.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import {
  cartOrder,
  createShop,
  expectStockHealthy,
  importOrders,
  type OrderSpec,
  orderView,
  seedStock,
  stockOf,
} from '../test/stock-fixtures.js';
import { applyShipmentCsv } from '../uploads/shipment-csv.js';
import { changeStatus, changeStatuses } from './change-status.js';
import { confirmShipment } from './confirm-shipment.js';
import { deleteOrder } from './delete-order.js';
import { depsOf } from './deps.js';
import { addStatus, removeStatus, renameStatus } from './edit-statuses.js';
import { recordPayment } from './record-payment.js';
import { releaseReservations } from './release-reservations.js';
import { shippingInstruction } from './shipping-instruction.js';
import { updateOrderNotes } from './update-order-notes.js';

const NOW = new Date('2026-11-26T03:00:00Z'); // 12:00 in Japan
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 0, minute)).toISOString();

describe('shipping stages, payment, cancellation and statuses', () => {
  let t: TestDb;
  let shop: Store;
  let manualCancel: Store;
  let atFulfillment: Store;
  const deps = (now: Date) => ({ db: t.db, now: () => now }) as unknown as JobDeps;
  /** The use cases' deps, the clock fixed at NOW. */
  const ops = () => depsOf(t.db, NOW);

  beforeAll(async () => {
    t = await createTestDb('stages');
    shop = await createShop(t.db, 'shop-a');
    manualCancel = await createShop(t.db, 'shop-manual', { autoCompleteCancel: false });
    atFulfillment = await createShop(t.db, 'shop-late', { reservationTiming: 'fulfillment' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const view = (store: Store, no: string) => orderView(t.db, store.id, no);
  async function place(store: Store, specs: Record<string, OrderSpec>, now = NOW) {
    await importOrders(
      t.db,
      store,
      Object.entries(specs).map(([no, s]) => cartOrder(store, no, s)),
      now,
    );
  }
  async function events(orderId: number) {
    return t.db
      .selectFrom('order_events')
      .select(['actor', 'action', 'from_status', 'to_status', 'reason'])
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute();
  }

  it('shipping instruction: fully held orders → 出荷作業中, those that lost stock → 在庫なし', async () => {
    await seedStock(t.db, { 'SHIP-A': { tokyo: 3 } });
    await place(shop, {
      'ship-1': { lines: [['SHIP-A', 1]], orderedAt: at(1) },
      'ship-2': { lines: [['SHIP-A', 2]], orderedAt: at(2) },
      'ship-3': { lines: [['SHIP-A', 1]], orderedAt: at(3) },
    });
    expect((await view(shop, 'ship-2')).status).toBe(S.readyToShip);
    expect((await view(shop, 'ship-3')).status).toBe(S.waiting);
    // A count finds one unit missing: ship-2 (the youngest holder) loses it but still shows as ready.
    await withTransaction(t.db, (trx) => correctStock(trx, 'SHIP-A', 'tokyo', 2));
    expect(await view(shop, 'ship-2')).toMatchObject({ status: S.readyToShip, held: [1] });

    const results = await shippingInstruction(ops(), { storeCodes: ['shop-a'], actor: 'user:ops' });
    const [s1, s2] = await Promise.all([view(shop, 'ship-1'), view(shop, 'ship-2')]);
    expect(results.map((r) => [r.orderNo, r.ok, r.to])).toEqual([
      [s1.orderNo, true, S.shipping],
      [s2.orderNo, true, S.waiting],
    ]);
    expect(s1).toMatchObject({ status: S.shipping, instructed: true });
    expect(s2).toMatchObject({ status: S.waiting, reason: '在庫不足: 行1 SHIP-A 1/2', instructed: false });
    const shipDate = await t.db
      .selectFrom('orders')
      .select('ship_date')
      .where('id', '=', s1.id)
      .executeTakeFirst();
    expect(shipDate?.ship_date).toBe('2026-11-26');

    // Asked for by order: a waiting order gets its refusal, naming the order and the rule.
    const asked = await shippingInstruction(ops(), { orderIds: [s2.id], actor: 'user:ops' });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.ok).toBe(false);
    expect(asked[0]!.message).toContain(`受注No ${s2.orderNo}`);
    expect(asked[0]!.message).toContain('出荷指示は新規受付分の出荷・在庫確認後の出荷からのみ');
    await expectStockHealthy(t.db);
  });

  it('ship confirmation consumes the stock (on hand and reserved both go down), by call and by CSV', async () => {
    await seedStock(t.db, { 'CONS-A': { tokyo: 1, osaka: 5 }, 'CONS-B': { osaka: 2 } });
    await place(shop, {
      'cons-1': {
        lines: [
          ['CONS-A', 2],
          ['CONS-B', 1],
        ],
        orderedAt: at(1),
      },
      'cons-2': { lines: [['CONS-A', 1]], orderedAt: at(2) },
      'cons-3': { lines: [['CONS-B', 1]], orderedAt: at(3) },
    });
    const ids = await Promise.all(['cons-1', 'cons-2', 'cons-3'].map(async (n) => (await view(shop, n)).id));
    const instructed = await shippingInstruction(ops(), { orderIds: ids, actor: 'user:ops' });
    expect(instructed.map((r) => r.to)).toEqual([S.shipping, S.shipping, S.shipping]);

    const r = await confirmShipment(ops(), {
      orderId: ids[0]!,
      trackingNumber: '1234-5678-9012',
      carrier: 'ヤマト運輸',
      actor: 'user:ops',
    });
    expect(r).toMatchObject({ ok: true, from: S.shipping, to: S.shipped });
    expect(await stockOf(t.db, 'CONS-A')).toEqual({
      tokyo: { onHand: 0, reserved: 0 },
      osaka: { onHand: 4, reserved: 1 },
    });
    expect(await stockOf(t.db, 'CONS-B')).toEqual({
      tokyo: { onHand: 0, reserved: 0 },
      osaka: { onHand: 1, reserved: 1 },
    });
    const [loaded] = await loadOrders(t.db, [ids[0]!], await loadStatuses(t.db));
    expect(loaded!.trackingNumber).toBe('1234-5678-9012');
    expect(loaded!.delivery.carrier).toBe('ヤマト運輸');
    expect(loaded!.lines[0]!.reservation).toEqual({
      state: 'shipped',
      warehouses: [
        { warehouse: 'osaka', quantity: 1 },
        { warehouse: 'tokyo', quantity: 1 },
      ],
    });
    const again = await confirmShipment(ops(), { orderId: ids[0]!, actor: 'user:ops' });
    expect(again.ok).toBe(false);
    expect(again.message).toContain('出荷完了の注文は変更できません');

    // The warehouse's shipment-result CSV: by 受注No, by store + 注文番号, and rows that cannot apply.
    const [o2, o3] = await Promise.all([view(shop, 'cons-2'), view(shop, 'cons-3')]);
    const csv = [
      '受注No,店舗,注文番号,伝票番号,運送会社',
      `${o2.orderNo},,,TRK-2,佐川急便`,
      ',shop-a,cons-3,TRK-3,',
      `${(await view(shop, 'cons-1')).orderNo},,,TRK-1,`,
      '99999999,,,TRK-X,',
      ',,,TRK-Y,',
      'ABC-1,,,TRK-Z,',
    ].join('\n');
    // Through the upload ledger, two rows a batch: a refused row is named by its line and the rest go on.
    const progress: number[] = [];
    const up = await applyShipmentCsv(ops(), Buffer.from(csv), 'user:ops', 'shipments.csv', {
      batchSize: 2,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(up).toMatchObject({ ok: 2, failed: 4, status: 'succeeded', repeated: false });
    expect(progress).toEqual([0, 2, 4, 6]);
    const cons1 = (await view(shop, 'cons-1')).orderNo;
    expect(up.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^✗ shipments.csv 4 行目: 受注No ${cons1}: .*出荷完了の注文は変更できません`),
        ),
        '✗ shipments.csv 5 行目: 受注No 99999999 の注文はありません',
        '✗ shipments.csv 6 行目: 受注No、または 店舗 と 注文番号 を入れてください',
        '✗ shipments.csv 7 行目: 受注No "ABC-1" は受注番号として読めません（数字だけ）',
      ]),
    );
    expect(up.lines.at(-1)).toContain('shipments.csv: 2 行を出荷完了、4 行はエラー');
    // The same file again (another name, another person): nothing is confirmed twice.
    const resent = await applyShipmentCsv(ops(), Buffer.from(csv), 'user:other', 'again.csv');
    expect(resent).toMatchObject({ uploadId: up.uploadId, repeated: true, ok: 2, failed: 4 });
    const loaded2 = await loadOrders(t.db, [o2.id, o3.id], await loadStatuses(t.db));
    expect(loaded2.map((o) => [o.status.code, o.trackingNumber])).toEqual([
      [S.shipped, 'TRK-2'],
      [S.shipped, 'TRK-3'],
    ]);
    expect(await stockOf(t.db, 'CONS-A')).toMatchObject({ osaka: { onHand: 3, reserved: 0 } });
    expect(await stockOf(t.db, 'CONS-B')).toMatchObject({ osaka: { onHand: 0, reserved: 0 } });
    await expectStockHealthy(t.db);
  });

  it('scheduled shipping instruction and the allocation sweep run as jobs', async () => {
    const store = await createShop(t.db, 'shop-sched');
    await seedStock(t.db, { 'SCHED-A': { tokyo: 1 } });
    await place(store, {
      'sched-1': { lines: [['SCHED-A', 1]], orderedAt: at(1) },
      'sched-2': { lines: [['SCHED-A', 1]], orderedAt: at(2) },
    });
    const r = await processShippingInstruction({ storeCode: 'shop-sched' }, deps(NOW));
    expect(r).toEqual({ store: 'shop-sched', instructed: 1, backToWaiting: 0 });
    // Stock arrives without anyone re-allocating: the sweep finds the shortfall and serves it.
    await sql`UPDATE stock_levels SET on_hand = on_hand + 1 WHERE product_code = 'SCHED-A' AND warehouse_code = 'osaka'`.execute(
      t.db,
    );
    const swept = await processAllocateStock({ productCodes: null, reason: 'test' }, deps(NOW));
    expect(swept).toMatchObject({ reserved: 1, ordersMoved: 1 });
    expect(await view(store, 'sched-2')).toMatchObject({ status: S.readyAfterStock, held: [1] });
    await expectStockHealthy(t.db);
  });

  it('delivery-date holds release themselves once the date is within the window (JST midnight)', async () => {
    const store = await createShop(t.db, 'shop-date', { deliveryHoldDays: 10 });
    await seedStock(t.db, { 'DATE-A': { tokyo: 5 } });
    await place(
      store,
      {
        'date-1': { lines: [['DATE-A', 1]], orderedAt: at(1), requestedDate: '2026-12-06' },
        'date-2': { lines: [['DATE-A', 1]], orderedAt: at(2), requestedDate: '2026-12-05' },
      },
      NOW,
    );
    const d1 = await view(store, 'date-1');
    expect(d1).toMatchObject({ status: S.waiting, held: [1] }); // held, but the date is 10 days away
    expect(d1.reason).toBe('お届け指定日 2026-12-06（10日後、10日以上先）');
    expect((await view(store, 'date-2')).status).toBe(S.readyToShip);

    // 23:59:59 in Japan on the 26th: still 10 days. One second later (the 27th in Japan): 9.
    const before = await processRefreshDeliveryHolds({}, deps(new Date('2026-11-26T14:59:59Z')));
    expect(before.released).toBe(0);
    expect((await view(store, 'date-1')).status).toBe(S.waiting);
    const after = await processRefreshDeliveryHolds({}, deps(new Date('2026-11-26T15:00:00Z')));
    expect(after.released).toBeGreaterThanOrEqual(1);
    expect(await view(store, 'date-1')).toMatchObject({ status: S.readyAfterStock, held: [1] });
    await expectStockHealthy(t.db);
  });

  it('cancel before the instruction completes by itself; its stock goes to the oldest waiting order', async () => {
    await seedStock(t.db, { 'CXL-A': { tokyo: 1 } });
    await place(shop, {
      'cxl-1': { lines: [['CXL-A', 1]], orderedAt: at(1) },
      'cxl-2': { lines: [['CXL-A', 1]], orderedAt: at(2) },
      'cxl-3': { lines: [['CXL-A', 1]], orderedAt: at(3) },
    });
    const c1 = await view(shop, 'cxl-1');
    const r = await changeStatus(ops(), {
      orderId: c1.id,
      target: S.cancelRequested,
      actor: 'user:ops',
      reason: 'お客様都合',
    });
    expect(r).toMatchObject({ ok: true, from: S.readyToShip, to: S.cancelled });
    expect(await view(shop, 'cxl-1')).toMatchObject({ status: S.cancelled, held: [0] });
    expect(await view(shop, 'cxl-2')).toMatchObject({ status: S.readyAfterStock, held: [1] });
    expect(await view(shop, 'cxl-3')).toMatchObject({ status: S.waiting, held: [0] });
    const ev = await events(c1.id);
    expect(ev.filter((e) => e.action === 'status_changed').slice(-2)).toEqual([
      {
        actor: 'user:ops',
        action: 'status_changed',
        from_status: S.readyToShip,
        to_status: S.cancelRequested,
        reason: 'お客様都合',
      },
      {
        actor: 'system',
        action: 'status_changed',
        from_status: S.cancelRequested,
        to_status: S.cancelled,
        reason: 'キャンセル完了',
      },
    ]);
    await expectStockHealthy(t.db);

    // Only キャンセル済み orders can be deleted; the history stays.
    const c2 = await view(shop, 'cxl-2');
    const refused = await deleteOrder(ops(), { orderId: c2.id, actor: 'user:admin' });
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe(`受注No ${c2.orderNo}: キャンセル済みの注文だけ削除できます`);
    expect((await deleteOrder(ops(), { orderId: c1.id, actor: 'user:admin' })).ok).toBe(true);
    expect(
      await t.db.selectFrom('orders').select('id').where('id', '=', c1.id).executeTakeFirst(),
    ).toBeUndefined();
    expect((await events(c1.id)).at(-1)).toMatchObject({ actor: 'user:admin', action: 'deleted' });
    expect((await deleteOrder(ops(), { orderId: c1.id, actor: 'user:admin' })).ok).toBe(false);
    await expectStockHealthy(t.db);
  });

  it('deleting a cancelled order that somehow still holds stock gives it back first', async () => {
    await seedStock(t.db, { 'DEL-A': { tokyo: 2 } });
    await place(shop, { 'del-1': { lines: [['DEL-A', 1]], orderedAt: at(1) } });
    const d = await view(shop, 'del-1');
    await changeStatus(ops(), { orderId: d.id, target: S.cancelRequested, actor: 'user:ops' });
    // A stray reservation (a hand edit): the delete must not leave stock_levels.reserved behind.
    const line = await t.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', d.id)
      .executeTakeFirstOrThrow();
    await withTransaction(t.db, (trx) =>
      reserve(trx, { orderLineId: line.id, orderId: d.id, productCode: 'DEL-A' }, 'tokyo', 1),
    );
    expect((await deleteOrder(ops(), { orderId: d.id, actor: 'user:admin' })).ok).toBe(true);
    expect(await stockOf(t.db, 'DEL-A')).toMatchObject({ tokyo: { onHand: 2, reserved: 0 } });
    await expectStockHealthy(t.db);
  });

  it('a store that completes cancels by hand keeps the order in キャンセル指示待ち with its stock', async () => {
    await seedStock(t.db, { 'MAN-A': { tokyo: 1 } });
    await place(manualCancel, {
      'man-1': { lines: [['MAN-A', 1]], orderedAt: at(1) },
      'man-2': { lines: [['MAN-A', 1]], orderedAt: at(2) },
    });
    const m1 = await view(manualCancel, 'man-1');
    expect(
      (await changeStatus(ops(), { orderId: m1.id, target: S.cancelRequested, actor: 'user:ops' })).to,
    ).toBe(S.cancelRequested);
    expect(await view(manualCancel, 'man-1')).toMatchObject({ status: S.cancelRequested, held: [1] });
    expect((await view(manualCancel, 'man-2')).held).toEqual([0]);
    expect((await changeStatus(ops(), { orderId: m1.id, target: S.cancelled, actor: 'user:ops' })).to).toBe(
      S.cancelled,
    );
    expect(await view(manualCancel, 'man-1')).toMatchObject({ status: S.cancelled, held: [0] });
    expect(await view(manualCancel, 'man-2')).toMatchObject({ status: S.readyAfterStock, held: [1] });
    await expectStockHealthy(t.db);
  });

  it('cancel after the instruction goes through キャンセル対応中: stopped in time, or too late (flagged)', async () => {
    await seedStock(t.db, { 'LATE-A': { tokyo: 2, osaka: 1 } });
    await place(shop, {
      'late-1': { lines: [['LATE-A', 1]], orderedAt: at(1) },
      'late-2': { lines: [['LATE-A', 1]], orderedAt: at(2) },
      'late-3': { lines: [['LATE-A', 1]], orderedAt: at(3) },
      'late-4': { lines: [['LATE-A', 1]], orderedAt: at(4) },
    });
    const [l1, l2] = await Promise.all([view(shop, 'late-1'), view(shop, 'late-2')]);
    await shippingInstruction(ops(), { orderIds: [l1.id, l2.id], actor: 'user:ops' });

    for (const o of [l1, l2]) {
      const r = await changeStatus(ops(), { orderId: o.id, target: S.cancelRequested, actor: 'user:ops' });
      expect(r.to).toBe(S.cancelling);
      expect((await view(shop, o.id === l1.id ? 'late-1' : 'late-2')).held).toEqual([1]); // still with the warehouse
    }
    // The warehouse stopped late-1: stock comes back and goes to the oldest waiting order.
    expect((await changeStatus(ops(), { orderId: l1.id, target: S.cancelled, actor: 'user:ops' })).to).toBe(
      S.cancelled,
    );
    expect(await view(shop, 'late-4')).toMatchObject({ status: S.readyAfterStock, held: [1] });
    // late-2 had already left: 出荷完了, stock consumed, flagged for a human.
    const tooLate = await changeStatus(ops(), { orderId: l2.id, target: S.shipped, actor: 'user:ops' });
    expect(tooLate).toMatchObject({ ok: true, to: S.shipped });
    const v2 = await view(shop, 'late-2');
    expect(v2).toMatchObject({ status: S.shipped, needsAttention: true, held: [0] });
    expect(await stockOf(t.db, 'LATE-A')).toEqual({
      tokyo: { onHand: 1, reserved: 1 },
      osaka: { onHand: 1, reserved: 1 },
    });
    await expectStockHealthy(t.db);
  });

  it('a cart-side cancel on re-import follows the same flow, before and after the instruction', async () => {
    await seedStock(t.db, { 'CART-A': { tokyo: 2 } });
    const spec1: OrderSpec = { lines: [['CART-A', 1]], orderedAt: at(1) };
    const spec2: OrderSpec = { lines: [['CART-A', 1]], orderedAt: at(2) };
    await place(shop, { 'cart-1': spec1, 'cart-2': spec2 });
    const c2 = await view(shop, 'cart-2');
    await shippingInstruction(ops(), { orderIds: [c2.id], actor: 'user:ops' });
    await place(shop, { 'cart-1': { ...spec1, cancelled: true }, 'cart-2': { ...spec2, cancelled: true } });
    expect(await view(shop, 'cart-1')).toMatchObject({ status: S.cancelled, held: [0] });
    expect(await view(shop, 'cart-2')).toMatchObject({ status: S.cancelling, held: [1] });
    const ev = await events((await view(shop, 'cart-1')).id);
    expect(ev.map((e) => [e.actor, e.action, e.to_status])).toEqual([
      // Stock is planned in the import's own transaction: the order arrives ready, in one event.
      ['import', 'imported', S.readyToShip],
      ['cart', 'cart_cancelled', null],
      ['cart', 'status_changed', S.cancelRequested],
      ['system', 'status_changed', S.cancelled],
    ]);
    await expectStockHealthy(t.db);
  });

  it('payment: 入金待ち holds stock (reserved at import) and moves on when the payment is recorded', async () => {
    await seedStock(t.db, { 'PAY-A': { tokyo: 2 } });
    await place(shop, {
      'pay-1': { lines: [['PAY-A', 1]], orderedAt: at(1), payment: '銀行振込' },
      'pay-2': { lines: [['PAY-A', 1]], orderedAt: at(2), payment: 'コンビニ前払', remarks: '領収書希望' },
    });
    const p1 = await view(shop, 'pay-1');
    expect(p1).toMatchObject({
      status: S.awaitingPayment,
      held: [1],
      reason: '前払い（銀行振込）の入金待ち',
    });
    // Not paid: neither auto-confirm nor a manual move can skip the payment.
    const early = await changeStatus(ops(), { orderId: p1.id, target: S.readyToShip, actor: 'user:ops' });
    expect(early.ok).toBe(false);
    expect(early.message).toContain(`受注No ${p1.orderNo}`);
    const paid = await recordPayment(ops(), {
      orderId: p1.id,
      paidAt: new Date('2026-11-26T01:00:00Z'),
      actor: 'user:ops',
    });
    expect(paid).toMatchObject({ ok: true, from: S.awaitingPayment, to: S.readyToShip });
    expect((await events(p1.id)).map((e) => e.action)).toContain('payment_recorded');

    // Paid while still in review: recorded; the payment check is then already done.
    const p2 = await view(shop, 'pay-2');
    expect(p2.status).toBe(S.customerComment);
    expect(
      await recordPayment(ops(), {
        orderId: p2.id,
        paidAt: new Date('2026-11-26T01:00:00Z'),
        actor: 'user:ops',
      }),
    ).toMatchObject({
      ok: true,
      to: S.customerComment,
    });
    expect((await changeStatus(ops(), { orderId: p2.id, target: AUTO_CONFIRM, actor: 'user:ops' })).to).toBe(
      S.readyToShip,
    );
    const row = await t.db
      .selectFrom('orders')
      .select('comment_checked')
      .where('id', '=', p2.id)
      .executeTakeFirst();
    expect(row?.comment_checked).toBe(true);
    await expectStockHealthy(t.db);
  });

  it('payment reported by the cart on re-sync moves 入金待ち on (both reservation timings)', async () => {
    await seedStock(t.db, { 'SYNC-A': { tokyo: 2 } });
    for (const store of [shop, atFulfillment]) {
      const spec: OrderSpec = { lines: [['SYNC-A', 1]], orderedAt: at(1), payment: '銀行振込' };
      const no = `sync-${store.code}`;
      await place(store, { [no]: spec });
      expect((await view(store, no)).status).toBe(S.awaitingPayment);
      await place(store, { [no]: { ...spec, paidAt: '2026-11-26T10:00:00+09:00', cartStatus: '400' } });
      expect(await view(store, no)).toMatchObject({ status: S.readyToShip, held: [1] });
      const ev = await events((await view(store, no)).id);
      expect(ev.filter((e) => e.action === 'payment_recorded').map((e) => e.actor)).toEqual(['cart']);
    }
    await expectStockHealthy(t.db);
  });

  it("reservation timing 'fulfillment' holds nothing in review; 'import' reserves at once", async () => {
    await seedStock(t.db, { 'TIME-A': { tokyo: 2 } });
    const spec: OrderSpec = { lines: [['TIME-A', 1]], orderedAt: at(1), remarks: '午前中希望' };
    await place(atFulfillment, { 'time-late': spec });
    await place(shop, { 'time-import': { ...spec, orderedAt: at(2) } });
    expect(await view(atFulfillment, 'time-late')).toMatchObject({ status: S.customerComment, held: [0] });
    expect(await view(shop, 'time-import')).toMatchObject({ status: S.customerComment, held: [1] });
    // Checked by an operator: it reaches fulfillment, and only then gets its stock.
    const late = await view(atFulfillment, 'time-late');
    const r = await changeStatus(ops(), { orderId: late.id, target: AUTO_CONFIRM, actor: 'user:ops' });
    expect(r.ok).toBe(true);
    expect(await view(atFulfillment, 'time-late')).toMatchObject({ status: S.readyToShip, held: [1] });
    await expectStockHealthy(t.db);
  });

  it('受注在庫予約解除: select by channel, order, status, warehouse, product; fulfillment goes back to waiting', async () => {
    const other = await createShop(t.db, 'shop-yahoo', { importStatuses: ['300'] }, 'yahoo');
    await seedStock(t.db, { 'REL-A': { tokyo: 2, osaka: 2 }, 'REL-B': { tokyo: 5 } });
    await place(shop, {
      'rel-1': {
        lines: [
          ['REL-A', 3],
          ['REL-B', 1],
        ],
        orderedAt: at(1),
      },
      'rel-2': { lines: [['REL-B', 1]], orderedAt: at(2), remarks: 'のし' },
      'rel-3': { lines: [['REL-B', 1]], orderedAt: at(3) },
    });
    await place(other, { 'rel-y': { lines: [['REL-B', 1]], orderedAt: at(4) } });
    const [r1, r2, r3, ry] = await Promise.all([
      view(shop, 'rel-1'),
      view(shop, 'rel-2'),
      view(shop, 'rel-3'),
      view(other, 'rel-y'),
    ]);
    await shippingInstruction(ops(), { orderIds: [r3.id], actor: 'user:ops' });

    // By warehouse (osaka) and product: only rel-1's osaka unit of REL-A.
    const byWarehouse = await releaseReservations(ops(), {
      selection: { warehouse: 'osaka', productCode: 'REL-A' },
      actor: 'user:ops',
      why: '大阪倉庫の棚卸',
    });
    expect(byWarehouse.map((x) => [x.orderNo, x.ok, x.to, x.message])).toEqual([
      [
        r1.orderNo,
        true,
        S.waiting,
        '1 個の引当を解除しました。引当保留中です（再引当するまで在庫を引き当てません）',
      ],
    ]);
    expect((await view(shop, 'rel-1')).held).toEqual([2, 1]);
    // By channel and status: rel-2 (review, stock stays its status) but not the yahoo order nor rel-3 (instructed).
    const byStore = await releaseReservations(ops(), {
      selection: { storeCodes: ['shop-a'], statuses: [S.customerComment], productCode: 'REL-B' },
      actor: 'user:ops',
      why: '確認に時間がかかるため',
    });
    expect(byStore.map((x) => [x.orderNo, x.to])).toEqual([[r2.orderNo, S.customerComment]]);
    // By 受注No (a mistyped one matches nothing rather than everything).
    expect(
      await releaseReservations(ops(), {
        selection: { orderNos: ['12x'] },
        actor: 'user:ops',
        why: 'テスト',
      }),
    ).toEqual([]);
    const byNo = await releaseReservations(ops(), {
      selection: { orderNos: [ry.orderNo, 'x'] },
      actor: 'user:ops',
      why: 'テスト',
    });
    expect(byNo.map((x) => [x.orderNo, x.to])).toEqual([[ry.orderNo, S.waiting]]);
    expect((await view(other, 'rel-y')).held).toEqual([0]);
    expect((await view(shop, 'rel-3')).held).toEqual([1]); // handed to the warehouse: never taken
    const ev = (await events(r1.id)).find((e) => e.action === 'reservation_released');
    expect(ev).toMatchObject({ actor: 'user:ops', reason: '大阪倉庫の棚卸' });
    await expectStockHealthy(t.db, { oldestFirst: false }); // released orders wait until re-allocated
    await processAllocateStock({ productCodes: ['REL-A', 'REL-B'], reason: 'test' }, deps(NOW));
    await expectStockHealthy(t.db);
  });

  it('bulk status change reports a result per order', async () => {
    await seedStock(t.db, { 'BULK-A': { tokyo: 1 } });
    await place(shop, {
      'bulk-1': { lines: [['BULK-A', 1]], orderedAt: at(1) },
      'bulk-2': { lines: [['BULK-A', 1]], orderedAt: at(2) },
      'bulk-3': { lines: [['BULK-A', 1]], orderedAt: at(3), remarks: '急ぎ' },
    });
    const b1 = await view(shop, 'bulk-1');
    const b2 = await view(shop, 'bulk-2');
    const b3 = await view(shop, 'bulk-3');
    const results = await changeStatuses(ops(), {
      orderIds: [b3.id, b1.id, b2.id, 987654],
      target: S.shipping,
      actor: 'user:ops',
    });
    expect(results.map((r) => [r.orderId, r.ok])).toEqual([
      [b1.id, true],
      [b2.id, false],
      [b3.id, false],
      [987654, false],
    ]);
    expect(results[1]!.message).toBe(
      `受注No ${b2.orderNo}: 在庫なし / 納期指定あり → 出荷作業中 はできません（出荷指示は新規受付分の出荷・在庫確認後の出荷からのみ）`,
    );
    expect(results[2]!.message).toContain(`受注No ${b3.orderNo}: お客様コメント確認 → 出荷作業中`);
    expect(results[3]!.message).toBe('注文 987654 はありません（削除された可能性があります）');
    const autos = await changeStatuses(ops(), {
      orderIds: [b2.id, b3.id],
      target: AUTO_CONFIRM,
      actor: 'user:ops',
    });
    expect(autos.map((r) => [r.ok, r.to])).toEqual([
      [false, null],
      [true, S.waiting],
    ]);
    expect(autos[0]!.message).toContain('在庫不足');
    await expectStockHealthy(t.db);
  });

  it('statuses are data: renamed labels, a custom status in a group, system statuses kept', async () => {
    await renameStatus({ db: t.db }, 'hold_1', '予約注文');
    await renameStatus({ db: t.db }, S.waiting, '取り寄せ中');
    const custom = await addStatus({ db: t.db }, { code: 'vip_check', group: 'review', label: 'VIP確認' });
    expect(custom).toMatchObject({ group: 'review', system: false });
    await expect(
      addStatus({ db: t.db }, { code: 'x_cancel', group: 'cancellation', label: 'x' }),
    ).rejects.toThrow('キャンセルのグループには');
    await expect(removeStatus({ db: t.db }, S.waiting)).rejects.toThrow('標準のステータスです');
    await expect(renameStatus({ db: t.db }, S.shipped, '  ')).rejects.toThrow(
      'ステータス名を入力してください',
    );

    await seedStock(t.db, { 'LBL-A': { tokyo: 1 } });
    await place(atFulfillment, {
      'lbl-1': { lines: [['LBL-A', 1]], orderedAt: at(1) },
      'lbl-2': { lines: [['LBL-A', 1]], orderedAt: at(2) },
    });
    const [l1, l2] = await Promise.all([view(atFulfillment, 'lbl-1'), view(atFulfillment, 'lbl-2')]);
    // The renamed label shows in results and refusals; the rule under it did not change.
    const refused = await changeStatus(ops(), { orderId: l2.id, target: S.shipping, actor: 'user:ops' });
    expect(refused.message).toContain('取り寄せ中 → 出荷作業中 はできません');
    // 予約注文 (the renamed spare status) keeps the order's stock while it is parked there.
    const parked = await changeStatus(ops(), {
      orderId: l1.id,
      target: 'hold_1',
      actor: 'user:ops',
      reason: '予約商品',
    });
    expect(parked).toMatchObject({ ok: true, to: 'hold_1', message: '新規受付分の出荷 → 予約注文' });
    expect(await view(atFulfillment, 'lbl-1')).toMatchObject({ status: 'hold_1', held: [1] });
    const [loaded] = await loadOrders(t.db, [l1.id], await loadStatuses(t.db));
    expect(loaded!.status).toMatchObject({ group: 'fulfillment', code: 'hold_1', label: '予約注文' });
    // A custom review status is a holding place like 確認待ち保留; auto-confirm leaves it.
    expect((await changeStatus(ops(), { orderId: l1.id, target: 'vip_check', actor: 'user:ops' })).ok).toBe(
      true,
    );
    await expect(removeStatus({ db: t.db }, 'vip_check')).rejects.toThrow('の受注が残っています');
    expect((await changeStatus(ops(), { orderId: l1.id, target: AUTO_CONFIRM, actor: 'user:ops' })).to).toBe(
      S.readyToShip,
    );
    await removeStatus({ db: t.db }, 'vip_check');
    expect((await loadStatuses(t.db)).has('vip_check')).toBe(false);
    await renameStatus({ db: t.db }, S.waiting, '在庫なし / 納期指定あり');
    await renameStatus({ db: t.db }, 'hold_1', '出荷保留1');
    await expectStockHealthy(t.db);
  });

  it('operator notes and acknowledgements are recorded with who did it', async () => {
    await seedStock(t.db, { 'NOTE-A': { tokyo: 1 } });
    await place(shop, { 'note-1': { lines: [['NOTE-A', 1]], orderedAt: at(1), remarks: '箱なしで' } });
    const n = await view(shop, 'note-1');
    await updateOrderNotes(ops(), {
      orderId: n.id,
      patch: { internalComment: '電話確認済み', commentChecked: true },
      actor: 'user:ops',
    });
    expect((await changeStatus(ops(), { orderId: n.id, target: AUTO_CONFIRM, actor: 'user:ops' })).to).toBe(
      S.readyToShip,
    );
    expect((await events(n.id)).map((e) => [e.actor, e.action])).toContainEqual([
      'user:ops',
      'notes_updated',
    ]);
    await expect(updateOrderNotes(ops(), { orderId: 999999, patch: {}, actor: 'user:ops' })).rejects.toThrow(
      '注文 999999 はありません',
    );
  });
});
