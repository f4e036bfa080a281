// The import's promises, against a real simulator over HTTP, real Postgres and Redis: faults are
// retried, auth failures stop at once, bad records are kept beside good ones, cart-side changes are
// applied before the shipping instruction and flagged after it, deleted orders come back, a new
// mapping releases the orders waiting on it, and nothing is ever imported twice.
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { listImportRuns } from '../db/import-runs.js';
import { upsertMapping } from '../db/products.js';
import { getStore } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { countOrders, expectStockInvariants, seedTestShop, testDeps } from '../test/pipeline.js';
import { changeStatus } from '../usecases/change-status.js';
import { deleteOrder } from '../usecases/delete-order.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import { processImportStore } from './import-store.js';
import { processRecheckMapping } from './recheck-mapping.js';
import { processReimportOrder } from './reimport-order.js';

const STORE = 'shopify-global';

describe('import reliability (Shopify simulator)', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const now = Date.now();
  const faults = (f: Record<string, unknown>) =>
    fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(f) }).then((r) => r.json());
  const simEvent = (no: string, kind: string) =>
    fetch(`${sim.url}/__sim/orders/${encodeURIComponent(no)}/${kind}`, { method: 'POST' });
  const importNow = () => processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
  const orderBy = (cartOrderNo: string) =>
    t.db.selectFrom('orders').selectAll().where('cart_order_no', '=', cartOrderNo).executeTakeFirst();

  beforeAll(async () => {
    t = await createTestDb('reliability');
    sim = await shopifySimulator.start({
      orders: 120,
      seed: 11,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      rateLimits: false,
    });
    await seedTestShop(t, { shopify: sim.url });
    await t.db
      .updateTable('stores')
      .set({
        settings: JSON.stringify({ initialImportDays: 3, settleLagSeconds: 0, syncOverlapMinutes: 10 }),
      })
      .where('code', '=', STORE)
      .execute();
    deps = await testDeps(t);
  });
  afterAll(async () => {
    await deps.close();
    await sim.stop();
    await t.drop();
  });

  it('finishes after injected 5xx, 429 and timeouts, bringing every order once', async () => {
    await faults({ serverErrors: 2, rateLimited: 2, timeouts: 1 });
    const r = await importNow();
    expect(r.outcome).toBe('succeeded');
    expect(r.rejected).toBe(0);
    expect(await countOrders(t.db, STORE)).toBe(r.new);
    const stats = (await fetch(`${sim.url}/__sim/stats`).then((x) => x.json())) as {
      sent5xx: number;
      sent429: number;
      timeouts: number;
    };
    expect(stats.sent5xx).toBeGreaterThanOrEqual(2);
    expect(stats.sent429).toBeGreaterThanOrEqual(2);
    expect(stats.timeouts).toBe(1);
    await expectStockInvariants(t.db);
  });

  it('keeps malformed records as rejects naming the field, and imports the rest of the page', async () => {
    await sim.book.placeNow();
    await sim.book.placeNow();
    await sim.book.placeNow();
    await new Promise((r) => setTimeout(r, 1100));
    await faults({ malformedRecords: 2 });
    const r = await importNow();
    expect(r.outcome).toBe('succeeded');
    expect(r.rejected).toBe(2);
    expect(r.new).toBe(1);
    const rejects = await t.db
      .selectFrom('import_rejects')
      .selectAll()
      .where('resolved_at', 'is', null)
      .execute();
    expect(rejects).toHaveLength(2);
    for (const x of rejects) {
      expect(x.error.length).toBeGreaterThan(5);
      expect(x.field).toBeTruthy();
      expect(x.raw_payload).toBeTruthy();
    }
    // Seen again (the window overlaps): still two rejects, not four.
    await faults({ malformedRecords: 2 });
    await t.db
      .updateTable('stores')
      .set({ import_cursor: new Date(Date.now() - 60_000) })
      .where('code', '=', STORE)
      .execute();
    await importNow();
    expect(
      await t.db.selectFrom('import_rejects').select('id').where('resolved_at', 'is', null).execute(),
    ).toHaveLength(2);
  });

  it('fails at once on an authentication failure and marks the store as needing credentials', async () => {
    await faults({ revokeCredentials: true });
    try {
      const refused = await importNow().then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(UnrecoverableError);
      const store = await getStore(t.db, STORE);
      expect(store.credentialState).toBe('needs_credentials');
      expect(store.credentialError).toMatch(/401|Invalid API key/);
      const run = await t.db
        .selectFrom('import_runs')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(run.outcome).toBe('failed');
      // A scheduled slot does not hammer a store that needs credentials.
      const skipped = await processImportStore(
        { storeCode: STORE, trigger: 'schedule', slot: new Date().toISOString() },
        null,
        undefined,
        deps,
      );
      expect(skipped.outcome).toBe('skipped');
    } finally {
      await faults({ revokeCredentials: false });
    }
    const ok = await importNow(); // a manual import after the fix clears the state
    expect(ok.outcome).toBe('succeeded');
    expect((await getStore(t.db, STORE)).credentialState).toBe('ok');
  });

  it('a scheduled slot skipped for 要再登録 says why (run row, board log); its retry after the fix imports and clears it', async () => {
    const boardJob = (id: string, attemptsMade: number) => {
      const said = { log: [] as string[], progress: [] as unknown[] };
      const job = {
        id,
        attemptsMade,
        moveToDelayed: async () => undefined,
        log: async (m: string) => {
          said.log.push(m);
          return said.log.length;
        },
        updateProgress: async (p: unknown) => {
          said.progress.push(p);
        },
      };
      return { job, said };
    };
    const slot = (minutes: number) => new Date(Math.floor(Date.now() / 600_000) * 600_000 + minutes * 60_000);
    const scheduled = (at: Date, job: ReturnType<typeof boardJob>['job']) =>
      processImportStore(
        { storeCode: STORE, trigger: 'schedule', slot: at.toISOString() },
        job,
        undefined,
        deps,
      );
    const s1 = slot(60);
    const s2 = slot(70);
    await faults({ revokeCredentials: true });
    try {
      // The slot's job meets the refusal: it fails for good and the store needs its credentials.
      const first = boardJob('sched-1', 0);
      expect(
        await scheduled(s1, first.job).then(
          () => null,
          (e: unknown) => e,
        ),
      ).toBeInstanceOf(UnrecoverableError);
      expect((await getStore(t.db, STORE)).credentialState).toBe('needs_credentials');
      // The next slot does not hammer the cart, and says why: on the board and in 取込履歴.
      const next = boardJob('sched-2', 0);
      const skipped = await scheduled(s2, next.job);
      expect(skipped).toMatchObject({
        outcome: 'skipped',
        reason: expect.stringContaining('認証情報の再登録が必要'),
      });
      expect(next.said.log).toEqual([skipped.reason]);
      expect(next.said.progress).toEqual([{ skipped: true, reason: skipped.reason }]);
      const runs = await listImportRuns(t.db, { store: STORE, outcome: 'skipped' });
      expect(runs.items[0]).toMatchObject({
        trigger: 'schedule',
        outcome: 'skipped',
        skipReason: skipped.reason,
      });
      // A re-delivery of the same slot keeps one row.
      await scheduled(s2, boardJob('sched-2', 0).job);
      const rows = await t.db.selectFrom('import_runs').select('outcome').where('slot', '=', s2).execute();
      expect(rows).toEqual([{ outcome: 'skipped' }]);
    } finally {
      await faults({ revokeCredentials: false });
    }
    // The credentials work again; the admin retries the failed job on Bull Board (it has run once):
    // it imports with the credentials the store has now and 要再登録 clears.
    const retried = boardJob('sched-1', 1);
    const ok = await scheduled(s1, retried.job);
    expect(ok.outcome).toBe('succeeded');
    const store = await getStore(t.db, STORE);
    expect(store).toMatchObject({ credentialState: 'ok', credentialError: null });
    const failedThenOk = await t.db
      .selectFrom('import_runs')
      .select(['outcome'])
      .where('slot', '=', s1)
      .execute();
    expect(failedThenOk).toEqual([{ outcome: 'succeeded' }]); // the slot's one run, resumed
    // A stopped store imports nothing, whoever asks, and says so.
    await t.db.updateTable('stores').set({ enabled: false }).where('code', '=', STORE).execute();
    try {
      const manual = boardJob('manual-1', 0);
      const off = await processImportStore(
        { storeCode: STORE, trigger: 'manual' },
        manual.job,
        undefined,
        deps,
      );
      expect(off).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('店舗が停止中') });
      expect(manual.said.log[0]).toContain('店舗が停止中');
    } finally {
      await t.db.updateTable('stores').set({ enabled: true }).where('code', '=', STORE).execute();
    }
  });

  it('applies a cart change before the shipping instruction and flags it after', async () => {
    const ready = await t.db
      .selectFrom('orders')
      .select(['id', 'cart_order_no', 'payload_hash'])
      .where('status_code', '=', S.readyToShip)
      .orderBy('id')
      .limit(2)
      .execute();
    expect(ready).toHaveLength(2);
    const [before, after] = ready as [(typeof ready)[0], (typeof ready)[0]];
    const instructed = await shippingInstruction(deps, { orderIds: [after.id], actor: 'user:test' });
    expect(instructed[0]!.to).toBe(S.shipping);

    await simEvent(before.cart_order_no, 'edit');
    await simEvent(after.cart_order_no, 'edit');
    await new Promise((r) => setTimeout(r, 1100));
    await importNow();

    const changed = (await orderBy(before.cart_order_no))!;
    expect(changed.payload_hash).not.toBe(before.payload_hash);
    expect(changed.needs_attention).toBe(false);
    const ev = await t.db
      .selectFrom('order_events')
      .select('action')
      .where('order_id', '=', before.id)
      .execute();
    expect(ev.map((e) => e.action)).toContain('cart_changed');

    const flagged = (await orderBy(after.cart_order_no))!;
    expect(flagged.status_code).toBe(S.shipping);
    expect(flagged.payload_hash).toBe(after.payload_hash); // not changed silently
    expect(flagged.needs_attention).toBe(true);
    expect(flagged.attention_reason).toMatch(/出荷指示後/);
    expect(flagged.pending_payload).toBeTruthy();
    // The same cart version again: no second flag event.
    await t.db
      .updateTable('stores')
      .set({ import_cursor: new Date(Date.now() - 120_000) })
      .where('code', '=', STORE)
      .execute();
    await importNow();
    const flags = await t.db
      .selectFrom('order_events')
      .select('id')
      .where('order_id', '=', after.id)
      .where('action', '=', 'flagged')
      .execute();
    expect(flags).toHaveLength(1);
    await expectStockInvariants(t.db);
  });

  it('sends an order the cart cancels into the cancellation flow and releases its stock', async () => {
    const o = await t.db
      .selectFrom('orders as o')
      .innerJoin('reservations as r', 'r.order_id', 'o.id')
      .select(['o.id', 'o.cart_order_no'])
      .where('o.status_code', '=', S.readyToShip)
      .limit(1)
      .executeTakeFirstOrThrow();
    await simEvent(o.cart_order_no, 'cancel');
    await new Promise((r) => setTimeout(r, 1100));
    await importNow();
    const row = (await orderBy(o.cart_order_no))!;
    expect(row.status_code).toBe(S.cancelled);
    expect(row.cart_cancelled).toBe(true);
    expect(
      await t.db.selectFrom('reservations').select('id').where('order_id', '=', o.id).execute(),
    ).toHaveLength(0);
    await expectStockInvariants(t.db);
  });

  it('re-imports a deleted order by cart order number', async () => {
    const o = await t.db
      .selectFrom('orders')
      .select(['id', 'cart_order_no', 'order_seq'])
      .where('status_code', '=', S.readyToShip)
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(
      (await changeStatus(deps, { orderId: o.id, target: S.cancelRequested, actor: 'user:test' })).to,
    ).toBe(S.cancelled);
    expect((await deleteOrder(deps, { orderId: o.id, actor: 'user:test' })).ok).toBe(true);
    expect(await orderBy(o.cart_order_no)).toBeUndefined();
    const r = await processReimportOrder(
      { storeCode: STORE, cartOrderNo: o.cart_order_no, requestedBy: 'test' },
      null,
      undefined,
      deps,
    );
    expect(r.outcome).toBe('new');
    const back = (await orderBy(o.cart_order_no))!;
    expect(back.order_seq).not.toBe(o.order_seq); // a new slip, a new 受注No
    expect(back.status_code).not.toBe(S.cancelled);
    // The history of the deleted slip stays.
    const ev = await t.db.selectFrom('order_events').select('action').where('order_id', '=', o.id).execute();
    expect(ev.map((e) => e.action)).toContain('deleted');
  });

  it('re-checks the orders waiting on a cart code when its mapping is added', async () => {
    const waiting = await t.db
      .selectFrom('orders as o')
      .innerJoin('order_lines as l', 'l.order_id', 'o.id')
      .select('o.id')
      .where('o.status_code', '=', S.unknownProduct)
      .where('l.cart_product_code', '=', 'NEW-2026-AKI')
      .execute();
    expect(waiting.length).toBeGreaterThan(0);
    await t.db
      .insertInto('products')
      .values({ code: '00000960001', name: '秋限定 和紅茶 50g', tax_rate: 8 })
      .execute();
    await t.db
      .insertInto('stock_levels')
      .values({ product_code: '00000960001', warehouse_code: 'tokyo', on_hand: 500 })
      .execute();
    const store = await getStore(t.db, STORE);
    await upsertMapping(t.db, {
      storeId: store.id,
      cartProductCode: 'NEW-2026-AKI',
      productCode: '00000960001',
    });
    const r = await processRecheckMapping(
      { storeCode: STORE, cartProductCode: 'NEW-2026-AKI', requestedBy: 'test' },
      deps,
    );
    expect(r.ordersUpdated).toBe(waiting.length);
    const after = await t.db
      .selectFrom('orders')
      .select(['status_code'])
      .where(
        'id',
        'in',
        waiting.map((w) => w.id),
      )
      .execute();
    expect(after.every((a) => a.status_code !== S.unknownProduct)).toBe(true);
    await expectStockInvariants(t.db);
  });

  it('never imports twice: the same job delivered twice at once, and two workers on one store', async () => {
    await t.db.updateTable('stores').set({ import_cursor: null }).where('code', '=', STORE).execute();
    await sim.book.placeNow();
    await new Promise((r) => setTimeout(r, 1100));
    const before = await countOrders(t.db, STORE);
    const events = async () =>
      Number(
        (
          await t.db
            .selectFrom('order_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const eventsBefore = await events();
    const results = await Promise.all([importNow(), importNow(), importNow()]);
    const ran = results.filter((r) => r.outcome === 'succeeded');
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.outcome === 'delayed').length + ran.length).toBe(3);
    expect(await countOrders(t.db, STORE)).toBe(before + 1);
    // Exactly one import event for the one new order; nothing else changed.
    expect((await events()) - eventsBefore).toBeLessThanOrEqual(3);
    const dup = await t.db
      .selectFrom('orders')
      .select(['cart_order_no'])
      .select((eb) => eb.fn.countAll().as('n'))
      .groupBy('cart_order_no')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(dup).toEqual([]);
    await expectStockInvariants(t.db);
  });
});
