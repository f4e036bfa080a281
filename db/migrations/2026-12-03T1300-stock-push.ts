// 在庫連携 (issue 17): per-store safety stock per product, and per store × cart item what juchu last
// wanted the cart to show, what it pushed, when, whether the cart accepted it, and the drift the full
// sync found (the stock screen and /metrics read it).
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE store_stock_safety (
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      product_code text NOT NULL REFERENCES products(code) ON DELETE CASCADE,
      quantity integer NOT NULL CHECK (quantity >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (store_id, product_code)
    );
    CREATE TABLE stock_push_state (
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      cart_product_code text NOT NULL,
      cart_option_code text NOT NULL DEFAULT '',
      product_code text NOT NULL,
      wanted_quantity integer NOT NULL,
      wanted_at timestamptz NOT NULL,
      pushed_quantity integer,
      pushed_at timestamptz,
      outcome text CHECK (outcome IN ('accepted', 'refused', 'failed')),
      answer text,
      failures integer NOT NULL DEFAULT 0,
      cart_quantity integer,
      drift integer,
      drift_checked_at timestamptz,
      PRIMARY KEY (store_id, cart_product_code, cart_option_code)
    );
    CREATE INDEX stock_push_state_product ON stock_push_state (product_code);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE stock_push_state; DROP TABLE store_stock_safety;`.execute(db);
}
