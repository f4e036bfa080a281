// Stock: levels per product × warehouse and the reservation rows that make up `reserved`.
// Rules that keep "never oversold" and "reserved = Σ reservations" true under any concurrency:
//  - every change to a stock level is ONE guarded statement that also writes the reservation rows;
//  - stock rows are locked in (product_code, warehouse_code) order before anything else touches them;
//  - an order's row is locked before its stock rows; code that holds stock rows and must then take
//    an order row (allocation meeting a new candidate, a count correction) takes it without waiting
//    (SKIP LOCKED) and starts again if it is busy, so no lock cycle can form;
//  - deadlocks / serialization failures are retried by `withTransaction`.
import { type RawBuilder, sql } from 'kysely';
import { type SetComponent, usableStock } from '../domain/allocation.js';
import { RuleRefusal } from '../domain/refusal.js';
import { freeSets, planSetReservation } from '../domain/sets.js';
import { CUSTOM_HOLDING_GROUPS, HOLDING_AT_IMPORT, HOLDING_IN_FULFILLMENT } from '../domain/stock-holding.js';
import { withTransaction } from '../infra/postgres.js';
import type { Db } from './db.js';
import { componentsOf, setsContaining } from './product-sets.js';
import { storeWarehouseMap } from './warehouses.js';

export interface StockRow {
  productCode: string;
  warehouse: string;
  priority: number;
  free: number;
  enabled: boolean;
}

/**
 * Locks the stock rows of these products in a fixed order; returns free stock per row. NO KEY
 * UPDATE is the strength an UPDATE of on_hand / reserved takes: it does not conflict with the
 * KEY SHARE lock a reservation insert takes on its stock row (the foreign key check).
 */
export async function lockStock(trx: Db, productCodes: readonly string[]): Promise<StockRow[]> {
  return stockRows(trx, productCodes, true);
}

/** Free stock per row of these products, without locking (a plan to check under the lock later). */
export async function readStock(trx: Db, productCodes: readonly string[]): Promise<StockRow[]> {
  return stockRows(trx, productCodes, false);
}

async function stockRows(trx: Db, productCodes: readonly string[], lock: boolean): Promise<StockRow[]> {
  if (productCodes.length === 0) return [];
  const rows = await sql<{
    product_code: string;
    warehouse_code: string;
    priority: number;
    free: number;
    enabled: boolean;
  }>`
    SELECT s.product_code, s.warehouse_code, w.priority, w.enabled, s.on_hand - s.reserved AS free
    FROM stock_levels s JOIN warehouses w ON w.code = s.warehouse_code
    WHERE s.product_code = ANY(${[...new Set(productCodes)]}::text[])
    ORDER BY s.product_code, s.warehouse_code
    ${lock ? sql`FOR NO KEY UPDATE OF s` : sql``}`.execute(trx);
  return rows.rows.map((r) => ({
    productCode: r.product_code,
    warehouse: r.warehouse_code,
    priority: r.priority,
    free: r.free,
    enabled: r.enabled,
  }));
}

/**
 * Reserves `quantity` of a product in one warehouse for an order line — one statement: the stock
 * update is guarded by `on_hand - reserved >= quantity`, and the reservation row is written only if
 * the update happened. Returns the quantity reserved (0 if the guard refused).
 */
export async function reserve(
  trx: Db,
  line: { orderLineId: number; orderId: number; productCode: string },
  warehouse: string,
  quantity: number,
): Promise<number> {
  const r = await sql<{ quantity: number }>`
    WITH taken AS (
      UPDATE stock_levels SET reserved = reserved + ${quantity}, updated_at = now()
      WHERE product_code = ${line.productCode} AND warehouse_code = ${warehouse}
        AND on_hand - reserved >= ${quantity}
      RETURNING product_code, warehouse_code
    ), line AS (
      UPDATE order_lines SET reserved_quantity = reserved_quantity + ${quantity}
      WHERE id = ${line.orderLineId} AND EXISTS (SELECT 1 FROM taken)
      RETURNING id
    )
    INSERT INTO reservations (order_line_id, order_id, product_code, warehouse_code, quantity)
    SELECT ${line.orderLineId}, ${line.orderId}, product_code, warehouse_code, ${quantity} FROM taken
    ON CONFLICT (order_line_id, product_code, warehouse_code) DO UPDATE SET quantity = reservations.quantity + EXCLUDED.quantity
    RETURNING ${quantity}::int AS quantity`.execute(trx);
  return r.rows.length ? quantity : 0;
}

export interface AllocationResult {
  productCode: string;
  /** Units reserved by this run. */
  reserved: number;
  /** Orders that received stock (their status may now move on). */
  orderIds: number[];
}

/**
 * The SQL mirror of domain/stock-holding.ts `mayHoldStock` (status `o`, its catalogue row `s`, its
 * store `st`), built from the same lists; db/stock-holding.test.ts checks the two agree on every
 * status × group × timing × 引当保留. The caller also requires `o.shipping_instructed_at IS NULL`.
 */
