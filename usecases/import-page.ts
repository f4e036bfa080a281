// Operation: one page of raw cart orders through the pipeline, as named steps:
//   1. read the page (normalize; text PostgreSQL cannot store, or more than juchu keeps → a reject
//      naming the field)
//   2. keep the rejects
//   3. split off what we already have (unchanged needs no lock and no write)
//   4. plan the new orders (pure: facts, holding, stock oldest first, first status)
//   5. write, in ONE transaction: new orders in bulk, known orders by the cart-change table (each
//      behind a savepoint, so one bad order becomes a reject and the rest of the page goes on),
//      the run's counts, and last the stock
//   6. after commit: late rejects, then settle stock and statuses (settle-after-stock-change)
// A page whose stock moved under it is written again locking the stock first; a batch the database
// refuses is written again order by order.
import { type RawBuilder, sql } from 'kysely';
import type { CartAdapter, NormalizeResult, RawOrder } from '../carts/contract.js';
import { cartModule } from '../carts/registry.js';
import { knownVersions, lockOrderByCartNo } from '../db/cart-change.js';
import type { Db } from '../db/db.js';
import { recordReject } from '../db/import-rejects.js';
import { addRunCounts } from '../db/import-runs.js';
import { insertNewOrders, type NewOrderRow } from '../db/orders-batch.js';
import { resolvedFor, resolveProducts } from '../db/products.js';
import {
  confirmPlannedStock,
  insertPlannedReservations,
  lockStock,
  productsWithWaitingLines,
  readStock,
  reserveLockedPlan,
  StockMovedError,
} from '../db/stock.js';
import { stockActionsStatement } from '../db/stock-push.js';
import type { Store } from '../db/stores.js';
import { storeWarehouseCodes } from '../db/warehouses.js';
import { usableStock } from '../domain/allocation.js';
import { admitsNewOrder } from '../domain/cart-change.js';
import { awaitsCartConfirmation, orderConfirmationMode } from '../domain/cart-release.js';
import { orderHashes } from '../domain/hash.js';
import { type PageCounts, type PersistKind, zeroCounts } from '../domain/import-counts.js';
import { planNewOrders, prepareNewOrders, productsToPlan } from '../domain/import-plan.js';
import type { CartOrder } from '../domain/order.js';
import { tooLongToKeep } from '../domain/record-limits.js';
import { unstorablePath } from '../domain/storable.js';
import { isRetryableTxError, withTransaction } from '../infra/postgres.js';
import { applyCartChange, type CartChangeContext } from './apply-cart-change.js';
import { enqueueCartActions } from './enqueue-cart-actions.js';
import { actionContext } from './move-order.js';
import { recordConfirmActions } from './record-confirm-actions.js';
import { type SettleDeps, settleAfterStockChange } from './settle-after-stock-change.js';

export interface ImportPageOptions {
  runId: number | null;
  actor: string;
  /** Import whatever the cart status (admin re-import of one order). */
  force?: boolean;
  /** Write every order on its own (the path a failed batch falls back to); tests compare the two. */
  careful?: boolean;
  /** Called with each stored order's outcome (reconciliation counts the new ones). */
  onOutcome?: (cartOrderNo: string, kind: PersistKind) => void;
}

interface Incoming {
  order: CartOrder;
  raw: RawOrder;
}

/** Step 1: normalize each record; one that cannot be read or stored is a reject naming the field. */
function readPage(adapter: Pick<CartAdapter, 'normalize'>, storeCode: string, raws: readonly RawOrder[]) {
  const good: Incoming[] = [];
  const rejects: Array<{ raw: RawOrder; field: string | null; error: string }> = [];
  for (const raw of raws) {
    const bad = unstorablePath(raw.payload);
    let r: NormalizeResult =
      bad === null
        ? adapter.normalize(raw, storeCode)
        : {
            ok: false,
            cartOrderNo: raw.cartOrderNo,
            field: bad,
            message: `${bad}: contains U+0000 (NUL) or a lone surrogate, which cannot be stored`,
          };
    // A field or a record longer than juchu keeps is a reject too, never a cut (domain/record-limits.ts).
    const long = r.ok ? tooLongToKeep(r.order, raw.payload) : null;
    if (r.ok && long) r = { ok: false, cartOrderNo: r.order.cartOrderNo, ...long };
    if (r.ok) good.push({ order: r.order, raw });
    else rejects.push({ raw, field: r.field, error: `${r.cartOrderNo ?? '(注文番号不明)'}: ${r.message}` });
  }
  // Oldest first, so stock goes to the earliest orders of the page.
  good.sort((a, b) => Date.parse(a.order.orderedAt) - Date.parse(b.order.orderedAt));
  return { good, rejects };
}

