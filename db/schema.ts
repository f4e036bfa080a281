// Row types of the PostgreSQL schema (snake_case, as in SQL). Repositories map them to the
// camelCase domain objects; migrations never import these types (they are frozen in time).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns stay 'YYYY-MM-DD' strings (see infra/postgres.ts). */
type PlainDate = string;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;

export interface StoresTable {
  id: Generated<number>;
  code: string;
  cart: string;
  name: string;
  enabled: Generated<boolean>;
  import_cron: string;
  base_url: string | null;
  /** テスト店舗: may point at this machine (a cart simulator); see domain/store-endpoint.ts. */
  test_store: Generated<boolean>;
  settings: Json<Record<string, unknown>>;
  credentials_encrypted: string | null;
  credential_state: Generated<'ok' | 'needs_credentials'>;
  credential_error: string | null;
  import_cursor: Timestamp | null;
  /** End of the window an import is working through (its cursor moves page by page); null: none. */
  import_window_to: Timestamp | null;
  last_import_at: Timestamp | null;
  last_import_outcome: string | null;
  import_lease_owner: string | null;
  import_lease_until: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * A host an ops engineer allowed a cart's credentials to go to, beyond the cart's published ones
 * (makeshop's next-generation endpoint is sent to each shop by e-mail): `juchu stores allow-host`.
 */
export interface CartApiHostsTable {
  cart: string;
  host: string;
  /** Where the host comes from (the e-mail, its date): shown beside it. */
  source: string;
  added_by: string;
  added_at: CreatedAt;
}

export interface ProductsTable {
  code: string;
  name: string;
  tax_rate: number;
  needs_check: Generated<boolean>;
  /** JAN / barcode (GS1 digits, check digit checked in domain/product-rules.ts); one product each. */
  jan: string | null;
  /** Why the product is 要修正 (shown to whoever checks its orders). */
  needs_check_note: string | null;
  /** False once deactivated (a product orders use is never deleted). */
  active: Generated<boolean>;
  /** サイズ区分 for carrier rules (domain/carrier-rules.ts SIZE_CLASSES), or null. */
  size_class: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StoreProductMappingsTable {
  id: Generated<number>;
  store_id: number;
  cart_product_code: string;
  /** '' matches any option. */
  cart_option_code: Generated<string>;
  product_code: string;
  units_per_cart_unit: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WarehousesTable {
  code: string;
  name: string;
  priority: number;
  enabled: Generated<boolean>;
  created_at: CreatedAt;
}

/** セット商品: a set's components (plain products) and how many of each one set takes. */
export interface ProductComponentsTable {
  set_code: string;
  component_code: string;
  quantity: number;
}

/** Which warehouses a store ships from; a store without rows ships from every enabled one. */
export interface StoreWarehousesTable {
  store_id: number;
  warehouse_code: string;
}

export interface StockLevelsTable {
  product_code: string;
  warehouse_code: string;
  on_hand: Generated<number>;
  reserved: Generated<number>;
  updated_at: UpdatedAt;
}

export interface StatusesTable {
  code: string;
  group: 'review' | 'payment' | 'fulfillment' | 'cancellation';
  label: string;
  sort_order: number;
  system: boolean;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OrdersTable {
  id: Generated<number>;
  order_seq: Generated<number>;
  store_id: number;
  cart_order_no: string;
  status_code: string;
  status_reason: string | null;
  status_changed_at: UpdatedAt;
  ordered_at: Timestamp;
  cart_status: string;
  cart_cancelled: Generated<boolean>;
  cart_updated_at: Timestamp | null;
  payload_hash: string;
  content_hash: string;
  raw_payload: Json;
  customer_remarks: string | null;
  internal_comment: string | null;
  delivery_requested_date: PlainDate | null;
  delivery_time_slot: string | null;
  delivery_carrier: string | null;
  delivery_method: string | null;
  delivery_fee: number | null;
  payment_method: string | null;
  prepaid: Generated<boolean>;
  payment_card_type: string | null;
  payment_fee: number | null;
  paid_at: Timestamp | null;
  goods_total: number | null;
  shipping_total: number | null;
  fees_total: number | null;
  discount_total: number | null;
  points_total: number | null;
  tax_total: number | null;
  grand_total: number | null;
  currency: string;
  ship_date: PlainDate | null;
  shipping_instructed_at: Timestamp | null;
  shipped_at: Timestamp | null;
  tracking_number: string | null;
  comment_checked: Generated<boolean>;
  product_checked: Generated<boolean>;
  stock_waited: Generated<boolean>;
  needs_attention: Generated<boolean>;
  attention_reason: string | null;
  /** 引当保留: an operator released its stock; nothing gives it stock until re-allocated. */
  allocation_held_at: Timestamp | null;
  allocation_held_by: string | null;
  allocation_hold_reason: string | null;
  /** The carrier an operator chose, or the rules' choice frozen at the shipping instruction. */
  ship_carrier: string | null;
  ship_method: string | null;
  ship_carrier_source: 'operator' | 'rule' | 'default' | null;
  ship_carrier_reason: string | null;
  /** 個口: parcels per package (labels printed for each ship-to). */
  ship_parcels: Generated<number>;
  pending_payload: Json | null;
  pending_payload_hash: string | null;
  imported_at: CreatedAt;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OrderStatusCountsTable {
  store_id: number;
  status_code: string;
  n: number;
}

export interface OrderStatusDeltasTable {
  id: Generated<number>;
  store_id: number;
  status_code: string;
  n: number;
}

export interface OrderPartiesTable {
  id: Generated<number>;
  order_id: number;
  role: 'orderer' | 'ship_to';
  /** 0 for the orderer; 1.. for each package's ship-to. */
  package_no: number;
  name: string | null;
  kana: string | null;
  email: string | null;
  phone: string | null;
  postal_code: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
}

export interface OrderLinesTable {
  id: Generated<number>;
  order_id: number;
  line_no: number;
  package_no: number;
  cart_product_code: string;
  cart_option_code: string | null;
  product_code: string | null;
  units_per_cart_unit: Generated<number>;
  /** Stock units per unit of the product: 1, or Σ component quantities for a set (セット商品). */
  component_units: Generated<number>;
  name: string;
  quantity: number;
  unit_price: number;
  tax_included: boolean;
  tax_rate: number | null;
  tax_amount: number | null;
  /** Units held: Σ of the line's reservations (kept in the same statements). */
  reserved_quantity: Generated<number>;
  /** False once the order shipped or was cancelled. */
  open: Generated<boolean>;
  /** quantity × units × component_units − reserved_quantity, computed by PostgreSQL. */
  waiting_units: ColumnType<number, never, never>;
  /** Warehouses the shipped stock came from, once shipped: [{ warehouse, quantity }]. */
  shipped_from: Json<Array<{ warehouse: string; quantity: number }>> | null;
}

export interface ReservationsTable {
  id: Generated<number>;
  order_line_id: number;
  order_id: number;
  product_code: string;
  warehouse_code: string;
  quantity: number;
  created_at: CreatedAt;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: number;
  store_id: number;
  cart_order_no: string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: Json | null;
  at: CreatedAt;
}

export type ImportTrigger = 'schedule' | 'manual' | 'retry' | 'reconcile' | 'reimport' | 'upload';
export type ImportRunOutcome = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface ImportRunsTable {
  id: Generated<number>;
  store_id: number;
  trigger: ImportTrigger;
  job_id: string | null;
  slot: Timestamp | null;
  window_from: Timestamp | null;
  window_to: Timestamp | null;
  fetched: Generated<number>;
  new: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  skipped: Generated<number>;
  missing_found: number | null;
  outcome: Generated<ImportRunOutcome>;
  error: string | null;
  /** Why an import job did not import (outcome 'skipped'). */
  skip_reason: Generated<string | null>;
  /** What the run corrected on its way (a cursor beyond the database's time), in Japanese. */
  notice: string | null;
  started_at: CreatedAt;
  finished_at: Timestamp | null;
  duration_ms: number | null;
}

export interface ImportRejectsTable {
  id: Generated<number>;
  store_id: number;
  import_run_id: number | null;
  cart_order_no: string | null;
  field: string | null;
  error: string;
  raw_payload: Json;
  payload_hash: string;
  created_at: CreatedAt;
  resolved_at: Timestamp | null;
  resolution: string | null;
}

/** A file a CSV store's import took from its inbox, recorded before it was read. */
export interface InboxFilesTable {
  id: Generated<number>;
  store_id: number;
  name: string;
  size_bytes: ColumnType<number, number, number>;
  mtime_ms: number;
  /** reading: an attempt began and has not ended (a worker that died leaves it so). */
  state: 'reading' | 'waiting' | 'imported' | 'failed';
  attempts: Generated<number>;
  import_run_id: number | null;
  orders: Generated<number>;
  error: string | null;
  first_seen_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export type UploadKind = 'stock' | 'shipments' | 'mappings' | 'products' | 'orders' | 'tracking';
export type UploadStatus = 'running' | 'succeeded' | 'failed';

/** An operator upload as one unit: key, progress, result (usecases/apply-upload.ts). */
export interface UploadsTable {
  id: Generated<number>;
  kind: UploadKind;
  file_name: string;
  byte_size: ColumnType<number, number | undefined, number>;
  sha256: string;
  upload_key: string;
  actor: string;
  status: Generated<UploadStatus>;
  rows_read: Generated<number>;
  rows_applied: Generated<number>;
  rows_failed: Generated<number>;
  /** The last row number whose effect is committed (written in the same transaction as it). */
  applied_through: Generated<number>;
  result: Json | null;
  error: string | null;
  attempts: Generated<number>;
  lease_until: Timestamp | null;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
  updated_at: UpdatedAt;
}

export interface UploadErrorsTable {
  id: Generated<number>;
  upload_id: number;
  line: number | null;
  column_name: string | null;
  message: string;
}

export interface UsersTable {
  id: Generated<number>;
  login: string;
  display_name: string;
  password_hash: string;
  role: 'viewer' | 'operator' | 'admin';
  enabled: Generated<boolean>;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  login: string;
  address: string;
  device: string | null;
  failed_at: Generated<Date>;
}

/** Per store: ご依頼主 on labels, carriers' customer codes, default carrier, 代引 payment methods. */
export interface StoreShippingTable {
  store_id: number;
  sender_name: string | null;
  sender_postal_code: string | null;
  sender_phone: string | null;
  sender_address1: string | null;
  sender_address2: string | null;
  default_carrier: string | null;
  default_method: string | null;
  cod_methods: string[] | null;
  codes: Json<Record<string, unknown>>;
  updated_at: UpdatedAt;
  updated_by: string | null;
}

export interface CarrierRulesTable {
  id: Generated<number>;
  store_id: number;
  position: number;
  kind: 'prefecture' | 'postal' | 'size' | 'cod';
  values: string[];
  carrier: string;
  method: string | null;
  note: string | null;
}

export interface ShippingBatchesTable {
  id: Generated<number>;
  source: 'instruction' | 'selection';
  ship_date: PlainDate;
  created_by: string;
  created_at: CreatedAt;
}

export interface ShippingBatchOrdersTable {
  batch_id: number;
  order_id: number;
}

export interface LabelExportsTable {
  id: Generated<number>;
  batch_id: number;
  carrier: string;
  layout: string;
  sha256: string;
  bytes: number;
  orders: number;
  rows: number;
  exported_by: string;
  exported_at: CreatedAt;
}

/** A tracking number per parcel: per package (配送先), several for 複数口. */
export interface OrderParcelsTable {
  id: Generated<number>;
  order_id: number;
  package_no: number;
  carrier: string;
  tracking_number: string;
  shipped_on: PlainDate;
  /** The carrier result file (an upload of kind tracking) it came from. */
  upload_id: number | null;
  created_at: CreatedAt;
}

/** 売上: a sale per shipped order, its discount and points, and each 返品 (negative); by tax rate. */
export interface SalesRecordsTable {
  id: Generated<number>;
  store_id: number;
  order_id: number;
  kind: 'sale' | 'discount' | 'points' | 'return';
  /** 0 for sale, discount and points; 1, 2, … for an order's returns. */
  seq: Generated<number>;
  sales_date: PlainDate;
  basis: 'shipment' | 'order' | 'return';
  amount_10: Generated<number>;
  tax_10: Generated<number>;
  amount_8: Generated<number>;
  tax_8: Generated<number>;
  amount_0: Generated<number>;
  total: number;
  lines: Json<Array<{ lineId: number; lineNo: number; quantity: number; amount: number; rate: number }>>;
  reason: string | null;
  created_by: string;
  created_at: CreatedAt;
}

/** 在庫連携: safety stock kept back at one store for one product (over the store's stockSafety). */
export interface StoreStockSafetyTable {
  store_id: number;
  product_code: string;
  quantity: number;
  updated_at: UpdatedAt;
}

/** 在庫連携: per store × cart item, the quantity wanted, the last push and its answer, drift found. */
export interface StockPushStateTable {
  store_id: number;
  cart_product_code: string;
  /** '' for an item without an option. */
  cart_option_code: Generated<string>;
  product_code: string;
  wanted_quantity: number;
  /** When the quantity last changed (push lag counts from here). */
  wanted_at: Timestamp;
  pushed_quantity: number | null;
  pushed_at: Timestamp | null;
  outcome: 'accepted' | 'refused' | 'failed' | null;
  answer: string | null;
  failures: Generated<number>;
  /** What the cart showed when the full sync re-read it, and how far it was off. */
  cart_quantity: number | null;
  drift: number | null;
  drift_checked_at: Timestamp | null;
}

export type CartActionKind = 'confirm' | 'ship' | 'cancel' | 'stock';
export type CartActionState = 'pending' | 'delivering' | 'done' | 'failed' | 'refused';

/** The cart-actions outbox (db/cart-actions.ts): what to tell a cart, and what it answered. */
export interface CartActionsTable {
  id: Generated<number>;
  store_id: number;
  order_id: number | null;
  cart_order_no: string | null;
  kind: CartActionKind;
  /** One action per store and key (a use case run twice records once); null: no such rule. */
  action_key: string | null;
  /** A newer value replaces a pending one with the same key (stock per store × product). */
  coalesce_key: string | null;
  /** What to send (packages and tracking numbers, the cancel reason, stock levels …). */
  payload: Json<Record<string, unknown>>;
  state: Generated<CartActionState>;
  attempts: Generated<number>;
  /** Times a human sent it again (再送): part of its job id. */
  retries: Generated<number>;
  /** The last 再送: who (a user's actor, cli, or bullboard for Bull Board's retry), when, how many so far. */
  resent_by: string | null;
  resent_at: Timestamp | null;
  resend_count: Generated<number>;
  /** The asynchronous cart request it went out in (Rakuten updateOrderShippingAsync requestId). */
  async_request_id: string | null;
  async_requested_at: Timestamp | null;
  last_error: string | null;
  cart_answer: string | null;
  answer_code: string | null;
  /** Cart-side ids an attempt got (a retry updates instead of duplicating). */
  cart_refs: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: CreatedAt;
  created_by: string;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_until: Timestamp | null;
  done_at: Timestamp | null;
  updated_at: UpdatedAt;
}

export interface Database {
  stores: StoresTable;
  cart_api_hosts: CartApiHostsTable;
  products: ProductsTable;
  store_product_mappings: StoreProductMappingsTable;
  warehouses: WarehousesTable;
  product_components: ProductComponentsTable;
  store_warehouses: StoreWarehousesTable;
  stock_levels: StockLevelsTable;
  statuses: StatusesTable;
  orders: OrdersTable;
  order_parties: OrderPartiesTable;
  order_status_counts: OrderStatusCountsTable;
  order_status_deltas: OrderStatusDeltasTable;
  /** View: counts plus deltas not yet folded in. */
  order_status_totals: OrderStatusCountsTable;
  order_lines: OrderLinesTable;
  reservations: ReservationsTable;
  order_events: OrderEventsTable;
  import_runs: ImportRunsTable;
  import_rejects: ImportRejectsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  store_shipping: StoreShippingTable;
  carrier_rules: CarrierRulesTable;
  shipping_batches: ShippingBatchesTable;
  shipping_batch_orders: ShippingBatchOrdersTable;
  label_exports: LabelExportsTable;
  order_parcels: OrderParcelsTable;
  inbox_files: InboxFilesTable;
  uploads: UploadsTable;
  upload_errors: UploadErrorsTable;
  sales_records: SalesRecordsTable;
  store_stock_safety: StoreStockSafetyTable;
  stock_push_state: StockPushStateTable;
  cart_actions: CartActionsTable;
}

export type StoreRow = Selectable<StoresTable>;
export type OrderRow = Selectable<OrdersTable>;
export type NewOrderRow = Insertable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type OrderPartyRow = Selectable<OrderPartiesTable>;
export type StatusRow = Selectable<StatusesTable>;
export type ImportRunRow = Selectable<ImportRunsTable>;
export type UploadRow = Selectable<UploadsTable>;
