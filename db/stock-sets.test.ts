// セット商品 (issue 14 item 2): a set's line holds its components, whole sets only; two orders racing
// for a set whose last component unit is contested — exactly one gets it, nothing is oversold, and
// the invariants hold — through the import page and through allocateProducts; shipping consumes
// the components.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freeSets } from '../domain/sets.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import { expectStockInvariants } from '../test/pipeline.js';
import {
  at,
  cartOrder,
  expectStockHealthy,
  halfHeldSetLines,
  importOrders,
  NOW,
  orderView,
  seedStock,
  stockOf,
  stockWorld,
} from '../test/stock-fixtures.js';
import { correctStock } from '../usecases/correct-stock.js';
import { depsOf } from '../usecases/deps.js';
import { setProductComponents } from '../usecases/save-product-set.js';
import { orderLineHolds } from './order-status.js';
import { componentsOf } from './product-sets.js';
import { allocateProducts, consumeOrderStock, releaseOrderStock } from './stock.js';

describe('セット商品: a set holds its components', () => {
  const world = stockWorld('sets', { shopA: 'shop-set-a', shopB: 'shop-set-b' });

  async function defineSet(code: string, cup: string, tea: string) {
    await seedStock(world.db, { [code]: {} });
    await setProductComponents(depsOf(world.db, NOW), {
      setCode: code,
      components: [
        { productCode: cup, quantity: 2 },
        { productCode: tea, quantity: 1 },
      ],
    });
    // A set has no stock of its own.
    await sql`DELETE FROM stock_levels WHERE product_code = ${code}`.execute(world.db);
  }

  it('refuses a set in a set and a set containing itself', async () => {
    await seedStock(world.db, { 'R-CUP': {}, 'R-TEA': {} });
    await defineSet('R-SET', 'R-CUP', 'R-TEA');
    const ops = depsOf(world.db, NOW);
    await seedStock(world.db, { 'R-BIG': {} });
    await expect(
      setProductComponents(ops, { setCode: 'R-BIG', components: [{ productCode: 'R-SET', quantity: 1 }] }),
    ).rejects.toMatchObject({ rule: 'set_in_set' });
    await expect(
      setProductComponents(ops, { setCode: 'R-CUP', components: [{ productCode: 'R-TEA', quantity: 1 }] }),
    ).rejects.toMatchObject({ rule: 'set_in_set' }); // a component cannot become a set
    await expect(
      setProductComponents(ops, { setCode: 'R-BIG', components: [{ productCode: 'R-BIG', quantity: 1 }] }),
    ).rejects.toMatchObject({ rule: 'set_in_set' });
  });

  it('through the import page: two stores race for the last TEA unit; exactly one set is held', async () => {
    for (let round = 0; round < 8; round++) {
      const [cup, tea, set] = [`I-CUP-${round}`, `I-TEA-${round}`, `I-SET-${round}`];
      await seedStock(world.db, { [cup]: { tokyo: 3, osaka: 1 }, [tea]: { osaka: 1 } });
      await defineSet(set, cup, tea);
      const free = await componentsOf(world.db, [set]);
      expect(freeSets(free.get(set)!, (p) => (p === cup ? 4 : 1))).toBe(1);
      await Promise.all([
        importOrders(
          world.db,
          world.shops.shopA,
          [cartOrder(world.shops.shopA, `ia-${round}`, { lines: [[set, 1]], orderedAt: at(round * 2) })],
          NOW,
        ),
        importOrders(
          world.db,
          world.shops.shopB,
          [cartOrder(world.shops.shopB, `ib-${round}`, { lines: [[set, 1]], orderedAt: at(round * 2 + 1) })],
          NOW,
        ),
      ]);
      const va = await orderView(world.db, world.shops.shopA.id, `ia-${round}`);
      const vb = await orderView(world.db, world.shops.shopB.id, `ib-${round}`);
      // Held units per line are component units: one set = 2 CUP + 1 TEA.
      expect([va.held[0], vb.held[0]].sort()).toEqual([0, 3]);
      const s = { cup: await stockOf(world.db, cup), tea: await stockOf(world.db, tea) };
      expect(s.tea.osaka).toEqual({ onHand: 1, reserved: 1 });
      expect(s.cup.tokyo!.reserved + s.cup.osaka!.reserved).toBe(2);
      const winner = va.held[0] ? va : vb;
      const holds = await withTransaction(world.db, (trx) => orderLineHolds(trx, winner.id));
      expect(holds[0]).toMatchObject({ needed: 1, held: 1 }); // whole sets, for the status rules
    }
    await expectStockInvariants(world.db);
  });

  it('through allocateProducts: the last TEA unit arrives for two waiting set orders; the oldest gets it, once', async () => {
    for (let round = 0; round < 8; round++) {
      const [cup, tea, set] = [`A-CUP-${round}`, `A-TEA-${round}`, `A-SET-${round}`];
      await seedStock(world.db, { [cup]: { tokyo: 4 }, [tea]: {} });
      await defineSet(set, cup, tea);
      await importOrders(
        world.db,
        world.shops.shopA,
        [
          cartOrder(world.shops.shopA, `aa-${round}`, { lines: [[set, 1]], orderedAt: at(100 + round * 2) }),
          cartOrder(world.shops.shopA, `ab-${round}`, { lines: [[set, 1]], orderedAt: at(101 + round * 2) }),
        ],
        NOW,
      );
      expect((await orderView(world.db, world.shops.shopA.id, `aa-${round}`)).held).toEqual([0]);
      await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = ${tea} AND warehouse_code = 'tokyo'`.execute(
        world.db,
      );
      // Two allocation runs at once, started from the component that arrived.
      const runs = await Promise.all([allocateProducts(world.db, [tea]), allocateProducts(world.db, [tea])]);
      expect(runs.flat().reduce((n, r) => n + r.reserved, 0)).toBe(3);
      expect((await orderView(world.db, world.shops.shopA.id, `aa-${round}`)).held).toEqual([3]);
      expect((await orderView(world.db, world.shops.shopA.id, `ab-${round}`)).held).toEqual([0]);
      expect((await stockOf(world.db, cup)).tokyo).toEqual({ onHand: 4, reserved: 2 });
    }
    await expectStockInvariants(world.db);
  });

  it('shipping consumes the components; a release takes a set back whole', async () => {
    await seedStock(world.db, { 'S-CUP': { tokyo: 4 }, 'S-TEA': { tokyo: 1, osaka: 1 } });
    await defineSet('S-SET', 'S-CUP', 'S-TEA');
    await importOrders(
      world.db,
      world.shops.shopA,
      [
        cartOrder(world.shops.shopA, 'ship-1', { lines: [['S-SET', 1]], orderedAt: at(300) }),
        cartOrder(world.shops.shopA, 'ship-2', { lines: [['S-SET', 1]], orderedAt: at(301) }),
      ],
      NOW,
    );
    const one = await orderView(world.db, world.shops.shopA.id, 'ship-1');
    const two = await orderView(world.db, world.shops.shopA.id, 'ship-2');
    expect([one.held, two.held]).toEqual([[3], [3]]);
    expect(await withTransaction(world.db, (trx) => consumeOrderStock(trx, one.id))).toBe(3);
    expect(await stockOf(world.db, 'S-CUP')).toMatchObject({ tokyo: { onHand: 2, reserved: 2 } });
    // Releasing by one component's warehouse takes the whole set back, never half of it.
    const released = await withTransaction(world.db, (trx) =>
      releaseOrderStock(trx, two.id, { warehouse: 'osaka' }),
    );
    expect(released.reduce((n, r) => n + r.quantity, 0)).toBe(3);
    expect((await orderView(world.db, world.shops.shopA.id, 'ship-2')).held).toEqual([0]);
    await expectStockInvariants(world.db);
  });

  it('棚卸: a set line counted short gives back its whole set (every component), never a component alone', async () => {
    await seedStock(world.db, { 'C-CUP': { tokyo: 4 }, 'C-TEA': { tokyo: 1, osaka: 1 } });
    await defineSet('C-SET', 'C-CUP', 'C-TEA');
    const shop = world.shops.shopA;
    await importOrders(
      world.db,
      shop,
      [
        cartOrder(shop, 'count-1', { lines: [['C-SET', 1]], orderedAt: at(400) }),
        cartOrder(shop, 'count-2', { lines: [['C-SET', 1]], orderedAt: at(401) }),
      ],
      NOW,
    );
    expect((await orderView(world.db, shop.id, 'count-2')).held).toEqual([3]); // 2 CUP tokyo + TEA osaka
    // The last TEA unit of osaka is not there: the younger set gives back its TEA and its two CUPs.
    const r = await correctStock(world.ops(), { productCode: 'C-TEA', warehouse: 'osaka', counted: 0 });
    expect(r.releasedProducts).toEqual(['C-CUP', 'C-TEA']);
    const two = await orderView(world.db, shop.id, 'count-2');
    expect(two).toMatchObject({ held: [0], status: S.waiting });
    expect((await orderView(world.db, shop.id, 'count-1')).held).toEqual([3]);
    expect(await stockOf(world.db, 'C-CUP')).toMatchObject({ tokyo: { onHand: 4, reserved: 2 } });
    expect(await stockOf(world.db, 'C-TEA')).toMatchObject({
      tokyo: { onHand: 1, reserved: 1 },
      osaka: { onHand: 0, reserved: 0 },
    });
    // The TEA turns up again: the waiting set takes it whole, with its CUPs.
    await correctStock(world.ops(), { productCode: 'C-TEA', warehouse: 'osaka', counted: 1 });
    expect((await orderView(world.db, shop.id, 'count-2')).held).toEqual([3]);
    // (The import race above leaves younger orders holding sets by design: whoever commits first.)
    await expectStockHealthy(world.db, { oldestFirst: false });
  });

  it('棚卸 racing the allocation for the last TEA unit: each set line holds its set whole or nothing', async () => {
    const shop = world.shops.shopB;
    for (let round = 0; round < 8; round++) {
      const [cup, tea, set] = [`K-CUP-${round}`, `K-TEA-${round}`, `K-SET-${round}`];
      await seedStock(world.db, { [cup]: { tokyo: 2, osaka: 2 }, [tea]: {} });
      await defineSet(set, cup, tea);
      await importOrders(
        world.db,
        shop,
        [
          cartOrder(shop, `ka-${round}`, { lines: [[set, 1]], orderedAt: at(500 + round * 2) }),
          cartOrder(shop, `kb-${round}`, { lines: [[set, 1]], orderedAt: at(501 + round * 2) }),
        ],
        NOW,
      );
      // One TEA unit is counted in: the allocation hands it to a set while a second count, made
      // at the same moment, says it is gone again (and a third finds it back).
      await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = ${tea} AND warehouse_code = 'tokyo'`.execute(
        world.db,
      );
      await Promise.all([
        allocateProducts(world.db, [tea]),
        correctStock(world.ops(), { productCode: tea, warehouse: 'tokyo', counted: 0 }),
        allocateProducts(world.db, [tea]),
      ]);
      expect(await halfHeldSetLines(world.db)).toEqual([]);
      const held = [
        (await orderView(world.db, shop.id, `ka-${round}`)).held[0],
        (await orderView(world.db, shop.id, `kb-${round}`)).held[0],
      ];
      expect(held).toEqual([0, 0]); // the count came last or first: either way TEA is 0
      const cups = await stockOf(world.db, cup);
      expect(cups.tokyo!.reserved + cups.osaka!.reserved).toBe(0);
      await correctStock(world.ops(), { productCode: tea, warehouse: 'tokyo', counted: 1 });
      expect([
        (await orderView(world.db, shop.id, `ka-${round}`)).held[0],
        (await orderView(world.db, shop.id, `kb-${round}`)).held[0],
      ]).toEqual([3, 0]); // the oldest takes the last unit, whole
    }
    await expectStockHealthy(world.db, { oldestFirst: false });
  });
});
