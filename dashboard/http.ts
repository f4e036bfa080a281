// The dashboard's route table: every route is declared with who may call it, and the guards follow
// from that declaration (session → role → CSRF → body parser → handler). Nothing is registered on the
// app any other way, so the route-by-route auth test can hold every Express route to its declaration.
// A handler throws to refuse: an HttpError, or a RuleRefusal from below (→ 400 with its message, 404
// when the rule is `not_found`);
// anything else is a fault of ours (→ 500, logged with its stack, none in the answer).
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { z } from 'zod';
import { isRuleRefusal } from '../domain/refusal.js';
import { unstorablePath } from '../domain/storable.js';
import { type Logger, logger } from '../infra/logger.js';

export type Role = 'viewer' | 'operator' | 'admin';
/** `public`: no session needed (login page, health); otherwise the least role that may call it. */
export type Access = 'public' | Role;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Pages answer an anonymous request with a redirect to /login; API routes with 401 JSON. */
export type RouteKind = 'page' | 'api';
/** `stream`: the route reads the request itself (a file of any size: dashboard/upload-file.ts). */
export type BodyKind = 'json' | 'raw' | 'form' | 'none' | 'stream';

export interface RouteDef {
  method: Method;
  path: string;
  access: Access;
  kind: RouteKind;
}

/** An error that becomes an HTTP answer: `{ error: code, message }` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = status === 404 ? 'not_found' : status === 403 ? 'forbidden' : 'bad_request',
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message = '見つかりません') => new HttpError(404, message);

/** Parses with zod; the first issue becomes a 400 naming the field. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw badRequest(`${issue.path.join('.') || '入力'}: ${issue.message}`);
}

/** Query strings from forms send empty fields as ''; treat them as absent. */
export function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && s.trim() !== '') out[k] = s.trim();
  }
  return out;
}

export type Handler = (req: Request, res: Response) => unknown;

export interface Guards {
  /** Session present and role at least `access` (pages redirect, API answers 401/403). */
  require(access: Role, kind: RouteKind): RequestHandler;
  /** Synchronizer token in X-CSRF-Token, and no cross-site Origin. */
  csrf: RequestHandler;
}

const BODY: Record<BodyKind, RequestHandler[]> = {
  json: [express.json({ limit: '1mb' })],
  // Uploads (CSV files) arrive as the request body itself; the file name travels in X-File-Name.
  raw: [express.raw({ type: () => true, limit: '20mb' })],
  // The login form: a plain HTML form post, or JSON from the login page's script.
  form: [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })],
  none: [],
  stream: [],
};

/**
 * A NUL byte anywhere in the URL (path or query string, Bull Board's included) is refused before any
 * route sees it: no screen sends one, PostgreSQL cannot store one, and some libraries choke on it.
 */
export const refuseNulInUrl: RequestHandler = (req, _res, next) => {
  next(/%00/.test(req.originalUrl) ? badRequest('URL に使えない文字（NUL）が含まれています') : undefined);
};

/** A parsed JSON body holding text PostgreSQL cannot store (NUL, a lone surrogate): 400 naming the field. */
const refuseUnstorableBody: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  const at = body && typeof body === 'object' && !Buffer.isBuffer(body) ? unstorablePath(body) : null;
  next(at === null ? undefined : badRequest(`${at}: 使えない文字（NUL など）が含まれています`));
};

export class RouteTable {
  readonly defs: RouteDef[] = [];

  constructor(
    private readonly app: Express,
    private readonly guards: Guards,
  ) {}

  add(
    method: Method,
    path: string,
    access: Access,
    handler: Handler,
    opts: { body?: BodyKind; kind?: RouteKind } = {},
  ): this {
    const kind = opts.kind ?? (path.startsWith('/api/') ? 'api' : 'page');
    this.defs.push({ method, path, access, kind });
    const chain: RequestHandler[] = [];
    if (access !== 'public') {
      chain.push(this.guards.require(access, kind));
      if (method !== 'get') chain.push(this.guards.csrf);
    }
    const body = opts.body ?? (method === 'get' || method === 'delete' ? 'none' : 'json');
    chain.push(...BODY[body]);
    // (The login form reads its own few fields and makes a hostile `next` harmless: safeNext.)
    if (body === 'json') chain.push(refuseUnstorableBody);
    chain.push(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const out = await handler(req, res);
        if (out !== undefined && !res.headersSent) res.json(out);
      } catch (e) {
        next(e);
      }
    });
    this.app[method](path, ...chain);
    return this;
  }
}

