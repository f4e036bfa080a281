import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { includedTax } from '../../domain/money.js';
import { type CartOrder, emptyParty, type Party } from '../../domain/order.js';
import { toJstIso } from '../../domain/time.js';
import { editedQuantity, generateOrders, goodsTotal, type SimParty, viewAt } from '../sim/generate.js';
import { normalizeCsv } from './normalize.js';
import { parseOrderFile } from './parse.js';
import { RAKUTEN_PAYMENT_NAMES, rakutenCsvOrderNo, renderRakutenCsv } from './render.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function normalizedFile(name: string, body: Buffer, settings: unknown = {}) {
  const parsed = parseOrderFile(body, settings, name);
  const orders = new Map<string, CartOrder>();
  for (const raw of parsed.orders) {
    const r = normalizeCsv(raw, 'csv-main');
    if (!r.ok) throw new Error(`${name}: ${r.cartOrderNo}: ${r.message}`);
    orders.set(r.order.cartOrderNo, r.order);
  }
  return { parsed, orders };
}

/** `{ a: { b: [1] } }` → `[['a.b[0]', 1]]`: every leaf, so that each field is its own test row. */
function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(value))
    return value.length ? value.flatMap((v, i) => leaves(v, `${path}[${i}]`)) : [[path, []]];
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, value]];
}

const party = (p: Partial<Party>): Party => ({ ...emptyParty(), ...p });

const yamadaTaro = party({
  name: '山田 太郎',
  kana: 'ヤマダ タロウ',
  email: 'taro.yamada@example.jp',
  phone: '03-1234-5678',
  postalCode: '150-0043',
  prefecture: '東京都',
  address1: '渋谷区',
  address2: '道玄坂2-10-12 新大宗ビル3号館',
});
const yamadaHanako = party({
  name: '山田 花子',
  kana: 'ヤマダ ハナコ',
  phone: '06-6345-1234',
  postalCode: '530-0001',
  prefecture: '大阪府',
  address1: '大阪市北区',
  // ㈱ and ① are CP932-only characters (NEC special row): they survive because CP932, not
  // Shift_JIS, is decoded.
  address2: '梅田3-1-3 ㈱サンプル商事 ①号室',
});
const suzuki = party({
  name: '鈴木 一郎',
  kana: 'スズキ イチロウ',
  phone: '011-222-3333',
  postalCode: '060-0001',
  prefecture: '北海道',
  address1: '札幌市中央区',
  address2: '北1条西2丁目',
});
const satoHanako = party({
  name: '佐藤 花子',
  kana: 'サトウ ハナコ',
  phone: '092-111-2222',
  postalCode: '812-0012',
  prefecture: '福岡県',
  address1: '福岡市博多区',
  address2: '博多駅中央街1-1',
});
const itoMakoto = party({
  name: '伊藤 誠',
  kana: 'イトウ マコト',
  email: 'makoto.ito@example.jp',
  phone: '080-1111-2222',
  postalCode: '980-0021',
  prefecture: '宮城県',
  address1: '仙台市青葉区',
  address2: '中央1-1-1',
});
const takahashiKenichi = party({
  name: '高橋 健一',
  kana: 'タカハシ ケンイチ',
  email: 'kenichi.takahashi@example.jp',
  phone: '052-123-4567',
  postalCode: '450-0002',
  prefecture: '愛知県',
  address1: '名古屋市中村区名駅1-1-4',
  address2: 'パークタワー1203',
});
const takahashiMisaki = party({
  name: '高橋 美咲',
  kana: 'タカハシ ミサキ',
  phone: '075-111-2222',
  postalCode: '600-8216',
  prefecture: '京都府',
  address1: '京都市下京区烏丸通塩小路下ル東塩小路町721-1',
});
const kimuraOrderer = party({
  name: '木村 恵子',
  kana: 'キムラ ケイコ',
  email: 'keiko.kimura@example.jp',
  phone: '0542214444',
  postalCode: '420-0853',
  prefecture: '静岡県',
  address1: '静岡市葵区追手町9-6',
  address2: 'コーポ青葉102',
});
const shimizu = party({
  name: '清水 蓮',
  kana: 'シミズ レン',
  email: 'ren.shimizu@example.jp',
  phone: '098-123-4567',
  postalCode: '900-0021',
  prefecture: '沖縄県',
  address1: '那覇市泉崎1-2-2',
});
const hasegawa = party({
  name: '長谷川 千尋',
  kana: 'ハセガワ チヒロ',
  phone: '078-333-4444',
  postalCode: '650-0001',
  prefecture: '兵庫県',
  address1: '神戸市中央区加納町6-5-1',
});
const inoue = party({
  name: '井上 結衣',
  kana: 'イノウエ ユイ',
  phone: '090-1111-2222',
  postalCode: '100-0005',
  prefecture: '東京都',
  address1: '千代田区丸の内1-9-1',
});
const yoshida = party({
  name: '吉田 浩二',
  kana: 'ヨシダ コウジ',
  phone: '048-111-2222',
  postalCode: '330-0063',
  prefecture: '埼玉県',
  address1: 'さいたま市浦和区高砂3-15-1',
});
const matsumoto = party({
  name: '松本 さくら',
  phone: '03-3333-4444',
  postalCode: '154-0024',
  prefecture: '東京都',
  address1: '世田谷区三軒茶屋2-11-22 サンハイツ305号',
});

