// An import job that does not import (the store is stopped, or it needs its credentials entered
// again and the job is a scheduled slot) leaves a run row saying so: outcome 'skipped' with the
// reason, so 取込履歴 and the stores screen show why nothing came in, not only Bull Board.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE import_runs DROP CONSTRAINT import_runs_outcome_check;
    ALTER TABLE import_runs ADD CONSTRAINT import_runs_outcome_check
      CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped'));
    ALTER TABLE import_runs ADD COLUMN skip_reason text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM import_runs WHERE outcome = 'skipped';
    ALTER TABLE import_runs DROP COLUMN skip_reason;
    ALTER TABLE import_runs DROP CONSTRAINT import_runs_outcome_check;
    ALTER TABLE import_runs ADD CONSTRAINT import_runs_outcome_check
      CHECK (outcome IN ('running', 'succeeded', 'failed'));
  `.execute(db);
}
