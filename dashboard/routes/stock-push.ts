// 在庫連携 on the stock screen: per store × cart item the last pushed quantity, when, whether the
// cart accepted it, drift found by the full sync and failures; a dry run of what would be pushed;
// a push (one product, or the store's items the cart does not show, refused ones again) recorded in
// the cart-actions outbox; the full sync queued as the push-stock job; 安全在庫 per store × product
// (operators and admins edit it).
import { z } from 'zod';
import { pushLagByStore, pushStateOf } from '../../db/stock-push.js';
import { findStore, listStores } from '../../db/stores.js';
import { depsOf } from '../../usecases/deps.js';
import { planStockPush } from '../../usecases/push-stock.js';
import { requestFullStockSync } from '../../usecases/request-full-stock-sync.js';
import { requestStockPush } from '../../usecases/request-stock-push.js';
import { listStockSafety, setStockSafety } from '../../usecases/save-stock-safety.js';
import { actorOf } from '../auth.js';
import { notFound, parse, queryOf, type RouteTable } from '../http.js';
import { enqueue, type RouteDeps } from './deps.js';

export function registerStockPushRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  routes.add('get', '/api/stock/pushes', 'viewer', async (req) => {
    const q = queryOf(req);
    const stores = await listStores(db);
    const lag = new Map((await pushLagByStore(db, new Date())).map((l) => [l.storeId, l]));
    const codes = new Map(stores.map((s) => [s.id, s.code]));
    return {
      stores: stores.map((s) => ({
        code: s.code,
        name: s.name,
        cart: s.cart,
        enabled: s.settings.stockPush,
        pending: lag.get(s.id)?.pending ?? 0,
        failed: lag.get(s.id)?.failed ?? 0,
        refused: lag.get(s.id)?.refused ?? 0,
        lagSeconds: lag.get(s.id)?.lagSeconds ?? 0,
      })),
      items: (
        await pushStateOf(db, {
          productCode: q.product || undefined,
          onlyProblems: q.problems === '1',
          limit: 300,
        })
      ).map((r) => ({ ...r, store: codes.get(r.storeId) ?? String(r.storeId) })),
    };
  });

  routes.add('get', '/api/stores/:code/stock-push/plan', 'viewer', async (req) => {
    const store = await findStore(db, String(req.params.code));
    if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const q = queryOf(req);
    return planStockPush(depsOf(db), {
      storeCode: store.code,
      productCodes: q.product ? [q.product] : undefined,
    });
  });

  // 「この商品の在庫を今すぐ連携」 (product) or the store's items the cart does not show yet: recorded in
  // the outbox by the use case, delivered by its job. The full sync reads the cart first, so it is
  // queued as the push-stock job (which records through the same use case).
  routes.add('post', '/api/stores/:code/stock-push', 'operator', async (req, res) => {
    const store = await findStore(db, String(req.params.code));
    if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const b = parse(
      z.object({ full: z.boolean().optional(), product: z.string().min(1).max(100).optional() }),
      req.body ?? {},
    );
    if (b.full) {
      const r = await enqueue(() =>
        requestFullStockSync({ ...depsOf(db), queues }, { storeCode: store.code }),
      );
      return { jobId: r.jobId, message: r.message };
    }
    const r = await requestStockPush(
      { ...depsOf(db), queues },
      {
        storeCode: store.code,
        productCodes: b.product ? [b.product] : undefined,
        retryRefused: true,
        actor: actorOf(res),
      },
    );
    return { jobId: null, actions: r.actions, message: r.message };
  });

  routes.add('get', '/api/stores/:code/stock-safety', 'viewer', async (req) =>
    listStockSafety(depsOf(db), { storeCode: String(req.params.code) }),
  );

  routes.add('put', '/api/stores/:code/stock-safety', 'operator', async (req, res) => {
    // The value is checked by the use case (whole number 0–1,000,000; empty: the store's default).
    const b = parse(z.object({ product: z.string().max(100), quantity: z.unknown() }), req.body ?? {});
    return setStockSafety(
      { ...depsOf(db), queues },
      {
        storeCode: String(req.params.code),
        productCode: b.product,
        quantity: b.quantity,
        actor: actorOf(res),
      },
    );
  });
}
