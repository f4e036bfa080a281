// Login, sessions, roles and CSRF.
// - A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure when
//   COOKIE_SECURE). The database keeps only its sha256 (`sessions.id`), so a leaked table does not
//   log anyone in.
// - Every state change carries the session's synchronizer token in X-CSRF-Token (the screens read it
//   from /api/me), and a request whose Origin / Sec-Fetch-Site says "another site" is refused anyway.
// - Bull Board's own PUT/POST calls cannot add our header: for those a same-origin Origin or
//   Sec-Fetch-Site is required (browsers always send one of them on such requests; another site's
//   page cannot forge them), on top of SameSite=Strict.
// - Failed logins slow further attempts down (dashboard/login-throttle.ts: growing delays per login
//   and per address, none for the browser the user logged in from before, which shows a device
//   cookie); a throttled attempt is answered without checking the password. Nothing locks anyone out.
// - With NODE_ENV=production the demo's fixed passwords are refused, whoever's they are.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/db.js';
import {
  claimLoginAttempt,
  clearLoginFailures,
  type LoginClient,
  pruneLoginFailures,
} from '../db/login-failures.js';
import { endSession, findLiveSession, openSession } from '../db/sessions.js';
import { type User, verifyPassword } from '../db/users.js';
import { isDemoPassword } from '../domain/passwords.js';
import type { Config } from '../infra/config.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, DeviceCookies } from './device-cookie.js';
import type { Guards, Role, RouteKind } from './http.js';
import { FAILURE_MEMORY_HOURS, secondsToWait } from './login-throttle.js';
import { ROLE_LABELS, sendForbiddenPage } from './refusal-page.js';

export const SESSION_COOKIE = 'juchu_session';
export const SESSION_HOURS = 12;

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

export function cookieValue(req: Request, name: string): string | null {
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

export type LoginResult =
  | { ok: true; token: string; session: Session; deviceCookie: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; reason: 'demo_password' };

export class Auth implements Guards {
  private readonly devices: DeviceCookies;

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'COOKIE_SECURE' | 'JUCHU_SECRET_KEY' | 'NODE_ENV'>,
  ) {
    this.devices = new DeviceCookies(config.JUCHU_SECRET_KEY);
  }

  /** Reads the session cookie (if any) into res.locals.session. Never refuses by itself. */
  readonly loadSession: RequestHandler = async (req, res, next) => {
    try {
      const token = cookieValue(req, SESSION_COOKIE);
      if (token && token.length <= 100) {
        const found = await findLiveSession(this.db, sha256(token));
        if (found) res.locals.session = found satisfies Session;
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
        // A person opening a screen reads a page; a script calling the API reads JSON.
        if (kind === 'page' && (req.method === 'GET' || req.method === 'HEAD'))
          return sendForbiddenPage(res, s.user, access);
        res.status(403).json({
          error: 'forbidden',
          message: `この操作には「${ROLE_LABELS[access]}」以上の権限が必要です`,
        });
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

  /**
   * Checks a login from a client (its address and the device cookie it showed, if any). The attempt
   * is written as a failure before the password is checked (racing guesses all count, see
   * db/login-failures.ts); a success takes it back, along with this client's earlier failures.
   */
  async login(
    login: string,
    password: string,
    client: { address: string; deviceCookie: string | null },
  ): Promise<LoginResult> {
    if (this.config.NODE_ENV === 'production' && isDemoPassword(password))
      return { ok: false, reason: 'demo_password' };
    const name = login.trim();
    const key: LoginClient = {
      login: name.toLowerCase(),
      address: client.address,
      device: this.devices.deviceFor(client.deviceCookie, name, new Date()),
    };
    await pruneLoginFailures(this.db, FAILURE_MEMORY_HOURS);
    const claim = await claimLoginAttempt(this.db, key, FAILURE_MEMORY_HOURS, (counts) =>
      secondsToWait(counts, counts.now),
    );
    if (claim.attemptId === null)
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: claim.waitSeconds };
    const user = await verifyPassword(this.db, name, password);
    if (!user) return { ok: false, reason: 'invalid' };
    await clearLoginFailures(this.db, key, claim.attemptId);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const id = sha256(token);
    await openSession(this.db, { id, userId: user.id, csrfToken, hours: SESSION_HOURS });
    return {
      ok: true,
      token,
      session: { id, csrfToken, user },
      deviceCookie: this.devices.issue(client.deviceCookie, name, new Date()),
    };
  }

  async logout(session: Session): Promise<void> {
    await endSession(this.db, session.id);
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

  /** The device cookie goes only to /login, the one place it is read. */
  setDeviceCookie(res: Response, value: string): void {
    res.cookie(DEVICE_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/login',
      maxAge: DEVICE_COOKIE_DAYS * 86_400_000,
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
