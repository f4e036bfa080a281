// 受注在庫予約解除: find the orders holding stock (by store, 受注No, status, warehouse, product) and
// release what they hold, with a reason kept in each order's history; a result per chosen order.
// A released order is on 引当保留 until an operator re-allocates it (再引当, below).
import { z } from 'zod';
import { orderStates } from '../../db/order-list.js';
import { findOrdersHoldingStock } from '../../db/order-selection.js';
import { loadOrders } from '../../db/orders.js';
import { loadStatuses } from '../../db/statuses.js';
import { reallocateOrder } from '../../usecases/reallocate-order.js';
import { releaseReservations } from '../../usecases/release-reservations.js';
import type { ChangeResult } from '../../usecases/results.js';
import { actorOf } from '../auth.js';
import { idParam, parse, queryOf, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';
import { idsSchema } from './orders.js';

/** Releases the chosen orders' holds: a result per chosen order, also for those that held nothing. */
async function releaseChosen(
  ops: ReturnType<typeof opsOf>,
  ids: readonly number[],
  actor: string,
  why: string,
  filter: { warehouse?: string; productCode?: string },
): Promise<ChangeResult[]> {
  const results = await releaseReservations(ops, { selection: { orderIds: ids, ...filter }, actor, why });
  const seen = new Set(results.map((r) => r.orderId));
  const rest = ids.filter((id) => !seen.has(id));
  const states = await orderStates(ops.db, rest);
  for (const id of rest) {
    const o = states.get(id);
    results.push({
      orderId: id,
      orderNo: o?.orderNo ?? '-',
      ok: false,
      from: o?.status ?? '-',
      to: null,
      message: !o
        ? `order ${id} does not exist`
        : o.shippingInstructed
          ? '出荷指示済みの注文の引当は解除できません'
          : '解除する引当がありません',
    });
  }
  return results;
}

export function registerReleaseRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });

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
      results: await releaseChosen(ops, b.ids, actorOf(res), b.reason, {
        warehouse: b.warehouse || undefined,
        productCode: b.product || undefined,
      }),
    };
  });

  routes.add('post', '/api/orders/:id/reallocate', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    return { result: await reallocateOrder(ops, { orderId: id, actor: actorOf(res) }) };
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
    const orders = await loadOrders(db, ids.slice(0, 200), await loadStatuses(db));
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
}
