// アップロード履歴: each operator upload as stored (db/uploads.ts): its progress while it runs and its
// result after, whoever asks (the browser that sent it may be gone), the rows it refused by line;
// and the inbox files a CSV store's import set aside (failed/), with their reason.
import { z } from 'zod';
import { listFailedInboxFiles } from '../../db/inbox-files.js';
import { getUpload, listUploadErrors, listUploads } from '../../db/uploads.js';
import { idParam, notFound, parse, queryOf, type RouteTable } from '../http.js';
import type { RouteDeps } from './deps.js';

const kind = z.enum(['stock', 'shipments', 'mappings', 'products', 'orders', 'tracking']);

export function registerUploadRoutes(routes: RouteTable, { db }: RouteDeps): void {
  routes.add('get', '/api/uploads', 'viewer', async (req) => {
    const q = parse(z.object({ kind: kind.optional() }), queryOf(req));
    return { uploads: await listUploads(db, { ...(q.kind ? { kind: q.kind } : {}), limit: 20 }) };
  });

  routes.add('get', '/api/uploads/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const upload = await getUpload(db, id);
    if (!upload) throw notFound(`アップロード #${id} はありません`);
    return { upload, errors: await listUploadErrors(db, id) };
  });

  routes.add('get', '/api/inbox-files/failed', 'viewer', async (req) => {
    const q = parse(z.object({ store: z.string().max(100).optional() }), queryOf(req));
    return { files: await listFailedInboxFiles(db, q.store ? { store: q.store } : {}) };
  });
}
