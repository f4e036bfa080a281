// Cancel at the cart (issue 16 item 4) through the use case, on a real PostgreSQL: the operator's
// choice records one `cancel` action in the order's transaction with the cart's reason code (the
// cart's default when none is picked), a reason the cart does not take is refused before anything
// moves, a cart without a cancel API records nothing and says to cancel there by hand, an order the
// cart itself cancelled records nothing, and asking twice records once. The deliveries against the
// simulators are cancel-at-cart-delivery.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAKESHOP_DEMO_CREDENTIALS } from '../carts/makeshop/demo-credentials.js';
import { type Store, upsertStore } from '../db/stores.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { cartOrder, createShop, importOrders, seedStock } from '../test/stock-fixtures.js';
import { cancelOrders } from './cancel-order.js';
import { depsOf } from './deps.js';

const NOW = new Date('2026-11-26T03:00:00Z');

describe('cancel at the cart', () => {
  let t: TestDb;
  const shops: Record<string, Store> = {};
  const queued: string[] = [];
  const queues = {
    add: async (_n: string, _d: unknown, o?: { jobId?: string }) => {
      queued.push(o?.jobId ?? '');
      return o?.jobId;
    },
  };
  const deps = () => ({ ...depsOf(t.db, NOW), queues });

  beforeAll(async () => {
    t = await createTestDb('cancel-cart');
    await seedStock(t.db, { 'CC-A': { tokyo: 50 } });
    for (const [code, cart] of [
      ['cc-rakuten', 'rakuten'],
      ['cc-yahoo', 'yahoo'],
      ['cc-shopify', 'shopify'],
      ['cc-makeshop', 'makeshop'],
      ['cc-amazon', 'amazon'],
      ['cc-csv', 'csv'],
    ] as const) {
      shops[code] = await createShop(t.db, code, { importStatuses: ['2', '300'] }, cart);
      await importOrders(
        t.db,
        shops[code]!,
        [1, 2, 3].map((i) =>
          cartOrder(shops[code]!, `${code}-${i}`, {
            lines: [['CC-A', 1]],
            orderedAt: new Date(Date.UTC(2026, 10, 20, 0, i)),
            cartStatus: cart === 'rakuten' ? '300' : '2',
          }),
        ),
        NOW,
      );
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function order(no: string) {
    return t.db
      .selectFrom('orders')
      .select(['id', 'status_code'])
      .where('cart_order_no', '=', no)
      .executeTakeFirstOrThrow();
  }
  async function actionsOf(id: number) {
    return t.db.selectFrom('cart_actions').selectAll().where('order_id', '=', id).orderBy('id').execute();
  }

  it('records one cancel with the reason the operator picked, in the same transaction; twice records once', async () => {
    const { id } = await order('cc-rakuten-1');
    const [r] = await cancelOrders(deps(), {
      orderIds: [id],
      step: 'request',
      actor: 'user:ops',
      reason: '欠品のため',
      atCart: true,
      cartReason: '8',
    });
    expect(r).toMatchObject({ ok: true, cart: { recorded: true } });
    expect(r!.message).toContain('8 欠品（店舗都合）');
    const actions = await actionsOf(id);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      kind: 'cancel',
      state: 'pending',
      action_key: `cancel:${id}`,
      cart_order_no: 'cc-rakuten-1',
      created_by: 'user:ops',
      payload: { reasonCode: '8', reason: '欠品のため' },
    });
    expect(queued).toContain(`cart-action-${actions[0]!.id}-r0`);
    // The order moved with it (the store completes cancels by itself).
    expect((await order('cc-rakuten-1')).status_code).toBe('cancelled');

    const [again] = await cancelOrders(deps(), {
      orderIds: [id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
    });
    expect(again!.ok).toBe(false);
    expect(await actionsOf(id)).toHaveLength(1);
  });

  it("sends the cart's default reason when none is picked; a reason the cart does not take moves nothing", async () => {
    const { id } = await order('cc-rakuten-2');
    const [bad] = await cancelOrders(deps(), {
      orderIds: [id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
      cartReason: '99',
    });
    expect(bad!.ok).toBe(false);
    expect(bad!.message).toContain('キャンセル理由コード 99 は楽天市場にありません');
    expect((await order('cc-rakuten-2')).status_code).not.toMatch(/cancel/);
    expect(await actionsOf(id)).toEqual([]);

    const [ok] = await cancelOrders(deps(), {
      orderIds: [id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
    });
    expect(ok!.ok).toBe(true);
    expect((await actionsOf(id))[0]?.payload).toMatchObject({ reasonCode: '10' });

    const y = await order('cc-yahoo-1');
    await cancelOrders(deps(), { orderIds: [y.id], step: 'request', actor: 'user:ops', atCart: true });
    expect((await actionsOf(y.id))[0]?.payload).toMatchObject({ reasonCode: '230' });

    const s = await order('cc-shopify-1');
    await cancelOrders(deps(), {
      orderIds: [s.id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
      cartReason: 'INVENTORY',
    });
    expect((await actionsOf(s.id))[0]?.payload).toMatchObject({ reasonCode: 'INVENTORY' });
  });

  it('makeshop takes no reason code: none is sent, one given is refused', async () => {
    const m1 = await order('cc-makeshop-1');
    const [bad] = await cancelOrders(deps(), {
      orderIds: [m1.id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
      cartReason: '10',
    });
    expect(bad!.ok).toBe(false);
    expect(bad!.message).toContain('makeshopにはキャンセル理由コードがありません');
    const [ok] = await cancelOrders(deps(), {
      orderIds: [m1.id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
    });
    expect(ok!.ok).toBe(true);
    expect((await actionsOf(m1.id))[0]?.payload).toMatchObject({ reasonCode: null });
  });

  it('a cart without a cancel API records nothing and says to cancel there by hand', async () => {
    for (const no of ['cc-amazon-1', 'cc-csv-1']) {
      const { id } = await order(no);
      const [r] = await cancelOrders(deps(), {
        orderIds: [id],
        step: 'request',
        actor: 'user:ops',
        atCart: true,
      });
      expect(r!.ok).toBe(true);
      expect(r!.cart).toMatchObject({ recorded: false });
      expect(r!.cart!.message).toMatch(/管理画面でキャンセルしてください/);
      expect(await actionsOf(id)).toEqual([]);
    }
  });

  it('without the choice, nothing is told to the cart', async () => {
    const { id } = await order('cc-rakuten-3');
    const [r] = await cancelOrders(deps(), { orderIds: [id], step: 'request', actor: 'user:ops' });
    expect(r!.ok).toBe(true);
    expect(r!.cart).toBeUndefined();
    expect(await actionsOf(id)).toEqual([]);
  });

  it('an order the cart cancelled itself (imported as cancelled) records nothing', async () => {
    const shop = shops['cc-yahoo']!;
    // The cart cancels an order juchu has: the next import says so.
    await importOrders(
      t.db,
      shop,
      [
        cartOrder(shop, 'cc-yahoo-2', {
          lines: [['CC-A', 1]],
          orderedAt: new Date(Date.UTC(2026, 10, 20, 0, 2)),
          cartStatus: '4',
          cancelled: true,
        }),
      ],
      new Date(NOW.getTime() + 60_000),
    );
    const o = await order('cc-yahoo-2');
    const cancelledInCart = await t.db
      .selectFrom('orders')
      .select('cart_cancelled')
      .where('id', '=', o.id)
      .executeTakeFirstOrThrow();
    expect(cancelledInCart.cart_cancelled).toBe(true);
    const [r] = await cancelOrders(deps(), {
      orderIds: [o.id],
      step: 'request',
      actor: 'user:ops',
      atCart: true,
    });
    // Already in the cancellation flow (so refused), or moved without telling the cart: never recorded.
    if (r!.ok) expect(r!.cart).toMatchObject({ recorded: false });
    expect(await actionsOf(o.id)).toEqual([]);
    // Completing it records nothing either.
    await cancelOrders(deps(), { orderIds: [o.id], step: 'complete', actor: 'user:ops' });
    expect(await actionsOf(o.id)).toEqual([]);
  });

  it("a makeshop store whose credentials make it a next-generation store: by hand (the store's key read)", async () => {
    const next = await upsertStore(
      t.db,
      {
        code: 'cc-makeshop-next',
        cart: 'makeshop',
        name: 'makeshop 次世代',
        settings: { importStatuses: ['2', '300'] },
        credentials: {
          accessToken: MAKESHOP_DEMO_CREDENTIALS.accessToken,
          apiKey: MAKESHOP_DEMO_CREDENTIALS.apiKey,
        },
      },
      TEST_SECRET_KEY,
    );
    await importOrders(
      t.db,
      next,
      [
        cartOrder(next, 'cc-makeshop-next-1', {
          lines: [['CC-A', 1]],
          orderedAt: new Date(Date.UTC(2026, 10, 20, 1)),
          cartStatus: '2',
        }),
      ],
      NOW,
    );
    const { id } = await order('cc-makeshop-next-1');
    const [r] = await cancelOrders(
      { ...deps(), key: TEST_SECRET_KEY },
      { orderIds: [id], step: 'request', actor: 'user:ops', atCart: true },
    );
    expect(r).toMatchObject({ ok: true, cart: { recorded: false } });
    expect(r!.cart!.message).toContain('次世代API');
    expect(await actionsOf(id)).toEqual([]);
  });
});