type Line = CartOrder['lines'][number];
const line = (
  l: Pick<Line, 'cartProductCode' | 'name' | 'quantity' | 'unitPrice'> & Partial<Line>,
): Line => ({
  packageNo: 1,
  cartOptionCode: null,
  taxIncluded: true,
  taxRate: null,
  taxAmount: null,
  ...l,
});

function order(o: Partial<CartOrder> & Pick<CartOrder, 'cartOrderNo' | 'orderer' | 'packages'>): CartOrder {
  return {
    store: 'csv-main',
    cart: 'csv',
    cartStatus: '',
    cancelledInCart: false,
    orderedAt: '',
    cartUpdatedAt: null,
    currency: 'JPY',
    customerRemarks: null,
    internalComment: null,
    shipTo: o.packages[0]!.shipTo,
    lines: [],
    delivery: { requestedDate: null, timeSlot: null, carrier: null, method: null, fee: null },
    payment: { method: null, cardType: null, fee: null, paidAt: null },
    totals: { goods: null, shipping: null, fees: null, discount: null, points: null, tax: null, total: null },
    ...o,
  };
}

/** The store settings that map custom-layout-utf8.tsv's own headers (shared with fuzz.test.ts). */
const customSettings: unknown = JSON.parse(fixture('custom-layout-utf8.settings.json').toString('utf8'));

interface FixtureCase {
  file: string;
  settings?: unknown;
  layout: string;
  encoding: string;
  delimiter: string;
  rows: number;
  orders: CartOrder[];
}

