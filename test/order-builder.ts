// Hand-built cart orders for stock tests (no test-runner imports: worker processes use it too).
import type { RawOrder } from '../carts/contract.js';
import type { Store } from '../db/stores.js';
import type { CartOrder, CartOrderLine } from '../domain/order.js';
import { emptyParty } from '../domain/order.js';

export interface OrderSpec {
  /** [product code, quantity] per line. */
  lines: ReadonlyArray<readonly [string, number]>;
  orderedAt: string | Date;
  remarks?: string | null;
  payment?: string;
  paidAt?: string | null;
  requestedDate?: string | null;
  cancelled?: boolean;
  cartStatus?: string;
}

/** A normalized cart order, as an adapter would produce it. */
export function cartOrder(store: Store, cartOrderNo: string, s: OrderSpec): CartOrder {
  const lines: CartOrderLine[] = s.lines.map(([code, quantity]) => ({
    packageNo: 1,
    cartProductCode: code,
    cartOptionCode: null,
    name: `商品 ${code}`,
    quantity,
    unitPrice: 1100,
    taxIncluded: true,
    taxRate: 10,
    taxAmount: 100 * quantity,
  }));
  const orderedAt = s.orderedAt instanceof Date ? s.orderedAt.toISOString() : s.orderedAt;
  return {
    store: store.code,
    cart: store.cart,
    cartOrderNo,
    cartStatus: s.cartStatus ?? (s.cancelled ? '900' : '300'),
    cancelledInCart: s.cancelled ?? false,
    orderedAt,
    cartUpdatedAt: orderedAt,
    currency: 'JPY',
    customerRemarks: s.remarks ?? null,
    internalComment: null,
    orderer: { ...emptyParty(), name: '山田 太郎' },
    shipTo: { ...emptyParty(), name: '山田 太郎' },
    packages: [],
    lines,
    delivery: { requestedDate: s.requestedDate ?? null, timeSlot: null, carrier: null, method: null, fee: 0 },
    payment: { method: s.payment ?? 'クレジットカード', cardType: null, fee: 0, paidAt: s.paidAt ?? null },
    totals: { goods: 0, shipping: 0, fees: 0, discount: 0, points: 0, tax: 0, total: 0 },
  };
}

/** An adapter whose records are already normalized orders (the import path without HTTP). */
export const passThroughAdapter = {
  normalize: (raw: RawOrder) => ({ ok: true as const, order: raw.payload as CartOrder }),
};

/** A small seeded random generator (xorshift32), so load tests are repeatable. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}
