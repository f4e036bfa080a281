// Facts about SP-API Orders v0 shared by the adapter and its simulator, each with its source
// (carts.md §2, `amazon-ordersV0.json`, `tokens_2021-03-01.json`).
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

/**
 * Default usage plans from each operation's description in the models: rate in requests per second
 * and burst. getOrders is one a minute, which is why pages are as large as Amazon allows.
 */
export const AMAZON_RATE_LIMITS: RateLimits = {
  getOrders: { ratePerSec: 0.0167, burst: 20 },
  getOrder: { ratePerSec: 0.5, burst: 30 },
  getOrderItems: { ratePerSec: 0.5, burst: 30 },
  getOrderAddress: { ratePerSec: 0.5, burst: 30 },
  getOrderBuyerInfo: { ratePerSec: 0.5, burst: 30 },
  createRestrictedDataToken: { ratePerSec: 1, burst: 10 },
};

/**
 * `LastUpdatedBefore` "must be … at least two minutes before current time" (getOrders parameter
 * description); Amazon answers 400 InvalidInput otherwise (selling-partner-api-models#974).
 */
export const AMAZON_LIST_LAG_MS = 2 * 60_000;

/** `1..100, default 100` (getOrders `MaxResultsPerPage`). */
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

/** The error body Amazon sends with 429 (quoted in many selling-partner-api-models issues). */
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
