import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import { simViews } from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { makeshopCart } from './index.js';
import { prefectureOf } from './normalize.js';
import { renderMakeshopNextOrder, renderMakeshopOrder } from './simulator.js';
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

// ── next-generation API: searchOrder records (JSON) ──

const NEXT_RECORDED = 'makeshop-searchOrder-simulator-seed7.json';
const NEXT_THIRDPARTY = 'makeshop-searchOrder-thirdparty-fields.json';
const searchAnswer = (orders: unknown[]) =>
  JSON.stringify({ data: { searchOrder: { searchedCount: orders.length, page: 1, orders } } });
const ok = (r: ReturnType<typeof makeshopCart.normalize>): CartOrder => {
  if (!r.ok) throw new Error(`${r.cartOrderNo} ${r.field}: ${r.message}`);
  return r.order;
};

describe('makeshop searchOrder answers (juchu parse)', () => {
  it('reads a recorded searchOrder answer, a list of answers (one per page) and a byte-order mark', () => {
    const one = makeshopCart.rawOrdersFromRecorded(fixture(NEXT_RECORDED));
    expect(one).toHaveLength(10);
    expect(one[0]!.cartOrderNo).toBe('JC17135782790340001');
    const body = fixture(NEXT_RECORDED).toString('utf8');
    const list = makeshopCart.rawOrdersFromRecorded(Buffer.from(`\uFEFF[${body},${body}]`));
    expect(list).toHaveLength(20);
  });

  it('an answer with errors and no data, or JSON that is not one, is an error saying so', () => {
    const parse = (text: string) => () => makeshopCart.rawOrdersFromRecorded(Buffer.from(text));
    expect(parse('{"errors":[{"message":"Unauthorized"}]}')).toThrow(
      /not a searchOrder answer \(errors: Unauthorized\)/,
    );
    expect(parse('{"data":{"searchOrder":{"orders":{}}}}')).toThrow(/orders is not a list/);
    expect(parse('{"data":')).toThrow(/not JSON/);
    // XML still goes the classic way.
    expect(makeshopCart.rawOrdersFromRecorded(fixture(RECORDED))).toHaveLength(7);
  });
});

describe('makeshop normalize: one order through both APIs', () => {
  it('a simulator order read as classic XML and as a searchOrder record is the same CartOrder', () => {
    // Gifts, two deliveries, options, COD, coupons, points, cancels, unpaid card orders, edits.
    const views = [1, 2, 3].flatMap((seed) => simViews({ seed, count: 60, multiPackageShare: 0.3 }));
    const xml = `<?xml version="1.0" encoding="UTF-8"?><orders>${views.map((v) => renderMakeshopOrder(v).xml).join('')}</orders>`;
    const classic = makeshopCart.rawOrdersFromRecorded(
      encodeXml(xml.replace('UTF-8', 'EUC-JP'), 'EUC-JP') as Buffer,
    );
    const next = makeshopCart.rawOrdersFromRecorded(
      Buffer.from(searchAnswer(views.map(renderMakeshopNextOrder))),
    );
    expect(next).toHaveLength(views.length);
    const statuses = new Set<string>();
    next.forEach((raw, i) => {
      const a = ok(makeshopCart.normalize(classic[i] as RawOrder, 'makeshop-main'));
      const b = ok(makeshopCart.normalize(raw, 'makeshop-main'));
      expect(b, a.cartOrderNo).toEqual(a);
      statuses.add(a.cartStatus);
    });
    expect([...statuses].sort()).toEqual(['0', '1', '99']);
  });
});

