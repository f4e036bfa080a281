// Credentials the makeshop simulator accepts by default, for the demo, the tests and the benchmark: both
// APIs' sets (a store with both and no `orderApi` setting speaks the next-generation API). Their own
// file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { MakeshopCredentials } from './settings.js';

export const MAKESHOP_DEMO_CREDENTIALS: MakeshopCredentials = {
  accessToken: 'PAT.juchu-demo-token-00000000000000000000000000000000000000000000',
  apiKey: 'juchu-demo-api-key-000000000000000000000000000000000000000000000',
  shopId: 'juchudemo',
  token: '61efa02bde9d3eb5714560b2335juchu',
};
