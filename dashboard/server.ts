// The dashboard: ONE HTTP server with the order desk screens (static HTML + ES modules that build the
// DOM with textContent), the JSON admin API they call, Bull Board at /admin/queues, /healthz, /readyz
// and /metrics. Everything but the login page, static assets and health/metrics needs a session.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { createDb, type Db } from '../db/db.js';
import type { Config } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { preflight } from '../infra/preflight.js';
import { createProducerConnection, type RedisConnection, ready } from '../infra/redis.js';
import { Shutdown } from '../infra/shutdown.js';
import { QUEUES } from '../jobs/catalogue.js';
import { createQueues, type Queues } from '../jobs/queues.js';
import { checkHost } from './allowed-hosts.js';
import { Auth, cookieValue, safeNext, sameOrigin, sessionOf } from './auth.js';
import { mountBoards } from './board.js';
import { DEVICE_COOKIE } from './device-cookie.js';
import { errorHandler, type RouteDef, RouteTable, refuseNulInUrl } from './http.js';
import { createMetrics, readiness } from './metrics.js';
import { sendNotFoundPage } from './refusal-page.js';
import { registerApiRoutes } from './routes/index.js';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

/** The screens: each is the same shell page; /assets/js/app.js picks the screen from the path. */
export const PAGES: ReadonlyArray<{ path: string; access: 'viewer' | 'operator' | 'admin' }> = [
  { path: '/orders', access: 'viewer' },
  { path: '/orders/:id', access: 'viewer' },
  { path: '/release', access: 'viewer' },
  { path: '/stock', access: 'viewer' },
  { path: '/warehouses', access: 'viewer' },
  { path: '/shipping', access: 'viewer' },
  { path: '/stores', access: 'viewer' },
  { path: '/imports', access: 'viewer' },
  { path: '/rejects', access: 'viewer' },
  { path: '/products', access: 'viewer' },
  { path: '/sets', access: 'viewer' },
  { path: '/mappings', access: 'viewer' },
  { path: '/statuses', access: 'viewer' },
  { path: '/upload-orders', access: 'viewer' },
  { path: '/users', access: 'admin' },
  { path: '/carriers', access: 'viewer' },
  { path: '/sales', access: 'operator' },
];

export interface Dashboard {
  app: Express;
  /** Every route the app declares, with who may call it (the auth tests walk this). */
  routes: readonly RouteDef[];
  db: Db;
  queues: Queues;
  redis: RedisConnection;
  close(): Promise<void>;
}

export interface DashboardOptions {
  config: Config;
  /** Share a database pool (tests); otherwise the dashboard opens its own. */
  db?: Db;
}

