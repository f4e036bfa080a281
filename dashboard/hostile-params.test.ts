// Bad input is the caller's mistake, never a fault of ours (issue 12 item 8): every declared route
// and every Bull Board API route is sent hostile values — NUL bytes, impossible dates, malformed
// paging cursors, numbers too large, malformed percent-encoding, unknown queues and statuses — in
// its path parameters, its query string and its body. None may answer 500, and none may reach the
// log as a fault (the error handler logs a stack only for a 500).
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../infra/logger.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { BOARD_PATH } from './board.js';

/** Raw, already percent-encoded as they go into a URL. */
const HOSTILE = [
  '%00',
  'a%00b',
  '9999-99-99',
  '2026-02-30',
  '0000-00-00',
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  '99999999999999999999',
  '9223372036854775808',
  // base64url JSON cursors that decode but hold nonsense: a huge id, a huge sort value, a date that is not one
  Buffer.from(JSON.stringify(['x', 1e20])).toString('base64url'),
  Buffer.from(JSON.stringify([1e300, 1])).toString('base64url'),
  Buffer.from(JSON.stringify(['9999-99-99', 1])).toString('base64url'),
  Buffer.from(JSON.stringify(['a\u0000b', 1])).toString('base64url'),
  'eyJ',
  '%FF%FE',
  '%E3%81',
  '%',
  encodeURIComponent('x'.repeat(200)),
  encodeURIComponent('<script>'),
  '__proto__',
  'constructor',
];

/** Every query parameter any list or search reads, and Bull Board's. */
const QUERY_NAMES = [
  'store',
  'status',
  'group',
  'q',
  'before',
  'after',
  'size',
  'sort',
  'dir',
  'orderNo',
  'cartOrderNo',
  'orderedFrom',
  'orderedTo',
  'shipFrom',
  'shipTo',
  'warehouse',
  'product',
  'attention',
  'short',
  'outcome',
  'open',
  'next',
  'error',
  'activeQueue',
  'page',
  'jobsPerPage',
  'range',
  'from',
  'to',
  'day',
];

