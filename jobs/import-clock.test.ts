// A worker whose machine clock runs 30 minutes ahead, importing from makeshop's next-generation API
// (issue 15 item 3): x-timestamp is signed with the clock the adapter is given. On the process clock
// the simulator refuses it (401) — and that refusal must not mark the store as needing credentials;
// on the database's clock, as the worker gives it (workers/worker.ts), every order comes. The
// simulator sends no `Date` header here, so the adapter cannot correct itself from the cart's clock
// and what is tested is the clock juchu gives it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartClockError } from '../carts/errors.js';
import { type MakeshopSimulator, startMakeshopSimulator } from '../carts/makeshop/simulator.js';
import { databaseClock } from '../db/clock.js';
import { listImportRuns } from '../db/import-runs.js';
import { getStore } from '../db/stores.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { countOrders, FAST_HTTP, seedTestShop, testDeps } from '../test/pipeline.js';
import { storeAdapterFactory } from './deps.js';
import { processImportStore } from './import-store.js';

const STORE = 'makeshop-main';
const AHEAD_MS = 30 * 60_000;

describe('import from makeshop with a machine clock 30 minutes ahead', () => {
  let t: TestDb;
  let sim: MakeshopSimulator;
  let deps: Awaited<ReturnType<typeof testDeps>>;
  const now = Date.now();
  const processAhead = () => Date.now() + AHEAD_MS;

  beforeAll(async () => {
    t = await createTestDb('import-clock');
    sim = await startMakeshopSimulator({
      orders: 40,
      seed: 15,
      from: new Date(now - 2 * 86_400_000),
      to: new Date(now - 10 * 60_000),
      noDateHeader: true,
      limits: { '*': { ratePerSec: 100, burst: 1 } },
    });
    await seedTestShop(t, { makeshop: sim.url });
    await t.db
      .updateTable('stores')
      .set({ settings: JSON.stringify({ initialImportDays: 3, settleLagSeconds: 0, changeLookbackDays: 0 }) })
      .where('code', '=', STORE)
      .execute();
    deps = await testDeps(t);
  });
  afterAll(async () => {
    await deps.close();
    await sim.stop();
    await t.drop();
  });

  const importWith = (clock: () => Date) =>
    processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, {
      ...deps,
      adapterFor: storeAdapterFactory(t.db, TEST_SECRET_KEY, FAST_HTTP, undefined, clock),
    });

  it('on the process clock the timestamp is refused: the run fails to be retried, the credentials are not blamed', async () => {
    const err = await importWith(() => new Date(processAhead())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartClockError);
    const store = await getStore(t.db, STORE);
    expect(store.credentialState).toBe('ok');
    const runs = (await listImportRuns(t.db, { store: STORE })).items;
    expect(runs[0]?.outcome).toBe('failed');
    expect(runs[0]?.error).toMatch(/x-timestamp/);
    expect(await countOrders(t.db, STORE)).toBe(0);
  });

  it('on the database clock measured from that process clock, every order comes once', async () => {
    const clock = await databaseClock(t.db, 60_000, processAhead);
    try {
      expect(clock.offsetMs()).toBeLessThan(-AHEAD_MS + 60_000);
      const before = sim.stats.authFailures;
      const r = await importWith(clock.now);
      expect(r.outcome).toBe('succeeded');
      expect(r.rejected).toBe(0);
      expect(await countOrders(t.db, STORE)).toBe(40);
      expect(sim.stats.authFailures).toBe(before);
      expect((await getStore(t.db, STORE)).credentialState).toBe('ok');
    } finally {
      clock.stop();
    }
  });
});
