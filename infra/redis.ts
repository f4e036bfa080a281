// Redis connections for BullMQ. Workers block and must wait through reconnects
// (maxRetriesPerRequest: null); producers used by HTTP handlers fail fast instead of hanging
// (enableOfflineQueue: false). Never ioredis keyPrefix — BullMQ's own `prefix` does that job.
import { Redis, type RedisOptions } from 'ioredis';
import { logger } from './logger.js';

export function createWorkerConnection(url: string, name = 'juchu-worker'): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  r.on('error', (err) => logger.warn({ err: err.message, name }, 'redis connection error'));
  return r;
}

export function createProducerConnection(url: string, name = 'juchu-producer'): Redis {
  const opts: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: name };
  const r = new Redis(url, opts);
  r.on('error', (err) => logger.warn({ err: err.message, name }, 'redis connection error'));
  return r;
}

/** Waits until the connection is ready (producers with no offline queue need it before first use). */
export async function ready(r: Redis, timeoutMs = 10_000): Promise<void> {
  if (r.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis not ready after ${timeoutMs} ms`)), timeoutMs);
    r.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * BullMQ loses jobs under any eviction policy but noeviction (job hashes evicted while their ids
 * stay in the sets). Refuse to start on a misconfigured Redis rather than lose orders later.
 */
export async function assertNoEviction(r: Redis): Promise<void> {
  const res = (await r.config('GET', 'maxmemory-policy')) as string[];
  const policy = res[1];
  if (policy && policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy}"; juchu requires "noeviction" (redis-server --maxmemory-policy noeviction)`,
    );
  }
}
