// juchu cancel --at-cart [--cart-reason] and juchu cancel-reasons, as processes against real
// PostgreSQL: the cancel action recorded with the cart's reason, a reason the cart does not take
// refused with nothing moved, a cart without a cancel API told plainly, the option refused with a
// later step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStore } from '../db/stores.js';
import { childEnv, createTestDb, runJuchu, type TestDb, uniquePrefix } from '../test/harness.js';
import { seedTestShop } from '../test/pipeline.js';
import { cartOrder, importOrders, seedStock } from '../test/stock-fixtures.js';

describe('juchu cancel --at-cart', { timeout: 300_000 }, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createTestDb('cli-cancel');
    await seedTestShop(t, {});
    env = childEnv(t.url, uniquePrefix('cli-cancel'));
    await seedStock(t.db, { 'CX-A': { tokyo: 5 } });
    for (const [code, status] of [
      ['rakuten-main', '300'],
      ['amazon-jp', 'Unshipped'],
    ] as const) {
      const store = (await findStore(t.db, code))!;
      await importOrders(t.db, store, [
        cartOrder(store, `CX-${code}`, {
          lines: [['CX-A', 1]],
          orderedAt: '2026-12-01T01:00:00Z',
          cartStatus: status,
        }),
      ]);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  const actions = (no: string) =>
    t.db.selectFrom('cart_actions').selectAll().where('cart_order_no', '=', no).execute();

  it("lists a store's cancel reasons; a cart without the API exits 1 saying so", async () => {
    const r = await runJuchu(['cancel-reasons', 'rakuten-main'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('楽天の cancelOrder');
    expect(r.stdout).toMatch(/ {2}10 +その他（店舗都合） {2}\(default\)/);
    const a = await runJuchu(['cancel-reasons', 'amazon-jp'], env);
    expect(a.code).toBe(1);
    expect(a.stdout).toContain('Amazonの管理画面でキャンセルしてください');
  });

  it('records the cancel at the cart with the reason; a wrong reason moves nothing', async () => {
    const bad = await runJuchu(
      ['cancel', '--order', 'rakuten-main:CX-rakuten-main', '--at-cart', '--cart-reason', '99'],
      env,
    );
    expect(bad.stdout).toContain('✗');
    expect(bad.stdout).toContain('キャンセル理由コード 99 は楽天市場にありません');
    expect(await actions('CX-rakuten-main')).toEqual([]);

    const ok = await runJuchu(
      [
        'cancel',
        '--order',
        'rakuten-main:CX-rakuten-main',
        '--at-cart',
        '--cart-reason',
        '8',
        '--reason',
        '欠品',
      ],
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('✓');
    expect(ok.stdout).toContain('カートへのキャンセル送信を登録しました');
    const [a] = await actions('CX-rakuten-main');
    expect(a).toMatchObject({ kind: 'cancel', state: 'pending' });
    expect(a!.payload).toMatchObject({ reasonCode: '8', reason: '欠品' });
    expect(a!.created_by).toMatch(/^cli:/);
  });

  it('a cart without the API: cancelled in juchu, nothing recorded, the cart to be told by hand', async () => {
    const r = await runJuchu(['cancel', '--order', 'amazon-jp:CX-amazon-jp', '--at-cart'], env);
    expect(r.stdout).toContain('✓');
    expect(r.stdout).toContain('Amazonの管理画面でキャンセルしてください');
    expect(await actions('CX-amazon-jp')).toEqual([]);
  });

  it('refuses --at-cart with a later step and --cart-reason without --at-cart', async () => {
    const a = await runJuchu(['cancel', '--order', 'amazon-jp:CX-amazon-jp', '--complete', '--at-cart'], env);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('--at-cart and --cart-reason go with the cancel request');
    const b = await runJuchu(['cancel', '--order', 'amazon-jp:CX-amazon-jp', '--cart-reason', '8'], env);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('--cart-reason needs --at-cart');
  });
});
