// Rakuten 注文確認 per store setting `orderConfirmation` (issue 16 item 2), against the Rakuten
// simulator over HTTP on a real PostgreSQL:
//  - import (the default): every new 100 order gets one confirm action in the import's transaction
//    (an import run again records nothing more); delivery sends them ≤ 100 per confirmOrder call
//    (the simulator refuses more), and the next import follows the cart status 100 → 200 → 300;
//  - never: nothing is recorded, and an operator's 注文確認 is refused saying so;
//  - operator: nothing at import; the operator's 注文確認 records and sends it, twice records once,
//    an order not in 100 is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningRakutenSimulator, rakutenSimulator } from '../carts/rakuten/simulator.js';
import { processImportStore } from '../jobs/import-store.js';
import { processReimportOrder } from '../jobs/reimport-order.js';
import { createTestDb } from '../test/harness.js';
import { seedTestShop, setStoreSettings, testDeps } from '../test/pipeline.js';
import { confirmOrdersAtCart } from './confirm-orders-at-cart.js';
import { deliverCartAction } from './deliver-cart-action.js';

const STORE = 'rakuten-main';

async function world(label: string, orders: number, settings: Record<string, unknown>) {
  const t = await createTestDb(label);
  const now = Date.now();
  const sim = (await rakutenSimulator.start({
    port: 0,
    orders,
    seed: 21,
    // Recent orders: COD and 後払い ones still wait in 100 for the shop's confirmation.
    from: new Date(now - 3 * 3600_000),
    to: new Date(now - 10 * 60_000),
    rateLimits: false,
    releaseAfterMs: null,
  })) as RunningRakutenSimulator;
  await seedTestShop(t, { rakuten: sim.url });
  await setStoreSettings(t, STORE, { initialImportDays: 1, settleLagSeconds: 0, ...settings });
  const deps = await testDeps(t);
  const importAll = async () => {
    const r = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
    expect(r.outcome).toBe('succeeded');
    return r;
  };
  const reimport = async (cartOrderNo: string) => {
    await processReimportOrder({ storeCode: STORE, cartOrderNo, requestedBy: 'test' }, null, undefined, deps);
    return (
      await t.db
        .selectFrom('orders')
        .select('cart_status')
        .where('cart_order_no', '=', cartOrderNo)
        .executeTakeFirstOrThrow()
    ).cart_status;
  };
  const awaiting = () =>
    t.db
      .selectFrom('orders')
      .select(['id', 'cart_order_no'])
      .where('cart_status', '=', '100')
      .where('cart_cancelled', '=', false)
      .orderBy('id')
      .execute();
  const actions = () =>
    t.db.selectFrom('cart_actions').selectAll().where('kind', '=', 'confirm').orderBy('id').execute();
  const retryAt = () => new Date(Date.now() + 60_000);
  return {
    t,
    sim,
    deps,
    importAll,
    reimport,
    awaiting,
    actions,
    retryAt,
    async close() {
      await deps.close();
      await sim.stop();
      await t.drop();
    },
  };
}

describe('注文確認 at import (the default)', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world('confirm-import', 700, {});
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('records a confirm per 100 order in the import, sends ≤ 100 per call, and follows 100 → 200 → 300', async () => {
    await w.importAll();
    const waiting = await w.awaiting();
    expect(waiting.length).toBeGreaterThan(100);
    const recorded = await w.actions();
    expect(recorded.map((a) => a.order_id).sort()).toEqual(waiting.map((o) => o.id).sort());
    expect(recorded.every((a) => a.state === 'pending' && a.action_key === `confirm:${a.order_id}`)).toBe(
      true,
    );

    // The same window again (cursor reset): unchanged orders record nothing more.
    await w.t.db.updateTable('stores').set({ import_cursor: null }).where('code', '=', STORE).execute();
    await w.importAll();
    expect(await w.actions()).toHaveLength(recorded.length);

    // Delivery: one job takes its action and up to 99 more of the store (confirmBatch 100).
    const before = w.sim.stats.byRoute.confirmOrder ?? 0;
    let jobs = 0;
    for (;;) {
      const next = (await w.actions()).find((a) => a.state === 'pending');
      if (!next) break;
      const r = await deliverCartAction(w.deps, { actionId: next.id, final: false, retryAt: w.retryAt() });
      expect(r.status).not.toBe('skipped');
      jobs++;
      if (r.status !== 'skipped') expect(r.ids.length).toBeLessThanOrEqual(100);
    }
    const calls = (w.sim.stats.byRoute.confirmOrder ?? 0) - before;
    expect(jobs).toBe(Math.ceil(recorded.length / 100));
    expect(calls).toBe(jobs);
    const after = await w.actions();
    // Every one answered: done, or refused with Rakuten's words (ERROR_105: postage not fixed).
    expect(after.filter((a) => a.state === 'done').length).toBeGreaterThan(100);
    for (const a of after.filter((x) => x.state === 'refused')) expect(a.cart_answer).toContain('ERROR_105');
    expect(after.every((a) => a.state === 'done' || a.state === 'refused')).toBe(true);

    // The next import sees 200 楽天処理中; once Rakuten releases it, 300 発送待ち.
    const one = after.find((a) => a.state === 'done')!;
    expect(one).toBeDefined();
    expect(await w.reimport(one.cart_order_no!)).toBe('200');
    expect(w.sim.rakuten.release(one.cart_order_no!)).toBe(true);
    expect(await w.reimport(one.cart_order_no!)).toBe('300');
  });
});

