// Redis connections for BullMQ. Workers block and must wait through reconnects
// (maxRetriesPerRequest: null); producers used by HTTP handlers fail fast instead of hanging
// (enableOfflineQueue: false). Never ioredis keyPrefix — BullMQ's own `prefix` does that job.
//
// Redis Cluster (REDIS_CLUSTER_NODES): every connection is an ioredis `Cluster`, BullMQ's documented
// way (docs.bullmq.io/patterns/redis-cluster), with QUEUE_PREFIX a hash tag so a queue's keys share
// one slot. ioredis follows MOVED and ASK itself; a slot moving (a reshard, a failover) is waited
// out with short delays instead of answered in a tight loop (retryDelayOn…).
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { logger } from './logger.js';

export type RedisConnection = Redis | Cluster;

/** Where Redis is: a URL (one server), or the configuration's REDIS_URL and REDIS_CLUSTER_NODES. */
export type RedisTarget =
  | string
  | { REDIS_URL: string; REDIS_CLUSTER_NODES?: ReadonlyArray<{ host: string; port: number }> | undefined };

/** The password, user, TLS and database of a redis:// or rediss:// URL, as ioredis options. */
export function redisUrlOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** How a cluster connection waits out a slot on the move, a cluster reconfiguring, a lost node. */
const CLUSTER_WAITS: Partial<ClusterOptions> = {
  retryDelayOnMoved: 50,
  retryDelayOnTryAgain: 200,
  retryDelayOnClusterDown: 500,
  retryDelayOnFailover: 200,
  maxRedirections: 16,
  slotsRefreshTimeout: 2000,
  clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 8), 5000),
};

function connect(target: RedisTarget, opts: RedisOptions, name: string): RedisConnection {
  const nodes = typeof target === 'string' ? undefined : target.REDIS_CLUSTER_NODES;
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const r: RedisConnection = nodes?.length
    ? new Cluster([...nodes], {
        ...CLUSTER_WAITS,
        enableOfflineQueue: opts.enableOfflineQueue ?? true,
        redisOptions: {
          ...redisUrlOptions(url),
          ...opts,
          enableOfflineQueue: undefined,
        } as ClusterOptions['redisOptions'],
      })
    : new Redis(url, opts);
  r.on('error', (err: Error) => logger.warn({ err: err.message, name }, 'redis connection error'));
  return r;
}

/** A URL gives one server; the configuration gives a Cluster when REDIS_CLUSTER_NODES is set. */
export function createWorkerConnection(target: string, name?: string): Redis;
export function createWorkerConnection(target: RedisTarget, name?: string): RedisConnection;
export function createWorkerConnection(target: RedisTarget, name = 'juchu-worker'): RedisConnection {
  return connect(target, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false }, name);
}

export function createProducerConnection(target: string, name?: string): Redis;
export function createProducerConnection(target: RedisTarget, name?: string): RedisConnection;
export function createProducerConnection(target: RedisTarget, name = 'juchu-producer'): RedisConnection {
  return connect(target, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: name }, name);
}

/** Waits until the connection is ready (producers with no offline queue need it before first use). */
export async function ready(r: RedisConnection, timeoutMs = 10_000): Promise<void> {
  if (r.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis not ready after ${timeoutMs} ms`)), timeoutMs);
    r.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** The servers that hold data: every master of a cluster, or the one server. */
export function masters(r: RedisConnection): Redis[] {
  return r instanceof Cluster ? r.nodes('master') : [r];
}

/**
 * BullMQ loses jobs under any eviction policy but noeviction (job hashes evicted while their ids
 * stay in the sets). Refuse to start on a misconfigured Redis rather than lose orders later; on a
 * cluster every master is asked.
 */
export async function assertNoEviction(r: RedisConnection): Promise<void> {
  for (const node of masters(r)) {
    const res = (await node.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1];
    if (policy && policy !== 'noeviction') {
      const at = r instanceof Cluster ? ` on ${node.options.host}:${node.options.port}` : '';
      throw new Error(
        `Redis maxmemory-policy is "${policy}"${at}; juchu requires "noeviction" (redis-server --maxmemory-policy noeviction)`,
      );
    }
  }
}

/** Redis's answers that mean "this key is not here": the slot moved, is moving, or spans two slots. */
export function slotErrorOf(err: unknown): string | null {
  const m = /\b(MOVED|ASK|CROSSSLOT|TRYAGAIN|CLUSTERDOWN)\b|Too many Cluster redirections/.exec(
    err instanceof Error ? err.message : String(err),
  );
  return m ? (m[1] ?? 'MOVED') : null;
}

/**
 * Watches a process's Redis errors for answers that mean "not here" (MOVED, ASK, CROSSSLOT,
 * TRYAGAIN, CLUSTERDOWN). The first is logged at once, then one summary line per `reportMs` with the
 * count, instead of a line per error; when they keep coming (`burst` within `windowMs`) `backOff` is
 * called with a growing wait (1 s doubling to 30 s), so a connection that keeps answering MOVED is
 * paused and reported rather than spinning. A quiet window resets the wait.
 */
export class SlotErrorWatch {
  private count = 0;
  private reported = 0;
  private lastReport = 0;
  private windowStart = 0;
  private inWindow = 0;
  private waitMs = 1000;
  private backingOff = false;

  constructor(
    private readonly what: string,
    private readonly backOff: (ms: number) => Promise<void>,
    private readonly opts: { burst?: number; windowMs?: number; reportMs?: number; now?: () => number } = {},
  ) {}

  /** Feed an error; true when it was a slot error (and so handled here). */
  seen(err: unknown): boolean {
    const kind = slotErrorOf(err);
    if (!kind) return false;
    const now = (this.opts.now ?? Date.now)();
    this.count++;
    if (now - this.windowStart > (this.opts.windowMs ?? 10_000)) {
      if (this.inWindow === 0) this.waitMs = 1000;
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    if (this.reported === 0 || now - this.lastReport >= (this.opts.reportMs ?? 30_000)) {
      logger.error(
        {
          what: this.what,
          answer: kind,
          err: err instanceof Error ? err.message : String(err),
          since: this.count - this.reported,
        },
        'redis answers that the queue keys are not on this node: with REDIS_CLUSTER_NODES set, the cluster is resharding or lost a node; without it, REDIS_URL points at a cluster node',
      );
      this.reported = this.count;
      this.lastReport = now;
    }
    if (this.inWindow >= (this.opts.burst ?? 20) && !this.backingOff) {
      const ms = this.waitMs;
      this.waitMs = Math.min(this.waitMs * 2, 30_000);
      this.backingOff = true;
      this.inWindow = 0;
      logger.warn({ what: this.what, waitMs: ms }, 'redis keeps answering MOVED/CROSSSLOT: backing off');
      void this.backOff(ms).finally(() => {
        this.backingOff = false;
      });
    }
    return true;
  }

  /** How many slot errors were seen (tests, metrics). */
  get total(): number {
    return this.count;
  }
}
