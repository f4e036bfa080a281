// Bull Board at /admin/queues: every queue of the catalogue with its display name and description.
// Two boards are built on the same path — a full one for admins and a read-only one (readOnlyMode:
// the write endpoints answer 405 and the UI hides every action) for viewers and operators — and the
// request's role picks one. Job data and return values are shown through redactPersonal. Its page is
// rendered without the web fonts its template links from a public CDN: the dashboard loads nothing
// from outside (it works offline, and tells no one who is looking at it); the CSP enforces it.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, RequestHandler } from 'express';
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
