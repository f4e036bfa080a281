// SIGTERM to a `juchu worker` in the middle of an import: the worker stops taking jobs, finishes the
// one it is running and exits 0 — the job completes on its first attempt instead of stalling and
// being run again by another worker.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../carts/sim/kit.js';
import type { Queues } from '../jobs/queues.js';
import { childEnv, createTestDb, type TestDb, uniquePrefix } from '../test/harness.js';
import { countOrders, shopifyShop, testQueues } from '../test/pipeline.js';

const STORE = 'shopify-global';

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a worker given SIGTERM mid-import', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let queues: Queues;
  let producers: Awaited<ReturnType<typeof testQueues>>;
  let worker: ChildProcess | undefined;
  const prefix = uniquePrefix('term');

  beforeAll(async () => {
    t = await createTestDb('term');
    sim = await shopifyShop(t, 500, 9);
    producers = await testQueues(t, prefix, 'term-test');
    queues = producers.queues;
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await queues.import.obliterate({ force: true }).catch(() => undefined);
    await producers.close();
    await sim.stop();
    await t.drop();
  });

  it('finishes the running import, then exits 0', async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ slowMs: 400 }) });
    worker = spawn(process.execPath, ['bin/juchu.mjs', 'worker', '--queues', 'import'], {
      env: childEnv(t.url, prefix, { WORKER_CONCURRENCY: '1' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => worker!.once('exit', (code) => r(code)));
    const jobId = await queues.add('import-store', {
      storeCode: STORE,
      trigger: 'manual',
      requestedBy: 'test',
    });
    await until(async () => (await countOrders(t.db, STORE)) > 0, 60_000, 'the first page to be stored');
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    const job = (await queues.import.getJob(jobId!))!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(1); // finished by the worker that started it, not stalled
    expect(await queues.import.getActiveCount()).toBe(0);
  });
});
