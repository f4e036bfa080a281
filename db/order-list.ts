// Order read models: EC受注一覧 (filters, sort, keyset paging), the tab counts, 受注詳細 with its
// history, and finding an order by 受注No or by store + cart order number. The dashboard, the CLI,
// uploads/ and bench/ all read orders through here. Rows come back as the screens' JSON (times in
// JST), like loadOrders.
import { type Expression, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { autoCancelRisk, cartRelease } from '../domain/cart-release.js';
import { formatOrderNo } from '../domain/order.js';
import { STATUS_GROUPS, type StatusCatalogue } from '../domain/statuses.js';
import { isCalendarDate, toJstIso } from '../domain/time.js';
import type { Db } from './db.js';
import { type LoadedOrder, loadOrders } from './orders.js';
import { decodeSortCursor, encodeSortCursor, fetchPage } from './paging.js';

const GROUPS = ['review', 'payment', 'fulfillment', 'cancellation'] as const;
/** `YYYY-MM-DD`, and a day the calendar has (`9999-99-99` and `2026-02-30` are refused, not passed on). */
export const plainDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD で入力してください')
  .refine((d) => isCalendarDate(d), 'ありえない日付です');

const SORTS = {
  orderedAt: { expr: sql`o.ordered_at`, cast: 'timestamptz' },
  orderNo: { expr: sql`o.order_seq`, cast: 'bigint' },
  total: { expr: sql`COALESCE(o.grand_total, 0)`, cast: 'bigint' },
  cartOrderNo: { expr: sql`o.cart_order_no`, cast: 'text' },
} as const;

export const listQuerySchema = z.object({
  group: z.enum(GROUPS).optional(),
  status: z.string().max(64).optional(),
  store: z.string().max(64).optional(),
  orderNo: z
    .string()
    .regex(/^\d{1,12}$/, '受注No は数字です')
    .optional(),
  cartOrderNo: z.string().max(100).optional(),
  orderedFrom: plainDate.optional(),
  orderedTo: plainDate.optional(),
  shipFrom: plainDate.optional(),
  shipTo: plainDate.optional(),
  warehouse: z.string().max(64).optional(),
  product: z.string().max(100).optional(),
  attention: z.enum(['1']).optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...Array<keyof typeof SORTS>]).default('orderedAt'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  /** Keyset cursor: the last row of the previous page (`next` of that page). */
  after: z.string().max(200).optional(),
  size: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListQuery = z.output<typeof listQuerySchema>;

const jstStart = (d: string) => new Date(`${d}T00:00:00+09:00`);
const nextDay = (d: string) => new Date(jstStart(d).getTime() + 86_400_000);

export interface OrderListRow {
  id: number;
  orderNo: string;
  cartOrderNo: string;
  store: string;
  storeName: string;
  cart: string;
  status: { code: string; label: string; group: string; reason: string | null };
  orderer: string | null;
  shipTo: string | null;
  shipToPrefecture: string | null;
  packages: number;
  orderedAt: string;
  shipDate: string | null;
  total: number | null;
  currency: string;
  needsAttention: boolean;
  /** The cart's own status as last imported. */
  cartStatus: string;
  /** Why the cart does not let it ship yet (Rakuten 100/200): the list's badge; null when it may. */
  cartHold: { label: string; reason: string } | null;
  /** Close to the cart's auto-cancel of an unconfirmed order (Rakuten: 14 days in 100). */
  autoCancel: { label: string; deadline: string } | null;
}

/**
 * One page of the list, newest first by default. Keyset paging on (sort key, id) follows the indexes
 * orders(status_code | store_id | —, ordered_at DESC, id DESC); one extra row says whether a next
 * page exists, so nothing counts every order.
 */
export async function listOrders(
  db: Db,
  statuses: StatusCatalogue,
  q: ListQuery,
  now: Date = new Date(),
): Promise<{ rows: OrderListRow[]; next: string | null }> {
  const sort = SORTS[q.sort];
  const dir = q.dir === 'asc' ? sql`ASC` : sql`DESC`;
  const after = decodeSortCursor(q.after);
  const where: Expression<SqlBool>[] = [];
  if (q.status) where.push(sql<SqlBool>`o.status_code = ${q.status}`);
  else if (q.group) {
    const codes = statuses.inGroup(q.group).map((s) => s.code);
    where.push(sql<SqlBool>`o.status_code = ANY(${codes}::text[])`);
  }
  if (q.store) {
    const s = await db.selectFrom('stores').select('id').where('code', '=', q.store).executeTakeFirst();
    where.push(sql<SqlBool>`o.store_id = ${s?.id ?? -1}`);
  }
  if (q.orderNo) where.push(sql<SqlBool>`o.order_seq = ${Number(q.orderNo)}`);
  // Prefix match through orders_cart_order_no_idx (text_pattern_ops); LIKE wildcards are escaped.
  // The matches become the base the other filters and the sort apply to (OFFSET 0 keeps the planner
  // from folding it back in): otherwise it may walk the ordered_at index newest-first hoping to meet
  // them soon, and read nearly all of it when every match is an old order.
  const base = q.cartOrderNo
    ? sql`(SELECT * FROM orders WHERE cart_order_no LIKE ${`${q.cartOrderNo.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} OFFSET 0)`
    : sql`orders`;
  if (q.orderedFrom) where.push(sql<SqlBool>`o.ordered_at >= ${jstStart(q.orderedFrom)}`);
  if (q.orderedTo) where.push(sql<SqlBool>`o.ordered_at < ${nextDay(q.orderedTo)}`);
  if (q.shipFrom) where.push(sql<SqlBool>`o.ship_date >= ${q.shipFrom}::date`);
  if (q.shipTo) where.push(sql<SqlBool>`o.ship_date <= ${q.shipTo}::date`);
  if (q.warehouse)
    where.push(sql<SqlBool>`(EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = o.id AND r.warehouse_code = ${q.warehouse})
      OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.shipped_from @> ${JSON.stringify([{ warehouse: q.warehouse }])}::jsonb))`);
  if (q.product)
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND (l.product_code = ${q.product} OR l.cart_product_code = ${q.product}))`,
    );
  if (q.attention) where.push(sql<SqlBool>`o.needs_attention`);
  if (after) {
    const [v, id] = after;
    const value = sql`${v}::${sql.raw(sort.cast)}`;
    where.push(
      q.dir === 'asc'
        ? sql<SqlBool>`(${sort.expr}, o.id) > (${value}, ${id})`
        : sql<SqlBool>`(${sort.expr}, o.id) < (${value}, ${id})`,
    );
  }
  const whereSql = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const page = await fetchPage(
    q.size,
    async (limit) =>
      (
        await sql<{
          id: number;
          order_seq: number;
          cart_order_no: string;
          status_code: string;
          status_reason: string | null;
          ordered_at: Date;
          ship_date: string | null;
          grand_total: number | null;
          currency: string;
          needs_attention: boolean;
          cart_status: string;
          allocation_held_at: Date | null;
          allocation_hold_reason: string | null;
          store_code: string;
          store_name: string;
          cart: string;
          orderer: string | null;
          ship_to: string | null;
          ship_to_prefecture: string | null;
          packages: number;
          sort_value: string | number;
        }>`
    SELECT o.id, o.order_seq, o.cart_order_no, o.status_code, o.status_reason, o.ordered_at, o.ship_date,
           o.grand_total, o.currency, o.needs_attention, o.cart_status,
           o.allocation_held_at, o.allocation_hold_reason, s.code AS store_code, s.name AS store_name, s.cart,
           (SELECT p.name FROM order_parties p WHERE p.order_id = o.id AND p.role = 'orderer' LIMIT 1) AS orderer,
           st.name AS ship_to, st.prefecture AS ship_to_prefecture,
           (SELECT count(*)::int FROM order_parties p WHERE p.order_id = o.id AND p.role = 'ship_to') AS packages,
           (${sort.expr})::text AS sort_value
    FROM ${base} o
    JOIN stores s ON s.id = o.store_id
    LEFT JOIN LATERAL (SELECT p.name, p.prefecture FROM order_parties p
                       WHERE p.order_id = o.id AND p.role = 'ship_to' ORDER BY p.package_no LIMIT 1) st ON true
    ${whereSql}
    ORDER BY ${sort.expr} ${dir}, o.id ${dir}
    LIMIT ${limit}`.execute(db)
      ).rows,
    (last) => encodeSortCursor([last.sort_value, last.id]),
  );
  return {
    rows: page.items.map((o) => ({
      id: o.id,
      orderNo: formatOrderNo(o.order_seq),
      cartOrderNo: o.cart_order_no,
      store: o.store_code,
      storeName: o.store_name,
      cart: o.cart,
      status: {
        code: o.status_code,
        label: statuses.label(o.status_code),
        group: statuses.has(o.status_code) ? statuses.groupOf(o.status_code) : '',
        reason: o.status_reason,
      },
      orderer: o.orderer,
      shipTo: o.ship_to,
      shipToPrefecture: o.ship_to_prefecture,
      packages: o.packages,
      orderedAt: toJstIso(o.ordered_at),
      shipDate: o.ship_date,
      total: o.grand_total,
      currency: o.currency.trim(),
      needsAttention: o.needs_attention,
      /** 引当保留 and why (受注在庫予約解除 until an operator re-allocates). */
      allocationHold: o.allocation_held_at ? { reason: o.allocation_hold_reason } : null,
      ...cartFlags(o.cart, o.cart_status, o.ordered_at, now),
    })),
    next: page.next,
  };
}

