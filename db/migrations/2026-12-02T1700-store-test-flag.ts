// A store may be marked a test store (テスト店舗): only a test store may point its API base URL at
// this machine (the cart simulators of the demo, the tests and the bench). Every other store sends
// its credentials only to its cart's own hosts (domain/store-endpoint.ts). Existing stores are not
// test stores.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE stores ADD COLUMN test_store boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE stores DROP COLUMN test_store`.execute(db);
}
