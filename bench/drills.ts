// Fault drills: an import of many orders from cart simulators by real worker processes while workers
// are killed with SIGKILL, or Redis or PostgreSQL is restarted under them. Each drill ends with the
// same checks: every order the simulators show imported exactly once, reserved = Σ reservations,
// nothing oversold, nothing left in active. `npm run drill` runs them at full size, and
// bench/drills.test.ts runs small ones as part of `npm test`.
import {
  type BenchServices,
  type BenchStore,
  type Check,
  checkExactlyOnce,
  checkQueues,
  checkStock,
  countOrders,
  enqueueImports,
  type ImportRun,
  openQueues,
  seedStores,
  sleep,
  startStores,
  stopStores,
  WorkerPool,
  workerEnv,
} from './harness.js';

export interface DrillOptions {
  name: string;
  /** Orders over all stores. */
  orders: number;
  stores?: number;
  /** Worker processes kept running (a killed one is replaced at once). */
  workers?: number;
  concurrency?: number;
  /** kill -9 this many times, each at a random moment of the import. */
  kills?: number;
  /** Restart Redis or PostgreSQL once, at a random moment of the import. */
  restart?: 'redis' | 'postgres';
  /** How long the restarted service stays down. */
  downMs?: number;
  /** BullMQ job lock (and stall check interval): how soon a killed worker's job is picked up again. */
  lockMs?: number;
  /** Store import lease: how soon a killed worker's store may be imported by another. */
  leaseSeconds?: number;
  seed?: number;
  /** Give up after this long. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface DrillResult {
  name: string;
  ok: boolean;
  checks: Check[];
  /** What was done to the system, in order. */
  events: string[];
  /** Things worth knowing that are not failures (e.g. jobs that failed and were imported again). */
  notes: string[];
  ms: number;
}

/** Random points of the import's progress (fractions of the orders stored) at which to strike. */
function strikePoints(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => 0.05 + rand() * 0.85).sort((a, b) => a - b);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One drill on its own database, BullMQ prefix and simulators. The services must be private ones
 * (restartable). Never throws for a failed check: the result says what held and what did not.
 */
