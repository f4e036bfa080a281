// The juchu command tree. `juchu <command> --help` describes each command.
import { format } from 'node:util';
import { Command, CommanderError } from 'commander';
import { migrateDownAll, migrateToLatest } from '../db/migrate.js';
import { DEMO_USERS, demoUsersWithRandomPasswords, seedDemo } from '../dev/seed-demo.js';
import { LOG_LEVELS } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { preflight } from '../infra/preflight.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { Shutdown } from '../infra/shutdown.js';
import { createQueues } from '../jobs/queues.js';
import { Scheduler } from '../workers/scheduler.js';
import { startWorkers } from '../workers/worker.js';
import { registerActionCommands } from './actions-cli.js';
import { registerAdminCommands } from './admin-cli.js';
import { registerCarrierCommands } from './carriers-cli.js';
import { registerCartCommands } from './carts-cli.js';
import { runDemo } from './demo.js';
import { registerLabelCommands } from './labels-cli.js';
import { registerMasterCommands } from './masters-cli.js';
import { registerOrderCommands } from './orders-cli.js';
import { registerProductCommands } from './products-cli.js';
import { configOrExit, withDb } from './runtime.js';
import { registerSalesCommands } from './sales-cli.js';
import { registerSetCommands } from './sets-cli.js';
import { registerShipCommands } from './shipping-cli.js';
import { registerStatusCommands } from './statuses-cli.js';
import { registerStockCommands } from './stock-cli.js';
import { registerUploadCommands } from './uploads-cli.js';
import { registerWarehouseCommands } from './warehouses-cli.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('juchu')
    .description(
      '受注 — order desk for Japanese online shops: imports, checks, stock and shipping as background jobs',
    )
    .showHelpAfterError();

  program
    .command('migrate')
    .description('Apply database migrations (safe to run from several processes at once)')
    .option('--down', 'roll every migration back (drops all data!)')
    .action(async (o: { down?: boolean }) =>
      withDb(async ({ db }) => {
        const done = o.down ? await migrateDownAll(db) : await migrateToLatest(db);
        process.stdout.write(done.length ? `${done.join('\n')}\n` : 'database is up to date\n');
      }),
    );

  program
    .command('seed-demo')
    .description(
      'Load demo data: products, warehouses and stock, a store per cart (pointed at local simulators), users',
    )
    .option('--sim-host <url>', 'where the simulators listen', 'http://127.0.0.1')
    .option('--csv-inbox <dir>', 'folder of the CSV store', './tmp/csv-inbox')
    .action(async (o: { simHost: string; csvInbox: string }) =>
      withDb(async ({ db, config }) => {
        const { DEMO_SIM_PORTS } = await import('./demo.js');
        const baseUrls = Object.fromEntries(
          Object.entries(DEMO_SIM_PORTS).map(([cart, port]) => [cart, `${o.simHost}:${port}`]),
        );
        // The fixed demo passwords are public: a production install gets random ones instead.
        const production = config.NODE_ENV === 'production';
        const users = production ? demoUsersWithRandomPasswords() : DEMO_USERS;
        await seedDemo(db, {
          baseUrls,
          csvInbox: o.csvInbox,
          key: config.JUCHU_SECRET_KEY,
          users,
          production,
        });
        process.stdout.write('demo data loaded\n');
        for (const u of users) process.stdout.write(`  login  ${u.login} / ${u.password}  (${u.role})\n`);
        process.stdout.write(
          production
            ? "  (random passwords: NODE_ENV=production refuses the demo's fixed ones)\n"
            : '  (demo-only passwords, refused when NODE_ENV=production)\n',
        );
      }),
    );

  program
    .command('worker')
    .description(
      'Run jobs: imports, stock allocation, shipping stages (run as many as you like, on any machine)',
    )
    .option('--queues <keys>', 'only these queues (import,stock,shipping,maintenance)')
    .option('--concurrency <n>', 'jobs at once per queue (default WORKER_CONCURRENCY)')
    .action(async (o: { queues?: string; concurrency?: string }) => {
      const config = configOrExit();
      const w = await startWorkers({
        config,
        queues: o.queues ? (o.queues.split(',') as never) : undefined,
        concurrency: o.concurrency ? Number(o.concurrency) : undefined,
      });
      w.shutdown.onSignals();
    });

  program
    .command('scheduler')
    .description(
      "Fire each store's import cron (Asia/Tokyo) and the sweeps; enqueues only (safe to run several)",
    )
    .action(async () => {
      const config = configOrExit();
      for (const w of (await preflight(config, { role: 'scheduler' })).warnings) logger.warn(w);
      const { createDb } = await import('../db/db.js');
      const db = createDb(config.DATABASE_URL, { max: 2, applicationName: 'juchu-scheduler' });
      const redis = createProducerConnection(config, 'juchu-scheduler');
      await ready(redis);
      const queues = createQueues(redis, config);
      const scheduler = new Scheduler({ db, queues, refreshSeconds: config.SCHEDULER_REFRESH_SECONDS });
      await scheduler.start();
      logger.info({ schedules: scheduler.scheduleIds }, 'scheduler started');
      new Shutdown()
        .add('scheduler', () => scheduler.stop())
        .add('queues', () => queues.close())
        .add('redis', async () => redis.disconnect())
        .add('postgres', () => db.destroy())
        .onSignals();
    });

  program
    .command('dashboard')
    .description('Serve the dashboard: order desk screens, Bull Board and the admin API (PORT, default 3000)')
    .option('--port <n>', 'port (default PORT)')
    .action(async (o: { port?: string }) => {
      const config = configOrExit();
      const { startDashboard } = await import('../dashboard/server.js');
      const d = await startDashboard({ config, port: o.port ? Number(o.port) : config.PORT });
      process.stdout.write(`dashboard on ${d.url}\n`);
      d.shutdown.onSignals();
    });

  program
    .command('demo')
    .description(
      'Everything on this machine: private PostgreSQL and Redis, demo data, cart simulators, scheduler, worker, dashboard',
    )
    .action(async () => runDemo());

  registerCartCommands(program);
  registerAdminCommands(program);
  registerStatusCommands(program);
  registerOrderCommands(program);
  registerShipCommands(program);
  registerActionCommands(program);
  registerStockCommands(program);
  registerMasterCommands(program);
  registerProductCommands(program);
  registerWarehouseCommands(program);
  registerSetCommands(program);
  registerLabelCommands(program);
  registerCarrierCommands(program);
  registerUploadCommands(program);
  registerSalesCommands(program);
  return program;
}

