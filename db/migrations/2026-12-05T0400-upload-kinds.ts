// Order files uploaded for a CSV store and carriers' result files join the upload ledger (issue 15
// item 2): each is one unit under an upload id, its result kept for whoever asks.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE uploads DROP CONSTRAINT uploads_kind_check;
    ALTER TABLE uploads ADD CONSTRAINT uploads_kind_check
      CHECK (kind IN ('stock', 'shipments', 'mappings', 'products', 'orders', 'tracking'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM uploads WHERE kind IN ('orders', 'tracking');
    ALTER TABLE uploads DROP CONSTRAINT uploads_kind_check;
    ALTER TABLE uploads ADD CONSTRAINT uploads_kind_check
      CHECK (kind IN ('stock', 'shipments', 'mappings', 'products'));
  `.execute(db);
}
