// 在庫連携 in the database: the facts the free-quantity rule needs for one store (its mappings, the
// products and sets, stock per warehouse, the warehouses it ships from, its safety stock), and the
// push state per store × cart item (what juchu wants the cart to show, what it last pushed, the
// cart's answer, drift found). The rule itself is domain/free-quantity.ts.
import { type RawBuilder, sql } from 'kysely';
import {
  affectedProducts,
  cartItemsOf,
  type FreeQuantity,
  freeQuantities,
  type ProductFacts,
  type StockPushSettings,
} from '../domain/free-quantity.js';
import type { CartActionRow } from './cart-actions.js';
import type { Db } from './db.js';
import { componentsOf } from './product-sets.js';
import { storeWarehouseMap } from './warehouses.js';

export interface PushStore {
  id: number;
  settings: Pick<StockPushSettings, 'stockSafety' | 'stockRatio' | 'stockCap' | 'stockPushOwnCodes'>;
}

/**
 * Every cart item's quantity for one store (`productCodes`: only the items of these products and of
 * the sets made of them, or of these products alone with `withSets: false`; absent: all of the
 * store's items).
 */
export async function storeFreeQuantities(
  db: Db,
  store: PushStore,
  productCodes?: readonly string[],
  opts: { withSets?: boolean } = {},
): Promise<FreeQuantity[]> {
  let products: string[] | null = null;
  if (productCodes && opts.withSets === false) {
    if (productCodes.length === 0) return [];
    products = [...new Set(productCodes)].sort();
  } else if (productCodes) {
    if (productCodes.length === 0) return [];
    const sets = await db
      .selectFrom('product_components')
      .select(['set_code', 'component_code'])
      .where('component_code', 'in', [...new Set(productCodes)])
      .execute();
    const byComponent = new Map<string, string[]>();
    for (const s of sets)
      byComponent.set(s.component_code, [...(byComponent.get(s.component_code) ?? []), s.set_code]);
    products = affectedProducts(productCodes, byComponent);
  }
  let mq = db
    .selectFrom('store_product_mappings')
    .select(['cart_product_code', 'cart_option_code', 'product_code', 'units_per_cart_unit'])
    .where('store_id', '=', store.id)
    .orderBy('cart_product_code')
    .orderBy('cart_option_code');
  if (products) mq = mq.where('product_code', 'in', products);
  const mappings = await mq.execute();
  let pq = db.selectFrom('products').select(['code', 'active']).orderBy('code');
  if (products) pq = pq.where('code', 'in', products);
  const productRows = await pq.execute();
  const items = cartItemsOf(
    mappings.map((m) => ({
      cartProductCode: m.cart_product_code,
      cartOptionCode: m.cart_option_code,
      productCode: m.product_code,
      unitsPerCartUnit: m.units_per_cart_unit,
    })),
    productRows.filter((p) => p.active).map((p) => p.code),
    store.settings.stockPushOwnCodes,
  );
  if (items.length === 0) return [];
  const codes = [...new Set(items.map((i) => i.productCode))];
  const components = await componentsOf(db, codes);
  const facts = new Map<string, ProductFacts>();
  const active = new Map(productRows.map((p) => [p.code, p.active]));
  if (products === null || codes.some((c) => !active.has(c))) {
    for (const r of await db
      .selectFrom('products')
      .select(['code', 'active'])
      .where('code', 'in', codes)
      .execute())
      active.set(r.code, r.active);
  }
  for (const c of codes)
    if (active.has(c)) facts.set(c, { active: active.get(c)!, components: components.get(c) ?? null });
  const stockCodes = [...new Set([...codes, ...[...components.values()].flat().map((c) => c.productCode)])];
  const levels = await db
    .selectFrom('stock_levels as s')
    .innerJoin('warehouses as w', 'w.code', 's.warehouse_code')
    .select(['s.product_code', 's.warehouse_code', 's.on_hand', 's.reserved', 'w.enabled'])
    .where('s.product_code', 'in', stockCodes)
    .execute();
  const safety = await db
    .selectFrom('store_stock_safety')
    .select(['product_code', 'quantity'])
    .where('store_id', '=', store.id)
    .where('product_code', 'in', codes)
    .execute();
  const shipsFrom = (await storeWarehouseMap(db, [store.id])).get(store.id) ?? new Set<string>();
  return freeQuantities(items, {
    levels: levels.map((l) => ({
      productCode: l.product_code,
      warehouse: l.warehouse_code,
      onHand: l.on_hand,
      reserved: l.reserved,
      enabled: l.enabled,
    })),
    shipsFrom,
    settings: store.settings,
    safety: new Map(safety.map((s) => [s.product_code, s.quantity])),
    products: facts,
  });
}

