// 出荷: the orders ready for the warehouse (or those being shipped), the shipping instruction
// (出荷指示), and the warehouse's shipment-result CSV (出荷完了 with tracking numbers).
import { z } from 'zod';
import { listOrders } from '../../db/order-list.js';
import { ordersWithCarriers } from '../../db/shipping-orders.js';
import { loadStatuses } from '../../db/statuses.js';
import { carrierLabel } from '../../domain/carrier-rules.js';
import { S } from '../../domain/statuses.js';
import { applyShipmentCsv } from '../../uploads/shipment-csv.js';
import { instructShipping } from '../../usecases/shipping-instruction.js';
import { actorOf } from '../auth.js';
import { parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { opsOf, type RouteDeps } from './deps.js';

export function registerShippingRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/shipping/orders', 'viewer', async (req) => {
    const { store, status } = queryOf(req);
    const statuses = await loadStatuses(db);
    // 出荷作業中 when asked for; otherwise what may be instructed: 新規受付分の出荷, then 在庫確認後の出荷.
    const wanted = status === S.shipping ? [S.shipping] : [S.readyToShip, S.readyAfterStock];
    const rows = [];
    for (const code of wanted)
      rows.push(
        ...(await listOrders(db, statuses, { status: code, store, sort: 'orderedAt', dir: 'asc', size: 200 }))
          .rows,
      );
    // Each order's carrier: the operator's choice, the frozen one, or what the rules say now.
    const { carriers } = await ordersWithCarriers(
      db,
      rows.map((r) => r.id),
    );
    return {
      rows: rows.map((r) => {
        const c = carriers.get(r.id);
        return {
          ...r,
          carrier: c?.carrier ? { label: carrierLabel(c.carrier, c.method), reason: c.reason } : null,
        };
      }),
    };
  });

  routes.add('post', '/api/shipping/instruction', 'operator', async (req, res) => {
    const b = parse(
      z.union([
        z.object({ orderIds: z.array(z.number().int().positive()).min(1).max(1000) }),
        z.object({ storeCodes: z.array(z.string().min(1).max(64)).min(1).max(100) }),
      ]),
      req.body,
    );
    return instructShipping(ops, { ...b, actor: actorOf(res) });
  });

  // A file of any size: streamed to a temporary file, applied in batches through the upload ledger;
  // a long one answers 202 and the screen follows /api/uploads/:id.
  routes.add(
    'post',
    '/api/shipping/upload',
    'operator',
    (req, res) =>
      runFileUpload(
        req,
        res,
        (src, onProgress) => applyShipmentCsv(ops, src, actorOf(res), src.name, { onProgress }),
        config.UPLOAD_ANSWER_WAIT_MS,
      ),
    { body: 'stream' },
  );
}
