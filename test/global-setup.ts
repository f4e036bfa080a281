// Once per `vitest run`: real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, or private ones we start
// and stop), and a migrated template database that each test file copies (CREATE DATABASE … TEMPLATE).
// What the system lacks (redis-server, Chromium) is installed first when allowed
// (dev/prerequisites.ts), or named in one message before anything starts.
import type { TestProject } from 'vitest/node';
import { createDb } from '../db/db.js';
import { migrateToLatest } from '../db/migrate.js';
import { ensurePrerequisites } from '../dev/prerequisites.js';
import { createDatabaseFrom, ensureServices, type Services } from '../dev/services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    redisUrl: string;
    templateDatabase: string;
  }
}

let services: Services | undefined;

export async function setup(project: TestProject): Promise<void> {
  try {
    await ensurePrerequisites('test');
    services = await ensureServices({ unsafeFastPostgres: true });
  } catch (e) {
    // Said once and plainly: vitest would frame it as an unhandled error with a stack trace. Nothing
    // is left running (ensureServices stops what it started before it throws).
    process.stderr.write(`\nnpm test cannot start: ${e instanceof Error ? e.message : String(e)}\n\n`);
    process.exit(1);
  }
  const template = `juchu_tpl_${process.pid}`;
  const url = await createDatabaseFrom(services.databaseUrl, template);
  const db = createDb(url, { max: 2 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('databaseServerUrl', services.databaseUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('templateDatabase', template);
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
