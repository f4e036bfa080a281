import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ensureServices, REDIS_INSTALL_HINT, startPrivatePostgres, startPrivateRedis } from './services.js';

function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('private services', () => {
  it('start PostgreSQL and Redis on free ports, answer, and leave no process behind when stopped', async () => {
    const s = await ensureServices({ env: {}, unsafeFastPostgres: true });
    expect(s.postgres.private && s.redis.private).toBe(true);
    const client = new pg.Client({ connectionString: s.databaseUrl });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await client.end();
    const r = new Redis(s.redisUrl);
    expect(await r.ping()).toBe('PONG');
    expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    r.disconnect();
    expect(alive(s.postgres.pid)).toBe(true);
    expect(alive(s.redis.pid)).toBe(true);
    await s.stop();
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(s.postgres.pid)).toBe(false);
    expect(alive(s.redis.pid)).toBe(false);
  });

  it('restart on the same port and data: a persistent Redis keeps its keys, PostgreSQL its rows', async () => {
    const redis = await startPrivateRedis({ persistent: true });
    const pgs = await startPrivatePostgres({ unsafeFast: true, flags: ['-c', 'work_mem=12MB'] });
    try {
      const r = new Redis(redis.url, { maxRetriesPerRequest: null });
      r.on('error', () => undefined); // refused while it restarts
      await r.set('k', 'v');
      const firstRedisPid = redis.pid;
      await redis.restart!(100);
      expect(redis.pid).not.toBe(firstRedisPid);
      expect(await r.get('k')).toBe('v'); // the same client reconnected to the same port
      r.disconnect();

      const client = new pg.Client({ connectionString: pgs.url });
      await client.connect();
      await client.query('CREATE TABLE t (x int); INSERT INTO t VALUES (42)');
      await client.end();
      await pgs.restart!();
      const again = new pg.Client({ connectionString: pgs.url });
      await again.connect();
      expect((await again.query('SELECT x FROM t')).rows).toEqual([{ x: 42 }]);
      expect((await again.query('SHOW work_mem')).rows[0].work_mem).toBe('12MB'); // extra flags, kept
      await again.end();
    } finally {
      await redis.stop();
      await pgs.stop();
    }
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(redis.pid)).toBe(false);
    expect(alive(pgs.pid)).toBe(false);
  });

  it('leave the exit code alone (a failing test run must not exit 0)', async () => {
    // A fresh process: load the module, start and stop PostgreSQL, set an exit code, end normally.
    const script = [
      "const { startPrivatePostgres } = await import('./dev/services.ts');",
      'const pg = await startPrivatePostgres({ unsafeFast: true });',
      'await pg.stop();',
      'process.exitCode = 3;',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
  });

  it('use DATABASE_URL and REDIS_URL when they are set, and start nothing', async () => {
    const s = await ensureServices({ env: { DATABASE_URL: 'postgres://x@h/db', REDIS_URL: 'redis://h:1' } });
    expect(s.postgres.private || s.redis.private).toBe(false);
    expect(s.databaseUrl).toBe('postgres://x@h/db');
    await s.stop();
  });

  it('say how to install redis-server when it is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startPrivateRedis()).rejects.toThrow(REDIS_INSTALL_HINT);
    } finally {
      process.env.PATH = path;
    }
    expect(REDIS_INSTALL_HINT).toMatch(/apt-get install -y redis-server/);
    expect(REDIS_INSTALL_HINT).toMatch(/brew install redis/);
    expect(REDIS_INSTALL_HINT).toMatch(/docker compose/);
  });
});