describe('makeshop normalize: searchOrder records', () => {
  const orders = makeshopCart
    .rawOrdersFromRecorded(fixture(NEXT_RECORDED))
    .map((r) => ok(makeshopCart.normalize(r, 'makeshop-main')));
  const by = (no: string) => orders.find((o) => o.cartOrderNo === no)!;

  it('reads all ten recorded orders', () => {
    expect(orders).toHaveLength(10);
  });

  it('two deliveries: a package per delivery, its lines in it', () => {
    const o = by('JC17140356959890051');
    expect(o.packages).toHaveLength(2);
    expect(new Set(o.lines.map((l) => l.packageNo))).toEqual(new Set([1, 2]));
    expect(o.shipTo).toBe(o.packages[0]!.shipTo);
  });

  it('a line: 独自商品コード as the code, the option code and name, tax-excluded price and rate', () => {
    const line = by('JC17135834025130002').lines.find((l) => l.cartOptionCode)!;
    expect(line).toMatchObject({
      cartProductCode: 'KYUSU-TKN',
      cartOptionCode: 'COLOR-RED',
      taxIncluded: false,
    });
    expect(line.name).toMatch(/ カラー:朱泥$/);
  });

  it('COD fee, a cancel, Tokyo, a 備考, points, a coupon by tax rate, a requested date and slot', () => {
    expect(by('JC17137943526350029').payment).toMatchObject({ method: '代金引換', fee: 330 });
    expect(by('JC17136162685400006')).toMatchObject({ cartStatus: '0', cancelledInCart: true });
    expect(by('JC17136518157630008').orderer.prefecture).toBe('東京都');
    expect(by('JC17135975882300004').customerRemarks).toMatch(/^備考: /);
    expect(by('JC17135953789810003').totals.points).toBeGreaterThan(0);
    expect(by('JC17136551409200009').totals.discount).toBe(300);
    expect(by('JC17136655175700012').delivery.requestedDate).toMatch(/^2024-\d{2}-\d{2}$/);
  });

  it('an order with only the fields a public client asks for: the rest is null, nothing is made up', () => {
    const [member, guest] = makeshopCart
      .rawOrdersFromRecorded(fixture(NEXT_THIRDPARTY))
      .map((r) => ok(makeshopCart.normalize(r, 's')));
    expect(member).toMatchObject({
      cartOrderNo: 'P181234567890123401',
      cartStatus: '1',
      cancelledInCart: false,
      orderedAt: '2024-09-06T11:24:51+09:00',
      orderer: { name: null, prefecture: '東京都', address1: null },
      payment: { method: null, fee: null, paidAt: null },
      delivery: { requestedDate: null, method: null, fee: null },
      totals: { goods: 10000, shipping: null, fees: null, discount: 0, points: 0, total: 11000 },
    });
    expect(guest!.lines.map((l) => [l.cartProductCode, l.name, l.quantity, l.unitPrice, l.taxRate])).toEqual([
      ['000000000001', '煎茶 100g', 10, 1000, null],
      ['000000000002', '急須', 1, 2500, null],
    ]);
  });
});

