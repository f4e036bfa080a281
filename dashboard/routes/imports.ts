// 取込: "import now" and "re-import one order" (jobs), the order CSV upload of a CSV store, and the
// import runs (取込履歴). The jobs are enqueued after the database work; a click while an import of
// the store waits becomes no second import.
import { hostname } from 'node:os';
import { z } from 'zod';
import { listImportRuns } from '../../db/import-runs.js';
import { findStore } from '../../db/stores.js';
import { logger } from '../../infra/logger.js';
import { jobIds } from '../../jobs/catalogue.js';
import { importOrderCsv } from '../../uploads/order-file.js';
import { actorOf, userOf } from '../auth.js';
import { badRequest, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { enqueue, type RouteDeps } from './deps.js';

export function registerImportRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  const storeOf = async (code: unknown) => {
    const store = await findStore(db, String(code));
    if (!store) throw notFound(`店舗 ${String(code)} はありません`);
    return store;
  };

  routes.add('post', '/api/stores/:code/import', 'operator', async (req, res) => {
    const store = await storeOf(req.params.code);
    const jobId = await enqueue(() =>
      queues.add(
        'import-store',
        { storeCode: store.code, trigger: 'manual', requestedBy: actorOf(res) },
        // One import waiting per store; a click while one runs becomes one follow-up, not many.
        { deduplication: { id: jobIds.importDedup(store.code), keepLastIfActive: true } },
      ),
    );
    return { jobId, message: `${store.name} の取込を登録しました（ジョブ ${jobId}）` };
  });

  routes.add('post', '/api/stores/:code/reimport', 'operator', async (req, res) => {
    const store = await storeOf(req.params.code);
    const b = parse(
      z.object({ cartOrderNo: z.string().trim().min(1, '注文No を入力してください').max(100) }),
      req.body,
    );
    const jobId = await enqueue(() =>
      queues.add('reimport-order', {
        storeCode: store.code,
        cartOrderNo: b.cartOrderNo,
        requestedBy: actorOf(res),
      }),
    );
    return {
      jobId,
      message: `${store.name} の注文 ${b.cartOrderNo} の再取込を登録しました（ジョブ ${jobId}）`,
    };
  });

  routes.add(
    'post',
    '/api/stores/:code/orders-upload',
    'operator',
    async (req, res) => {
      const store = await storeOf(req.params.code);
      if (store.cart !== 'csv') throw badRequest(`${store.name} は CSV 店舗ではありません`);
      // Streamed to a temporary file and read a page at a time (a file of any size); a long one
      // answers 202 with the upload's id, and its result is kept for /api/uploads/:id.
      return runFileUpload(
        req,
        res,
        (src, onProgress) =>
          importOrderCsv(
            {
              db,
              now: () => new Date(),
              log: logger,
              processId: `dashboard-${hostname()}-${process.pid}`,
              config,
            },
            store,
            src,
            `upload:${userOf(res).login}`,
            { file: src.name, onProgress },
          ),
        config.UPLOAD_ANSWER_WAIT_MS,
      );
    },
    { body: 'stream' },
  );

  routes.add('get', '/api/import-runs', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        outcome: z.enum(['running', 'succeeded', 'failed', 'skipped']).optional(),
        before: z.string().max(40).optional(),
      }),
      queryOf(req),
    );
    const page = await listImportRuns(db, q);
    return { runs: page.items, next: page.next };
  });
}
