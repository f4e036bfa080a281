// 売上 (issue 18 item 5): a sales record per shipped order, booked in the 出荷完了 transaction, and the
// negative records that go with it: the order's coupon discount and points used (from its amounts),
// and each 返品 an operator records (partial lines allowed). Amounts are integer yen, tax included,
// by rate (10%, 8%, 対象外), with the tax computed once per rate per record (切り捨て).
//  - kind + seq is unique per order: one 'sale', one 'discount', one 'points' (seq 0), and returns
//    numbered 1, 2, … — so booking twice (a retried job, a second confirmation) books nothing more.
//  - lines: for a sale and a return, the order lines and quantities it covers (returns are checked
//    against what is left to return).
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sales_records (
      id serial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      order_id integer NOT NULL REFERENCES orders(id) ON DELETE RESTRICT,
      kind text NOT NULL CHECK (kind IN ('sale', 'discount', 'points', 'return')),
      seq integer NOT NULL DEFAULT 0 CHECK (seq >= 0),
      sales_date date NOT NULL,
      basis text NOT NULL CHECK (basis IN ('shipment', 'order', 'return')),
      amount_10 integer NOT NULL DEFAULT 0,
      tax_10 integer NOT NULL DEFAULT 0,
      amount_8 integer NOT NULL DEFAULT 0,
      tax_8 integer NOT NULL DEFAULT 0,
      amount_0 integer NOT NULL DEFAULT 0,
      total integer NOT NULL,
      lines jsonb NOT NULL DEFAULT '[]'::jsonb,
      reason text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, kind, seq),
      CHECK (total = amount_10 + amount_8 + amount_0),
      CHECK ((kind = 'return') = (seq > 0))
    );
    CREATE INDEX sales_records_store_date_idx ON sales_records (store_id, sales_date);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS sales_records`.execute(db);
}