describe('注文確認 never, then by the operator', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world('confirm-operator', 120, { orderConfirmation: 'never' });
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('never: nothing at import, and an operator is told the store does not send it', async () => {
    await w.importAll();
    expect(await w.actions()).toEqual([]);
    const [o] = await w.awaiting();
    expect(o).toBeDefined();
    const [r] = await confirmOrdersAtCart(w.deps, { orderIds: [o!.id], actor: 'user:ops' });
    expect(r).toMatchObject({ ok: false });
    expect(r!.message).toContain('orderConfirmation: never');
    expect(await w.actions()).toEqual([]);
  });

  it('operator: the operator confirms, it is sent, twice records once, a 300 order is refused', async () => {
    await setStoreSettings(w.t, STORE, {
      initialImportDays: 1,
      settleLagSeconds: 0,
      orderConfirmation: 'operator',
    });
    // Not 沖縄県 (its postage is not fixed: Rakuten refuses those with ERROR_105).
    const okinawa = new Set(
      w.sim.book
        .visible()
        .filter((v) => v.shipTos.some((p) => p.prefecture === '沖縄県'))
        .map((v) => w.sim.book.cartOrderNo(v)),
    );
    const [a, b] = (await w.awaiting()).filter((o) => !okinawa.has(o.cart_order_no));
    const ready = await w.t.db
      .selectFrom('orders')
      .select('id')
      .where('cart_status', '=', '300')
      .executeTakeFirstOrThrow();
    const results = await confirmOrdersAtCart(w.deps, {
      orderIds: [a!.id, b!.id, ready.id],
      actor: 'user:ops',
    });
    expect(results.map((r) => [r.orderId, r.ok])).toEqual(
      [
        [a!.id, true],
        [b!.id, true],
        [ready.id, false],
      ].sort((x, y) => Number(x[0]) - Number(y[0])),
    );
    expect(results.find((r) => r.orderId === ready.id)!.message).toContain('注文確認待ち 100 の注文だけ');
    const recorded = await w.actions();
    expect(recorded.map((x) => x.order_id).sort()).toEqual([a!.id, b!.id].sort());
    expect(recorded.every((x) => x.created_by === 'user:ops')).toBe(true);

    const [again] = await confirmOrdersAtCart(w.deps, { orderIds: [a!.id], actor: 'user:ops' });
    expect(again).toMatchObject({ ok: false });
    expect(again!.message).toContain('送信待ち');
    expect(await w.actions()).toHaveLength(2);

    const before = w.sim.stats.byRoute.confirmOrder ?? 0;
    const sent = await deliverCartAction(w.deps, {
      actionId: recorded[0]!.id,
      final: false,
      retryAt: w.retryAt(),
    });
    expect(sent).toMatchObject({ status: 'done', ids: expect.arrayContaining(recorded.map((x) => x.id)) });
    expect((w.sim.stats.byRoute.confirmOrder ?? 0) - before).toBe(1);
    expect(await w.reimport(a!.cart_order_no)).toBe('200');
    expect(await w.reimport(b!.cart_order_no)).toBe('200');
  });
});
