import { describe, expect, it } from 'vitest';
import {
  type CarrierRule,
  checkRules,
  decideCarrier,
  isCod,
  orderSizeClass,
  parsePostalValue,
  parseSizeClass,
} from './carrier-rules.js';
import { readTimeSlot } from './time-slot.js';

const rule = (position: number, r: Partial<CarrierRule>): CarrierRule => ({
  position,
  kind: 'prefecture',
  values: [],
  carrier: 'yamato',
  method: 'takkyubin',
  note: null,
  ...r,
});

const RULES: CarrierRule[] = [
  rule(1, { kind: 'cod', carrier: 'sagawa', method: 'hikyaku' }),
  rule(2, { kind: 'prefecture', values: ['沖縄県'], carrier: 'japanpost', method: 'yupack' }),
  rule(3, {
    kind: 'postal',
    values: ['1000100-1002999'],
    note: '伊豆・小笠原諸島',
    carrier: 'japanpost',
    method: 'yupack',
  }),
  rule(4, { kind: 'size', values: ['140'], carrier: 'sagawa', method: 'hikyaku' }),
];
const DEFAULT = { carrier: 'yamato' as const, method: 'takkyubin' };
const facts = (o: Partial<Parameters<typeof decideCarrier>[2]>) => ({
  prefecture: '東京都',
  postalCode: '1500001',
  sizeClass: '60' as const,
  cod: false,
  ...o,
});

describe('carrier rules', () => {
  it('the first matching rule wins, else the default, and says which', () => {
    expect(decideCarrier(RULES, DEFAULT, facts({}))).toEqual({
      carrier: 'yamato',
      method: 'takkyubin',
      source: 'default',
      rule: null,
      reason: '既定: ヤマト運輸 宅急便',
    });
    expect(
      decideCarrier(RULES, DEFAULT, facts({ prefecture: '沖縄県', postalCode: '9000001' })),
    ).toMatchObject({
      carrier: 'japanpost',
      rule: 2,
      reason: 'ルール2: 沖縄県 → 日本郵便 ゆうパック',
    });
    expect(decideCarrier(RULES, DEFAULT, facts({ postalCode: '100-1511' }))).toMatchObject({
      rule: 3,
      reason: 'ルール3: 伊豆・小笠原諸島（郵便番号 1000100-1002999） → 日本郵便 ゆうパック',
    });
    // 千代田区 (100-0001) is not an island.
    expect(decideCarrier(RULES, DEFAULT, facts({ postalCode: '1000001' })).source).toBe('default');
    expect(decideCarrier(RULES, DEFAULT, facts({ sizeClass: '160' }))).toMatchObject({
      rule: 4,
      carrier: 'sagawa',
    });
    expect(decideCarrier(RULES, DEFAULT, facts({ sizeClass: '120' })).rule).toBeNull();
    expect(decideCarrier(RULES, DEFAULT, facts({ prefecture: '沖縄県', cod: true }))).toMatchObject({
      rule: 1,
    });
  });

  it('no default and no rule: no carrier, saying so; ネコポス is never chosen for 代引', () => {
    expect(decideCarrier([], null, facts({})).carrier).toBeNull();
    const nekopos = { carrier: 'yamato' as const, method: 'nekopos' };
    expect(decideCarrier([], nekopos, facts({ cod: true }))).toMatchObject({
      method: 'takkyubin',
      reason: '既定: ヤマト運輸 宅急便（代引のため）',
    });
    expect(
      decideCarrier(
        [rule(1, { kind: 'size', values: ['mail'], method: 'nekopos' })],
        DEFAULT,
        facts({ cod: true }),
      ).rule,
    ).toBeNull();
  });

  it('checks rules, naming the rule', () => {
    expect(checkRules(RULES, DEFAULT)).toEqual([]);
    expect(
      checkRules(
        [
          rule(1, { values: ['沖縄'] }),
          rule(2, { kind: 'postal', values: ['12-34'] }),
          rule(3, { kind: 'size', values: ['75'] }),
          rule(4, { values: ['沖縄県'], carrier: 'yamato', method: 'yupack' }),
          rule(5, { kind: 'cod', method: 'nekopos' }),
        ],
        { carrier: 'japanpost', method: null },
      ).map((e) => `${e.at}: ${e.message}`),
    ).toEqual([
      '既定: 配送方法を選んでください',
      'ルール1: 「沖縄」は都道府県名ではありません（例: 沖縄県）',
      'ルール2: 「12-34」は郵便番号の範囲ではありません（1000100-1002999 か、先頭の数字 907）',
      'ルール3: サイズ区分を1つ選んでください（mail, 60, 80, 100, 120, 140, 160, 180, 200）',
      'ルール4: ヤマト運輸に配送方法「yupack」はありません（takkyubin: 宅急便、compact: 宅急便コンパクト、nekopos: ネコポス）',
      'ルール5: ネコポスは代引にできません',
    ]);
  });

  it('reads postal values, size classes, 代引 and an order’s size', () => {
    expect(parsePostalValue('907')).toEqual({ from: '9070000', to: '9079999' });
    expect(parsePostalValue('100-01')).toEqual({ from: '1000100', to: '1000199' });
    expect(parsePostalValue('100-0100〜100-2999')).toEqual({ from: '1000100', to: '1002999' });
    expect(parsePostalValue('2000000-1000000')).toBeNull();
    expect(parseSizeClass('１２０サイズ')).toBe('120');
    expect(parseSizeClass('ネコポス')).toBe('mail');
    expect(orderSizeClass(['60', null, '100', 'x'])).toBe('100');
    expect(orderSizeClass([null])).toBeNull();
    expect(isCod('代金引換', null)).toBe(true);
    expect(isCod('Cash on Delivery (COD)', null)).toBe(true);
    expect(isCod('クレジットカード', null)).toBe(false);
    expect(isCod('後払い', ['後払い'])).toBe(true);
    expect(isCod('代金引換', ['後払い'])).toBe(false);
  });
});

describe('time slots', () => {
  it('reads what carts write', () => {
    const slot = (t: string | null) => {
      const r = readTimeSlot(t);
      return r.kind === 'slot' ? r.slot : r.kind;
    };
    expect(
      [
        '午前中',
        '8-12',
        '0812',
        '14-16',
        '14:00～16:00',
        '１４時～１６時',
        '19時-21時',
        '1921',
        '12時頃〜14時頃',
      ].map(slot),
    ).toEqual(['am', 'am', 'am', '14-16', '14-16', '14-16', '19-21', '19-21', '12-14']);
    expect([null, '', '指定なし', 'なし'].map(slot)).toEqual(['none', 'none', 'none', 'none']);
    expect(readTimeSlot('夕方')).toEqual({ kind: 'unknown', text: '夕方' });
    expect(slot('17-19')).toBe('unknown');
  });
});
