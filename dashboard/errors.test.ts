// How the dashboard answers when a handler throws: a refusal (RuleRefusal, HttpError, PostgreSQL
// refusing the input) is a 4xx with its message; anything else is a 500 that says only that it
// happened, while the log gets the stack. First on a bare route table, then on the real routes.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleRefusal } from '../domain/refusal.js';
import { logger } from '../infra/logger.js';
import { Client, startTestDashboard, type TestDashboard } from '../test/dashboard-testing.js';
import { errorHandlerWith, type Guards, notFound, RouteTable } from './http.js';

const GENERIC_500 = {
  error: 'internal',
  message: 'サーバーでエラーが起きました（ログを確認してください）',
};

/** Looks like a stack trace: "    at fn (file.ts:1:2)" or a file path with a line number. */
const STACK = /\bat .+\(|\.ts:\d+|\.js:\d+|node:internal/;

describe('the error mapping', () => {
  let server: Server;
  let base: string;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const app = express();
    const open: Guards = { require: () => (_req, _res, next) => next(), csrf: (_req, _res, next) => next() };
    const routes = new RouteTable(app, open);
    const pg = (code: string, extra: Record<string, string> = {}) =>
      Object.assign(new Error('duplicate key value violates unique constraint; Key (login)=(hanako)'), {
        code,
        ...extra,
      });
    routes
      .add('get', '/refused', 'viewer', () => {
        throw new RuleRefusal('在庫が足りません', 'short_stock');
      })
      .add('get', '/not-found', 'viewer', () => {
        throw notFound('注文 9 はありません');
      })
      .add('get', '/duplicate', 'viewer', () => {
        throw pg('23505', { constraint: 'users_login_key', detail: 'Key (login)=(hanako) already exists.' });
      })
      .add('get', '/bad-date', 'viewer', () => {
        throw pg('22008');
      })
      .add('get', '/nul', 'viewer', () => {
        throw pg('22021');
      })
      .add('get', '/fault', 'viewer', () => {
        throw new Error('connection to 10.0.0.5:5432 lost in secretFunction');
      })
      .add('get', '/bug', 'viewer', () => {
        const o = undefined as unknown as { x: { y: number } };
        return o.x.y;
      })
      .add('get', '/other-sql-error', 'viewer', () => {
        throw pg('42P01'); // undefined_table: a fault of ours, not the caller's input
      })
      .add('post', '/json', 'viewer', (req) => ({ got: req.body }));
    app.use(errorHandlerWith({ error: (obj: Record<string, unknown>) => logged.push(obj) } as never));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const get = async (path: string) => {
    const r = await fetch(base + path);
    return {
      status: r.status,
      text: await r.clone().text(),
      body: (await r.json()) as Record<string, unknown>,
    };
  };

  it('answers a RuleRefusal with 400 and the rule’s message', async () => {
    const r = await get('/refused');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'bad_request', rule: 'short_stock', message: '在庫が足りません' });
  });

  it('answers an HttpError as it says', async () => {
    expect(await get('/not-found')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: '注文 9 はありません' },
    });
  });

  it('answers PostgreSQL input refusals with 400 and a short message that shows no row', async () => {
    const dup = await get('/duplicate');
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe('同じものがすでに登録されています（users_login_key）');
    expect(dup.text).not.toContain('hanako');
    expect((await get('/bad-date')).status).toBe(400);
    expect((await get('/nul')).body).toMatchObject({ error: 'bad_request' });
    expect(logged).toHaveLength(0);
  });

  it('answers anything else with a 500 that carries no stack and no detail, and logs the stack', async () => {
    for (const path of ['/fault', '/bug', '/other-sql-error']) {
      const r = await get(path);
      expect(r.status, path).toBe(500);
      expect(r.body, path).toEqual(GENERIC_500);
      expect(r.text, path).not.toMatch(STACK);
      expect(r.text, path).not.toContain('secretFunction');
    }
    expect(logged).toHaveLength(3);
    const [fault] = logged;
    expect(fault).toMatchObject({ method: 'GET', path: '/fault' });
    expect((fault!.err as Error).stack).toMatch(/secretFunction/);
  });

  it('still answers malformed JSON with 400', async () => {
    const r = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(r.status).toBe(400);
  });
});

describe('the dashboard’s routes', () => {
  let d: TestDashboard;
  let admin: Client;
  let viewer: Client;

  beforeAll(async () => {
    d = await startTestDashboard('errors');
    [admin, viewer] = await Promise.all([Client.as(d.url, 'admin'), Client.as(d.url, 'viewer')]);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('answer a rule’s refusal with 400 and the rule’s message', async () => {
    const r = await admin.post('/api/statuses', { code: 'x_cancel', group: 'cancellation', label: 'x' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: 'bad_request',
      rule: 'cancellation_group',
      message: 'キャンセルのグループには独自のステータスを追加できません',
    });
    const cursor = await viewer.get('/api/import-runs?before=abc');
    expect(cursor.status).toBe(400);
    expect(cursor.body).toMatchObject({ message: 'before: ページ位置が読めません' });
    const stock = await admin.post('/api/stock/correct', { product: 'NOPE', warehouse: 'tokyo', counted: 1 });
    expect(stock.body).toMatchObject({ message: '商品コード NOPE は商品マスタにありません' });
  });

  it('answer input PostgreSQL refuses (an impossible date, a NUL byte, a duplicate) with 400, not 500', async () => {
    expect((await viewer.get('/api/orders?shipFrom=2026-02-30')).status).toBe(400);
    expect((await viewer.get('/api/orders?cartOrderNo=%00')).status).toBe(400);
    // Cursors the list never made: an id past the column's range, a sort value past bigint's.
    const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect((await viewer.get('/api/mappings?before=99999999999')).status).toBe(400);
    expect((await viewer.get(`/api/orders?after=${cursor(['2026-11-25 10:00:00+09', 1e20])}`)).status).toBe(
      400,
    );
    expect(
      (await viewer.get(`/api/orders?sort=orderNo&after=${cursor(['99999999999999999999', 1])}`)).status,
    ).toBe(400);
    const status = { code: 'gift_wrap', group: 'fulfillment', label: 'ギフト包装待ち' };
    expect((await admin.post('/api/statuses', status)).status).toBe(200);
    const again = await admin.post('/api/statuses', status);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      message: expect.stringContaining('同じものがすでに登録されています'),
    });
  });

  it('answer a fault of ours with 500 and a generic message, no stack', async () => {
    const level = logger.level;
    logger.level = 'fatal'; // the expected error line would only clutter the test output
    await d.t.db.schema.alterTable('warehouses').renameTo('warehouses_away').execute();
    try {
      const r = await viewer.get('/api/warehouses');
      expect(r.status).toBe(500);
      expect(r.body).toEqual(GENERIC_500);
      expect(r.text).not.toMatch(STACK);
      expect(r.text).not.toContain('warehouses');
    } finally {
      await d.t.db.schema.alterTable('warehouses_away').renameTo('warehouses').execute();
      logger.level = level;
    }
    expect((await viewer.get('/api/warehouses')).status).toBe(200);
  });
});