/** The cart's status on the list: whether it may ship, and how close it is to the cart's auto-cancel. */
function cartFlags(cart: string, cartStatus: string, orderedAt: Date, now: Date) {
  const release = cartRelease(cart, cartStatus);
  const risk = autoCancelRisk(cart, cartStatus, orderedAt, now);
  return {
    cartStatus,
    cartHold: release.released ? null : { label: release.label, reason: release.reason },
    autoCancel: risk ? { label: risk.label, deadline: toJstIso(risk.deadline) } : null,
  };
}

/** Tab counts from order_status_totals (kept by triggers, no scan of orders): per Status 1 and per Status 2. */
export async function statusCounts(db: Db, statuses: StatusCatalogue, storeCode?: string) {
  const r = await sql<{ status_code: string; n: number }>`
    SELECT c.status_code, SUM(c.n)::bigint AS n FROM order_status_totals c
    ${storeCode ? sql`JOIN stores s ON s.id = c.store_id WHERE s.code = ${storeCode}` : sql``}
    GROUP BY c.status_code`.execute(db);
  const counts = new Map(r.rows.map((x) => [x.status_code, Number(x.n)]));
  return STATUS_GROUPS.map((g) => {
    const list = statuses.inGroup(g.group).map((s) => ({
      code: s.code,
      label: s.label,
      system: s.system,
      n: counts.get(s.code) ?? 0,
    }));
    return { group: g.group, label: g.label, total: list.reduce((n, s) => n + s.n, 0), statuses: list };
  });
}

