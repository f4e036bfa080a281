// EC受注一覧 and 受注詳細: the list (tabs, filters, keyset paging) with its tab counts, one order with
// its history, and what an operator does to orders (status changes single and bulk, 自動確認
// included; notes; payment; shipment; cancel, at the cart too where its API allows; deleting a
// キャンセル済み order).
import { z } from 'zod';
import { cartCancelOption } from '../../carts/cancel-options.js';
import { paymentMethodName } from '../../carts/registry.js';
import { listOrders, listQuerySchema, orderDetail, plainDate, statusCounts } from '../../db/order-list.js';
import { loadStatuses } from '../../db/statuses.js';
import { getStoreById, storeCredentials } from '../../db/stores.js';
import { AUTO_CONFIRM, type StatusCatalogue } from '../../domain/statuses.js';
import { cancelOrders } from '../../usecases/cancel-order.js';
import { changeStatus, changeStatuses } from '../../usecases/change-status.js';
import { confirmOrdersAtCart } from '../../usecases/confirm-orders-at-cart.js';
import { confirmShipment } from '../../usecases/confirm-shipment.js';
import { deleteOrder } from '../../usecases/delete-order.js';
import { recordPayment } from '../../usecases/record-payment.js';
import { updateOrderNotes } from '../../usecases/update-order-notes.js';
import { actorOf } from '../auth.js';
import { badRequest, idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

export const idsSchema = z.array(z.number().int().positive()).min(1, '注文を選んでください').max(500);

function checkTarget(statuses: StatusCatalogue, target: string): void {
  if (target !== AUTO_CONFIRM && !statuses.has(target))
    throw badRequest(`ステータス "${target}" はありません`);
}

export function registerOrderRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  // With the queues: 出荷完了, a cancel at the cart and every stock move enqueue their cart actions'
  // delivery after commit (the sweep is the safety net).
  const ops = opsOf({ db, queues });

  // Before /api/orders/:id, which would take "counts" for an id.
  routes.add('get', '/api/orders/counts', 'viewer', async (req) => {
    const { store } = queryOf(req);
    return { groups: await statusCounts(db, await loadStatuses(db), store) };
  });

  routes.add('get', '/api/orders', 'viewer', async (req) => {
    const q = parse(listQuerySchema, queryOf(req));
    return listOrders(db, await loadStatuses(db), q, ops.now());
  });

  routes.add('get', '/api/orders/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const detail = await orderDetail(db, id, await loadStatuses(db));
    if (!detail) throw notFound(`注文 ${id} はありません（削除された可能性があります）`);
    const o = detail.order;
    return { ...detail, paymentMethodName: paymentMethodName(o.cart, o.payment.method) };
  });

  routes.add('post', '/api/orders/bulk-status', 'operator', async (req, res) => {
    const b = parse(
      z.object({ ids: idsSchema, target: z.string().min(1), reason: z.string().max(500).optional() }),
      req.body,
    );
    checkTarget(await loadStatuses(db), b.target);
    return {
      results: await changeStatuses(ops, {
        orderIds: b.ids,
        target: b.target,
        actor: actorOf(res),
        reason: b.reason,
      }),
    };
  });

  // 注文確認 (Rakuten confirmOrder) for the selected orders, bulk or one (issue 16 item 2).
  routes.add('post', '/api/orders/confirm-at-cart', 'operator', async (req, res) => {
    const b = parse(z.object({ ids: idsSchema }), req.body);
    return { results: await confirmOrdersAtCart(ops, { orderIds: b.ids, actor: actorOf(res) }) };
  });

  routes.add('post', '/api/orders/:id/status', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({ target: z.string().min(1), reason: z.string().max(500).optional() }),
      req.body,
    );
    checkTarget(await loadStatuses(db), b.target);
    return {
      result: await changeStatus(ops, {
        orderId: id,
        target: b.target,
        actor: actorOf(res),
        reason: b.reason || undefined,
      }),
    };
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
    await updateOrderNotes(ops, { orderId: id, patch: b, actor: actorOf(res) });
    return { ok: true };
  });

  routes.add('post', '/api/orders/:id/payment', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(z.object({ paidAt: z.iso.datetime({ offset: true }).optional() }), req.body ?? {});
    const paidAt = b.paidAt ? new Date(b.paidAt) : new Date();
    return { result: await recordPayment(ops, { orderId: id, paidAt, actor: actorOf(res) }) };
  });

  routes.add('post', '/api/orders/:id/ship', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({ trackingNumber: z.string().max(100).optional(), carrier: z.string().max(100).optional() }),
      req.body ?? {},
    );
    return {
      result: await confirmShipment(ops, {
        orderId: id,
        trackingNumber: b.trackingNumber || null,
        carrier: b.carrier || null,
        actor: actorOf(res),
      }),
    };
  });

  // The cancel screen: whether the order's cart can be told, and the reasons it takes.
  routes.add('get', '/api/orders/:id/cancel-options', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const o = await db
      .selectFrom('orders')
      .select(['store_id', 'cart_cancelled'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!o) throw notFound(`注文 ${id} はありません（削除された可能性があります）`);
    const store = await getStoreById(db, o.store_id);
    const credentials = await storeCredentials(db, store.id, config.JUCHU_SECRET_KEY);
    return { ...cartCancelOption(store.cart, store.settings, credentials), cartCancelled: o.cart_cancelled };
  });

  routes.add('post', '/api/orders/:id/cancel', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({
        reason: z.string().max(500).optional(),
        step: z.enum(['request', 'complete', 'too-late']).default('request'),
        atCart: z.boolean().default(false),
        cartReason: z.string().max(50).nullable().optional(),
      }),
      req.body ?? {},
    );
    if (b.atCart && b.step !== 'request')
      throw badRequest('カートでのキャンセルは、キャンセルを依頼するとき（step: request）だけ選べます');
    const [result] = await cancelOrders(ops, {
      orderIds: [id],
      step: b.step,
      actor: actorOf(res),
      reason: b.reason || undefined,
      atCart: b.atCart,
      cartReason: b.cartReason ?? null,
    });
    return { result };
  });

  routes.add('delete', '/api/orders/:id', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    return { result: await deleteOrder(ops, { orderId: id, actor: actorOf(res) }) };
  });
}
