// Amazon SP-API Orders v0 (amazon.co.jp). See README.md for what is fetched how, and why.
import type { CartModule } from '../contract.js';
import { createAmazonAdapter } from './client.js';
import { AMAZON_FE_BASE_URL, AMAZON_ORDER_STATUSES } from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { normalizeAmazonOrder } from './normalize.js';
import { rawOrdersFromRecorded } from './recorded.js';
import { type AmazonCredentials, amazonCredentialsSchema } from './settings.js';

export { AmazonAdapter, createAmazonAdapter } from './client.js';
export {
  AMAZON_LIST_LAG_MS,
  AMAZON_LWA_URL,
  AMAZON_RATE_LIMITS,
  JP_MARKETPLACE_ID,
} from './constants.js';
export { normalizeAmazonOrder } from './normalize.js';
export {
  type AmazonCredentials,
  type AmazonSettings,
  amazonCredentialsSchema,
  amazonSettingsSchema,
  amazonSimulatorSettings,
} from './settings.js';

export const amazonCart: CartModule<AmazonCredentials> = {
  cart: 'amazon',
  credentialsSchema: amazonCredentialsSchema,
  demoCredentials: AMAZON_DEMO_CREDENTIALS,
  defaultBaseUrl: AMAZON_FE_BASE_URL,
  cartStatuses: AMAZON_ORDER_STATUSES,
  // Pending orders have no price and no address yet and must not ship (Order model); Shipped ones
  // were shipped outside juchu. Canceled is imported so a cancel after import reaches the slip.
  defaultImportStatuses: ['Unshipped', 'PartiallyShipped', 'Canceled'],
  // コンビニ・ATM・ネットバンキング・電子マネー払い is one option, `CVS`, paid after ordering.
  defaultPrepaidMethods: ['CVS'],
  createAdapter: createAmazonAdapter,
  normalize: normalizeAmazonOrder,
  rawOrdersFromRecorded: (body, extra) => rawOrdersFromRecorded(body, extra),
};
