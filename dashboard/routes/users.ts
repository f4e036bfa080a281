// ユーザー: who is signed in (/api/me, with the CSRF token the screens send back), and the admin's
// user list. A disabled user or a new password ends that user's sessions at once.
import { z } from 'zod';
import { listUsers } from '../../db/users.js';
import { toJstIso } from '../../domain/time.js';
import { addUser, changeUser } from '../../usecases/save-user.js';
import { sessionOf, userOf } from '../auth.js';
import { idParam, parse, type RouteTable } from '../http.js';
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
    return { user: await addUser({ db }, b, policy) };
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
    await changeUser({ db }, { id, patch: b, by: userOf(res) }, policy);
    return { ok: true };
  });
}
