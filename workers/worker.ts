// The worker process: one BullMQ Worker per queue, all running jobs through jobs/handlers.ts.
// Several worker processes on several machines share the work through the same Redis.
import { hostname } from 'node:os';
import { MetricsTime, Worker } from 'bullmq';
import type { HttpSettings } from '../carts/contract.js';
import { stopWaiting } from '../carts/rate-limit.js';
import { databaseClock } from '../db/clock.js';
import { createDb, type Db } from '../db/db.js';
import type { Config } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import { preflight } from '../infra/preflight.js';
import {
  assertNoEviction,
  createProducerConnection,
  createWorkerConnection,
  ready,
  SlotErrorWatch,
} from '../infra/redis.js';
import { RedisLimiter } from '../infra/redis-limiter.js';
import { Shutdown } from '../infra/shutdown.js';
import { backoffStrategy } from '../jobs/backoff.js';
import { QUEUES, type QueueKey } from '../jobs/catalogue.js';
import { type JobDeps, storeActionsFactory, storeAdapterFactory } from '../jobs/deps.js';
import { runJob } from '../jobs/handlers.js';
import { createQueues } from '../jobs/queues.js';

export interface WorkerOptions {
  config: Config;
  queues?: QueueKey[];
  concurrency?: number;
  /** Cart HTTP settings (tests use short timeouts and backoffs). */
  http?: Partial<HttpSettings>;
  /** BullMQ lock settings (crash tests shorten them). */
  lockDuration?: number;
  stalledInterval?: number;
  now?: () => Date;
  /** Check PostgreSQL and Redis before starting (default true; see infra/preflight.ts). */
  preflight?: boolean;
}

export interface RunningWorkers {
  workers: Worker[];
  deps: JobDeps;
  shutdown: Shutdown;
  close(): Promise<void>;
}

export async function startWorkers(opts: WorkerOptions): Promise<RunningWorkers> {
  const { config } = opts;
  // A wrong DATABASE_URL or Redis stops the process here, with one line, before it says "started".
  if (opts.preflight !== false)
    for (const w of (await preflight(config, { role: 'worker' })).warnings) logger.warn(w);
  const connection = createWorkerConnection(config, 'juchu-worker');
  await assertNoEviction(connection);
  const producer = createProducerConnection(config, 'juchu-worker-producer');
  // The limiter's first call must not meet a connection still opening (no offline queue).
  await ready(producer);
  // One limiter per store for every process (fails fast like the producer when Redis is down). On
  // SIGTERM a request whose token is more than a second away is not sent (LimiterStopped; its job is
  // retried) instead of holding the shutdown until the bucket refills; normal pacing is waited.
  const shutdown = new Shutdown();
  const limiter = stopWaiting(new RedisLimiter(producer, config.QUEUE_PREFIX), shutdown.signal);
  const db: Db = createDb(config.DATABASE_URL, { max: config.PG_POOL_MAX, applicationName: 'juchu-worker' });
  const queues = createQueues(producer, config);
  // The jobs' clock is the database's (issue 15): a worker whose own clock is off still reads and
  // writes the times every other process does. Window ends ask PostgreSQL directly.
  const clock = opts.now ? null : await databaseClock(db);
  if (clock && Math.abs(clock.offsetMs()) > 5_000)
    logger.warn(
      { offsetMs: Math.round(clock.offsetMs()) },
      'this machine clock differs from the database clock; juchu uses the database clock',
    );
  const now = opts.now ?? clock!.now;
  const deps: JobDeps = {
    db,
    config,
    queues,
    log: logger,
    now,
    // The carts' clock too: makeshop's x-timestamp and Yahoo!'s signature carry the signing time.
    adapterFor: storeAdapterFactory(db, config.JUCHU_SECRET_KEY, opts.http, limiter, now),
    actionsFor: storeActionsFactory(db, config.JUCHU_SECRET_KEY, opts.http, limiter, now),
    limiter,
    processId: `${hostname()}-${process.pid}`,
  };
  const keys = opts.queues ?? (Object.keys(QUEUES) as QueueKey[]);
  // MOVED / CROSSSLOT answers: reported once in a while, and the workers pause while they keep coming.
  const slotErrors = new SlotErrorWatch('worker', async (ms) => {
    await Promise.all(workers.map((w) => w.pause(true)));
    await new Promise((r) => setTimeout(r, ms));
    for (const w of workers) if (!w.closing) void w.resume();
  });
  const workers: Worker[] = keys.map((k) => {
    const w = new Worker(QUEUES[k].name, (job, token) => runJob(job, token, deps), {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: opts.concurrency ?? config.WORKER_CONCURRENCY,
      settings: { backoffStrategy: backoffStrategy(config.JOB_BACKOFF_MS) },
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK * 2 },
      lockDuration: opts.lockDuration ?? config.JOB_LOCK_MS,
      // Every job is idempotent in Postgres, so a job whose worker died is simply run again; only a
      // job that keeps killing its workers (5 times) is failed for a human to look at.
      maxStalledCount: 5,
      // Check for stalled jobs as often as a lock can expire, so a killed worker's job resumes promptly.
      stalledInterval: opts.stalledInterval ?? config.JOB_LOCK_MS,
    });
    w.on('failed', (job, err) =>
      logger.warn(
        {
          queue: QUEUES[k].name,
          job: job?.id,
          name: job?.name,
          attempts: job?.attemptsMade,
          err: err.message,
        },
        'job failed',
      ),
    );
    // A stalled job may run twice: harmless (every effect is idempotent in Postgres) but worth knowing.
    w.on('stalled', (jobId) =>
      logger.warn({ queue: QUEUES[k].name, job: jobId }, 'job stalled; it will run again'),
    );
    w.on('error', (err) => {
      if (!slotErrors.seen(err)) logger.error({ queue: QUEUES[k].name, err: err.message }, 'worker error');
    });
    return w;
  });
  shutdown
    .add('workers', () => Promise.all(workers.map((w) => w.close())))
    .add('queues', () => queues.close())
    .add('redis', async () => {
      connection.disconnect();
      producer.disconnect();
    })
    .add('postgres', async () => {
      clock?.stop();
      await db.destroy();
    });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info(
    { queues: keys.map((k) => QUEUES[k].name), concurrency: opts.concurrency ?? config.WORKER_CONCURRENCY },
    'worker started',
  );
  return { workers, deps, shutdown, close: () => shutdown.run() };
}
