// juchu actions list (filters by store, state, order) and juchu actions retry <id> (再送 through the
// order screen's use case: a new round's delivery job on the shipping queue), as processes against
// real PostgreSQL and Redis; the refusals exit 1 with their reason in Japanese.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCartAction, failCartAttempt, finishCartAction, recordCartActions } from '../db/cart-actions.js';
import type { Store } from '../db/stores.js';
import { childEnv, createTestDb, runJuchu, type TestDb, uniquePrefix } from '../test/harness.js';
import { testQueues } from '../test/pipeline.js';
import { at, cartOrder, createShop, importOrders, orderView, seedStock } from '../test/stock-fixtures.js';

describe('juchu actions', { timeout: 300_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  let prefix: string;
  let shop: Store;
  let other: Store;
  let orderNo: string;
  let ids: { done: number; failed: number; refused: number; waiting: number };

  beforeAll(async () => {
    t = await createTestDb('cli-actions');
    prefix = uniquePrefix('cli-actions');
    env = childEnv(t.url, prefix);
    shop = await createShop(t.db, 'act-a');
    other = await createShop(t.db, 'act-b');
    await seedStock(t.db, { 'AC-1': { tokyo: 5 } });
    await importOrders(t.db, shop, [cartOrder(shop, 'AC-1', { lines: [['AC-1', 1]], orderedAt: at(1) })]);
    const o = await orderView(t.db, shop.id, 'AC-1');
    orderNo = o.orderNo;
    const now = new Date();
    const [done, failed, refused] = await recordCartActions(
      t.db,
      ['done', 'failed', 'refused'].map((k) => ({
        storeId: shop.id,
        orderId: o.id,
        cartOrderNo: 'AC-1',
        kind: 'ship' as const,
        key: `ship:cli:${k}`,
        payload: { packages: [{ packageNo: 1, carrier: 'yamato', trackingNumber: `4000-${k}` }] },
        createdBy: 'test',
      })),
      now,
    );
    const [waiting] = await recordCartActions(
      t.db,
      [
        {
          storeId: other.id,
          kind: 'cancel',
          cartOrderNo: 'B-9',
          key: 'cancel:cli',
          payload: {},
          createdBy: 'test',
        },
      ],
      now,
    );
    for (const id of [done!, failed!, refused!]) await claimCartAction(t.db, id, now, 60_000);
    await finishCartAction(
      t.db,
      done!,
      { state: 'done', answer: 'confirmShipment 204', code: 'done', cartRefs: { 'package:1': 'PKG-1' } },
      now,
    );
    await failCartAttempt(t.db, failed!, 'amazon confirmShipment: HTTP 503', {
      now,
      retryAt: now,
      final: true,
    });
    await finishCartAction(
      t.db,
      refused!,
      { state: 'refused', answer: '追跡番号が不正です', code: 'INVALID' },
      now,
    );
    ids = { done: done!, failed: failed!, refused: refused!, waiting: waiting! };
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('lists the actions newest first, by store, state and order', async () => {
    const all = await runJuchu(['actions', 'list'], env);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('4 件');
    expect(lines[0]).toMatch(new RegExp(`^#${ids.waiting} +act-b +キャンセル +送信待ち +注文 B-9`));
    const done = lines.find((l) => l.startsWith(`#${ids.done} `));
    expect(done).toContain('出荷  完了');
    expect(done).toContain('4000-done');
    expect(done).toContain('— confirmShipment 204');
    expect(done).toContain('packageReferenceId（荷物1）=PKG-1');

    const failed = await runJuchu(['actions', 'list', '--state', '失敗'], env);
    expect(failed.stdout).toContain(`#${ids.failed} `);
    expect(failed.stdout).toContain('— amazon confirmShipment: HTTP 503');
    expect(failed.stdout.trim().split('\n').at(-1)).toBe('1 件');

    const mine = await runJuchu(['actions', 'list', '--order', orderNo, '--state', 'refused'], env);
    expect(mine.stdout).toContain(`#${ids.refused} `);
    expect(mine.stdout).toContain(`受注No ${orderNo}（AC-1）`);
    expect(mine.stdout).toContain('要対応');
    expect(mine.stdout.trim().split('\n').at(-1)).toBe('1 件');

    const b = await runJuchu(['actions', 'list', '--store', 'act-b'], env);
    expect(b.stdout.trim().split('\n').at(-1)).toBe('1 件');

    const badState = await runJuchu(['actions', 'list', '--state', 'lost'], env);
    expect(badState.code).toBe(1);
    expect(badState.stderr).toContain('--state "lost"');
    const noStore = await runJuchu(['actions', 'list', '--store', 'nope'], env);
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain('店舗 nope はありません');
  });

  it('retry sends a failed action again as a new round’s job; one that has not stopped is refused', async () => {
    const r = await runJuchu(['actions', 'retry', String(ids.failed)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ カート連携 ${ids.failed}（出荷、注文 AC-1）を再送します（1 回目の再送）。`);
    const q = await testQueues(t, prefix, 'cli-actions');
    try {
      const job = await q.queues.shipping.getJob(`cart-action-${ids.failed}-r1`);
      expect(job?.data).toEqual({ actionId: ids.failed });
    } finally {
      await q.close();
    }
    const list = await runJuchu(['actions', 'list', '--state', 'waiting', '--store', 'act-a'], env);
    expect(list.stdout).toContain(`#${ids.failed} `);
    expect(list.stdout).toMatch(/（再送 1、最後 cli:\S+ /);

    const again = await runJuchu(['actions', 'retry', String(ids.failed)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('送信待ちのため再送できません');
    const done = await runJuchu(['actions', 'retry', String(ids.done)], env);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('完了のため再送できません');
    const none = await runJuchu(['actions', 'retry', 'x1'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('"x1" はカート連携の番号ではありません');
  });
});