export async function createDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { config } = opts;
  const db =
    opts.db ?? createDb(config.DATABASE_URL, { max: config.PG_POOL_MAX, applicationName: 'juchu-dashboard' });
  // Producers used by HTTP handlers fail fast (no offline queue) instead of hanging a request.
  const redis = createProducerConnection(config, 'juchu-dashboard');
  await ready(redis);
  const queues = createQueues(redis, config);
  const auth = new Auth(db, config);
  const metrics = createMetrics(db, queues);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // req.ip (login throttling counts by it) is the socket's address unless proxies are trusted.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Nothing from another site, ever (fonts and styles included: helmet would allow https:).
          // Bull Board's UI needs its inline <style> and React style attributes.
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'font-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          // Plain-HTTP installs (a LAN address) would have every asset upgraded to https and broken.
          'upgrade-insecure-requests': config.COOKIE_SECURE ? [] : null,
        },
      },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(checkHost(config));
  app.use(refuseNulInUrl);

  const routes = new RouteTable(app, auth);
  // Public, and before the session lookup: health, metrics, static assets (code, no data).
  routes.add('get', '/healthz', 'public', () => ({ ok: true }), { kind: 'api' });
  routes.add(
    'get',
    '/readyz',
    'public',
    async (_req, res) => {
      const r = await readiness(db, redis, `${config.QUEUE_PREFIX}:${QUEUES.import.name}:meta`);
      res.status(r.ok ? 200 : 503).json(r);
    },
    { kind: 'api' },
  );
  routes.add(
    'get',
    '/metrics',
    'public',
    async (_req, res) => {
      res.set('content-type', metrics.contentType).send(await metrics.metrics());
    },
    { kind: 'api' },
  );
  app.use(
    '/assets',
    express.static(path.join(PUBLIC_DIR, 'assets'), { index: false, fallthrough: false, maxAge: '5m' }),
  );
  app.use(auth.loadSession);

  // --- login / logout
  routes.add('get', '/login', 'public', (_req, res) => {
    res.sendFile(path.join(PUBLIC_DIR, 'login.html'));
  });
  routes.add(
    'post',
    '/login',
    'public',
    async (req, res) => {
      const json = req.is('application/json') === 'application/json';
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      const refuse = (status: number, error: string, message: string) => {
        if (json) res.status(status).json({ error, message });
        else res.redirect(303, `/login?error=${error}&next=${encodeURIComponent(next)}`);
      };
      // Login CSRF: a browser on another site must not log this one in as someone else.
      if (sameOrigin(req) === false) return refuse(403, 'csrf', '別のサイトからのログインは受け付けません');
      const login = typeof body.login === 'string' ? body.login.slice(0, 100) : '';
      const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
      if (!login || !password) return refuse(400, 'invalid', 'ログイン名とパスワードを入力してください');
      const r = await auth.login(login, password, {
        address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
        deviceCookie: cookieValue(req, DEVICE_COOKIE),
      });
      if (!r.ok && r.reason === 'rate_limited') {
        const seconds = Math.max(1, r.retryAfterSeconds);
        res.set('retry-after', String(seconds));
        return refuse(
          429,
          'rate_limited',
          `ログインの失敗が続いたため、${seconds} 秒たってからもう一度お試しください`,
        );
      }
      if (!r.ok && r.reason === 'demo_password')
        return refuse(
          403,
          'demo_password',
          'デモ用の固定パスワードは本番環境では使えません。管理者が juchu users でパスワードを変えてください',
        );
      if (!r.ok) return refuse(401, 'invalid', 'ログイン名またはパスワードが違います');
      auth.setCookie(res, r.token);
      auth.setDeviceCookie(res, r.deviceCookie);
      logger.info({ login: r.session.user.login, role: r.session.user.role }, 'dashboard login');
      if (json) res.json({ ok: true, next, user: r.session.user });
      else res.redirect(303, next);
    },
    { body: 'form' },
  );
  routes.add('post', '/logout', 'viewer', async (_req, res) => {
    const s = sessionOf(res);
    if (s) await auth.logout(s);
    auth.clearCookie(res);
    return { ok: true };
  });

  // --- screens
  routes.add('get', '/', 'viewer', (_req, res) => {
    res.redirect(302, '/orders');
  });
  for (const p of PAGES)
    routes.add('get', p.path, p.access, (_req, res) => {
      res.set('cache-control', 'no-store').sendFile(path.join(PUBLIC_DIR, 'app.html'));
    });

  // --- JSON API
  registerApiRoutes(routes, { db, queues, config });

  // Anything else under /api: 401 without a session, 404 with one (never a page).
  app.use('/api', (_req, res) => {
    if (!sessionOf(res)) res.status(401).json({ error: 'unauthenticated', message: 'ログインしてください' });
    else res.status(404).json({ error: 'not_found', message: 'この API はありません' });
  });

  mountBoards(app, queues);

  app.use((req, res) => {
    if (!sessionOf(res) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (sessionOf(res) && (req.method === 'GET' || req.method === 'HEAD') && req.accepts('html'))
      return sendNotFoundPage(res);
    res.status(sessionOf(res) ? 404 : 401).json({ error: 'not_found', message: 'ページがありません' });
  });
  app.use(errorHandler);

  return {
    app,
    routes: routes.defs,
    db,
    queues,
    redis,
    async close() {
      await queues.close();
      redis.disconnect();
      if (!opts.db) await db.destroy();
    },
  };
}

export interface StartOptions extends DashboardOptions {
  port: number;
  host?: string;
  /** Check PostgreSQL and Redis before listening (default true; see infra/preflight.ts). */
  preflight?: boolean;
}

export interface RunningDashboard {
  url: string;
  shutdown: Shutdown;
  dashboard: Dashboard;
  server: Server;
}

/** `juchu dashboard` and the demo: the app on a port (0 = any free one), with an ordered shutdown. */
export async function startDashboard(opts: StartOptions): Promise<RunningDashboard> {
  // A wrong DATABASE_URL or Redis stops `juchu dashboard` with one line, before it listens.
  if (opts.preflight !== false)
    for (const w of (await preflight(opts.config, { role: 'dashboard' })).warnings) logger.warn(w);
  const dashboard = await createDashboard(opts);
  const host = opts.host ?? opts.config.HOST;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = dashboard.app.listen(opts.port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`;
  const shutdown = new Shutdown()
    .add('http', () => {
      server.closeIdleConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    })
    .add('dashboard', () => dashboard.close());
  logger.info({ url }, 'dashboard listening');
  return { url, shutdown, dashboard, server };
}
