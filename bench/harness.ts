// What the benchmarks and the fault drills share: private services, databases copied from a migrated
// template, stores pointed at cart simulators, real `juchu worker` processes, imports driven through
// the queue, and the checks every run ends with. Only public entry points are used — worker
// processes, job enqueueing, the simulators' HTTP control API and SQL — so this keeps working while
// the pipeline's internals change.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { cartModule } from '../carts/registry.js';
import { shopifySettingsSchema } from '../carts/shopify/client.js';
import { ORDERS_QUERY } from '../carts/shopify/graphql.js';
import { RECORDED_NODES_FILE, recordShopifyNodes, renderShopifyOrder } from '../carts/shopify/simulator.js';
import { CATALOG } from '../carts/sim/catalog.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { createDb, type Db } from '../db/db.js';
import { migrateToLatest } from '../db/migrate.js';
import { upsertMapping } from '../db/products.js';
import { reservationMismatches } from '../db/stock.js';
import { upsertStore } from '../db/stores.js';
import { seedDemo } from '../dev/seed-demo.js';
import {
  createDatabaseFrom,
  dropDatabase,
  type RunningService,
  startPrivatePostgres,
  startPrivateRedis,
} from '../dev/services.js';
import type { CartName } from '../domain/order.js';
import { type Config, loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { createQueues, type Queues } from '../jobs/queues.js';

// The bench's own producers and pools log at warn when a drill takes Redis or PostgreSQL away: expected.
if (!process.env.LOG_LEVEL) logger.level = 'error';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_KEY = Buffer.alloc(32, 0x42);
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Services and databases

export interface BenchServices {
  /** Server URL (database `juchu`); databases of their own are made with `database()`. */
  serverUrl: string;
  redisUrl: string;
  postgres: RunningService;
  redis: RunningService;
  /** A fresh, migrated database (copied from a template migrated once). */
  database(label: string): Promise<BenchDb>;
  stop(): Promise<void>;
}

export interface BenchDb {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Private PostgreSQL and Redis, always our own (the drills restart them). Durable PostgreSQL unless
 * `unsafeFast`; Redis with its append-only file, as in production.
 */
export async function startBenchServices(
  opts: { unsafeFast?: boolean; persistentRedis?: boolean; statements?: boolean } = {},
): Promise<BenchServices> {
  const redis = await startPrivateRedis({ persistent: opts.persistentRedis ?? true });
  let postgres: RunningService;
  try {
    postgres = await startPrivatePostgres({
      unsafeFast: opts.unsafeFast ?? false,
      // Statement statistics (which statements take the time): loaded at start, created per database.
      flags: opts.statements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [],
    });
  } catch (e) {
    await redis.stop();
    throw e;
  }
  const serverUrl = postgres.url;
  let template: string | null = null;
  const made = new Set<string>();
  return {
    serverUrl,
    redisUrl: redis.url,
    postgres,
    redis,
    async database(label) {
      if (!template) {
        template = `juchu_bench_tpl_${process.pid}`;
        const url = await createDatabaseFrom(serverUrl, template);
        const db = createDb(url, { max: 2 });
        try {
          await migrateToLatest(db);
          if (opts.statements) await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(db);
        } finally {
          await db.destroy();
        }
      }
      const name = `juchu_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
      const url = await createDatabaseFrom(serverUrl, name, template);
      made.add(name);
      const db = createDb(url, { max: 10, applicationName: `juchu-bench-${label}` });
      return {
        db,
        url,
        name,
        async drop() {
          await db.destroy();
          await dropDatabase(serverUrl, name).catch(() => undefined);
          made.delete(name);
        },
      };
    },
    async stop() {
      await Promise.allSettled([postgres.stop(), redis.stop()]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Stores and simulators

export interface SimOrderRef {
  cartOrderNo: string;
  state: string;
}

export interface BenchStore {
  code: string;
  cart: CartName;
  sim: RunningSimulator;
  orders: number;
  /** The clock of every simulator of the run: stands still unless advanced. */
  clock: SimClock;
  /**
   * The orders a pre-rendered simulator serves (its own order list, GET /__sim/orders, is empty:
   * it serves recorded bodies); for a live simulator the list is asked for at check time.
   */
  expected?: SimOrderRef[];
}

/**
 * The simulators' clock. It stands still while an import runs, so that no order changes in the cart
 * in the middle of the import: an order updated after its window's end while the window is still
 * being paged is (rightly) left to the next window, and a single import would then look incomplete.
 */
export class SimClock {
  now = Date.now() - 1000;
  readonly fn = () => new Date(this.now);
  /** Moves the carts' time to the present (orders placed now, events that came due). */
  advance(): void {
    this.now = Date.now() - 1000;
  }
}

/** Cart of each of the stores: Shopify and Rakuten (page-batched), plus makeshop. */
export const DEFAULT_CARTS: readonly CartName[] = [
  'shopify',
  'rakuten',
  'shopify',
  'makeshop',
  'shopify',
  'rakuten',
  'shopify',
  'rakuten',
  'shopify',
  'makeshop',
];

/**
 * Starts a simulator per store with `total` orders spread over them (over the two days before the
 * simulators' clock), all on one clock that stands still (see SimClock).
 *
 * `prerender` (Shopify only): the live simulator renders every order of the store on every page
 * request (O(orders) per page, O(orders²) per import: at 10,000 orders a store, half a second a page
 * and most of a 100,000-order run). The orders are rendered once instead and served from recorded
 * bodies by the same simulator code (its fixturesDir mode), so that the benchmark measures juchu,
 * not the simulator: the REST records and the GraphQL nodes the adapter's orders query selects.
 */
export async function startStores(
  total: number,
  opts: {
    stores?: number;
    carts?: readonly CartName[];
    seed?: number;
    prefix?: string;
    prerender?: boolean;
    /** The carts' documented limits enforced (the write-back bench); off by default. */
    rateLimits?: boolean;
  } = {},
): Promise<BenchStore[]> {
  const n = opts.stores ?? 10;
  const carts = opts.carts ?? DEFAULT_CARTS;
  const clock = new SimClock();
  const out: BenchStore[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const cart = carts[i % carts.length]!;
      const orders = Math.floor(total / n) + (i < total % n ? 1 : 0);
      const simOpts = {
        orders,
        seed: (opts.seed ?? 7000) + i,
        from: new Date(clock.now - 2 * DAY),
        to: new Date(clock.now - 5 * 60_000),
        rateLimits: opts.rateLimits ?? false,
        clock: clock.fn,
      };
      const code = `${opts.prefix ?? 'bench'}-${cart}-${i + 1}`;
      if (opts.prerender && cart === 'shopify') {
        const live = await cartSimulator(cart).start(simOpts);
        let expected: SimOrderRef[];
        const dir = await mkdtemp(path.join(tmpdir(), 'juchu-bench-sim-'));
        try {
          expected = (await (await fetch(`${live.url}/__sim/orders`)).json()) as SimOrderRef[];
          const bodies = live.book.visible().map(renderShopifyOrder);
          await writeFile(path.join(dir, 'orders.json'), JSON.stringify({ orders: bodies }));
          // The GraphQL nodes too, as the adapter's orders query selects them (the default for new
          // stores): projecting each order's node would otherwise be simulator CPU inside the import.
          const lines = shopifySettingsSchema.shape.lineItemsFirst.parse(undefined);
          const nodes = recordShopifyNodes(bodies, ORDERS_QUERY, { lines });
          await writeFile(path.join(dir, RECORDED_NODES_FILE), JSON.stringify(nodes));
        } finally {
          await live.stop();
        }
        const sim = await cartSimulator(cart).start({ ...simOpts, fixturesDir: dir });
        await rm(dir, { recursive: true, force: true });
        out.push({ code, cart, sim, orders, clock, expected });
      } else {
        const sim = await cartSimulator(cart).start(simOpts);
        out.push({ code, cart, sim, orders, clock });
      }
    }
  } catch (e) {
    await stopStores(out);
    throw e;
  }
  return out;
}

export async function stopStores(stores: readonly BenchStore[]): Promise<void> {
  await Promise.allSettled(stores.map((s) => s.sim.stop()));
}

/**
 * Demo master data (products, warehouses) and the bench stores. `stock` sets on-hand per product and
 * warehouse: `ample` (every order is served), or a number of units (scarce).
 */
export async function seedStores(
  db: Db,
  stores: ReadonlyArray<Pick<BenchStore, 'code' | 'cart'> & { sim: { url: string } }>,
  stock: 'ample' | number = 'ample',
  /** Shopify stores' orders API (the default GraphQL, or the REST fallback a store may choose). */
  shopifyApi?: 'graphql' | 'rest',
): Promise<void> {
  await seedDemo(db, { baseUrls: {}, csvInbox: '/nonexistent', key: BENCH_KEY });
  await db.updateTable('stores').set({ enabled: false }).execute(); // the demo's own stores sit idle
  for (const s of stores) {
    const store = await upsertStore(
      db,
      {
        code: s.code,
        cart: s.cart,
        name: `bench ${s.code}`,
        baseUrl: s.sim.url,
        // Pointed at a local simulator: only a test store may be (jobs/deps.ts checks before sending).
        testStore: true,
        credentials: cartModule(s.cart).demoCredentials as Record<string, unknown>,
        // Every status the cart has (null would mean the cart's default selection, which leaves some
        // out, e.g. Amazon's Pending): everything the simulator generated is imported.
        settings: {
          importStatuses: cartModule(s.cart).cartStatuses.map((c: { code: string }) => c.code),
          initialImportDays: 3,
          settleLagSeconds: 0,
          ...(s.cart === 'shopify' && shopifyApi ? { ordersApi: shopifyApi } : {}),
        },
      },
      BENCH_KEY,
    );
    for (const p of CATALOG.filter((c) => c.inMaster && (c.cartCode !== c.masterCode || c.cartOptionCode)))
      await upsertMapping(db, {
        storeId: store.id,
        cartProductCode: p.cartCode,
        cartOptionCode: p.cartOptionCode,
        productCode: p.masterCode,
        unitsPerCartUnit: p.unitsPerCartUnit,
      });
  }
  await setStock(db, stock);
}

export async function setStock(db: Db, stock: 'ample' | number): Promise<void> {
  const units = stock === 'ample' ? 10_000_000 : stock;
  await sql`UPDATE stock_levels SET on_hand = GREATEST(${units}::int, reserved)`.execute(db);
}

// ---------------------------------------------------------------------------------------------
// Worker processes

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  concurrency?: number;
  lockMs?: number;
  leaseSeconds?: number;
  backoffMs?: number;
  poolMax?: number;
}

export function workerEnv(w: WorkerEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: w.databaseUrl,
    REDIS_URL: w.redisUrl,
    JUCHU_SECRET_KEY: BENCH_KEY.toString('hex'),
    QUEUE_PREFIX: w.prefix,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(w.concurrency ?? 4),
    ...(w.lockMs ? { JOB_LOCK_MS: String(w.lockMs) } : {}),
    ...(w.leaseSeconds ? { IMPORT_LEASE_SECONDS: String(w.leaseSeconds) } : {}),
    ...(w.backoffMs ? { JOB_BACKOFF_MS: String(w.backoffMs) } : {}),
    ...(w.poolMax ? { PG_POOL_MAX: String(w.poolMax) } : {}),
  };
}

export interface WorkerProc {
  child: ChildProcess;
  pid: number;
  /** The script it runs: bin/juchu.mjs (TypeScript through tsx) or a compiled cli/main.js. */
  entry: string;
  startedAt: number;
  /** Peak resident set size seen (kB, from VmHWM), updated while it runs. */
  peakKb: number;
  /** How it ended: null while it runs. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Last lines it wrote to stderr/stdout. */
  tail: string[];
  exited: Promise<void>;
}

/** VmHWM (peak RSS) of a live process in kB; null once it is gone. */
export function peakRssKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime, stime, cutime, cstime and ppid of a process (seconds, from /proc/<pid>/stat); null if gone. */
function procStat(pid: number): { self: number; children: number; ppid: number } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const tick = 100; // CLK_TCK on Linux
    return {
      ppid: Number(f[1]),
      self: (Number(f[11]) + Number(f[12])) / tick,
      children: (Number(f[13]) + Number(f[14])) / tick,
    };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by a process tree: the process, its live children, and the children it
 * has already reaped (PostgreSQL: the postmaster and its backends, also those that have exited).
 */
export function treeCpuSeconds(pid: number | null): number {
  if (!pid) return 0;
  const root = procStat(pid);
  if (!root) return 0;
  let total = root.self + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(Number(entry));
    if (st && st.ppid === pid) total += st.self;
  }
  return total;
}

/** CPU seconds of single processes (no children). */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((n, pid) => n + (procStat(pid)?.self ?? 0), 0);
}

/** A set of `juchu worker` processes: start, kill -9, stop; peak memory sampled while they run. */
export class WorkerPool {
  readonly procs: WorkerProc[] = [];
  private readonly sampler: NodeJS.Timeout;
  private started = 0;
  /** Program and arguments the next workers are started under (empty: node itself). */
  launcher: string[] = [];
  /** Options for node itself, before the script: those NODE_OPTIONS refuses (`--cpu-prof`). */
  nodeArgs: string[] = [];

  /** `entries`: scripts to run `worker` with, taken in turn (default: bin/juchu.mjs, from source). */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly args: string[] = [],
    private readonly entries: string[] = [path.join(ROOT, 'bin/juchu.mjs')],
  ) {
    this.sampler = setInterval(() => this.sample(), 250);
    this.sampler.unref();
  }

  private sample(): void {
    for (const p of this.live()) {
      const kb = peakRssKb(p.pid);
      if (kb !== null && kb > p.peakKb) p.peakKb = kb;
    }
  }

  live(): WorkerProc[] {
    return this.procs.filter((p) => p.exit === null);
  }

  start(): WorkerProc {
    const entry = this.entries[this.started++ % this.entries.length]!;
    // `launcher` runs the worker under another program (the clock drill: `faketime -f +30m`).
    const [cmd, ...pre] = [...this.launcher, process.execPath];
    const child = spawn(cmd!, [...pre, ...this.nodeArgs, entry, 'worker', ...this.args], {
      env: this.env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc: WorkerProc = {
      child,
      pid: child.pid ?? -1,
      entry,
      startedAt: Date.now(),
      peakKb: 0,
      exit: null,
      tail: [],
      exited: new Promise<void>((resolve) =>
        child.once('exit', (code, signal) => {
          proc.exit = { code, signal };
          resolve();
        }),
      ),
    };
    const keep = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) proc.tail.push(line);
      if (proc.tail.length > 40) proc.tail.splice(0, proc.tail.length - 40);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.procs.push(proc);
    return proc;
  }

  /** Starts `n` workers and waits until BullMQ sees them all on the import queue. */
  async startMany(n: number, queues: Queues, timeoutMs = 60_000): Promise<WorkerProc[]> {
    const before = (await queues.import.getWorkers()).length;
    const started = Array.from({ length: n }, () => this.start());
    await until(
      async () => {
        const dead = started.find((p) => p.exit !== null);
        if (dead) throw new Error(`a worker exited while starting:\n${dead.tail.join('\n')}`);
        return (await queues.import.getWorkers()).length >= before + n;
      },
      timeoutMs,
      `${n} worker(s) to connect`,
    );
    return started;
  }

  /** kill -9 */
  async kill(p: WorkerProc): Promise<void> {
    if (p.exit) return;
    const kb = peakRssKb(p.pid);
    if (kb !== null && kb > p.peakKb) p.peakKb = kb;
    p.child.kill('SIGKILL');
    await p.exited;
  }

  /** SIGTERM (graceful shutdown) then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 30_000): Promise<void> {
    this.sample();
    await Promise.all(
      this.live().map(async (p) => {
        p.child.kill('SIGTERM');
        const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
        await p.exited;
        clearTimeout(t);
      }),
    );
    clearInterval(this.sampler);
  }

  /** Largest peak RSS (kB) of the workers, or of those running `entry`. */
  peakKb(entry?: string): number {
    this.sample();
    return Math.max(0, ...this.procs.filter((p) => !entry || p.entry === entry).map((p) => p.peakKb));
  }

  /** Workers that ended other than by our SIGKILL or SIGTERM. */
  unexpectedExits(killed: ReadonlySet<number>): WorkerProc[] {
    return this.procs.filter(
      (p) => p.exit && !killed.has(p.pid) && !(p.exit.code === 0 || p.exit.signal === 'SIGTERM'),
    );
  }
}

/**
 * Compiles the app as the production image does (tsconfig.build.json) into tmp/bench-dist, so that
 * workers can also run as deployed (plain JavaScript, no tsx). Returns the entry, or null (with the
 * reason) if the compiler emitted nothing.
 */
export async function buildCompiled(): Promise<{ entry: string | null; note: string }> {
  const outDir = path.join(ROOT, 'tmp', 'bench-dist');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.once('exit', r));
  const entry = path.join(outDir, 'cli', 'main.js');
  try {
    readFileSync(entry);
  } catch {
    return { entry: null, note: `the compiled build failed: ${out.slice(0, 300)}` };
  }
  const errors = (out.match(/error TS/g) ?? []).length;
  return {
    entry,
    note: errors ? `compiled with ${errors} type errors reported (emitted anyway)` : 'compiled',
  };
}

// ---------------------------------------------------------------------------------------------
// Queues and imports

export interface QueueHandle {
  queues: Queues;
  config: Config;
  redis: Redis;
  prefix: string;
  close(): Promise<void>;
}

/** Producers for a fresh BullMQ prefix (a producer connection: it fails fast while Redis is down). */
export async function openQueues(
  redisUrl: string,
  databaseUrl: string,
  prefix?: string,
): Promise<QueueHandle> {
  const p = prefix ?? `bench-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JUCHU_SECRET_KEY: BENCH_KEY.toString('hex'),
    QUEUE_PREFIX: p,
  });
  const redis = createProducerConnection(redisUrl, 'juchu-bench');
  await ready(redis);
  const queues = createQueues(redis, config);
  return {
    queues,
    config,
    redis,
    prefix: p,
    async close() {
      await queues.close();
      redis.disconnect();
    },
  };
}

export interface ImportRun {
  jobIds: string[];
  enqueuedAt: number;
}

/** One manual `import-store` job per store. */
export async function enqueueImports(queues: Queues, stores: readonly BenchStore[]): Promise<ImportRun> {
  const enqueuedAt = Date.now();
  const jobIds: string[] = [];
  for (const s of stores) {
    const id = await queues.add('import-store', {
      storeCode: s.code,
      trigger: 'manual',
      requestedBy: 'bench',
    });
    jobIds.push(id!);
  }
  return { jobIds, enqueuedAt };
}

export interface ImportOutcome {
  /** Enqueue of the first job to the end of the last (BullMQ's finishedOn). */
  ms: number;
  states: string[];
  newOrders: number;
  failedReasons: string[];
  /** Jobs that needed more than one attempt, and why (first line of each failed attempt's error). */
  retried: string[];
}

/**
 * Waits for every job of the run to finish. Tolerates Redis being away for a while (a drill restarts
 * it): errors while polling are retried until the deadline.
 */
export async function waitForImports(
  queues: Queues,
  run: ImportRun,
  timeoutMs: number,
): Promise<ImportOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const jobs = await Promise.all(run.jobIds.map((id) => queues.import.getJob(id)));
      const done = jobs.every((j) => j?.finishedOn !== undefined);
      if (done) {
        const states = await Promise.all(jobs.map((j) => j!.getState()));
        if (states.every((s) => s === 'completed' || s === 'failed')) {
          const end = Math.max(...jobs.map((j) => j!.finishedOn!));
          return {
            ms: end - run.enqueuedAt,
            states,
            newOrders: jobs.reduce((n, j) => n + (Number((j!.returnvalue as { new?: number })?.new) || 0), 0),
            failedReasons: jobs.filter((j) => j!.failedReason).map((j) => `${j!.id}: ${j!.failedReason}`),
            retried: jobs
              .filter((j) => j!.attemptsStarted > 1 || (j!.stacktrace?.length ?? 0) > 0)
              .map(
                (j) =>
                  `${j!.data.storeCode}: started ${j!.attemptsStarted} times, stalled ${j!.stalledCounter}; ${(
                    j!.stacktrace ?? []
                  )
                    .map((t) => String(t).split('\n')[0])
                    .join(' / ')}`,
              ),
          };
        }
      }
    } catch {
      // Redis away (a drill): try again
    }
    if (Date.now() > deadline)
      throw new Error(`imports did not finish within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/**
 * Orders per store against the simulator's own order list (GET /__sim/orders): every order the cart
 * shows must be there exactly once, except those cancelled in the cart before juchu first saw them
 * (they are skipped by design; one cancelled after its import is there, flagged cancelled).
 */
export async function checkExactlyOnce(db: Db, stores: readonly BenchStore[]): Promise<Check[]> {
  const checks: Check[] = [];
  let expected = 0;
  let found = 0;
  let cancelledSkipped = 0;
  const problems: string[] = [];
  for (const s of stores) {
    const simOrders =
      s.expected ?? ((await (await fetch(`${s.sim.url}/__sim/orders`)).json()) as SimOrderRef[]);
    const rows = await sql<{ cart_order_no: string; n: number }>`
      SELECT o.cart_order_no, count(*)::int AS n FROM orders o JOIN stores s ON s.id = o.store_id
      WHERE s.code = ${s.code} GROUP BY 1`.execute(db);
    const have = new Map(rows.rows.map((r) => [r.cart_order_no, r.n]));
    const known = new Set(simOrders.map((o) => o.cartOrderNo));
    const missing = simOrders.filter((o) => o.state !== 'cancelled' && !have.has(o.cartOrderNo));
    const extra = [...have.keys()].filter((no) => !known.has(no));
    const twice = rows.rows.filter((r) => r.n > 1);
    expected += simOrders.filter((o) => o.state !== 'cancelled' || have.has(o.cartOrderNo)).length;
    cancelledSkipped += simOrders.filter((o) => o.state === 'cancelled' && !have.has(o.cartOrderNo)).length;
    found += rows.rows.length;
    if (missing.length || extra.length || twice.length)
      problems.push(
        `${s.code}: ${missing.length} missing (${missing
          .slice(0, 3)
          .map((o) => o.cartOrderNo)
          .join(', ')}), ${extra.length} unknown, ${twice.length} twice`,
      );
  }
  checks.push({
    what: 'every simulator order imported exactly once',
    ok: problems.length === 0 && expected === found,
    detail: problems.length
      ? problems.join('; ')
      : `${found} orders = the simulators' ${expected} (+${cancelledSkipped} cancelled in the cart before import, skipped by design)`,
  });
  const events = await sql<{ orders: number; once: number; more: number }>`
    SELECT count(*)::int AS orders,
           count(*) FILTER (WHERE n = 1)::int AS once,
           count(*) FILTER (WHERE n > 1)::int AS more
    FROM (SELECT o.id, (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.action = 'imported') AS n
          FROM orders o) x`.execute(db);
  const e = events.rows[0]!;
  checks.push({
    what: "one 'imported' event per order",
    ok: e.more === 0 && e.once === e.orders,
    detail: `${e.once} of ${e.orders} orders have exactly one, ${e.more} more than one`,
  });
  const rejects = await sql<{ n: number }>`SELECT count(*)::int AS n FROM import_rejects`.execute(db);
  checks.push({
    what: 'no rejected records',
    ok: rejects.rows[0]!.n === 0,
    detail: `${rejects.rows[0]!.n} rejects`,
  });
  return checks;
}

