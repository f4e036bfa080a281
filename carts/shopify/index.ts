// Shopify (Admin API, orders: GraphQL by default, REST per store). See README.md in this folder for
// credentials, paging, limits and field choices.
import { apiEndpoint, type CartModule, type RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { ShopifyActions } from './actions.js';
import { shopifyApiStatus } from './api-status.js';
import { type ShopifyCredentials, shopifyCredentialsSchema } from './auth.js';
import {
  rawOrder,
  SHOPIFY_DEFAULT_BASE_URL,
  ShopifyAdapter,
  shopifyBaseUrl,
  shopifySettingsSchema,
} from './client.js';
import { SHOPIFY_DEMO_CREDENTIALS } from './demo-credentials.js';
import { graphqlRawOrder } from './graphql.js';
import { normalizeShopifyOrder } from './normalize.js';
import { isGraphqlOrder } from './normalize-graphql.js';
import { withShopifyStock } from './stock.js';

export { createShopifyActions, SHOPIFY_TRACKING_COMPANIES, ShopifyActions } from './actions.js';
export { shopifyApiStatus } from './api-status.js';
export {
  forgetShopifyTokens,
  type ShopifyCredentials,
  ShopifyTokens,
  shopifyCredentialsSchema,
} from './auth.js';
export {
  LeakyBucketPacer,
  parseLinkHeader,
  SHOPIFY_LIMITS,
  ShopifyAdapter,
  type ShopifySettings,
  shopifySettingsSchema,
} from './client.js';
export * from './constants.js';
export { normalizeShopifyOrder, shopifyCartStatus } from './normalize.js';

/** [code, Japanese label, English label] */
const FINANCIAL: ReadonlyArray<readonly [string, string, string]> = [
  ['pending', '支払い保留中', 'pending'],
  ['authorized', 'オーソリ済み', 'authorized'],
  ['partially_paid', '一部支払い済み', 'partially paid'],
  ['paid', '支払い済み', 'paid'],
  ['partially_refunded', '一部返金済み', 'partially refunded'],
  ['refunded', '返金済み', 'refunded'],
  ['voided', '無効', 'voided'],
  // GraphQL's displayFinancialStatus also has EXPIRED (an authorization not captured in time).
  ['expired', '期限切れ', 'expired'],
];
const FULFILLMENT: ReadonlyArray<readonly [string, string, string]> = [
  ['unfulfilled', '未発送', 'unfulfilled'],
  ['partial', '一部発送済み', 'partially fulfilled'],
  ['fulfilled', '発送済み', 'fulfilled'],
  ['restocked', '在庫戻し', 'restocked'],
];

/** Every `financial/fulfillment` pair normalize can emit, plus `cancelled`. */
const CART_STATUSES = [
  ...FINANCIAL.flatMap(([f, fJa, fEn]) =>
    FULFILLMENT.map(([s, sJa, sEn]) => ({ code: `${f}/${s}`, label: `${fJa}・${sJa} / ${fEn}, ${sEn}` })),
  ),
  { code: 'cancelled', label: 'キャンセル済み / cancelled' },
];

/** Every shop's Admin API is on its own myshopify.com subdomain [V: shopify.dev REST Admin API]. */
const API_HOSTS = ['*.myshopify.com'];

export const shopifyCart: CartModule<ShopifyCredentials> = {
  cart: 'shopify',
  apiHosts: API_HOSTS,
  // `{shop}` comes from the credentials; before there are any, a placeholder label stands in (it
  // matches the same patterns any valid shop name would: one DNS label).
  endpoints: (baseUrl, _settings, credentials) => {
    const shop = shopifyCredentialsSchema.safeParse(credentials);
    return [apiEndpoint(shopifyBaseUrl(baseUrl, shop.success ? shop.data.shop : 'shop'), API_HOSTS)];
  },
  credentialsSchema: shopifyCredentialsSchema,
  settingsSchemas: [shopifySettingsSchema],
  demoCredentials: SHOPIFY_DEMO_CREDENTIALS,
  defaultBaseUrl: SHOPIFY_DEFAULT_BASE_URL,
  cartStatuses: CART_STATUSES,
  // Orders still to ship, paid or awaiting payment; refunded, voided and cancelled ones are not taken in.
  defaultImportStatuses: [
    'pending/unfulfilled',
    'authorized/unfulfilled',
    'partially_paid/unfulfilled',
    'paid/unfulfilled',
    'paid/partial',
  ],
  // payment_gateway_names of manual / deferred methods where the money comes before shipping.
  defaultPrepaidMethods: [
    '銀行振込',
    'Bank Deposit',
    'bank_deposit',
    'コンビニ決済',
    'ペイジー',
    'Pay-easy',
    'ゆうちょ振替',
    'Money Order',
  ],
  createAdapter: (opts) => new ShopifyAdapter(opts),
  // Fulfillments (fulfillmentCreate on fulfillment orders, tracking updates) and orderCancel, GraphQL.
  // 出荷, cancel and 在庫 (inventorySetQuantities, stock.ts); GraphQL whatever API orders are read with.
  createActions: (opts) => {
    const adapter = new ShopifyAdapter({ ...opts, settings: { ...opts.settings, ordersApi: 'graphql' } });
    return withShopifyStock(
      new ShopifyActions(adapter, opts.settings),
      () => adapter.graphql!,
      opts.settings,
    );
  },
  normalize: normalizeShopifyOrder,
  apiStatus: shopifyApiStatus,
  rawOrdersFromRecorded(body): RawOrder[] {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new CartResponseError('shopify: recorded body is not JSON', 'shopify');
    }
    return shopifyRawOrders(json);
  },
};

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The orders of a recorded body, either API: REST `{"orders":[…]}` / `{"order":{…}}`, or a GraphQL
 * answer `{"data":{"orders":{"nodes"|"edges"}}}` / `{"data":{"order":{…}}}` (with or without `data`,
 * as the docs print their examples).
 */
export function shopifyRawOrders(json: unknown): RawOrder[] {
  if (!isObj(json)) throw new CartResponseError('shopify: recorded body is not a JSON object', 'shopify');
  if (Array.isArray(json.errors) && !isObj(json.data)) {
    const first = isObj(json.errors[0]) ? json.errors[0].message : undefined;
    throw new CartResponseError(
      `shopify: recorded GraphQL answer has errors: ${String(first).slice(0, 120)}`,
      'shopify',
    );
  }
  const body = isObj(json.data) ? json.data : json;
  const { orders, order } = body;
  if (Array.isArray(orders)) return orders.map(rawOrder);
  if (isObj(orders)) {
    if (Array.isArray(orders.nodes)) return orders.nodes.map(graphqlRawOrder);
    if (Array.isArray(orders.edges)) return orders.edges.map((e) => graphqlRawOrder(isObj(e) ? e.node : e));
  }
  if (isObj(order)) return [isGraphqlOrder(order) ? graphqlRawOrder(order) : rawOrder(order)];
  if ('order' in body && order === null) return [];
  throw new CartResponseError(
    'shopify: recorded body has no "orders" or "order" (REST) nor data.orders / data.order (GraphQL)',
    'shopify',
  );
}