/** Step 3: unchanged and skipped orders need nothing; the rest are new or known. */
function splitPage(
  good: readonly Incoming[],
  known: Map<string, { payloadHash: string; pendingPayloadHash: string | null }>,
  importStatuses: readonly string[] | null,
) {
  const fresh: Incoming[] = [];
  const changed: Incoming[] = [];
  const done: Array<[string, PersistKind]> = [];
  for (const g of good) {
    const k = known.get(g.order.cartOrderNo);
    if (k) {
      const { payloadHash } = orderHashes(g.order);
      if (k.payloadHash === payloadHash || k.pendingPayloadHash === payloadHash)
        done.push([g.order.cartOrderNo, 'unchanged']);
      else changed.push(g);
    } else if (admitsNewOrder(g.order, importStatuses)) fresh.push(g);
    else done.push([g.order.cartOrderNo, 'skipped']);
  }
  return { fresh, changed, done };
}

interface PageWrite {
  counts: PageCounts;
  outcomes: Array<[string, PersistKind]>;
  lateRejects: Array<{ raw: RawOrder; error: string }>;
  products: Set<string>;
  orders: Set<number>;
  /** 在庫連携: the stock actions recorded for the products this page moved. */
  stockActions: number[];
  /** 注文確認 at import: the confirm actions recorded for this page's orders waiting in 100. */
  confirmActions: number[];
}

