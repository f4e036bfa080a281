// Amazon SP-API Orders, 2026-01-01 or v0 per store (amazon.co.jp). See README.md for what is fetched
// how, and why.
import { apiEndpoint, type CartModule } from '../contract.js';
import { AmazonActions } from './actions.js';
import { amazonApiStatus } from './api-status.js';
import { createAmazonAdapter } from './client.js';
import { AMAZON_FE_BASE_URL, AMAZON_ORDER_STATUSES } from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeAmazonOrder } from './normalize.js';
import { rawOrdersFromRecorded } from './recorded.js';
import {
  type AmazonCredentials,
  amazonCredentialsSchema,
  amazonSettingsSchema,
  resolveLwaUrl,
} from './settings.js';
import { amazonStockSettingsSchema, withAmazonStock } from './stock.js';

export { AMAZON_CARRIER_CODES, AmazonActions, createAmazonActions } from './actions.js';
export { AMAZON_API_LABELS, amazonApiStatus } from './api-status.js';
export { AmazonAdapter, createAmazonAdapter } from './client.js';
export {
  AMAZON_LIST_LAG_MS,
  AMAZON_LWA_URL,
  AMAZON_RATE_LIMITS,
  JP_MARKETPLACE_ID,
  MAX_RESULTS_PER_PAGE,
  ORDERS_2026_RATE_LIMITS,
  ORDERS_V0_CUTOFF,
  type OrdersApi,
} from './constants.js';
export { normalizeAmazonOrder } from './normalize.js';
export {
  type AmazonCredentials,
  type AmazonSettings,
  amazonCredentialsSchema,
  amazonSettingsSchema,
  amazonSimulatorSettings,
} from './settings.js';

/**
 * SP-API Far East (which serves Japan) and its sandbox [V: sp-api-endpoints page; T: sandbox host in
 * several SP-API clients]; the refresh token and client secret go to Login with Amazon only
 * [V: LwaAuthClient]. Sources in README.md.
 */
const API_HOSTS = ['sellingpartnerapi-fe.amazon.com', 'sandbox.sellingpartnerapi-fe.amazon.com'];
const LWA_HOSTS = ['api.amazon.com'];

export const amazonCart: CartModule<AmazonCredentials> = {
  cart: 'amazon',
  apiHosts: API_HOSTS,
  endpoints: (baseUrl, settings) => [
    apiEndpoint(baseUrl, API_HOSTS),
    {
      setting: 'settings.lwaUrl',
      label: 'LWA のトークン URL（settings.lwaUrl）',
      url: resolveLwaUrl(
        { lwaUrl: typeof settings.lwaUrl === 'string' ? settings.lwaUrl : undefined },
        baseUrl,
      ),
      hosts: LWA_HOSTS,
    },
  ],
  credentialsSchema: amazonCredentialsSchema,
  settingsSchemas: [amazonSettingsSchema, amazonStockSettingsSchema],
  demoCredentials: AMAZON_DEMO_CREDENTIALS,
  defaultBaseUrl: AMAZON_FE_BASE_URL,
  cartStatuses: AMAZON_ORDER_STATUSES,
  // Pending orders have no price and no address yet and must not ship (Order model); Shipped ones
  // were shipped outside juchu. Canceled is imported so a cancel after import reaches the slip.
  defaultImportStatuses: ['Unshipped', 'PartiallyShipped', 'Canceled'],
  // コンビニ・ATM・ネットバンキング・電子マネー払い is one option, `CVS`, paid after ordering.
  // Names for the models' payment method values (v0 PaymentMethod / PaymentMethodDetails: COD, CVS,
  // GC, PointsAccount, Invoice, CreditCard, Other; 2026 paymentExecutions: CashOnDelivery, …).
  paymentMethodNames: {
    COD: '代金引換',
    CashOnDelivery: '代金引換',
    CVS: 'コンビニ決済',
    ConvenienceStore: 'コンビニ決済',
    CreditCard: 'クレジットカード',
    GC: 'ギフト券',
    GiftCertificate: 'ギフト券',
    PointsAccount: 'Amazonポイント',
    Invoice: '請求書払い',
    Other: 'その他',
  },
  defaultPrepaidMethods: ['CVS'],
  apiStatus: amazonApiStatus,
  createAdapter: createAmazonAdapter,
  // Shipment confirmation (confirmShipment); no cancel: Amazon has no seller cancel API in scope.
  // 出荷 (confirmShipment) and 在庫 (patchListingsItem, stock.ts).
  createActions: (opts) => {
    const adapter = createAmazonAdapter(opts);
    return withAmazonStock(new AmazonActions(adapter, opts.settings, opts.now), adapter, opts.settings);
  },
  normalize: normalizeAmazonOrder,
  rawOrdersFromRecorded: (body, extra) => rawOrdersFromRecorded(body, extra),
};
