// The database handle of juchu: Kysely over our schema. infra/postgres.ts builds pools and
// transactions for any schema; this file names ours, so infra imports nothing from db/.
import type { Kysely } from 'kysely';
import { createKysely, type DbOptions } from '../infra/postgres.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export function createDb(url: string, opts: DbOptions = {}): Db {
  return createKysely<Database>(url, opts);
}
