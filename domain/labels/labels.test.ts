// Golden rows of every label layout: a plain order, a 代引 order with a time slot, a two-package
// gift order and one that does not fit; every non-empty field is named, so a column that moves fails.
import { describe, expect, it } from 'vitest';
import {
  type LabelBatch,
  type LabelPackage,
  managementKey,
  parseManagementKey,
  renderCsv,
} from './common.js';
import { LAYOUTS, layoutFor } from './index.js';
import { buildYupri, YUPRI_COLUMNS } from './japanpost-yupri.js';
import { parseResultFile } from './results.js';
import { buildEhiden, EHIDEN2_COLUMNS, EHIDEN3_COLUMNS } from './sagawa-ehiden.js';
import { B2_COLUMNS, buildB2 } from './yamato-b2.js';

const sender = {
  name: '茶葉の店 みどり',
  phone: '03-1234-5678',
  postalCode: '1000001',
  prefecture: '東京都',
  address1: '千代田区千代田1-1',
  address2: '',
};

const pkg = (over: Partial<LabelPackage>): LabelPackage => ({
  orderId: 1,
  orderNo: '00000012',
  cartOrderNo: 'R-100',
  packageNo: 1,
  shipTo: {
    name: '山田 太郎',
    phone: '０９０−１１１１−２２２２',
    postalCode: '900-0001',
    prefecture: '沖縄県',
    address1: '那覇市港町2-3',
    address2: 'ハイツ港101',
  },
  items: [{ name: '煎茶 100g', quantity: 2 }],
  parcels: 1,
  method: null,
  requestedDate: null,
  timeSlot: null,
  codAmount: null,
  codTax: null,
  sizeClass: '60',
  ...over,
});

const batch = (packages: LabelPackage[], codes: Record<string, string> = {}): LabelBatch => ({
  shipDate: '2026-12-03',
  sender,
  codes,
  packages,
});

/** The row's non-empty fields, by column name (B2 by "No.n name": it repeats 予備). */
function filled(columns: readonly string[], row: string[], numbered = false): Record<string, string> {
  expect(row).toHaveLength(columns.length);
  const out: Record<string, string> = {};
  columns.forEach((c, i) => {
    if (row[i] !== '') out[numbered ? `${i + 1} ${c}` : c] = row[i]!;
  });
  return out;
}

const plain = pkg({});
const cod = pkg({
  orderNo: '00000013',
  cartOrderNo: 'R-101',
  requestedDate: '2026-12-06',
  timeSlot: '14:00～16:00',
  codAmount: 3580,
  codTax: 265,
  items: [
    { name: '煎茶 100g', quantity: 1 },
    { name: '急須', quantity: 1 },
  ],
});

describe('management numbers', () => {
  it('are 受注No and two package digits, and read back', () => {
    expect(managementKey('00000012', 1)).toBe('0000001201');
    expect(parseManagementKey('0000001202')).toEqual({ orderSeq: 12, packageNo: 2 });
    expect(parseManagementKey('１２３４０１')).toEqual({ orderSeq: 1234, packageNo: 1 });
    expect(parseManagementKey('A-1')).toBeNull();
    expect(parseManagementKey('0000001200')).toBeNull();
  });
});

