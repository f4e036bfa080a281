// Credentials the Shopify simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { ShopifyCredentials } from './auth.js';

/** A Dev Dashboard app's client ID and secret: the way a shop connects juchu today. */
export const SHOPIFY_DEMO_CREDENTIALS: ShopifyCredentials = {
  shop: 'juchu-demo',
  clientId: 'juchu-demo-client-id',
  clientSecret: 'juchu-demo-client-secret',
};

/** The old custom app's Admin API token, which the simulator still accepts (as Shopify does). */
export const SHOPIFY_LEGACY_DEMO_TOKEN = 'shpat_juchu_demo_token';

/** A refresh token of an expiring offline token that the simulator accepts with the demo app's keys. */
export const SHOPIFY_DEMO_REFRESH_TOKEN = 'shprt_juchu_demo_refresh_token';