/** Commands that run until a signal: only a process of their own can run them. */
export const LONG_RUNNING_COMMANDS = ['worker', 'scheduler', 'dashboard', 'demo', 'simulate'] as const;

/** What `juchu` prints for an error no command handled: one line, exit 1. */
export function uncaughtMessage(e: unknown): string {
  return `juchu: ${e instanceof Error ? e.message : String(e)}\n`;
}

/** process.exit() inside runCli: the command stops here, as its process would. */
class CliExit extends Error {
  constructor(readonly code: number) {
    super(`juchu exited with ${code}`);
  }
}

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** The command's environment (its configuration, credentials named in a stores file, USER). */
  env: NodeJS.ProcessEnv;
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs `juchu <argv>` in this process and resolves with its exit code, for tests: what a command
 * prints goes to `io` and `io.env` is its environment, as if it were its own process. A command ends
 * through its own `finally` blocks (withDb / withRuntime close their pools), so a run leaves no
 * connection open; process.exit() stops the command where it is called and output after it is
 * dropped, as the process would have died there. process.stdout / process.stderr / process.env /
 * process.exit / process.exitCode are the process's own, so runs take turns (one at a time).
 * Commands that run until a signal (LONG_RUNNING_COMMANDS) are refused: spawn bin/juchu.mjs. Not the
 * same as a process: the log (pino writes to file descriptor 1 itself) is not in `io.stdout`, and
 * modules are loaded once for all runs.
 */
export function runCli(argv: string[], io: CliIo): Promise<number> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first && (LONG_RUNNING_COMMANDS as readonly string[]).includes(first))
    return Promise.reject(new Error(`runCli: juchu ${first} runs until a signal; spawn bin/juchu.mjs`));
  const run = running.then(() => runAlone(argv, io));
  running = run.catch(() => undefined);
  return run;
}

async function runAlone(argv: string[], io: CliIo): Promise<number> {
  const saved = {
    stdout: process.stdout.write,
    stderr: process.stderr.write,
    exit: process.exit,
    exitCode: process.exitCode,
    env: { ...process.env },
    logLevel: logger.level,
    console: { log: console.log, info: console.info, warn: console.warn, error: console.error },
  };
  let exited: number | undefined;
  const writer =
    (to: CliIo['stdout']) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      if (exited === undefined)
        to.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  setEnv(io.env);
  logger.level = (LOG_LEVELS as readonly string[]).includes(io.env.LOG_LEVEL ?? '')
    ? (io.env.LOG_LEVEL as string)
    : 'info';
  process.exitCode = undefined;
  process.stdout.write = writer(io.stdout) as typeof process.stdout.write;
  process.stderr.write = writer(io.stderr) as typeof process.stderr.write;
  // A test runner's console does not write to process.stdout: a command's console.* would not be seen.
  console.log = console.info = (...a: unknown[]) => process.stdout.write(`${format(...a)}\n`);
  console.warn = console.error = (...a: unknown[]) => process.stderr.write(`${format(...a)}\n`);
  process.exit = ((code?: number | string | null) => {
    exited ??= code === undefined || code === null ? Number(process.exitCode ?? 0) : Number(code);
    throw new CliExit(exited);
  }) as typeof process.exit;
  try {
    const program = buildProgram();
    // Commander's own exits (help, a missing option) come back as CommanderError instead.
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap((s) => all(s as Command))];
    for (const c of all(program)) c.exitOverride();
    await program.parseAsync(['node', 'juchu', ...argv]);
    return exited ?? Number(process.exitCode ?? 0);
  } catch (e) {
    if (exited !== undefined) return exited;
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(uncaughtMessage(e));
    return 1;
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.exit = saved.exit;
    process.exitCode = saved.exitCode;
    Object.assign(console, saved.console);
    logger.level = saved.logLevel;
    setEnv(saved.env);
  }
}

/** Makes process.env hold exactly `env` (in place: the object itself is Node's). */
function setEnv(env: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
}
