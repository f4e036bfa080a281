// Login, roles and CSRF, route by route: the Express router is walked so that a route added without a
// declaration (and so without a guard) fails here, and every declared route is tried anonymous, as a
// viewer, as an operator and without its CSRF token. Bull Board's own routes are enumerated from
// @bull-board/api's route list and held to the same rules.
import { createHash } from 'node:crypto';
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, rawGet, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { BOARD_PATH } from './board.js';
import type { RouteDef } from './http.js';

/** Routes anyone may call. Adding one here is a decision; a route missing from here needs a session. */
const PUBLIC = ['get /login', 'post /login', 'get /healthz', 'get /readyz', 'get /metrics'];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

function registeredRoutes(d: TestDashboard): string[] {
  const stack = (d.running.dashboard.app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.flatMap((l) =>
    l.route ? Object.keys(l.route.methods).map((m) => `${m.toLowerCase()} ${l.route!.path}`) : [],
  );
}

const concrete = (path: string) =>
  path
    .replace(':id', '1')
    .replace(':code', 'shopify-global')
    .replace(':queueName', 'orders-import')
    .replace(':jobId', 'nope')
    .replace(':queueStatus', 'failed')
    .replace(':schedulerId', 'nope');

describe('dashboard auth', () => {
  let d: TestDashboard;
  let defs: readonly RouteDef[];
  let viewer: Client;
  let operator: Client;
  let admin: Client;

  beforeAll(async () => {
    d = await startTestDashboard('auth');
    defs = d.running.dashboard.routes;
    [viewer, operator, admin] = await Promise.all([
      Client.as(d.url, 'viewer'),
      Client.as(d.url, 'operator'),
      Client.as(d.url, 'admin'),
    ]);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('declares every registered route, and only the expected ones are public', () => {
    const declared = defs.map((r) => `${r.method} ${r.path}`).sort();
    expect(registeredRoutes(d).sort()).toEqual(declared);
    expect(
      defs
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([...PUBLIC].sort());
    expect(defs.length).toBeGreaterThan(40);
  });

  it('refuses anonymous requests on every non-public route: pages redirect to /login, the API answers 401', async () => {
    const anon = new Client(d.url);
    for (const r of defs.filter((x) => x.access !== 'public')) {
      const res = await anon.request(r.method.toUpperCase(), concrete(r.path), { body: {} });
      if (r.kind === 'page' && r.method === 'get') {
        expect(res.status, `${r.method} ${r.path}`).toBe(302);
        expect(res.headers.get('location'), r.path).toMatch(/^\/login\?next=/);
      } else {
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
        expect(res.body, r.path).toMatchObject({ error: 'unauthenticated' });
      }
    }
    // Unknown paths too: no page, no API, no data.
    expect((await anon.get('/api/nothing-here')).status).toBe(401);
    expect((await anon.get('/nothing-here')).status).toBe(302);
  });

  it('refuses a viewer on every operator and admin route, and an operator on every admin route (403)', async () => {
    for (const r of defs.filter((x) => x.access === 'operator' || x.access === 'admin')) {
      const res = await viewer.request(r.method.toUpperCase(), concrete(r.path), { body: {} });
      expect(res.status, `viewer ${r.method} ${r.path}`).toBe(403);
      if (r.kind === 'page' && r.method === 'get') {
        // A person opening a screen reads a Japanese page, not JSON.
        expect(res.headers.get('content-type'), r.path).toMatch(/^text\/html/);
        expect(res.text, r.path).toContain('この画面を開く権限がありません');
        expect(res.text, r.path).toContain('ログイン中: ');
      } else
        expect(res.body, r.path).toMatchObject({
          error: 'forbidden',
          message: expect.stringMatching(/権限/),
        });
    }
    for (const r of defs.filter((x) => x.access === 'admin')) {
      const res = await operator.request(r.method.toUpperCase(), concrete(r.path), { body: {} });
      expect(res.status, `operator ${r.method} ${r.path}`).toBe(403);
    }
    // Read routes stay open to viewers.
    for (const r of defs.filter(
      (x) => x.access === 'viewer' && x.method === 'get' && !x.path.includes(':'),
    )) {
      const res = await viewer.get(r.path);
      expect(res.status, `viewer ${r.path}`).toBeLessThan(400);
    }
    // A screen that is not there is a Japanese page too; an unknown API stays JSON.
    const missing = await viewer.get('/no-such-screen');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(missing.text).toContain('ページがありません');
    expect((await viewer.get('/api/no-such-api')).body).toMatchObject({ error: 'not_found' });
  });

  it('refuses every state change without the session CSRF token, with another token, or from another origin', async () => {
    const changing = defs.filter((x) => x.method !== 'get' && x.access !== 'public');
    expect(changing.length).toBeGreaterThan(20);
    const other = await Client.as(d.url, 'admin'); // a second admin session: its token is not ours
    for (const r of changing) {
      const path = concrete(r.path);
      const m = r.method.toUpperCase();
      const none = await admin.request(m, path, { body: {}, csrf: false });
      expect(none.status, `no token ${m} ${r.path}`).toBe(403);
      expect(none.body).toMatchObject({ error: 'csrf' });
      const wrong = await admin.request(m, path, { body: {}, csrf: other.csrf! });
      expect(wrong.status, `wrong token ${m} ${r.path}`).toBe(403);
      const crossSite = await admin.request(m, path, { body: {}, origin: 'https://evil.example' });
      expect(crossSite.status, `cross-site ${m} ${r.path}`).toBe(403);
    }
  });

  it('guards every Bull Board path: anonymous 401/302, viewers and operators read-only (403 on writes), admins only from our origin', async () => {
    const anon = new Client(d.url);
    const api = appRoutes.api.flatMap((r) =>
      (Array.isArray(r.route) ? r.route : [r.route]).flatMap((p) =>
        (Array.isArray(r.method) ? r.method : [r.method]).map((m) => ({ method: m.toUpperCase(), path: p })),
      ),
    );
    expect(api.length).toBeGreaterThan(25);
    for (const r of api) {
      const url = BOARD_PATH + concrete(r.path);
      expect((await anon.request(r.method, url, { body: {} })).status, `anon ${r.method} ${r.path}`).toBe(
        401,
      );
      if (r.method === 'GET') continue;
      for (const c of [viewer, operator]) {
        const res = await c.request(r.method, url, { body: {} });
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(res.body).toMatchObject({ error: 'forbidden' });
      }
      const noOrigin = await admin.request(r.method, url, { body: {}, origin: null });
      expect(noOrigin.status, `admin without Origin ${r.method} ${r.path}`).toBe(403);
      const evil = await admin.request(r.method, url, { body: {}, origin: 'https://evil.example' });
      expect(evil.status, `admin cross-site ${r.method} ${r.path}`).toBe(403);
    }
    for (const p of [appRoutes.entryPoint.route].flat()) {
      const res = await anon.get(BOARD_PATH + concrete(p));
      expect(res.status, p).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/login/);
    }
    expect((await anon.get(`${BOARD_PATH}/static/css/nothing.css`)).status).toBe(401);

    // Each role sees every queue; only the admin's board is writable.
    const vq = await viewer.get(`${BOARD_PATH}/api/queues`);
    expect(vq.status).toBe(200);
    const vQueues = (
      vq.body as { queues: Array<{ name: string; readOnlyMode: boolean; displayName?: string }> }
    ).queues;
    expect(vQueues.map((q) => q.name).sort()).toEqual([
      'maintenance',
      'orders-import',
      'shipping',
      'stock-allocation',
    ]);
    expect(vQueues.every((q) => q.readOnlyMode)).toBe(true);
    expect(vQueues.find((q) => q.name === 'orders-import')?.displayName).toBe('受注取込 (order import)');
    const aq = await admin.get(`${BOARD_PATH}/api/queues`);
    expect(
      (aq.body as { queues: Array<{ readOnlyMode: boolean }> }).queues.every((q) => !q.readOnlyMode),
    ).toBe(true);
    // An admin action from our own page goes through (pausing and resuming a queue).
    expect(
      (await admin.request('PUT', `${BOARD_PATH}/api/queues/shipping/pause`, { body: {} })).status,
    ).toBeLessThan(300);
    expect(
      (await admin.request('PUT', `${BOARD_PATH}/api/queues/shipping/resume`, { body: {} })).status,
    ).toBeLessThan(300);
    const page = await admin.get(BOARD_PATH);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/admin/queues/"');
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and stores only its hash', async () => {
    const c = new Client(d.url);
    const r = await c.request('POST', '/login', {
      body: { login: 'viewer', password: 'juchu-viewer' },
      csrf: false,
    });
    expect(r.status).toBe(200);
    const set = r.headers.getSetCookie().find((x) => x.startsWith('juchu_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/i); // COOKIE_SECURE=false in tests
    const token = c.cookie!.split('=')[1]!;
    const rows = await d.t.db.selectFrom('sessions').select('id').execute();
    expect(rows.map((x) => x.id)).toContain(
      createHash('sha256').update(decodeURIComponent(token)).digest('hex'),
    );
    expect(rows.map((x) => x.id)).not.toContain(token);
    // helmet's headers are on every answer
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = (await c.get('/orders')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    // Nothing from another site (helmet's defaults would let fonts and styles come from any https:).
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("font-src 'self';");
    expect(csp).not.toMatch(/https?:/);
  });

  it('logs out: the session stops working at once', async () => {
    const c = await Client.as(d.url, 'operator');
    expect((await c.get('/api/me')).status).toBe(200);
    const cookie = c.cookie;
    expect((await c.post('/logout')).status).toBe(200);
    c.cookie = cookie; // even if a browser kept the old cookie
    expect((await c.get('/api/me')).status).toBe(401);
  });

  it('refuses wrong passwords and a login from another site', async () => {
    const c = new Client(d.url);
    expect((await c.login('admin', 'not-the-password')).status).toBe(401);
    expect((await c.login('nobody', 'whatever-password')).status).toBe(401);
    const cross = await c.request('POST', '/login', {
      body: { login: 'admin', password: 'juchu-admin' },
      origin: 'https://evil.example',
    });
    expect(cross.status).toBe(403);
    expect(c.cookie).toBeNull();
    // The plain HTML form works too (no script): a 303 to the page asked for.
    const form = await fetch(`${d.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: d.url },
      body: 'login=viewer&password=juchu-viewer&next=%2Fstock',
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/stock');
    const offsite = await fetch(`${d.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: d.url },
      body: 'login=viewer&password=juchu-viewer&next=%2F%2Fevil.example',
      redirect: 'manual',
    });
    expect(offsite.headers.get('location')).toBe('/orders');
  });

  it('goes back only to a path on this site after login (hostile next values end at /orders)', async () => {
    const hostile: unknown[] = [
      '//evil.example',
      '///evil.example',
      '/\t/evil.example', // what /login?next=%2F%09%2Fevil.example hands the form
      '/%09/evil.example',
      '/\r\n/evil.example',
      '/\u0000/evil.example',
      '/\\evil.example',
      '/%5Cevil.example',
      '\\\\evil.example',
      '%2F%2Fevil.example',
      '/%2F%2Fevil.example',
      '/%2F/evil.example',
      '/.//evil.example',
      '/%2e//evil.example',
      '/orders/..//evil.example',
      'https://evil.example',
      'HTTPS://evil.example/orders',
      'http:/evil.example',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      ' /orders',
      '/orders\u2028',
      '/%E0%A4%A',
      '',
      42,
      ['/stock', '//evil.example'],
      { toString: '//evil.example' },
    ];
    const fine: Array<[string, string]> = [
      ['/stock', '/stock'],
      ['/orders?status=waiting&q=%E8%8C%B6%20x', '/orders?status=waiting&q=%E8%8C%B6%20x'],
      ['/orders/12#lines', '/orders/12#lines'],
      ['/admin/queues/queue/orders-import?status=failed', '/admin/queues/queue/orders-import?status=failed'],
      ['/orders/../stock', '/stock'],
    ];
    const c = new Client(d.url);
    for (const next of hostile) {
      const r = await c.request('POST', '/login', {
        body: { login: 'viewer', password: 'juchu-viewer', next },
        csrf: false,
      });
      expect(r.status, JSON.stringify(next)).toBe(200);
      expect((r.body as { next: string }).next, JSON.stringify(next)).toBe('/orders');
    }
    for (const [next, expected] of fine) {
      const r = await c.request('POST', '/login', {
        body: { login: 'viewer', password: 'juchu-viewer', next },
        csrf: false,
      });
      expect((r.body as { next: string }).next, next).toBe(expected);
    }
    // The plain form (a 303 the browser follows) and a refused login (back to the form) alike.
    for (const next of ['/\t/evil.example', '//evil.example', '/\\evil.example']) {
      const form = await fetch(`${d.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: d.url },
        body: new URLSearchParams({ login: 'viewer', password: 'juchu-viewer', next }).toString(),
        redirect: 'manual',
      });
      expect(form.status).toBe(303);
      expect(form.headers.get('location'), next).toBe('/orders');
      const wrong = await fetch(`${d.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: d.url },
        body: new URLSearchParams({ login: 'viewer', password: 'wrong-password', next }).toString(),
        redirect: 'manual',
      });
      expect(wrong.headers.get('location'), next).toBe('/login?error=invalid&next=%2Forders');
    }
  });

  it('answers only to its own host names: a DNS-rebinding page (its name in Host) gets 421', async () => {
    const port = new URL(d.url).port;
    for (const path of [
      '/login',
      '/orders',
      '/api/me',
      '/assets/js/login.js',
      `${BOARD_PATH}/api/queues`,
      '/metrics',
    ]) {
      const r = await rawGet(d.url, path, { host: `evil.example:${port}` });
      expect(r.status, path).toBe(421);
      expect(r.text).toContain('ALLOWED_HOSTS');
      expect((await rawGet(d.url, path, { host: `localhost.evil.example:${port}` })).status, path).toBe(421);
    }
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      '127.0.0.1',
      'localhost:8080',
    ])
      expect((await rawGet(d.url, '/login', { host })).status, host).toBe(200);
    // Container probes call whatever address they know.
    expect((await rawGet(d.url, '/healthz', { host: 'evil.example' })).status).toBe(200);
    expect((await rawGet(d.url, '/readyz', { host: 'evil.example' })).status).toBe(200);
  });

  it('answers /healthz, /readyz and /metrics without a session', async () => {
    const anon = new Client(d.url);
    expect((await anon.get('/healthz')).body).toEqual({ ok: true });
    expect((await anon.get('/readyz')).body).toEqual({ ok: true, database: 'ok', redis: 'ok' });
    const m = await anon.get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toContain('text/plain');
    expect(m.text).toContain('juchu_queue_jobs{queue="orders-import",state="failed"} 0');
    expect(m.text).toContain('juchu_queue_failed_jobs{queue="orders-import"} 0');
    expect(m.text).toContain('juchu_store_needs_credentials{store="shopify-global"} 0');
  });
});
