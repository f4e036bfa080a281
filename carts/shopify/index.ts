// Shopify (Admin REST API, orders). See README.md in this folder for paging, limits and field choices.
import { apiEndpoint, type CartModule, type RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import {
  rawOrder,
  SHOPIFY_DEFAULT_BASE_URL,
  ShopifyAdapter,
  type ShopifyCredentials,
  shopifyBaseUrl,
  shopifyCredentialsSchema,
} from './client.js';
import { SHOPIFY_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeShopifyOrder } from './normalize.js';

export {
  LeakyBucketPacer,
  parseLinkHeader,
  SHOPIFY_LIMITS,
  ShopifyAdapter,
  type ShopifyCredentials,
  type ShopifySettings,
  shopifyCredentialsSchema,
  shopifySettingsSchema,
} from './client.js';
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
];
const FULFILLMENT: ReadonlyArray<readonly [string, string, string]> = [
  ['unfulfilled', '未発送', 'unfulfilled'],
  ['partial', '一部発送済み', 'partially fulfilled'],
  ['fulfilled', '発送済み', 'fulfilled'],
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
  normalize: normalizeShopifyOrder,
  rawOrdersFromRecorded(body): RawOrder[] {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new CartResponseError('shopify: recorded body is not JSON', 'shopify');
    }
    if (typeof json === 'object' && json !== null) {
      const { orders, order } = json as { orders?: unknown; order?: unknown };
      if (Array.isArray(orders)) return orders.map(rawOrder);
      if (order && typeof order === 'object') return [rawOrder(order)];
    }
    throw new CartResponseError('shopify: recorded body has neither "orders" nor "order"', 'shopify');
  },
};
