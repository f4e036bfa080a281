// Bull Board at /admin/queues: every queue of the catalogue with its display name and description.
// Two boards are built on the same path — a full one for admins and a read-only one (readOnlyMode:
// the write endpoints answer 405 and the UI hides every action) for viewers and operators — and the
// request's role picks one. Job data and return values are shown through redactPersonal. Its page is
// rendered without the web fonts its template links from a public CDN: the dashboard loads nothing
// from outside (it works offline, and tells no one who is looking at it); the CSP enforces it.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, RequestHandler, Response } from 'express';
import { logger } from '../infra/logger.js';
import { QUEUES, type QueueKey } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';
import { roleAllows, sameOrigin, sessionOf } from './auth.js';
import { redactPersonal } from './redact.js';

export const BOARD_PATH = '/admin/queues';

type Render = (file: string, options: object, done: (err: Error | null, html?: string) => void) => void;

/** Drops <link href> and <script src> elements that point at another site. */
function withoutExternalLoads(html: string): string {
  return html
    .replace(/<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>/gi, '')
    .replace(/<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^>]*>\s*<\/script>/gi, '');
}

/** Wraps the board's template engine (the ExpressAdapter's own app) so its page loads only from us. */
function renderLocally(app: Express): void {
  const engines = (app as unknown as { engines: Record<string, Render | undefined> }).engines;
  const render = engines['.ejs'];
  if (!render) throw new Error('Bull Board no longer renders .ejs: check board.ts renderLocally');
  app.engine('ejs', (file, options, done) =>
    render(file, options, (err, html) => done(err, html === undefined ? html : withoutExternalLoads(html))),
  );
}

/**
 * Bull Board hands `page` and `jobsPerPage` on to Redis, which answers a page past any list
 * (`page=99999999999999999999`) with an error the board turns into a 500: refused here first.
 */
const PAGE_LIMITS = { page: 100_000, jobsPerPage: 1_000 } as const;

function badBoardQuery(query: Record<string, unknown>): string | null {
  for (const [name, max] of Object.entries(PAGE_LIMITS)) {
    const v = query[name];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < 1 || Number(v) > max)
      return `${name} は 1〜${max} の整数で指定してください`;
  }
  return null;
}

const BOARD_ERRORS: Readonly<Record<string, string>> = {
  'ERRORS.INVALID_QUERY_PARAM': 'クエリの値が正しくありません',
  'ERRORS.INVALID_REQUEST_BODY': '送られた内容が正しくありません',
  'ERRORS.QUEUE_NOT_FOUND': 'そのキューはありません',
  'ERRORS.JOB_NOT_FOUND': 'そのジョブはありません',
  'ERRORS.JOB_SCHEDULER_NOT_FOUND': 'そのスケジュールはありません',
  'ERRORS.QUEUE_READ_ONLY': 'このキューは閲覧のみです',
};

/**
 * Bull Board answers errors with a translation key (`{ error: { key, options } }`) and no message; its
 * UI translates the key. Our API answers carry a `message`: the board's get one in Japanese beside the
 * key. A 5xx is a fault: its detail (Redis's own words) goes to the log, not into the answer.
 */
function withMessages(res: Response, path: string): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode < 400 || typeof body !== 'object' || body === null) return json(body);
    const b = body as { error?: { key?: unknown; options?: { field?: unknown } }; message?: unknown };
    const key = typeof b.error?.key === 'string' ? b.error.key : '';
    const field = typeof b.error?.options?.field === 'string' ? `（${b.error.options.field}）` : '';
    if (res.statusCode >= 500) {
      logger.error({ path, status: res.statusCode, key, detail: b.message }, 'bull board error');
      return json({ ...b, message: 'ジョブ画面でエラーが起きました（ログを確認してください）' });
    }
    return json({
      ...b,
      message: `${BOARD_ERRORS[key] ?? 'ジョブ画面への要求を受け付けられません'}${field}（${key || res.statusCode}）`,
    });
  };
}

function board(queues: Queues, readOnly: boolean): Express {
  const server = new ExpressAdapter();
  // The base path and the mount path must be the same string, or assets and API calls 404.
  server.setBasePath(BOARD_PATH);
  const adapters = (Object.keys(QUEUES) as QueueKey[]).map((k) => {
    const options = {
      readOnlyMode: readOnly,
      allowRetries: !readOnly,
      // Retrying a completed import would import again for nothing; failed ones are what admins retry.
      // (Read by the adapter at run time; its constructor's type does not list it yet.)
      allowCompletedRetries: false,
      displayName: QUEUES[k].displayName,
      description: QUEUES[k].description,
    };
    const a = new BullMQAdapter(queues[k], options);
    a.setFormatter('data', (d) => redactPersonal(d));
    a.setFormatter('returnValue', (d) => redactPersonal(d));
    return a;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter: server,
    options: {
      uiConfig: {
        boardTitle: readOnly ? 'juchu ジョブ（閲覧のみ）' : 'juchu ジョブ',
        locale: { lng: 'ja-JP' },
        miscLinks: [{ text: '受注一覧に戻る', url: '/orders' }],
        hideDocsLink: true,
        // Every open tab polls Redis; 10 s is plenty for people watching imports.
        pollingInterval: { forceInterval: 10_000 },
        environment: readOnly
          ? { label: '閲覧のみ', color: '#5b6b7f' }
          : { label: '管理者', color: '#9b2c2c' },
      },
    },
  });
  const app = server.getRouter() as Express;
  renderLocally(app);
  return app;
}

/**
 * Mounts the boards behind the login. Anonymous: 302 to /login for the board's pages, 401 JSON for
 * its API and assets. Writes (anything but GET/HEAD): admins only (403 otherwise), and only from our
 * own origin — Bull Board's UI cannot send our CSRF header, so a same-origin Origin or
 * Sec-Fetch-Site is required instead.
 */
export function mountBoards(app: Express, queues: Queues): void {
  const admin = board(queues, false);
  const readOnly = board(queues, true);
  const guard: RequestHandler = (req, res, next) => {
    const s = sessionOf(res);
    const isApi = req.path.startsWith('/api/') || req.path.startsWith('/static/');
    if (!s) {
      if (!isApi && (req.method === 'GET' || req.method === 'HEAD')) {
        res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      res.status(401).json({ error: 'unauthenticated', message: 'ログインしてください' });
      return;
    }
    if (isApi) {
      const bad = badBoardQuery(req.query as Record<string, unknown>);
      if (bad) {
        res.status(400).json({ error: 'bad_request', message: bad });
        return;
      }
      withMessages(res, req.path);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (!roleAllows(s.user.role, 'admin')) {
        res.status(403).json({ error: 'forbidden', message: 'ジョブの操作は管理者だけができます' });
        return;
      }
      if (sameOrigin(req) !== true) {
        res.status(403).json({ error: 'csrf', message: '同じサイトからの操作ではありません' });
        return;
      }
    }
    next();
  };
  // Like app.use(path, subApp), but the role picks the sub-app; the request's prototypes are put back
  // if the board passes the request on (as Express does for a mounted app).
  const dispatch: RequestHandler = (req, res, next) => {
    const s = sessionOf(res);
    const target = s && roleAllows(s.user.role, 'admin') ? admin : readOnly;
    const reqProto = Object.getPrototypeOf(req) as object;
    const resProto = Object.getPrototypeOf(res) as object;
    target(req, res, (err?: unknown) => {
      Object.setPrototypeOf(req, reqProto);
      Object.setPrototypeOf(res, resProto);
      next(err);
    });
  };
  app.use(BOARD_PATH, guard, dispatch);
}
