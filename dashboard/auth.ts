// Login, sessions, roles and CSRF.
// - A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure when
//   COOKIE_SECURE). The database keeps only its sha256 (`sessions.id`), so a leaked table does not
//   log anyone in.
// - Every state change carries the session's synchronizer token in X-CSRF-Token (the screens read it
//   from /api/me), and a request whose Origin / Sec-Fetch-Site says "another site" is refused anyway.
// - Bull Board's own PUT/POST calls cannot add our header: for those a same-origin Origin or
//   Sec-Fetch-Site is required (browsers always send one of them on such requests; another site's
//   page cannot forge them), on top of SameSite=Strict.
// - Failed logins are counted in `login_attempts` per login and per client address (5 and 20 per 15
//   minutes); past the limit the password is not even checked.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { type User, verifyPassword } from '../db/users.js';
import type { Config } from '../infra/config.js';
import type { Guards, Role, RouteKind } from './http.js';

export const SESSION_COOKIE = 'juchu_session';
export const SESSION_HOURS = 12;
export const LOGIN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_LOGIN = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface Session {
  id: string;
  csrfToken: string;
  user: User;
}

export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function cookieValue(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Did this request come from one of our own pages? true / false from Origin (host compared, so a
 * TLS-terminating proxy in front does not matter) or else Sec-Fetch-Site; null when the client sent
 * neither (not a browser: curl, scripts, tests).
 */
export function sameOrigin(req: Request): boolean | null {
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).host === req.get('host');
    } catch {
      return false;
    }
  }
  if (origin === 'null') return false;
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  return null;
}

export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}

/** The session's user; only called behind a guard. */
export function userOf(res: Response): User {
  const s = sessionOf(res);
  if (!s) throw new Error('no session (route registered without a guard?)');
  return s.user;
}

export const actorOf = (res: Response) => `user:${userOf(res).login}`;