/**
 * PostgreSQL refused the input itself (SQLSTATE → what the screen says): a duplicate, a missing or
 * still-used reference, a check, a value of the wrong form or out of range, an impossible date, a
 * NUL byte.
 */
const INPUT_REFUSED = new Map<string, string>([
  ['23505', '同じものがすでに登録されています'], // unique_violation
  ['23503', '参照しているデータがないか、まだ使われています'], // foreign_key_violation
  ['23514', '値が条件を満たしていません'], // check_violation
  ['22P02', '値の形式が正しくありません'], // invalid_text_representation
  ['22003', '数値が大きすぎます'], // numeric_value_out_of_range
  ['22007', '日付の形式が正しくありません'], // invalid_datetime_format
  ['22008', 'ありえない日付です'], // datetime_field_overflow
  ['22021', '使えない文字が含まれています（NUL など）'], // character_not_in_repertoire
]);

/**
 * The answer for an error that is the caller's doing, or null for a fault of ours: HttpErrors as
 * they are; a RuleRefusal is a 400 with the rule's message; PostgreSQL input refusals a 400 with a
 * short message (naming the constraint, never the row); body-parser's 4xx (malformed JSON, too large).
 */
export function refusalOf(err: unknown): { status: number; body: Record<string, string> } | null {
  if (err instanceof HttpError)
    return { status: err.status, body: { error: err.code, message: err.message } };
  if (isRuleRefusal(err))
    return err.rule === 'not_found'
      ? { status: 404, body: { error: 'not_found', rule: err.rule, message: err.message } }
      : { status: 400, body: { error: 'bad_request', rule: err.rule, message: err.message } };
  const e = (err ?? {}) as {
    code?: unknown;
    constraint?: unknown;
    status?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const refused = typeof e.code === 'string' ? INPUT_REFUSED.get(e.code) : undefined;
  if (refused) {
    const message = typeof e.constraint === 'string' ? `${refused}（${e.constraint}）` : refused;
    return { status: 400, body: { error: 'bad_request', message } };
  }
  // body-parser and serve-static (http-errors): malformed JSON, too large, no such asset
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status, body: { error: 'bad_request', message: String(e.message) } };
  return null;
}

/** The error handler, logging faults to `log` (tests pass their own). */
export function errorHandlerWith(log: Pick<Logger, 'error'>) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return;
    const refused = refusalOf(err);
    if (refused) {
      res.status(refused.status).json(refused.body);
      return;
    }
    // A fault of ours: the stack goes to the log, the answer says only that it happened.
    log.error({ err, method: req.method, path: req.path }, 'dashboard error');
    res
      .status(500)
      .json({ error: 'internal', message: 'サーバーでエラーが起きました（ログを確認してください）' });
  };
}

/** Last middleware: refusals become their 4xx answer; anything else is logged and a plain 500. */
export const errorHandler = errorHandlerWith(logger);

/** An uploaded file: the raw body and its name from X-File-Name (URI-encoded by the screens). */
export function uploadOf(req: Request): { buf: Buffer; name: string } {
  const name = uploadNameOf(req);
  const buf = req.body;
  if (!Buffer.isBuffer(buf) || buf.length === 0) throw badRequest('ファイルが空です');
  return { buf, name };
}

/** The file name an upload gives in X-File-Name (URI-encoded by the screens), made safe as a name. */
export function uploadNameOf(req: Request): string {
  let name = 'upload.csv';
  const h = req.get('x-file-name');
  if (h) {
    try {
      name = decodeURIComponent(h);
    } catch {
      name = h;
    }
  }
  return name.replace(/[\\/]/g, '_').slice(0, 200);
}

export const idParam = z.coerce.number().int().positive();
