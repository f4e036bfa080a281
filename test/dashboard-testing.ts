// Test support for the dashboard: a dashboard on port 0 over a fresh test database with the demo
// shop (users admin / operator / viewer), and a small cookie-keeping HTTP client.
import { request as httpRequest } from 'node:http';
import { type RunningDashboard, startDashboard } from '../dashboard/server.js';
import type { CartName } from '../domain/order.js';
import { DEMO_PASSWORDS } from '../domain/passwords.js';
import { loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createTestDb, redisUrl, TEST_SECRET_KEY, type TestDb, uniquePrefix } from './harness.js';
import { seedTestShop } from './pipeline.js';

/** The demo users' passwords (the test shop is the demo's). */
export const PASSWORDS = DEMO_PASSWORDS;

export interface TestDashboard {
  t: TestDb;
  url: string;
  running: RunningDashboard;
  prefix: string;
  close(): Promise<void>;
}

export async function startTestDashboard(
  label: string,
  opts: { baseUrls?: Partial<Record<CartName, string>>; env?: Record<string, string> } = {},
): Promise<TestDashboard> {
  logger.level = 'warn';
  const t = await createTestDb(label);
  await seedTestShop(t, opts.baseUrls ?? {});
  const prefix = uniquePrefix(label);
  const config = loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: redisUrl(),
    JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
    QUEUE_PREFIX: prefix,
    ...opts.env,
  });
  const running = await startDashboard({ config, port: 0, host: '127.0.0.1' });
  return {
    t,
    url: running.url,
    running,
    prefix,
    async close() {
      const q = running.dashboard.queues;
      await Promise.all(
        [q.import, q.stock, q.shipping, q.maintenance].map((x) => x.obliterate({ force: true })),
      ).catch(() => undefined);
      await running.shutdown.run(10_000);
      await t.drop();
    },
  };
}

/** A GET with headers fetch will not send (Host, as a DNS-rebinding page or a proxy would have it). */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface LoginReply {
  status: number;
  body: { error?: string; message?: string; next?: string };
  /** Retry-After in seconds (0 when absent). */
  retryAfter: number;
  /** The device cookie the answer set (its value), or null. */
  device: string | null;
  /** The whole Set-Cookie line of the device cookie. */
  deviceSetCookie: string | null;
}

/** One POST /login as a browser would send it (JSON, our Origin), showing a device cookie if given. */
export async function postLogin(
  base: string,
  login: string,
  password: string,
  opts: { device?: string | null; headers?: Record<string, string> } = {},
): Promise<LoginReply> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      ...(opts.device ? { cookie: `juchu_device=${opts.device}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ login, password }),
    redirect: 'manual',
  });
  const set = res.headers.getSetCookie().find((c) => c.startsWith('juchu_device=')) ?? null;
  return {
    status: res.status,
    body: (await res.json()) as LoginReply['body'],
    retryAfter: Number(res.headers.get('retry-after') ?? 0),
    device: set ? set.split(';')[0]!.slice('juchu_device='.length) : null,
    deviceSetCookie: set,
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** fetch with a cookie jar of one session and the session's CSRF token. */
export class Client {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly base: string) {}

  async login(login: string, password: string): Promise<Reply> {
    const r = await this.request('POST', '/login', { body: { login, password }, csrf: false });
    if (r.status === 200) {
      const me = await this.request('GET', '/api/me');
      this.csrf = (me.body as { csrfToken: string }).csrfToken;
    }
    return r;
  }

  static async as(base: string, role: keyof typeof PASSWORDS): Promise<Client> {
    const c = new Client(base);
    const r = await c.login(role, PASSWORDS[role]);
    if (r.status !== 200) throw new Error(`login as ${role} failed: ${r.status} ${r.text}`);
    return c;
  }

  async request(
    method: string,
    path: string,
    opts: {
      body?: unknown;
      raw?: Buffer;
      csrf?: boolean | string;
      origin?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && opts.csrf !== false) {
      const token = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (token) headers['x-csrf-token'] = token;
    }
    // Browsers send Origin on every state-changing request; the default is ours.
    if (opts.origin !== null && method !== 'GET') headers.origin = opts.origin ?? this.base;
    let body: string | Buffer | undefined;
    if (opts.raw) {
      body = opts.raw;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (opts.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      if (pair?.startsWith('juchu_session=')) this.cookie = pair.endsWith('=') ? null : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.request('POST', path, { body: body ?? {} });
  }
}