const OWN_ORIGIN = 'http://juchu.invalid';
const FALLBACK_NEXT = '/orders';
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * The page to go back to after login: a path on this site (`/orders?status=x`), anything else
 * becomes /orders. Browsers drop tab, CR and LF inside a URL and read `\` as `/`, so `/\t/evil`,
 * `/\evil` and their percent-encoded forms would leave the site: the path is checked raw and decoded,
 * then resolved against a stand-in origin, which must not change.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || SPACE_OR_CONTROL.test(next)) return FALLBACK_NEXT;
  const path = next.split(/[?#]/, 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return FALLBACK_NEXT;
  }
  for (const p of [path, decoded]) {
    if (!p.startsWith('/') || p.startsWith('//') || p.includes('\\') || SPACE_OR_CONTROL.test(p))
      return FALLBACK_NEXT;
  }
  try {
    const u = new URL(next, OWN_ORIGIN);
    const out = u.pathname + u.search + u.hash;
    // Dot segments can still make one: /.//evil.example resolves to the path //evil.example.
    return u.origin === OWN_ORIGIN && !out.startsWith('//') ? out : FALLBACK_NEXT;
  } catch {
    return FALLBACK_NEXT;
  }
}

export class Auth implements Guards {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'COOKIE_SECURE'>,
  ) {}

  /** Reads the session cookie (if any) into res.locals.session. Never refuses by itself. */
  readonly loadSession: RequestHandler = async (req, res, next) => {
    try {
      const token = cookieValue(req, SESSION_COOKIE);
      if (token && token.length <= 100) {
        const r = await this.db
          .selectFrom('sessions as s')
          .innerJoin('users as u', 'u.id', 's.user_id')
          .select(['s.id', 's.csrf_token', 'u.id as user_id', 'u.login', 'u.display_name', 'u.role'])
          .where('s.id', '=', sha256(token))
          .where('s.expires_at', '>', sql<Date>`now()`)
          .where('u.enabled', '=', true)
          .executeTakeFirst();
        if (r)
          res.locals.session = {
            id: r.id,
            csrfToken: r.csrf_token,
            user: { id: r.user_id, login: r.login, displayName: r.display_name, role: r.role },
          } satisfies Session;
      }
      next();
    } catch (e) {
      next(e);
    }
  };

  require(access: Role, kind: RouteKind): RequestHandler {
    return (req, res, next) => {
      const s = sessionOf(res);
      if (!s) {
        if (kind === 'page' && (req.method === 'GET' || req.method === 'HEAD')) {
          res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
          return;
        }
        res.status(401).json({ error: 'unauthenticated', message: 'ログインしてください' });
        return;
      }
      if (!roleAllows(s.user.role, access)) {
        res.status(403).json({ error: 'forbidden', message: `この操作には ${access} 以上の権限が必要です` });
        return;
      }
      next();
    };
  }

  readonly csrf: RequestHandler = (req, res, next) => {
    const s = sessionOf(res);
    const token = req.get('x-csrf-token');
    if (!s || !token || !sameText(token, s.csrfToken) || sameOrigin(req) === false) {
      res
        .status(403)
        .json({ error: 'csrf', message: 'CSRF トークンが無効です。ページを再読み込みしてください' });
      return;
    }
    next();
  };

  /** Counts one attempt for each key; returns the highest count after it and when its window ends. */
  private async countAttempt(keys: string[]): Promise<Map<string, { attempts: number; resetAt: Date }>> {
    const out = new Map<string, { attempts: number; resetAt: Date }>();
    for (const key of keys) {
      // One statement: a window older than 15 minutes starts again at 1, else the count goes up.
      const r = await sql<{ attempts: number; window_start: Date }>`
        INSERT INTO login_attempts (key, window_start, attempts) VALUES (${key}, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
          attempts = CASE WHEN login_attempts.window_start < now() - make_interval(mins => ${LOGIN_WINDOW_MINUTES})
                          THEN 1 ELSE login_attempts.attempts + 1 END,
          window_start = CASE WHEN login_attempts.window_start < now() - make_interval(mins => ${LOGIN_WINDOW_MINUTES})
                          THEN now() ELSE login_attempts.window_start END
        RETURNING attempts, window_start`.execute(this.db);
      const row = r.rows[0]!;
      out.set(key, {
        attempts: row.attempts,
        resetAt: new Date(row.window_start.getTime() + LOGIN_WINDOW_MINUTES * 60_000),
      });
    }
    return out;
  }

  /**
   * Checks a login. The attempt is counted before the password is checked (two racing guesses both
   * count); a success clears the login's count and gives the address its attempt back.
   */
  async login(
    login: string,
    password: string,
    address: string,
  ): Promise<
    | { ok: true; token: string; session: Session }
    | { ok: false; reason: 'invalid' }
    | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  > {
    const loginKey = `login:${login.trim().toLowerCase()}`;
    const addressKey = `ip:${address}`;
    const counts = await this.countAttempt([loginKey, addressKey]);
    const byLogin = counts.get(loginKey)!;
    const byAddress = counts.get(addressKey)!;
    const over = [
      byLogin.attempts > MAX_FAILURES_PER_LOGIN ? byLogin : null,
      byAddress.attempts > MAX_FAILURES_PER_ADDRESS ? byAddress : null,
    ].filter((x) => x !== null);
    if (over.length) {
      const until = Math.max(...over.map((o) => o.resetAt.getTime()));
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: Math.ceil((until - Date.now()) / 1000) };
    }
    const user = await verifyPassword(this.db, login.trim(), password);
    if (!user) return { ok: false, reason: 'invalid' };
    await this.db.deleteFrom('login_attempts').where('key', '=', loginKey).execute();
    await this.db
      .updateTable('login_attempts')
      .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
      .where('key', '=', addressKey)
      .where('attempts', '>', 0)
      .execute();
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const id = sha256(token);
    await this.db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).execute();
    await this.db
      .insertInto('sessions')
      .values({
        id,
        user_id: user.id,
        csrf_token: csrfToken,
        expires_at: sql<Date>`now() + make_interval(hours => ${SESSION_HOURS})`,
      })
      .execute();
    return { ok: true, token, session: { id, csrfToken, user } };
  }

  async logout(session: Session): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', session.id).execute();
  }

  setCookie(res: Response, token: string): void {
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/',
      maxAge: SESSION_HOURS * 3600_000,
    });
  }

  clearCookie(res: Response): void {
    res.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/',
    });
  }
}
