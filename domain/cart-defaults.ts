// Per-cart defaults for a store's settings, as plain data (the cart modules emit these names).
// A store overrides them with settings.prepaidMethods / settings.importStatuses.
import type { CartName } from './order.js';
import type { StoreSettings } from './store-settings.js';

/** Payment-method names, as each cart's normalize emits them, that mean "money before shipping". */
export const DEFAULT_PREPAID_METHODS: Readonly<Record<CartName, readonly string[]>> = {
  rakuten: ['銀行振込', 'コンビニ前払', 'ペイジー', 'Pay-easy', '郵便振替', 'ゆうちょ振替'],
  yahoo: ['銀行振込', 'コンビニ前払い', 'ペイジー', 'Pay-easy', '郵便振替', 'ゆうちょ銀行'],
  amazon: ['CVS'],
  makeshop: ['銀行振込', 'コンビニ前払い', 'ペイジー', '郵便振替'],
  shopify: ['bank_deposit', '銀行振込', 'konbini', 'コンビニ決済', 'pay-easy'],
  csv: ['銀行振込', 'コンビニ前払', 'ペイジー', '郵便振替'],
};

export function prepaidMethodsOf(
  cart: CartName,
  settings: Pick<StoreSettings, 'prepaidMethods'>,
): readonly string[] {
  return settings.prepaidMethods ?? DEFAULT_PREPAID_METHODS[cart];
}
