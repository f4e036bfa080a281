import { describe, expect, it } from 'vitest';
import {
  changedFields,
  checkCode,
  checkJan,
  checkProduct,
  gs1CheckDigit,
  type ProductFields,
  parseFlag,
  parseTaxRate,
} from './product-rules.js';

const good: ProductFields = {
  code: '00000911245',
  name: '静岡深蒸し煎茶 100g',
  jan: '4901234567894',
  taxRate: 8,
  needsCheck: false,
  needsCheckNote: null,
  active: true,
};

describe('product rules', () => {
  it('computes the GS1 check digit (JAN-13, JAN-8, UPC-A, GTIN-14)', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1); // 4006381333931
    expect(gs1CheckDigit('7351353')).toBe(7); // 73513537
    expect(gs1CheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gs1CheckDigit('1400638133393')).toBe(8); // GTIN-14 14006381333938
    expect(checkJan('4006381333931')).toBeNull();
    expect(checkJan('73513537')).toBeNull();
    expect(checkJan('036000291452')).toBeNull();
  });

  it('names what is wrong with a JAN, in Japanese', () => {
    expect(checkJan('4006381333932')).toBe('チェックデジットが違います（最後の桁は 1 のはずです）');
    expect(checkJan('490123456789')).toMatch(/チェックデジット/); // 12 digits: read as UPC-A
    expect(checkJan('12345')).toMatch(/桁数が違います（JAN は 8 桁か 13 桁。入力は 5 桁）/);
    expect(checkJan('4901-2345')).toBe('数字だけで入力してください');
    expect(checkJan('4.90123E+12')).toMatch(/指数表記/);
  });

  it('accepts cart-like codes and refuses spaces, symbols and long ones', () => {
    for (const c of ['00000911245', 'TSE-0013-9124', 'NEW-2026-AKI', 'a.b_c'])
      expect(checkCode(c)).toBeNull();
    for (const c of ['', ' A', 'A B', 'A/B', '-A', 'あ', 'x'.repeat(65)]) expect(checkCode(c)).not.toBeNull();
  });

  it('checks a whole row and names every field at fault', () => {
    expect(checkProduct(good)).toEqual([]);
    const errors = checkProduct({
      ...good,
      code: 'A B',
      name: ' ',
      jan: '123',
      taxRate: 5 as never,
      needsCheckNote: 'x'.repeat(501),
    });
    expect(errors.map((e) => e.field)).toEqual(['code', 'name', 'jan', 'taxRate', 'needsCheckNote']);
    expect(checkProduct({ ...good, name: '改行\nあり' })[0]?.message).toMatch(/制御文字/);
    expect(checkProduct({ ...good, needsCheck: true, needsCheckNote: '名入れ\n確認' })).toEqual([]);
  });

  it('reads tax rates and yes/no cells as operators type them', () => {
    expect(parseTaxRate('10')).toBe(10);
    expect(parseTaxRate('8%')).toBe(8);
    expect(parseTaxRate('８％')).toBe(8);
    expect(parseTaxRate('5')).toBeNull();
    expect(parseTaxRate('0.08')).toBeNull();
    expect(parseFlag('1')).toBe(true);
    expect(parseFlag('はい')).toBe(true);
    expect(parseFlag('○')).toBe(true);
    expect(parseFlag('0')).toBe(false);
    expect(parseFlag('TRUE')).toBe(true);
    expect(parseFlag('maybe')).toBeNull();
  });

  it('lists the fields that change', () => {
    expect(changedFields(good, { ...good, name: '新しい名前', active: false })).toEqual(['name', 'active']);
    expect(changedFields(good, { ...good })).toEqual([]);
  });
});