export function holdingOrder() {
  return sql`o.allocation_held_at IS NULL AND (
        (COALESCE(st.settings->>'reservationTiming', 'import') = 'import'
          AND ((s.system AND o.status_code = ANY(${[...HOLDING_AT_IMPORT]}::text[]))
               OR (NOT s.system AND s.group = ANY(${[...CUSTOM_HOLDING_GROUPS.import]}::text[]))))
        OR (COALESCE(st.settings->>'reservationTiming', 'import') = 'fulfillment'
          AND ((s.system AND o.status_code = ANY(${[...HOLDING_IN_FULFILLMENT]}::text[]))
               OR (NOT s.system AND s.group = ANY(${[...CUSTOM_HOLDING_GROUPS.fulfillment]}::text[]))))
      )`;
}

/**
 * Of these products, those with lines already waiting for stock (their own, or a set's that has the
 * product among its components): the import leaves them to `allocateProduct`, which serves the
 * oldest first. The first waiting line answers (EXISTS on the
 * partial index), however long an out-of-stock product's backlog grows. A line of an order that may
 * not hold stock yet also counts: that only sends the product to `allocateProduct`, which decides.
 */
export async function productsWithWaitingLines(
  trx: Db,
  productCodes: readonly string[],
  exceptOrderIds: readonly number[] = [],
): Promise<Set<string>> {
  if (productCodes.length === 0) return new Set();
  const r = await waitingProductsQuery(productCodes, exceptOrderIds).execute(trx);
  return new Set(r.rows.map((x) => x.product_code));
}

function waitingProductsQuery(productCodes: readonly string[], exceptOrderIds: readonly number[]) {
  return sql<{ product_code: string }>`
    SELECT p.product_code FROM unnest(${[...new Set(productCodes)]}::text[]) AS p(product_code)
    WHERE EXISTS (
      SELECT 1 FROM order_lines l
      -- the predicate of order_lines_short_idx
      WHERE l.product_code = p.product_code AND l.product_code IS NOT NULL AND l.open AND l.waiting_units > 0
        AND l.order_id <> ALL(${[...exceptOrderIds]}::bigint[])
    ) OR EXISTS (
      -- a set waiting for it as a component (セット商品)
      SELECT 1 FROM product_components pc JOIN order_lines l ON l.product_code = pc.set_code
      WHERE pc.component_code = p.product_code AND l.product_code IS NOT NULL AND l.open AND l.waiting_units > 0
        AND l.order_id <> ALL(${[...exceptOrderIds]}::bigint[])
    )`;
}

/**
 * Reserves a whole plan in ONE guarded statement: each stock row goes up by its planned total only
 * if that much is free, the reservation rows are written only for the rows that went up, and the
 * caller has already written the lines' reserved_quantity. Returns the units reserved; anything
 * less than planned means the caller must roll back.
 */
export async function reservePlan(
  trx: Db,
  plan: ReadonlyArray<{
    orderLineId: number;
    orderId: number;
    productCode: string;
    warehouse: string;
    quantity: number;
  }>,
): Promise<number> {
  if (plan.length === 0) return 0;
  const r = await sql<{ units: number }>`
    WITH plan AS (
      SELECT * FROM unnest(${plan.map((p) => p.orderLineId)}::bigint[], ${plan.map((p) => p.orderId)}::bigint[],
                           ${plan.map((p) => p.productCode)}::text[], ${plan.map((p) => p.warehouse)}::text[],
                           ${plan.map((p) => p.quantity)}::int[])
        AS p(line_id, order_id, product_code, warehouse_code, quantity)
    ), per AS (
      SELECT product_code, warehouse_code, SUM(quantity)::int AS q FROM plan GROUP BY 1, 2
    ), upd AS (
      UPDATE stock_levels s SET reserved = s.reserved + per.q, updated_at = now()
      FROM per WHERE s.product_code = per.product_code AND s.warehouse_code = per.warehouse_code
        AND s.on_hand - s.reserved >= per.q
      RETURNING s.product_code, s.warehouse_code
    ), ins AS (
      INSERT INTO reservations (order_line_id, order_id, product_code, warehouse_code, quantity)
      SELECT p.line_id, p.order_id, p.product_code, p.warehouse_code, p.quantity
      FROM plan p JOIN upd u ON u.product_code = p.product_code AND u.warehouse_code = p.warehouse_code
      RETURNING quantity
    )
    SELECT COALESCE(SUM(quantity), 0)::int AS units FROM ins`.execute(trx);
  return r.rows[0]?.units ?? 0;
}

/**
 * The two halves of `reservePlan` for a plan made without locks: the reservation rows first (they
 * lock nothing another import needs), then, once the caller has locked and checked the stock rows,
 * ONE guarded statement raising each row's reserved by its planned total. False when any row lacked
 * the free stock: the caller must roll back, or reserved ≠ Σ reservations.
 */
export async function insertPlannedReservations(trx: Db, plan: readonly PlanStep[]): Promise<void> {
  if (plan.length === 0) return;
  await sql`
    INSERT INTO reservations (order_line_id, order_id, product_code, warehouse_code, quantity)
    SELECT * FROM unnest(${plan.map((p) => p.orderLineId)}::bigint[], ${plan.map((p) => p.orderId)}::bigint[],
                         ${plan.map((p) => p.productCode)}::text[], ${plan.map((p) => p.warehouse)}::text[],
                         ${plan.map((p) => p.quantity)}::int[])`.execute(trx);
}

