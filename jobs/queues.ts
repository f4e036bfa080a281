// Queue producers and the job options every job shares: retries with backoff (the strategy in
// jobs/backoff.ts honours a cart's Retry-After), completed jobs trimmed so Redis stays bounded,
// failed jobs kept long enough (≥ 14 days) for an admin to retry them.
import { type JobsOptions, Queue } from 'bullmq';
import type { Config } from '../infra/config.js';
import { logger } from '../infra/logger.js';
import type { RedisConnection } from '../infra/redis.js';
import { JOB_QUEUE, type JobCatalogue, type JobName, QUEUES, type QueueKey } from './catalogue.js';

export function defaultJobOptions(
  config: Pick<Config, 'JOB_ATTEMPTS' | 'FAILED_JOB_RETENTION_DAYS' | 'COMPLETED_JOB_RETENTION_HOURS'>,
): JobsOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'cart' },
    removeOnComplete: { age: config.COMPLETED_JOB_RETENTION_HOURS * 3600, count: 5000 },
    removeOnFail: { age: config.FAILED_JOB_RETENTION_DAYS * 86400 },
    stackTraceLimit: 20,
  };
}

export type Queues = Record<QueueKey, Queue> & {
  add<N extends JobName>(name: N, data: JobCatalogue[N], opts?: JobsOptions): Promise<string | undefined>;
  close(): Promise<void>;
};

/** Producers on one connection (fail-fast for HTTP callers, see infra/redis.ts). */
export function createQueues(
  connection: RedisConnection,
  config: Pick<
    Config,
    'QUEUE_PREFIX' | 'JOB_ATTEMPTS' | 'FAILED_JOB_RETENTION_DAYS' | 'COMPLETED_JOB_RETENTION_HOURS'
  >,
): Queues {
  const opts = { connection, prefix: config.QUEUE_PREFIX, defaultJobOptions: defaultJobOptions(config) };
  const make = (k: QueueKey) => {
    const q = new Queue(QUEUES[k].name, opts);
    q.on('error', (err) => logger.warn({ err: err.message, queue: QUEUES[k].name }, 'queue error'));
    return q;
  };
  const queues = {
    import: make('import'),
    stock: make('stock'),
    shipping: make('shipping'),
    maintenance: make('maintenance'),
  };
  return {
    ...queues,
    async add(name, data, jobOpts) {
      const job = await queues[JOB_QUEUE[name]].add(name, data, jobOpts);
      return job.id;
    },
    async close() {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
    },
  };
}