export async function importPage(
  deps: SettleDeps,
  store: Store,
  adapter: Pick<CartAdapter, 'normalize'>,
  raws: readonly RawOrder[],
  opts: ImportPageOptions,
): Promise<PageCounts> {
  const { db } = deps;
  const now = deps.now();
  const { good, rejects } = readPage(adapter, store.code, raws);
  for (const r of rejects)
    await recordReject(db, {
      storeId: store.id,
      runId: opts.runId,
      cartOrderNo: r.raw.cartOrderNo,
      payload: r.raw.payload,
      field: r.field,
      error: r.error,
    });

  const mod = cartModule(store.cart);
  const importStatuses = opts.force ? null : (store.settings.importStatuses ?? mod.defaultImportStatuses);
  const prepaidMethods = store.settings.prepaidMethods ?? mod.defaultPrepaidMethods;
  const known = await knownVersions(
    db,
    store.id,
    good.map((g) => g.order.cartOrderNo),
  );
  const split = splitPage(good, known, importStatuses);
  const products = await resolveProducts(
    db,
    store.id,
    [...split.fresh, ...split.changed].flatMap((g) => g.order.lines),
  );
  const ctx: CartChangeContext = {
    ...(await actionContext(db, now)),
    products,
    prepaidMethods,
    actor: opts.actor,
  };
  const prepared = prepareNewOrders(
    split.fresh.map((g) => g.order),
    (l) => resolvedFor(products, l) ?? undefined,
    store.settings,
    prepaidMethods,
    now,
  );
  const rawOf = new Map(split.fresh.map((g) => [g.order.cartOrderNo, g.raw.payload]));
  // Orders of this page the cart waits to have confirmed, when the store confirms at import.
  const confirming = new Set(
    orderConfirmationMode(store.cart, store.settings) === 'import'
      ? [...split.fresh, ...split.changed]
          .filter((g) => awaitsCartConfirmation(store.cart, g.order))
          .map((g) => g.order.cartOrderNo)
      : [],
  );
  const shipsFrom = prepared.length ? new Set(await storeWarehouseCodes(db, store.id)) : undefined;

  /** Step 5 in one transaction; `mode` says how new orders are written. */
  const writePage = (mode: 'batch' | 'batch-locked' | 'one-by-one') =>
    withTransaction(db, async (trx): Promise<PageWrite> => {
      const w: PageWrite = {
        counts: zeroCounts(),
        outcomes: [...split.done],
        lateRejects: [],
        products: new Set(),
        orders: new Set(),
        stockActions: [],
        confirmActions: [],
      };
      const toConfirm: Array<{ orderId: number; cartOrderNo: string }> = [];
      const moved = new Set<string>(); // products whose stock this page reserved or gave back
      for (const [, kind] of split.done) w.counts[kind]++;
      const known: Incoming[] = [...split.changed];
      type Record = RawBuilder<{ id: number }> | null;
      let finishStock = async (record: Record): Promise<number[]> =>
        record ? (await record.execute(trx)).rows.map((x) => x.id) : [];
      if (mode !== 'one-by-one' && prepared.length) {
        const locked = mode === 'batch-locked';
        const written = await writeNewOrders(trx, prepared, locked);
        for (const x of written.inserted) {
          w.counts.new++;
          w.outcomes.push([x.cartOrderNo, 'new']);
          if (confirming.has(x.cartOrderNo)) toConfirm.push(x);
        }
        for (const p of written.waitingProducts) w.products.add(p);
        for (const p of written.reservedProducts) moved.add(p);
        const conflicted = new Set(written.conflicts);
        known.push(...split.fresh.filter((g) => conflicted.has(g.order.cartOrderNo)));
        finishStock = written.finish;
      }
      const alone = mode === 'one-by-one' ? split.fresh : [];
      for (const g of [...alone, ...known]) {
        await sql`SAVEPOINT one_order`.execute(trx);
        try {
          const r = await writeOne(trx, g);
          await sql`RELEASE SAVEPOINT one_order`.execute(trx);
          w.counts[r.kind]++;
          w.outcomes.push([g.order.cartOrderNo, r.kind]);
          for (const p of r.productCodes) w.products.add(p);
          for (const p of 'movedProducts' in r ? r.movedProducts : r.productCodes) moved.add(p);
          if (r.orderId !== null && r.kind !== 'unchanged') w.orders.add(r.orderId);
          if (r.orderId !== null && confirming.has(g.order.cartOrderNo))
            toConfirm.push({ orderId: r.orderId, cartOrderNo: g.order.cartOrderNo });
        } catch (e) {
          // Deadlocks must redo the whole page; anything else is this order's problem alone.
          if (isRetryableTxError(e)) throw e;
          await sql`ROLLBACK TO SAVEPOINT one_order`.execute(trx);
          w.lateRejects.push({
            raw: g.raw,
            error: `${g.order.cartOrderNo}: ${e instanceof Error ? e.message : String(e)}`,
          });
          w.counts.rejected++;
        }
      }
      // 注文確認 at import (store setting orderConfirmation: import), in this transaction.
      w.confirmActions = await recordConfirmActions(trx, store.id, toConfirm, opts.actor, now);
      if (opts.runId !== null)
        await addRunCounts(trx, opts.runId, {
          ...w.counts,
          fetched: raws.length,
          updated: w.counts.updated + w.counts.flagged,
          rejected: w.counts.rejected + rejects.length,
        });
      // Last, so the page's stock locks are held only until the commit; 在庫連携 in the same round
      // trip: one statement for the page, a coalesced action per store × product moved.
      w.stockActions = await finishStock(stockActionsStatement(moved, { now, actor: opts.actor }));
      return w;
    });

  /** New orders in bulk: stock read (or locked), planned, written, reservations recorded. */
  const writeNewOrders = async (trx: Db, which: typeof prepared, locked: boolean) => {
    const wanted = productsToPlan(which);
    // Enabled warehouses the store ships from only (domain/allocation.ts usableStock).
    const stock = usableStock(
      locked ? await lockStock(trx, wanted) : await readStock(trx, wanted),
      shipsFrom,
    );
    const waiting = await productsWithWaitingLines(trx, wanted);
    const plans = planNewOrders(which, stock, waiting);
    const rows: NewOrderRow[] = plans.map((plan) => ({ plan, raw: rawOf.get(plan.order.cartOrderNo) }));
    const batch = await insertNewOrders(trx, rows, {
      storeId: store.id,
      actor: opts.actor,
      products,
      prepaidMethods,
    });
    if (!locked) await insertPlannedReservations(trx, batch.reservations);
    const newIds = batch.inserted.map((x) => x.orderId);
    const planOf = new Map(plans.map((p) => [p.order.cartOrderNo, p]));
    const waitingProducts = [
      ...new Set(
        batch.inserted.flatMap((x) => planOf.get(x.cartOrderNo)!.lines.flatMap((l) => l.stockCodes)),
      ),
    ].filter((c) => waiting.has(c)); // a component's allocation serves the sets waiting for it too
    return {
      inserted: batch.inserted,
      conflicts: batch.conflicts.map((c) => c.plan.order.cartOrderNo),
      waitingProducts,
      reservedProducts: [...new Set(batch.reservations.map((r) => r.productCode))],
      /** Takes the stock, then runs `record` (its ids returned): in one statement when unlocked. */
      finish: async (record: RawBuilder<{ id: number }> | null = null): Promise<number[]> => {
        if (!locked) return confirmPlannedStock(trx, batch.reservations, newIds, record);
        await reserveLockedPlan(trx, batch.reservations);
        return record ? (await record.execute(trx)).rows.map((x) => x.id) : [];
      },
    };
  };

  /** One order on its own: a known one by the cart-change table, a new one as a batch of one. */
  const writeOne = async (trx: Db, g: Incoming) => {
    const row = await lockOrderByCartNo(trx, store.id, g.order.cartOrderNo);
    if (row) return applyCartChange(trx, row, g.order, g.raw.payload, ctx);
    if (!admitsNewOrder(g.order, importStatuses))
      return { kind: 'skipped' as const, orderId: null, productCodes: [], movedProducts: [] };
    const one = prepareNewOrders(
      [g.order],
      (l) => resolvedFor(products, l) ?? undefined,
      store.settings,
      prepaidMethods,
      now,
    );
    rawOf.set(g.order.cartOrderNo, g.raw.payload);
    const w = await writeNewOrders(trx, one, true);
    await w.finish();
    const inserted = w.inserted[0];
    if (!inserted) throw new Error('inserted by another import meanwhile');
    return {
      kind: 'new' as const,
      orderId: inserted.orderId,
      productCodes: w.waitingProducts,
      movedProducts: w.reservedProducts,
    };
  };

  let page: PageWrite;
  try {
    try {
      page = await writePage(opts.careful ? 'one-by-one' : 'batch');
    } catch (e) {
      // Another import took the stock this page planned on: write it again, locking stock first.
      if (!(e instanceof StockMovedError)) throw e;
      page = await writePage('batch-locked');
    }
  } catch (e) {
    // One order the batch cannot write (a value the database refuses) fails the batch as a whole:
    // take the page again order by order, so that order becomes a reject and the rest go in.
    if (split.fresh.length === 0 || opts.careful) throw e;
    page = await writePage('one-by-one');
  }
  for (const [no, kind] of page.outcomes) opts.onOutcome?.(no, kind);
  for (const r of page.lateRejects)
    await recordReject(db, {
      storeId: store.id,
      runId: opts.runId,
      cartOrderNo: r.raw.cartOrderNo,
      payload: r.raw.payload,
      field: null,
      error: r.error,
    });
  // Step 6, after commit: stock for the new and changed orders (oldest first), then statuses.
  await settleAfterStockChange(deps, {
    productCodes: page.products,
    orderIds: page.orders,
    stockActionIds: page.stockActions,
  });
  await enqueueCartActions(
    deps.queues,
    page.confirmActions.map((id) => ({ id })),
  );
  return { ...page.counts, fetched: raws.length, rejected: page.counts.rejected + rejects.length };
}
