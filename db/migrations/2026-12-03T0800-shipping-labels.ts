// 出荷: carrier label data, tracking numbers back and carrier rules (issue 18 items 1, 2 and 4).
//  - store_shipping: per store the sender (ご依頼主) printed on labels, the carriers' customer codes,
//    the default carrier and method, and which payment methods mean 代引.
//  - carrier_rules: per store, overrides in order (first match wins): by prefecture, by postal-code
//    range (remote islands), by product size class (at least), for 代引.
//  - products.size_class: the product's size class (mail, 60 … 200); an order's is its largest line's.
//  - orders.ship_*: the carrier an operator chose, or the one the rules chose, frozen at the shipping
//    instruction (source and reason kept), and how many parcels (個口) it ships in.
//  - shipping_batches (+ _orders): the orders of one shipping-instruction run, or a selection; label
//    files are exported per batch and carrier. label_exports logs each export with its hash.
//  - order_parcels: a tracking number per parcel (per package, several for 複数口), from a carrier's
//    result file; tracking_uploads keeps each result file's counts and the rows that matched no order.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE store_shipping (
      store_id integer PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
      sender_name text,
      sender_postal_code text,
      sender_phone text,
      sender_address1 text,
      sender_address2 text,
      default_carrier text,
      default_method text,
      cod_methods text[],
      codes jsonb NOT NULL DEFAULT '{}'::jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text
    );

    CREATE TABLE carrier_rules (
      id serial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      position integer NOT NULL CHECK (position > 0),
      kind text NOT NULL CHECK (kind IN ('prefecture', 'postal', 'size', 'cod')),
      "values" text[] NOT NULL DEFAULT '{}',
      carrier text NOT NULL,
      method text,
      note text,
      UNIQUE (store_id, position)
    );

    ALTER TABLE products ADD COLUMN size_class text;

    ALTER TABLE orders
      ADD COLUMN ship_carrier text,
      ADD COLUMN ship_method text,
      ADD COLUMN ship_carrier_source text CHECK (ship_carrier_source IN ('operator', 'rule', 'default')),
      ADD COLUMN ship_carrier_reason text,
      ADD COLUMN ship_parcels integer NOT NULL DEFAULT 1 CHECK (ship_parcels BETWEEN 1 AND 99);

    CREATE TABLE shipping_batches (
      id serial PRIMARY KEY,
      source text NOT NULL CHECK (source IN ('instruction', 'selection')),
      ship_date date NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE shipping_batch_orders (
      batch_id integer NOT NULL REFERENCES shipping_batches(id) ON DELETE CASCADE,
      order_id integer NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      PRIMARY KEY (batch_id, order_id)
    );
    CREATE INDEX shipping_batch_orders_order_idx ON shipping_batch_orders (order_id);

    CREATE TABLE label_exports (
      id serial PRIMARY KEY,
      batch_id integer NOT NULL REFERENCES shipping_batches(id) ON DELETE CASCADE,
      carrier text NOT NULL,
      layout text NOT NULL,
      sha256 text NOT NULL,
      bytes integer NOT NULL,
      orders integer NOT NULL,
      rows integer NOT NULL,
      exported_by text NOT NULL,
      exported_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX label_exports_batch_idx ON label_exports (batch_id, carrier, id);

    CREATE TABLE tracking_uploads (
      id serial PRIMARY KEY,
      carrier text NOT NULL,
      file_name text NOT NULL,
      sha256 text NOT NULL,
      rows integer NOT NULL,
      matched integer NOT NULL,
      unmatched jsonb NOT NULL DEFAULT '[]'::jsonb,
      results jsonb NOT NULL DEFAULT '[]'::jsonb,
      uploaded_by text NOT NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE order_parcels (
      id serial PRIMARY KEY,
      order_id integer NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      package_no integer NOT NULL,
      carrier text NOT NULL,
      tracking_number text NOT NULL,
      shipped_on date NOT NULL,
      upload_id integer REFERENCES tracking_uploads(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, tracking_number)
    );
    CREATE INDEX order_parcels_order_idx ON order_parcels (order_id, package_no, id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE order_parcels;
    DROP TABLE tracking_uploads;
    DROP TABLE label_exports;
    DROP TABLE shipping_batch_orders;
    DROP TABLE shipping_batches;
    ALTER TABLE orders DROP COLUMN ship_carrier, DROP COLUMN ship_method, DROP COLUMN ship_carrier_source,
      DROP COLUMN ship_carrier_reason, DROP COLUMN ship_parcels;
    ALTER TABLE products DROP COLUMN size_class;
    DROP TABLE carrier_rules;
    DROP TABLE store_shipping;
  `.execute(db);
}
