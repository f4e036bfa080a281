import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import { makeshopCart } from './index.js';
import { prefectureOf } from './normalize.js';
import { decodeXml, encodeXml, parseXml, readAnswer } from './xml.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
const RECORDED = 'makeshop-orderinfo-get-simulator-seed7.xml';

function normalizeAll(): CartOrder[] {
  return makeshopCart.rawOrdersFromRecorded(fixture(RECORDED)).map((raw) => {
    const r = makeshopCart.normalize(raw, 'makeshop-main');
    if (!r.ok) throw new Error(`${r.cartOrderNo} ${r.field}: ${r.message}`);
    return r.order;
  });
}

describe('makeshop XML', () => {
  it('decodes the EUC-JP answer by its declaration and keeps attribute and text values as strings', () => {
    const bytes = fixture(RECORDED);
    expect(bytes.includes(Buffer.from('銀行振込', 'utf8'))).toBe(false); // really EUC-JP on disk
    const answer = readAnswer(parseXml(decodeXml(bytes)));
    expect(answer?.kind).toBe('orders');
    const first = answer?.kind === 'orders' ? answer.orders[0] : null;
    expect(first).toMatchObject({
      ordernum: 'JC17137633150880007',
      paymethod: { type: 'C', content: 'クレジットカード決済' },
      orderdetail: {
        sumprice: '12296',
        usepoint: [{ type: 'shop', content: '0' }, { type: 'gmo' }, { type: 'yahoo' }],
      },
    });
  });

  it('reads Shift_JIS and UTF-8 the same way', () => {
    const xml =
      '<?xml version="1.0" encoding="Shift_JIS"?><orders><order><ordernum>A1</ordernum><x>東京</x></order></orders>';
    const sjis = encodeXml(xml, 'Shift_JIS');
    expect(readAnswer(parseXml(decodeXml(sjis)))).toEqual({
      kind: 'orders',
      orders: [{ ordernum: 'A1', x: '東京' }],
    });
    expect(decodeXml(Buffer.from(xml.replace('Shift_JIS', 'UTF-8')))).toContain('東京');
  });

  it('an empty answer is no orders; an HTML page is not XML we read', () => {
    expect(readAnswer(parseXml('<?xml version="1.0"?><orders/>'))).toEqual({ kind: 'orders', orders: [] });
    expect(() => parseXml('<html><body>メンテナンス中<br></body></html>')).toThrow();
    expect(() => makeshopCart.rawOrdersFromRecorded(Buffer.from('Service Unavailable'))).toThrow(/not XML/);
  });
});

describe('makeshop normalize: recorded orders', () => {
  const orders = normalizeAll();
  const by = (no: string) => orders.find((o) => o.cartOrderNo === no)!;

  it('reads all seven recorded orders', () => {
    expect(orders).toHaveLength(7);
  });

  it('a gift order with two deliveries: packages, lines in their package, tax-excluded prices', () => {
    const o = by('JC17137633150880007');
    expect(o.cart).toBe('makeshop');
    expect(o.cartStatus).toBe('1');
    expect(o.cancelledInCart).toBe(false);
    expect(o.orderedAt).toBe('2024-04-22T14:21:55+09:00');
    expect(o.cartUpdatedAt).toBeNull();
    expect(o.currency).toBe('JPY');
    expect(o.orderer).toEqual({
      name: '加藤 由美子',
      kana: 'カトウ ユミコ',
      email: 'yumiko.kato493@example.jp',
      phone: '054-9088-3508',
      postalCode: '330-0063',
      prefecture: '埼玉県',
      address1: 'さいたま市浦和区',
      address2: '高砂3-15-1 パークタワー1203',
    });
    expect(o.packages.map((p) => [p.packageNo, p.shipTo.name, p.shipTo.kana, p.shipTo.prefecture])).toEqual([
      [1, '加藤 由美子', 'カトウ ユミコ', '埼玉県'],
      [2, '清水 美咲', 'シミズ ミサキ', '福岡県'],
    ]);
    expect(o.shipTo).toBe(o.packages[0]!.shipTo);
    expect(o.lines).toEqual([
      {
        packageNo: 1,
        cartProductCode: '00000940104',
        cartOptionCode: null,
        name: '竹製 茶さじ',
        quantity: 4,
        unitPrice: 500,
        taxIncluded: false,
        taxRate: 10,
        taxAmount: null,
      },
      {
        packageNo: 1,
        cartProductCode: 'TSE-0013-9124',
        cartOptionCode: null,
        name: '静岡深蒸し煎茶 100g',
        quantity: 1,
        unitPrice: 1200,
        taxIncluded: false,
        taxRate: 8,
        taxAmount: null,
      },
      {
        packageNo: 2,
        cartProductCode: '00000940100',
        cartOptionCode: null,
        name: '南部鉄器 急須 0.65L',
        quantity: 1,
        unitPrice: 8000,
        taxIncluded: false,
        taxRate: 10,
        taxAmount: null,
      },
    ]);
    expect(o.delivery).toEqual({
      requestedDate: '2024-04-28',
      timeSlot: '午前中',
      carrier: null,
      method: 'ヤマト運輸',
      fee: 0,
    });
    expect(o.payment).toEqual({
      method: 'クレジットカード決済',
      cardType: null,
      fee: null,
      paidAt: '2024-04-22T14:21:55+09:00',
    });
    expect(o.totals).toEqual({
      goods: 11200,
      shipping: 0,
      fees: null,
      discount: 0,
      points: 0,
      tax: null,
      total: 12296,
    });
    expect(o.customerRemarks).toBeNull();
  });

  it('COD: commission is the payment fee; unpaid means no paidAt', () => {
    const o = by('JC17138312910240028');
    expect(o.payment).toEqual({ method: '代金引換', cardType: null, fee: 330, paidAt: null });
    expect(o.totals).toEqual({
      goods: 14355,
      shipping: 0,
      fees: 330,
      discount: 0,
      points: 0,
      tax: null,
      total: 15833,
    });
    expect(o.delivery.requestedDate).toBeNull();
    expect(o.delivery.timeSlot).toBeNull();
    expect(o.lines.map((l) => [l.cartProductCode, l.quantity, l.unitPrice, l.taxRate])).toEqual([
      ['00000920001', 3, 3685, 8],
      ['00000930010', 1, 1500, 8],
      ['00000930011', 1, 1800, 8],
    ]);
  });

  it('an option product: orgcode + orgoptioncode, option text in the name', () => {
    const o = by('JC17137470338720002');
    expect(o.lines[0]).toMatchObject({
      cartProductCode: 'KYUSU-TKN',
      cartOptionCode: 'COLOR-RED',
      name: '常滑焼 急須 朱泥 カラー:朱泥',
      quantity: 4,
      unitPrice: 5000,
      taxRate: 10,
    });
    expect(o.payment.method).toBe('銀行振込');
    expect(o.payment.paidAt).toBe('2024-04-22T09:50:33+09:00');
  });

  it('status 0 is a cancel', () => {
    const o = by('JC17137600595800006');
    expect(o.cartStatus).toBe('0');
    expect(o.cancelledInCart).toBe(true);
    expect(o.totals).toMatchObject({ goods: 2400, shipping: 660, total: 3252 });
  });

  it('「東京(23区内)」 is 東京都', () => {
    const o = by('JC17137743371290009');
    expect(o.orderer.prefecture).toBe('東京都');
    expect(o.shipTo.prefecture).toBe('東京都');
    expect(o.payment).toMatchObject({ method: 'コンビニ決済', paidAt: null });
  });

  it('備考 note → customer remarks', () => {
    expect(by('JC17137454774240001').customerRemarks).toBe(
      '備考: 午前中指定ですが、難しければ夕方でも構いません。',
    );
  });

  it('points used add up across usepoint types', () => {
    const o = by('JC17138208088000024');
    expect(o.totals).toEqual({
      goods: 18400,
      shipping: 0,
      fees: null,
      discount: 0,
      points: 400,
      tax: null,
      total: 19792,
    });
    expect(o.delivery).toMatchObject({ requestedDate: '2024-05-05', timeSlot: '午前中' });
  });
});

