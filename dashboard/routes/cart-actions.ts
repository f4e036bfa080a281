// カート連携 (the cart-actions outbox): what juchu told or must tell the carts about an order, read
// through db/cart-action-list.ts, and 再送 of a failed or refused action (usecases/resend-cart-action.ts,
// which enqueues its delivery job after the row is back to 送信待ち).
import { cartActionView, orderCartActions } from '../../db/cart-action-list.js';
import { depsOf } from '../../usecases/deps.js';
import { resendCartAction } from '../../usecases/resend-cart-action.js';
import { actorOf } from '../auth.js';
import { idParam, notFound, parse, type RouteTable } from '../http.js';
import type { RouteDeps } from './deps.js';

export function registerCartActionRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = { ...depsOf(db), queues };

  routes.add('get', '/api/orders/:id/cart-actions', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    return { actions: await orderCartActions(db, id) };
  });

  routes.add('post', '/api/cart-actions/:id/resend', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const result = await resendCartAction(ops, { actionId: id, actor: actorOf(res) });
    if (!result.ok && result.notFound) throw notFound(result.message);
    return { result, action: await cartActionView(db, id) };
  });
}
