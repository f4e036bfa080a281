// Three scheduler processes' worth of Scheduler instances on one Redis: each slot is enqueued once.
// Stores added, changed or disabled take effect at the next refresh, without a restart.

import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