describe('ヤマト B2クラウド', () => {
  it('has the layout’s 95 columns', () => {
    expect(B2_COLUMNS).toHaveLength(95);
    expect(B2_COLUMNS[3]).toBe('伝票番号');
    expect(B2_COLUMNS[39]).toBe('ご請求先顧客コード');
  });

  it('writes a 発払い order and a コレクト order with its time code', () => {
    const f = buildB2(
      batch([plain, cod], { yamatoBillingCustomerCode: '012345678901', yamatoFreightNo: '01' }),
    );
    expect(f.refused).toEqual([]);
    expect(filled(B2_COLUMNS, f.rows[0]!, true)).toEqual({
      '1 お客様管理番号': '0000001201',
      '2 送り状種別': '0',
      '3 クール区分': '0',
      '5 出荷予定日': '2026/12/03',
      '9 お届け先電話番号': '090-1111-2222',
      '11 お届け先郵便番号': '900-0001',
      '12 お届け先住所': '沖縄県那覇市港町2-3',
      '13 お届け先住所（アパートマンション名）': 'ハイツ港101',
      '16 お届け先名': '山田 太郎',
      '18 敬称': '様',
      '20 ご依頼主電話番号': '03-1234-5678',
      '22 ご依頼主郵便番号': '100-0001',
      '23 ご依頼主住所': '東京都千代田区千代田1-1',
      '25 ご依頼主名': '茶葉の店 みどり',
      '28 品名１': '煎茶 100g',
      '33 記事': '注文番号 R-100',
      '38 発行枚数': '1',
      '40 ご請求先顧客コード': '012345678901',
      '42 運賃管理番号': '01',
    });
    expect(filled(B2_COLUMNS, f.rows[1]!, true)).toMatchObject({
      '1 お客様管理番号': '0000001301',
      '2 送り状種別': '2',
      '6 お届け予定（指定）日': '2026/12/06',
      '7 配達時間帯': '1416',
      '28 品名１': '煎茶 100g ほか1点',
      '30 品名２': '急須',
      '34 コレクト代金引換額（税込）': '3580',
      '35 コレクト内消費税額等': '265',
    });
  });

  it('leaves out what Yamato cannot do, saying why', () => {
    const f = buildB2(
      batch([
        pkg({ timeSlot: '12-14' }),
        pkg({ method: 'nekopos', codAmount: 1000, codTax: 90 }),
        pkg({ method: 'nekopos', requestedDate: '2026-12-05' }),
        pkg({ method: 'compact', codAmount: 1000, codTax: 90, parcels: 2 }),
      ]),
    );
    expect(f.rows).toHaveLength(3);
    expect(f.rows[0]![6]).toBe('');
    expect(f.rows[1]![1]).toBe('7');
    expect(f.rows[1]![5]).toBe('');
    expect(f.rows[2]!.slice(0, 2)).toEqual(['0000001201', '9']);
    expect(f.rows[2]![37]).toBe('2');
    expect(f.rows[2]![38]).toBe('1');
    expect(f.refused).toEqual([{ orderNo: '00000012', message: expect.stringContaining('ネコポスは代引') }]);
    expect(f.warnings.map((w) => w.message)).toEqual([
      '時間帯「12時〜14時」はヤマトで指定できないため、指定なしにしました',
      'ネコポスはお届け日時を指定できないため、日時指定を外しました',
    ]);
  });

  it('cuts a field that does not fit, with a warning', () => {
    const f = buildB2(
      batch([pkg({ shipTo: { ...plain.shipTo, name: '株式会社ながいながいなまえのかいしゃ営業部' } })]),
    );
    expect(f.rows[0]![15]).toBe('株式会社ながいながいなまえのかい');
    expect(f.warnings[0]!.message).toContain('お届け先名が長すぎる');
  });
});

describe('佐川 e飛伝', () => {
  it('e飛伝Ⅲ: 74 columns, address over three lines of 16, 代引 with eコレクト and the time seal', () => {
    expect(EHIDEN3_COLUMNS).toHaveLength(74);
    const f = buildEhiden(
      batch(
        [
          cod,
          pkg({
            shipTo: {
              ...plain.shipTo,
              address1: '国頭郡恩納村字恩納1234番地の5678',
              address2: 'オーシャンビューリゾートマンション801',
            },
          }),
        ],
        { sagawaCustomerCode: '123456789012' },
      ),
    );
    expect(filled(EHIDEN3_COLUMNS, f.rows[0]!)).toEqual({
      お届け先電話番号: '090-1111-2222',
      お届け先郵便番号: '900-0001',
      お届け先住所１: '沖縄県那覇市港町2-3ハイツ港101',
      お届け先名称１: '山田 太郎',
      お客様管理番号: '0000001301',
      お客様コード: '123456789012',
      荷送人電話番号: '03-1234-5678',
      ご依頼主電話番号: '03-1234-5678',
      ご依頼主郵便番号: '100-0001',
      ご依頼主住所１: '東京都千代田区千代田1-1',
      ご依頼主名称１: '茶葉の店 みどり',
      品名１: '煎茶 100g',
      品名２: '急須',
      出荷個数: '1',
      スピード指定: '000',
      クール便指定: '001',
      配達日: '20261206',
      配達指定時間帯: '14',
      代引金額: '3580',
      消費税: '265',
      決済種別: '1',
      指定シール１: '023',
      指定シール２: '010',
      元着区分: '1',
      出荷日: '20261203',
    });
    const long = filled(EHIDEN3_COLUMNS, f.rows[1]!);
    expect([long.お届け先住所１, long.お届け先住所２, long.お届け先住所３]).toEqual([
      '沖縄県国頭郡恩納村字恩納1234番地',
      'の5678オーシャンビューリゾートマ',
      'ンション801',
    ]);
  });

  it('e飛伝Ⅱ: 42 columns, 便種 codes, 指定日 seal without a time', () => {
    expect(EHIDEN2_COLUMNS).toHaveLength(42);
    const f = buildEhiden(batch([pkg({ requestedDate: '2026-12-05' })]), 2);
    expect(filled(EHIDEN2_COLUMNS, f.rows[0]!)).toMatchObject({
      お客様管理ナンバー: '0000001201',
      荷姿コード: '001',
      '便種（スピードで選択）': '000',
      '便種（商品）': '001',
      配達日: '20261205',
      指定シール１: '005',
      元着区分: '1',
    });
    expect(layoutFor('sagawa', { sagawaLayout: 'ehiden2' }).id).toBe('ehiden2');
    expect(layoutFor('sagawa').id).toBe('ehiden3');
  });
});

