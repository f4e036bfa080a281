// juchu set-status (cli/orders-cli.ts) against real PostgreSQL and Redis: a move to 出荷完了 records the
// order's ship action in its transaction and enqueues its delivery job (cart-action-<id>-r0, on the
// shipping queue) right after commit, as the dashboard does — not a minute later by the sweep (no
// worker or scheduler runs here, so the job can only be the command's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S } from '../domain/statuses.js';
import { loadConfig } from '../infra/config.js';
import { createProducerConnection, ready } from '../infra/redis.js';
import { jobIds } from '../jobs/catalogue.js';
import { createQueues } from '../jobs/queues.js';
import {
  childEnv,
  createTestDb,
  redisUrl,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';
import { depsOf } from '../usecases/deps.js';
import { shippingInstruction } from '../usecases/shipping-instruction.js';

describe('juchu set-status', { timeout: 120_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createTestDb('cli-orders');
    env = childEnv(t.url, uniquePrefix('cli-orders'));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('to 出荷完了 enqueues the ship action’s delivery job, with its job id, right after commit', async () => {
    const shop = await createShop(t.db, 'cli-set-status');
    await seedStock(t.db, { 'SS-A': { tokyo: 3 } });
    await importOrders(t.db, shop, [cartOrder(shop, 'SS-1', { lines: [['SS-A', 1]], orderedAt: at(1) })]);
    const o = await orderView(t.db, shop.id, 'SS-1');
    await shippingInstruction(depsOf(t.db), { orderIds: [o.id], actor: 'user:ops' });
    // The tracking number came in earlier (a tracking file), not with the move.
    await t.db
      .updateTable('orders')
      .set({ tracking_number: '4444-0000-0099', delivery_carrier: 'yamato' })
      .where('id', '=', o.id)
      .execute();

    const r = await runJuchuInProcess(['set-status', '--to', S.shipped, '--order', o.orderNo], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓');

    const actions = await t.db
      .selectFrom('cart_actions')
      .selectAll()
      .where('order_id', '=', o.id)
      .where('kind', '=', 'ship')
      .execute();
    expect(actions).toHaveLength(1);
    const [a] = actions;
    expect(a).toMatchObject({ state: 'pending', cart_order_no: 'SS-1' });
    expect(a!.payload).toMatchObject({ packages: [{ carrier: 'yamato', trackingNumber: '4444-0000-0099' }] });

    const conn = createProducerConnection(redisUrl(), 'cli-orders-test');
    await ready(conn);
    const queues = createQueues(conn, loadConfig(env));
    try {
      const job = await queues.shipping.getJob(jobIds.cartAction(a!.id, 0));
      expect(job?.id).toBe(`cart-action-${a!.id}-r0`);
      expect(job?.name).toBe('deliver-cart-action');
      expect(job?.data).toEqual({ actionId: a!.id });
      expect(await job?.getState()).toBe('waiting');
      // Added after the transaction that recorded the action committed.
      expect(job!.timestamp).toBeGreaterThanOrEqual(a!.created_at.getTime());
    } finally {
      await queues.close();
      conn.disconnect();
    }
  });
});
