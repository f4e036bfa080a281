// Device cookies (OWASP's answer to lockouts an attacker can set off): a successful login gives the
// browser a signed, long-lived cookie naming that login and a random device id. A later attempt for
// the same login from a browser showing it is throttled only by that browser's own failures. One
// cookie holds up to five logins (a shared office PC). Signed with a key derived from
// JUCHU_SECRET_KEY (HMAC-SHA-256), so it cannot be made up; it grants no access by itself.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'juchu_device';
export const DEVICE_COOKIE_DAYS = 180;
const MAX_LOGINS = 5;
const VERSION = 'd1';

/** [login (lower case), device id, issued at in Unix seconds] */
type Entry = [string, string, number];

export class DeviceCookies {
  private readonly key: Buffer;

  constructor(secretKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'juchu device cookie', 32));
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest('base64url');
  }

  private entries(cookie: string | null, now: Date): Entry[] {
    if (!cookie || cookie.length > 4096) return [];
    const [version, payload, mac] = cookie.split('.');
    if (version !== VERSION || !payload || !mac) return [];
    const want = Buffer.from(this.sign(payload));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return [];
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      if (!Array.isArray(parsed)) return [];
      const oldest = now.getTime() / 1000 - DEVICE_COOKIE_DAYS * 86_400;
      return parsed.filter(
        (e): e is Entry =>
          Array.isArray(e) &&
          typeof e[0] === 'string' &&
          typeof e[1] === 'string' &&
          typeof e[2] === 'number' &&
          e[2] > oldest,
      );
    } catch {
      return [];
    }
  }

  /** The device id this cookie vouches for `login` with, or null (none, forged, expired, another login's). */
  deviceFor(cookie: string | null, login: string, now: Date): string | null {
    const name = login.trim().toLowerCase();
    return this.entries(cookie, now).find((e) => e[0] === name)?.[1] ?? null;
  }

  /** The cookie after `login` logged in from this browser: its entry renewed (same device id), first. */
  issue(cookie: string | null, login: string, now: Date): string {
    const name = login.trim().toLowerCase();
    const kept = this.entries(cookie, now);
    const device = kept.find((e) => e[0] === name)?.[1] ?? randomBytes(16).toString('base64url');
    const fresh: Entry = [name, device, Math.floor(now.getTime() / 1000)];
    const next: Entry[] = [fresh, ...kept.filter((e) => e[0] !== name)].slice(0, MAX_LOGINS);
    const payload = Buffer.from(JSON.stringify(next)).toString('base64url');
    return `${VERSION}.${payload}.${this.sign(payload)}`;
  }
}
