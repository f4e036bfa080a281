// 納品書, picking lists and 売上 on a real database: a batch from the shipping instruction prints a
// picking list by warehouse and product and a 納品書 per order (read back from the PDF: the store, the
// 登録番号, per-rate totals and tax, the reduced-rate mark and its legend, Japanese product names; the
// same bytes twice); 出荷完了 books the sale, its discount and points once (tax per rate per record);
// a partial 返品 is a negative record; the daily CSV has the golden rows in UTF-8 (BOM) and Shift_JIS.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSalesRecords } from '../db/sales.js';
import type { Store } from '../db/stores.js';
import { emptyParty } from '../domain/order.js';
import { S } from '../domain/statuses.js';
import { createTestDb, TEST_SECRET_KEY, type TestDb } from '../test/harness.js';
import { embeddedFonts, pdfText } from '../test/pdf-text.js';
import {
  at,
  cartOrder,
  createShop,
  importOrders,
  NOW,
  orderView,
  seedStock,
} from '../test/stock-fixtures.js';
import { changeStatus } from './change-status.js';
import { confirmShipment } from './confirm-shipment.js';
import { depsOf } from './deps.js';
import { exportSales } from './export-sales.js';
import { printBatchDeliveryNotes, printDeliveryNote, printPickingList } from './print-documents.js';
import { recordReturn } from './record-return.js';
import { saveShippingSettings } from './save-shipping-settings.js';
import { saveStore } from './save-store.js';
import { instructShipping } from './shipping-instruction.js';

