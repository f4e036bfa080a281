import { describe, expect, it } from 'vitest';
import { DEVICE_COOKIE_DAYS, DeviceCookies } from './device-cookie.js';

const now = new Date('2026-12-02T10:00:00+09:00');
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

describe('device cookies', () => {
  const cookies = new DeviceCookies(Buffer.alloc(32, 7));

  it('vouches for the login it was issued to, with the same device id when renewed', () => {
    const c = cookies.issue(null, 'Admin', now);
    const id = cookies.deviceFor(c, 'admin', now);
    expect(id).toMatch(/^[\w-]{22}$/);
    expect(cookies.deviceFor(c, 'operator', now)).toBeNull();
    const renewed = cookies.issue(c, 'admin', later(100));
    expect(cookies.deviceFor(renewed, 'admin', later(200))).toBe(id);
  });

  it('keeps up to five logins of a shared browser', () => {
    let c: string | null = null;
    for (const login of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) c = cookies.issue(c, login, now);
    expect(['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((l) => cookies.deviceFor(c, l, now) !== null)).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('refuses a forged, altered, foreign-key or expired cookie', () => {
    const c = cookies.issue(null, 'admin', now);
    const [v, payload, mac] = c.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify([['admin', 'mine', now.getTime() / 1000]])).toString(
      'base64url',
    );
    expect(cookies.deviceFor(`${v}.${forged}.${mac}`, 'admin', now)).toBeNull();
    expect(cookies.deviceFor(`${v}.${payload}.${mac.slice(0, -2)}AA`, 'admin', now)).toBeNull();
    expect(new DeviceCookies(Buffer.alloc(32, 8)).deviceFor(c, 'admin', now)).toBeNull();
    expect(cookies.deviceFor(c, 'admin', later(DEVICE_COOKIE_DAYS + 1))).toBeNull();
    for (const junk of ['', 'd1', 'd1..', 'x'.repeat(5000), 'd1.e30.abc'])
      expect(cookies.deviceFor(junk, 'admin', now)).toBeNull();
  });
});
