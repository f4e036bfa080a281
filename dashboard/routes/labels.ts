// 送り状データ: the shipping batches (one per instruction run, or a selection), each carrier's label
// file for a batch (B2クラウド, e飛伝, ゆうプリR; a download, its summary in X-Label-Summary), and the
// carriers' result files back (伝票番号 → 出荷完了), with the rows that matched no order.
import { z } from 'zod';
import { batchExports, batchOrderIds, findBatch, listBatches } from '../../db/shipping-batches.js';
import { ordersWithCarriers } from '../../db/shipping-orders.js';
import { loadStatuses } from '../../db/statuses.js';
import { listUploads } from '../../db/uploads.js';
import { carrierLabel, LABEL_CARRIERS } from '../../domain/carrier-rules.js';
import { layoutFor } from '../../domain/labels/index.js';
import { applyTrackingFile } from '../../uploads/tracking-file.js';
import { exportLabels } from '../../usecases/export-labels.js';
import { createSelectionBatch } from '../../usecases/record-shipping-batch.js';
import { actorOf } from '../auth.js';
import { idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { opsOf, type RouteDeps } from './deps.js';

const carrierSchema = z.enum(LABEL_CARRIERS, {
  message: 'carrier は yamato・sagawa・japanpost のどれかです',
});

export function registerLabelRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  const ops = opsOf({ db, queues });

  routes.add('get', '/api/shipping/batches', 'viewer', async () => ({ batches: await listBatches(db, 30) }));

  routes.add('get', '/api/shipping/batches/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const batch = await findBatch(db, id);
    if (!batch) throw notFound(`出荷バッチ ${id} はありません`);
    const statuses = await loadStatuses(db);
    const { orders, carriers, settings } = await ordersWithCarriers(db, await batchOrderIds(db, id));
    const counts: Record<string, number> = {};
    const rows = orders.map((o) => {
      const c = carriers.get(o.id)!;
      const key = c.carrier ?? 'none';
      counts[key] = (counts[key] ?? 0) + 1;
      return {
        id: o.id,
        orderNo: o.orderNo,
        cartOrderNo: o.cartOrderNo,
        store: settings.get(o.storeId)?.storeName ?? '',
        status: statuses.label(o.status),
        carrier: c.carrier,
        carrierLabel: c.carrier ? carrierLabel(c.carrier, c.method) : '未定',
        reason: c.reason,
        packages: o.packages.length,
        parcels: o.parcels,
      };
    });
    return {
      batch,
      counts,
      orders: rows,
      layouts: Object.fromEntries(LABEL_CARRIERS.map((c) => [c, layoutFor(c).name])),
      exports: await batchExports(db, id),
    };
  });

  routes.add('post', '/api/shipping/batches', 'operator', async (req, res) => {
    const b = parse(z.object({ orderIds: z.array(z.number().int().positive()).min(1).max(2000) }), req.body);
    return createSelectionBatch(ops, { orderIds: b.orderIds, actor: actorOf(res) });
  });

  // The file itself; what did not go into it (and why) travels in X-Label-Summary as URI-encoded JSON.
  routes.add('get', '/api/shipping/batches/:id/labels', 'operator', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const { carrier } = parse(z.object({ carrier: carrierSchema }), queryOf(req));
    const f = await exportLabels(ops, { batchId: id, carrier, actor: actorOf(res) });
    const summary = {
      fileName: f.fileName,
      layout: f.layout,
      orders: f.orders,
      rows: f.rows,
      sha256: f.sha256,
      changedSinceLast: f.changedSinceLast,
      warnings: f.warnings.slice(0, 30),
      refused: f.refused.slice(0, 30),
      others: f.others.length,
    };
    res
      .set('content-type', 'text/csv; charset=Shift_JIS')
      .set('content-disposition', `attachment; filename="${f.fileName}"`)
      .set('x-label-summary', encodeURIComponent(JSON.stringify(summary)))
      .set('access-control-expose-headers', 'x-label-summary')
      .send(f.bytes);
  });

  // A carrier's result file of any size: streamed to a temporary file, applied in batches through
  // the upload ledger (kind tracking); a long one answers 202 and the screen follows /api/uploads/:id.
  routes.add(
    'post',
    '/api/shipping/tracking-upload',
    'operator',
    async (req, res) => {
      const { carrier } = parse(z.object({ carrier: carrierSchema }), queryOf(req));
      return runFileUpload(
        req,
        res,
        (src, onProgress) =>
          applyTrackingFile(ops, { carrier, file: src, fileName: src.name, actor: actorOf(res), onProgress }),
        config.UPLOAD_ANSWER_WAIT_MS,
      );
    },
    { body: 'stream' },
  );

  // The result files as the upload ledger keeps them (their rows matching no order: /api/uploads/:id).
  routes.add('get', '/api/shipping/tracking-uploads', 'viewer', async () => ({
    uploads: await listUploads(db, { kind: 'tracking', limit: 20 }),
  }));
}
