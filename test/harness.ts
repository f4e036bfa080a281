// Test helpers: a fresh database per test file (copied from the migrated template), unique BullMQ
// prefixes, and the test's secret key. Real services only — no mocks of the database or the queue.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, type Db } from '../db/db.js';
import { createDatabaseFrom, dropDatabase } from '../dev/services.js';

export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

/**
 * What `test/global-setup.ts` provides. The unit tier has no global setup, so a unit test file that
 * starts needing PostgreSQL or Redis stops here with what to do, not with an undefined URL.
 */
function provided(key: 'databaseServerUrl' | 'redisUrl' | 'templateDatabase'): string {
  const value = inject(key);
  if (!value)
    throw new Error(
      `test/harness.ts: no ${key} — this test file runs without the global setup (the unit tier, ` +
        'test/tiers.ts) but needs PostgreSQL or Redis: take it out of UNIT_TESTS so it runs in the integration tier',
    );
  return value;
}

export interface TestDb {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of our own, migrated, empty but for the system statuses. */
export async function createTestDb(label = 'test'): Promise<TestDb> {
  const server = provided('databaseServerUrl');
  const name = `juchu_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabaseFrom(server, name, provided('templateDatabase'));
  const db = createDb(url, { max: 20, applicationName: `juchu-test-${label}` });
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      await dropDatabase(server, name);
    },
  };
}

export function redisUrl(): string {
  return provided('redisUrl');
}

/** A BullMQ prefix no other test shares. */
export function uniquePrefix(label = 't'): string {
  return `juchu-${label}-${randomBytes(4).toString('hex')}`;
}

/** Environment for child processes (workers, CLI) pointed at the test's services. */
export function childEnv(
  dbUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl(),
    JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface JuchuRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `juchu <args>` (bin/juchu.mjs) as its own process; resolves with its exit code and output.
 * For what only a process shows: start-up (tsx, config checks that exit), signals, stdin, the
 * commands that run until a signal, and one run per CLI test file so the binary itself stays proven.
 */
export function runJuchu(args: string[], env: NodeJS.ProcessEnv): Promise<JuchuRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/juchu.mjs', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `juchu <args>` inside this test process (cli/program.ts runCli): the same commands, output,
 * exit code and database effects as runJuchu, without starting node and tsx and loading the app for
 * each command (seconds each on a busy machine). `env` is the command's environment for the run.
 */
export async function runJuchuInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<JuchuRun> {
  const { runCli } = await import('../cli/program.js');
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}