// ─── Safety stock per store × product ─────────────────────────────────────────────────────────────

export async function setStoreSafety(
  db: Db,
  storeId: number,
  productCode: string,
  quantity: number | null,
): Promise<void> {
  if (quantity === null) {
    await db
      .deleteFrom('store_stock_safety')
      .where('store_id', '=', storeId)
      .where('product_code', '=', productCode)
      .execute();
    return;
  }
  await db
    .insertInto('store_stock_safety')
    .values({ store_id: storeId, product_code: productCode, quantity })
    .onConflict((oc) =>
      oc.columns(['store_id', 'product_code']).doUpdateSet({ quantity, updated_at: sql`now()` }),
    )
    .execute();
}

export async function storeSafetyList(
  db: Db,
  storeId: number,
): Promise<Array<{ productCode: string; quantity: number }>> {
  const rows = await db
    .selectFrom('store_stock_safety')
    .select(['product_code', 'quantity'])
    .where('store_id', '=', storeId)
    .orderBy('product_code')
    .execute();
  return rows.map((r) => ({ productCode: r.product_code, quantity: r.quantity }));
}

// ─── Push state ───────────────────────────────────────────────────────────────────────────────────

export interface PushStateRow {
  storeId: number;
  cartProductCode: string;
  cartOptionCode: string | null;
  productCode: string;
  wantedQuantity: number;
  wantedAt: Date;
  pushedQuantity: number | null;
  pushedAt: Date | null;
  outcome: 'accepted' | 'refused' | 'failed' | null;
  answer: string | null;
  failures: number;
  cartQuantity: number | null;
  drift: number | null;
  driftCheckedAt: Date | null;
}

/**
 * Records what the store's items should show now. An item whose quantity changed gets `wanted_at`
 * now (push lag counts from there); an unchanged one keeps its time. Coalesced by nature: a burst of
 * changes to one item leaves one row with the final number. Returns how many changed.
 */
export async function recordWanted(
  db: Db,
  storeId: number,
  levels: readonly FreeQuantity[],
  now: Date,
): Promise<number> {
  if (levels.length === 0) return 0;
  let changed = 0;
  for (let i = 0; i < levels.length; i += 1000) {
    const chunk = levels.slice(i, i + 1000);
    const r = await sql<{ n: number }>`
      WITH v AS (
        SELECT * FROM unnest(${chunk.map((l) => l.cartProductCode)}::text[], ${chunk.map((l) => l.cartOptionCode ?? '')}::text[],
                             ${chunk.map((l) => l.productCode)}::text[], ${chunk.map((l) => l.quantity)}::int[])
          AS v(cart_product_code, cart_option_code, product_code, quantity)
      ), up AS (
        INSERT INTO stock_push_state AS s (store_id, cart_product_code, cart_option_code, product_code, wanted_quantity, wanted_at)
        SELECT ${storeId}, cart_product_code, cart_option_code, product_code, quantity, ${now} FROM v
        ON CONFLICT (store_id, cart_product_code, cart_option_code) DO UPDATE
          SET product_code = EXCLUDED.product_code, wanted_quantity = EXCLUDED.wanted_quantity,
              wanted_at = EXCLUDED.wanted_at
          WHERE s.wanted_quantity IS DISTINCT FROM EXCLUDED.wanted_quantity OR s.product_code <> EXCLUDED.product_code
        RETURNING 1
      ) SELECT count(*)::int AS n FROM up`.execute(db);
    changed += r.rows[0]?.n ?? 0;
  }
  return changed;
}

