// makeshop next-generation API order (one `searchOrder.orders[]` record, JSON) → CartOrder. Pure.
//
// Only some field names are known (graphql.ts has each with its source); the rest are our guesses. So:
// unknown fields are ignored, a missing *required* field (order number, order date, total, deliveries and
// their lines with code, name, price and quantity [T]) is a rejection naming it, and every guessed field
// may be absent (or null, as GraphQL says "no value") — the order then has null there. The result is the
// same CartOrder the classic API gives for the same order (normalize.test.ts checks it), so a store can
// move from one API to the other without its orders changing.
import { z } from 'zod';
import type { CartOrder, CartOrderLine, Party, TaxRate } from '../../domain/order.js';
import { parseJstLocal, plainDate, toJstIso } from '../../domain/time.js';
import type { NormalizeResult, RawOrder } from '../contract.js';
import {
  FieldError,
  field,
  MAX_QUANTITY,
  nonBlank,
  normalizeSafely,
  orNull,
  parseRecord,
} from '../normalize-kit.js';
import { MAKESHOP_CANCELLED, NOT_CHOSEN, prefectureOf } from './codes.js';

/** A value GraphQL may leave out or send as null. */
const opt = <T extends z.ZodType>(t: T) => t.nullish();
const text = opt(z.string());
/** Whole yen: GraphQL `Int`, a JSON number. */
const yen = z.number().int().refine(Number.isSafeInteger, 'amount out of range');
const count = z.number().int().positive().max(MAX_QUANTITY);
const taxRate = z.union([z.literal(0), z.literal(8), z.literal(10)]);

const basketSchema = z.object({
  productCode: text,
  productName: nonBlank,
  price: yen,
  amount: count,
  customProductCode: text,
  optionCode: text,
  optionName: text,
  taxRate: opt(taxRate),
});

const deliverySchema = z.object({
  basketInfos: z.array(basketSchema),
  receiverName: text,
  receiverNameKana: text,
  receiverZipCode: text,
  receiverPrefecture: text,
  receiverAddress1: text,
  receiverAddress2: text,
  receiverTel: text,
  receiverEmail: text,
  deliveryMethodName: text,
  deliveryDate: text,
  deliveryTime: text,
});

export const makeshopNextOrderSchema = z.object({
  displayOrderNumber: nonBlank,
  orderDate: z.string(),
  sumPrice: yen,
  deliveryInfos: z.array(deliverySchema).min(1),
  memberId: text,
  senderPrefecture: text,
  discountPerTax: opt(z.array(z.object({ taxRate: taxRate, discount: yen }))),
  /** N 未処理, Y 配送, C キャンセル, R 返送: the search condition's values [T], as a field of the order [I]. */
  deliveryStatus: opt(z.enum(['N', 'Y', 'C', 'R'])),
  /** 仮注文: the payment is not completed yet [I]. */
  temporaryOrder: opt(z.boolean()),
  /** Y paid, N not yet [I]. */
  paymentStatus: opt(z.enum(['Y', 'N'])),
  paymentMethodName: text,
  deliveryFee: opt(yen),
  paymentFee: opt(yen),
  usePoint: opt(yen.refine((n) => n >= 0, 'negative points')),
  couponDiscount: opt(yen),
  bulkDiscount: opt(yen),
  senderName: text,
  senderNameKana: text,
  senderZipCode: text,
  senderAddress1: text,
  senderAddress2: text,
  senderTel: text,
  senderEmail: text,
  notes: opt(z.array(z.object({ title: text, content: text }))),
});
export type MakeshopNextOrder = z.infer<typeof makeshopNextOrderSchema>;

/** Whether a record is a searchOrder order rather than a classic `<order>` (which has `ordernum`). */
export function isNextOrder(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  if (Object.hasOwn(payload, 'ordernum')) return false;
  return ['displayOrderNumber', 'orderDate', 'deliveryInfos', 'sumPrice'].some((k) =>
    Object.hasOwn(payload, k),
  );
}

/** The order number a searchOrder record shows, as the adapter reads it (null when unreadable). */
export function nextOrderNo(payload: unknown): string | null {
  const no =
    typeof payload === 'object' && payload !== null
      ? (payload as { displayOrderNumber?: unknown }).displayOrderNumber
      : undefined;
  return typeof no === 'string' && no ? no : null;
}

export function rawNextOrder(o: Record<string, unknown>): RawOrder {
  return { cartOrderNo: nextOrderNo(o), payload: o };
}

export function normalizeMakeshopNextOrder(raw: RawOrder, store: string): NormalizeResult {
  const hint = raw.cartOrderNo ?? nextOrderNo(raw.payload);
  return normalizeSafely(hint, () => build(parseRecord(makeshopNextOrderSchema, raw.payload), store));
}