export interface OrderEventView {
  id: number;
  at: string;
  actor: string;
  action: string;
  from: { code: string; label: string } | null;
  to: { code: string; label: string } | null;
  reason: string | null;
  details: unknown;
}

export interface OrderDetail {
  order: LoadedOrder;
  storeName: string;
  statusChangedAt: string;
  rawPayload: unknown;
  pendingPayload: unknown;
  events: OrderEventView[];
}

/** 受注詳細: the order, what the cart sent (and a change waiting for a human), and its history. */
export async function orderDetail(
  db: Db,
  id: number,
  statuses: StatusCatalogue,
): Promise<OrderDetail | null> {
  const [order] = await loadOrders(db, [id], statuses);
  if (!order) return null;
  const row = await db
    .selectFrom('orders as o')
    .innerJoin('stores as s', 's.id', 'o.store_id')
    .select(['o.raw_payload', 'o.pending_payload', 's.name as store_name', 'o.status_changed_at'])
    .where('o.id', '=', id)
    .executeTakeFirst();
  if (!row) return null; // deleted between the two reads
  const events = await db
    .selectFrom('order_events')
    .select(['id', 'at', 'actor', 'action', 'from_status', 'to_status', 'reason', 'details'])
    .where('order_id', '=', id)
    .orderBy('id')
    .execute();
  const status = (code: string | null) => (code ? { code, label: statuses.label(code) } : null);
  return {
    order,
    storeName: row.store_name,
    statusChangedAt: toJstIso(row.status_changed_at),
    rawPayload: row.raw_payload,
    pendingPayload: row.pending_payload,
    events: events.map((e) => ({
      id: e.id,
      at: toJstIso(e.at),
      actor: e.actor,
      action: e.action,
      from: status(e.from_status),
      to: status(e.to_status),
      reason: e.reason,
      details: e.details,
    })),
  };
}

/** How an order is named by a person: its 受注No, or the store and the cart's order number. */
export type OrderRef = { orderNo: number } | { store: string; cartOrderNo: string };

export async function findOrderId(db: Db, ref: OrderRef): Promise<number | null> {
  const r =
    'orderNo' in ref
      ? await db.selectFrom('orders').select('id').where('order_seq', '=', ref.orderNo).executeTakeFirst()
      : await db
          .selectFrom('orders as o')
          .innerJoin('stores as s', 's.id', 'o.store_id')
          .select('o.id')
          .where('s.code', '=', ref.store)
          .where('o.cart_order_no', '=', ref.cartOrderNo)
          .executeTakeFirst();
  return r?.id ?? null;
}

export interface OrderState {
  id: number;
  orderNo: string;
  status: string;
  shippingInstructed: boolean;
}

/** The status of some orders (those that still exist), for saying why an action left them alone. */
export async function orderStates(db: Db, ids: readonly number[]): Promise<Map<number, OrderState>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('orders')
    .select(['id', 'order_seq', 'status_code', 'shipping_instructed_at'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        orderNo: formatOrderNo(r.order_seq),
        status: r.status_code,
        shippingInstructed: r.shipping_instructed_at !== null,
      },
    ]),
  );
}
