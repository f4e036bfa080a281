// ステータス: the catalogue (groups, labels, 自動確認), renaming any status, adding and removing
// custom ones. The rules (system statuses stay, a status with orders stays) are usecases/edit-statuses.ts.
import { z } from 'zod';
import { loadStatuses } from '../../db/statuses.js';
import { AUTO_CONFIRM, STATUS_GROUPS } from '../../domain/statuses.js';
import { addStatus, removeStatus, renameStatus } from '../../usecases/edit-statuses.js';
import { parse, type RouteTable } from '../http.js';
import type { RouteDeps } from './deps.js';

export function registerStatusRoutes(routes: RouteTable, { db }: RouteDeps): void {
  routes.add('get', '/api/statuses', 'viewer', async () => ({
    groups: STATUS_GROUPS,
    statuses: (await loadStatuses(db)).all,
    autoConfirm: { code: AUTO_CONFIRM, label: '自動確認' },
  }));

  routes.add('post', '/api/statuses', 'admin', async (req) => {
    const b = parse(
      z.object({
        code: z.string().regex(/^[a-z0-9_]{1,40}$/, 'コードは英小文字・数字・_ です'),
        group: z.enum(['review', 'payment', 'fulfillment', 'cancellation']),
        label: z.string().trim().min(1).max(40),
      }),
      req.body,
    );
    return { status: await addStatus({ db: db }, b) };
  });

  routes.add('put', '/api/statuses/:code', 'admin', async (req) => {
    const b = parse(
      z.object({ label: z.string().trim().min(1, '名前を入力してください').max(40) }),
      req.body,
    );
    return { status: await renameStatus({ db: db }, String(req.params.code), b.label) };
  });

  routes.add('delete', '/api/statuses/:code', 'admin', async (req) => {
    await removeStatus({ db: db }, String(req.params.code));
    return { ok: true, statuses: (await loadStatuses(db)).all };
  });
}
