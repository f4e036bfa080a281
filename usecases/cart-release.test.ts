// Following the cart's status (Rakuten 100 → 200 → 300) on imported orders: an order Rakuten has not
// released for shipping gets no shipping instruction (by order, by store, by the scheduled job, or a
// status change to 出荷作業中), says why, and ships once a later import brings 300; the order list
// shows why, and orders near Rakuten's 14-day auto-cancel are flagged there and counted for /metrics.
import { describe, expect, it } from 'vitest';
import { autoCancelRiskCounts } from '../db/metrics.js';
import { listOrders, listQuerySchema } from '../db/order-list.js';
import { loadStatuses } from '../db/statuses.js';
import { S } from '../domain/statuses.js';
import type { JobDeps } from '../jobs/deps.js';
import { processShippingInstruction } from '../jobs/shipping-instruction.js';
import { cartOrder, createShop, importOrders, NOW, orderView, stockWorld } from '../test/stock-fixtures.js';
import { changeStatus } from './change-status.js';
import { shippingInstruction } from './shipping-instruction.js';

const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

describe('the cart status on imported orders: shipping waits for Rakuten’s release', () => {
  const w = stockWorld('cart_release', { rakuten: 'rk-main', other: 'rk-other' }, { 'REL-A': { tokyo: 50 } });
  const view = (no: string, store = w.shops.rakuten) => orderView(w.db, store.id, no);
  const place = (no: string, cartStatus: string, orderedAt: string, store = w.shops.rakuten) =>
    importOrders(w.db, store, [cartOrder(store, no, { lines: [['REL-A', 1]], orderedAt, cartStatus })], NOW);

  it('skips 100 and 200 with the reason (they stay ready); 300 is instructed; a later 300 ships', async () => {
    await place('rel-100', '100', daysAgo(1));
    await place('rel-200', '200', daysAgo(1));
    await place('rel-300', '300', daysAgo(1));
    for (const no of ['rel-100', 'rel-200', 'rel-300']) expect((await view(no)).status).toBe(S.readyToShip);

    const results = await shippingInstruction(w.ops(), { storeCodes: ['rk-main'], actor: 'user:ops' });
    const [o100, o200, o300] = await Promise.all(['rel-100', 'rel-200', 'rel-300'].map((n) => view(n)));
    const byNo = new Map(results.map((r) => [r.orderNo, r]));
    expect(byNo.get(o300!.orderNo)).toMatchObject({ ok: true, to: S.shipping });
    expect(byNo.get(o100!.orderNo)).toMatchObject({ ok: false, notReleased: true, to: null });
    expect(byNo.get(o100!.orderNo)!.message).toContain(`受注No ${o100!.orderNo}: 楽天で注文確認待ち（100）`);
    expect(byNo.get(o200!.orderNo)!.message).toContain('楽天処理中（200）');
    expect([o100!.status, o200!.status, o300!.status]).toEqual([S.readyToShip, S.readyToShip, S.shipping]);
    expect(o100!.instructed).toBe(false);

    // Asked for by order, the same refusal once (not a second one from the status rule).
    const asked = await shippingInstruction(w.ops(), { orderIds: [o200!.id], actor: 'user:ops' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ ok: false, notReleased: true });
    // A status change to 出荷作業中 is the same instruction and is refused by the same rule.
    const moved = await changeStatus(w.ops(), { orderId: o200!.id, target: S.shipping, actor: 'user:ops' });
    expect(moved.ok).toBe(false);
    expect(moved.message).toContain('楽天処理中（200）');

    // The scheduled job skips them and says why (its answer on Bull Board).
    const job = await processShippingInstruction({ storeCode: 'rk-main' }, {
      db: w.db,
      now: () => NOW,
    } as unknown as JobDeps);
    expect(job).toMatchObject({ instructed: 0, notReleased: 2 });
    expect((job as { skipped: string[] }).skipped.join('\n')).toContain('楽天で注文確認待ち（100）');

    // The next import brings Rakuten's 300 (confirmed, then released): the order follows and ships.
    const released = {
      ...cartOrder(w.shops.rakuten, 'rel-200', {
        lines: [['REL-A', 1]],
        orderedAt: daysAgo(1),
        cartStatus: '300',
      }),
      cartUpdatedAt: NOW.toISOString(),
    };
    await importOrders(w.db, w.shops.rakuten, [released], NOW);
    const row = await w.db
      .selectFrom('orders')
      .select('cart_status')
      .where('id', '=', o200!.id)
      .executeTakeFirst();
    expect(row?.cart_status).toBe('300');
    const again = await shippingInstruction(w.ops(), { orderIds: [o200!.id], actor: 'user:ops' });
    expect(again[0]).toMatchObject({ ok: true, to: S.shipping });
  });

  it('the order list says why an order cannot ship and flags orders near the 14-day auto-cancel; /metrics counts them per store', async () => {
    await place('old-100', '100', daysAgo(11));
    await place('older-100', '100', daysAgo(15));
    await place('young-100', '100', daysAgo(3));
    await place('old-200', '200', daysAgo(11));
    await place('other-old-100', '100', daysAgo(12), w.shops.other);
    const yahoo = await createShop(w.db, 'yh-shop', {}, 'yahoo');
    await place('yh-old', '2', daysAgo(12), yahoo);

    const { rows } = await listOrders(
      w.db,
      await loadStatuses(w.db),
      listQuerySchema.parse({ store: 'rk-main', size: 200 }),
      NOW,
    );
    const row = (no: string) => rows.find((r) => r.cartOrderNo === no)!;
    expect(row('old-100')).toMatchObject({
      cartStatus: '100',
      cartHold: { label: '楽天 注文確認待ち' },
      autoCancel: { label: '楽天の自動キャンセルまであと3日（注文確認待ち 11日）' },
    });
    expect(row('old-100').cartHold!.reason).toContain('注文確認を送り');
    expect(row('older-100').autoCancel!.label).toContain('過ぎています');
    expect(row('young-100')).toMatchObject({ cartHold: { label: '楽天 注文確認待ち' }, autoCancel: null });
    expect(row('old-200')).toMatchObject({ cartHold: { label: '楽天処理中' }, autoCancel: null });
    expect(row('rel-300')).toMatchObject({ cartStatus: '300', cartHold: null, autoCancel: null });
    const { rows: yh } = await listOrders(
      w.db,
      await loadStatuses(w.db),
      listQuerySchema.parse({ store: 'yh-shop' }),
      NOW,
    );
    expect(yh[0]).toMatchObject({ cartHold: null, autoCancel: null });

    expect(await autoCancelRiskCounts(w.db, NOW)).toEqual([
      { store: 'rk-main', n: 2 },
      { store: 'rk-other', n: 1 },
    ]);
    // An order we are cancelling anyway is not at risk.
    const older = await view('older-100');
    expect(
      (await changeStatus(w.ops(), { orderId: older.id, target: S.cancelRequested, actor: 'user:ops' })).ok,
    ).toBe(true);
    expect((await autoCancelRiskCounts(w.db, NOW)).find((r) => r.store === 'rk-main')!.n).toBe(1);
  });
});
