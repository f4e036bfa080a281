// セット商品 (issue 14 item 2): a set's line holds its components, whole sets only; two orders racing
// for a set whose last component unit is contested — exactly one gets it, nothing is oversold, and
// the invariants hold — through the import page and through allocateProducts; shipping consumes
// the components.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeSets } from '../domain/sets.js';
import { withTransaction } from '../infra/postgres.js';
import { createTestDb, type TestDb } from '../test/harness.js';
import { expectStockInvariants } from '../test/pipeline.js';
import {
  cartOrder,
  createShop,
  importOrders,
  orderView,
  seedStock,
  stockOf,
} from '../test/stock-fixtures.js';
import { depsOf } from '../usecases/deps.js';
import { setProductComponents } from '../usecases/save-product-set.js';
import { orderLineHolds } from './order-status.js';
import { componentsOf } from './product-sets.js';
import { allocateProducts, consumeOrderStock, releaseOrderStock } from './stock.js';
import type { Store } from './stores.js';

const NOW = new Date('2026-12-02T03:00:00Z');
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();

describe('セット商品: a set holds its components', () => {
  let t: TestDb;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    t = await createTestDb('sets');
    a = await createShop(t.db, 'shop-set-a');
    b = await createShop(t.db, 'shop-set-b');
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function defineSet(code: string, cup: string, tea: string) {
    await seedStock(t.db, { [code]: {} });
    await setProductComponents(depsOf(t.db, NOW), {
      setCode: code,
      components: [
        { productCode: cup, quantity: 2 },
        { productCode: tea, quantity: 1 },
      ],
    });
    // A set has no stock of its own.
    await sql`DELETE FROM stock_levels WHERE product_code = ${code}`.execute(t.db);
  }

  it('refuses a set in a set and a set containing itself', async () => {
    await seedStock(t.db, { 'R-CUP': {}, 'R-TEA': {} });
    await defineSet('R-SET', 'R-CUP', 'R-TEA');
    const ops = depsOf(t.db, NOW);
    await seedStock(t.db, { 'R-BIG': {} });
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
      await seedStock(t.db, { [cup]: { tokyo: 3, osaka: 1 }, [tea]: { osaka: 1 } });
      await defineSet(set, cup, tea);
      const free = await componentsOf(t.db, [set]);
      expect(freeSets(free.get(set)!, (p) => (p === cup ? 4 : 1))).toBe(1);
      await Promise.all([
        importOrders(
          t.db,
          a,
          [cartOrder(a, `ia-${round}`, { lines: [[set, 1]], orderedAt: at(round * 2) })],
          NOW,
        ),
        importOrders(
          t.db,
          b,
          [cartOrder(b, `ib-${round}`, { lines: [[set, 1]], orderedAt: at(round * 2 + 1) })],
          NOW,
        ),
      ]);
      const va = await orderView(t.db, a.id, `ia-${round}`);
      const vb = await orderView(t.db, b.id, `ib-${round}`);
      // Held units per line are component units: one set = 2 CUP + 1 TEA.
      expect([va.held[0], vb.held[0]].sort()).toEqual([0, 3]);
      const s = { cup: await stockOf(t.db, cup), tea: await stockOf(t.db, tea) };
      expect(s.tea.osaka).toEqual({ onHand: 1, reserved: 1 });
      expect(s.cup.tokyo!.reserved + s.cup.osaka!.reserved).toBe(2);
      const winner = va.held[0] ? va : vb;
      const holds = await withTransaction(t.db, (trx) => orderLineHolds(trx, winner.id));
      expect(holds[0]).toMatchObject({ needed: 1, held: 1 }); // whole sets, for the status rules
    }
    await expectStockInvariants(t.db);
  });

  it('through allocateProducts: the last TEA unit arrives for two waiting set orders; the oldest gets it, once', async () => {
    for (let round = 0; round < 8; round++) {
      const [cup, tea, set] = [`A-CUP-${round}`, `A-TEA-${round}`, `A-SET-${round}`];
      await seedStock(t.db, { [cup]: { tokyo: 4 }, [tea]: {} });
      await defineSet(set, cup, tea);
      await importOrders(
        t.db,
        a,
        [
          cartOrder(a, `aa-${round}`, { lines: [[set, 1]], orderedAt: at(100 + round * 2) }),
          cartOrder(a, `ab-${round}`, { lines: [[set, 1]], orderedAt: at(101 + round * 2) }),
        ],
        NOW,
      );
      expect((await orderView(t.db, a.id, `aa-${round}`)).held).toEqual([0]);
      await sql`UPDATE stock_levels SET on_hand = 1 WHERE product_code = ${tea} AND warehouse_code = 'tokyo'`.execute(
        t.db,
      );
      // Two allocation runs at once, started from the component that arrived.
      const runs = await Promise.all([allocateProducts(t.db, [tea]), allocateProducts(t.db, [tea])]);
      expect(runs.flat().reduce((n, r) => n + r.reserved, 0)).toBe(3);
      expect((await orderView(t.db, a.id, `aa-${round}`)).held).toEqual([3]);
      expect((await orderView(t.db, a.id, `ab-${round}`)).held).toEqual([0]);
      expect((await stockOf(t.db, cup)).tokyo).toEqual({ onHand: 4, reserved: 2 });
    }
    await expectStockInvariants(t.db);
  });

  it('shipping consumes the components; a release takes a set back whole', async () => {
    await seedStock(t.db, { 'S-CUP': { tokyo: 4 }, 'S-TEA': { tokyo: 1, osaka: 1 } });
    await defineSet('S-SET', 'S-CUP', 'S-TEA');
    await importOrders(
      t.db,
      a,
      [
        cartOrder(a, 'ship-1', { lines: [['S-SET', 1]], orderedAt: at(300) }),
        cartOrder(a, 'ship-2', { lines: [['S-SET', 1]], orderedAt: at(301) }),
      ],
      NOW,
    );
    const one = await orderView(t.db, a.id, 'ship-1');
    const two = await orderView(t.db, a.id, 'ship-2');
    expect([one.held, two.held]).toEqual([[3], [3]]);
    expect(await withTransaction(t.db, (trx) => consumeOrderStock(trx, one.id))).toBe(3);
    expect(await stockOf(t.db, 'S-CUP')).toMatchObject({ tokyo: { onHand: 2, reserved: 2 } });
    // Releasing by one component's warehouse takes the whole set back, never half of it.
    const released = await withTransaction(t.db, (trx) =>
      releaseOrderStock(trx, two.id, { warehouse: 'osaka' }),
    );
    expect(released.reduce((n, r) => n + r.quantity, 0)).toBe(3);
    expect((await orderView(t.db, a.id, 'ship-2')).held).toEqual([0]);
    await expectStockInvariants(t.db);
  });
});