function toPushState(r: Record<string, unknown>): PushStateRow {
  return {
    storeId: r.store_id as number,
    cartProductCode: r.cart_product_code as string,
    cartOptionCode: (r.cart_option_code as string) || null,
    productCode: r.product_code as string,
    wantedQuantity: r.wanted_quantity as number,
    wantedAt: r.wanted_at as Date,
    pushedQuantity: r.pushed_quantity as number | null,
    pushedAt: r.pushed_at as Date | null,
    outcome: r.outcome as PushStateRow['outcome'],
    answer: r.answer as string | null,
    failures: r.failures as number,
    cartQuantity: r.cart_quantity as number | null,
    drift: r.drift as number | null,
    driftCheckedAt: r.drift_checked_at as Date | null,
  };
}

/**
 * Items whose cart does not show the wanted quantity yet: never pushed, pushed another number, or
 * failed. A refusal of the same number waits for a human (it is not sent again until it changes, or
 * `retryRefused`).
 */
export async function pendingPushes(
  db: Db,
  storeId: number,
  opts: { limit?: number; retryRefused?: boolean } = {},
): Promise<PushStateRow[]> {
  const rows = await db
    .selectFrom('stock_push_state')
    .selectAll()
    .where('store_id', '=', storeId)
    .where((eb) =>
      eb.or([
        eb('pushed_quantity', 'is', null),
        eb('pushed_quantity', '<>', eb.ref('wanted_quantity')),
        eb('outcome', '=', 'failed'),
        ...(opts.retryRefused ? [eb('outcome', '=', 'refused')] : []),
      ]),
    )
    .orderBy('wanted_at')
    .orderBy('cart_product_code')
    .limit(opts.limit ?? 10_000)
    .execute();
  return rows.map(toPushState);
}

export interface PushResult {
  cartProductCode: string;
  cartOptionCode: string | null;
  quantity: number;
  outcome: 'accepted' | 'refused' | 'failed';
  answer: string;
}

/** The cart's answers to a push. `failed` keeps the last accepted number and counts the failures. */
export async function recordPushResults(
  db: Db,
  storeId: number,
  results: readonly PushResult[],
  now: Date,
): Promise<void> {
  for (const r of results) {
    const key = (q: ReturnType<typeof db.updateTable<'stock_push_state'>>) =>
      q
        .where('store_id', '=', storeId)
        .where('cart_product_code', '=', r.cartProductCode)
        .where('cart_option_code', '=', r.cartOptionCode ?? '');
    if (r.outcome === 'failed')
      await key(
        db.updateTable('stock_push_state').set({
          outcome: 'failed',
          answer: r.answer,
          failures: sql`failures + 1`,
        }),
      ).execute();
    else
      await key(
        db.updateTable('stock_push_state').set({
          pushed_quantity: r.quantity,
          pushed_at: now,
          outcome: r.outcome,
          answer: r.answer,
          failures: 0,
        }),
      ).execute();
  }
}

/** What the full sync read back from the cart, and how far it was from what juchu last pushed. */
export async function recordDrift(
  db: Db,
  storeId: number,
  reads: ReadonlyArray<{ cartProductCode: string; cartOptionCode: string | null; cartQuantity: number }>,
  now: Date,
): Promise<number> {
  let drifted = 0;
  for (const r of reads) {
    const row = await db
      .updateTable('stock_push_state')
      .set({
        cart_quantity: r.cartQuantity,
        drift: sql`${r.cartQuantity}::int - COALESCE(pushed_quantity, wanted_quantity)`,
        drift_checked_at: now,
      })
      .where('store_id', '=', storeId)
      .where('cart_product_code', '=', r.cartProductCode)
      .where('cart_option_code', '=', r.cartOptionCode ?? '')
      .returning(['drift'])
      .executeTakeFirst();
    if (row?.drift) {
      drifted++;
      // The cart shows something else than juchu pushed: send it again.
      await db
        .updateTable('stock_push_state')
        .set({ pushed_quantity: null })
        .where('store_id', '=', storeId)
        .where('cart_product_code', '=', r.cartProductCode)
        .where('cart_option_code', '=', r.cartOptionCode ?? '')
        .execute();
    }
  }
  return drifted;
}

