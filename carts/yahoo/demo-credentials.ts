// Credentials the Yahoo! simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { YahooCredentials } from './auth.js';

export const YAHOO_DEMO_CREDENTIALS: YahooCredentials = {
  sellerId: 'juchu-demo',
  clientId: 'dj00aiZpPWp1Y2h1LWRlbW8mcz1jb25zdW1lcnNlY3JldCZ4PTAw',
  clientSecret: 'juchu-demo-client-secret',
  refreshToken: 'juchu-demo-refresh-token',
  accessToken: 'juchu-demo-access-token',
};