/** Every body field the routes read (strings where they want numbers too: the parsers must refuse). */
function hostileBody(value: string): Record<string, unknown> {
  const fields = [
    'ids',
    'orderIds',
    'storeCodes',
    'target',
    'reason',
    'paidAt',
    'trackingNumber',
    'carrier',
    'internalComment',
    'shipDate',
    'product',
    'warehouse',
    'quantity',
    'counted',
    'cartOrderNo',
    'cartProductCode',
    'cartOptionCode',
    'productCode',
    'unitsPerCartUnit',
    'storeCode',
    'code',
    'group',
    'label',
    'name',
    'cart',
    'importCron',
    'enabled',
    'baseUrl',
    'testStore',
    'settings',
    'credentials',
    'login',
    'password',
    'role',
    'displayName',
    'next',
    'data',
    'options',
    'delay',
    'priority',
    'concurrency',
    'max',
    'duration',
  ];
  const decoded = safeDecode(value);
  return Object.fromEntries(fields.map((f) => [f, decoded]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function withParams(path: string, value: string): string {
  return path.replace(/:[A-Za-z]+/g, value);
}

const query = (value: string) => QUERY_NAMES.map((n) => `${n}=${value}`).join('&');

/** Routes whose call would end the test's session or act on every queue at once. */
const SKIP = new Set(['post /logout', 'put /api/queues/pause', 'put /api/queues/resume']);

describe('hostile parameters on every route', () => {
  let d: TestDashboard;
  let admin: Client;
  const errors = vi.fn();

  beforeAll(async () => {
    d = await startTestDashboard('hostile-params');
    admin = await Client.as(d.url, 'admin');
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await d?.close();
  });

  /** What went wrong, collected so that one run shows every route that fails. */
  let failures: string[] = [];

  /** Sends one request; a 500, or a refusal without a message, is noted with what was sent. */
  async function expectRefusedOrServed(method: string, path: string, body?: unknown, raw?: Buffer) {
    const res = await admin.request(method, path, raw ? { raw } : { body });
    const what = `${method} ${path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 160)}`;
    if (res.status >= 500) failures.push(what);
    else if (res.status >= 400 && ![401, 404, 405, 413].includes(res.status)) {
      const b = res.body as { message?: unknown; error?: unknown } | string;
      if (typeof b !== 'object' || (typeof b.message !== 'string' && typeof b.error !== 'string'))
        failures.push(`${what} (no message)`);
    }
    return res;
  }

  it('answers every declared route with a 4xx (or an answer), never a 500, and logs no fault', async () => {
    const spy = vi.spyOn(logger, 'error').mockImplementation(errors as never);
    const defs = d.running.dashboard.routes.filter((r) => !SKIP.has(`${r.method} ${r.path}`));
    expect(defs.length).toBeGreaterThan(40);
    for (const r of defs) {
      const m = r.method.toUpperCase();
      // A route's hostile values side by side (each is refused on its own; nothing depends on order).
      await Promise.all(
        HOSTILE.map(async (v) => {
          const path = withParams(r.path, v);
          await expectRefusedOrServed(m, `${path}?${query(v)}`, m === 'GET' ? undefined : hostileBody(v));
          // The same path with plain parameters, hostile only in the query and body.
          if (r.path.includes(':')) {
            const plain = r.path.replace(':id', '1').replace(':code', 'shopify-global');
            await expectRefusedOrServed(m, `${plain}?${query(v)}`, m === 'GET' ? undefined : hostileBody(v));
          }
        }),
      );
      if (m !== 'GET') {
        // Uploads and JSON routes alike: a body with a NUL byte in it.
        await expectRefusedOrServed(m, withParams(r.path, '1'), undefined, Buffer.from('a,b\n\u0000,1\n'));
      }
    }
    expect([...new Set(failures)]).toEqual([]);
    expect(errors.mock.calls.map((c) => JSON.stringify(c).slice(0, 300))).toEqual([]);
    spy.mockRestore();
    failures = [];
  }, 300_000);

  it('answers every Bull Board API route with a 4xx (or an answer) for unknown queues, statuses, jobs and pages', async () => {
    const spy = vi.spyOn(logger, 'error').mockImplementation(errors as never);
    const api = appRoutes.api.flatMap((r) =>
      (Array.isArray(r.route) ? r.route : [r.route]).flatMap((p) =>
        (Array.isArray(r.method) ? r.method : [r.method]).map((m) => ({ method: m.toUpperCase(), path: p })),
      ),
    );
    for (const r of api.filter((x) => !SKIP.has(`${x.method.toLowerCase()} ${x.path}`))) {
      await Promise.all(
        [...HOSTILE, 'nonsense', 'orders-import'].map((v) =>
          expectRefusedOrServed(
            r.method,
            `${BOARD_PATH}${withParams(r.path, v)}?${query(v)}`,
            r.method === 'GET' ? undefined : hostileBody(v),
          ),
        ),
      );
    }
    for (const q of [
      'status=nonsense',
      'activeQueue=orders-import&status=nonsense',
      'activeQueue=orders-import&status=failed&page=99999999999999999999',
      'activeQueue=orders-import&status=failed&page=-1',
      'activeQueue=orders-import&status=failed&page=1e309',
      'activeQueue=orders-import&status=failed&jobsPerPage=100000000',
      'activeQueue=%00&status=%00',
      'activeQueue=%E3%81',
    ])
      await expectRefusedOrServed('GET', `${BOARD_PATH}/api/queues?${q}`);
    expect([...new Set(failures)]).toEqual([]);
    expect(errors.mock.calls.map((c) => JSON.stringify(c).slice(0, 300))).toEqual([]);
    spy.mockRestore();
    failures = [];
  }, 300_000);

  it('refuses a NUL byte anywhere with 400 and a message', async () => {
    for (const path of [
      '/api/orders?cartOrderNo=%00',
      '/api/orders/%00',
      '/api/stores/%00',
      '/api/import-runs?store=a%00',
      `${BOARD_PATH}/api/queues?activeQueue=%00`,
      '/orders?x=%00',
    ]) {
      const r = await admin.get(path);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toMatchObject({ message: expect.stringContaining('NUL') });
    }
    const put = await admin.request('PUT', '/api/statuses/gift', { body: { label: 'a\u0000b' } });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({ message: expect.stringContaining('NUL') });
  });

  it('refuses impossible dates and malformed cursors with 400 and a message', async () => {
    for (const path of [
      '/api/orders?orderedFrom=9999-99-99',
      '/api/orders?shipTo=2026-02-30',
      '/api/orders?orderedTo=0000-00-00',
      `/api/orders?after=${Buffer.from(JSON.stringify([1e300, 1])).toString('base64url')}&sort=total`,
      `/api/orders?after=${Buffer.from(JSON.stringify(['x', 1e20])).toString('base64url')}`,
      '/api/orders?after=eyJ',
      '/api/import-runs?before=99999999999999999999',
      '/api/import-rejects?before=-1',
      '/api/mappings?before=abc',
    ]) {
      const r = await admin.get(path);
      expect(r.status, path).toBe(400);
      expect(typeof (r.body as { message?: unknown }).message, path).toBe('string');
    }
  });
});
