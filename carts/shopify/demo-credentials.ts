// Credentials the Shopify simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { ShopifyCredentials } from './client.js';

export const SHOPIFY_DEMO_CREDENTIALS: ShopifyCredentials = {
  shop: 'juchu-demo',
  accessToken: 'shpat_juchu_demo_token',
};
