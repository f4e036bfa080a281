// 取込エラー: records a cart sent that could not be read, with their payload; an admin may have one
// read again (a job) once the cause is fixed.
import { z } from 'zod';
import { findImportReject, listImportRejects } from '../../db/import-rejects.js';
import { requestReprocess } from '../../usecases/request-reprocess.js';
import { actorOf } from '../auth.js';
import { idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import { enqueue, type RouteDeps } from './deps.js';

export function registerRejectRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  routes.add('get', '/api/import-rejects', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        state: z.enum(['open', 'resolved', 'all']).default('open'),
        before: z.string().max(40).optional(),
      }),
      queryOf(req),
    );
    const page = await listImportRejects(db, q);
    return { rejects: page.items, next: page.next };
  });

  routes.add('get', '/api/import-rejects/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const r = await findImportReject(db, id);
    if (!r) throw notFound(`取込エラー ${id} はありません`);
    return r;
  });

  routes.add('post', '/api/import-rejects/:id/reprocess', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const { jobId } = await requestReprocess(
      { db, queues: { add: ((...a) => enqueue(() => queues.add(...a))) as typeof queues.add } },
      { rejectId: id, actor: actorOf(res) },
    );
    return { jobId, message: `取込エラー ${id} の再処理を登録しました（ジョブ ${jobId}）` };
  });
}
