// Which test files are the unit tier: pure code only, no PostgreSQL, Redis, HTTP servers or browser,
// so `npm run test:unit` needs no global setup (about half a minute on two cores, most of it the
// fuzz). Every other test file is the integration tier (`test/global-setup.ts` starts the services).
// A unit file that starts needing services fails loudly: `test/harness.ts` throws without the global
// setup, and `test/architecture.test.ts` checks that no unit file reaches the harness or
// `dev/services.ts`.
export const UNIT_TESTS: readonly string[] = [
  'domain/**/*.test.ts',
  // Normalizers on recorded payloads, the fast-check fuzz of every cart, the CSV parser.
  'carts/**/normalize.test.ts',
  'carts/**/fuzz.test.ts',
  'carts/csv/parse.test.ts',
  'carts/csv/table-stream.test.ts',
  'carts/payment-names.test.ts',
  'carts/normalize-kit.test.ts',
  'carts/bounded.test.ts',
  'infra/config.test.ts',
  'dashboard/allowed-hosts.test.ts',
  'dashboard/device-cookie.test.ts',
  'dashboard/login-throttle.test.ts',
  'dashboard/redact.test.ts',
  'cli/stores-file.test.ts',
  'test/architecture.test.ts',
  'carts/settings-keys.test.ts',
];
