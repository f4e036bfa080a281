// Redis Cluster (issue 15 item 6): a three-master cluster started from redis-server, as the private
// Redis is. Every process connects through an ioredis Cluster given one node that does NOT own the
// queues' slot; the scheduler fires an import every second and the workers run it while that slot
// is migrated to another master, key by key (MIGRATING / IMPORTING, MIGRATE, SETSLOT NODE), as a
// reshard does. No import is lost: every order placed before and during the move is imported once,
// scheduled imports run after it, /readyz answers through the slot's new owner, and the eviction
// check asks every master. A cluster node given as a plain REDIS_URL is refused at start.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../carts/registry.js';
import type { RunningSimulator } from '../carts/sim/kit.js';
import { readiness } from '../dashboard/metrics.js';
import { type RunningRedisCluster, startPrivateRedisCluster } from '../dev/services.js';
import { type Config, loadConfig } from '../infra/config.js';
import { checkRedis } from '../infra/preflight.js';
import { createProducerConnection, type RedisConnection, ready } from '../infra/redis.js';
import { QUEUES } from '../jobs/catalogue.js';
import { createQueues, type Queues } from '../jobs/queues.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb, uniquePrefix } from '../test/harness.js';
import { countOrders, FAST_HTTP, setStoreSettings, shopifyShop } from '../test/pipeline.js';
import { Scheduler } from './scheduler.js';
import { type RunningWorkers, startWorkers } from './worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `check` to hold, polling; fails with `what` after `ms` (a budget for a loaded machine). */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('Redis Cluster', () => {
  let cluster: RunningRedisCluster;
  let t: TestDb;
  let sim: RunningSimulator;
  let config: Config;
  let nodes: Redis[];
  let slot: number;
  let owner: number;
  let target: number;
  let entry: number;
  let producer: RedisConnection;
  let queues: Queues;
  let workers: RunningWorkers;
  let scheduler: Scheduler;
  // The hash tag: every key of every queue in one slot.
  const prefix = `{${uniquePrefix('cluster')}}`;

  beforeAll(async () => {
    [cluster, t] = await Promise.all([startPrivateRedisCluster(3), createTestDb('redis-cluster')]);
    nodes = cluster.nodes.map((n) => new Redis(n.port, n.host));
    slot = Number(await nodes[0]!.cluster('KEYSLOT', `${prefix}:import:meta`));
    const ranges = (await nodes[0]!.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
    owner = cluster.nodes.findIndex((n) => n.port === range[2][1]);
    target = (owner + 1) % 3;
    entry = (owner + 2) % 3; // the node the processes are given: it does not own the slot
    config = loadConfig({
      DATABASE_URL: t.url,
      REDIS_CLUSTER_NODES: `${cluster.nodes[entry]!.host}:${cluster.nodes[entry]!.port}`,
      JUCHU_SECRET_KEY: TEST_SECRET_KEY.toString('hex'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    sim = await shopifyShop(t, 40, 21);
    // Only the Shopify store, imported every second, every order whatever its status (so each order
    // the simulator holds must end up in the database).
    await setStoreSettings(t, 'shopify-global', {
      initialImportDays: 3,
      settleLagSeconds: 0,
      importStatuses: cartModule('shopify').cartStatuses.map((c) => c.code),
    });
    await t.db.updateTable('stores').set({ enabled: false }).where('code', '!=', 'shopify-global').execute();
    await t.db
      .updateTable('stores')
      .set({ import_cron: '* * * * * *' })
      .where('code', '=', 'shopify-global')
      .execute();
  }, 60_000);

  afterAll(async () => {
    await scheduler?.stop();
    await workers?.close();
    await queues?.close();
    producer?.disconnect();
    for (const n of nodes ?? []) n.disconnect();
    await Promise.all([sim?.stop(), cluster?.stop(), t?.drop()]);
  }, 60_000);

  it('refuses a cluster node given as REDIS_URL, and checks the eviction policy of every master', async () => {
    const plain = { REDIS_URL: cluster.nodes[entry]!.url, REDIS_CLUSTER_NODES: undefined };
    await expect(checkRedis(plain)).rejects.toThrow(/is a Redis Cluster node: set REDIS_CLUSTER_NODES/);
    await checkRedis(config);
    await nodes[target]!.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(checkRedis(config)).rejects.toThrow(
        new RegExp(`maxmemory-policy is "allkeys-lru" on 127\\.0\\.0\\.1:${cluster.nodes[target]!.port}`),
      );
    } finally {
      await nodes[target]!.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('imports through a node that does not own the slot, and loses nothing while the slot migrates', async () => {
    producer = createProducerConnection(config, 'cluster-test');
    await ready(producer);
    queues = createQueues(producer, config);
    workers = await startWorkers({ config, http: FAST_HTTP, concurrency: 2 });
    scheduler = new Scheduler({ db: t.db, queues, refreshSeconds: 3600 });
    await scheduler.start();
    await until('the first import', 40_000, async () => {
      const r = await t.db
        .selectFrom('import_runs')
        .select('fetched')
        .where('outcome', '=', 'succeeded')
        .where('fetched', '>=', 40)
        .executeTakeFirst();
      return r !== undefined;
    });
    // (An order the store does not import — one already closed on the cart — is left out: counted, not stored.)
    const before = await countOrders(t.db, 'shopify-global');
    expect(before).toBeGreaterThan(30);

    // Orders keep coming while the queues' slot moves from its owner to another master.
    let placing = true;
    const placer = (async () => {
      while (placing) {
        sim.book.placeNow();
        await sleep(150);
      }
    })();
    const from = nodes[owner]!;
    const to = nodes[target]!;
    const [fromId, toId] = await Promise.all([from.cluster('MYID'), to.cluster('MYID')]);
    await to.cluster('SETSLOT', slot, 'IMPORTING', String(fromId));
    await from.cluster('SETSLOT', slot, 'MIGRATING', String(toId));
    let moved = 0;
    for (;;) {
      const keys = (await from.cluster('GETKEYSINSLOT', slot, 20)) as string[];
      if (keys.length === 0) break;
      const dest = cluster.nodes[target]!;
      await from.migrate(dest.host, dest.port, '', 0, 5000, 'KEYS', ...keys);
      moved += keys.length;
      await sleep(50); // a reshard moves a batch at a time while the clients keep working
    }
    for (const n of nodes) await n.cluster('SETSLOT', slot, 'NODE', String(toId));
    const movedAt = new Date();
    await sleep(1500);
    placing = false;
    await placer;
    expect(moved).toBeGreaterThan(0);
    const placed = sim.book.size;
    expect(placed).toBeGreaterThan(40);

    // Every order placed, imported once; scheduled imports go on after the move.
    await until('every order placed during the move', 45_000, async () => {
      return (await countOrders(t.db, 'shopify-global')) === before + placed - 40;
    });
    await until('a scheduled import after the move', 20_000, async () => {
      const r = await t.db
        .selectFrom('import_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('trigger', '=', 'schedule')
        .where('outcome', '=', 'succeeded')
        .where('started_at', '>', movedAt)
        .executeTakeFirstOrThrow();
      return Number(r.n) > 0;
    });
    const dup = await t.db
      .selectFrom('orders')
      .select(['cart_order_no'])
      .groupBy(['store_id', 'cart_order_no'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(dup).toEqual([]);
    // No job was given up on.
    expect(await queues.import.getJobCountByTypes('failed')).toBe(0);
    // The slot's new owner holds the queue keys, and /readyz asks for one of them.
    expect(await to.exists(`${prefix}:${QUEUES.import.name}:meta`)).toBe(1);
    expect(await readiness(t.db, producer, `${prefix}:${QUEUES.import.name}:meta`)).toEqual({
      ok: true,
      database: 'ok',
      redis: 'ok',
    });
  }, 150_000);
});
