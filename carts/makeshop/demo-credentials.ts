// Credentials the makeshop simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { MakeshopCredentials } from './client.js';

export const MAKESHOP_DEMO_CREDENTIALS: MakeshopCredentials = {
  shopId: 'juchudemo',
  token: '61efa02bde9d3eb5714560b2335juchu',
};
