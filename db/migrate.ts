// Runs the Kysely migrations listed in db/migrations/index.ts. Kysely takes a Postgres advisory lock,
// so several processes starting at once migrate one after another, each migration once.
import { type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import type { Db } from './db.js';
import { migrations } from './migrations/index.js';

function migrator(db: Db): Migrator {
  // Helpers working in parallel each name migrations in their own hour block, so one may land after
  // a later-named one already ran on a developer's database: run it rather than refuse the database.
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${err}`);
  }
  return (result.results ?? []).map((r) => `${r.direction === 'Up' ? '↑' : '↓'} ${r.migrationName}`);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateToLatest());
}

export async function migrateDownAll(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateTo(NO_MIGRATIONS));
}

export async function migrationNames(db: Db): Promise<Array<{ name: string; executedAt: Date | undefined }>> {
  return (await migrator(db).getMigrations()).map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
