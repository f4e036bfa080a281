// The cart-actions outbox (issue 16): what juchu must tell a cart (注文確認, 発送完了 with tracking,
// cancel, stock), recorded in the same transaction as the order change that implies it and delivered
// by a job. At least once, effect once: cart_refs keeps the cart-side ids an attempt got (Rakuten
// shippingDetailId, Amazon packageReferenceId, Shopify fulfillment id) so that a retry updates.
//  - action_key: one action per store and key (e.g. ship:<order>:<package>:<tracking hash>): a use case
//    run twice records once.
//  - coalesce_key: a newer value replaces a pending one (stock per store × product); only one pending
//    row per key, a row being delivered is left alone and the new value waits behind it.
//  - state: pending → delivering (a lease: a worker killed mid-delivery is picked up again after
//    lease_until) → done | refused (a permanent refusal waits for a human) | failed (retries spent).
//  - retries: how many times a human sent it again (再送); part of its job id, so a new job is made.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE cart_actions (
      id serial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      order_id integer REFERENCES orders(id) ON DELETE SET NULL,
      cart_order_no text,
      kind text NOT NULL CHECK (kind IN ('confirm', 'ship', 'cancel', 'stock')),
      action_key text,
      coalesce_key text,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivering', 'done', 'failed', 'refused')),
      attempts integer NOT NULL DEFAULT 0,
      retries integer NOT NULL DEFAULT 0,
      last_error text,
      cart_answer text,
      answer_code text,
      cart_refs jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      done_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX cart_actions_key_idx ON cart_actions (store_id, action_key)
      WHERE action_key IS NOT NULL;
    CREATE UNIQUE INDEX cart_actions_coalesce_idx ON cart_actions (store_id, coalesce_key)
      WHERE state = 'pending' AND coalesce_key IS NOT NULL;
    CREATE INDEX cart_actions_due_idx ON cart_actions (next_attempt_at)
      WHERE state IN ('pending', 'delivering');
    CREATE INDEX cart_actions_open_idx ON cart_actions (store_id, created_at)
      WHERE state IN ('pending', 'delivering', 'failed', 'refused');
    CREATE INDEX cart_actions_order_idx ON cart_actions (order_id, id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE cart_actions;`.execute(db);
}
