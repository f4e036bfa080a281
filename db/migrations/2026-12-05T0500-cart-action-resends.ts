// Who sent a cart action again (再送) and when: an operator from the order screen (their login), the
// CLI, or Bull Board's retry of a failed job ("bullboard", recorded by the delivery when it claims an
// action that had failed: nothing else brings a job to one). resend_count counts both; retries stays
// the 再送 round in the job id (a Bull Board retry runs the same job again, so it does not move).
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE cart_actions
      ADD COLUMN resent_by text,
      ADD COLUMN resent_at timestamptz,
      ADD COLUMN resend_count integer NOT NULL DEFAULT 0;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE cart_actions DROP COLUMN resent_by, DROP COLUMN resent_at, DROP COLUMN resend_count;
  `.execute(db);
}
