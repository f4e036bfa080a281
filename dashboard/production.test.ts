// The dashboard as deployed: NODE_ENV=production, behind a proxy on this machine (TRUST_PROXY=loopback)
// under its own host name (ALLOWED_HOSTS). The demo's fixed passwords are refused at login and when
// set; admin passwords must be strong; the client address comes from X-Forwarded-For, so a shop's
// office full of guesses holds back only browsers there without a device cookie.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser, type Role } from '../db/users.js';
import { DEMO_PASSWORDS } from '../domain/passwords.js';
import {
  Client,
  postLogin,
  rawGet,
  startTestDashboard,
  type TestDashboard,
} from '../test/dashboard-testing.js';

const STRONG = { admin: 'kuma-to-ocha-2026', operator: 'sencha-kyusu-77', viewer: 'matcha-latte-3' };
const OFFICE = '198.51.100.7';
const HOME = '203.0.113.5';

describe('dashboard in production behind a proxy', () => {
  let d: TestDashboard;
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const passTime = (seconds: number) =>
    sql`UPDATE login_failures SET failed_at = failed_at - make_interval(secs => ${seconds})`.execute(d.t.db);

  beforeAll(async () => {
    d = await startTestDashboard('production', {
      env: { NODE_ENV: 'production', TRUST_PROXY: 'loopback', ALLOWED_HOSTS: 'juchu.example.com' },
    });
    // The test shop's users come with the demo's passwords; an install would set its own.
    for (const [login, password] of Object.entries(STRONG) as Array<[Role, string]>)
      await createUser(d.t.db, { login, displayName: login, role: login, password }, { production: true });
  });
  afterAll(async () => {
    await d?.close();
  });
  beforeEach(async () => {
    await d.t.db.deleteFrom('login_failures').execute();
  });

  it('refuses the demo’s fixed passwords at login, whoever’s they are, without counting a failure', async () => {
    for (const [login, password] of Object.entries(DEMO_PASSWORDS)) {
      const r = await postLogin(d.url, login, password);
      expect(r.status, login).toBe(403);
      expect(r.body.error).toBe('demo_password');
      expect(r.body.message).toContain('本番環境');
    }
    expect((await postLogin(d.url, 'someone', DEMO_PASSWORDS.admin)).status).toBe(403);
    expect(await d.t.db.selectFrom('login_failures').select('id').execute()).toEqual([]);
    // With passwords of their own they get in.
    for (const [login, password] of Object.entries(STRONG))
      expect((await postLogin(d.url, login, password)).status, login).toBe(200);
  });

  it('refuses weak admin passwords and demo passwords in the user API, with the rule in Japanese', async () => {
    const admin = new Client(d.url);
    expect((await admin.login('admin', STRONG.admin)).status).toBe(200);
    const create = (role: string, password: string, login = `u${Math.random().toString(36).slice(2, 8)}`) =>
      admin.post('/api/users', { login, displayName: login, role, password });
    const demo = await create('viewer', DEMO_PASSWORDS.viewer);
    expect(demo.status).toBe(400);
    expect((demo.body as { message: string }).message).toContain('本番環境');
    const weak = await create('admin', 'Password123!');
    expect(weak.status).toBe(400);
    expect((weak.body as { message: string }).message).toContain('よく使われるパスワード');
    expect((await create('admin', 'ocha-kuma')).status).toBe(400);
    expect((await create('viewer', 'ochaocha')).status).toBe(200);
    const made = await create('admin', 'Tz8#qL2m!vR9', 'suzuki');
    expect(made.status).toBe(200);
    const id = (made.body as { user: { id: number } }).user.id;
    // Changing an admin's password, or making someone an admin with a new one, follows the same rule.
    const change = await admin.request('PUT', `/api/users/${id}`, {
      body: { password: 'suzuki-password-1' },
    });
    expect(change.status).toBe(400);
    expect((change.body as { message: string }).message).toContain('ログイン名');
    const viewerId = (
      await d.t.db.selectFrom('users').select('id').where('login', '=', 'viewer').executeTakeFirstOrThrow()
    ).id;
    expect(
      (
        await admin.request('PUT', `/api/users/${viewerId}`, {
          body: { role: 'admin', password: 'ochaocha' },
        })
      ).status,
    ).toBe(400);
  });

  it('answers its host name, refuses others, also when a trusted proxy forwards them', async () => {
    expect((await rawGet(d.url, '/login', { host: 'juchu.example.com' })).status).toBe(200);
    expect((await rawGet(d.url, '/login', { host: 'evil.example' })).status).toBe(421);
    expect(
      (await rawGet(d.url, '/login', { host: '127.0.0.1', 'x-forwarded-host': 'evil.example' })).status,
    ).toBe(421);
    expect(
      (await rawGet(d.url, '/login', { host: '127.0.0.1', 'x-forwarded-host': 'juchu.example.com' })).status,
    ).toBe(200);
  });

  it('takes the client address from the proxy: guesses from the office do not slow anyone elsewhere', async () => {
    const viewerUsual = await postLogin(d.url, 'viewer', STRONG.viewer, { headers: from(OFFICE) });
    expect(viewerUsual.status).toBe(200);
    let failures = 0;
    while (failures < 30) {
      const r = await postLogin(d.url, `someone-${failures}`, 'wrong-password', { headers: from(OFFICE) });
      if (r.status === 429) {
        await passTime(r.retryAfter);
        continue;
      }
      expect(r.status).toBe(401);
      failures++;
    }
    const rows = await d.t.db.selectFrom('login_failures').select('address').distinct().execute();
    expect(rows).toEqual([{ address: OFFICE }]);
    // From home, no cookie: straight in. In the office: the usual browser straight in, a new one waits.
    expect((await postLogin(d.url, 'operator', STRONG.operator, { headers: from(HOME) })).status).toBe(200);
    expect(
      (await postLogin(d.url, 'viewer', STRONG.viewer, { headers: from(OFFICE), device: viewerUsual.device }))
        .status,
    ).toBe(200);
    const held = await postLogin(d.url, 'admin', STRONG.admin, { headers: from(OFFICE) });
    expect(held.status).toBe(429);
    expect(held.retryAfter).toBeLessThanOrEqual(60);
  });
});