export async function checkStock(db: Db): Promise<Check[]> {
  const mismatches = await reservationMismatches(db);
  const totals = await sql<{ reserved: number; sum: number; over: number; excess: number; rows: number }>`
    SELECT (SELECT COALESCE(SUM(reserved), 0)::int FROM stock_levels) AS reserved,
           (SELECT COALESCE(SUM(quantity), 0)::int FROM reservations) AS sum,
           (SELECT count(*)::int FROM stock_levels WHERE reserved > on_hand OR reserved < 0) AS over,
           (SELECT count(*)::int FROM order_lines l
              JOIN (SELECT order_line_id, SUM(quantity) AS held FROM reservations GROUP BY 1) r ON r.order_line_id = l.id
             WHERE r.held > l.quantity * l.units_per_cart_unit) AS excess,
           (SELECT count(*)::int FROM reservations) AS rows`.execute(db);
  const t = totals.rows[0]!;
  return [
    {
      what: 'reserved = Σ reservations (per product and warehouse)',
      ok: mismatches.length === 0 && t.reserved === t.sum,
      detail: `reserved ${t.reserved}, Σ reservations ${t.sum} (${t.rows} rows), ${mismatches.length} rows disagree`,
    },
    {
      what: 'nothing oversold (0 ≤ reserved ≤ on hand)',
      ok: t.over === 0,
      detail: `${t.over} stock rows over`,
    },
    {
      what: 'no line holds more than it needs',
      ok: t.excess === 0,
      detail: `${t.excess} lines over-held`,
    },
  ];
}

export async function checkQueues(queues: Queues): Promise<Check[]> {
  const c = await queues.import.getJobCounts('active', 'wait', 'delayed', 'failed', 'completed');
  const stock = await queues.stock.getJobCounts('active', 'wait', 'delayed', 'failed');
  return [
    {
      what: 'nothing left in active, waiting or delayed',
      ok:
        c.active === 0 &&
        c.wait === 0 &&
        c.delayed === 0 &&
        stock.active === 0 &&
        stock.wait === 0 &&
        stock.delayed === 0,
      detail: `import queue: active ${c.active}, wait ${c.wait}, delayed ${c.delayed}; stock queue: active ${stock.active}, wait ${stock.wait}, delayed ${stock.delayed}`,
    },
    {
      what: 'every import job completed (none failed)',
      ok: c.failed === 0,
      detail: `completed ${c.completed}, failed ${c.failed}`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Small things

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function redisUsedMemory(url: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await r.connect();
  try {
    const info = await r.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    r.disconnect();
  }
}

export async function countOrders(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`.execute(db);
  return r.rows[0]!.n;
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  s: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
  ms: (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`),
  mb: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  x: (r: number) => `${r.toFixed(2)}×`,
};
