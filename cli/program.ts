// The juchu command tree. `juchu <command> --help` describes each command.
import { Command } from 'commander';
import { migrateDownAll, migrateToLatest } from '../db/migrate.js';
import { DEMO_USERS, demoUsersWithRandomPasswords, seedDemo } from '../dev/seed-demo.js';
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
  registerOrderCommands(program);
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
