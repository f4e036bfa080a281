// Facts about SP-API Orders (v0 and 2026-01-01) shared by the adapter and its simulator, each with its
// source (carts.md §2, `amazon-ordersV0.json`, `amazon-orders_2026-01-01.json`, `tokens_2021-03-01.json`,
// and the developer-docs pages named in README.md, checked 2026-12-02).
import type { RateLimits } from '../contract.js';

/** Japan is served by the Far East endpoint (sp-api-endpoints page); the model's own `host` is NA. */
export const AMAZON_FE_BASE_URL = 'https://sellingpartnerapi-fe.amazon.com';
/** Login with Amazon token endpoint (LwaAuthClient.mjs, LwaRequest.py). */
export const AMAZON_LWA_URL = 'https://api.amazon.com/auth/o2/token';
/** Path of the LWA endpoint, which the simulator serves on its own base URL. */
export const LWA_PATH = '/auth/o2/token';
/** Amazon.co.jp (marketplace-ids page). */
export const JP_MARKETPLACE_ID = 'A1VC38T7YXB528';

export const ORDERS_PATH = '/orders/v0/orders';
export const RDT_PATH = '/tokens/2021-03-01/restrictedDataToken';
export const orderPath = (id: string) => `${ORDERS_PATH}/${encodeURIComponent(id)}`;
export const orderItemsPath = (id: string) => `${orderPath(id)}/orderItems`;
export const orderAddressPath = (id: string) => `${orderPath(id)}/address`;
export const orderBuyerInfoPath = (id: string) => `${orderPath(id)}/buyerInfo`;

/** Orders API v2026-01-01 (`amazon-orders_2026-01-01.json` paths). */
export const ORDERS_2026_PATH = '/orders/2026-01-01/orders';
export const order2026Path = (id: string) => `${ORDERS_2026_PATH}/${encodeURIComponent(id)}`;

/** Which Orders API a store reads: the setting `ordersApi`. */
export const ORDERS_APIS = ['2026-01-01', 'v0'] as const;
export type OrdersApi = (typeof ORDERS_APIS)[number];

/**
 * The day Orders v0 reads stop: "If you are using the Orders API v0, you must migrate to Orders API
 * v2026-01-01 by March 27, 2027" (developer-docs changelog "new-introducing-the-orders-api-v2026-01-01").
 * getOrders, getOrder, getOrderItems, getOrderAddress, getOrderBuyerInfo and getOrderItemsBuyerInfo
 * carry `"deprecated": true` in `amazon-ordersV0.json`; confirmShipment does not.
 */
export const ORDERS_V0_CUTOFF = '2027-03-27';

/**
 * Shipment confirmation stays on v0, for stores of either API: `confirmShipment` is not deprecated
 * (`amazon-ordersV0.json`; usage plan 2/s, burst 10): `actions.ts` sends it.
 */
export const ORDERS_V0_CONFIRM_SHIPMENT = {
  path: (id: string) => `${orderPath(id)}/shipmentConfirmation`,
  limit: { ratePerSec: 2, burst: 10 },
} as const;

/**
 * Usage plans of Orders v2026-01-01, from each operation's "Usage Plan" table in
 * `amazon-orders_2026-01-01.json` (rate in requests per second, burst). searchOrders is one request
 * every 3 minutes (0.0056/s) after a burst of 20, so pages are as large as Amazon allows (100).
 * `getOrder2026` is the 2026 getOrder, named apart from v0's getOrder because each operation has its
 * own bucket at Amazon.
 */
export const ORDERS_2026_RATE_LIMITS: RateLimits = {
  searchOrders: { ratePerSec: 0.0056, burst: 20 },
  getOrder2026: { ratePerSec: 0.5, burst: 30 },
};

/**
 * Default usage plans from each operation's description in the models: rate in requests per second
 * and burst. getOrders is one a minute, which is why pages are as large as Amazon allows. Both APIs'
 * operations are here: the client paces the ones its store uses, the simulator enforces all.
 */
/** [V] usage plans of listingsItems_2021-08-01.json (在庫, carts/amazon/stock.ts). */
export const LISTINGS_RATE_LIMITS: RateLimits = {
  patchListingsItem: { ratePerSec: 5, burst: 5 },
  getListingsItem: { ratePerSec: 5, burst: 10 },
};

export const AMAZON_RATE_LIMITS: RateLimits = {
  getOrders: { ratePerSec: 0.0167, burst: 20 },
  getOrder: { ratePerSec: 0.5, burst: 30 },
  getOrderItems: { ratePerSec: 0.5, burst: 30 },
  getOrderAddress: { ratePerSec: 0.5, burst: 30 },
  getOrderBuyerInfo: { ratePerSec: 0.5, burst: 30 },
  createRestrictedDataToken: { ratePerSec: 1, burst: 10 },
  confirmShipment: ORDERS_V0_CONFIRM_SHIPMENT.limit,
  ...ORDERS_2026_RATE_LIMITS,
  ...LISTINGS_RATE_LIMITS,
};

/**
 * The `includedData` datasets the adapter asks searchOrders / getOrder for. Without `includedData`
 * the response holds "only basic information … such as orderId, createdTime, salesChannel, programs,
 * orderItemId, product" (developer-docs "get-orders-with-filtering-criteria"): the status is in
 * FULFILLMENT, the money in PROCEEDS, the payment methods in PAYMENT. PROMOTION, EXPENSE (points
 * granted), CANCELLATION, TAX and FULFILLMENT_ORDERS are not read by normalize. PACKAGES is asked
 * for so that the stored record of a shipped order holds the carrier and tracking number that
 * confirmShipment reported (what the order screen and a re-check compare); normalize ignores it.
 */