const CASES: FixtureCase[] = [
  {
    file: 'rakuten-handwritten-cp932.csv',
    layout: 'rakuten',
    encoding: 'cp932',
    delimiter: ',',
    rows: 5,
    orders: [
      order({
        cartOrderNo: '385712-20240422-0000001234',
        cartStatus: '発送待ち',
        orderedAt: '2024-04-22T10:03:12+09:00',
        // A quoted cell over several CRLF lines; ～ is CP932's FULLWIDTH TILDE.
        customerRemarks:
          '[配送日時指定:]\n2024-05-02(木)\n午前中\n\n贈り物です。のしは「御祝」でお願いします～\n領収書は不要です',
        internalComment: '要確認：のし',
        orderer: yamadaTaro,
        packages: [
          { packageNo: 1, shipTo: yamadaHanako },
          { packageNo: 2, shipTo: suzuki },
        ],
        lines: [
          line({
            cartProductCode: 'TSE-0013-9124',
            name: '静岡深蒸し煎茶 100g',
            quantity: 2,
            unitPrice: 1296,
          }),
          line({
            cartProductCode: 'KYUSU-TKN',
            cartOptionCode: 'COLOR-RED',
            name: '常滑焼 急須 朱泥',
            quantity: 1,
            unitPrice: 5500,
          }),
          // No 商品番号: the product code falls back to 商品管理番号.
          line({
            packageNo: 2,
            cartProductCode: '00000920001',
            name: '新潟県産コシヒカリ 5kg',
            quantity: 1,
            unitPrice: 3980,
          }),
        ],
        delivery: {
          requestedDate: '2024-05-02',
          timeSlot: '午前中',
          carrier: null,
          method: '宅配便',
          fee: 660,
        },
        payment: { method: '銀行振込', cardType: null, fee: 0, paidAt: null },
        totals: { goods: 12072, shipping: 660, fees: 0, discount: 0, points: 300, tax: 1046, total: 12432 },
      }),
      order({
        cartOrderNo: '385712-20240422-0000001235',
        cartStatus: 'キャンセル確定',
        cancelledInCart: true,
        // 注文日時 empty: 注文日 + 注文時間.
        orderedAt: '2024-04-22T23:59:59+09:00',
        orderer: { ...satoHanako, email: 'hanako.sato@example.jp' },
        packages: [{ packageNo: 1, shipTo: satoHanako }],
        lines: [
          line({
            cartProductCode: '00000940100',
            name: '南部鉄器 急須 0.65L',
            quantity: 1,
            unitPrice: 8000,
            taxIncluded: false,
          }),
        ],
        delivery: { requestedDate: null, timeSlot: '14-16', carrier: null, method: '宅配便', fee: 0 },
        payment: { method: '代金引換', cardType: null, fee: 330, paidAt: null },
        // -9999: not yet known (未確定).
        totals: { goods: 8000, shipping: 0, fees: 330, discount: 0, points: 0, tax: null, total: null },
      }),
      order({
        cartOrderNo: '385712-20240423-0000001236',
        cartStatus: '注文確認待ち',
        orderedAt: '2024-04-23T08:05:00+09:00',
        orderer: itoMakoto,
        // No ship-to cells: ships to the orderer.
        packages: [{ packageNo: 1, shipTo: itoMakoto }],
        lines: [
          line({ cartProductCode: '00000930013', name: '手焼きせんべい 1袋', quantity: 2, unitPrice: 1620 }),
        ],
        delivery: { requestedDate: null, timeSlot: null, carrier: null, method: 'メール便', fee: 0 },
        payment: { method: 'クレジットカード', cardType: null, fee: 0, paidAt: null },
        totals: { goods: 3240, shipping: 0, fees: 0, discount: 0, points: 0, tax: 240, total: 3240 },
      }),
    ],
  },
  {
    file: 'yahoo-handwritten-cp932.csv',
    layout: 'yahoo',
    encoding: 'cp932',
    delimiter: ',',
    rows: 3,
    orders: [
      order({
        cartOrderNo: 'teastore-10000123',
        cartStatus: '2',
        orderedAt: '2024-04-22T10:03:12+09:00',
        customerRemarks: '置き配を希望します',
        orderer: takahashiKenichi,
        packages: [{ packageNo: 1, shipTo: takahashiMisaki }],
        lines: [
          line({
            cartProductCode: 'TSE-0013-9124',
            name: '静岡深蒸し煎茶 100g',
            quantity: 1,
            unitPrice: 1296,
            taxRate: 8,
            taxAmount: 96,
          }),
          line({
            cartProductCode: '00000940102',
            name: '有田焼 湯呑み ペア',
            quantity: 1,
            unitPrice: 4400,
            taxRate: 10,
            taxAmount: 400,
          }),
        ],
        delivery: {
          requestedDate: '2024-05-02',
          timeSlot: '14:00～16:00',
          carrier: '1001',
          method: '宅配便',
          fee: 0,
        },
        payment: { method: 'payment_b1', cardType: null, fee: 0, paidAt: null },
        totals: { goods: null, shipping: 0, fees: 0, discount: 100, points: 50, tax: null, total: 5546 },
      }),
      order({
        cartOrderNo: 'teastore-10000124',
        cartStatus: '4',
        cancelledInCart: true,
        orderedAt: '2024-04-22T11:00:00+09:00',
        orderer: takahashiKenichi,
        packages: [{ packageNo: 1, shipTo: takahashiKenichi }],
        lines: [
          line({
            cartProductCode: 'KYUSU-TKN',
            cartOptionCode: 'COLOR-RED',
            name: '常滑焼 急須 朱泥',
            quantity: 1,
            unitPrice: 5500,
            taxRate: 10,
            taxAmount: 500,
          }),
        ],
        delivery: { requestedDate: null, timeSlot: null, carrier: '1001', method: '宅配便', fee: 0 },
        payment: { method: 'payment_a1', cardType: null, fee: 0, paidAt: null },
        totals: { goods: null, shipping: 0, fees: 0, discount: 0, points: 0, tax: null, total: 5500 },
      }),
    ],
  },
  {
    file: 'ec-cube-handwritten-utf8bom.csv',
    layout: 'ec-cube',
    encoding: 'utf-8',
    delimiter: ',',
    rows: 7,
    orders: [
      order({
        cartOrderNo: '101',
        cartStatus: '新規受付',
        orderedAt: '2024-04-22T10:03:12+09:00',
        internalComment: '電話確認済み',
        orderer: kimuraOrderer,
        packages: [{ packageNo: 1, shipTo: { ...kimuraOrderer, email: null } }],
        // The 送料 and 手数料 rows (明細区分 2, 3) are not lines; 価格 is tax-excluded.
        lines: [
          line({
            cartProductCode: 'TSE-0013-9248',
            name: '玄米茶 200g',
            quantity: 2,
            unitPrice: 650,
            taxIncluded: false,
            taxRate: 8,
          }),
          line({
            cartProductCode: '00000940104',
            name: '竹製 茶さじ',
            quantity: 1,
            unitPrice: 500,
            taxIncluded: false,
            taxRate: 10,
          }),
        ],
        delivery: {
          requestedDate: '2024-05-02',
          timeSlot: '午前中',
          carrier: 'サンプル業者',
          method: null,
          fee: 600,
        },
        payment: { method: '銀行振込', cardType: null, fee: null, paidAt: null },
        totals: { goods: 1954, shipping: 600, fees: null, discount: 0, points: null, tax: 204, total: 2554 },
      }),
      order({
        cartOrderNo: '102',
        cartStatus: '注文取消',
        cancelledInCart: true,
        orderedAt: '2024-04-22T11:30:00+09:00',
        customerRemarks: '不在時は宅配ボックスへ\n（2F）',
        orderer: shimizu,
        packages: [
          { packageNo: 1, shipTo: { ...shimizu, email: null } },
          { packageNo: 2, shipTo: hasegawa },
        ],
        lines: [
          line({
            cartProductCode: '00000940101',
            cartOptionCode: '朱泥',
            name: '常滑焼 急須',
            quantity: 1,
            unitPrice: 5000,
            taxIncluded: false,
            taxRate: 10,
          }),
          line({
            packageNo: 2,
            cartProductCode: '00000940100',
            name: '南部鉄器 急須 0.65L',
            quantity: 1,
            unitPrice: 3000,
            taxIncluded: false,
            taxRate: 10,
          }),
        ],
        delivery: { requestedDate: null, timeSlot: null, carrier: 'サンプル業者', method: null, fee: 1200 },
        payment: { method: '郵便振替', cardType: null, fee: null, paidAt: '2024-04-22T12:00:00+09:00' },
        totals: {
          goods: 8800,
          shipping: 1200,
          fees: null,
          discount: 0,
          points: null,
          tax: 909,
          total: 10000,
        },
      }),
    ],
  },
  {
    file: 'custom-layout-utf8.tsv',
    settings: customSettings,
    layout: 'custom',
    encoding: 'utf-8',
    delimiter: '\t',
    rows: 3,
    orders: [
      order({
        cartOrderNo: 'W-0001',
        cartStatus: '受付',
        orderedAt: '2024-04-22T10:03:00+09:00',
        orderer: inoue,
        packages: [{ packageNo: 1, shipTo: inoue }],
        // Its rows are not adjacent (row 2 and row 4); the full-width １ is 1.
        lines: [
          line({
            cartProductCode: 'TSE-0013-9124',
            name: '静岡深蒸し煎茶 100g',
            quantity: 1,
            unitPrice: 1296,
            taxRate: 8,
            taxAmount: 96,
          }),
          line({
            cartProductCode: 'NEW-2026-AKI',
            name: '【新商品】秋限定 和紅茶 50g',
            quantity: 3,
            unitPrice: 1480,
            taxRate: 8,
            taxAmount: 328,
          }),
        ],
        delivery: { requestedDate: '2024-05-02', timeSlot: '19-21', carrier: null, method: null, fee: null },
        payment: { method: '代金引換', cardType: null, fee: null, paidAt: null },
      }),
      order({
        cartOrderNo: 'W-0002',
        cartStatus: '受付',
        orderedAt: '2024-04-22T13:45:00+09:00',
        customerRemarks: '熨斗は「内祝」で',
        orderer: yoshida,
        packages: [{ packageNo: 1, shipTo: matsumoto }],
        lines: [
          line({
            cartProductCode: '00000950001',
            name: 'ギフトボックス（のし対応）',
            quantity: 2,
            unitPrice: 330,
            taxRate: 10,
            taxAmount: 60,
          }),
        ],
        payment: { method: '銀行振込', cardType: null, fee: null, paidAt: null },
      }),
    ],
  },
];

