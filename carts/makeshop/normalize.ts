// makeshop order → CartOrder. Pure. The classic API's `<order>` (XML, parsed by xml.ts) here; the
// next-generation API's searchOrder record in normalize-next.ts; `normalizeMakeshopOrder` takes either.
// Element names come from one third-party integration (file id 30512708660 [T]) and makeshop's own
// 2017 change notes (carriage name/price/commission, city/street/area [V]); see README.md for what is inferred.
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
import { isNextOrder, normalizeMakeshopNextOrder } from './normalize-next.js';

export { MAKESHOP_CANCELLED, prefectureOf } from './codes.js';

/** A value that may come as a bare string or as an element with attributes (`{ type, content }`). */
const asObject = (v: unknown) => (typeof v === 'string' ? { content: v } : v);
/** Repeating elements: the parser makes arrays, hand-made payloads may not. */
const asArray = (v: unknown) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);
/** An element that is present but empty (`<x/>`) parses to '' — the same as absent here. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

const str = z.string();
const optStr = z.preprocess(blankToUndefined, z.string().optional());
const yen = z
  .string()
  .trim()
  .regex(/^-?\d+(\.0+)?$/, 'not a whole yen amount')
  .transform((s) => Number.parseInt(s, 10))
  .refine(Number.isSafeInteger, 'amount out of range');
const optYen = z.preprocess(blankToUndefined, yen.optional());
const count = z
  .string()
  .trim()
  .regex(/^\d+$/, 'not a whole number')
  .transform((s) => Number.parseInt(s, 10))
  .pipe(z.number().positive().max(MAX_QUANTITY));

const personSchema = z.object({
  name: optStr,
  kana: optStr,
  zip: optStr,
  area: optStr,
  city: optStr,
  street: optStr,
  tel: optStr,
  email: optStr,
});

const commoditySchema = z.object({
  brandcode: optStr,
  orgcode: optStr,
  orgoptioncode: optStr,
  jancode: optStr,
  name: nonBlank,
  price: yen,
  amount: count,
  consumption_tax_rate: z.preprocess(blankToUndefined, z.enum(['0', '8', '10']).optional()),
  option: optStr,
});

const carriageSchema = z.object({
  name: optStr,
  price: optYen,
  commission: optYen,
  commodity: z.preprocess(asArray, z.array(z.object({ brandcode: optStr, name: optStr }).loose())),
});

const deliverySchema = personSchema.extend({
  carriage: z.preprocess(asArray, z.array(carriageSchema)),
  deliverydate: optStr,
  deliverytime: optStr,
  scheduled_shipping_date: optStr,
});

export const makeshopOrderSchema = z.object({
  ordernum: nonBlank,
  date: str,
  status: z.enum(['0', '1', '99']),
  payment_status: z.preprocess(blankToUndefined, z.enum(['0', '1']).optional()),
  paymethod: z.preprocess(asObject, z.object({ type: optStr, content: optStr })),
  buyer: personSchema,
  deliveries: z.object({ delivery: z.preprocess(asArray, z.array(deliverySchema).min(1)) }),
  orderdetail: z.object({
    sumprice: yen,
    carriage: optYen,
    bulk: optYen,
    coupon: optYen,
    usepoint: z.preprocess(
      asArray,
      z.array(z.preprocess(asObject, z.object({ type: optStr, content: optYen }))),
    ),
    commission: z.preprocess(asObject, z.object({ content: optYen }).optional()),
    commodities: z.object({ commodity: z.preprocess(asArray, z.array(commoditySchema).min(1)) }),
  }),
  notes: z
    .preprocess(
      blankToUndefined,
      z.object({
        note: z.preprocess(
          asArray,
          z.array(z.preprocess(asObject, z.object({ title: optStr, content: optStr }))),
        ),
      }),
    )
    .optional(),
});
export type MakeshopOrder = z.infer<typeof makeshopOrderSchema>;

/**
 * Either API's order: a searchOrder record (JSON, `displayOrderNumber` …) or a classic `<order>`
 * (`ordernum` …). `juchu parse`, the import and the fuzz all come through here.
 */
export function normalizeMakeshopOrder(raw: RawOrder, store: string): NormalizeResult {
  return isNextOrder(raw.payload)
    ? normalizeMakeshopNextOrder(raw, store)
    : normalizeMakeshopClassicOrder(raw, store);
}

/** A classic `<order>` (parsed by xml.ts). */
export function normalizeMakeshopClassicOrder(raw: RawOrder, store: string): NormalizeResult {
  // Only a readable number names the order: String() would make "[object Object]" or "null" of others.
  const ordernum =
    typeof raw.payload === 'object' && raw.payload !== null
      ? (raw.payload as { ordernum?: unknown }).ordernum
      : undefined;
  const hint = raw.cartOrderNo ?? (typeof ordernum === 'string' && ordernum ? ordernum : null);
  return normalizeSafely(hint, () => build(parseRecord(makeshopOrderSchema, raw.payload), store));
}