export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'FULFILLMENT',
  'PROCEEDS',
  'PAYMENT',
  'PACKAGES',
] as const;

/** Every `includedData` value of the model (searchOrders and getOrder parameter enums). */
export const INCLUDED_DATA_VALUES = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;

/**
 * `FulfillmentStatus` of 2026-01-01 → v0 `OrderStatus`. juchu keeps the v0 spelling as the cart
 * status of every Amazon order (store settings, stored orders and the status catalogue use it), so an
 * order reads the same through either API. Note CANCELLED (two L) → Canceled. v0's
 * InvoiceUnconfirmed has no 2026 counterpart.
 */
export const STATUS_FROM_2026: Readonly<Record<string, string>> = {
  PENDING_AVAILABILITY: 'PendingAvailability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};

/**
 * `fulfillmentServiceLevel` of 2026-01-01 → v0 `ShipmentServiceLevelCategory` (both models' enums), so
 * the delivery method reads the same through either API.
 */
export const SERVICE_LEVEL_FROM_2026: Readonly<Record<string, string>> = {
  EXPEDITED: 'Expedited',
  FREE_ECONOMY: 'FreeEconomy',
  NEXT_DAY: 'NextDay',
  PRIORITY: 'Priority',
  SAME_DAY: 'SameDay',
  SECOND_DAY: 'SecondDay',
  SCHEDULED: 'Scheduled',
  STANDARD: 'Standard',
};

/**
 * `paymentExecutions[].paymentMethod` of 2026-01-01 → the v0 names normalize emits (`COD`, `CVS`),
 * which the stores' prepaid lists use. The 2026 model names "CashOnDelivery, ConvenienceStore,
 * CreditCard, Invoice, Pix" as examples; other values pass through verbatim.
 */
export const PAYMENT_METHOD_FROM_2026: Readonly<Record<string, string>> = {
  CashOnDelivery: 'COD',
  ConvenienceStore: 'CVS',
};

/**
 * `LastUpdatedBefore` "must be … at least two minutes before current time" (getOrders parameter
 * description); Amazon answers 400 InvalidInput otherwise (selling-partner-api-models#974). The 2026
 * `lastUpdatedBefore` has the same rule ("at least two minutes before the time of the request").
 */
export const AMAZON_LIST_LAG_MS = 2 * 60_000;

/** `1..100, default 100` (getOrders `MaxResultsPerPage`, searchOrders `maxResultsPerPage`). */
export const MAX_RESULTS_PER_PAGE = 100;

/** Access tokens and RDTs both last an hour (`expires_in` / `expiresIn` 3600). */
export const TOKEN_LIFETIME_SEC = 3600;

/** Order statuses (getOrders `OrderStatuses` description), with the labels Seller Central Japan uses. */
export const AMAZON_ORDER_STATUSES = [
  { code: 'PendingAvailability', label: '予約注文（支払い未承認） / PendingAvailability' },
  { code: 'Pending', label: '保留中（支払い未承認） / Pending' },
  { code: 'Unshipped', label: '未出荷 / Unshipped' },
  { code: 'PartiallyShipped', label: '一部出荷済み / PartiallyShipped' },
  { code: 'Shipped', label: '出荷済み / Shipped' },
  { code: 'InvoiceUnconfirmed', label: '請求書未確認 / InvoiceUnconfirmed' },
  { code: 'Canceled', label: 'キャンセル済み / Canceled' },
  { code: 'Unfulfillable', label: '出荷不能 / Unfulfillable' },
] as const;

/** Statuses in which payment is authorized (the order left Pending) and the order is not cancelled. */
export const PAID_STATUSES: ReadonlySet<string> = new Set([
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'InvoiceUnconfirmed',
]);

/**
 * searchOrders pagination tokens "expire after 24 hours" (developer-docs orders-api-migration-guide,
 * "Pagination: Token handling with 24-hour expiration").
 */
export const PAGINATION_TOKEN_LIFETIME_MS = 24 * 3_600_000;

/**
 * The error body Amazon sends with 429 (quoted in many selling-partner-api-models issues; the 2026
 * model documents only that a 429 carries an `ErrorList`, so the same body is assumed there).
 */
export const QUOTA_EXCEEDED_BODY = {
  errors: [
    {
      code: 'QuotaExceeded',
      message: 'You exceeded your quota for the requested resource.',
      details: '',
    },
  ],
};

/** 403 bodies seen from the API gateway (selling-partner-api-models#2333, #943 and client code). */
export const UNAUTHORIZED_MESSAGE = 'Access to requested resource is denied.';
export const TOKEN_EXPIRED_DETAILS = 'The access token you provided has expired.';
export const TOKEN_INVALID_DETAILS = 'The access token you provided is revoked, malformed or invalid.';
export const TOKEN_MISSING_DETAILS = 'Access token is missing in the request header.';

/** The generic 400 message Amazon gives for a bad getOrders query (selling-partner-api-models#974). */
export const INVALID_INPUT_MESSAGE =
  'The input you have submitted is not valid. Please check your input and try again.';
