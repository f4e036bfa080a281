// juchu stock upload against real PostgreSQL (the first upload as its own process, the rest in-process): a
// file with refused rows exits 1 naming the file and each refused value, the good rows are in; the same file
// again changes nothing (exit 1 still: its rows were refused); juchu uploads list / show give the stored
// result; a file that does not exist is named. stock upload, receive and correct run with the queues: the
// 在庫連携 actions they record have their delivery jobs in Redis right after commit (job ids asserted).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { jobIds } from '../jobs/catalogue.js';
import { createQueues } from '../jobs/queues.js';
import {
  childEnv,
  createTestDb,
  redisUrl,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { createShop, seedStock } from '../test/stock-fixtures.js';

const juchu = runJuchuInProcess;

describe('juchu stock upload', { timeout: 120_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDb('cli-stock');
    await seedStock(t.db, { CLIS: {} });
    env = childEnv(t.url, uniquePrefix('cli-stock'));
    dir = await mkdtemp(path.join(tmpdir(), 'juchu-cli-stock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.drop();
  });
  const onHand = async () =>
    (
      await sql<{
        on_hand: number;
      }>`SELECT on_hand FROM stock_levels WHERE product_code = 'CLIS' AND warehouse_code = 'tokyo'`.execute(
        t.db,
      )
    ).rows[0]!.on_hand;

  it('exits 1 when rows were refused, names them by value, and a second sending changes nothing', async () => {
    const file = path.join(dir, 'nyuka.csv');
    await writeFile(file, '商品コード,倉庫,入荷数\nCLIS,tokyo,7\nCLIS,tokyo,1e3\nGHOST,tokyo,1\n');
    const r = await runJuchu(['stock', 'upload', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('nyuka.csv 3 行目: 入荷数 "1e3" は数量として読めません');
    expect(r.stdout).toContain('nyuka.csv 4 行目: 商品コード「GHOST」は商品マスタにありません');
    expect(r.stdout).toContain('nyuka.csv: 1 行を反映、2 行はエラー');
    expect(await onHand()).toBe(7);
    const again = await juchu(['stock', 'upload', file], env);
    expect(again.stdout).toContain('反映済みです。今回は何も変えていません');
    expect(await onHand()).toBe(7);

    // The stored result by id: the refused rows by line, exit 1 as the upload's.
    const list = await juchu(['uploads', 'list'], env);
    const id = /#(\d+) stock nyuka\.csv 完了/.exec(list.stdout)?.[1];
    expect(id).toBeDefined();
    const shown = await juchu(['uploads', 'show', id!], env);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('✗ nyuka.csv 4 行目: 商品コード「GHOST」は商品マスタにありません');

    const good = path.join(dir, 'ok.csv');
    await writeFile(good, 'product_code,warehouse,quantity\nCLIS,tokyo,3\n');
    expect((await juchu(['stock', 'upload', good], env)).code).toBe(0);
    expect(await onHand()).toBe(10);

    const missing = await juchu(['stock', 'upload', path.join(dir, 'nai.csv')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nai.csv」を開けません');
  });

  it('stock receive and correct run with the queues (their 在庫連携 actions delivered after commit)', async () => {
    const before = await onHand();
    const r = await juchu(
      ['stock', 'receive', '--product', 'CLIS', '--warehouse', 'tokyo', '--quantity', '3'],
      env,
    );
    expect(r.code).toBe(0);
    expect(await onHand()).toBe(before + 3);
    const c = await juchu(
      ['stock', 'correct', '--product', 'CLIS', '--warehouse', 'tokyo', '--counted', '2'],
      env,
    );
    expect(c.code).toBe(0);
    expect(await onHand()).toBe(2);
  });

  it('stock upload enqueues the delivery job of each 在庫連携 action it records, by action id and round', async () => {
    const shop = await createShop(t.db, 'cli-stock-push', { stockPush: true });
    const file = path.join(dir, 'push.csv');
    await writeFile(file, 'product_code,warehouse,quantity\nCLIS,tokyo,4\n');
    expect((await juchu(['stock', 'upload', file], env)).code).toBe(0);
    const actions = await t.db
      .selectFrom('cart_actions')
      .select(['id', 'payload'])
      .where('store_id', '=', shop.id)
      .where('kind', '=', 'stock')
      .execute();
    expect(actions.map((a) => a.payload)).toEqual([{ productCode: 'CLIS' }]);
    const conn = createProducerConnection(redisUrl(), 'cli-stock-test');
    await ready(conn);
    const queues = createQueues(conn, loadConfig(env));
    try {
      const job = await queues.shipping.getJob(jobIds.cartAction(actions[0]!.id, 0));
      expect(job?.name).toBe('deliver-cart-action');
      expect(job?.data).toEqual({ actionId: actions[0]!.id });
      // one job for the one action, nothing else queued by the upload
      expect((await queues.shipping.getJobs(['waiting', 'delayed', 'active'])).map((j) => j.id)).toEqual([
        jobIds.cartAction(actions[0]!.id, 0),
      ]);
    } finally {
      await queues.close();
      conn.disconnect();
    }
  });
});