describe('makeshop normalize: bad input and edge rules', () => {
  type Editable = Record<string, unknown> & {
    orderdetail: Record<string, unknown> & { commodities: { commodity: Array<Record<string, unknown>> } };
  };
  const base = () =>
    structuredClone(makeshopCart.rawOrdersFromRecorded(fixture(RECORDED))[1]!.payload) as Editable;
  const run = (mutate: (o: Editable) => void) => {
    const o = base();
    mutate(o);
    return makeshopCart.normalize({ cartOrderNo: null, payload: o }, 's');
  };

  it('a missing date is a rejection naming the field and the order number', () => {
    expect(run((o) => delete o.date)).toMatchObject({
      ok: false,
      cartOrderNo: 'JC17138312910240028',
      field: 'date',
    });
  });

  it('a non-numeric amount is a rejection naming the commodity', () => {
    const r = run((o) => {
      o.orderdetail.commodities.commodity[0]!.amount = 'x';
    });
    expect(r).toMatchObject({ ok: false, field: 'orderdetail.commodities.commodity[0].amount' });
  });

  it('an unknown tax rate is refused', () => {
    const r = run((o) => {
      o.orderdetail.commodities.commodity[0]!.consumption_tax_rate = '5';
    });
    expect(r).toMatchObject({
      ok: false,
      field: 'orderdetail.commodities.commodity[0].consumption_tax_rate',
    });
  });

  it('status 99 (仮注文) is kept verbatim and not cancelled', () => {
    const r = run((o) => {
      o.status = '99';
    });
    expect(r.ok && [r.order.cartStatus, r.order.cancelledInCart]).toEqual(['99', false]);
  });

  it('a single commodity, usepoint or note not wrapped in an array still reads', () => {
    const r = run((o) => {
      // As a single element looks after an XML→JSON conversion that does not force arrays.
      (o.orderdetail.commodities as Record<string, unknown>).commodity =
        o.orderdetail.commodities.commodity[0];
      o.orderdetail.usepoint = { type: 'shop', content: '100' };
      o.notes = { note: { title: 'ギフト', content: '包装希望' } };
      o.paymethod = '代金引換';
    });
    expect(
      r.ok && [r.order.lines.length, r.order.totals.points, r.order.customerRemarks, r.order.payment.method],
    ).toEqual([1, 100, 'ギフト: 包装希望', '代金引換']);
  });

  it('prefecture from makeshop areas', () => {
    expect([
      prefectureOf('東京(23区内)'),
      prefectureOf('東京(23区外)'),
      prefectureOf('大阪府'),
      prefectureOf(''),
    ]).toEqual(['東京都', '東京都', '大阪府', null]);
  });
});