export async function pushStateOf(
  db: Db,
  q: {
    storeId?: number;
    productCode?: string;
    productCodes?: readonly string[];
    onlyProblems?: boolean;
    limit?: number;
  } = {},
): Promise<PushStateRow[]> {
  let s = db.selectFrom('stock_push_state').selectAll();
  if (q.storeId !== undefined) s = s.where('store_id', '=', q.storeId);
  if (q.productCode) s = s.where('product_code', '=', q.productCode);
  if (q.productCodes) {
    if (q.productCodes.length === 0) return [];
    s = s.where('product_code', 'in', [...q.productCodes]);
  }
  if (q.onlyProblems)
    s = s.where((eb) => eb.or([eb('outcome', 'in', ['failed', 'refused']), eb('drift', '<>', 0)]));
  const rows = await s
    .orderBy('product_code')
    .orderBy('store_id')
    .orderBy('cart_product_code')
    .limit(q.limit ?? 500)
    .execute();
  return rows.map(toPushState);
}

/** Per store: items waiting for the cart and the oldest wait (push lag), for /metrics and the screen. */
export async function pushLagByStore(
  db: Db,
  now: Date,
): Promise<Array<{ storeId: number; pending: number; failed: number; refused: number; lagSeconds: number }>> {
  const r = await sql<{
    store_id: number;
    pending: number;
    failed: number;
    refused: number;
    oldest: Date | null;
  }>`
    SELECT store_id,
      count(*) FILTER (WHERE pushed_quantity IS DISTINCT FROM wanted_quantity OR outcome = 'failed')::int AS pending,
      count(*) FILTER (WHERE outcome = 'failed')::int AS failed,
      count(*) FILTER (WHERE outcome = 'refused')::int AS refused,
      min(wanted_at) FILTER (WHERE pushed_quantity IS DISTINCT FROM wanted_quantity OR outcome = 'failed') AS oldest
    FROM stock_push_state GROUP BY store_id ORDER BY store_id`.execute(db);
  return r.rows.map((x) => ({
    storeId: x.store_id,
    pending: x.pending,
    failed: x.failed,
    refused: x.refused,
    lagSeconds: x.oldest ? Math.max(0, (now.getTime() - new Date(x.oldest).getTime()) / 1000) : 0,
  }));
}

// ─── Stock actions in the cart-actions outbox ─────────────────────────────────────────────────────

/** The coalesce key of a store × product's stock action: one pending action per store × product. */
export const stockActionKey = (productCode: string) => `stock:${productCode}`;

/**
 * In the caller's transaction, after it moved the stock of `productCodes`: a `stock` action per
 * store whose push is on × product whose free quantity may have changed (the products, a set's
 * components, and the sets made of any of them; a store that pushes mapped items only, just the
 * products it maps). ONE statement
 * whatever the number of products (the import page calls it once per page). The payload names the
 * product only: the quantity is computed when the action is delivered (absolute, never a delta).
 *
 * A pending action of the same store × product is kept and touched, not duplicated: the touch takes
 * its row lock until the caller commits, so a delivery cannot claim it and read the stock before this
 * change is visible (it waits for the commit). An action already being delivered is left alone; the
 * new pending one goes after it. Returns the ids to deliver (new or touched).
 */
export async function recordStockActions(
  trx: Db,
  productCodes: Iterable<string>,
  /** `storeId`: only this store (its own setting changed). */
  o: { now: Date; actor: string; storeId?: number },
): Promise<number[]> {
  const statement = stockActionsStatement(productCodes, o);
  if (!statement) return [];
  const r = await statement.execute(trx);
  return r.rows.map((x) => x.id);
}

