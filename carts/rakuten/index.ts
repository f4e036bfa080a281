// Rakuten 楽天市場 (RMS RakutenPayOrderAPI) as a juchu cart module.

import { apiEndpoint, type CartModule, type RawOrder } from '../contract.js';
import { CartResponseError } from '../errors.js';
import { createRakutenActions } from './actions.js';
import {
  createRakutenAdapter,
  type RakutenCredentials,
  rakutenCredentialsSchema,
  rakutenSettingsSchema,
} from './client.js';
import { ORDER_PROGRESS, PREPAID_METHOD_NAMES } from './codes.js';
import { RAKUTEN_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeRakuten, rawOrderOf } from './normalize.js';
import { rakutenStockSettingsSchema, withRakutenStock } from './stock.js';

export {
  RakutenAdapter,
  type RakutenCredentials,
  type RakutenSettings,
  rakutenSettingsSchema,
} from './client.js';

/**
 * The orders in a recorded getOrder response body (`{"MessageModelList":…, "OrderModelList":[…]}`),
 * or a single OrderModel.
 */
function rawOrdersFromRecorded(body: Buffer): RawOrder[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CartResponseError(
      'rakuten: the recorded body is not JSON (expected a getOrder response)',
      'rakuten',
    );
  }
  if (json && typeof json === 'object') {
    const list = (json as { OrderModelList?: unknown }).OrderModelList;
    if (Array.isArray(list)) return list.map(rawOrderOf);
    if ('orderNumber' in json) return [rawOrderOf(json)];
  }
  throw new CartResponseError(
    'rakuten: the recorded body has no OrderModelList (expected a getOrder response)',
    'rakuten',
  );
}

/** RMS WEB SERVICE [V: RMS docs as quoted in carts.md §1.2; T: JakeJP, oh0123]. */
const API_HOSTS = ['api.rms.rakuten.co.jp'];

export const rakutenCart: CartModule<RakutenCredentials> = {
  cart: 'rakuten',
  apiHosts: API_HOSTS,
  endpoints: (baseUrl) => [apiEndpoint(baseUrl, API_HOSTS)],
  credentialsSchema: rakutenCredentialsSchema,
  settingsSchemas: [rakutenSettingsSchema, rakutenStockSettingsSchema],
  demoCredentials: RAKUTEN_DEMO_CREDENTIALS,
  defaultBaseUrl: 'https://api.rms.rakuten.co.jp',
  cartStatuses: ORDER_PROGRESS.map((s) => ({ code: String(s.code), label: `${s.ja} (${s.en})` })),
  // Orders the shop still has to work on: new, in Rakuten's checks, ready to ship, change pending.
  defaultImportStatuses: ['100', '200', '300', '400'],
  defaultPrepaidMethods: PREPAID_METHOD_NAMES,
  createAdapter: createRakutenAdapter,
  // 注文確認 (confirmOrder), 発送完了報告 (updateOrderShipping / …Async), cancel (cancelOrder) and
  // 在庫 (inventories bulk-upsert, stock.ts).
  createActions: (opts) => withRakutenStock(createRakutenActions(opts), opts),
  normalize: normalizeRakuten,
  rawOrdersFromRecorded,
};
