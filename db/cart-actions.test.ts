import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../test/harness.js';
import { createShop } from '../test/stock-fixtures.js';
import {
  claimBatchMates,
  claimCartAction,
  dueCartActions,
  failCartAttempt,
  finishCartAction,
  getCartAction,
  recordCartActions,
  resendCartAction,
} from './cart-actions.js';
import type { Store } from './stores.js';

const NOW = new Date('2026-12-03T01:00:00Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

describe('cart_actions outbox repository', () => {
  let t: TestDb;
  let shop: Store;
  beforeAll(async () => {
    t = await createTestDb('cart_actions');
    shop = await createShop(t.db, 'outbox-shop');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('records a keyed action once', async () => {
    const a = {
      storeId: shop.id,
      kind: 'cancel' as const,
      key: 'cancel:x1',
      payload: { reason: 'r' },
      createdBy: 't',
    };
    const first = await recordCartActions(t.db, [a, a], NOW);
    expect(first).toHaveLength(1);
    expect(await recordCartActions(t.db, [a], NOW)).toEqual([]);
  });

  it('a newer stock value replaces a pending one, but not one being delivered', async () => {
    const s = (q: number) => ({
      storeId: shop.id,
      kind: 'stock' as const,
      coalesceKey: 'stock:P1',
      payload: { quantity: q },
      createdBy: 't',
    });
    const [id] = await recordCartActions(t.db, [s(5), s(4)], NOW);
    expect((await getCartAction(t.db, id as number))?.payload).toEqual({ quantity: 4 });
    expect(await recordCartActions(t.db, [s(3)], NOW)).toEqual([id]);
    expect((await getCartAction(t.db, id as number))?.payload).toEqual({ quantity: 3 });
    expect(await claimCartAction(t.db, id as number, NOW, 60_000)).toBeDefined();
    const [next] = await recordCartActions(t.db, [s(2)], NOW);
    expect(next).not.toBe(id);
    // The newer value waits until the older one has landed.
    expect(await claimCartAction(t.db, next as number, NOW, 60_000)).toBeUndefined();
    await finishCartAction(t.db, id as number, { state: 'done', answer: 'ok', cartRefs: { a: '1' } }, NOW);
    expect((await claimCartAction(t.db, next as number, NOW, 60_000))?.payload).toEqual({ quantity: 2 });
  });

  it('claims once; a lease that ran out is claimed again; the sweep sees both', async () => {
    const [id] = await recordCartActions(
      t.db,
      [{ storeId: shop.id, kind: 'ship', key: 'ship:lease', payload: {}, createdBy: 't' }],
      NOW,
    );
    const n = id as number;
    expect((await claimCartAction(t.db, n, NOW, 60_000))?.attempts).toBe(1);
    expect(await claimCartAction(t.db, n, later(10), 60_000)).toBeUndefined();
    expect((await dueCartActions(t.db, later(10))).map((r) => r.id)).not.toContain(n);
    expect((await dueCartActions(t.db, later(61))).map((r) => r.id)).toContain(n);
    expect((await claimCartAction(t.db, n, later(61), 60_000))?.attempts).toBe(2);
    // A transient failure: pending again, not due before its retry time.
    expect(
      await failCartAttempt(t.db, n, 'timeout', { now: later(62), retryAt: later(120), final: false }),
    ).toBe(true);
    expect((await dueCartActions(t.db, later(100))).map((r) => r.id)).not.toContain(n);
    expect((await dueCartActions(t.db, later(121))).map((r) => r.id)).toContain(n);
    await claimCartAction(t.db, n, later(121), 60_000);
    await failCartAttempt(t.db, n, 'timeout again', { now: later(122), retryAt: later(122), final: true });
    const failed = await getCartAction(t.db, n);
    expect(failed?.state).toBe('failed');
    expect((await dueCartActions(t.db, later(999))).map((r) => r.id)).not.toContain(n);
    // 再送 by a human: pending, a new round.
    expect((await resendCartAction(t.db, n, later(200), 'user:ops'))?.retries).toBe(1);
    expect(await resendCartAction(t.db, n, later(200), 'user:ops')).toBeUndefined();
    const again = await claimCartAction(t.db, n, later(201), 60_000);
    await finishCartAction(
      t.db,
      n,
      { state: 'done', answer: '発送完了', cartRefs: { 'package:1': 'X' } },
      later(202),
    );
    const done = await getCartAction(t.db, n);
    expect(again?.attempts).toBe(1);
    expect(done).toMatchObject({
      state: 'done',
      cart_answer: '発送完了',
      cart_refs: { 'package:1': 'X' },
      last_error: null,
    });
    // A second finish (a job delivered twice) changes nothing.
    expect(await finishCartAction(t.db, n, { state: 'refused', answer: 'x' }, later(203))).toBe(false);
  });

  it('claims batch mates of the same store and kind', async () => {
    const ids = await recordCartActions(
      t.db,
      [1, 2, 3].map((i) => ({
        storeId: shop.id,
        kind: 'confirm' as const,
        key: `confirm:${i}`,
        payload: {},
        createdBy: 't',
      })),
      NOW,
    );
    const lead = await claimCartAction(t.db, ids[0] as number, NOW, 60_000);
    const mates = await claimBatchMates(t.db, lead as NonNullable<typeof lead>, 10, NOW, 60_000);
    expect(mates.map((m) => m.id).sort()).toEqual(ids.slice(1).sort());
    expect(await claimCartAction(t.db, ids[1] as number, NOW, 60_000)).toBeUndefined();
  });
});
