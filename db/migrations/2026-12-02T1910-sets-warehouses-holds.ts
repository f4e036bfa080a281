// セット商品, 倉庫 per store and 引当保留 (issue 14 items 2–4).
//  - product_components: a set (a product of the master) is made of components × quantities. A
//    component is a plain product: a set never contains itself (checked here) nor another set
//    (checked by usecases/save-product-set.ts, which writes this table).
//  - order_lines.component_units: the stock units one unit of the line's product takes — 1 for a
//    plain product, Σ component quantities for a set. A set line's reservations are its components'
//    (each row names the component), so reserved_quantity stays Σ of the line's reservations and
//    waiting_units (regenerated) counts component units still to hold. Reservations are keyed by
//    (line, product, warehouse) now: a set line holds several products in one warehouse.
//  - store_warehouses: which warehouses a store ships from. A store without rows ships from every
//    enabled warehouse (what every store did before).
//  - orders.allocation_held_*: 引当保留. An operator released the order's stock (受注在庫予約解除);
//    no sweep, arrival or import gives it stock again until an operator re-allocates it.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE product_components (
      set_code text NOT NULL REFERENCES products(code) ON DELETE CASCADE,
      component_code text NOT NULL REFERENCES products(code),
      quantity integer NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (set_code, component_code),
      CHECK (set_code <> component_code)
    );
    -- "which sets use this component?" (an arrival of a component serves the sets waiting for it)
    CREATE INDEX product_components_component_idx ON product_components (component_code);

    DROP INDEX order_lines_short_idx;
    ALTER TABLE order_lines DROP COLUMN waiting_units;
    ALTER TABLE order_lines ADD COLUMN component_units integer NOT NULL DEFAULT 1 CHECK (component_units > 0);
    ALTER TABLE order_lines ADD COLUMN waiting_units integer
      GENERATED ALWAYS AS (quantity * units_per_cart_unit * component_units - reserved_quantity) STORED;
    CREATE INDEX order_lines_short_idx ON order_lines (product_code, order_id)
      WHERE open AND product_code IS NOT NULL AND waiting_units > 0;

    ALTER TABLE reservations DROP CONSTRAINT reservations_order_line_id_warehouse_code_key;
    ALTER TABLE reservations ADD CONSTRAINT reservations_line_stock_key
      UNIQUE (order_line_id, product_code, warehouse_code);

    CREATE TABLE store_warehouses (
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      warehouse_code text NOT NULL REFERENCES warehouses(code) ON DELETE CASCADE,
      PRIMARY KEY (store_id, warehouse_code)
    );

    ALTER TABLE orders
      ADD COLUMN allocation_held_at timestamptz,
      ADD COLUMN allocation_held_by text,
      ADD COLUMN allocation_hold_reason text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE orders DROP COLUMN allocation_held_at, DROP COLUMN allocation_held_by,
      DROP COLUMN allocation_hold_reason;
    DROP TABLE store_warehouses;
    ALTER TABLE reservations DROP CONSTRAINT reservations_line_stock_key;
    ALTER TABLE reservations ADD CONSTRAINT reservations_order_line_id_warehouse_code_key
      UNIQUE (order_line_id, warehouse_code);
    DROP INDEX order_lines_short_idx;
    ALTER TABLE order_lines DROP COLUMN waiting_units;
    ALTER TABLE order_lines DROP COLUMN component_units;
    ALTER TABLE order_lines ADD COLUMN waiting_units integer
      GENERATED ALWAYS AS (quantity * units_per_cart_unit - reserved_quantity) STORED;
    CREATE INDEX order_lines_short_idx ON order_lines (product_code, order_id)
      WHERE open AND product_code IS NOT NULL AND waiting_units > 0;
    DROP TABLE product_components;
  `.execute(db);
}
