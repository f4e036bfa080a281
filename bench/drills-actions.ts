// The cart-actions drill (issue 16 item 1): many orders shipped in juchu (出荷完了 records a `ship`
// action per order in the order's transaction and enqueues its delivery after commit), then, between
// the change and the delivery and while real worker processes deliver to the carts' simulators:
// PostgreSQL killed and restarted before any worker runs, a worker killed with SIGKILL mid-delivery
// (twice), Redis restarted, PostgreSQL killed again. At the end every action must be done and every
// order shipped at its cart exactly once, by the simulators' own record of the writes they carried
// out (a second fulfillmentCreate or a second ShippingModel would be a second write), nothing lost.
//
// Shopify is the cart whose shipment write is the least forgiving (fulfillmentCreate is not
// idempotent: the adapter re-reads the fulfillment orders first); a Rakuten store (updateOrderShipping
// adds a ShippingModel unless its shippingDetailId is sent back) is added when `rakutenOrders` > 0.
// Sweeps are enqueued every few seconds (the scheduler does it every minute) so the drill is short.
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import type { CartName } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { jobIds } from '../jobs/catalogue.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import type { DrillResult } from './drills.js';
import {
  type BenchServices,
  type BenchStore,
  type Check,
  checkStock,
  enqueueImports,
  openQueues,
  seedStores,
  sleep,
  startStores,
  stopStores,
  WorkerPool,
  waitForImports,
  workerEnv,
} from './harness.js';

