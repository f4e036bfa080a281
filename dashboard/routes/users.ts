// ユーザー: who is signed in (/api/me, with the CSRF token the screens send back), and the admin's
// user list. A disabled user or a new password ends that user's sessions at once.
import { z } from 'zod';
import { endUserSessions } from '../../db/sessions.js';
import { createUser, findUser, listUsers, loginTaken, updateUser } from '../../db/users.js';
import { toJstIso } from '../../domain/time.js';
import { sessionOf, userOf } from '../auth.js';
import { badRequest, idParam, notFound, parse, type RouteTable } from '../http.js';
import type { RouteDeps } from './deps.js';

const role = z.enum(['viewer', 'operator', 'admin']);
const password = z.string().min(8, 'パスワードは 8 文字以上です').max(200);

export function registerUserRoutes(routes: RouteTable, { db, config }: RouteDeps): void {
  const policy = { production: config.NODE_ENV === 'production' };
  routes.add('get', '/api/me', 'viewer', (_req, res) => {
    const s = sessionOf(res)!;
    return { user: s.user, csrfToken: s.csrfToken };
  });

  routes.add('get', '/api/users', 'admin', async () => ({
    users: (await listUsers(db)).map((u) => ({ ...u, createdAt: toJstIso(u.createdAt) })),
  }));

  routes.add('post', '/api/users', 'admin', async (req) => {
    const b = parse(
      z.object({
        login: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9._@-]{2,64}$/, 'ログイン名は英数字と . _ @ - です'),
        displayName: z.string().trim().min(1).max(100),
        role,
        password,
      }),
      req.body,
    );
    if (await loginTaken(db, b.login)) throw badRequest(`ログイン名 ${b.login} は使われています`);
    return { user: await createUser(db, b, policy) };
  });

  routes.add('put', '/api/users/:id', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({
        displayName: z.string().trim().min(1).max(100).optional(),
        role: role.optional(),
        enabled: z.boolean().optional(),
        password: password.optional(),
      }),
      req.body,
    );
    if (!(await findUser(db, id))) throw notFound(`ユーザー ${id} はありません`);
    if (id === userOf(res).id && (b.enabled === false || (b.role && b.role !== 'admin')))
      throw badRequest('自分自身の管理者権限は外せません');
    await updateUser(db, id, b, policy);
    if (b.enabled === false || b.password) await endUserSessions(db, id);
    return { ok: true };
  });
}
