import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import { simViews } from '../../test/fuzz.js';
import { shippingTermToSlot } from './codes.js';
import { rakutenCart } from './index.js';
import { customerRemarks, rawOrderOf } from './normalize.js';
import { renderOrderModel } from './render.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const body = (file: string) => readFileSync(join(FIXTURES, file));

function normalizeAll(file: string): Map<string, CartOrder> {
  const out = new Map<string, CartOrder>();
  for (const raw of rakutenCart.rawOrdersFromRecorded(body(file))) {
    const r = rakutenCart.normalize(raw, 'rakuten-main');
    if (!r.ok) throw new Error(`${r.cartOrderNo}: ${r.field}: ${r.message}`);
    out.set(r.order.cartOrderNo, r.order);
  }
  return out;
}

/** Expected values, field by field; a path such as `payment.paidAt` or `lines[1].taxRate`. */
type Expect = Record<string, unknown>;

function at(o: unknown, path: string): unknown {
  return path.split(/\.|(?=\[)/).reduce<unknown>((v, key) => {
    if (v === null || v === undefined) return undefined;
    const m = /^\[(\d+)\]$/.exec(key);
    return m ? (v as unknown[])[Number(m[1])] : (v as Record<string, unknown>)[key];
  }, o);
}

const cases: Array<{ file: string; order: string; why: string; expect: Expect }> = [
  {
    file: 'rakuten-getOrder-200-legacy-test-fixture.json',
    order: '360238-20180724-00000810',
    why: '2018 layout: no tax-rate fields, COD, checkout heading only in remarks',
    expect: {
      cart: 'rakuten',
      store: 'rakuten-main',
      cartStatus: '300',
      cancelledInCart: false,
      orderedAt: '2018-07-24T16:01:22+09:00',
      // the latest of order / confirm / fix / shipping-instruction times
      cartUpdatedAt: '2018-07-25T10:57:45+09:00',
      currency: 'JPY',
      customerRemarks: null,
      internalComment: null,
      'orderer.name': 'Nguyen Hoang',
      'orderer.kana': 'ヤマダ タロウ',
      'orderer.email': 'a44c9e3707e299d402ad81f34cc97cb9s1@pc.fw.rakuten.ne.jp',
      'orderer.phone': '0165-626-1471',
      'orderer.postalCode': '100-0000',
      'orderer.prefecture': '東京都',
      'orderer.address1': '千代田区',
      'orderer.address2': '東京都千代田区 Ha Noi - Viet Nam',
      'shipTo.name': 'Nguyen Hoang',
      'shipTo.email': null,
      'packages.length': 1,
      'lines.length': 1,
      'lines[0].packageNo': 1,
      'lines[0].cartProductCode': 'mugtestc01',
      'lines[0].cartOptionCode': null,
      'lines[0].name': 'mugtestc01',
      'lines[0].quantity': 1,
      'lines[0].unitPrice': 20,
      'lines[0].taxIncluded': true,
      'lines[0].taxRate': null,
      'lines[0].taxAmount': null,
      'delivery.requestedDate': null,
      'delivery.timeSlot': null,
      'delivery.carrier': null,
      'delivery.method': '宅配便',
      'delivery.fee': 100,
      'payment.method': '代金引換',
      'payment.cardType': null,
      'payment.fee': 100,
      'payment.paidAt': null,
      'totals.goods': 20,
      'totals.shipping': 100,
      'totals.fees': 100,
      'totals.discount': 0,
      'totals.points': 0,
      'totals.tax': null,
      'totals.total': 220,
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260307-0207800249',
    why: 'gift in two packages with different ship-tos, 8% food, requested date and slot, card',
    expect: {
      cartStatus: '300',
      orderedAt: '2026-03-07T13:45:38+09:00',
      cartUpdatedAt: '2026-03-07T13:46:38+09:00',
      'orderer.name': '斎藤 美咲', // the buyer; both packages go to other people
      'orderer.kana': 'サイトウ ミサキ',
      'packages.length': 2,
      'packages[0].packageNo': 1,
      'packages[0].shipTo.name': '中村 翔太',
      'packages[0].shipTo.postalCode': '812-0012',
      'packages[1].packageNo': 2,
      'packages[1].shipTo.name': '加藤 恵子',
      'packages[1].shipTo.prefecture': '静岡県',
      'packages[1].shipTo.address1': '静岡市葵区',
      'shipTo.name': '中村 翔太',
      'lines[0].packageNo': 1,
      'lines[0].name': '京都 抹茶バウムクーヘン [ギフト包装:希望する]',
      'lines[0].quantity': 2,
      'lines[0].taxRate': 8,
      'lines[0].taxAmount': 288, // floor(3888 × 8 / 108)
      'lines[1].packageNo': 2,
      'lines[1].cartProductCode': '00000920001',
      'lines[1].taxAmount': 294,
      'delivery.requestedDate': '2026-03-10',
      'delivery.timeSlot': '19-21',
      'delivery.carrier': 'ヤマト運輸',
      'payment.method': 'クレジットカード',
      'payment.cardType': 'Diners',
      'payment.paidAt': '2026-03-07T13:46:38+09:00',
      'totals.goods': 7868,
      'totals.tax': 582,
      'totals.total': 7868,
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260303-0207800085',
    why: 'postage to Okinawa not yet known: -9999 becomes null, COD fee still known',
    expect: {
      cartStatus: '100',
      'shipTo.prefecture': '沖縄県',
      'delivery.fee': null,
      'payment.method': '代金引換',
      'payment.fee': 330,
      'payment.paidAt': null,
      'totals.shipping': null,
      'totals.fees': 330,
      'totals.tax': null,
      'totals.total': null,
      'totals.goods': 3300,
      'lines[0].taxRate': 10,
      'lines[0].taxAmount': 300,
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800011',
    why: 'cancelled (900) two days later; mixed 8% / 10% lines',
    expect: {
      cartStatus: '900',
      cancelledInCart: true,
      cartUpdatedAt: '2026-03-03T07:25:37+09:00',
      'payment.method': '後払い決済',
      'payment.paidAt': null,
      'lines[0].cartProductCode': 'SET-SENBEI-3',
      'lines[0].taxRate': 8,
      'lines[1].taxRate': 10,
      'lines[1].taxAmount': 50,
      'totals.tax': 414, // 110 (10%) + 304 (8%)
      'totals.total': 5314,
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800004',
    why: 'convenience-store prepay paid after an edit: updated time is the payment',
    expect: {
      cartStatus: '300',
      cartUpdatedAt: '2026-03-01T17:01:30+09:00',
      'payment.method': 'セブンイレブン（前払）',
      'payment.paidAt': '2026-03-01T17:01:30+09:00',
      'lines[0].quantity': 2,
      'delivery.requestedDate': '2026-03-15',
      'delivery.timeSlot': '14-16',
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800001',
    why: 'bank transfer still waiting for the money (200 楽天処理中)',
    expect: {
      cartStatus: '200',
      'payment.method': '銀行振込',
      'payment.paidAt': null,
      cartUpdatedAt: '2026-03-01T00:43:22+09:00',
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800027',
    why: 'SKU with a system-integration SKU number (the product code); points used',
    expect: {
      'lines[0].cartProductCode': 'COLOR-RED',
      'lines[0].cartOptionCode': 'kyusu-tkn-color-red',
      'lines[0].cartCodes': {
        itemNumber: 'KYUSU-TKN',
        manageNumber: 'kyusu-tkn',
        itemId: '85960048',
        variantId: 'kyusu-tkn-color-red',
        merchantDefinedSkuId: 'COLOR-RED',
        skuInfo: 'カラー:朱泥',
      },
      'lines[0].name': '常滑焼 急須 朱泥 [カラー:朱泥]',
      'lines[1].cartProductCode': '00000940102',
      'lines[1].cartOptionCode': null,
      'totals.points': 100,
      'totals.goods': 28570,
      'totals.total': 28470,
      'payment.cardType': 'AMEX',
    },
  },
  {
    file: 'rakuten-getOrder-200-sku-items-handwritten.json',
    order: '376541-20261201-0000000001',
    why: 'SKU items (getOrder skuModel, version 7+): the system SKU number, else 商品番号, else 商品管理番号',
    expect: {
      'lines.length': 6,
      // Multi-SKU with a system number: that number; the SKU管理番号 tells the variant apart.
      'lines[0].cartProductCode': 'tshirt-001-m-white',
      'lines[0].cartOptionCode': '17095519',
      'lines[0].name': 'オーガニックコットン Tシャツ [サイズ:M / カラー:ホワイト / ギフト包装:希望する]',
      'lines[0].cartCodes': {
        itemNumber: 'tshirt-001',
        manageNumber: 'tshirt-001',
        itemId: '10000119',
        variantId: '17095519',
        merchantDefinedSkuId: 'tshirt-001-m-white',
        skuInfo: 'サイズ:M\nカラー:ホワイト',
      },
      // Multi-SKU without one: the 商品番号 with the SKU管理番号 as option.
      'lines[1].cartProductCode': 'tshirt-001',
      'lines[1].cartOptionCode': '17095520',
      'lines[1].cartCodes.merchantDefinedSkuId': undefined,
      // Single SKU with a system number: that number, no option (its variantId says nothing).
      'lines[2].cartProductCode': '4901234567894',
      'lines[2].cartOptionCode': null,
      'lines[2].cartCodes.itemNumber': 'mug-01',
      // Single SKU without one: the 商品番号.
      'lines[3].cartProductCode': 'towel-02',
      'lines[3].cartOptionCode': null,
      'lines[3].quantity': 3,
      // Before the shop's SKU migration the SKU values are empty; the 商品番号 carries the choices.
      'lines[4].cartProductCode': 'bag-03-1-2',
      'lines[4].cartOptionCode': null,
      'lines[4].cartCodes': { itemNumber: 'bag-03-1-2', manageNumber: 'bag-03', itemId: '10000122' },
      'lines[4].name': '旧 項目選択肢別在庫の商品 [カラー:ネイビー / サイズ:S]',
      // No 商品番号 and no SKU model: the 商品管理番号.
      'lines[5].cartProductCode': 'tenugui',
      'lines[5].cartOptionCode': null,
      'totals.goods': 18260,
      'totals.tax': 1660,
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800023',
    why: 'shop coupon',
    expect: { 'totals.discount': 300, 'totals.goods': 4510, 'totals.shipping': 660, 'totals.total': 4870 },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800005',
    why: 'buyer remark under an empty checkout heading',
    expect: {
      customerRemarks: '配送前に電話をください。',
      'orderer.email': '0a8b0bd7481ebc4d37a3a60c147d4eb9s1@pc.fw.rakuten.ne.jp',
    },
  },
  {
    file: 'rakuten-getOrder-200-sim-v10.json',
    order: '376541-20260301-0207800002',
    why: 'shipped: carrier from the shipment, updated time is the ship report',
    expect: {
      cartStatus: '500',
      cartUpdatedAt: '2026-03-10T12:00:00+09:00',
      'delivery.carrier': 'ヤマト運輸',
      'packages.length': 2,
      'lines[3].packageNo': 2,
    },
  },
];

describe('rakuten normalize — recorded getOrder bodies, field by field', () => {
  const byFile = new Map<string, Map<string, CartOrder>>();
  for (const c of cases) {
    it(`${c.order}: ${c.why}`, () => {
      if (!byFile.has(c.file)) byFile.set(c.file, normalizeAll(c.file));
      const order = byFile.get(c.file)!.get(c.order);
      expect(order, `${c.order} in ${c.file}`).toBeDefined();
      for (const [path, value] of Object.entries(c.expect))
        expect(at(order, path), `${c.order} ${path}`).toEqual(value);
      // Invariants of every order.
      expect(order!.shipTo).toEqual(order!.packages[0]!.shipTo);
      for (const line of order!.lines)
        expect(order!.packages.map((p) => p.packageNo)).toContain(line.packageNo);
      expect(order!.orderedAt).toMatch(/\+09:00$/);
    });
  }

  it('every order of the simulator recording normalizes', () => {
    expect(normalizeAll('rakuten-getOrder-200-sim-v10.json').size).toBe(13);
  });
});

describe('rakuten normalize — rejections and quirks', () => {
  const legacy = () =>
    (
      JSON.parse(body('rakuten-getOrder-200-legacy-test-fixture.json').toString()) as {
        OrderModelList: unknown[];
      }
    ).OrderModelList[0] as Record<string, unknown>;

  it('a missing field is a rejection naming it and the order number', () => {
    const o = legacy();
    delete o.orderDatetime;
    const r = rakutenCart.normalize({ cartOrderNo: null, payload: o }, 's');
    expect(r).toMatchObject({ ok: false, cartOrderNo: '360238-20180724-00000810', field: 'orderDatetime' });
  });

  it('a wrong type deep inside is named with its path', () => {
    const o = legacy();
    (o.PackageModelList as Array<{ ItemModelList: Array<Record<string, unknown>> }>)[0]!
      .ItemModelList[0]!.units = '1';
    const r = rakutenCart.normalize({ cartOrderNo: '360238-20180724-00000810', payload: o }, 's');
    expect(r).toMatchObject({ ok: false, field: 'PackageModelList[0].ItemModelList[0].units' });
  });

  it('an unknown tax rate is refused rather than guessed', () => {
    const o = legacy();
    (o.PackageModelList as Array<{ ItemModelList: Array<Record<string, unknown>> }>)[0]!
      .ItemModelList[0]!.taxRate = 0.05;
    const r = rakutenCart.normalize({ cartOrderNo: null, payload: o }, 's');
    expect(r).toMatchObject({ ok: false, field: 'PackageModelList[0].ItemModelList[0].taxRate' });
  });

  it('tax-excluded lines take the tax from priceTaxIncl', () => {
    const o = legacy();
    const item = (o.PackageModelList as Array<{ ItemModelList: Array<Record<string, unknown>> }>)[0]!
      .ItemModelList[0]!;
    Object.assign(item, { price: 1000, units: 3, includeTaxFlag: 0, taxRate: 0.1, priceTaxIncl: 1100 });
    const r = rakutenCart.normalize({ cartOrderNo: null, payload: o }, 's');
    expect(r.ok && r.order.lines[0]).toMatchObject({ taxIncluded: false, taxRate: 10, taxAmount: 300 });
  });

  it('deleted packages and items are left out; a social gift without address has an empty ship-to', () => {
    const o = legacy();
    const pkgs = o.PackageModelList as Array<Record<string, unknown>>;
    const copy = structuredClone(pkgs[0]!);
    pkgs.unshift({ ...structuredClone(pkgs[0]!), packageDeleteFlag: 1 });
    (copy.ItemModelList as Array<Record<string, unknown>>).push({
      ...(copy.ItemModelList as Array<Record<string, unknown>>)[0]!,
      itemNumber: 'gone',
      deleteItemFlag: 1,
    });
    copy.SocialGiftModel = { inputFlag: 0 };
    (copy.SenderModel as Record<string, unknown>).city = '入力待ち';
    pkgs.push(copy);
    const r = rakutenCart.normalize({ cartOrderNo: null, payload: o }, 's');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order.packages).toHaveLength(2);
    expect(r.order.packages[1]!.shipTo.address1).toBeNull();
    expect(r.order.lines.map((l) => [l.packageNo, l.cartProductCode])).toEqual([
      [1, 'mugtestc01'],
      [2, 'mugtestc01'],
    ]);
  });

  it('remarks: empty checkout headings are not a comment, real text is kept', () => {
    expect(customerRemarks('[配送日時指定:]\n\n')).toBeNull();
    expect(customerRemarks('[配送日時指定:]\n2017-11-01(水)\n14:00\n自由記入欄の入力')).toBe(
      '[配送日時指定:]\n2017-11-01(水)\n14:00\n自由記入欄の入力',
    );
    expect(customerRemarks('[配送日時指定:]\n\n不在時は宅配ボックスへ')).toBe('不在時は宅配ボックスへ');
    expect(customerRemarks(null)).toBeNull();
  });

  it('shippingTerm: the documented forms', () => {
    expect([0, 1, 2, 9, 708, 1416, 2324].map(shippingTermToSlot)).toEqual([
      null,
      '午前中',
      '午後',
      'その他',
      '7-8',
      '14-16',
      '23-24',
    ]);
    expect(() => shippingTermToSlot(2507)).toThrow();
  });

  it('rawOrdersFromRecorded refuses bodies without orders', () => {
    expect(() =>
      rakutenCart.rawOrdersFromRecorded(body('rakuten-searchOrder-200-found-doc-sample.json')),
    ).toThrow(/OrderModelList/);
    expect(() => rakutenCart.rawOrdersFromRecorded(Buffer.from('<html>'))).toThrow(/not JSON/);
    expect(rakutenCart.rawOrdersFromRecorded(body('rakuten-getOrder-error009-thirdparty-test.json'))).toEqual(
      [],
    );
  });
});

describe('rakuten normalize — SKU items as the simulator renders them', () => {
  const kyusu = simViews({ seed: 21, count: 200 })
    .filter((v) => v.lines.some((l) => l.product.cartOptionCode !== null))
    .slice(0, 3);

  it('version 7+: a multi-SKU item is its system SKU number (the master code), the 商品番号 stays in cartCodes', () => {
    expect(kyusu.length).toBeGreaterThan(0);
    for (const view of kyusu) {
      const r = rakutenCart.normalize(rawOrderOf(renderOrderModel(view, { version: 10 })), 's');
      if (!r.ok) throw new Error(r.message);
      const line = r.order.lines.find((l) => l.cartCodes?.itemNumber === 'KYUSU-TKN')!;
      expect(line).toMatchObject({
        cartProductCode: '00000940101',
        cartOptionCode: 'kyusu-tkn-color-red',
        cartCodes: { manageNumber: 'kyusu-tkn', merchantDefinedSkuId: '00000940101', skuInfo: 'カラー:朱泥' },
      });
      // Items sold under a code of their own have no system number: the 商品番号, for the mapping.
      for (const l of r.order.lines.filter((x) => x !== line))
        expect(l.cartProductCode).toBe(l.cartCodes?.itemNumber);
    }
  });

  it('below version 7 there is no SkuModelList: the 商品番号, no option', () => {
    const r = rakutenCart.normalize(rawOrderOf(renderOrderModel(kyusu[0]!, { version: 6 })), 's');
    if (!r.ok) throw new Error(r.message);
    expect(r.order.lines.find((l) => l.cartProductCode === 'KYUSU-TKN')).toMatchObject({
      cartOptionCode: null,
      cartCodes: { itemNumber: 'KYUSU-TKN', manageNumber: 'kyusu-tkn' },
    });
  });
});