export interface ActionsDrillOptions {
  name?: string;
  /** Orders over the Shopify stores (most of them are shipped: those ready to ship in juchu). */
  orders: number;
  shopifyStores?: number;
  /** Orders of one Rakuten store (its writes are paced at Rakuten's 1 request a second). */
  rakutenOrders?: number;
  workers?: number;
  concurrency?: number;
  /** kill -9 of a worker mid-delivery, this many times. */
  kills?: number;
  /** How long a restarted service stays down. */
  downMs?: number;
  /** The delivery claim of a killed worker (CART_ACTION_LEASE_SECONDS). */
  leaseSeconds?: number;
  /** Each simulated cart answers this much later (so that kills land on writes in flight). */
  slowMs?: number;
  seed?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ActionsDrillResult extends DrillResult {
  figures: {
    actions: number;
    done: number;
    writesAtCarts: number;
    duplicates: number;
    missing: number;
    attempts: number;
    deliveryMs: number;
  };
}

interface ActionState {
  state: string;
  n: number;
}

async function actionStates(db: Db): Promise<Map<string, number>> {
  const r = await sql<ActionState>`SELECT state, count(*)::int AS n FROM cart_actions GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [x.state, x.n]));
}

/** The simulator's record of what it was told: shipment writes per order (events with shipments). */
function writesAt(store: BenchStore, cartOrderNo: string): Array<{ trackingNumber: string }> {
  const view = store.sim.book.find(cartOrderNo);
  if (!view) return [];
  return view.events
    .filter((e) => e.kind === 'ship' && e.shipments)
    .flatMap((e) => e.shipments!.map((s) => ({ trackingNumber: s.trackingNumber })));
}

export async function runActionsDrill(
  services: BenchServices,
  opts: ActionsDrillOptions,
): Promise<ActionsDrillResult> {
  const name = opts.name ?? 'cart actions';
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const events: string[] = [];
  const notes: string[] = [];
  const note = (line: string) => {
    events.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${line}`);
    log(`  [${name}] ${line}`);
  };
  const figures = {
    actions: 0,
    done: 0,
    writesAtCarts: 0,
    duplicates: 0,
    missing: 0,
    attempts: 0,
    deliveryMs: 0,
  };
  const bench = await services.database('drill_actions');
  const stores: BenchStore[] = [];
  let importPool: WorkerPool | null = null;
  let pool: WorkerPool | null = null;
  let handle: Awaited<ReturnType<typeof openQueues>> | null = null;
  const killed = new Set<number>();
  try {
    const shopify = opts.shopifyStores ?? 2;
    stores.push(
      ...(await startStores(opts.orders, {
        stores: shopify,
        carts: ['shopify'],
        seed: opts.seed,
        prefix: 'act',
      })),
    );
    if (opts.rakutenOrders)
      stores.push(
        ...(
          await startStores(opts.rakutenOrders, {
            stores: 1,
            carts: ['rakuten'] as CartName[],
            seed: (opts.seed ?? 1) + 100,
            prefix: 'act-r',
          })
        ).map((s) => ({ ...s, code: s.code })),
      );
    await seedStores(bench.db, stores, 'ample');
    handle = await openQueues(services.redisUrl, bench.url);
    const { queues } = handle;
    const env = {
      ...workerEnv({
        databaseUrl: bench.url,
        redisUrl: services.redisUrl,
        prefix: handle.prefix,
        concurrency: opts.concurrency ?? 4,
        lockMs: 2000,
        leaseSeconds: 3,
        backoffMs: 300,
      }),
      CART_ACTION_LEASE_SECONDS: String(opts.leaseSeconds ?? 4),
    };

    // 1. The orders, imported by workers as usual.
    importPool = new WorkerPool(env, ['--queues', 'import,stock']);
    await importPool.startMany(1, queues);
    const run = await enqueueImports(queues, stores);
    const imported = await waitForImports(queues, run, opts.timeoutMs ?? 600_000);
    await importPool.stopAll();
    importPool = null;
    note(`imported ${imported.newOrders} orders from ${stores.length} simulated stores`);

    // 2. The change: 出荷指示 and 出荷完了 in juchu for every order ready to ship that is still open at
    // its cart. Each records its `ship` action and enqueues the delivery; no worker runs yet.
    const ready = await bench.db
      .selectFrom('orders as o')
      .innerJoin('stores as s', 's.id', 'o.store_id')
      .select(['o.id', 'o.cart_order_no', 's.code'])
      .where('o.status_code', '=', S.readyToShip)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('order_lines as l')
              .select('l.id')
              .whereRef('l.order_id', '=', 'o.id')
              .where('l.package_no', '>', 1),
          ),
        ),
      )
      .orderBy('o.id')
      .execute();
    const byCode = new Map(stores.map((s) => [s.code, s]));
    const open = ready.filter((o) => {
      const state = byCode.get(o.code)?.sim.book.find(o.cart_order_no)?.state;
      // Rakuten ships only orders it has released (300: paid); Shopify any open one.
      return byCode.get(o.code)?.cart === 'rakuten' ? state === 'paid' : state === 'new' || state === 'paid';
    });
    const use = depsOf(bench.db);
    for (let i = 0; i < open.length; i += 200)
      await shippingInstruction(use, { orderIds: open.slice(i, i + 200).map((o) => o.id), actor: 'drill' });
    const tracking = new Map<number, string>();
    for (const o of open) {
      const number = `5${String(o.id).padStart(11, '0')}`;
      const r = await confirmShipment(
        { ...use, queues },
        { orderId: o.id, trackingNumber: number, carrier: 'yamato', actor: 'drill' },
      );
      if (r.ok) tracking.set(o.id, number);
    }
    figures.actions = (await actionStates(bench.db)).get('pending') ?? 0;
    note(
      `出荷完了 for ${tracking.size} orders: ${figures.actions} ship actions recorded, their jobs enqueued; no worker running`,
    );

    // 3. Between the change and the delivery: PostgreSQL killed and back before any worker starts.
    const downMs = opts.downMs ?? 2000;
    note(`kill PostgreSQL (immediate shutdown) with every action pending; down ${downMs} ms`);
    await services.postgres.restart!(downMs, { kill: true });
    note('PostgreSQL is back');
    // What survived the kill is what must be delivered. Durable PostgreSQL loses no commit; with
    // --unsafe-fast (synchronous_commit off) the last commits before the kill may be gone, order and
    // action together (one transaction), which is PostgreSQL's doing, not the outbox's: noted.
    const kept = [...(await actionStates(bench.db)).values()].reduce((a, b) => a + b, 0);
    if (kept < figures.actions)
      notes.push(
        `${figures.actions - kept} shipment(s) committed just before the first kill were lost by PostgreSQL itself (no fsync / synchronous_commit off), with their actions`,
      );
    figures.actions = kept;

    // 4. Delivery by worker processes, slow carts so that strikes land on writes in flight.
    for (const s of stores)
      await fetch(`${s.sim.url}/__sim/faults`, {
        method: 'POST',
        body: JSON.stringify({ slowMs: opts.slowMs ?? 150 }),
      });
    pool = new WorkerPool(env, ['--queues', 'shipping']);
    const workers = opts.workers ?? 2;
    const startedAt = Date.now();
    for (let i = 0; i < workers; i++) pool.start();
    const ready0 = Date.now();
    while ((await queues.shipping.getWorkers()).length < workers) {
      if (Date.now() - ready0 > 60_000) throw new Error('the shipping workers did not connect');
      await sleep(100);
    }
    note(`${workers} workers started on the shipping queue`);
    const kills = opts.kills ?? 2;
    const strikes: Array<{ at: number; what: 'kill' | 'redis' | 'postgres' }> = [
      ...Array.from({ length: kills }, (_, i) => ({
        at: 0.15 + (0.5 * i) / Math.max(1, kills),
        what: 'kill' as const,
      })),
      { at: 0.35, what: 'redis' as const },
      { at: 0.6, what: 'postgres' as const },
    ].sort((a, b) => a.at - b.at);
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    let lastSweep = 0;
    for (;;) {
      const states = await actionStates(bench.db).catch(() => null);
      if (Date.now() > deadline) {
        const stuck = await sql<{
          id: number;
          state: string;
          attempts: number;
          last_error: string | null;
          lease_until: Date | null;
        }>`
          SELECT id, state, attempts, last_error, lease_until FROM cart_actions WHERE state <> 'done' ORDER BY id LIMIT 5`
          .execute(bench.db)
          .catch(() => null);
        const jobs = await queues.shipping.getJobCounts().catch(() => null);
        throw new Error(
          `the actions were not all delivered in time: ${states ? [...states].map(([k, v]) => `${k} ${v}`).join(', ') : '?'}; not done: ${JSON.stringify(stuck?.rows)}; shipping jobs ${JSON.stringify(jobs)}`,
        );
      }
      const done = states?.get('done') ?? 0;
      const settled = done + (states?.get('refused') ?? 0) + (states?.get('failed') ?? 0);
      if (states && settled >= figures.actions && strikes.length === 0) break;
      const progress = states ? done / Math.max(1, figures.actions) : 0;
      const next = strikes[0];
      if (next && states && progress >= next.at) {
        strikes.shift();
        if (next.what === 'kill') {
          const delivering = states.get('delivering') ?? 0;
          const settledWorkers = pool.live().filter((p) => Date.now() - p.startedAt > 2000);
          const victim = settledWorkers[0] ?? pool.live()[0];
          if (victim) {
            killed.add(victim.pid);
            await pool.kill(victim);
            const fresh = pool.start();
            note(
              `kill -9 worker ${victim.pid} at ${done} delivered, ${delivering} being delivered; started worker ${fresh.pid}`,
            );
          }
        } else {
          const svc = next.what === 'redis' ? services.redis : services.postgres;
          note(
            `${next.what === 'redis' ? 'restart Redis' : 'kill PostgreSQL (immediate shutdown)'} at ${done} delivered; down ${downMs} ms`,
          );
          await svc.restart!(downMs, next.what === 'postgres' ? { kill: true } : undefined);
          note(`${next.what} is back`);
        }
      }
      for (const p of pool.procs)
        if (p.exit && !killed.has(p.pid) && !notes.some((n) => n.includes(String(p.pid)))) {
          notes.push(
            `worker ${p.pid} exited by itself (code ${p.exit.code}): ${p.tail.slice(-3).join(' | ')}`,
          );
          pool.start();
        }
      // The scheduler's minute sweep, every 3 s here: jobs lost or finished without delivering.
      if (Date.now() - lastSweep > 3000) {
        lastSweep = Date.now();
        const slot = new Date(Math.floor(Date.now() / 3000) * 3000);
        await queues
          .add(
            'sweep-cart-actions',
            { slot: slot.toISOString() },
            { jobId: jobIds.sweep('cart-actions', slot) },
          )
          .catch(() => undefined);
      }
      await sleep(200);
    }
    figures.deliveryMs = Date.now() - startedAt;
    note(`every action settled ${(figures.deliveryMs / 1000).toFixed(1)} s after the workers started`);
    await pool.stopAll();

    // 5. What the carts were told, by their own record.
    const rows = await bench.db
      .selectFrom('cart_actions as a')
      .innerJoin('stores as s', 's.id', 'a.store_id')
      .select(['a.id', 'a.order_id', 'a.cart_order_no', 'a.state', 'a.attempts', 'a.answer_code', 's.code'])
      .execute();
    const states = await actionStates(bench.db);
    figures.done = states.get('done') ?? 0;
    figures.attempts = rows.reduce((n, r) => n + r.attempts, 0);
    const dupes: string[] = [];
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const r of rows) {
      const store = byCode.get(r.code)!;
      const writes = writesAt(store, r.cart_order_no ?? '');
      figures.writesAtCarts += writes.length;
      if (writes.length > 1) dupes.push(`${r.code} ${r.cart_order_no} (${writes.length} writes)`);
      if (writes.length === 0)
        missing.push(`${r.code} ${r.cart_order_no} (${r.state} ${r.answer_code ?? ''})`);
      else if (writes.some((w) => w.trackingNumber !== tracking.get(r.order_id!)))
        wrong.push(`${r.code} ${r.cart_order_no}`);
    }
    // Orders shipped at a cart that juchu did not ship: none may be.
    let stray = 0;
    const shipped = new Set(rows.map((r) => `${r.code}\u0000${r.cart_order_no}`));
    for (const s of stores)
      for (const v of s.sim.book.visible()) {
        const no = s.sim.book.cartOrderNo(v);
        if (!shipped.has(`${s.code}\u0000${no}`) && v.events.some((e) => e.kind === 'ship' && e.shipments))
          stray++;
      }
    figures.duplicates = dupes.length;
    figures.missing = missing.length;
    const shippingJobs = await queues.shipping.getJobCounts('active', 'wait', 'delayed', 'failed');
    // A worker started while PostgreSQL was down refuses to start (preflight, exit 1) and is replaced,
    // as a supervisor would: noted above, not a death.
    const exits = pool
      .unexpectedExits(killed)
      .filter((p) => !(p.exit?.code === 1 && p.tail.some((l) => l.includes('cannot be used'))));
    const checks: Check[] = [
      {
        what: 'every action delivered (done)',
        ok: figures.done === figures.actions && figures.actions > 0,
        detail: `${figures.done} of ${figures.actions} done; ${[...states].map(([k, v]) => `${k} ${v}`).join(', ')}`,
      },
      {
        what: 'nothing sent twice: one shipment write per action at the cart (the simulators’ record)',
        ok: dupes.length === 0,
        detail: dupes.length
          ? dupes.slice(0, 5).join('; ')
          : `${figures.writesAtCarts} writes for ${rows.length} actions`,
      },
      {
        what: 'nothing lost: every action’s shipment is at its cart',
        ok: missing.length === 0,
        detail: missing.length ? missing.slice(0, 5).join('; ') : `${rows.length} of ${rows.length}`,
      },
      {
        what: 'the tracking number at the cart is the one juchu recorded',
        ok: wrong.length === 0,
        detail: wrong.length ? wrong.slice(0, 5).join('; ') : 'all match',
      },
      { what: 'no order shipped at a cart that juchu did not ship', ok: stray === 0, detail: `${stray}` },
      ...(await checkStock(bench.db)),
      {
        what: 'no delivery job left active, waiting or delayed',
        ok: shippingJobs.active === 0 && shippingJobs.wait === 0 && shippingJobs.delayed === 0,
        detail: `active ${shippingJobs.active}, wait ${shippingJobs.wait}, delayed ${shippingJobs.delayed}, failed ${shippingJobs.failed}`,
      },
      {
        what: 'no worker died except those killed on purpose',
        ok: exits.length === 0,
        detail: exits.length
          ? exits.map((p) => `${p.pid}: code ${p.exit?.code} signal ${p.exit?.signal}`).join('; ')
          : `${pool.procs.length} worker processes, ${killed.size} killed on purpose`,
      },
    ];
    notes.push(
      `${figures.attempts} delivery attempts for ${rows.length} actions (an attempt is a claim: a killed worker's or one lost to a restart is counted)`,
    );
    return { name, ok: checks.every((c) => c.ok), checks, events, notes, ms: Date.now() - t0, figures };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    note(`drill aborted: ${message}`);
    for (const p of [...(pool?.procs ?? []), ...(importPool?.procs ?? [])])
      if (p.tail.length) log(`  worker ${p.pid}: ${p.tail.slice(-5).join(' | ')}`);
    return {
      name,
      ok: false,
      checks: [{ what: 'the drill ran to the end', ok: false, detail: message }],
      events,
      notes,
      ms: Date.now() - t0,
      figures,
    };
  } finally {
    await importPool?.stopAll(5000).catch(() => undefined);
    await pool?.stopAll(5000).catch(() => undefined);
    await handle?.queues.shipping.obliterate({ force: true }).catch(() => undefined);
    await handle?.queues.import.obliterate({ force: true }).catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await stopStores(stores);
    await bench.drop().catch(() => undefined);
  }
}
