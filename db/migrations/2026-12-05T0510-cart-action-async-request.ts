// The request id of an asynchronous cart call an action went out in (Rakuten
// updateOrderShippingAsync → requestId), stored as soon as the cart took it: a retry after a worker
// died, or after it gave up polling, reads that request's result (getResultUpdateOrderShippingAsync,
// kept 30 days) instead of sending the parcels a second time.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE cart_actions
      ADD COLUMN async_request_id text,
      ADD COLUMN async_requested_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cart_actions DROP COLUMN async_request_id, DROP COLUMN async_requested_at;`.execute(
    db,
  );
}
