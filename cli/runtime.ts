// What most commands need: validated config, the database and queue producers — opened once,
// closed in order. A configuration error prints the variables at fault and exits 1.

import { createDb, type Db } from '../db/db.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { type Config, ConfigError, loadConfig } from '../infra/config.js';
import { PreflightError, preflight } from '../infra/preflight.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { createQueues, type Queues } from '../jobs/queues.js';

export interface Runtime {
  config: Config;
  db: Db;
  queues: Queues;
  close(): Promise<void>;
}

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/**
 * PostgreSQL (and Redis, for commands that enqueue) checked before a command runs: a wrong one is one
 * line and exit 1. (No check for juchu's tables: `juchu migrate` makes them.)
 */
async function checkOrExit(config: Config, redis: boolean): Promise<void> {
  try {
    const r = await preflight(config, { role: 'cli', redis, schemaOptional: true });
    for (const w of r.warnings) process.stderr.write(`juchu: warning: ${w}\n`);
  } catch (e) {
    if (e instanceof PreflightError) fail(e.message);
    throw e;
  }
}

export async function openDb(
  opts: { redis?: boolean } = {},
): Promise<{ config: Config; db: Db; close(): Promise<void> }> {
  const config = configOrExit();
  await checkOrExit(config, opts.redis === true);
  const db = createDb(config.DATABASE_URL, { max: 4, applicationName: 'juchu-cli' });
  return { config, db, close: () => db.destroy() };
}

export async function openRuntime(): Promise<Runtime> {
  const { config, db } = await openDb({ redis: true });
  const redis = createProducerConnection(config, 'juchu-cli');
  await ready(redis);
  const queues = createQueues(redis, config);
  return {
    config,
    db,
    queues,
    async close() {
      await queues.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

/** Runs a command body with a runtime and closes it whatever happens. */
export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime();
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export async function withDb<T>(fn: (rt: { config: Config; db: Db }) => Promise<T>): Promise<T> {
  const rt = await openDb();
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export function fail(message: string): never {
  process.stderr.write(`juchu: ${message}\n`);
  process.exit(1);
}

/** One line to stdout. */
export const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * A rule's refusal, or a file that cannot be read, is the user's mistake: its message and exit 1;
 * anything else is ours and stays an error with its stack.
 */
export function refused(e: unknown): never {
  if (isRuleRefusal(e) || (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e))
    fail(e.message);
  throw e;
}