describe.each(CASES)('fixture $file', (c) => {
  const { parsed, orders } = normalizedFile(c.file, fixture(c.file), c.settings);

  it(`is read as ${c.layout}, ${c.encoding}, delimiter ${JSON.stringify(c.delimiter)}`, () => {
    expect([parsed.layout, parsed.encoding, parsed.delimiter, parsed.rows]).toEqual([
      c.layout,
      c.encoding,
      c.delimiter,
      c.rows,
    ]);
    expect([...orders.keys()]).toEqual(c.orders.map((o) => o.cartOrderNo));
  });

  const rows = c.orders.flatMap((o) =>
    leaves(o).map(([path, value]) => [o.cartOrderNo, path, value] as const),
  );
  it.each(rows)('%s %s = %j', (no, path, value) => {
    const actual = new Map(leaves(orders.get(no)));
    expect(actual.get(path)).toEqual(value);
  });

  it.each(c.orders.map((o) => [o.cartOrderNo, o] as const))(
    '%s has no field beyond those checked',
    (no, o) => {
      const paths = (x: unknown) =>
        leaves(x)
          .map(([p]) => p)
          .sort();
      expect(paths(orders.get(no))).toEqual(paths(o));
    },
  );
});

describe('the generated Rakuten sample (fixtures/rakuten-generated-seed7-cp932.csv)', () => {
  it('normalizes every order of the committed file', () => {
    const { parsed, orders } = normalizedFile('sample', fixture('rakuten-generated-seed7-cp932.csv'));
    expect(parsed.layout).toBe('rakuten');
    expect(parsed.encoding).toBe('cp932');
    expect(orders.size).toBe(12);
  });
});

