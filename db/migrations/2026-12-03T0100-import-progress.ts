// An import commits its progress as it goes (issue 15): `import_cursor` moves after every page the
// cart lists in update-time order (or every sub-window), and `import_window_to` keeps the end of the
// window being worked on, so a retry resumes that window where the cursor stands instead of listing
// it again from its start. NULL: no window in progress. `import_runs.notice` says what the run
// corrected on its way (a cursor beyond the database's time, refused and set back), in Japanese.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE stores ADD COLUMN import_window_to timestamptz;
    ALTER TABLE import_runs ADD COLUMN notice text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE stores DROP COLUMN import_window_to;
    ALTER TABLE import_runs DROP COLUMN notice;
  `.execute(db);
}
