import { defineConfig } from 'vitest/config';
import { UNIT_TESTS } from './test/tiers.js';

const EXCLUDE = ['node_modules/**', 'dist/**', 'tmp/**'];

// Two tiers (`test/tiers.ts` says which file is which): `npm run test:unit` runs the pure tests in
// seconds, `npm run test:integration` the rest against real services; `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file has its own database and queue prefix, so files may run side by side. Two at a time:
    // vitest's default on two cores is one (cpus − 1), and most files wait on PostgreSQL, child
    // processes, browsers or a cart's documented pacing rather than on the CPU.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [...UNIT_TESTS], exclude: EXCLUDE },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.test.ts'],
          exclude: [...EXCLUDE, ...UNIT_TESTS],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
