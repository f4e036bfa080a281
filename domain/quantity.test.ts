import { describe, expect, it } from 'vitest';
import { parseQuantity, QUANTITY_MAX } from './quantity.js';

describe('parseQuantity: decimal integers only', () => {
  it('reads decimal digits, full-width ones too, with spaces around', () => {
    expect(parseQuantity('5')).toEqual({ ok: true, value: 5 });
    expect(parseQuantity(' 120 ')).toEqual({ ok: true, value: 120 });
    expect(parseQuantity('００７')).toEqual({ ok: true, value: 7 });
    expect(parseQuantity(String(QUANTITY_MAX))).toEqual({ ok: true, value: QUANTITY_MAX });
  });

  it.each([
    '1e3',
    ' 0x10',
    '0x10',
    '1.5',
    '-1',
    '+3',
    '1,000',
    '1 000',
    'Infinity',
    'NaN',
    '',
    ' ',
    '٣',
    '0b1',
  ])('refuses %j naming the cell', (cell) => {
    const r = parseQuantity(cell);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('数量として読めません');
  });

  it('refuses what is below the minimum or above the maximum', () => {
    expect(parseQuantity('0', { min: 1 })).toEqual({ ok: false, message: '"0" は 1 以上にしてください' });
    expect(parseQuantity(String(QUANTITY_MAX + 1)).ok).toBe(false);
    expect(parseQuantity('99999999999999999999').ok).toBe(false);
  });
});
