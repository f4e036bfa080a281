// How cart actions read to an operator: the cart-side ids as each cart names them, the state filter
// words, which states may be sent again, and a shipment's tracking numbers in a line.
import { describe, expect, it } from 'vitest';
import {
  canResend,
  cartRefLabel,
  cartRefsInWords,
  parseStateFilter,
  payloadInWords,
} from './cart-action-view.js';

describe('cart action view', () => {
  it('names the cart-side ids as the carts do', () => {
    expect(cartRefLabel('shippingDetailId:1:1')).toBe('shippingDetailId（荷物1）');
    expect(cartRefLabel('shippingDetailId:2:3')).toBe('shippingDetailId（荷物2-3）');
    expect(cartRefLabel('package:1')).toBe('packageReferenceId（荷物1）');
    expect(cartRefLabel('fulfillment:2')).toBe('fulfillment id（荷物2）');
    expect(cartRefLabel('file')).toBe('出荷ファイル');
    expect(cartRefLabel('something-else')).toBe('something-else');
    expect(cartRefsInWords({ 'package:2': 'B', 'package:1': 'A' })).toEqual([
      { label: 'packageReferenceId（荷物1）', value: 'A' },
      { label: 'packageReferenceId（荷物2）', value: 'B' },
    ]);
  });

  it('reads state filters in English or Japanese; only stopped actions are sent again', () => {
    expect(parseStateFilter('失敗')).toBe('failed');
    expect(parseStateFilter('要対応')).toBe('refused');
    expect(parseStateFilter('送信待ち')).toBe('waiting');
    expect(parseStateFilter('waiting')).toBe('waiting');
    expect(parseStateFilter('done')).toBe('done');
    expect(parseStateFilter('delivering')).toBeNull();
    expect(parseStateFilter('toString')).toBeNull();
    expect(
      ['pending', 'delivering', 'done', 'failed', 'refused'].filter((s) => canResend(s as never)),
    ).toEqual(['failed', 'refused']);
  });

  it('says what a shipment or a cancel tells the cart', () => {
    expect(
      payloadInWords('ship', {
        packages: [
          { packageNo: 1, carrier: 'yamato', trackingNumber: '4000-1' },
          { packageNo: 2, carrier: 'other', carrierName: '西濃運輸', trackingNumber: '77' },
        ],
      }),
    ).toBe('荷物1 yamato 4000-1、荷物2 西濃運輸 77');
    expect(payloadInWords('cancel', { reason: 'お客様都合' })).toBe('お客様都合');
    expect(payloadInWords('confirm', {})).toBe('');
  });
});
