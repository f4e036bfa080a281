// Rakuten SKU items through the real import (issue 13 item 1): the line's cart product code is the
// SKU's システム連携用SKU番号 when the item has one, else the 商品番号, and store mappings and the product
// master resolve by that code. The orders are the hand-written SKU fixture (getOrder version 10).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertMapping } from '../../db/products.js';
import type { Store } from '../../db/stores.js';
import { S } from '../../domain/statuses.js';
import { createTestDb, type TestDb } from '../../test/harness.js';
import { createShop, seedStock } from '../../test/stock-fixtures.js';
import { depsOf } from '../../usecases/deps.js';
import { importPage } from '../../usecases/import-page.js';
import type { RawOrder } from '../contract.js';
import { rakutenCart } from './index.js';
import { rawOrderOf } from './normalize.js';

const NOW = new Date('2026-12-02T03:00:00Z');
const SKU_ORDER = (
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, 'fixtures', 'rakuten-getOrder-200-sku-items-handwritten.json'),
      'utf8',
    ),
  ) as { OrderModelList: Array<Record<string, unknown>> }
).OrderModelList[0]!;

type Item = Record<string, unknown>;
const itemsOf = (o: Record<string, unknown>) =>
  (o.PackageModelList as Array<{ ItemModelList: Item[] }>)[0]!.ItemModelList;

/** The fixture's order with only some of its items, under another number. */
function orderWith(no: string, pick: (item: Item, i: number) => boolean): RawOrder {
  const o = structuredClone(SKU_ORDER);
  o.orderNumber = no;
  const pkg = (o.PackageModelList as Array<{ ItemModelList: Item[] }>)[0]!;
  pkg.ItemModelList = itemsOf(o).filter(pick);
  return rawOrderOf(o);
}

describe('rakuten SKU items resolve by the SKU code through the import', () => {
  let t: TestDb;
  let shop: Store;
  const lines = async (no: string) =>
    (
      await sql<{ cart_product_code: string; cart_option_code: string | null; product_code: string | null }>`
        SELECT l.cart_product_code, l.cart_option_code, l.product_code FROM order_lines l
        JOIN orders o ON o.id = l.order_id WHERE o.cart_order_no = ${no} ORDER BY l.line_no`.execute(t.db)
    ).rows;
  const statusOf = async (no: string) =>
    (
      await t.db
        .selectFrom('orders')
        .select('status_code')
        .where('cart_order_no', '=', no)
        .executeTakeFirstOrThrow()
    ).status_code;

  beforeAll(async () => {
    t = await createTestDb('rakuten-sku');
    await seedStock(t.db, {
      'P-TSHIRT-M-WHITE': { tokyo: 10 },
      'P-TSHIRT-L-WHITE': { tokyo: 10 },
      // The shop's master code is what it put in the SKU's system number: no mapping needed.
      '4901234567894': { tokyo: 10 },
      'P-TOWEL': { osaka: 10 },
    });
    shop = await createShop(t.db, 'rakuten-sku', {}, 'rakuten');
    // Keyed by the SKU code alone (the line also carries its SKU管理番号 as option: the mapping
    // without option still matches).
    await upsertMapping(t.db, {
      storeId: shop.id,
      cartProductCode: 'tshirt-001-m-white',
      productCode: 'P-TSHIRT-M-WHITE',
    });
    // A multi-SKU item without a system number: 商品番号 + SKU管理番号.
    await upsertMapping(t.db, {
      storeId: shop.id,
      cartProductCode: 'tshirt-001',
      cartOptionCode: '17095520',
      productCode: 'P-TSHIRT-L-WHITE',
    });
    // A single-SKU item without a system number: keyed by the 商品番号.
    await upsertMapping(t.db, { storeId: shop.id, cartProductCode: 'towel-02', productCode: 'P-TOWEL' });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('maps by the SKU code, by the item number, and takes a master code used as the SKU code directly', async () => {
    const no = '376541-20261201-0000000002';
    const c = await importPage(depsOf(t.db, NOW), shop, rakutenCart, [orderWith(no, (_item, i) => i <= 3)], {
      runId: null,
      actor: 'import',
    });
    expect(c.new).toBe(1);
    expect(await lines(no)).toEqual([
      {
        cart_product_code: 'tshirt-001-m-white',
        cart_option_code: '17095519',
        product_code: 'P-TSHIRT-M-WHITE',
      },
      { cart_product_code: 'tshirt-001', cart_option_code: '17095520', product_code: 'P-TSHIRT-L-WHITE' },
      { cart_product_code: '4901234567894', cart_option_code: null, product_code: '4901234567894' },
      { cart_product_code: 'towel-02', cart_option_code: null, product_code: 'P-TOWEL' },
    ]);
    // A paid card order with every line known and in stock: nothing in マスタなし商品.
    expect(await statusOf(no)).toBe(S.readyToShip);
  });

  it('an SKU item nothing knows stays マスタなし商品, under the code the mapping screen must use', async () => {
    const no = '376541-20261201-0000000003';
    await importPage(depsOf(t.db, NOW), shop, rakutenCart, [orderWith(no, (_item, i) => i >= 4)], {
      runId: null,
      actor: 'import',
    });
    expect(await lines(no)).toEqual([
      { cart_product_code: 'bag-03-1-2', cart_option_code: null, product_code: null },
      { cart_product_code: 'tenugui', cart_option_code: null, product_code: null },
    ]);
    expect(await statusOf(no)).toBe(S.unknownProduct);
  });

  it('the old key (商品番号 with the SKU number as option) no longer matches an SKU line', async () => {
    // Before issue 13 the SKU number was the option of the 商品番号; such a mapping does not catch
    // the SKU line now, so the shop re-keys it by the SKU code.
    await upsertMapping(t.db, {
      storeId: shop.id,
      cartProductCode: 'mug-01',
      cartOptionCode: '4901234567894',
      productCode: 'P-TOWEL',
    });
    const no = '376541-20261201-0000000004';
    await importPage(depsOf(t.db, NOW), shop, rakutenCart, [orderWith(no, (_item, i) => i === 2)], {
      runId: null,
      actor: 'import',
    });
    expect(await lines(no)).toEqual([
      { cart_product_code: '4901234567894', cart_option_code: null, product_code: '4901234567894' },
    ]);
  });
});