function build(o: MakeshopNextOrder, store: string): CartOrder {
  const orderedAt = field('orderDate', () => toJstIso(parseJstLocal(o.orderDate)));
  const orderer: Party = {
    name: orNull(o.senderName),
    kana: orNull(o.senderNameKana),
    email: orNull(o.senderEmail),
    phone: orNull(o.senderTel),
    postalCode: orNull(o.senderZipCode),
    prefecture: field('senderPrefecture', () => prefectureOf(o.senderPrefecture ?? undefined)),
    address1: orNull(o.senderAddress1),
    address2: orNull(o.senderAddress2),
  };
  const packages = o.deliveryInfos.map((d, i) => ({
    packageNo: i + 1,
    shipTo: {
      name: orNull(d.receiverName),
      kana: orNull(d.receiverNameKana),
      email: orNull(d.receiverEmail),
      phone: orNull(d.receiverTel),
      postalCode: orNull(d.receiverZipCode),
      prefecture: field(`deliveryInfos[${i}].receiverPrefecture`, () =>
        prefectureOf(d.receiverPrefecture ?? undefined),
      ),
      address1: orNull(d.receiverAddress1),
      address2: orNull(d.receiverAddress2),
    } satisfies Party,
  }));

  // Each delivery lists the lines it ships [T: deliveryInfos.basketInfos]: the package is the delivery.
  const lines = o.deliveryInfos.flatMap((d, i) =>
    d.basketInfos.map((b, j): CartOrderLine => {
      const at = `deliveryInfos[${i}].basketInfos[${j}]`;
      // 独自商品コード when the shop set one [I], else makeshop's own product code [T] (as the classic
      // API's orgcode / brandcode).
      const code = orNull(b.customProductCode) ?? orNull(b.productCode);
      if (!code) throw new FieldError(`${at}.productCode`, 'neither productCode nor customProductCode');
      const option = orNull(b.optionName);
      return {
        packageNo: i + 1,
        cartProductCode: code,
        cartOptionCode: orNull(b.optionCode),
        name: option ? `${b.productName} ${option}` : b.productName,
        quantity: b.amount,
        // Before consumption tax, as the classic API's commodity price [I: not documented].
        unitPrice: b.price,
        taxIncluded: false,
        taxRate: (b.taxRate ?? null) as TaxRate | null,
        taxAmount: null,
      };
    }),
  );
  if (lines.length === 0) throw new FieldError('deliveryInfos[0].basketInfos', 'the order has no lines');
  // Price × amount and their sum within 2^53: normalizeSafely checks it for every cart (checkAmounts).
  const goods = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);

  const first = o.deliveryInfos[0]!;
  const notes = (o.notes ?? [])
    .map((n) => {
      const content = orNull(n.content);
      if (!content) return null;
      const title = orNull(n.title);
      return title ? `${title}: ${content}` : content;
    })
    .filter((s): s is string => s !== null);
  const slot = orNull(first.deliveryTime);
  const fee = o.paymentFee ?? null;
  // The discount per tax rate [V] when makeshop gives it; else coupon and bulk discounts [I].
  const discount = o.discountPerTax
    ? o.discountPerTax.reduce((s, d) => s + d.discount, 0)
    : (o.bulkDiscount ?? 0) + (o.couponDiscount ?? 0);
  // The classic API's status codes, so a store's importStatuses mean the same on both APIs.
  const cartStatus = o.deliveryStatus === 'C' ? MAKESHOP_CANCELLED : o.temporaryOrder === true ? '99' : '1';

  return {
    store,
    cart: 'makeshop',
    cartOrderNo: o.displayOrderNumber,
    cartStatus,
    cancelledInCart: cartStatus === MAKESHOP_CANCELLED,
    orderedAt,
    // No last-updated time is known in searchOrder.
    cartUpdatedAt: null,
    currency: 'JPY',
    customerRemarks: notes.length ? notes.join('\n') : null,
    internalComment: null,
    orderer,
    shipTo: packages[0]!.shipTo,
    packages,
    lines,
    delivery: {
      requestedDate: field('deliveryInfos[0].deliveryDate', () => {
        const d = orNull(first.deliveryDate);
        return d && !NOT_CHOSEN.has(d) ? plainDate(d) : null;
      }),
      timeSlot: slot && !NOT_CHOSEN.has(slot) ? slot : null,
      carrier: null,
      method: orNull(first.deliveryMethodName),
      fee: o.deliveryFee ?? null,
    },
    payment: {
      method: orNull(o.paymentMethodName),
      cardType: null,
      fee,
      // A "paid" marker without a time, as on the classic API: the order time marks it paid, not when.
      paidAt: o.paymentStatus === 'Y' ? orderedAt : null,
    },
    totals: {
      goods,
      shipping: o.deliveryFee ?? null,
      fees: fee,
      discount,
      points: o.usePoint ?? 0,
      tax: null,
      total: o.sumPrice,
    },
  };
}
