// One page of raw cart orders through the pipeline: normalize (pure) → resolve product codes →
// persist in ONE transaction (each order behind a savepoint, so one bad order becomes a reject and
// the rest of the page goes on) → after commit, reserve stock oldest first and settle statuses.
import { sql } from 'kysely';
import type { CartAdapter, NormalizeResult, RawOrder } from '../carts/contract.js';
import { cartModule } from '../carts/registry.js';
import type { Db } from '../db/db.js';
import { actionContext, refreshOrders, transitionInTx } from '../db/order-actions.js';
import { type PersistKind, persistCartOrder } from '../db/orders.js';
import { insertNewOrders, StockMovedError } from '../db/orders-batch.js';
import { resolveProducts } from '../db/products.js';
import { allocateProducts } from '../db/stock.js';
import type { Store } from '../db/stores.js';
import { orderHashes, sha256, stableJson } from '../domain/hash.js';
import type { CartOrder } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';

export interface PageCounts {
  fetched: number;
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  flagged: number;
}

export const zeroCounts = (): PageCounts => ({
  fetched: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  skipped: 0,
  flagged: 0,
});

export function addCounts(a: PageCounts, b: PageCounts): PageCounts {
  return {
    fetched: a.fetched + b.fetched,
    new: a.new + b.new,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    rejected: a.rejected + b.rejected,
    skipped: a.skipped + b.skipped,
    flagged: a.flagged + b.flagged,
  };
}

export interface ImportPageOptions {
  runId: number | null;
  actor: string;
  now: Date;
  /** Import whatever the cart status (admin re-import of one order). */
  force?: boolean;
  /** Write every order on its own (the path a failed batch falls back to); tests compare the two. */
  careful?: boolean;
  /** Called with each stored order's outcome (reconciliation counts the new ones). */
  onOutcome?: (cartOrderNo: string, kind: PersistKind) => void;
}

/** U+0000 and lone UTF-16 surrogates: PostgreSQL text and jsonb cannot store either. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function unstorable(s: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(s);
}

/**
 * Where a cart record holds text PostgreSQL cannot store (U+0000, a lone surrogate), in a string or a
 * key: such a record is rejected naming that field, before its insert would fail. Null when nowhere.
 */
export function unstorablePath(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return unstorable(value) ? at || '(record)' : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = unstorablePath(v, `${at}[${i}]`);
      if (hit) return hit;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const name = at ? `${at}.${k}` : k;
      if (unstorable(k)) return name;
      const hit = unstorablePath(v, name);
      if (hit) return hit;
    }
  }
  return null;
}

/** Text PostgreSQL can store: U+0000 and lone surrogates become U+FFFD. */
const storableText = (s: string) => s.replace(UNSTORABLE, '\ufffd');

/** A value PostgreSQL can store, strings and keys made storable. */
function storable<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value ?? null, (_k, v) => (typeof v === 'string' ? storableText(v) : v)),
    (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), x]))
        : v,
  ) as T;
}

/** A record the cart sent that could not be read: kept with its error for a human (deduplicated). */
export async function recordReject(
  db: Db,
  store: Store,
  runId: number | null,
  raw: RawOrder,
  field: string | null,
  error: string,
): Promise<void> {
  // The reject must be storable whatever the cart sent, or one bad record would fail its whole page.
  const payload = storable(raw.payload === undefined ? null : raw.payload);
  const cartOrderNo = raw.cartOrderNo === null ? null : storableText(raw.cartOrderNo);
  await sql`
    INSERT INTO import_rejects (store_id, import_run_id, cart_order_no, field, error, raw_payload, payload_hash)
    VALUES (${store.id}, ${runId}, ${cartOrderNo}, ${field === null ? null : storableText(field)}, ${storableText(error).slice(0, 2000)}, ${JSON.stringify(payload)}::jsonb,
            ${sha256(stableJson(payload))})
    ON CONFLICT (store_id, payload_hash) WHERE resolved_at IS NULL
    DO UPDATE SET error = EXCLUDED.error, field = EXCLUDED.field, import_run_id = EXCLUDED.import_run_id`.execute(
    db,
  );
}

