// Small versions of the issue 15 drills in `npm test` (full size: `npm run drill -- --only flaky|clock`):
// a backlog from flaky Shopify simulators catches up with nothing twice, and a worker and a
// scheduler 30 minutes ahead lose nothing, import nothing twice and enqueue no slot ahead of the
// database's time. The 3× bound is the full drill's (timing is not asserted here: shared machine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDrill } from './drills.js';
import { runClockDrill, runFlakyDrill } from './drills-progress.js';
import { type BenchServices, startBenchServices } from './harness.js';

describe('progress drills (small)', () => {
  let services: BenchServices;
  beforeAll(async () => {
    services = await startBenchServices({ unsafeFast: true });
  });
  afterAll(async () => {
    await services?.stop();
  });

  it('a backlog from flaky carts: every store catches up, nothing imported twice', async () => {
    const r = await runFlakyDrill(services, {
      orders: 300,
      carts: ['shopify', 'shopify'],
      seed: 81,
      timeoutMs: 200_000,
    });
    const report = describeDrill(r).join('\n');
    console.log(`${report}\nratio ${r.ratio.toFixed(2)}×`);
    expect(
      r.checks.filter((c) => !c.ok && !c.what.includes('3×')).map((c) => `${c.what}: ${c.detail}`),
      report,
    ).toEqual([]);
  }, 300_000);

  it('a worker and a scheduler 30 minutes ahead: nothing lost, nothing twice, no slot ahead', async () => {
    const r = await runClockDrill(services, {
      orders: 200,
      carts: ['shopify', 'shopify'],
      seed: 82,
      rounds: 3,
    });
    const report = describeDrill(r).join('\n');
    console.log(report);
    expect(
      r.checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`),
      report,
    ).toEqual([]);
  }, 300_000);
});
