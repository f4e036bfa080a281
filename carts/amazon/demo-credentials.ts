// Credentials the Amazon simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { AmazonCredentials } from './settings.js';

export const AMAZON_DEMO_CREDENTIALS: AmazonCredentials = {
  clientId: 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef',
  clientSecret: 'amzn1.oa2-cs.v1.demo0000000000000000000000000000000000000000000000000000000000',
  refreshToken: 'Atzr|IwEBIDemoRefreshTokenForTheJuchuSimulator',
};