export async function importPage(
  db: Db,
  store: Store,
  adapter: Pick<CartAdapter, 'normalize'>,
  raws: readonly RawOrder[],
  opts: ImportPageOptions,
): Promise<PageCounts> {
  const counts = zeroCounts();
  counts.fetched = raws.length;
  const good: Array<{ order: CartOrder; raw: RawOrder }> = [];
  for (const raw of raws) {
    const bad = unstorablePath(raw.payload);
    const r: NormalizeResult =
      bad === null
        ? adapter.normalize(raw, store.code)
        : {
            ok: false,
            cartOrderNo: raw.cartOrderNo,
            field: bad,
            message: `${bad}: contains U+0000 (NUL) or a lone surrogate, which cannot be stored`,
          };
    if (r.ok) good.push({ order: r.order, raw });
    else {
      counts.rejected++;
      await recordReject(
        db,
        store,
        opts.runId,
        raw,
        r.field,
        `${r.cartOrderNo ?? '(注文番号不明)'}: ${r.message}`,
      );
    }
  }
  // Oldest first, so stock goes to the earliest orders of the page.
  good.sort((a, b) => Date.parse(a.order.orderedAt) - Date.parse(b.order.orderedAt));
  const products = await resolveProducts(
    db,
    store.id,
    good.flatMap((g) => g.order.lines),
  );
  const ctxBase = await actionContext(db, opts.now);
  const importStatuses = opts.force
    ? null
    : (store.settings.importStatuses ?? cartModule(store.cart).defaultImportStatuses);
  const prepaidMethods = store.settings.prepaidMethods ?? cartModule(store.cart).defaultPrepaidMethods;
  const ctx = { ...ctxBase, store, importStatuses, products, prepaidMethods, actor: opts.actor };
  const touchedProducts = new Set<string>();
  const touchedOrders = new Set<number>();

  // What the database already has: unchanged orders need no lock and no write at all.
  const known = new Map<string, { payload_hash: string; pending_payload_hash: string | null }>();
  for (let i = 0; i < good.length; i += 1000) {
    const rows = await db
      .selectFrom('orders')
      .select(['cart_order_no', 'payload_hash', 'pending_payload_hash'])
      .where('store_id', '=', store.id)
      .where(
        'cart_order_no',
        'in',
        good.slice(i, i + 1000).map((g) => g.order.cartOrderNo),
      )
      .execute();
    for (const r of rows) known.set(r.cart_order_no, r);
  }
  const fresh: typeof good = [];
  const changed: typeof good = [];
  const early = zeroCounts();
  const earlyOutcomes: Array<[string, PersistKind]> = [];
  for (const g of good) {
    const k = known.get(g.order.cartOrderNo);
    if (k) {
      const { payloadHash } = orderHashes(g.order);
      if (k.payload_hash === payloadHash || k.pending_payload_hash === payloadHash) {
        early.unchanged++;
        earlyOutcomes.push([g.order.cartOrderNo, 'unchanged']);
      } else changed.push(g);
    } else if (
      !opts.force &&
      (g.order.cancelledInCart || (importStatuses && !importStatuses.includes(g.order.cartStatus)))
    ) {
      early.skipped++;
      earlyOutcomes.push([g.order.cartOrderNo, 'skipped']);
    } else if (opts.force)
      changed.push(g); // one order by hand: the careful path, cancel included
    else fresh.push(g);
  }

  const run = (fast: boolean, lockFirst = false) =>
    withTransaction(db, async (trx) => {
      const c = { ...zeroCounts(), unchanged: early.unchanged, skipped: early.skipped };
      touchedProducts.clear();
      touchedOrders.clear();
      const lateRejects: Array<{ raw: RawOrder; error: string }> = [];
      const outcomes: Array<[string, PersistKind]> = [...earlyOutcomes];
      const careful = fast ? [...changed] : [...fresh, ...changed];
      let reserveStock = async (): Promise<void> => undefined;
      if (fast && fresh.length) {
        // New orders first, in one go (see insertNewOrders for how their stock is planned and locked).
        const batch = await insertNewOrders(
          trx,
          fresh.map((g) => ({ order: g.order, raw: g.raw.payload })),
          ctx,
          { lockFirst },
        );
        for (const x of batch.inserted) {
          c.new++;
          outcomes.push([x.cartOrderNo, 'new']);
        }
        for (const p of batch.allocateLater) touchedProducts.add(p);
        reserveStock = batch.reserveStock;
        const conflicted = new Set(batch.conflicts.map((x) => x.order.cartOrderNo));
        careful.push(...fresh.filter((g) => conflicted.has(g.order.cartOrderNo)));
      }
      for (const { order, raw } of careful) {
        await sql`SAVEPOINT one_order`.execute(trx);
        try {
          const outcome = await persistCartOrder(trx, order, raw.payload, ctx);
          if (opts.force && outcome.kind === 'new' && order.cancelledInCart && outcome.orderId)
            await transitionInTx(
              trx,
              outcome.orderId,
              S.cancelRequested,
              'cart',
              ctx,
              'カートでキャンセル済み',
            );
          await sql`RELEASE SAVEPOINT one_order`.execute(trx);
          c[outcome.kind]++;
          outcomes.push([order.cartOrderNo, outcome.kind]);
          for (const p of outcome.productCodes) touchedProducts.add(p);
          if (outcome.orderId && outcome.kind !== 'unchanged') touchedOrders.add(outcome.orderId);
        } catch (e) {
          // Deadlocks must redo the whole page; anything else is this order's problem alone.
          if ((e as { code?: string }).code === '40P01' || (e as { code?: string }).code === '40001') throw e;
          await sql`ROLLBACK TO SAVEPOINT one_order`.execute(trx);
          lateRejects.push({
            raw,
            error: `${order.cartOrderNo}: ${e instanceof Error ? e.message : String(e)}`,
          });
          c.rejected++;
        }
      }
      if (opts.runId !== null) {
        await trx
          .updateTable('import_runs')
          .set((eb) => ({
            fetched: eb('fetched', '+', raws.length),
            new: eb('new', '+', c.new),
            updated: eb('updated', '+', c.updated + c.flagged),
            unchanged: eb('unchanged', '+', c.unchanged),
            rejected: eb('rejected', '+', c.rejected + counts.rejected),
            skipped: eb('skipped', '+', c.skipped),
          }))
          .where('id', '=', opts.runId)
          .execute();
      }
      await reserveStock(); // last: the page's stock locks are held only until the commit below
      return { c, lateRejects, outcomes };
    });
  let pageCounts: Awaited<ReturnType<typeof run>>;
  try {
    try {
      pageCounts = await run(!opts.careful);
    } catch (e) {
      // Another import took the stock this page planned on: write it again, locking stock first.
      if (!(e instanceof StockMovedError)) throw e;
      pageCounts = await run(true, true);
    }
  } catch (e) {
    // One order the batch cannot write (a value the database refuses) fails the batch as a whole:
    // take the page again order by order, so that order becomes a reject and the rest go in.
    if (fresh.length === 0 || opts.careful) throw e;
    pageCounts = await run(false);
  }
  for (const [no, kind] of pageCounts.outcomes) opts.onOutcome?.(no, kind);
  for (const r of pageCounts.lateRejects) await recordReject(db, store, opts.runId, r.raw, null, r.error);

  // After commit: stock for the new and changed orders (oldest first, per product), then statuses.
  const allocated = await allocateProducts(db, touchedProducts);
  for (const a of allocated) for (const id of a.orderIds) touchedOrders.add(id);
  await refreshOrders(db, touchedOrders, opts.now);

  const c = pageCounts.c;
  return { ...c, fetched: raws.length, rejected: c.rejected + counts.rejected };
}