export async function raiseReservedForPlan(trx: Db, plan: readonly PlanStep[]): Promise<boolean> {
  if (plan.length === 0) return true;
  const { rows, statement } = raiseReservedQuery(plan, sql`true`);
  const r = await sql<{ n: number }>`WITH upd AS (${statement}) SELECT count(*)::int AS n FROM upd`.execute(
    trx,
  );
  return r.rows[0]?.n === rows;
}

/** The guarded UPDATE of raiseReservedForPlan (RETURNING 1 per row raised), only `when` holds. */
function raiseReservedQuery(plan: readonly PlanStep[], when: RawBuilder<unknown>) {
  const totals = new Map<string, { product: string; warehouse: string; q: number }>();
  for (const p of plan) {
    const k = `${p.productCode}\u0000${p.warehouse}`;
    const t = totals.get(k) ?? { product: p.productCode, warehouse: p.warehouse, q: 0 };
    t.q += p.quantity;
    totals.set(k, t);
  }
  const rows = [...totals.values()];
  const statement = sql`
    UPDATE stock_levels s SET reserved = s.reserved + per.q, updated_at = now()
    FROM unnest(${rows.map((t) => t.product)}::text[], ${rows.map((t) => t.warehouse)}::text[], ${rows.map((t) => t.q)}::int[])
      AS per(product_code, warehouse_code, q)
    WHERE s.product_code = per.product_code AND s.warehouse_code = per.warehouse_code
      AND s.on_hand - s.reserved >= per.q AND ${when}
    RETURNING 1`;
  return { rows: rows.length, statement };
}

/**
 * The stock a page planned from moved before it could be reserved (another import took it, or
 * orders began to wait for the product). The page is written again, locking the stock first.
 */
export class StockMovedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockMovedError';
  }
}

/**
 * The last step of an optimistic page import, right before commit: the planned stock rows are
 * locked only now (so another import of the same products waits a moment, not for the whole page),
 * checked (still that much free, in an enabled warehouse, nobody else waiting) and raised by one
 * guarded statement. The reservation rows were written earlier (`insertPlannedReservations`).
 * Throws StockMovedError when the plan no longer holds: the caller rolls back and locks first.
 *
 * Under the lock there are two round trips only (the lock, then one statement for the waiting
 * check, the raise and `record`), then the commit: every round trip a busy worker process makes
 * while it holds the rows is time the other imports of these products wait. `record` (RETURNING id,
 * e.g. db/stock-push.ts stockActionsStatement) runs in that statement whatever the outcome: on a
 * StockMovedError the caller rolls it back with the rest. Returns its ids.
 */
export async function confirmPlannedStock(
  trx: Db,
  plan: readonly PlanStep[],
  newOrderIds: readonly number[],
  record: RawBuilder<{ id: number }> | null = null,
): Promise<number[]> {
  if (plan.length === 0) return record ? (await record.execute(trx)).rows.map((x) => x.id) : [];
  const products = [...new Set(plan.map((s) => s.productCode))];
  const rows = await lockStock(trx, products);
  const need = new Map<string, number>();
  for (const s of plan) {
    const key = `${s.productCode} ${s.warehouse}`;
    need.set(key, (need.get(key) ?? 0) + s.quantity);
  }
  for (const row of rows) {
    const n = need.get(`${row.productCode} ${row.warehouse}`) ?? 0;
    if (n > row.free || (n > 0 && !row.enabled))
      throw new StockMovedError(`${row.productCode} @ ${row.warehouse}: planned ${n}, free ${row.free}`);
  }
  // One snapshot, taken once the rows are locked: the waiting check sees every commit the lock
  // waited for, as a statement of its own after the lock did; the raise happens only if none waits.
  const raise = raiseReservedQuery(plan, sql`NOT EXISTS (SELECT 1 FROM waiting)`);
  const r = await sql<{ waiting: string[] | null; raised: number; ids: number[] | null }>`
    WITH waiting AS (${waitingProductsQuery(products, newOrderIds)}),
    upd AS (${raise.statement}),
    rec AS (${record ?? sql`SELECT NULL::bigint AS id WHERE false`})
    SELECT (SELECT array_agg(product_code ORDER BY product_code) FROM waiting) AS waiting,
           (SELECT count(*)::int FROM upd) AS raised,
           (SELECT array_agg(id ORDER BY id) FROM rec) AS ids`.execute(trx);
  const out = r.rows[0]!;
  if (out.waiting?.length) throw new StockMovedError(`orders began to wait for ${out.waiting.join(', ')}`);
  if (out.raised !== raise.rows) throw new StockMovedError('stock changed under a page import');
  return (out.ids ?? []).map(Number);
}