describe('makeshop normalize: searchOrder edge rules', () => {
  type Rec = Record<string, unknown> & {
    deliveryInfos: Array<Record<string, unknown> & { basketInfos: Array<Record<string, unknown>> }>;
  };
  const base = () =>
    structuredClone(makeshopCart.rawOrdersFromRecorded(fixture(NEXT_RECORDED))[0]!.payload) as Rec;
  const basket = (o: Rec) => o.deliveryInfos[0]!.basketInfos[0]!;
  const run = (mutate: (o: Rec) => void) => {
    const o = base();
    mutate(o);
    return makeshopCart.normalize({ cartOrderNo: null, payload: o }, 's');
  };
  const NO = 'JC17135782790340001';

  it.each([
    {
      why: 'no order number',
      mutate: (o: Rec) => delete o.displayOrderNumber,
      field: 'displayOrderNumber',
      no: null,
    },
    { why: 'no order date', mutate: (o: Rec) => delete o.orderDate, field: 'orderDate' },
    {
      why: 'a date that does not exist',
      mutate: (o: Rec) => (o.orderDate = '2024-02-30 10:00:00'),
      field: 'orderDate',
    },
    {
      why: 'a total as text (GraphQL Int is a number)',
      mutate: (o: Rec) => (o.sumPrice = '12859'),
      field: 'sumPrice',
    },
    { why: 'no delivery', mutate: (o: Rec) => (o.deliveryInfos = []), field: 'deliveryInfos' },
    {
      why: 'a delivery without its lines',
      mutate: (o: Rec) => delete (o.deliveryInfos[0] as Record<string, unknown>).basketInfos,
      field: 'deliveryInfos[0].basketInfos',
    },
    {
      why: 'an order without lines',
      mutate: (o: Rec) => (o.deliveryInfos[0]!.basketInfos = []),
      field: 'deliveryInfos[0].basketInfos',
    },
    {
      why: 'quantity 0',
      mutate: (o: Rec) => (basket(o).amount = 0),
      field: 'deliveryInfos[0].basketInfos[0].amount',
    },
    {
      why: 'a price in sen',
      mutate: (o: Rec) => (basket(o).price = 1.5),
      field: 'deliveryInfos[0].basketInfos[0].price',
    },
    {
      why: 'neither product code',
      mutate: (o: Rec) => {
        basket(o).productCode = null;
        delete basket(o).customProductCode;
      },
      field: 'deliveryInfos[0].basketInfos[0].productCode',
    },
    {
      why: 'a tax rate Japan does not have',
      mutate: (o: Rec) => (basket(o).taxRate = 5),
      field: 'deliveryInfos[0].basketInfos[0].taxRate',
    },
    {
      why: 'an unknown delivery status',
      mutate: (o: Rec) => (o.deliveryStatus = 'X'),
      field: 'deliveryStatus',
    },
    {
      why: 'a requested date that is none',
      mutate: (o: Rec) => (o.deliveryInfos[0]!.deliveryDate = '2024/13/01'),
      field: 'deliveryInfos[0].deliveryDate',
    },
  ])('rejected, naming the field: $why', ({ mutate, field, no }) => {
    expect(run(mutate)).toMatchObject({ ok: false, field, cartOrderNo: no === undefined ? NO : no });
  });

  it.each([
    {
      why: 'fields we do not know are ignored',
      mutate: (o: Rec) => {
        o.shopMemo = { internal: true };
        o.deliveryInfos[0]!.trackingNumbers = ['123'];
        basket(o).janCode = '4901234567894';
      },
      check: (x: CartOrder) => expect(x.cartOrderNo).toBe(NO),
    },
    {
      why: 'every guessed field absent: nulls, not guesses',
      mutate: (o: Rec) => {
        for (const k of Object.keys(o))
          if (
            ![
              'displayOrderNumber',
              'orderDate',
              'memberId',
              'sumPrice',
              'senderPrefecture',
              'discountPerTax',
              'deliveryInfos',
            ].includes(k)
          )
            delete o[k];
        for (const d of o.deliveryInfos) for (const k of Object.keys(d)) if (k !== 'basketInfos') delete d[k];
      },
      check: (x: CartOrder) =>
        expect([
          x.cartStatus,
          x.orderer.name,
          x.shipTo.name,
          x.payment.method,
          x.delivery.fee,
          x.totals.points,
        ]).toEqual(['1', null, null, null, null, 0]),
    },
    {
      why: 'GraphQL nulls are "not given"',
      mutate: (o: Rec) => {
        Object.assign(o, {
          deliveryStatus: null,
          paymentStatus: null,
          usePoint: null,
          notes: null,
          discountPerTax: null,
        });
        basket(o).taxRate = null;
      },
      check: (x: CartOrder) =>
        expect([
          x.cartStatus,
          x.payment.paidAt,
          x.totals.points,
          x.customerRemarks,
          x.lines[0]!.taxRate,
        ]).toEqual(['1', null, 0, null, null]),
    },
    {
      why: 'deliveryStatus C is a cancel (status 0, as on the classic API)',
      mutate: (o: Rec) => (o.deliveryStatus = 'C'),
      check: (x: CartOrder) => expect([x.cartStatus, x.cancelledInCart]).toEqual(['0', true]),
    },
    {
      why: '仮注文 keeps the classic code 99',
      mutate: (o: Rec) => (o.temporaryOrder = true),
      check: (x: CartOrder) => expect([x.cartStatus, x.cancelledInCart]).toEqual(['99', false]),
    },
    {
      why: 'discountPerTax [V] is the discount when given; else coupon + bulk',
      mutate: (o: Rec) => {
        o.discountPerTax = [
          { taxRate: 10, discount: 1000 },
          { taxRate: 8, discount: 200 },
        ];
        o.couponDiscount = 5;
      },
      check: (x: CartOrder) => expect(x.totals.discount).toBe(1200),
    },
    {
      why: 'without discountPerTax: coupon + bulk',
      mutate: (o: Rec) => {
        delete o.discountPerTax;
        o.couponDiscount = 300;
        o.bulkDiscount = 100;
      },
      check: (x: CartOrder) => expect(x.totals.discount).toBe(400),
    },
    {
      why: '「指定なし」 is no date; yyyy/mm/dd is read too',
      mutate: (o: Rec) => {
        o.deliveryInfos[0]!.deliveryDate = '指定なし';
        o.deliveryInfos[0]!.deliveryTime = '指定なし';
      },
      check: (x: CartOrder) => expect([x.delivery.requestedDate, x.delivery.timeSlot]).toEqual([null, null]),
    },
    {
      why: 'a slashed date',
      mutate: (o: Rec) => (o.deliveryInfos[0]!.deliveryDate = '2024/05/03'),
      check: (x: CartOrder) => expect(x.delivery.requestedDate).toBe('2024-05-03'),
    },
    {
      why: 'the classic Tokyo zone name still reads as 東京都',
      mutate: (o: Rec) => (o.senderPrefecture = '東京(23区外)'),
      check: (x: CartOrder) => expect(x.orderer.prefecture).toBe('東京都'),
    },
    {
      why: "without 独自商品コード the product code is makeshop's own",
      mutate: (o: Rec) => (basket(o).customProductCode = ''),
      check: (x: CartOrder) => expect(x.lines[0]!.cartProductCode).toBe('000000000007'),
    },
  ])('accepted: $why', ({ mutate, check }) => {
    check(ok(run(mutate)));
  });
});
