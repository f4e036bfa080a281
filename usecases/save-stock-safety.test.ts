// 安全在庫 per store × product through its use case, on a real PostgreSQL: checked before anything is
// written (store, product, a whole number 0–1,000,000, refused in Japanese), the dry run's quantity
// follows it, clearing falls back to the store default, and the store's stock action is recorded
// (that store only) for the outbox to deliver.
import { describe, expect, it } from 'vitest';
import { createShop, NOW, stockWorld } from '../test/stock-fixtures.js';
import { planStockPush } from './push-stock.js';
import { listStockSafety, setStockSafety } from './save-stock-safety.js';

describe('安全在庫 (setStockSafety)', () => {
  const w = stockWorld('stock-safety', {}, { TEA: { tokyo: 10 } });

  it('sets, shows in the dry run, lists, clears; records a stock action for that store only', async () => {
    await createShop(w.db, 'safe-on', { stockPush: true, stockSafety: 2 });
    await createShop(w.db, 'safe-other', { stockPush: true });
    const r = await setStockSafety(w.ops(), {
      storeCode: 'safe-on',
      productCode: 'TEA',
      quantity: '４',
      actor: 'test',
    });
    expect(r).toMatchObject({ quantity: 4, message: expect.stringMatching(/安全在庫を 4 個にしました/) });
    const plan = await planStockPush(w.ops(), { storeCode: 'safe-on', productCodes: ['TEA'] });
    expect(plan.items.map((i) => [i.cartProductCode, i.safety, i.quantity])).toEqual([['TEA', 4, 6]]);
    expect(await listStockSafety(w.ops(), { storeCode: 'safe-on' })).toMatchObject({
      defaultQuantity: 2,
      items: [{ productCode: 'TEA', quantity: 4 }],
    });
    const actions = await w.db
      .selectFrom('cart_actions as a')
      .innerJoin('stores as s', 's.id', 'a.store_id')
      .select(['s.code', 'a.coalesce_key', 'a.state'])
      .where('a.kind', '=', 'stock')
      .execute();
    expect(actions).toEqual([{ code: 'safe-on', coalesce_key: 'stock:TEA', state: 'pending' }]);
    const cleared = await setStockSafety(w.ops(), {
      storeCode: 'safe-on',
      productCode: 'TEA',
      quantity: '',
      actor: 'test',
    });
    expect(cleared.message).toMatch(/既定値 2 個/);
    expect((await listStockSafety(w.ops(), { storeCode: 'safe-on' })).items).toEqual([]);
    expect(
      (await planStockPush({ db: w.db, now: () => NOW }, { storeCode: 'safe-on', productCodes: ['TEA'] }))
        .items[0]?.quantity,
    ).toBe(8);
  });

  it.each([
    [{ storeCode: 'nope', productCode: 'TEA', quantity: 1 }, /店舗 nope はありません/],
    [{ storeCode: 'safe-on', productCode: 'NOPE', quantity: 1 }, /商品コード NOPE は商品マスタにありません/],
    [{ storeCode: 'safe-on', productCode: 'TEA', quantity: '-3' }, /0 以上の整数/],
    [{ storeCode: 'safe-on', productCode: 'TEA', quantity: '2000000' }, /1,000,000 個まで/],
  ])('refuses %j in Japanese and writes nothing', async (input, message) => {
    await expect(setStockSafety(w.ops(), { ...input, actor: 'test' })).rejects.toThrow(message);
    expect(await w.db.selectFrom('store_stock_safety').selectAll().execute()).toEqual([]);
  });
});
