// Credentials the Rakuten simulator accepts by default, for the demo, the tests and the benchmark.
// Their own file so that the cart module (`index.ts`) can offer them without loading the simulator.
import type { RakutenCredentials } from './client.js';

export const RAKUTEN_DEMO_CREDENTIALS: RakutenCredentials = {
  serviceSecret: 'SP376541_juchuDemoServiceSecret',
  licenseKey: 'SL376541_juchuDemoLicenseKey',
};
