// The order desk's schema. Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE stores (
      id serial PRIMARY KEY,
      -- used in job ids and URLs: lower-case letters, digits and '-', never ':'
      code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      cart text NOT NULL CHECK (cart IN ('rakuten', 'yahoo', 'amazon', 'makeshop', 'shopify', 'csv')),
      name text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      import_cron text NOT NULL DEFAULT '*/10 * * * *',
      base_url text,
      -- importStatuses, prepaidMethods, deliveryHoldDays, reservationTiming, syncOverlapMinutes,
      -- settleLagSeconds, autoCompleteCancel and cart-specific settings (see domain/store-settings.ts)
      settings jsonb NOT NULL DEFAULT '{}',
      -- AES-256-GCM sealed JSON (infra/crypto.ts); the key is never in the database
      credentials_encrypted text,
      credential_state text NOT NULL DEFAULT 'ok' CHECK (credential_state IN ('ok', 'needs_credentials')),
      credential_error text,
      -- end of the last completed import window
      import_cursor timestamptz,
      last_import_at timestamptz,
      last_import_outcome text,
      -- one import at a time per store: a lease a worker holds while importing (expires if it dies)
      import_lease_owner text,
      import_lease_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE products (
      code text PRIMARY KEY,
      name text NOT NULL,
      tax_rate smallint NOT NULL DEFAULT 10 CHECK (tax_rate IN (0, 8, 10)),
      -- EC受注修正区分: 要修正 — orders with this product wait in 確認が必要な商品
      needs_check boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- EC店舗別商品マスタ: a store's product code (and option) → our product, with units for sets
    CREATE TABLE store_product_mappings (
      id serial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      cart_product_code text NOT NULL,
      cart_option_code text NOT NULL DEFAULT '',
      product_code text NOT NULL REFERENCES products(code),
      units_per_cart_unit integer NOT NULL DEFAULT 1 CHECK (units_per_cart_unit > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, cart_product_code, cart_option_code)
    );

    CREATE TABLE warehouses (
      code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]*$'),
      name text NOT NULL,
      -- lower is tried first when reserving
      priority integer NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE stock_levels (
      product_code text NOT NULL REFERENCES products(code),
      warehouse_code text NOT NULL REFERENCES warehouses(code),
      on_hand integer NOT NULL DEFAULT 0,
      reserved integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (product_code, warehouse_code),
      -- never oversold: the database refuses it even if a bug in the app tries
      CONSTRAINT stock_levels_reserved_within_on_hand CHECK (0 <= reserved AND reserved <= on_hand)
    );

    CREATE TABLE statuses (
      code text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]+$'),
      "group" text NOT NULL CHECK ("group" IN ('review', 'payment', 'fulfillment', 'cancellation')),
      label text NOT NULL,
      sort_order integer NOT NULL,
      -- system statuses carry the rules and can be renamed but never removed
      system boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE SEQUENCE order_no_seq;

    CREATE TABLE orders (
      id bigserial PRIMARY KEY,
      -- 受注No, shown zero-padded to 8 digits
      order_seq bigint NOT NULL UNIQUE DEFAULT nextval('order_no_seq'),
      store_id integer NOT NULL REFERENCES stores(id),
      cart_order_no text NOT NULL,
      status_code text NOT NULL REFERENCES statuses(code),
      status_reason text,
      status_changed_at timestamptz NOT NULL DEFAULT now(),
      ordered_at timestamptz NOT NULL,
      cart_status text NOT NULL,
      cart_cancelled boolean NOT NULL DEFAULT false,
      cart_updated_at timestamptz,
      -- sha256 of the normalized cart payload: "did the cart change this order?"
      payload_hash text NOT NULL,
      -- the same without the cart's status, update time and payment time: "did the content change?"
      content_hash text NOT NULL,
      raw_payload jsonb NOT NULL,
      customer_remarks text,
      internal_comment text,
      delivery_requested_date date,
      delivery_time_slot text,
      delivery_carrier text,
      delivery_method text,
      delivery_fee bigint,
      payment_method text,
      -- the method is one the store takes money for before shipping (its prepaid list, at import)
      prepaid boolean NOT NULL DEFAULT false,
      payment_card_type text,
      payment_fee bigint,
      paid_at timestamptz,
      -- money in the currency's minor unit (yen have none)
      goods_total bigint,
      shipping_total bigint,
      fees_total bigint,
      discount_total bigint,
      points_total bigint,
      tax_total bigint,
      grand_total bigint,
      currency char(3) NOT NULL DEFAULT 'JPY',
      ship_date date,
      shipping_instructed_at timestamptz,
      shipped_at timestamptz,
      tracking_number text,
      comment_checked boolean NOT NULL DEFAULT false,
      product_checked boolean NOT NULL DEFAULT false,
      -- it sat in 在庫なし / 納期指定あり: once every line is held it goes to 在庫確認後の出荷
      stock_waited boolean NOT NULL DEFAULT false,
      -- set when something needs a human: cart changed after the shipping instruction, cancel too late
      needs_attention boolean NOT NULL DEFAULT false,
      attention_reason text,
      pending_payload jsonb,
      pending_payload_hash text,
      imported_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- importing twice never creates a second slip
      CONSTRAINT orders_store_cart_order_no_key UNIQUE (store_id, cart_order_no)
    );
    -- the order list: a tab per status group, filtered by status, channel, dates; newest first
    CREATE INDEX orders_status_ordered_at_idx ON orders (status_code, ordered_at DESC, id DESC);
    CREATE INDEX orders_store_ordered_at_idx ON orders (store_id, ordered_at DESC, id DESC);
    CREATE INDEX orders_ordered_at_idx ON orders (ordered_at DESC, id DESC);
    CREATE INDEX orders_ship_date_idx ON orders (ship_date) WHERE ship_date IS NOT NULL;
    CREATE INDEX orders_cart_order_no_idx ON orders (cart_order_no text_pattern_ops);
    CREATE INDEX orders_needs_attention_idx ON orders (id) WHERE needs_attention;
    CREATE INDEX orders_delivery_date_idx ON orders (delivery_requested_date) WHERE delivery_requested_date IS NOT NULL;

    -- Orders per store and status for the list's tab counts, O(statuses) at millions of orders.
    -- Statement-level triggers append one aggregated delta row per (store, status) a statement
    -- touched: no hot counter row, so imports and status changes never wait on each other. A
    -- maintenance job folds the deltas into order_status_counts; order_status_totals adds both.
    CREATE TABLE order_status_counts (
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      status_code text NOT NULL,
      n bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (store_id, status_code)
    );
    CREATE TABLE order_status_deltas (
      id bigserial PRIMARY KEY,
      store_id integer NOT NULL,
      status_code text NOT NULL,
      n bigint NOT NULL
    );
    CREATE VIEW order_status_totals AS
      SELECT store_id, status_code, SUM(n)::bigint AS n FROM (
        SELECT store_id, status_code, n FROM order_status_counts
        UNION ALL
        SELECT store_id, status_code, n FROM order_status_deltas
      ) x GROUP BY store_id, status_code;
    CREATE FUNCTION order_status_deltas_ins() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO order_status_deltas (store_id, status_code, n)
        SELECT store_id, status_code, count(*) FROM new_rows GROUP BY 1, 2;
      RETURN NULL;
    END $$;
    CREATE FUNCTION order_status_deltas_del() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO order_status_deltas (store_id, status_code, n)
        SELECT store_id, status_code, -count(*) FROM old_rows GROUP BY 1, 2;
      RETURN NULL;
    END $$;
    CREATE FUNCTION order_status_deltas_upd() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO order_status_deltas (store_id, status_code, n)
        SELECT store_id, status_code, SUM(n) FROM (
          SELECT o.store_id, o.status_code, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE (o.store_id, o.status_code) IS DISTINCT FROM (w.store_id, w.status_code)
          UNION ALL
          SELECT w.store_id, w.status_code, 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE (o.store_id, o.status_code) IS DISTINCT FROM (w.store_id, w.status_code)
        ) d GROUP BY 1, 2 HAVING SUM(n) <> 0;
      RETURN NULL;
    END $$;
    CREATE TRIGGER orders_status_deltas_ins AFTER INSERT ON orders
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION order_status_deltas_ins();
    CREATE TRIGGER orders_status_deltas_del AFTER DELETE ON orders
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION order_status_deltas_del();
    CREATE TRIGGER orders_status_deltas_upd AFTER UPDATE ON orders
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION order_status_deltas_upd();

    CREATE TABLE order_parties (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('orderer', 'ship_to')),
      package_no integer NOT NULL,
      name text,
      kana text,
      email text,
      phone text,
      postal_code text,
      prefecture text,
      address1 text,
      address2 text,
      UNIQUE (order_id, role, package_no),
      CHECK ((role = 'orderer') = (package_no = 0))
    );

    CREATE TABLE order_lines (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      line_no integer NOT NULL,
      package_no integer NOT NULL DEFAULT 1,
      cart_product_code text NOT NULL,
      cart_option_code text,
      -- null: in neither the store mapping nor the master (マスタなし商品)
      product_code text REFERENCES products(code),
      units_per_cart_unit integer NOT NULL DEFAULT 1 CHECK (units_per_cart_unit > 0),
      name text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price bigint NOT NULL,
      tax_included boolean NOT NULL,
      tax_rate smallint CHECK (tax_rate IN (0, 8, 10)),
      tax_amount bigint,
      -- units held for the line: always Σ of its reservations, changed in the same statements; kept
      -- here so the lines still waiting for stock can be found by an index, not a scan
      reserved_quantity integer NOT NULL DEFAULT 0 CHECK (reserved_quantity >= 0),
      -- false once the order shipped or was cancelled: it will never need stock again
      open boolean NOT NULL DEFAULT true,
      -- units still to hold; a plain column the planner has statistics for (an expression it has not)
      waiting_units integer GENERATED ALWAYS AS (quantity * units_per_cart_unit - reserved_quantity) STORED,
      shipped_from jsonb,
      UNIQUE (order_id, line_no)
    );
    CREATE INDEX order_lines_product_code_idx ON order_lines (product_code);
    -- the allocation queue: open lines of known products still short of stock
    CREATE INDEX order_lines_short_idx ON order_lines (product_code, order_id)
      WHERE open AND product_code IS NOT NULL AND waiting_units > 0;
    -- "a mapping was added: which orders wait on this cart code?"
    CREATE INDEX order_lines_unknown_code_idx ON order_lines (cart_product_code) WHERE product_code IS NULL;

    -- 在庫予約: stock held for an order line in one warehouse. stock_levels.reserved is always the
    -- sum of these rows; both change in the same statement.
    CREATE TABLE reservations (
      id bigserial PRIMARY KEY,
      order_line_id bigint NOT NULL REFERENCES order_lines(id) ON DELETE CASCADE,
      order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      product_code text NOT NULL,
      warehouse_code text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_line_id, warehouse_code),
      FOREIGN KEY (product_code, warehouse_code) REFERENCES stock_levels(product_code, warehouse_code)
    );
    CREATE INDEX reservations_order_idx ON reservations (order_id);
    CREATE INDEX reservations_stock_idx ON reservations (product_code, warehouse_code);

    -- audit trail; kept when an order is deleted, so no foreign key to orders
    CREATE TABLE order_events (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL,
      store_id integer NOT NULL,
      cart_order_no text NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      from_status text,
      to_status text,
      reason text,
      details jsonb,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_events_order_idx ON order_events (order_id, id);
    CREATE INDEX order_events_store_order_idx ON order_events (store_id, cart_order_no);

    CREATE TABLE import_runs (
      id bigserial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'reconcile', 'reimport', 'upload')),
      job_id text,
      -- the cron slot a scheduled run belongs to
      slot timestamptz,
      window_from timestamptz,
      window_to timestamptz,
      fetched integer NOT NULL DEFAULT 0,
      new integer NOT NULL DEFAULT 0,
      updated integer NOT NULL DEFAULT 0,
      unchanged integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      skipped integer NOT NULL DEFAULT 0,
      -- reconciliation: orders found that the regular imports had missed (0 is healthy)
      missing_found integer,
      outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
      error text,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      duration_ms integer
    );
    CREATE INDEX import_runs_store_idx ON import_runs (store_id, started_at DESC);
    CREATE INDEX import_runs_running_idx ON import_runs (store_id) WHERE outcome = 'running';
    -- one run per cron slot, however many schedulers fired it
    CREATE UNIQUE INDEX import_runs_slot_idx ON import_runs (store_id, slot) WHERE trigger = 'schedule';
    CREATE INDEX import_runs_job_idx ON import_runs (job_id);

    -- records a cart sent that could not be read: kept with their error for a human
    CREATE TABLE import_rejects (
      id bigserial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      import_run_id bigint REFERENCES import_runs(id) ON DELETE SET NULL,
      cart_order_no text,
      field text,
      error text NOT NULL,
      raw_payload jsonb NOT NULL,
      payload_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolution text
    );
    -- the same bad record seen again is one reject, not many
    CREATE UNIQUE INDEX import_rejects_open_idx ON import_rejects (store_id, payload_hash) WHERE resolved_at IS NULL;
    CREATE INDEX import_rejects_store_idx ON import_rejects (store_id, created_at DESC);

    CREATE TABLE users (
      id serial PRIMARY KEY,
      login text NOT NULL UNIQUE,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      -- sha256 of the cookie's random token; the token itself is never stored
      id text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_expires_idx ON sessions (expires_at);

    CREATE TABLE login_attempts (
      key text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL
    );
  `.execute(db);

  // The spec's statuses (§2). Labels can be renamed later; codes and rules stay.
  await sql`
    INSERT INTO statuses (code, "group", label, sort_order, system) VALUES
      ('unknown_product',   'review',       'マスタなし商品',        110, true),
      ('needs_check',       'review',       '確認が必要な商品',      120, true),
      ('customer_comment',  'review',       'お客様コメント確認',    130, true),
      ('review_hold',       'review',       '確認待ち保留',          140, true),
      ('awaiting_payment',  'payment',      '入金待ち',              210, true),
      ('ready_to_ship',     'fulfillment',  '新規受付分の出荷',      310, true),
      ('ready_after_stock', 'fulfillment',  '在庫確認後の出荷',      320, true),
      ('shipping',          'fulfillment',  '出荷作業中',            330, true),
      ('waiting',           'fulfillment',  '在庫なし / 納期指定あり', 340, true),
      ('shipped',           'fulfillment',  '出荷完了',              350, true),
      ('hold_1',            'fulfillment',  '出荷保留1',             360, false),
      ('cancel_requested',  'cancellation', 'キャンセル指示待ち',    410, true),
      ('cancelling',        'cancellation', 'キャンセル対応中',      420, true),
      ('cancelled',         'cancellation', 'キャンセル済み',        430, true)
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP VIEW IF EXISTS order_status_totals;
    DROP TABLE IF EXISTS login_attempts, sessions, users, import_rejects, import_runs, order_events,
      reservations, order_lines, order_parties, order_status_counts, order_status_deltas, orders, statuses, stock_levels, warehouses,
      store_product_mappings, products, stores CASCADE;
    DROP SEQUENCE IF EXISTS order_no_seq;
    DROP FUNCTION IF EXISTS order_status_deltas_ins(), order_status_deltas_del(), order_status_deltas_upd();
  `.execute(db);
}
