// Configuration is read from the environment once, validated and frozen. A missing or malformed
// variable stops the process with a message naming it (never a stack trace from deep inside).
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

/** AES-256 needs exactly 32 bytes: 64 hex characters or 44 base64 characters. */
const secretKey = z.string().transform((v, ctx) => {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (buf.length !== 32) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be 32 bytes, as 64 hex characters or base64 (generate one: openssl rand -hex 32)',
    });
    return z.NEVER;
  }
  return buf;
});

/**
 * Express's `trust proxy`: which proxies in front may set X-Forwarded-For, so that `req.ip` (what
 * login throttling counts by) is the client's address. false (the default): the socket's address,
 * and a client cannot pick its own by sending the header; a number: that many proxies; a list of
 * addresses, subnets or loopback / linklocal / uniquelocal.
 */
const trustProxy = z.string().transform((v, ctx): boolean | number | string[] => {
  const s = v.trim().toLowerCase();
  if (s === 'false' || s === 'no' || s === '0') return false;
  if (s === 'true' || s === 'yes') return true;
  if (/^\d+$/.test(s)) return Number(s);
  const items = s.split(',').map((x) => x.trim());
  const bad = items.find((x) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(x)) return false;
    const [addr = '', bits, ...rest] = x.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    return !family || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max));
  });
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `must be false, true, a number of proxies, or addresses/subnets (10.0.0.0/8, loopback, …); not "${bad}"`,
    });
    return z.NEVER;
  }
  return items;
});

/** Host names, comma-separated: `juchu.example.com`, `.example.com` (it and its subdomains), `*` (any). */
const hostList = z.string().transform((v, ctx) => {
  const items = v
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const bad = items.find((x) => x !== '*' && !/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(x));
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `must be host names (no scheme or port), comma-separated; not "${bad}"`,
    });
    return z.NEVER;
  }
  return items;
});

/** `host:port,host:port`: the Redis Cluster nodes to start from (any of them; the rest are discovered). */
const clusterNodes = z.string().transform((v, ctx) => {
  const nodes = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(x);
      return m && Number(m[2]) <= 65535 ? { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : x;
    });
  const bad = nodes.find((n) => typeof n === 'string');
  if (bad !== undefined || nodes.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be host:port pairs, comma-separated (10.0.0.1:6379,10.0.0.2:6379)${bad === undefined ? '' : `; not "${String(bad)}"`}`,
    });
    return z.NEVER;
  }
  return nodes as Array<{ host: string; port: number }>;
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** Required, unless REDIS_CLUSTER_NODES is given (then it only carries the password and TLS, if any). */
  REDIS_URL: url(['redis:', 'rediss:']),
  /**
   * Redis Cluster: every process connects through an ioredis Cluster started from these nodes, and
   * QUEUE_PREFIX must be a hash tag (`{juchu}`) so each queue's keys share one slot.
   */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  JUCHU_SECRET_KEY: secretKey,
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[{}\w-]+$/, 'letters, digits, -, _ and {} (hash tag for Redis Cluster) only; no ":"')
    .default('juchu'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PG_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  /**
   * How many of each process the deployment runs, for the start-up check that every pool fits in
   * PostgreSQL's max_connections (README "Connections"): workers and dashboards PG_POOL_MAX each,
   * schedulers 2, one CLI command 4.
   */
  WORKER_PROCESSES: z.coerce.number().int().min(0).max(1000).default(1),
  DASHBOARD_PROCESSES: z.coerce.number().int().min(0).max(100).default(1),
  SCHEDULER_PROCESSES: z.coerce.number().int().min(0).max(100).default(1),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; doubles each attempt (with jitter). */
  JOB_BACKOFF_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
  FAILED_JOB_RETENTION_DAYS: z.coerce.number().int().min(14).max(365).default(30),
  COMPLETED_JOB_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** A store's import lease; a crashed worker's lease expires after this, letting another take over. */
  IMPORT_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  /**
   * A cart action's delivery claim: a worker killed mid-delivery holds its action this long, then
   * another takes it over (after re-reading the cart: every write is idempotent or checked first).
   */
  CART_ACTION_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(300),
  /** BullMQ job lock; a killed worker's job is picked up again after about this long. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * How long an upload's answer waits for its result before it says 202 with the upload's id (the
   * work goes on); 0 answers 202 as soon as the upload is recorded (tests of the 202 path).
   */
  UPLOAD_ANSWER_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  SCHEDULER_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  COOKIE_SECURE: bool.default(false),
  TRUST_PROXY: trustProxy.default(false),
  /**
   * Host names the dashboard answers to besides IP addresses, localhost and HOST (a DNS-rebinding
   * page sends its own name, and is refused).
   */
  ALLOWED_HOSTS: hostList.default([]),
  /** `production` refuses the demo's fixed passwords (the Docker image sets it). */
  NODE_ENV: z.string().default('development'),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(see .env.example)`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` (default `process.env`); throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    input[key] = v === '' ? undefined : v;
  }
  // On a cluster REDIS_URL only carries the password and TLS: the first node stands in when it is absent.
  const firstNode = input.REDIS_CLUSTER_NODES?.split(',')[0]?.trim();
  if (input.REDIS_URL === undefined && firstNode) input.REDIS_URL = `redis://${firstNode}`;
  const parsed = configSchema.safeParse(input);
  if (parsed.success && parsed.data.REDIS_CLUSTER_NODES && !/\{[^{}]+\}/.test(parsed.data.QUEUE_PREFIX))
    throw new ConfigError([
      `QUEUE_PREFIX "${parsed.data.QUEUE_PREFIX}" must hold a hash tag on Redis Cluster (REDIS_CLUSTER_NODES is set), e.g. {${parsed.data.QUEUE_PREFIX.replace(/[{}]/g, '') || 'juchu'}}: every key of a queue must be in one slot`,
    ]);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '?');
        return input[name] === undefined ? `${name} is missing` : `${name} ${i.message}`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}

let cached: Config | undefined;
/** The process's configuration, read on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
