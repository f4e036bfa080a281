// Fail fast, say why (issue 15 item 5): each process checks PostgreSQL and Redis at start and stops
// with one line when they are wrong; every variable (LOG_LEVEL included) is checked with the others;
// the pools the deployment runs are compared with max_connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningService, startPrivateRedis } from '../dev/services.js';
import { childEnv, createTestDb, runJuchu, type TestDb, uniquePrefix } from '../test/harness.js';
import { poolFitWarning } from './preflight.js';

/** One line on stderr, no stack trace, and the process never said it started. */
function expectOneLine(r: { code: number | null; stdout: string; stderr: string }, message: RegExp) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stdout).not.toMatch(/started|listening/);
}

describe('start-up checks', () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let evicting: RunningService;
  let closedPort: number;

  beforeAll(async () => {
    [t, evicting, closedPort] = await Promise.all([
      createTestDb('preflight'),
      startPrivateRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] }),
      freePort(),
    ]);
    env = childEnv(t.url, uniquePrefix('preflight'));
  });
  afterAll(async () => {
    await Promise.all([t?.drop(), evicting?.stop()]);
  });

  it('stops a worker, a scheduler and a dashboard on a PostgreSQL that is not there, or not juchu’s', async () => {
    const bad = { ...env, DATABASE_URL: `postgres://juchu:secret@127.0.0.1:${closedPort}/juchu` };
    const at = (db: string) => ({ ...env, DATABASE_URL: t.url.replace(/\/[^/]+$/, `/${db}`) });
    const [w, s, d, missing, empty] = await Promise.all([
      runJuchu(['worker'], bad),
      runJuchu(['scheduler'], bad),
      runJuchu(['dashboard', '--port', '0'], bad),
      runJuchu(['worker'], at('no_such_db')),
      runJuchu(['scheduler'], at('postgres')),
    ]);
    for (const r of [w!, s!, d!])
      expectOneLine(
        r,
        /^juchu: PostgreSQL at postgres:\/\/juchu:\*\*\*@127\.0\.0\.1:\d+\/juchu cannot be used: .*ECONNREFUSED/,
      );
    expectOneLine(missing!, /database "no_such_db" does not exist/);
    expectOneLine(empty!, /has no juchu tables: run `juchu migrate` first/);
  });

  it('stops on a Redis that is not there, or one that evicts keys', async () => {
    const [gone, w, d] = await Promise.all([
      runJuchu(['worker'], { ...env, REDIS_URL: `redis://127.0.0.1:${closedPort}` }),
      runJuchu(['worker'], { ...env, REDIS_URL: evicting.url }),
      runJuchu(['dashboard', '--port', '0'], { ...env, REDIS_URL: evicting.url }),
    ]);
    expectOneLine(gone!, /^juchu: Redis at redis:\/\/127\.0\.0\.1:\d+\/? cannot be used: .*ECONNREFUSED/);
    for (const r of [w!, d!])
      expectOneLine(r, /maxmemory-policy is "allkeys-lru"; juchu requires "noeviction"/);
  });

  it('checks LOG_LEVEL with the other variables, without a logger stack trace', async () => {
    const r = await runJuchu(['worker'], { ...env, LOG_LEVEL: 'verbose', WORKER_PROCESSES: 'many' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LOG_LEVEL/);
    expect(r.stderr).toMatch(/WORKER_PROCESSES/);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('warns when the configured processes’ pools cannot all fit in max_connections', async () => {
    const r = await runJuchu(['stores', 'list'], { ...env, WORKER_PROCESSES: '40', PG_POOL_MAX: '20' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^juchu: warning: PostgreSQL allows \d+ connections \(max_connections \d+ − \d+ reserved; \d+ open now\) but the configured processes may open 826/,
    );
  });

  it('computes the formula: (workers + dashboards) × PG_POOL_MAX + schedulers × 2 + 4', () => {
    const facts = { maxConnections: 100, reserved: 3, inUse: 5 };
    const config = { PG_POOL_MAX: 10, WORKER_PROCESSES: 6, DASHBOARD_PROCESSES: 2, SCHEDULER_PROCESSES: 2 };
    expect(poolFitWarning(config, facts)).toBeNull(); // 80 + 4 + 4 = 88 ≤ 97
    expect(poolFitWarning({ ...config, WORKER_PROCESSES: 8 }, facts)).toMatch(/may open 108:/);
  });
});
