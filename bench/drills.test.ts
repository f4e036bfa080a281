// Small fault drills in `npm test` (the full ones: `npm run drill`): an import of a few thousand
// orders by real worker processes while Redis, then PostgreSQL, restarts under it and a worker is
// killed with SIGKILL. Every order once, reserved = Σ reservations, nothing left in active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDrill, runDrill } from './drills.js';
import { type BenchServices, startBenchServices } from './harness.js';

describe('fault drills (small)', () => {
  // Services of our own: the drills restart them, which the shared test services must not see.
  let services: BenchServices;
  beforeAll(async () => {
    services = await startBenchServices({ unsafeFast: true });
  });
  afterAll(async () => {
    await services?.stop();
  });

  const expectPassed = (r: Awaited<ReturnType<typeof runDrill>>) => {
    const report = describeDrill(r).join('\n');
    expect(
      r.checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`),
      report,
    ).toEqual([]);
    expect(r.ok, report).toBe(true);
  };

  it('Redis restarted mid-import (AOF, same port) and a worker killed: every order once', async () => {
    expectPassed(
      await runDrill(services, {
        name: 'redis',
        orders: 2000,
        stores: 4,
        kills: 1,
        restart: 'redis',
        downMs: 2000,
        seed: 71,
        timeoutMs: 150_000,
      }),
    );
  }, 180_000);

  it('PostgreSQL restarted mid-import and a worker killed: workers survive, every order once', async () => {
    expectPassed(
      await runDrill(services, {
        name: 'postgres',
        orders: 2000,
        stores: 4,
        kills: 1,
        restart: 'postgres',
        downMs: 2000,
        seed: 72,
        timeoutMs: 150_000,
      }),
    );
  }, 180_000);
});
