// One of the worker processes of db/stock-workers.test.ts (run with `node --import tsx`): against
// the test's database it allocates every product in its own random order, receives stock, imports
// a page of new orders, cancels, ships and releases — all at once with its siblings — then makes a
// final allocation pass and prints what it did as one JSON line.
import type { RawOrder } from '../carts/contract.js';
import { createDb } from '../db/db.js';
import { allocateProduct, receiveStock } from '../db/stock.js';
import { getStore } from '../db/stores.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { changeStatus } from '../usecases/change-status.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { importPage } from '../usecases/import-page.js';
import { releaseReservations } from '../usecases/release-reservations.js';
import { settleOrders } from '../usecases/settle-after-stock-change.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';
import { cartOrder, passThroughAdapter, seededRandom } from './order-builder.js';

export interface WorkerPlan {
  index: number;
  products: string[];
  rounds: number;
  /** Orders this worker (and only it) may cancel, ship or release. */
  cancel: number[];
  ship: number[];
  release: number[];
  /** New orders to import, all younger than the seeded ones. */
  imports: Array<{ cartOrderNo: string; orderedAt: string; lines: Array<[string, number]> }>;
  storeCode: string;
}

export interface WorkerReport {
  index: number;
  allocations: number;
  reserved: number;
  /** Units received per product. */
  received: Record<string, number>;
  /** Units that left the warehouse per product (ship confirmations). */
  shipped: Record<string, number>;
  cancelled: number;
  released: number;
  imported: number;
  /** Milliseconds spent per kind of work. */
  ms: Record<string, number>;
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.env.STOCK_WORKER_PLAN ?? '') as WorkerPlan;
  const db = createDb(process.env.DATABASE_URL!, { max: 2, applicationName: `stock-worker-${plan.index}` });
  const deps = depsOf(db);
  const rand = seededRandom(1000 + plan.index);
  const pick = <T>(xs: T[]): T | undefined => xs.splice(Math.floor(rand() * xs.length), 1)[0];
  const report: WorkerReport = {
    index: plan.index,
    allocations: 0,
    reserved: 0,
    received: {},
    shipped: {},
    cancelled: 0,
    released: 0,
    imported: 0,
    ms: {},
  };
  const timed = async <T>(kind: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      report.ms[kind] = Math.round((report.ms[kind] ?? 0) + performance.now() - t0);
    }
  };
  const allocate = async (p: string) => {
    const r = await timed('allocate', () => allocateProduct(db, p));
    report.allocations++;
    report.reserved += r.reserved;
  };
  const cancel = [...plan.cancel];
  const ship = [...plan.ship];
  const release = [...plan.release];
  const imports = [...plan.imports];
  const store = await getStore(db, plan.storeCode);
  const startedAt = performance.now();
  try {
    for (let round = 0; round < plan.rounds; round++) {
      const order = [...plan.products].sort(() => rand() - 0.5);
      for (const [i, p] of order.entries()) {
        if (rand() < 0.25) {
          const units = 1 + Math.floor(rand() * 3);
          await timed('receive', () =>
            withTransaction(db, (trx) => receiveStock(trx, p, rand() < 0.5 ? 'tokyo' : 'osaka', units)),
          );
          report.received[p] = (report.received[p] ?? 0) + units;
        }
        await allocate(p);
        // Now and then, one of the other flows, interleaved with the allocations.
        if (i % 10 === 3 && cancel.length) {
          const id = pick(cancel)!;
          const r = await timed('cancel', () =>
            changeStatus(deps, { orderId: id, target: S.cancelRequested, actor: `worker:${plan.index}` }),
          );
          if (r.ok) report.cancelled++;
        }
        if (i % 10 === 6 && release.length) {
          const id = pick(release)!;
          const r = await timed('release', () =>
            releaseReservations(deps, {
              selection: { orderIds: [id] },
              actor: `worker:${plan.index}`,
              why: '負荷試験',
            }),
          );
          report.released += r.filter((x) => x.ok).length;
        }
        if (i % 10 === 8 && ship.length) {
          const id = pick(ship)!;
          await settleOrders(deps, [id]); // waiting → 在庫確認後の出荷 if it is fully held by now
          const [instructed] = await timed('instruct', () =>
            shippingInstruction(deps, { orderIds: [id], actor: `worker:${plan.index}` }),
          );
          if (instructed?.ok && instructed.to === S.shipping) {
            // Read what the order holds only now: the settle above may have reserved more for it
            // (read before it, the conservation check came up short by those units, once in CI).
            // Once it is in 出荷指示 it is fully held and only this worker moves it.
            const held = await db
              .selectFrom('reservations')
              .select(['product_code'])
              .select((eb) => eb.fn.sum<number>('quantity').as('q'))
              .where('order_id', '=', id)
              .groupBy('product_code')
              .execute();
            const done = await timed('ship', () =>
              confirmShipment(deps, {
                orderId: id,
                trackingNumber: `T-${id}`,
                actor: `worker:${plan.index}`,
              }),
            );
            if (done.ok)
              for (const h of held)
                report.shipped[h.product_code] = (report.shipped[h.product_code] ?? 0) + Number(h.q);
          }
        }
        if (i % 10 === 9 && imports.length) {
          const batch = imports.splice(0, 10);
          const raws: RawOrder[] = batch.map((o) => ({
            cartOrderNo: o.cartOrderNo,
            payload: cartOrder(store, o.cartOrderNo, { lines: o.lines, orderedAt: o.orderedAt }),
          }));
          const c = await timed('import', () =>
            importPage(deps, store, passThroughAdapter, raws, {
              runId: null,
              actor: `worker:${plan.index}`,
            }),
          );
          report.imported += c.new;
        }
      }
    }
    // Whatever arrived or was freed last is served before we stop.
    for (const p of plan.products) await allocate(p);
    report.ms.total = Math.round(performance.now() - startedAt);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
