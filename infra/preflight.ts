// Fail fast, say why (issue 15 item 5). Every process checks PostgreSQL and Redis before it starts
// work, and a wrong one stops it with one line naming what is wrong: PostgreSQL that does not answer
// or refuses the login, a database without juchu's tables; Redis that does not answer, one whose
// eviction policy would lose jobs (every master of a cluster is asked), or a Redis Cluster node
// reached as a single server (every command would answer MOVED). It then compares the pools the
// deployment runs with PostgreSQL's max_connections and warns when they cannot all fit.
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from './config.js';
import { assertNoEviction, type RedisConnection, redisUrlOptions } from './redis.js';

/** Why a process cannot start: one line for the operator. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

export type ProcessRole = 'worker' | 'scheduler' | 'dashboard' | 'cli';

/** Connections each process opens at most (README "Connections"). */
export function poolSizeOf(role: ProcessRole, config: Pick<Config, 'PG_POOL_MAX'>): number {
  return role === 'scheduler' ? SCHEDULER_POOL : role === 'cli' ? CLI_POOL : config.PG_POOL_MAX;
}
export const SCHEDULER_POOL = 2;
export const CLI_POOL = 4;

/** A URL with its password hidden, for messages. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unreadable URL)';
  }
}

export interface PostgresFacts {
  maxConnections: number;
  /** Connections only superusers (and reserved roles) may use. */
  reserved: number;
  /** Connections open now, this check's own included. */
  inUse: number;
}

/** Connects once, with a short timeout, and reads what the pool check needs. */
export async function checkPostgres(url: string, opts: { requireSchema: boolean }): Promise<PostgresFacts> {
  const where = `PostgreSQL at ${redactUrl(url)}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw new PreflightError(`${where} cannot be used: ${(e as Error).message || String(e)}`);
  }
  try {
    const r = await client.query<{ max: number; su: number; rsv: number; used: number; migrated: boolean }>(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS su,
              coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int AS rsv,
              (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used,
              to_regclass('kysely_migration') IS NOT NULL AS migrated`,
    );
    const row = r.rows[0]!;
    if (opts.requireSchema && !row.migrated)
      throw new PreflightError(`${where} has no juchu tables: run \`juchu migrate\` first`);
    return { maxConnections: row.max, reserved: row.su + row.rsv, inUse: row.used };
  } catch (e) {
    if (e instanceof PreflightError) throw e;
    throw new PreflightError(`${where} cannot be used: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The deployment's pools against max_connections: workers and dashboards PG_POOL_MAX each, schedulers
 * 2, one CLI command 4, within max_connections less the reserved ones. A warning (one line), or null.
 */
export function poolFitWarning(
  config: Pick<Config, 'PG_POOL_MAX' | 'WORKER_PROCESSES' | 'DASHBOARD_PROCESSES' | 'SCHEDULER_PROCESSES'>,
  pgFacts: PostgresFacts,
): string | null {
  const needed =
    (config.WORKER_PROCESSES + config.DASHBOARD_PROCESSES) * config.PG_POOL_MAX +
    config.SCHEDULER_PROCESSES * SCHEDULER_POOL +
    CLI_POOL;
  const available = pgFacts.maxConnections - pgFacts.reserved;
  if (needed <= available) return null;
  return (
    `PostgreSQL allows ${available} connections (max_connections ${pgFacts.maxConnections} − ${pgFacts.reserved} reserved; ${pgFacts.inUse} open now) ` +
    `but the configured processes may open ${needed}: (${config.WORKER_PROCESSES} workers + ${config.DASHBOARD_PROCESSES} dashboards) × PG_POOL_MAX ${config.PG_POOL_MAX} + ` +
    `${config.SCHEDULER_PROCESSES} schedulers × ${SCHEDULER_POOL} + ${CLI_POOL} for a command. Lower PG_POOL_MAX or raise max_connections`
  );
}

/** Where Redis is, for messages. */
function describeRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): string {
  return config.REDIS_CLUSTER_NODES
    ? `Redis Cluster at ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')}`
    : `Redis at ${redactUrl(config.REDIS_URL)}`;
}

/** A probe connection that tries once and gives up quickly (never the process's own connections). */
function probe(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): RedisConnection {
  const common = {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    connectionName: 'juchu-preflight',
  };
  const r: RedisConnection = config.REDIS_CLUSTER_NODES
    ? new Cluster([...config.REDIS_CLUSTER_NODES], {
        lazyConnect: true,
        clusterRetryStrategy: () => null,
        slotsRefreshTimeout: 5000,
        redisOptions: { ...common, ...redisUrlOptions(config.REDIS_URL) },
      })
    : new Redis(config.REDIS_URL, { ...common, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  return r;
}

/** Redis answers, is what the configuration says it is (a cluster or not), and evicts nothing. */
export async function checkRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): Promise<void> {
  const where = describeRedis(config);
  const r = probe(config);
  // ioredis rejects connect() with "Connection is closed"; the socket's own error says why.
  let cause: Error | null = null;
  r.on('error', (e: Error) => {
    cause ??= e;
  });
  try {
    try {
      await r.connect();
    } catch (e) {
      const why = (cause as Error | null)?.message || (e as Error).message || 'no answer';
      throw new PreflightError(`${where} cannot be used: ${why}`);
    }
    if (r instanceof Redis) {
      const info = String(await r.info('cluster'));
      if (/cluster_enabled:1/.test(info))
        throw new PreflightError(
          `${where} is a Redis Cluster node: set REDIS_CLUSTER_NODES=host:port,… and a hash-tagged QUEUE_PREFIX such as {juchu} (a single-server connection would only get MOVED answers)`,
        );
    } else {
      const state = String(await r.cluster('INFO'));
      if (!/cluster_state:ok/.test(state))
        throw new PreflightError(
          `${where} is not serving: ${/cluster_state:\w+/.exec(state)?.[0] ?? state.slice(0, 80)}`,
        );
    }
    try {
      await assertNoEviction(r);
    } catch (e) {
      throw new PreflightError(`${where}: ${(e as Error).message}`);
    }
  } catch (e) {
    if (e instanceof PreflightError) throw e;
    throw new PreflightError(`${where} cannot be used: ${(e as Error).message}`);
  } finally {
    r.disconnect();
  }
}

export interface PreflightResult {
  postgres: PostgresFacts;
  /** Things to fix that do not stop the process (the pools may not all fit). */
  warnings: string[];
}

/**
 * The start-up check of a process: PostgreSQL (with juchu's tables unless `schemaOptional`, as for
 * `juchu migrate`), then Redis when the process uses it. Throws PreflightError (one line).
 */
export async function preflight(
  config: Config,
  opts: { role: ProcessRole; redis?: boolean; schemaOptional?: boolean },
): Promise<PreflightResult> {
  const [postgres] = await Promise.all([
    checkPostgres(config.DATABASE_URL, { requireSchema: !opts.schemaOptional }),
    opts.redis === false ? Promise.resolve() : checkRedis(config),
  ]);
  const fit = poolFitWarning(config, postgres);
  return { postgres, warnings: fit ? [fit] : [] };
}
