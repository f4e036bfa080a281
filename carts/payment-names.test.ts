// Payment methods as an operator reads them: the cart's name for its code, the code when it has none.
import { describe, expect, it } from 'vitest';
import { paymentMethodName } from './registry.js';

describe('payment method names', () => {
  it('names Yahoo! PayMethod codes and Amazon methods part by part; keeps what has no name', () => {
    expect(paymentMethodName('yahoo', 'payment_b1')).toBe('銀行振込');
    expect(paymentMethodName('yahoo', 'payment_d1')).toBe('商品代引');
    expect(paymentMethodName('yahoo', 'payment_e9')).toBe('payment_e9');
    expect(paymentMethodName('amazon', 'COD')).toBe('代金引換');
    expect(paymentMethodName('amazon', 'CreditCard+GC')).toBe('クレジットカード＋ギフト券');
    expect(paymentMethodName('rakuten', 'クレジットカード')).toBe('クレジットカード');
    expect(paymentMethodName('shopify', null)).toBeNull();
  });
});