describe('generator → Rakuten CSV (CP932, CRLF) → orders, field by field', () => {
  const from = new Date('2024-04-19T15:00:00Z');
  const to = new Date('2024-04-22T15:00:00Z');
  // Seen four days later, so that payments, edits and cancels have happened.
  const now = new Date(to.getTime() + 4 * 86_400_000);
  const views = generateOrders({ seed: 20240422, count: 120, from, to, multiPackageShare: 0.3 }).map((o) =>
    viewAt(o, now),
  );
  const body = renderRakutenCsv(views, rakutenCsvOrderNo);
  const { orders } = normalizedFile('generated.csv', body);

  const partyOf = (p: SimParty, email: boolean): Party => ({
    name: `${p.familyName} ${p.firstName}`,
    kana: `${p.familyKana} ${p.firstKana}`,
    email: email ? p.email : null,
    phone: p.phone,
    postalCode: p.postalCode,
    prefecture: p.prefecture,
    address1: p.city,
    address2: p.building ? `${p.street} ${p.building}` : p.street,
  });

  it('covers gifts, split packages, 8% and 10% lines, edits and cancels', () => {
    expect(body.includes(Buffer.from('\r\n'))).toBe(true);
    expect(views.some((v) => v.gift)).toBe(true);
    expect(views.some((v) => v.shipTos.length > 1)).toBe(true);
    expect(views.some((v) => v.edits > 0)).toBe(true);
    expect(views.some((v) => v.state === 'cancelled')).toBe(true);
    expect(views.some((v) => v.lines.some((l) => l.product.taxRate === 8))).toBe(true);
    expect(orders.size).toBe(views.length);
  });

  it.each(views.map((v) => [rakutenCsvOrderNo(v), v] as const))('%s', (no, v) => {
    const o = orders.get(no)!;
    const status = { new: '注文確認待ち', paid: '発送待ち', shipped: '発送済', cancelled: 'キャンセル確定' }[
      v.state
    ];
    const goods = goodsTotal(v);
    expect(o.cartStatus).toBe(status);
    expect(o.cancelledInCart).toBe(v.state === 'cancelled');
    expect(o.orderedAt).toBe(toJstIso(v.orderedAt));
    expect(o.customerRemarks).toBe(v.remarks);
    expect(o.orderer).toEqual(partyOf(v.orderer, true));
    expect(o.packages).toEqual(v.shipTos.map((s, i) => ({ packageNo: i + 1, shipTo: partyOf(s, false) })));
    expect(o.shipTo).toEqual(partyOf(v.shipTos[0]!, false));
    expect(o.lines).toEqual(
      v.lines.map((l, i) => ({
        packageNo: l.packageNo,
        cartProductCode: l.product.cartCode,
        cartOptionCode: l.product.cartOptionCode,
        name: l.product.name,
        quantity: editedQuantity(v, i),
        unitPrice: l.product.price,
        taxIncluded: true,
        taxRate: l.product.taxRate,
        taxAmount: includedTax(l.product.price * editedQuantity(v, i), l.product.taxRate),
      })),
    );
    expect(o.delivery).toEqual({
      requestedDate: v.requestedDate,
      timeSlot: v.timeSlot,
      carrier: null,
      method: '宅配便',
      fee: v.shippingFee,
    });
    expect(o.payment).toEqual({
      method: RAKUTEN_PAYMENT_NAMES[v.payment],
      cardType: null,
      fee: v.paymentFee,
      paidAt: null,
    });
    expect(o.totals).toMatchObject({
      goods,
      shipping: v.shippingFee,
      fees: v.paymentFee,
      discount: v.couponDiscount,
      points: v.pointsUsed,
      total: goods + v.shippingFee + v.paymentFee - v.pointsUsed - v.couponDiscount,
    });
  });
});