export async function runDrill(services: BenchServices, opts: DrillOptions): Promise<DrillResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const rand = seeded(opts.seed ?? 20_261_126);
  const events: string[] = [];
  const notes: string[] = [];
  const note = (line: string) => {
    events.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${line}`);
    log(`  [${opts.name}] ${line}`);
  };
  const bench = await services.database(`drill_${opts.name}`);
  let stores: BenchStore[] = [];
  let pool: WorkerPool | null = null;
  let handle: Awaited<ReturnType<typeof openQueues>> | null = null;
  const killed = new Set<number>();
  const noticed = new Set<number>();
  try {
    stores = await startStores(opts.orders, {
      stores: opts.stores ?? 4,
      seed: opts.seed,
      carts: ['shopify'],
    });
    // Scarce stock: part of the orders wait, so reservation and allocation both run under the faults.
    await seedStores(bench.db, stores, Math.max(1, Math.round(opts.orders / 40)));
    handle = await openQueues(services.redisUrl, bench.url);
    const { queues } = handle;
    pool = new WorkerPool(
      workerEnv({
        databaseUrl: bench.url,
        redisUrl: services.redisUrl,
        prefix: handle.prefix,
        concurrency: opts.concurrency ?? 2,
        lockMs: opts.lockMs ?? 2000,
        leaseSeconds: opts.leaseSeconds ?? 3,
        backoffMs: 500,
      }),
    );
    const workers = opts.workers ?? 2;
    await pool.startMany(workers, queues);
    note(
      `${workers} workers started; importing ${opts.orders} orders from ${stores.length} simulated stores`,
    );

    let run: ImportRun = await enqueueImports(queues, stores);
    const kills = strikePoints(opts.kills ?? 0, rand);
    const restartAt = opts.restart ? 0.2 + rand() * 0.5 : null;
    let restarted = false;
    const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
    let followUps = 0;
    let allDone = false;
    while (!allDone) {
      if (Date.now() > deadline)
        throw new Error(`the drill did not finish within ${opts.timeoutMs ?? 900_000} ms`);
      const stored = await countOrders(bench.db).catch(() => null); // null: PostgreSQL is down
      const progress = stored === null ? 0 : stored / opts.orders;
      if (kills.length && progress >= kills[0]!) {
        kills.shift();
        await sleep(rand() * 300);
        // A worker that has had time to take a job (a kill right after a restart would test nothing).
        const settled = pool.live().filter((p) => Date.now() - p.startedAt > 2000);
        const live = settled.length ? settled : pool.live();
        const victim = live[Math.floor(rand() * live.length)];
        if (victim) {
          killed.add(victim.pid);
          await pool.kill(victim);
          const fresh = pool.start();
          note(`kill -9 worker ${victim.pid} at ${stored} orders stored; started worker ${fresh.pid}`);
          // The next strike waits until the replacement is up: a worker that starts while PostgreSQL
          // or Redis is down refuses to start by design (infra/preflight.ts), which is not what a
          // restart mid-import tests.
          const upBy = Date.now() + 30_000;
          while (Date.now() < upBy && fresh.exit === null) {
            const seen = await queues.import.getWorkers().catch(() => null);
            if (seen && seen.length >= pool.live().length) break;
            await sleep(100);
          }
        }
      }
      if (restartAt !== null && !restarted && progress >= restartAt) {
        restarted = true;
        const svc = opts.restart === 'redis' ? services.redis : services.postgres;
        const downMs = opts.downMs ?? 3000;
        note(`restarting ${opts.restart} at ${stored} orders stored (down ${downMs} ms)`);
        await svc.restart!(downMs);
        note(`${opts.restart} is back`);
      }
      // Workers that died by themselves are a finding, not something to paper over: note it, replace it.
      for (const p of pool.procs)
        if (p.exit && !killed.has(p.pid) && !noticed.has(p.pid)) {
          noticed.add(p.pid);
          note(
            `worker ${p.pid} exited by itself (code ${p.exit.code}, signal ${p.exit.signal}); last output: ${p.tail
              .slice(process.env.DRILL_TAIL ? -40 : -5)
              .join(' | ')
              .slice(0, process.env.DRILL_TAIL ? 10_000 : 600)}`,
          );
          notes.push(`worker ${p.pid} exited by itself during the ${opts.name} drill`);
          const fresh = pool.start();
          note(`started worker ${fresh.pid} in its place`);
        }
      const jobs = await Promise.all(run.jobIds.map((id) => queues.import.getJob(id))).catch(() => null);
      if (jobs?.every((j) => j?.finishedOn !== undefined)) {
        const states = await Promise.all(jobs.map((j) => j!.getState())).catch(() => null);
        if (states?.every((s) => s === 'completed' || s === 'failed')) {
          const failed = jobs.filter((_j, i) => states[i] === 'failed');
          if (failed.length === 0 && kills.length === 0 && (restartAt === null || restarted)) allDone = true;
          else if (failed.length === 0) {
            // Finished before every strike was made: import the next orders the carts received.
            stores[0]!.clock.advance();
            for (const s of stores)
              await fetch(`${s.sim.url}/__sim/orders`, { method: 'POST', body: '{"count":200}' });
            opts.orders += stores.length * 200;
            run = await enqueueImports(queues, stores);
            note(`the import finished before every strike; 200 new orders per store and another import`);
          } else {
            // What the next scheduled import would do: the store's cursor has not moved, so its whole
            // window is imported again.
            followUps++;
            for (const j of failed)
              notes.push(`import job ${j!.id} (${j!.data.storeCode}) failed: ${j!.failedReason}`);
            note(
              `${failed.length} import job(s) failed (${[...new Set(failed.map((j) => j!.failedReason))].join('; ')}); importing those stores again, as the next scheduled import would`,
            );
            if (followUps > 5) throw new Error('imports kept failing');
            const again = stores.filter((s) => failed.some((j) => j!.data.storeCode === s.code));
            const next = await enqueueImports(queues, again);
            run = {
              enqueuedAt: run.enqueuedAt,
              jobIds: [...run.jobIds.filter((id) => !failed.some((j) => j!.id === id)), ...next.jobIds],
            };
          }
        }
      }
      if (!allDone) await sleep(150);
    }
    note('every import job completed');
    if (followUps) notes.push(`${followUps} follow-up import round(s) were needed`);
    for (const id of run.jobIds) {
      const j = await queues.import.getJob(id);
      if (j && j.attemptsStarted > 1)
        notes.push(
          // attemptsMade counts the completing attempt too; a start lost to a stall is not an attempt made.
          `import job ${j.id} (${j.data.storeCode}) was started ${j.attemptsStarted} times (${Math.max(0, j.attemptsMade - 1)} failed attempts, ${j.stalledCounter} stalls) before it completed`,
        );
    }

    await pool.stopAll();
    const exits = pool.unexpectedExits(killed);
    const checks: Check[] = [
      ...(await checkExactlyOnce(bench.db, stores)),
      ...(await checkStock(bench.db)),
      ...(await checkQueues(queues)).filter((c) => !c.what.startsWith('every import job completed')),
      {
        what: 'no worker died except those killed on purpose',
        ok: exits.length === 0,
        detail: exits.length
          ? exits.map((p) => `${p.pid}: code ${p.exit?.code} signal ${p.exit?.signal}`).join('; ')
          : `${pool.procs.length} worker processes, ${killed.size} killed on purpose`,
      },
    ];
    return { name: opts.name, ok: checks.every((c) => c.ok), checks, events, notes, ms: Date.now() - t0 };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    note(`drill aborted: ${message}`);
    for (const p of pool?.procs ?? [])
      if (p.tail.length) log(`  worker ${p.pid}: ${p.tail.slice(-5).join(' | ')}`);
    return {
      name: opts.name,
      ok: false,
      checks: [{ what: 'the drill ran to the end', ok: false, detail: message }],
      events,
      notes,
      ms: Date.now() - t0,
    };
  } finally {
    await pool?.stopAll(5000).catch(() => undefined);
    await handle?.queues.import.obliterate({ force: true }).catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await stopStores(stores);
    await bench.drop().catch(() => undefined);
  }
}

/** The drill's outcome as text lines (what it did, then what it checked). */
export function describeDrill(r: DrillResult): string[] {
  const lines = [`### ${r.name}: ${r.ok ? 'PASSED' : 'FAILED'} (${(r.ms / 1000).toFixed(0)} s)`, ''];
  for (const e of r.events) lines.push(`- ${e}`);
  lines.push('');
  for (const c of r.checks) lines.push(`- [${c.ok ? 'x' : ' '}] ${c.what}: ${c.detail}`);
  if (r.notes.length) {
    lines.push('', 'Notes:');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  lines.push('');
  return lines;
}