describe('日本郵便 ゆうプリR', () => {
  it('has 117 columns and writes ゆうパック, 代引 and the time code', () => {
    expect(YUPRI_COLUMNS).toHaveLength(117);
    const f = buildYupri(
      batch([pkg({ parcels: 2 }), pkg({ ...cod, method: 'yupack' })], {
        'japanpostSlip.yupackCod': '1100781',
      }),
    );
    expect(filled(YUPRI_COLUMNS, f.rows[0]!)).toEqual({
      お客様側管理番号: '0000001201',
      発送予定日: '20261203',
      郵便種別: '0',
      保冷種別: '0',
      '元／着払／代引': '0',
      送り状種別: '1100780',
      'お届け先 郵便番号': '900-0001',
      'お届け先 住所１': '沖縄県那覇市港町2-3',
      'お届け先 住所３': 'ハイツ港101',
      'お届け先 名称１': '山田 太郎',
      'お届け先 敬称区分': '0',
      'お届け先 電話番号': '090-1111-2222',
      'ご依頼主 郵便番号': '100-0001',
      'ご依頼主 住所１': '東京都千代田区千代田1-1',
      'ご依頼主 名称１': '茶葉の店 みどり',
      'ご依頼主 電話番号': '03-1234-5678',
      受注番号: 'R-100',
      商品サイズ区分: '60',
      配達時間帯区分: '00',
      複数個口数: '2',
      記事名１: '煎茶 100g',
      品名: '煎茶 100g',
      個数: '2',
    });
    expect(filled(YUPRI_COLUMNS, f.rows[1]!)).toMatchObject({
      '元／着払／代引': '2',
      送り状種別: '1100781',
      '配達指定日／希望日': '20261206',
      配達時間帯区分: '53',
      代引金額: '3580',
      代引消費税金額: '265',
    });
    expect(f.warnings).toEqual([]);
  });

  it('a store’s own time code wins; ゆうパケット cannot collect', () => {
    const f = buildYupri(
      batch([pkg({ timeSlot: '午前中' }), pkg({ method: 'yupacket', codAmount: 500, codTax: 45 })], {
        'japanpostTime.am': '60',
      }),
    );
    expect(f.rows[0]![YUPRI_COLUMNS.indexOf('配達時間帯区分')]).toBe('60');
    expect(f.refused[0]!.message).toContain('ゆうパケットは代引にできません');
  });
});

describe('rendering', () => {
  it('quotes every field, doubles quotes, CRLF rows, line breaks become spaces', () => {
    expect(renderCsv({ header: ['a', 'b'], rows: [['x"y', 'p\r\nq']] })).toBe('"a","b"\r\n"x""y","p q"\r\n');
  });

  it('every layout is named and reads as its carrier', () => {
    for (const l of Object.values(LAYOUTS)) expect(l.name.length).toBeGreaterThan(5);
  });
});

describe('result files', () => {
  it('B2 発行済みデータ with its title row: key and 伝票番号 by name, several parcels of one package', () => {
    const header = [...B2_COLUMNS];
    const row = (key: string, no: string) => {
      const r = header.map(() => '');
      r[0] = key;
      r[3] = no;
      r[4] = '2026/12/03';
      return r;
    };
    const p = parseResultFile('yamato', [
      header,
      row('0000001201', '4000-1111-2222'),
      row('0000001201', '400011112233'),
      row('9999', '400011112244'),
      row('0000001301', ''),
    ]);
    expect(p.read).toBe('header');
    expect(p.rows.map((r) => [r.rowNo, r.ref, r.trackingNumber, r.shippedOn])).toEqual([
      [2, { orderSeq: 12, packageNo: 1 }, '400011112222', '2026-12-03'],
      [3, { orderSeq: 12, packageNo: 1 }, '400011112233', '2026-12-03'],
      [4, { orderSeq: 99, packageNo: 99 }, '400011112244', '2026-12-03'],
    ]);
    expect(p.errors).toEqual([
      { rowNo: 5, key: '0000001301', trackingNumber: '', message: '伝票番号が空です（未発行の行）' },
    ]);
  });

  it('ゆうプリR without a title row: by position', () => {
    const p = parseResultFile('japanpost', [['0000001201', '123456789012', '123456789012', '20261203']]);
    expect(p.read).toBe('position');
    expect(p.rows[0]).toMatchObject({ trackingNumber: '123456789012', shippedOn: '2026-12-03' });
  });

  it('e飛伝 with names it writes (お問い合せ送り状No.)', () => {
    const p = parseResultFile('sagawa', [
      ['お問い合せ送り状No.', '出荷日', 'お客様管理番号'],
      ['３６１２３４５６７８９０', '20261203', '0000001201'],
    ]);
    expect(p.rows[0]).toMatchObject({ trackingNumber: '361234567890', ref: { orderSeq: 12, packageNo: 1 } });
  });
});