/**
 * recordStockActions' statement (RETURNING id), null when there are no products: the import page
 * runs it inside the statement that raises its planned stock (db/stock.ts confirmPlannedStock), so
 * the stock rows it locked wait for one round trip less.
 */
export function stockActionsStatement(
  productCodes: Iterable<string>,
  o: { now: Date; actor: string; storeId?: number },
): RawBuilder<{ id: number }> | null {
  const codes = [...new Set(productCodes)].sort();
  if (codes.length === 0) return null;
  return sql<{ id: number }>`
    WITH given AS (SELECT unnest(${codes}::text[]) AS product_code),
    -- a set's stock is its components' (a set reserved moves them, and the other sets made of them)
    changed AS (
      SELECT product_code FROM given
      UNION
      SELECT pc.component_code FROM product_components pc JOIN given g ON g.product_code = pc.set_code
    ),
    affected AS (
      SELECT product_code FROM changed
      UNION
      SELECT pc.set_code FROM product_components pc JOIN changed c ON c.product_code = pc.component_code
    ),
    targets AS (
      SELECT s.id AS store_id, a.product_code
      FROM stores s CROSS JOIN affected a
      WHERE s.enabled AND s.settings @> '{"stockPush": true}'::jsonb
        AND (${o.storeId ?? null}::int IS NULL OR s.id = ${o.storeId ?? null}::int)
        AND (NOT s.settings @> '{"stockPushOwnCodes": false}'::jsonb
             OR EXISTS (SELECT 1 FROM store_product_mappings m
                        WHERE m.store_id = s.id AND m.product_code = a.product_code))
    )
    INSERT INTO cart_actions AS ca (store_id, kind, coalesce_key, payload, created_by, created_at,
                                    next_attempt_at, updated_at)
    SELECT store_id, 'stock', 'stock:' || product_code, jsonb_build_object('productCode', product_code),
           ${o.actor}, ${o.now}, ${o.now}, ${o.now}
    FROM targets ORDER BY store_id, product_code
    ON CONFLICT (store_id, coalesce_key) WHERE state = 'pending' AND coalesce_key IS NOT NULL
      DO UPDATE SET updated_at = EXCLUDED.updated_at
    RETURNING ca.id`;
}

/**
 * More pending stock actions of the store to send in the same call as `lead` (the cart's batch: up
 * to `limit`), claimed with the same lease; like claimCartAction, one whose older value of the same
 * store × product is still being delivered stays behind (it must land first).
 */
export async function claimStockMates(
  db: Db,
  lead: { id: number; store_id: number },
  limit: number,
  now: Date,
  leaseMs: number,
): Promise<CartActionRow[]> {
  if (limit <= 0) return [];
  // The picked rows in a materialised CTE, as claimBatchMates (db/cart-actions.ts) does: as
  // `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may run the sub-select more than
  // once and claim more than `limit` (one cart call beyond its documented batch size).
  const r = await sql<CartActionRow>`
    WITH picked AS MATERIALIZED (
      SELECT a.id FROM cart_actions a
      WHERE a.store_id = ${lead.store_id} AND a.kind = 'stock' AND a.state = 'pending'
        AND a.next_attempt_at <= ${now} AND a.id <> ${lead.id}
        AND NOT EXISTS (SELECT 1 FROM cart_actions o
                        WHERE o.store_id = a.store_id AND o.coalesce_key = a.coalesce_key
                          AND o.state = 'delivering' AND o.lease_until >= ${now} AND o.id < a.id)
      ORDER BY a.id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    UPDATE cart_actions c SET state = 'delivering', lease_until = ${new Date(now.getTime() + leaseMs)},
      attempts = c.attempts + 1, updated_at = ${now}
    FROM picked WHERE c.id = picked.id AND c.state = 'pending'
    RETURNING c.*`.execute(db);
  return r.rows;
}