/** The pessimistic twin: rows locked before planning, so the whole plan must go through. */
export async function reserveLockedPlan(trx: Db, plan: readonly PlanStep[]): Promise<void> {
  const want = plan.reduce((n, s) => n + s.quantity, 0);
  const got = await reservePlan(trx, plan);
  // Cannot happen while the stock rows are locked; if it does, nothing of this page stands.
  if (got !== want)
    throw new Error(`stock changed under a locked page import (planned ${want}, reserved ${got})`);
}

export interface PlanStep {
  orderLineId: number;
  orderId: number;
  productCode: string;
  warehouse: string;
  quantity: number;
}

/** Lines of this product short of stock in orders that may hold it, oldest order first. */
async function shortLinesOf(trx: Db, productCode: string) {
  // shortfall in whole units of the product: sets, for a set's line (its waiting_units are components')
  const r = await sql<{ line_id: number; order_id: number; store_id: number; shortfall: number }>`
    SELECT l.id AS line_id, o.id AS order_id, o.store_id, (l.waiting_units / l.component_units)::int AS shortfall
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    JOIN stores st ON st.id = o.store_id
    JOIN statuses s ON s.code = o.status_code
    -- the predicate of order_lines_short_idx: only the lines still waiting are visited
    WHERE l.product_code = ${productCode} AND l.product_code IS NOT NULL AND l.open AND l.waiting_units > 0
      AND o.shipping_instructed_at IS NULL
      AND ${holdingOrder()}
    ORDER BY o.ordered_at, o.order_seq, l.line_no`.execute(trx);
  return r.rows;
}

/**
 * Serves a product's waiting lines, oldest order first (ordered_at, then 受注No), until its free stock
 * runs out. Custom statuses of the review and fulfillment groups hold stock like their system peers.
 *
 * Locks: the orders about to be served (share, in id order), then the stock rows, as everywhere
 * else. The share lock keeps an order from being cancelled, shipped or rewritten while it is served;
 * without it a cancel committing between our read and our insert would leave stock held by a
 * cancelled order. Orders found only once the stock rows are locked (more stock than the first read
 * said, or an older order's stock was just released) are locked without waiting — we hold stock rows
 * now, and waiting could deadlock; if one is busy the run starts again rather than serve a younger
 * order before it.
 */
export async function allocateProduct(
  db: Db,
  productCode: string,
  components?: readonly SetComponent[] | null,
): Promise<AllocationResult> {
  // A set (セット商品) is served like a product whose stock is its components, whole sets at a time.
  const parts =
    components === undefined
      ? ((await componentsOf(db, [productCode])).get(productCode) ?? null)
      : components;
  // The one db/ function that opens transactions itself: its retry loop (a busy order makes the
  // attempt start again in a new transaction) is its point.
  for (let attempt = 1; ; attempt++) {
    const result = await withTransaction(db, (trx) => allocateProductOnce(trx, productCode, parts));
    if (result) return result;
    if (attempt >= 50) throw new Error(`allocation of ${productCode}: its waiting orders stayed locked`);
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
  }
}

