// Three scheduler processes' worth of Scheduler instances on one Redis: each slot is enqueued once.
// Stores added, changed or disabled take effect at the next refresh, without a restart.

import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseClock, databaseNow } from '../db/clock.js';
import { upsertStore } from '../db/stores.js';
import { loadConfig } from '../infra/config.js';
import { createProducerConnection, createWorkerConnection, ready } from '../infra/redis.js';
import { QUEUES } from '../jobs/catalogue.js';
import { createQueues, type Queues } from '../jobs/queues.js';
import { createTestDb, redisUrl, TEST_SECRET_KEY, type TestDb, uniquePrefix } from '../test/harness.js';
import { Scheduler } from './scheduler.js';

describe('scheduler', () => {
  let t: TestDb;
  const connections: Array<{ disconnect(): void }> = [];
  const queueSets: Queues[] = [];
  const prefix = uniquePrefix('sched');

  async function newQueues(): Promise<Queues> {
    const config = loadConfig({
      DATABASE_URL: t.url,
      REDIS_URL: redisUrl(),
      JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
      QUEUE_PREFIX: prefix,
    });
    const r = createProducerConnection(config.REDIS_URL, 'sched-test');
    await ready(r);
    connections.push(r);
    const q = createQueues(r, config);
    queueSets.push(q);
    return q;
  }

  beforeAll(async () => {
    t = await createTestDb('scheduler');
  });
  afterAll(async () => {
    for (const q of queueSets) {
      await q.import.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    for (const c of connections) c.disconnect();
    await t.drop();
  });

  it('enqueues each slot once however many schedulers fire it', async () => {
    // Every second (node-cron's optional seconds field), so a few seconds give several slots.
    await upsertStore(
      t.db,
      { code: 'every-second', cart: 'csv', name: 'S', importCron: '* * * * * *' },
      TEST_SECRET_KEY,
    );
    // A worker that completes import jobs at once, so every slot's job is created (not merged into a waiting one).
    const processed: string[] = [];
    const connection = createWorkerConnection(redisUrl(), 'sched-test-worker');
    connections.push(connection);
    const worker = new Worker(
      QUEUES.import.name,
      async (job) => {
        processed.push(job.id!);
      },
      { connection, prefix },
    );
    await worker.waitUntilReady();
    const schedulers = await Promise.all(
      [1, 2, 3].map(
        async () =>
          new Scheduler({
            db: t.db,
            queues: await newQueues(),
            refreshSeconds: 3600,
            allocationSweepCron: '0 0 1 1 *',
            deliveryHoldSweepCron: '0 0 1 1 *',
          }),
      ),
    );
    await Promise.all(schedulers.map((s) => s.start()));
    await new Promise((r) => setTimeout(r, 4500));
    await Promise.all(schedulers.map((s) => s.stop()));
    await new Promise((r) => setTimeout(r, 300));
    await worker.close();

    const fired = schedulers.map((s) =>
      s.enqueued.filter((e) => e.name === 'import-store').map((e) => e.jobId),
    );
    for (const f of fired) expect(f.length).toBeGreaterThanOrEqual(3); // every process fired every slot
    const slots = new Set(fired.flat());
    // Each slot ran exactly once: three schedulers, one job per slot.
    expect(processed.length).toBe(slots.size);
    expect(new Set(processed)).toEqual(slots);
    for (const id of processed) expect(id).toMatch(/^import-every-second-\d{13}$/);
  });

  it('reads slots off the database clock: a scheduler 30 minutes ahead enqueues the same slots', async () => {
    const ahead = () => Date.now() + 30 * 60_000;
    const quiet = {
      refreshSeconds: 3600,
      allocationSweepCron: '0 0 1 1 *',
      deliveryHoldSweepCron: '0 0 1 1 *',
    };
    const onTime = new Scheduler({ db: t.db, queues: await newQueues(), ...quiet });
    // Its machine runs 30 minutes ahead; it measures its offset to PostgreSQL and corrects it.
    const aheadClock = await databaseClock(t.db, 60_000, ahead);
    const corrected = new Scheduler({ db: t.db, queues: await newQueues(), ...quiet, clock: aheadClock });
    // What firing on the local clock did (node-cron's timers): slots 30 minutes in the future.
    const local = new Scheduler({
      db: t.db,
      queues: await newQueues(),
      ...quiet,
      clock: { now: () => new Date(ahead()) },
    });
    const t0 = (await databaseNow(t.db)).getTime();
    await Promise.all([onTime, corrected, local].map((s) => s.start()));
    await new Promise((r) => setTimeout(r, 3500));
    await Promise.all([onTime, corrected, local].map((s) => s.stop()));
    aheadClock.stop();
    const t1 = (await databaseNow(t.db)).getTime();
    const slots = (s: Scheduler) =>
      s.enqueued.filter((e) => e.name === 'import-store').map((e) => e.slot.getTime());
    for (const s of [onTime, corrected]) {
      expect(slots(s).length).toBeGreaterThanOrEqual(2);
      for (const at of slots(s)) {
        expect(at).toBeGreaterThanOrEqual(t0 - 1000);
        expect(at).toBeLessThanOrEqual(t1);
      }
    }
    // The same seconds (but for one at either end, where the two processes started and stopped).
    const a = new Set(slots(onTime));
    const b = new Set(slots(corrected));
    const differ = [...a].filter((x) => !b.has(x)).length + [...b].filter((x) => !a.has(x)).length;
    expect(differ).toBeLessThanOrEqual(2);
    // The uncorrected one would have enqueued other slots (and job ids) than everyone else.
    expect(slots(local).length).toBeGreaterThanOrEqual(2);
    for (const at of slots(local)) expect(at).toBeGreaterThan(t1 + 25 * 60_000);
    expect(aheadClock.offsetMs()).toBeLessThan(-29 * 60_000);
  });

  it('fires the seconds a tick jumped over once, and nothing again when the clock moves back', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 0.5 * 3600_000);
    let now = at;
    const s = new Scheduler({
      db: t.db,
      queues: await newQueues(),
      refreshSeconds: 3600,
      allocationSweepCron: '0 0 1 1 *',
      deliveryHoldSweepCron: '0 0 1 1 *',
      clock: { now: () => now },
    });
    await s.start();
    const fired = () => s.enqueued.filter((e) => e.name === 'import-store').map((e) => e.slot.getTime());
    now = new Date(at.getTime() + 5000); // the event loop stalled, or the offset was corrected forward
    await s.tick();
    expect(fired()).toEqual([1, 2, 3, 4, 5].map((k) => at.getTime() + k * 1000));
    now = new Date(at.getTime() + 2000); // the offset corrected back: those seconds were fired already
    await s.tick();
    now = new Date(at.getTime() + 6000);
    await s.tick();
    expect(fired()).toEqual([1, 2, 3, 4, 5, 6].map((k) => at.getTime() + k * 1000));
    await s.stop();
  });

  it('picks up added, changed and disabled stores without a restart', async () => {
    const s = new Scheduler({ db: t.db, queues: await newQueues(), refreshSeconds: 3600 });
    await s.start();
    expect(s.scheduleIds).toContain('import:every-second');
    await upsertStore(
      t.db,
      { code: 'new-store', cart: 'csv', name: 'N', importCron: '*/5 * * * *' },
      TEST_SECRET_KEY,
    );
    await upsertStore(
      t.db,
      { code: 'every-second', cart: 'csv', name: 'S', enabled: false, importCron: '* * * * * *' },
      TEST_SECRET_KEY,
    );
    await s.refresh();
    expect(s.scheduleIds).toContain('import:new-store');
    expect(s.scheduleIds).not.toContain('import:every-second');
    await upsertStore(
      t.db,
      { code: 'new-store', cart: 'csv', name: 'N', importCron: '0 9 * * *' },
      TEST_SECRET_KEY,
    );
    await s.refresh();
    expect(s.scheduleIds).toContain('import:new-store'); // rescheduled with the new cron
    await s.stop();
  });
});
