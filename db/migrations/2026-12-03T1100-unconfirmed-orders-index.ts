// Orders the cart has not confirmed yet (Rakuten 100 注文確認待ち) by store and age: /metrics counts
// those approaching Rakuten's 14-day auto-cancel on every scrape, so the count reads this small
// partial index instead of every order.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX orders_cart_unconfirmed_idx ON orders (store_id, ordered_at)
      WHERE cart_status = '100' AND NOT cart_cancelled;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX orders_cart_unconfirmed_idx;`.execute(db);
}