describe('納品書, picking list and 売上', () => {
  let t: TestDb;
  let shop: Store;
  const ops = () => depsOf(t.db, NOW);
  const ids: Record<string, number> = {};
  let batchId = 0;

  beforeAll(async () => {
    t = await createTestDb('docs');
    await seedStock(t.db, { TEA: { tokyo: 20 }, MUG: { tokyo: 5, osaka: 5 } });
    await t.db
      .updateTable('products')
      .set({ name: '静岡県産 緑茶ティーバッグ', tax_rate: 8 })
      .where('code', '=', 'TEA')
      .execute();
    await t.db.updateTable('products').set({ name: '有田焼 マグカップ' }).where('code', '=', 'MUG').execute();
    shop = await createShop(t.db, 'shop-d');
    await saveStore(
      { db: t.db, key: TEST_SECRET_KEY },
      {
        code: 'shop-d',
        name: 'お茶の山田屋',
        enabled: true,
        importCron: '*/10 * * * *',
        settings: { invoiceRegistrationNumber: 'T1234567890123' },
      },
    );
    await saveShippingSettings(ops(), {
      storeCode: 'shop-d',
      actor: 'user:admin',
      sender: {
        name: '',
        postalCode: '4200001',
        phone: '054-123-4567',
        address1: '静岡県静岡市葵区1-2-3',
        address2: '山田ビル2F',
      },
      defaults: { carrier: 'yamato', method: 'takkyubin' },
      codMethods: null,
      codes: {},
      rules: [],
    });
    const tokyo = {
      ...emptyParty(),
      name: '東京 一郎',
      postalCode: '1500001',
      prefecture: '東京都',
      address1: '渋谷区神宮前1-1',
      phone: '090-1111-2222',
    };
    const a = cartOrder(shop, 'D-1', {
      lines: [
        ['TEA', 3],
        ['MUG', 1],
      ],
      orderedAt: at(1),
    });
    a.lines = [
      { ...a.lines[0]!, name: '緑茶ティーバッグ 20袋', unitPrice: 1080, taxRate: 8, taxAmount: null },
      { ...a.lines[1]!, name: '有田焼 マグカップ（藍）', unitPrice: 2200, taxRate: 10, taxAmount: null },
    ];
    a.orderer = tokyo;
    a.shipTo = tokyo;
    // goods 3240 (8%) + 2200 (10%), shipping 660, coupon 500, points 100 → 5500
    a.totals = { goods: 5440, shipping: 660, fees: 0, discount: 500, points: 100, tax: null, total: 5500 };
    const b = cartOrder(shop, 'D-2', { lines: [['MUG', 2]], orderedAt: at(2) });
    b.orderer = { ...tokyo, name: '大阪 花子' };
    b.shipTo = b.orderer;
    b.totals = { goods: 2200, shipping: 0, fees: 0, discount: 0, points: 0, tax: 200, total: 2200 };
    await importOrders(t.db, shop, [a, b], NOW);
    ids['D-1'] = (await orderView(t.db, shop.id, 'D-1')).id;
    ids['D-2'] = (await orderView(t.db, shop.id, 'D-2')).id;
    const r = await instructShipping(ops(), { storeCodes: ['shop-d'], actor: 'user:ops' });
    expect(r.results.every((x) => x.ok && x.to === S.shipping)).toBe(true);
    batchId = r.batchId!;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('the picking list: per warehouse and product, the orders each goes to; the same bytes twice', async () => {
    const p = await printPickingList(ops(), { batchId });
    expect(p.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [page] = await pdfText(p.bytes);
    expect(page).toContain('ピッキングリスト');
    expect(page).toContain(`出荷バッチ ${batchId}`);
    expect(page).toContain('静岡県産 緑茶ティーバッグ');
    expect(page).toContain('有田焼 マグカップ');
    expect(page).toMatch(/倉庫 東京倉庫（tokyo）|倉庫 .*（tokyo）/);
    const d1 = (await orderView(t.db, shop.id, 'D-1')).orderNo;
    expect(page).toContain(`${d1}×3`);
    expect(embeddedFonts(p.bytes).embedded).toBe(embeddedFonts(p.bytes).fonts);
    expect((await printPickingList(ops(), { batchId })).bytes.equals(p.bytes)).toBe(true);
  });

  it('a 納品書 per order: store, address, 登録番号, lines with ※, per-rate totals and tax', async () => {
    const all = await printBatchDeliveryNotes(ops(), { batchId });
    expect(all.orders).toBe(2);
    const pages = await pdfText(all.bytes);
    expect(pages).toHaveLength(2);
    const [p1, p2] = pages as [string, string];
    expect(p1).toContain('納品書（適格請求書）');
    expect(p1).toContain('お茶の山田屋');
    expect(p1).toContain('静岡県静岡市葵区1-2-3');
    expect(p1).toContain('登録番号 T1234567890123');
    expect(p1).toContain('東京 一郎 様');
    expect(p1).toContain('緑茶ティーバッグ 20袋 ※');
    expect(p1).toContain('有田焼 マグカップ（藍）');
    expect(p1).toContain('※は軽減税率（8%）対象商品です');
    // Coupon 500 and points 100 split by goods (10%: 2200, 8%: 3240; the smaller rate floors, the
    // larger takes the rest): 10% floor(500×2200/5440) = 202 and floor(100×2200/5440) = 40.
    // 10%: 2200 + 660 − 242 = 2618, tax floor(2618×10/110) = 238; 8%: 3240 − 358 = 2882, tax 213.
    expect(p1).toMatch(/10%対象 ¥2,618 消費税 ¥238/);
    expect(p1).toMatch(/8%対象（軽減税率） ¥2,882 消費税 ¥213/);
    expect(p1).toContain('合計（税込） ¥5,500');
    expect(p2).toContain('大阪 花子 様');
    expect(p2).not.toContain('※は軽減税率');
    expect((await printBatchDeliveryNotes(ops(), { batchId })).bytes.equals(all.bytes)).toBe(true);
    const one = await printDeliveryNote(ops(), { orderId: ids['D-2']! });
    expect((await pdfText(one.bytes))[0]).toContain('10%対象 ¥2,200 消費税 ¥200');
  });

  it('a store without a registration number prints a plain 納品書; a bad number is refused in Japanese', async () => {
    await expect(
      saveStore(
        { db: t.db, key: TEST_SECRET_KEY },
        {
          code: 'shop-d',
          name: 'お茶の山田屋',
          enabled: true,
          importCron: '*/10 * * * *',
          settings: { invoiceRegistrationNumber: '1234' },
        },
      ),
    ).rejects.toThrow('登録番号は T に続く13桁の数字です');
  });

  it('出荷完了 books the sale, discount and points once, tax per rate per record', async () => {
    const r = await confirmShipment(ops(), { orderId: ids['D-1']!, actor: 'user:ops' });
    expect(r.ok).toBe(true);
    const again = await confirmShipment(ops(), { orderId: ids['D-1']!, actor: 'user:ops' });
    expect(again.ok).toBe(false);
    const recs = await orderSalesRecords(t.db, ids['D-1']!);
    expect(recs.map((x) => [x.kind, x.salesDate, x.amount10, x.tax10, x.amount8, x.tax8, x.total])).toEqual([
      ['sale', '2026-12-02', 2860, 260, 3240, 240, 6100],
      ['discount', '2026-12-02', -202, -19, -298, -23, -500],
      ['points', '2026-12-02', -40, -3, -60, -4, -100],
    ]);
    // The records add up, rate by rate, to the 納品書's tax (238 and 213).
    expect(recs.reduce((s, x) => s + x.tax10, 0)).toBe(238);
    expect(recs.reduce((s, x) => s + x.tax8, 0)).toBe(213);
    // A move to 出荷完了 by a status change books the sale as well.
    expect(
      (await changeStatus(ops(), { orderId: ids['D-2']!, target: S.shipped, actor: 'user:ops' })).ok,
    ).toBe(true);
    expect((await orderSalesRecords(t.db, ids['D-2']!)).map((x) => [x.kind, x.total, x.tax10])).toEqual([
      ['sale', 2200, 200],
    ]);
  });

  it('返品: partial lines as a negative record; more than shipped is refused', async () => {
    const lines = await t.db
      .selectFrom('order_lines')
      .select(['id', 'line_no'])
      .where('order_id', '=', ids['D-1']!)
      .orderBy('line_no')
      .execute();
    const tea = lines[0]!.id;
    const later = depsOf(t.db, new Date('2026-12-05T02:00:00Z'));
    const r = await recordReturn(later, {
      orderId: ids['D-1']!,
      lines: [{ lineId: tea, quantity: 1 }],
      reason: '破損',
      actor: 'user:ops',
    });
    expect(r).toMatchObject({ seq: 1, salesDate: '2026-12-05', record: { total: -1080, tax: { 8: -80 } } });
    await expect(
      recordReturn(later, { orderId: ids['D-1']!, lines: [{ lineId: tea, quantity: 3 }], actor: 'user:ops' }),
    ).rejects.toThrow('返品できるのはあと 2 点です');
    const d2line = await t.db
      .selectFrom('order_lines')
      .select('id')
      .where('order_id', '=', ids['D-2']!)
      .executeTakeFirstOrThrow();
    await expect(
      recordReturn(later, { orderId: ids['D-2']!, lines: [{ lineId: tea, quantity: 1 }], actor: 'user:ops' }),
    ).rejects.toThrow(`明細 ${tea} はこの注文にありません`);
    expect(d2line.id).toBeGreaterThan(0);
  });

  it('the daily sales CSV: header, one row per store and day, per-rate columns; UTF-8 BOM and Shift_JIS', async () => {
    const f = await exportSales(ops(), {
      store: 'shop-d',
      from: '2026-12-01',
      to: '2026-12-31',
      encoding: 'utf8',
    });
    expect([...f.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = f.bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')).toEqual([
      '売上日,店舗コード,店舗名,売上件数,売上(税込),値引,ポイント,返品,10%対象(税込),10%消費税,8%対象(税込),8%消費税,対象外,純売上(税込)',
      '2026-12-02,shop-d,お茶の山田屋,2,8300,-500,-100,0,4818,438,2882,213,0,7700',
      '2026-12-05,shop-d,お茶の山田屋,0,0,0,0,-1080,0,0,-1080,-80,0,-1080',
      '',
    ]);
    const sj = await exportSales(ops(), {
      store: 'shop-d',
      from: '2026-12-01',
      to: '2026-12-31',
      encoding: 'sjis',
    });
    expect(iconv.decode(sj.bytes, 'cp932')).toBe(text);
    await expect(
      exportSales(ops(), { from: '2026-12-31', to: '2026-12-01', encoding: 'utf8' }),
    ).rejects.toThrow('開始日が終了日より後です');
  });
});
