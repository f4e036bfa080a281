// `npm run drill`: the fault drills at full size, on private PostgreSQL and Redis started for the run.
//   1. kill -9 a worker 10 times at random moments of a 20,000-order import (a new worker each time);
//   2. restart Redis (append-only file on, same port) in the middle of an import;
//   3. restart PostgreSQL (same data directory and port) in the middle of an import;
//   4. a backlog against flaky carts (5xx, 429, slow answers, hangs, expiring tokens, malformed
//      records): every store catches up in ≤ 3× the fault-free time, nothing twice (bench/drills-progress.ts);
//   5. a worker and a scheduler 30 minutes ahead (libfaketime) while orders arrive and the
//      schedulers queue the imports: nothing lost, nothing twice, no slot or cursor ahead;
//   6. cart actions (bench/drills-actions.ts): orders shipped in juchu, PostgreSQL killed between the
//      change and the delivery, then while workers deliver: kill -9 workers, Redis restarted,
//      PostgreSQL killed; every action delivered, each shipment written once at its cart.
// Each ends with the checks of bench/drills.ts and prints what it did and what it checked; the report
// is also written to bench/results/drill-latest.md. Exit code 1 if any check failed.
//
// Options: --quick (2,000 orders, 2 kills), --orders N (every drill), --only kill|redis|postgres|flaky|clock|actions,
// --seed N, --unsafe-fast (PostgreSQL without fsync; the default is durable settings).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type DrillOptions, type DrillResult, describeDrill, runDrill } from './drills.js';
import { runActionsDrill } from './drills-actions.js';
import { type FlakyResult, runClockDrill, runFlakyDrill } from './drills-progress.js';
import { ROOT, startBenchServices } from './harness.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    orders: { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string' },
    'unsafe-fast': { type: 'boolean', default: false },
  },
});

const quick = args.quick;
const seed = args.seed ? Number(args.seed) : Date.now() % 1_000_000;
const orders = (full: number) => (args.orders ? Number(args.orders) : quick ? 2000 : full);
const say = (line: string) => process.stdout.write(`${line}\n`);

const drills: DrillOptions[] = [
  {
    name: 'kill -9 workers',
    orders: orders(20_000),
    stores: 4,
    workers: 2,
    concurrency: 2,
    kills: quick ? 2 : 10,
    seed,
  },
  {
    name: 'restart Redis',
    orders: orders(10_000),
    stores: 4,
    restart: 'redis',
    downMs: 3000,
    seed: seed + 1,
  },
  {
    name: 'restart PostgreSQL',
    orders: orders(10_000),
    stores: 4,
    restart: 'postgres',
    downMs: 3000,
    seed: seed + 2,
  },
].filter((d) => {
  if (!args.only) return true;
  const key = args.only.toLowerCase();
  return d.name.toLowerCase().includes(key === 'kill' ? 'kill' : key);
}) as DrillOptions[];
const actionsDrill = !args.only || args.only.toLowerCase() === 'actions';
const only = args.only?.toLowerCase();
const progressDrills = [
  ...(!only || only === 'flaky' ? ['flaky' as const] : []),
  ...(!only || only === 'clock' ? ['clock' as const] : []),
];

const services = await startBenchServices({ unsafeFast: args['unsafe-fast'] });
const results: DrillResult[] = [];
const started = new Date();
try {
  say(
    `juchu fault drills — ${started.toISOString()} — seed ${seed} — PostgreSQL ${args['unsafe-fast'] ? 'unsafe-fast' : 'durable'}, Redis with AOF`,
  );
  for (const d of drills) {
    say(`\n▶ ${d.name}: ${d.orders.toLocaleString('en-US')} orders from ${d.stores} simulated stores`);
    const r = await runDrill(services, { ...d, log: say, timeoutMs: 40 * 60_000 });
    results.push(r);
    say('');
    for (const line of describeDrill(r)) say(line);
  }
  for (const d of progressDrills) {
    const n = orders(d === 'flaky' ? 6000 : 1500);
    say(`\n▶ ${d === 'flaky' ? 'flaky cart backlog' : 'clock ahead'}: ${n.toLocaleString('en-US')} orders`);
    const r =
      d === 'flaky'
        ? await runFlakyDrill(services, { orders: n, seed: seed + 3, log: say, timeoutMs: 40 * 60_000 })
        : await runClockDrill(services, { orders: n, seed: seed + 4, log: say, rounds: quick ? 3 : 6 });
    results.push(r);
    say('');
    for (const line of describeDrill(r)) say(line);
    if ('ratio' in r)
      say(`flaky cart: caught up in ${(r as FlakyResult).ratio.toFixed(2)}× the fault-free time (limit 3×)`);
  }
  if (actionsDrill) {
    const n = orders(3000);
    const rakuten = quick ? 0 : 40;
    say(
      `\n▶ cart actions: ${n.toLocaleString('en-US')} Shopify orders${rakuten ? ` and ${rakuten} Rakuten orders` : ''}, shipped in juchu and delivered under faults`,
    );
    const r = await runActionsDrill(services, {
      orders: n,
      shopifyStores: 2,
      rakutenOrders: rakuten,
      workers: 2,
      kills: quick ? 1 : 3,
      seed: seed + 5,
      log: say,
      timeoutMs: 40 * 60_000,
    });
    results.push(r);
    say('');
    for (const line of describeDrill(r)) say(line);
    const f = r.figures;
    say(
      `cart actions: ${f.done} of ${f.actions} delivered in ${(f.deliveryMs / 1000).toFixed(1)} s, ${f.writesAtCarts} shipment writes at the carts, ${f.duplicates} duplicates, ${f.missing} missing, ${f.attempts} attempts`,
    );
  }
} finally {
  await services.stop();
}

const md = [
  `# juchu fault drills (${quick ? 'quick' : 'full'})`,
  '',
  `Run ${started.toISOString()}, seed ${seed}, on ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}.`,
  `Rerun: \`npm run drill -- ${quick ? '--quick ' : ''}--seed ${seed}\` (the kill moments follow the seed).`,
  '',
  ...results.flatMap(describeDrill),
].join('\n');
const dir = path.join(ROOT, 'bench', 'results');
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'drill-latest.md'), `${md}\n`);
const failed = results.filter((r) => !r.ok);
say(
  `\n${results.length - failed.length} of ${results.length} drills passed${failed.length ? `; FAILED: ${failed.map((r) => r.name).join(', ')}` : ''}. Report: bench/results/drill-latest.md`,
);
process.exitCode = failed.length ? 1 : 0;