/** The orders (ids ascending) of the oldest lines that together need at least `units`. */
function ordersCovering(
  lines: ReadonlyArray<{ order_id: number; shortfall: number }>,
  units: number,
): number[] {
  const ids = new Set<number>();
  let covered = 0;
  for (const l of lines) {
    if (covered >= units) break;
    ids.add(l.order_id);
    covered += l.shortfall;
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * One allocation attempt; null when an order to serve was busy (nothing was written). A plain product
 * is a "set" of one component (itself × 1), so one path serves both: each line takes whole units,
 * every component of a unit or none, in ONE guarded statement (reserveSteps).
 */
async function allocateProductOnce(
  trx: Db,
  productCode: string,
  setComponents: readonly SetComponent[] | null,
): Promise<AllocationResult | null> {
  const result: AllocationResult = { productCode, reserved: 0, orderIds: [] };
  const components: readonly SetComponent[] = setComponents?.length
    ? setComponents
    : [{ productCode, quantity: 1 }];
  const codes = components.map((c) => c.productCode);
  // Cheap exit without locks: whoever frees or adds stock after this read re-allocates after commit.
  const hint = await sql<{ product_code: string; free: number }>`
    SELECT s.product_code, COALESCE(SUM(GREATEST(s.on_hand - s.reserved, 0)), 0)::int AS free
    FROM stock_levels s JOIN warehouses w ON w.code = s.warehouse_code
    WHERE s.product_code = ANY(${codes}::text[]) AND w.enabled GROUP BY 1`.execute(trx);
  const hinted = new Map(hint.rows.map((r) => [r.product_code, r.free]));
  const hintFree = freeSets(components, (p) => hinted.get(p) ?? 0);
  if (hintFree === 0) return result;
  const candidates = await shortLinesOf(trx, productCode);
  if (candidates.length === 0) return result;
  const locked = new Set<number>();
  const lockOrders = async (ids: number[], wait: boolean): Promise<boolean> => {
    const skip = wait ? sql`` : sql`SKIP LOCKED`;
    const rows = await sql<{ id: number }>`
      SELECT id FROM orders WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR SHARE ${skip}`.execute(trx);
    for (const r of rows.rows) locked.add(r.id);
    return rows.rows.length === ids.length;
  };
  await lockOrders(ordersCovering(candidates, hintFree), true);
  const stock = (await lockStock(trx, codes)).filter((s) => s.enabled);
  // Each order takes only from the warehouses its store ships from (db/warehouses.ts); a line that
  // can reach no free stock is not a candidate (it must not stop the lines behind it).
  const shipsFrom = await storeWarehouseMap(trx);
  const usable = (storeId: number) => {
    const rows = usableStock(stock, shipsFrom.get(storeId));
    return (p: string) => rows.filter((r) => r.productCode === p);
  };
  const freeFor = (rowsOf: (p: string) => StockRow[]) =>
    freeSets(components, (p) => rowsOf(p).reduce((n, r) => n + Math.max(0, r.free), 0));
  let free = freeFor((p) => stock.filter((r) => r.productCode === p));
  if (free === 0) return result;
  const servable = <L extends { store_id: number }>(ls: L[]) =>
    ls.filter((l) => freeFor(usable(l.store_id)) > 0);
  // Read again under the locks: this statement's snapshot sees every commit that released or took
  // stock or changed a locked order.
  let lines = servable(await shortLinesOf(trx, productCode));
  for (;;) {
    const missing = ordersCovering(lines, free).filter((id) => !locked.has(id));
    if (missing.length === 0) break;
    if (!(await lockOrders(missing, false))) return null;
    lines = servable(await shortLinesOf(trx, productCode));
  }
  const touched = new Set<number>();
  for (const l of lines) {
    if (free === 0 || !locked.has(l.order_id)) break;
    const plan = planSetReservation(l.shortfall, components, usable(l.store_id));
    if (plan.sets === 0) continue;
    const got = await reserveSteps(trx, { orderLineId: l.line_id, orderId: l.order_id }, plan.steps);
    if (got === 0) continue; // cannot happen while the rows are locked; kept honest anyway
    for (const step of plan.steps)
      stock.find((s) => s.productCode === step.productCode && s.warehouse === step.warehouse)!.free -=
        step.quantity;
    free = freeFor((p) => stock.filter((r) => r.productCode === p));
    result.reserved += got;
    touched.add(l.order_id);
  }
  result.orderIds = [...touched];
  return result;
}

/**
 * Reserves a line's steps (a set's components, or one product across warehouses) in ONE statement,
 * all or nothing: every stock row must have its step free, else nothing is written. The caller holds
 * the stock rows' locks. Returns the units reserved (0 when refused).
 */
export async function reserveSteps(
  trx: Db,
  line: { orderLineId: number; orderId: number },
  steps: ReadonlyArray<{ productCode: string; warehouse: string; quantity: number }>,
): Promise<number> {
  if (steps.length === 0) return 0;
  const want = steps.reduce((n, s) => n + s.quantity, 0);
  const r = await sql<{ units: number }>`
    WITH plan AS (
      SELECT * FROM unnest(${steps.map((s) => s.productCode)}::text[], ${steps.map((s) => s.warehouse)}::text[],
                           ${steps.map((s) => s.quantity)}::int[]) AS p(product_code, warehouse_code, quantity)
    ), ok AS (
      SELECT count(s.product_code) = (SELECT count(*) FROM plan)
             AND COALESCE(bool_and(s.on_hand - s.reserved >= p.quantity), false) AS all_free
      FROM plan p LEFT JOIN stock_levels s USING (product_code, warehouse_code)
    ), taken AS (
      UPDATE stock_levels s SET reserved = s.reserved + p.quantity, updated_at = now()
      FROM plan p, ok
      WHERE ok.all_free AND s.product_code = p.product_code AND s.warehouse_code = p.warehouse_code
        AND s.on_hand - s.reserved >= p.quantity
      RETURNING s.product_code, s.warehouse_code, p.quantity
    ), line AS (
      UPDATE order_lines SET reserved_quantity = reserved_quantity + (SELECT SUM(quantity) FROM taken)
      WHERE id = ${line.orderLineId} AND EXISTS (SELECT 1 FROM taken)
      RETURNING id
    ), ins AS (
      INSERT INTO reservations (order_line_id, order_id, product_code, warehouse_code, quantity)
      SELECT ${line.orderLineId}, ${line.orderId}, product_code, warehouse_code, quantity FROM taken
      ON CONFLICT (order_line_id, product_code, warehouse_code)
        DO UPDATE SET quantity = reservations.quantity + EXCLUDED.quantity
      RETURNING 1
    )
    SELECT COALESCE((SELECT SUM(quantity) FROM taken), 0)::int AS units`.execute(trx);
  const got = r.rows[0]?.units ?? 0;
  // All rows or none: a part would leave a set half held (rows are locked, so it cannot happen).
  if (got !== 0 && got !== want)
    throw new Error(`a line's stock changed under its lock (planned ${want}, took ${got})`);
  return got;
}

/**
 * Allocates these products, and the sets (セット商品) that use any of them as a component: stock of a
 * component that arrives or is freed may complete a waiting set. Each in code order, its own retry.
 */
export async function allocateProducts(db: Db, productCodes: Iterable<string>): Promise<AllocationResult[]> {
  const codes = [...new Set(productCodes)];
  const all = [...new Set([...codes, ...(await setsContaining(db, codes))])].sort();
  const sets = await componentsOf(db, all);
  const out: AllocationResult[] = [];
  for (const p of all) out.push(await allocateProduct(db, p, sets.get(p) ?? null));
  return out;
}

export interface ReleaseFilter {
  warehouse?: string;
  productCode?: string;
}

/**
 * Takes an order's reservations back (cancel, 受注在庫予約解除, a changed order). The caller holds the
 * order's row lock; this locks the stock rows first, then deletes and decrements in one statement.
 */
export async function releaseOrderStock(
  trx: Db,
  orderId: number,
  filter: ReleaseFilter = {},
): Promise<Array<{ productCode: string; warehouse: string; quantity: number }>> {
  // The rows to take back: those matching the filter and, for a set's line (セット商品), every row
  // of that line — a set is held whole or not at all. The caller holds the order's row lock, so no
  // reservation of the order appears or goes meanwhile.
  const picked = await sql<{ id: number; product_code: string }>`
    WITH hit AS (
      SELECT r.id, r.order_line_id, r.product_code <> l.product_code AS component
      FROM reservations r JOIN order_lines l ON l.id = r.order_line_id
      WHERE r.order_id = ${orderId}
        AND (${filter.warehouse ?? null}::text IS NULL OR r.warehouse_code = ${filter.warehouse ?? null})
        AND (${filter.productCode ?? null}::text IS NULL OR r.product_code = ${filter.productCode ?? null}
             OR l.product_code = ${filter.productCode ?? null})
    )
    SELECT r.id, r.product_code FROM reservations r
    WHERE r.id IN (SELECT id FROM hit)
       OR r.order_line_id IN (SELECT order_line_id FROM hit WHERE component)`.execute(trx);
  if (picked.rows.length === 0) return [];
  await lockStock(
    trx,
    picked.rows.map((p) => p.product_code),
  );
  const r = await sql<{ product_code: string; warehouse_code: string; quantity: number }>`
    WITH gone AS (
      DELETE FROM reservations
      WHERE order_id = ${orderId} AND id = ANY(${picked.rows.map((p) => p.id)}::bigint[])
      RETURNING order_line_id, product_code, warehouse_code, quantity
    ), per_stock AS (
      SELECT product_code, warehouse_code, SUM(quantity)::int AS quantity FROM gone GROUP BY 1, 2
    ), upd AS (
      UPDATE stock_levels s SET reserved = s.reserved - p.quantity, updated_at = now()
      FROM per_stock p WHERE s.product_code = p.product_code AND s.warehouse_code = p.warehouse_code
      RETURNING s.product_code
    ), lines AS (
      UPDATE order_lines l SET reserved_quantity = l.reserved_quantity - g.quantity
      FROM (SELECT order_line_id, SUM(quantity)::int AS quantity FROM gone GROUP BY 1) g
      WHERE l.id = g.order_line_id
      RETURNING l.id
    )
    SELECT product_code, warehouse_code, quantity FROM per_stock`.execute(trx);
  return r.rows.map((x) => ({
    productCode: x.product_code,
    warehouse: x.warehouse_code,
    quantity: x.quantity,
  }));
}

/**
 * Ship confirmation: the held stock leaves the warehouse — on hand and reserved both go down, the
 * reservation rows go, and each line records where its units came from.
 */
export async function consumeOrderStock(trx: Db, orderId: number): Promise<number> {
  const products = await trx
    .selectFrom('reservations')
    .select('product_code')
    .distinct()
    .where('order_id', '=', orderId)
    .execute();
  if (products.length === 0) return 0;
  await lockStock(
    trx,
    products.map((p) => p.product_code),
  );
  const r = await sql<{ units: number }>`
    WITH gone AS (
      DELETE FROM reservations WHERE order_id = ${orderId}
      RETURNING order_line_id, product_code, warehouse_code, quantity
    ), per_stock AS (
      SELECT product_code, warehouse_code, SUM(quantity)::int AS quantity FROM gone GROUP BY 1, 2
    ), upd AS (
      UPDATE stock_levels s SET on_hand = s.on_hand - p.quantity, reserved = s.reserved - p.quantity, updated_at = now()
      FROM per_stock p WHERE s.product_code = p.product_code AND s.warehouse_code = p.warehouse_code
      RETURNING s.product_code
    ), lines AS (
      UPDATE order_lines l SET shipped_from = g.shipped, reserved_quantity = 0, open = false
      FROM (SELECT order_line_id, jsonb_agg(jsonb_build_object('warehouse', warehouse_code, 'quantity', quantity)
                                            ORDER BY warehouse_code) AS shipped
            FROM gone GROUP BY order_line_id) g
      WHERE l.id = g.order_line_id
      RETURNING l.id
    )
    SELECT COALESCE(SUM(quantity), 0)::int AS units FROM gone`.execute(trx);
  return r.rows[0]?.units ?? 0;
}

/** 入荷: stock arrives. One guarded upsert; the caller then re-allocates the product. */
export async function receiveStock(
  trx: Db,
  productCode: string,
  warehouse: string,
  quantity: number,
): Promise<number> {
  if (!Number.isInteger(quantity) || quantity <= 0)
    throw new RuleRefusal(`入荷数は 1 以上の整数です（${quantity}）`, 'invalid_quantity');
  const r = await sql<{ on_hand: number }>`
    INSERT INTO stock_levels (product_code, warehouse_code, on_hand) VALUES (${productCode}, ${warehouse}, ${quantity})
    ON CONFLICT (product_code, warehouse_code) DO UPDATE SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()
    RETURNING on_hand`.execute(trx);
  return r.rows[0]!.on_hand;
}

/** A stock change met a row someone else is changing; retried by `withTransaction` like a serialization failure. */
export class StockBusyError extends Error {
  readonly code = '40001';
  constructor(message: string) {
    super(message);
    this.name = 'StockBusyError';
  }
}

/**
 * 棚卸し correction: set on hand to what was counted. If that is below what is reserved, the youngest
 * orders not yet handed to the warehouse give their reservations back first (oldest keep theirs).
 * A set's line (セット商品) holding the product as a component gives back its whole holding — every
 * component, every warehouse — never a part: a set is held whole or not at all, and the settle that
 * follows serves it again with whole sets from what is left. Returns the orders that lost stock and
 * every product whose stock was freed (the counted one and the components of those sets).
 */
export async function correctStock(
  trx: Db,
  productCode: string,
  warehouse: string,
  counted: number,
): Promise<{ onHand: number; releasedOrderIds: number[]; releasedProducts: string[] }> {
  if (!Number.isInteger(counted) || counted < 0)
    throw new RuleRefusal(`実在庫数は 0 以上の整数です（${counted}）`, 'invalid_quantity');
  await sql`INSERT INTO stock_levels (product_code, warehouse_code) VALUES (${productCode}, ${warehouse})
            ON CONFLICT DO NOTHING`.execute(trx);
  // The other components of the set lines holding this row: their stock rows are locked with this
  // product's, in one call (the fixed order), since giving such a line back changes them too.
  const partners = await setLinePartners(trx, productCode, warehouse);
  const locked = new Set([productCode, ...partners]);
  await lockStock(trx, [...locked]);
  const level = await trx
    .selectFrom('stock_levels')
    .select(['on_hand', 'reserved'])
    .where('product_code', '=', productCode)
    .where('warehouse_code', '=', warehouse)
    .executeTakeFirstOrThrow();
  const released: number[] = [];
  const freed = new Set<string>([productCode]);
  let excess = level.reserved - counted;
  if (excess > 0) {
    const victims = await sql<{
      id: number;
      order_id: number;
      line_id: number;
      quantity: number;
      set_line: boolean;
    }>`
      SELECT r.id, r.order_id, r.order_line_id AS line_id, r.quantity, l.product_code <> r.product_code AS set_line
      FROM reservations r JOIN orders o ON o.id = r.order_id JOIN order_lines l ON l.id = r.order_line_id
      WHERE r.product_code = ${productCode} AND r.warehouse_code = ${warehouse} AND o.shipping_instructed_at IS NULL
      ORDER BY o.ordered_at DESC, o.order_seq DESC`.execute(trx);
    for (const v of victims.rows) {
      if (excess <= 0) break;
      // The order may be being handed to the warehouse this very moment: take its row (share, and
      // without waiting — we hold stock rows) and look again. Busy: the whole correction is retried.
      const order = await sql<{ instructed: boolean }>`
        SELECT shipping_instructed_at IS NOT NULL AS instructed FROM orders WHERE id = ${v.order_id}
        FOR SHARE SKIP LOCKED`.execute(trx);
      if (!order.rows.length) throw new StockBusyError(`order ${v.order_id} is being changed`);
      if (order.rows[0]!.instructed) continue;
      if (v.set_line) {
        const back = await releaseSetLine(trx, v.line_id, locked);
        for (const b of back) freed.add(b.productCode);
        excess -= back.find((b) => b.productCode === productCode && b.warehouse === warehouse)?.quantity ?? 0;
        released.push(v.order_id);
        continue;
      }
      const give = Math.min(excess, v.quantity);
      // One statement: drop the reservation (all of it given back) or shrink it (part of it), and
      // the reserved count with it. Exactly one of the two row changes matches; a row cannot be
      // updated and then deleted in the same statement, and quantity 0 is not a reservation.
      await sql`
        WITH d AS (
          DELETE FROM reservations WHERE id = ${v.id} AND quantity = ${give} RETURNING id
        ), u AS (
          UPDATE reservations SET quantity = quantity - ${give} WHERE id = ${v.id} AND quantity > ${give} RETURNING id
        ), line AS (
          UPDATE order_lines l SET reserved_quantity = l.reserved_quantity - ${give}
          FROM reservations r WHERE r.id = ${v.id} AND l.id = r.order_line_id
            AND (EXISTS (SELECT 1 FROM d) OR EXISTS (SELECT 1 FROM u))
          RETURNING l.id
        )
        UPDATE stock_levels SET reserved = reserved - ${give}, updated_at = now()
        WHERE product_code = ${productCode} AND warehouse_code = ${warehouse}
          AND (EXISTS (SELECT 1 FROM d) OR EXISTS (SELECT 1 FROM u))`.execute(trx);
      excess -= give;
      released.push(v.order_id);
    }
    if (excess > 0)
      throw new RuleRefusal(
        `${productCode} @ ${warehouse} を ${counted} にできません: ${excess} 個は出荷指示済みの注文が引当てています`,
        'handed_to_warehouse',
      );
  }
  const r = await sql<{ on_hand: number }>`
    UPDATE stock_levels SET on_hand = ${counted}, updated_at = now()
    WHERE product_code = ${productCode} AND warehouse_code = ${warehouse} AND reserved <= ${counted}
    RETURNING on_hand`.execute(trx);
  if (!r.rows.length)
    throw new RuleRefusal(
      `${productCode} @ ${warehouse} の在庫が修正の途中で変わりました。もう一度お試しください`,
      'stock_changed',
    );
  return { onHand: counted, releasedOrderIds: [...new Set(released)], releasedProducts: [...freed].sort() };
}

/** The other products held by the set lines that hold this product in this warehouse. */
async function setLinePartners(trx: Db, productCode: string, warehouse: string): Promise<string[]> {
  const r = await sql<{ product_code: string }>`
    SELECT DISTINCT r2.product_code FROM reservations r
    JOIN order_lines l ON l.id = r.order_line_id AND l.product_code <> r.product_code
    JOIN reservations r2 ON r2.order_line_id = r.order_line_id
    WHERE r.product_code = ${productCode} AND r.warehouse_code = ${warehouse}
      AND r2.product_code <> ${productCode}`.execute(trx);
  return r.rows.map((x) => x.product_code);
}

/**
 * Gives a set line's whole holding back in one statement (every component row, every warehouse).
 * The caller holds the stock rows of `locked`; a line holding a product outside them (it gained a
 * reservation between the caller's look and its lock) makes the correction start again.
 */
async function releaseSetLine(
  trx: Db,
  lineId: number,
  locked: ReadonlySet<string>,
): Promise<Array<{ productCode: string; warehouse: string; quantity: number }>> {
  const held = await sql<{ product_code: string }>`
    SELECT DISTINCT product_code FROM reservations WHERE order_line_id = ${lineId}`.execute(trx);
  if (held.rows.some((h) => !locked.has(h.product_code)))
    throw new StockBusyError(`set line ${lineId} changed while its stock was being counted`);
  const r = await sql<{ product_code: string; warehouse_code: string; quantity: number }>`
    WITH gone AS (
      DELETE FROM reservations WHERE order_line_id = ${lineId}
      RETURNING product_code, warehouse_code, quantity
    ), per_stock AS (
      SELECT product_code, warehouse_code, SUM(quantity)::int AS quantity FROM gone GROUP BY 1, 2
    ), upd AS (
      UPDATE stock_levels s SET reserved = s.reserved - p.quantity, updated_at = now()
      FROM per_stock p WHERE s.product_code = p.product_code AND s.warehouse_code = p.warehouse_code
      RETURNING 1
    ), line AS (
      UPDATE order_lines SET reserved_quantity = reserved_quantity - (SELECT COALESCE(SUM(quantity), 0) FROM gone)
      WHERE id = ${lineId}
      RETURNING 1
    )
    SELECT product_code, warehouse_code, quantity FROM per_stock`.execute(trx);
  return r.rows.map((x) => ({
    productCode: x.product_code,
    warehouse: x.warehouse_code,
    quantity: x.quantity,
  }));
}

/** Order lines whose reserved_quantity is not the sum of their reservations (should be none). */
export async function lineReservationMismatches(
  db: Db,
): Promise<Array<{ id: number; reserved_quantity: number; sum: number }>> {
  const r = await sql<{ id: number; reserved_quantity: number; sum: number }>`
    SELECT l.id, l.reserved_quantity, COALESCE(SUM(r.quantity), 0)::int AS sum
    FROM order_lines l LEFT JOIN reservations r ON r.order_line_id = l.id
    GROUP BY l.id, l.reserved_quantity HAVING l.reserved_quantity <> COALESCE(SUM(r.quantity), 0)`.execute(
    db,
  );
  return r.rows;
}

/** Σ reservations per stock row vs stock_levels.reserved: every row that disagrees (should be none). */
export async function reservationMismatches(
  db: Db,
): Promise<Array<{ product_code: string; warehouse_code: string; reserved: number; sum: number }>> {
  const r = await sql<{ product_code: string; warehouse_code: string; reserved: number; sum: number }>`
    SELECT s.product_code, s.warehouse_code, s.reserved, COALESCE(SUM(r.quantity), 0)::int AS sum
    FROM stock_levels s LEFT JOIN reservations r USING (product_code, warehouse_code)
    GROUP BY 1, 2, 3 HAVING s.reserved <> COALESCE(SUM(r.quantity), 0)`.execute(db);
  return r.rows;
}
