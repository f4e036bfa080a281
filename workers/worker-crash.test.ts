// A worker process killed with SIGKILL in the middle of an import: another worker picks the job up
// (BullMQ stall recovery + the store's import lease expiring) and finishes it, and every order
// exists exactly once — no second order, reservation or event.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { processImportStore } from '../jobs/import-store.js';
import type { Queues } from '../jobs/queues.js';
import { childEnv, createTestDb, type TestDb, uniquePrefix } from '../test/harness.js';
import { countOrders, expectStockInvariants, shopifyShop, testDeps, testQueues } from '../test/pipeline.js';

const STORE = 'shopify-global';

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['bin/juchu.mjs', 'worker', '--queues', 'import'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a worker killed mid-import', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let queues: Queues;
  let producers: Awaited<ReturnType<typeof testQueues>>;
  const prefix = uniquePrefix('crash');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await createTestDb('crash');
    sim = await shopifyShop(t, 2500, 5);
    producers = await testQueues(t, prefix, 'crash-test');
    queues = producers.queues;
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await queues.import.obliterate({ force: true }).catch(() => undefined);
    await producers.close();
    await sim.stop();
    await t.drop();
  });

  // Two worker processes, a kill, stall recovery and a full re-import: 11 s on an idle two-core
  // machine, a minute under a load of 14 — the budget waits for it, it asserts no time.
  it('is finished by another worker with every order exactly once', { timeout: 180_000 }, async () => {
    // Slow pages so the kill lands in the middle of the window.
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ slowMs: 150 }) });
    const env = childEnv(t.url, prefix, {
      JOB_LOCK_MS: '2000',
      IMPORT_LEASE_SECONDS: '3',
      WORKER_CONCURRENCY: '1',
    });
    const jobId = await queues.add('import-store', {
      storeCode: STORE,
      trigger: 'manual',
      requestedBy: 'test',
    });
    const first = startWorker(env);
    children.push(first);
    await until(async () => (await countOrders(t.db, STORE)) > 0, 60_000, 'the first page to be stored');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await countOrders(t.db, STORE);
    expect(atKill).toBeGreaterThan(0);

    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ slowMs: 0 }) });
    const second = startWorker(env);
    children.push(second);
    await until(
      async () => (await queues.import.getJob(jobId!))?.finishedOn !== undefined,
      90_000,
      'the job to finish',
    );
    const job = (await queues.import.getJob(jobId!))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBeGreaterThanOrEqual(2); // it really was picked up again
    const total = await countOrders(t.db, STORE);
    expect(total).toBeGreaterThan(atKill);

    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(await queues.import.getActiveCount()).toBe(0);

    // Every order exactly once: importing the whole window again finds nothing new.
    await t.db.updateTable('stores').set({ import_cursor: null }).where('code', '=', STORE).execute();
    const deps = await testDeps(t);
    const again = await processImportStore({ storeCode: STORE, trigger: 'manual' }, null, undefined, deps);
    await deps.close();
    expect(again.new).toBe(0);
    expect(again.unchanged).toBe(total);
    const imported = await t.db
      .selectFrom('order_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('action', '=', 'imported')
      .executeTakeFirstOrThrow();
    expect(Number(imported.n)).toBe(total); // one import event per order
    await expectStockInvariants(t.db);
  });
});