function party(p: z.infer<typeof personSchema>, prefix: string): Party {
  return {
    name: orNull(p.name),
    kana: orNull(p.kana),
    email: orNull(p.email),
    phone: orNull(p.tel),
    postalCode: orNull(p.zip),
    prefecture: field(`${prefix}.area`, () => prefectureOf(p.area)),
    // makeshop splits an address into area (prefecture), city (市区町村) and street (番地以降) since 2017 [V].
    address1: orNull(p.city),
    address2: orNull(p.street),
  };
}

function build(o: MakeshopOrder, store: string): CartOrder {
  const orderedAt = field('date', () => toJstIso(parseJstLocal(o.date)));
  const deliveries = o.deliveries.delivery;
  const packages = deliveries.map((d, i) => ({
    packageNo: i + 1,
    shipTo: party(d, `deliveries.delivery[${i}]`),
  }));
  // Which delivery a commodity ships in: the delivery whose carriage lists its brandcode [V: 2017 notes].
  const packageOf = (brandcode: string | undefined): number => {
    if (!brandcode) return 1;
    const i = deliveries.findIndex((d) =>
      d.carriage.some((c) => c.commodity.some((x) => x.brandcode === brandcode)),
    );
    return i < 0 ? 1 : i + 1;
  };

  const lines = o.orderdetail.commodities.commodity.map((c, i): CartOrderLine => {
    const at = `orderdetail.commodities.commodity[${i}]`;
    const code = orNull(c.orgcode) ?? orNull(c.brandcode);
    if (!code) throw new FieldError(`${at}.orgcode`, 'neither orgcode nor brandcode');
    const option = orNull(c.option);
    return {
      packageNo: packageOf(c.brandcode),
      cartProductCode: code,
      cartOptionCode: orNull(c.orgoptioncode),
      name: option ? `${c.name} ${option}` : c.name,
      quantity: c.amount,
      // makeshop's commodity price is before consumption tax [T]; the rate says which tax applies.
      unitPrice: c.price,
      taxIncluded: false,
      taxRate: c.consumption_tax_rate === undefined ? null : (Number(c.consumption_tax_rate) as TaxRate),
      taxAmount: null,
    };
  });

  // Price × amount and their sum within 2^53: normalizeSafely checks it for every cart (checkAmounts).
  const goods = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
  const first = deliveries[0]!;
  const detail = o.orderdetail;
  const points = detail.usepoint.reduce((s, p) => s + (p.content ?? 0), 0);
  const fee = detail.commission?.content ?? null;
  const notes = (o.notes?.note ?? [])
    .map((n) => {
      const content = orNull(n.content);
      if (!content) return null;
      const title = orNull(n.title);
      return title ? `${title}: ${content}` : content;
    })
    .filter((s): s is string => s !== null);
  const slot = orNull(first.deliverytime);
  const paid = o.payment_status === '1';

  return {
    store,
    cart: 'makeshop',
    cartOrderNo: o.ordernum,
    cartStatus: o.status,
    cancelledInCart: o.status === MAKESHOP_CANCELLED,
    orderedAt,
    // The order API gives no last-updated time.
    cartUpdatedAt: null,
    currency: 'JPY',
    customerRemarks: notes.length ? notes.join('\n') : null,
    internalComment: null,
    orderer: party(o.buyer, 'buyer'),
    shipTo: packages[0]!.shipTo,
    packages,
    lines,
    delivery: {
      requestedDate: field('deliveries.delivery[0].deliverydate', () => {
        const d = orNull(first.deliverydate);
        return d && !NOT_CHOSEN.has(d) ? plainDate(d) : null;
      }),
      timeSlot: slot && !NOT_CHOSEN.has(slot) ? slot : null,
      carrier: null,
      // carriage@name is the shop's 配送方法 name (often a carrier's name, e.g. 日本郵便).
      method: orNull(first.carriage[0]?.name),
      fee: detail.carriage ?? null,
    },
    payment: {
      // The method's name as the shop shows it; its code (paymethod@type: B bank, Z CVS, R COD …) if none.
      method: orNull(o.paymethod.content) ?? orNull(o.paymethod.type),
      cardType: null,
      fee,
      // payment_status 1 says "paid" without a time: the order time marks it paid, not when.
      paidAt: paid ? orderedAt : null,
    },
    totals: {
      // Tax-excluded, like the lines.
      goods,
      shipping: detail.carriage ?? null,
      fees: fee,
      discount: (detail.bulk ?? 0) + (detail.coupon ?? 0),
      points,
      tax: null,
      total: detail.sumprice,
    },
  };
}
