// The order desk's JSON API: EC受注一覧 (tabs, filters, keyset paging), 受注詳細, bulk status change
// (including 自動確認) and reservation release. Every move goes through db/order-actions.ts.
import { type Expression, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import {
  bulkChangeStatus,
  type ChangeResult,
  changeStatus,
  confirmShipment,
  deleteOrder,
  findOrdersHoldingStock,
  recordPayment,
  releaseReservations,
  updateOrderNotes,
} from '../db/order-actions.js';
import { loadOrders } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { formatOrderNo } from '../domain/order.js';
import { AUTO_CONFIRM, STATUS_GROUPS, type StatusCatalogue } from '../domain/statuses.js';
import { toJstIso } from '../domain/time.js';
import { actorOf } from './auth.js';
import { attempt, badRequest, idParam, notFound, parse, queryOf, type RouteTable } from './http.js';

const GROUPS = ['review', 'payment', 'fulfillment', 'cancellation'] as const;
const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD で入力してください');

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
  /** Keyset cursor: the last row of the previous page. */
  after: z.string().max(200).optional(),
  size: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListQuery = z.output<typeof listQuerySchema>;

const jstStart = (d: string) => new Date(`${d}T00:00:00+09:00`);
const nextDay = (d: string) => new Date(jstStart(d).getTime() + 86_400_000);

function encodeCursor(value: unknown, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(c: string): [string | number, number] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      (typeof v[0] === 'string' || typeof v[0] === 'number') &&
      Number.isInteger(v[1])
    )
      return [v[0], v[1] as number];
  } catch {
    // fall through
  }
  throw badRequest('after: ページ位置が読めません');
}

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
): Promise<{ rows: OrderListRow[]; next: string | null }> {
  const sort = SORTS[q.sort];
  const dir = q.dir === 'asc' ? sql`ASC` : sql`DESC`;
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
  if (q.after) {
    const [v, id] = decodeCursor(q.after);
    const value = sql`${v}::${sql.raw(sort.cast)}`;
    where.push(
      q.dir === 'asc'
        ? sql<SqlBool>`(${sort.expr}, o.id) > (${value}, ${id})`
        : sql<SqlBool>`(${sort.expr}, o.id) < (${value}, ${id})`,
    );
  }
  const whereSql = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const r = await sql<{
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
           o.grand_total, o.currency, o.needs_attention, s.code AS store_code, s.name AS store_name, s.cart,
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
    LIMIT ${q.size + 1}`.execute(db);
  const rows = r.rows.slice(0, q.size);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((o) => ({
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
    })),
    next: r.rows.length > q.size && last ? encodeCursor(last.sort_value, last.id) : null,
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

const idsSchema = z.array(z.number().int().positive()).min(1, '注文を選んでください').max(500);

function checkTarget(statuses: StatusCatalogue, target: string): void {
  if (target !== AUTO_CONFIRM && !statuses.has(target))
    throw badRequest(`ステータス "${target}" はありません`);
}

/** 受注在庫予約解除 on chosen orders: a result per chosen order, also for those that held nothing. */
export async function releaseChosen(
  db: Db,
  ids: readonly number[],
  actor: string,
  reason: string,
  filter: { warehouse?: string; productCode?: string } = {},
): Promise<ChangeResult[]> {
  const results = await releaseReservations(db, { orderIds: ids, ...filter }, actor, reason);
  const seen = new Set(results.map((r) => r.orderId));
  const rest = ids.filter((id) => !seen.has(id));
  if (rest.length) {
    const rows = await db
      .selectFrom('orders')
      .select(['id', 'order_seq', 'status_code', 'shipping_instructed_at'])
      .where('id', 'in', rest)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of rest) {
      const r = byId.get(id);
      results.push({
        orderId: id,
        orderNo: r ? formatOrderNo(r.order_seq) : '-',
        ok: false,
        from: r?.status_code ?? '-',
        to: null,
        message: !r
          ? `order ${id} does not exist`
          : r.shipping_instructed_at
            ? '出荷指示済みの注文の引当は解除できません'
            : '解除する引当がありません',
      });
    }
  }
  return results;
}

export function registerOrderRoutes(routes: RouteTable, db: Db): void {
  routes.add('get', '/api/statuses', 'viewer', async () => {
    const statuses = await loadStatuses(db);
    return {
      groups: STATUS_GROUPS,
      statuses: statuses.all,
      autoConfirm: { code: AUTO_CONFIRM, label: '自動確認' },
    };
  });

  routes.add('get', '/api/orders/counts', 'viewer', async (req) => {
    const { store } = queryOf(req);
    return { groups: await statusCounts(db, await loadStatuses(db), store) };
  });

  routes.add('get', '/api/orders', 'viewer', async (req) => {
    const q = parse(listQuerySchema, queryOf(req));
    return listOrders(db, await loadStatuses(db), q);
  });

  routes.add('get', '/api/orders/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const statuses = await loadStatuses(db);
    const [order] = await loadOrders(db, [id], statuses);
    if (!order) throw notFound(`注文 ${id} はありません（削除された可能性があります）`);
    const row = await db
      .selectFrom('orders as o')
      .innerJoin('stores as s', 's.id', 'o.store_id')
      .select(['o.raw_payload', 'o.pending_payload', 's.name as store_name', 's.cart', 'o.status_changed_at'])
      .where('o.id', '=', id)
      .executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('order_events')
      .select(['id', 'at', 'actor', 'action', 'from_status', 'to_status', 'reason', 'details'])
      .where('order_id', '=', id)
      .orderBy('id')
      .execute();
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
        from: e.from_status ? { code: e.from_status, label: statuses.label(e.from_status) } : null,
        to: e.to_status ? { code: e.to_status, label: statuses.label(e.to_status) } : null,
        reason: e.reason,
        details: e.details,
      })),
    };
  });

  routes.add('post', '/api/orders/bulk-status', 'operator', async (req, res) => {
    const b = parse(
      z.object({ ids: idsSchema, target: z.string().min(1), reason: z.string().max(500).optional() }),
      req.body,
    );
    checkTarget(await loadStatuses(db), b.target);
    return { results: await bulkChangeStatus(db, b.ids, b.target, actorOf(res), { reason: b.reason }) };
  });

  routes.add('post', '/api/orders/release', 'operator', async (req, res) => {
    const b = parse(
      z.object({
        ids: idsSchema,
        reason: z.string().trim().min(1, '解除の理由を入力してください').max(500),
        warehouse: z.string().max(64).optional(),
        product: z.string().max(100).optional(),
      }),
      req.body,
    );
    return {
      results: await releaseChosen(db, b.ids, actorOf(res), b.reason, {
        warehouse: b.warehouse || undefined,
        productCode: b.product || undefined,
      }),
    };
  });

  routes.add('get', '/api/release/search', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        orderNo: z
          .string()
          .regex(/^\d{1,12}$/, '受注No は数字です')
          .optional(),
        status: z.string().max(64).optional(),
        warehouse: z.string().max(64).optional(),
        product: z.string().max(100).optional(),
      }),
      queryOf(req),
    );
    const ids = await findOrdersHoldingStock(db, {
      storeCodes: q.store ? [q.store] : undefined,
      orderNos: q.orderNo ? [q.orderNo] : undefined,
      statuses: q.status ? [q.status] : undefined,
      warehouse: q.warehouse,
      productCode: q.product,
    });
    const shown = ids.slice(0, 200);
    const orders = await loadOrders(db, shown, await loadStatuses(db));
    return {
      total: ids.length,
      orders: orders.map((o) => ({
        id: o.id,
        orderNo: o.orderNo,
        cartOrderNo: o.cartOrderNo,
        store: o.store,
        orderedAt: o.orderedAt,
        status: o.status,
        orderer: o.orderer.name,
        // Only the holds a release with this search would take back (warehouse / product narrow it).
        lines: o.lines
          .filter((l) => l.reservation.state !== 'shipped' && (!q.product || l.productCode === q.product))
          .map((l) => ({
            productCode: l.productCode,
            name: l.name,
            quantity: l.quantity,
            state: l.reservation.state,
            warehouses: l.reservation.warehouses.filter((w) => !q.warehouse || w.warehouse === q.warehouse),
          }))
          .filter((l) => l.warehouses.length > 0),
      })),
    };
  });

  routes.add('post', '/api/orders/:id/status', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({ target: z.string().min(1), reason: z.string().max(500).optional() }),
      req.body,
    );
    checkTarget(await loadStatuses(db), b.target);
    return { result: await changeStatus(db, id, b.target, actorOf(res), { reason: b.reason || undefined }) };
  });

  routes.add('patch', '/api/orders/:id/notes', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({
        internalComment: z.string().max(4000).nullable().optional(),
        commentChecked: z.boolean().optional(),
        productChecked: z.boolean().optional(),
        shipDate: plainDate.nullable().optional(),
      }),
      req.body,
    );
    await attempt(() => updateOrderNotes(db, id, b, actorOf(res)));
    return { ok: true };
  });

  routes.add('post', '/api/orders/:id/payment', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(z.object({ paidAt: z.iso.datetime({ offset: true }).optional() }), req.body ?? {});
    return { result: await recordPayment(db, id, b.paidAt ? new Date(b.paidAt) : new Date(), actorOf(res)) };
  });

  routes.add('post', '/api/orders/:id/ship', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({ trackingNumber: z.string().max(100).optional(), carrier: z.string().max(100).optional() }),
      req.body ?? {},
    );
    return {
      result: await confirmShipment(
        db,
        id,
        { trackingNumber: b.trackingNumber || null, carrier: b.carrier || null },
        actorOf(res),
      ),
    };
  });

  routes.add('delete', '/api/orders/:id', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    return { result: await deleteOrder(db, id, actorOf(res)) };
  });
}
