// Logging in under attack, through the real routes: growing waits instead of lockouts, the user's
// usual browser (its device cookie) let through while someone guesses elsewhere, an office address
// full of guesses slowing only browsers without a cookie, racing guesses held to the same schedule,
// old failures pruned, and X-Forwarded-For ignored unless TRUST_PROXY says so. Time passes by moving
// the failures back (the waits are counted from them, on the database's clock).
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postLogin, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { ACCOUNT_RULE, delaySeconds } from './login-throttle.js';

describe('login throttling', () => {
  let d: TestDashboard;
  const login = (name: string, password: string, opts?: Parameters<typeof postLogin>[3]) =>
    postLogin(d.url, name, password, opts);
  /** As if `seconds` went by since every failure so far. */
  const passTime = (seconds: number) =>
    sql`UPDATE login_failures SET failed_at = failed_at - make_interval(secs => ${seconds})`.execute(d.t.db);

  beforeAll(async () => {
    d = await startTestDashboard('login');
  });
  afterAll(async () => {
    await d?.close();
  });
  beforeEach(async () => {
    await d.t.db.deleteFrom('login_failures').execute();
  });

  it('lets the right password in from the usual browser while someone guesses it; the waits grow, no lockout', async () => {
    const usual = await login('operator', 'juchu-operator');
    expect(usual.status).toBe(200);
    expect(usual.device).toBeTruthy();
    expect(usual.deviceSetCookie).toMatch(/HttpOnly/i);
    expect(usual.deviceSetCookie).toMatch(/SameSite=Strict/i);
    expect(usual.deviceSetCookie).toMatch(/Path=\/login/);
    expect(usual.deviceSetCookie).toMatch(/Max-Age=15552000/);

    // Someone without the cookie guesses as fast as they are let.
    const waits: number[] = [];
    let failures = 0;
    while (failures < 14) {
      const r = await login('operator', `guess-${failures}`);
      if (r.status === 429) {
        expect(r.body.error).toBe('rate_limited');
        expect(r.body.message).toContain(`${r.retryAfter} 秒`);
        waits.push(r.retryAfter);
        await passTime(r.retryAfter);
        continue;
      }
      expect(r.status).toBe(401);
      failures++;
    }
    expect(waits).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => delaySeconds(ACCOUNT_RULE, n)));
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 300]);

    // The usual browser goes straight in, a made-up cookie does not help, a new browser waits its turn.
    expect((await login('operator', 'juchu-operator', { device: usual.device })).status).toBe(200);
    const forged = `d1.${Buffer.from(JSON.stringify([['operator', 'x', Date.now() / 1000]])).toString('base64url')}.AAAA`;
    expect((await login('operator', 'juchu-operator', { device: forged })).status).toBe(429);
    const fresh = await login('operator', 'juchu-operator');
    expect(fresh.status).toBe(429);
    expect(fresh.retryAfter).toBe(300);
    await passTime(300);
    expect((await login('operator', 'juchu-operator')).status).toBe(200);

    // The usual browser is held back by its own mistakes only, and briefly.
    for (let i = 0; i < 5; i++)
      expect((await login('operator', `typo-${i}`, { device: usual.device })).status).toBe(401);
    const own = await login('operator', 'juchu-operator', { device: usual.device });
    expect(own.status).toBe(429);
    expect(own.retryAfter).toBe(1);
  });

  it('an attacker behind the office address does not lock out the others there', async () => {
    const viewer = await login('viewer', 'juchu-viewer');
    expect(viewer.status).toBe(200);
    // Password spraying from the office: one guess at each of 30 logins.
    let failures = 0;
    while (failures < 30) {
      const r = await login(`someone-${failures}`, 'Password1!');
      if (r.status === 429) {
        expect(r.retryAfter).toBeLessThanOrEqual(60);
        await passTime(r.retryAfter);
        continue;
      }
      expect(r.status).toBe(401);
      failures++;
    }
    // The viewer's usual browser: straight in. The admin on a new browser: at most a minute, then in.
    expect((await login('viewer', 'juchu-viewer', { device: viewer.device })).status).toBe(200);
    const admin = await login('admin', 'juchu-admin');
    expect(admin.status).toBe(429);
    expect(admin.retryAfter).toBeGreaterThan(0);
    expect(admin.retryAfter).toBeLessThanOrEqual(60);
    await passTime(admin.retryAfter);
    expect((await login('admin', 'juchu-admin')).status).toBe(200);
  });

  it('holds racing guesses to the same schedule as patient ones', async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => login('admin', `burst-${i}`)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(ACCOUNT_RULE.free);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - ACCOUNT_RULE.free);
    const rows = await d.t.db.selectFrom('login_failures').select('login').execute();
    expect(rows).toHaveLength(ACCOUNT_RULE.free);
  });

  it('forgets failures after a day: old rows are pruned on the next attempt', async () => {
    await sql`INSERT INTO login_failures (login, address, failed_at)
              SELECT 'old-' || i, '192.0.2.1', now() - interval '25 hours' FROM generate_series(1, 50) i`.execute(
      d.t.db,
    );
    await sql`INSERT INTO login_failures (login, address, failed_at) VALUES ('recent', '192.0.2.1', now() - interval '1 hour')`.execute(
      d.t.db,
    );
    expect((await login('viewer', 'juchu-viewer')).status).toBe(200);
    const left = await d.t.db.selectFrom('login_failures').select('login').execute();
    expect(left.map((r) => r.login)).toEqual(['recent']);
  });

  it('counts by the connecting address: X-Forwarded-For is ignored unless TRUST_PROXY is set', async () => {
    expect(d.running.dashboard.app.get('trust proxy')).toBe(false);
    const r = await login('nobody', 'wrong-password', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(r.status).toBe(401);
    const rows = await d.t.db.selectFrom('login_failures').select(['login', 'address', 'device']).execute();
    expect(rows).toEqual([{ login: 'nobody', address: '127.0.0.1', device: null }]);
  });
});
