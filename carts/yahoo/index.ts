// Yahoo! Shopping (ストアクリエイターPro) order API as a juchu cart module.
import { apiEndpoint, type CartModule, type CredentialEndpoint, type RawOrder } from '../contract.js';
import { YahooActions } from './actions.js';
import { tokenUrlFor, type YahooCredentials, yahooCredentialsSchema } from './auth.js';
import { createYahooAdapter, yahooApiStatus, yahooSettingsSchema } from './client.js';
import { CART, ORDER_STATUSES, PAY_METHODS, PREPAID_METHODS, YAHOO_BASE_URL } from './constants.js';
import { YAHOO_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeYahoo, yahooOrderNoOf } from './normalize.js';
import { withYahooStock } from './stock.js';
import { asList, isObject, parseXml } from './xml.js';

export { createYahooActions, YAHOO_SHIP_COMPANY_CODES, YahooActions } from './actions.js';
export type { YahooCredentials } from './auth.js';
export { yahooCredentialsSchema } from './auth.js';
export { createYahooAdapter, YahooAdapter, type YahooSettings, yahooSettingsSchema } from './client.js';
export { PAY_METHODS as YAHOO_PAY_METHODS } from './constants.js';
export { normalizeYahoo } from './normalize.js';

/**
 * The orders in a recorded response body: an orderInfo body (`<ResultSet>…<OrderInfo>`) gives its
 * one order; an orderList body gives its rows (which carry only the fields that were asked for).
 */
function rawOrdersFromRecorded(body: Buffer): RawOrder[] {
  const doc = parseXml(body.toString('utf8'));
  const rs = doc.ResultSet;
  if (isObject(rs) && isObject(rs.Result)) {
    const info = rs.Result.OrderInfo;
    return info === undefined ? [] : [{ cartOrderNo: yahooOrderNoOf(info), payload: info }];
  }
  const list = doc.Result;
  if (isObject(list) && isObject(list.Search))
    return asList(list.Search.OrderInfo).map((row) => ({ cartOrderNo: yahooOrderNoOf(row), payload: row }));
  throw new Error('not a Yahoo orderInfo or orderList response body (expected <ResultSet> or <Result>)');
}

/** Production and test order API hosts [V: developer.yahoo.co.jp orderList.html]. Sources in README.md. */
const API_HOSTS = ['circus.shopping.yahooapis.jp', 'test.circus.shopping.yahooapis.jp'];
/** Yahoo! ID連携 v2 Token endpoint, where the refresh token and client secret go [V: yconnect v2]. */
const TOKEN_HOSTS = ['auth.login.yahoo.co.jp'];

function endpoints(baseUrl: string, settings: Record<string, unknown>): CredentialEndpoint[] {
  const api = apiEndpoint(baseUrl, API_HOSTS);
  // An unreadable base URL is refused as the API's; it has no token endpoint to derive.
  if (!URL.canParse(baseUrl)) return [api];
  const override = typeof settings.tokenUrl === 'string' ? settings.tokenUrl : undefined;
  return [
    api,
    {
      setting: 'settings.tokenUrl',
      label: 'トークン発行 URL（settings.tokenUrl）',
      url: tokenUrlFor(baseUrl, override),
      hosts: TOKEN_HOSTS,
    },
  ];
}

export const yahooCart: CartModule<YahooCredentials> = {
  cart: CART,
  apiHosts: API_HOSTS,
  endpoints,
  credentialsSchema: yahooCredentialsSchema,
  settingsSchemas: [yahooSettingsSchema],
  demoCredentials: YAHOO_DEMO_CREDENTIALS,
  defaultBaseUrl: YAHOO_BASE_URL,
  cartStatuses: ORDER_STATUSES,
  // Pre-orders, processing and on-hold orders are work to do; cancelled (4) so that a cancel of an
  // imported order is seen. Completed (5) orders were shipped without us.
  defaultImportStatuses: ['1', '2', '3', '4'],
  paymentMethodNames: PAY_METHODS,
  defaultPrepaidMethods: PREPAID_METHODS,
  apiStatus: yahooApiStatus,
  createAdapter: createYahooAdapter,
  // 出荷 (orderShipStatusChange) and cancel (orderStatusChange).
  // 出荷, cancel and 在庫 (setStock, stock.ts).
  createActions: (opts) => {
    const adapter = createYahooAdapter(opts);
    return withYahooStock(new YahooActions(adapter, opts.settings), adapter, opts.credentials.sellerId);
  },
  normalize: normalizeYahoo,
  rawOrdersFromRecorded,
};
