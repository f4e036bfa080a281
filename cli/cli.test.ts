// The admin command line end to end: a real worker process, a simulator, real Postgres and Redis.
// `juchu --help` runs as its own process; the other commands in-process (test/harness.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySimulator } from '../carts/shopify/simulator.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { noteRun } from '../db/import-runs.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { seedTestShop } from '../test/pipeline.js';
import { buildProgram } from './program.js';

const juchu = runJuchuInProcess;

describe('juchu CLI', () => {
  let t: TestDb;
  let sim: RunningSimulator;
  let worker: ChildProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createTestDb('cli');
    const now = Date.now();
    sim = await shopifySimulator.start({
      orders: 40,
      seed: 3,
      from: new Date(now - 86_400_000),
      to: new Date(now - 60_000),
      rateLimits: false,
    });
    await seedTestShop(t, { shopify: sim.url });
    env = childEnv(t.url, uniquePrefix('cli'));
    worker = spawn(process.execPath, ['bin/juchu.mjs', 'worker'], { env, stdio: 'ignore' });
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await sim.stop();
    await t.drop();
  });

  it('has --help on every command', async () => {
    const top = await runJuchu(['--help'], env);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: juchu/);
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(
      expect.arrayContaining([
        'migrate',
        'seed-demo',
        'worker',
        'scheduler',
        'dashboard',
        'demo',
        'simulate',
        'parse',
        'stores',
        'import',
        'reimport',
        'retry',
        'orders',
      ]),
    );
    const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((c) => [c, ...all(c.commands)]);
    for (const c of all(program.commands)) {
      expect(c.description(), c.name()).not.toBe('');
      expect(c.helpInformation(), c.name()).toMatch(/-h, --help/);
    }
  });

  it('imports a store and waits, lists stores, orders as JSON, re-imports one order, lists failed jobs', async () => {
    const imp = await juchu(['import', '--store', 'shopify-global', '--wait'], env);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const result = JSON.parse(imp.stdout.slice(imp.stdout.indexOf('{')));
    expect(result.outcome).toBe('succeeded');
    expect(result.fetched).toBe(40);

    // 取込履歴 on the command line: a run's 注記 (a cursor beyond the database's time, set back).
    await noteRun(t.db, result.runId, '取込カーソルがデータベースの時刻より先でした。');
    const runs = await juchu(['runs', '--store', 'shopify-global'], env);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(
      new RegExp(
        `#${result.runId} shopify-global +manual +succeeded +fetched 40 .*\\n    注記: 取込カーソルがデータベースの時刻より先でした。\\n`,
      ),
    );

    const stores = await juchu(['stores', 'list'], env);
    expect(stores.stdout).toMatch(
      /shopify-global +shopify +on +cron "\*\/10 \* \* \* \*" \(10分ごと\) +last import \d+s ago \(succeeded\) +lag \d+s/,
    );

    const orders = await juchu(['orders', '--json', '--limit', '3'], env);
    const list = JSON.parse(orders.stdout) as Array<Record<string, unknown>>;
    expect(list).toHaveLength(3);
    expect(Object.keys(list[0]!)).toEqual(
      expect.arrayContaining([
        'store',
        'cart',
        'cartOrderNo',
        'orderNo',
        'cartStatus',
        'orderedAt',
        'orderer',
        'shipTo',
        'lines',
        'delivery',
        'payment',
        'totals',
        'status',
      ]),
    );
    expect(list[0]!.orderNo).toMatch(/^\d{8}$/);

    const re = await juchu(
      ['reimport', '--store', 'shopify-global', '--order', String(list[0]!.cartOrderNo)],
      env,
    );
    expect(re.code).toBe(0);
    expect(re.stdout).toMatch(/"outcome": "unchanged"/);

    const retry = await juchu(['retry', '--list'], env);
    expect(retry.stdout).toMatch(/no failed jobs/);
  });

  it('in-process runs close what they open, also when a command fails (exit 1 inside withRuntime)', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    const before = sockets();
    expect((await juchu(['stores', 'list'], env)).code).toBe(0);
    expect((await juchu(['retry', '--list'], env)).code).toBe(0);
    const unknown = await juchu(['retry', '--queue', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^juchu: unknown queue "nope"/);
    // Closing a socket completes on a later turn of the event loop: wait for it, not for a time.
    await expect.poll(sockets, { timeout: 5_000 }).toBeLessThanOrEqual(before);
  });

  it('parses a recorded cart response into the spec JSON', async () => {
    const r = await juchu(
      ['parse', '--cart', 'shopify', '--file', 'carts/shopify/fixtures/shopify-orders-simulator-seed7.json'],
      env,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      orders: Array<{ cart: string; orderedAt: string }>;
      rejections: unknown[];
    };
    expect(out.orders.length).toBeGreaterThan(0);
    expect(out.orders[0]!.cart).toBe('shopify');
    expect(out.orders[0]!.orderedAt).toMatch(/\+09:00$/);
  });

  it('parses Shopify bodies of both Admin APIs: a REST orders.json and a GraphQL orders answer give the same orders', async () => {
    const dir = 'carts/shopify/fixtures';
    const parse = async (file: string) => {
      const r = await juchu(['parse', '--cart', 'shopify', '--file', `${dir}/${file}`], env);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { orders: Array<{ cartOrderNo: string }>; rejections: unknown[] };
      return out.orders.sort((a, b) => a.cartOrderNo.localeCompare(b.cartOrderNo));
    };
    const rest = await parse('shopify-orders-simulator-seed7.json');
    expect(rest).toHaveLength(4);
    expect(await parse('graphql/shopify-graphql-orders-simulator-seed7.json')).toEqual(rest);
  });

  it('parses Amazon bodies of both Orders APIs: v0 getOrders with its getOrderItems, and a 2026-01-01 searchOrders body', async () => {
    const dir = 'carts/amazon/fixtures';
    const items = ['249-1258324-2341544', '503-1274162-3007258', '503-1424623-0356893', '503-1622598-0344060']
      .concat(['250-1392947-3246417', '250-1741383-2606537', '249-1646355-6974584', '503-1844330-9558649'])
      .flatMap((id) => ['--items', `${dir}/amazon-sim-getOrderItems-200-${id}.json`]);
    const v0 = await juchu(
      ['parse', '--cart', 'amazon', '--file', `${dir}/amazon-sim-getOrders-200.json`, ...items],
      env,
    );
    const v2026 = await juchu(
      ['parse', '--cart', 'amazon', '--file', `${dir}/amazon-sim-2026-searchOrders-200.json`],
      env,
    );
    type Out = {
      orders: Array<{ cartOrderNo: string; cartStatus: string; totals: unknown; lines: unknown }>;
      rejections: unknown[];
    };
    const a = JSON.parse(v0.stdout) as Out;
    const b = JSON.parse(v2026.stdout) as Out;
    expect([v0.code, v2026.code]).toEqual([0, 0]);
    expect([a.rejections, b.rejections]).toEqual([[], []]);
    expect(b.orders).toHaveLength(8);
    const core = (o: Out['orders'][number]) => [o.cartOrderNo, o.cartStatus, o.totals, o.lines];
    expect(b.orders.map(core)).toEqual(a.orders.map(core));
    const mixed = await juchu(
      [
        'parse',
        '--cart',
        'amazon',
        '--file',
        `${dir}/amazon-sim-2026-searchOrders-200.json`,
        ...items.slice(0, 2),
      ],
      env,
    );
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/carry their items/);
  });
});
