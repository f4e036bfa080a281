// Shopify Admin REST order (`GET /admin/api/{v}/orders.json` → `orders[]`, `orders/{id}.json` → `order`)
// → CartOrder. Pure. Field names are from the official fixture and order resource docs (spec §5.3); the
// Japanese conventions (prefecture in province_code, delivery date apps in note_attributes) are [I].
import { z } from 'zod';
import { toMinorUnits } from '../../domain/money.js';
import {
  type CartOrder,
  type CartOrderLine,
  emptyParty,
  type Party,
  type TaxRate,
} from '../../domain/order.js';
import { parseInstant, plainDate, toJstIso } from '../../domain/time.js';
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
import { prefectureFromCode } from './prefectures.js';

const money = z.union([z.string(), z.number()]);
const text = z.string().nullish();

const addressSchema = z.object({
  first_name: text,
  last_name: text,
  name: text,
  company: text,
  address1: text,
  address2: text,
  city: text,
  province: text,
  province_code: text,
  zip: text,
  country_code: text,
  phone: text,
});
type ShopifyAddress = z.infer<typeof addressSchema>;

const taxLineSchema = z.object({ price: money, rate: z.number(), title: text });

const lineItemSchema = z.object({
  id: z.number().nullish(),
  product_id: z.number().nullish(),
  variant_id: z.number().nullish(),
  sku: text,
  title: nonBlank,
  variant_title: text,
  name: text,
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  price: money,
  tax_lines: z.array(taxLineSchema).nullish(),
});

const shippingLineSchema = z.object({ title: text, code: text, price: money });

const moneySetSchema = z.object({ shop_money: z.object({ amount: money }) });

export const shopifyOrderSchema = z.object({
  id: z.number(),
  name: nonBlank,
  created_at: z.string(),
  updated_at: text,
  processed_at: text,
  cancelled_at: text,
  financial_status: text,
  fulfillment_status: text,
  currency: z.string(),
  taxes_included: z.boolean(),
  total_price: money,
  total_line_items_price: money.nullish(),
  total_discounts: money.nullish(),
  total_tax: money.nullish(),
  total_shipping_price_set: moneySetSchema.nullish(),
  email: text,
  contact_email: text,
  phone: text,
  note: text,
  note_attributes: z
    .array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]).nullish() }))
    .nullish(),
  gateway: text,
  payment_gateway_names: z.array(z.string()).nullish(),
  payment_details: z.object({ credit_card_company: text }).nullish(),
  billing_address: addressSchema.nullish(),
  shipping_address: addressSchema.nullish(),
  customer: z.object({ email: text, phone: text, first_name: text, last_name: text }).nullish(),
  // A list fetched with `fields=` may leave these out; the recorded fixture has no line items at all.
  line_items: z.array(lineItemSchema).nullish(),
  shipping_lines: z.array(shippingLineSchema).nullish(),
});
export type ShopifyOrder = z.infer<typeof shopifyOrderSchema>;

/**
 * cartStatus: `cancelled` when `cancelled_at` is set, else `<financial_status>/<fulfillment_status>`
 * with a null fulfillment status written `unfulfilled` (e.g. `paid/unfulfilled`, `paid/fulfilled`).
 */
export function shopifyCartStatus(
  o: Pick<ShopifyOrder, 'cancelled_at' | 'financial_status' | 'fulfillment_status'>,
) {
  if (orNull(o.cancelled_at)) return 'cancelled';
  return `${orNull(o.financial_status) ?? 'pending'}/${orNull(o.fulfillment_status) ?? 'unfulfilled'}`;
}

/** Financial statuses after which the money was received (refunds happen after a payment). */
const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

/**
 * Keys Japanese delivery-date apps write into `note_attributes` (checked in this order). 配送日時指定.amp
 * writes 配送希望日 / 配送時間帯 [T: its help pages; LOGILESS import guide]; the others are common variants.
 */
export const DELIVERY_DATE_KEYS = ['配送希望日', 'お届け希望日', '配達希望日', '配送日', 'Delivery Date'];
export const TIME_SLOT_KEYS = [
  '配送時間帯',
  '配送希望時間帯',
  'お届け希望時間帯',
  '配達希望時間帯',
  'Delivery Time',
];
const NOT_CHOSEN = new Set(['指定なし', '希望なし', 'なし', '-', 'none', 'None']);

/** Shipping lines with these words are fees charged through shipping (代引手数料), not carriage. */
const FEE_LINE = /手数料/;

export function normalizeShopifyOrder(raw: RawOrder, store: string): NormalizeResult {
  // Only a readable name names the order: String() would make "[object Object]" or "null" of others.
  const name =
    typeof raw.payload === 'object' && raw.payload !== null
      ? (raw.payload as { name?: unknown }).name
      : undefined;
  const hint = raw.cartOrderNo ?? (typeof name === 'string' && name ? name : null);
  return normalizeSafely(hint, () => build(parseRecord(shopifyOrderSchema, raw.payload), store));
}

function build(o: ShopifyOrder, store: string): CartOrder {
  const currency = field('currency', () => {
    toMinorUnits('0', o.currency); // validates the ISO code
    return o.currency;
  });
  const amount = (name: string, v: string | number) => field(name, () => toMinorUnits(v, currency));
  const optAmount = (name: string, v: string | number | null | undefined) =>
    v === null || v === undefined || v === '' ? null : amount(name, v);
  const instant = (name: string, v: string) => field(name, () => toJstIso(parseInstant(v)));

  const orderedAt = instant('created_at', o.created_at);
  const lines = (o.line_items ?? []).map((l, i) => line(l, i, o.taxes_included, amount));

  const shippingLines = o.shipping_lines ?? null;
  let shipping: number | null = null;
  let fees: number | null = null;
  if (shippingLines) {
    let carriage = 0;
    let charged = 0;
    shippingLines.forEach((s, i) => {
      const price = amount(`shipping_lines[${i}].price`, s.price);
      if (FEE_LINE.test(s.title ?? '')) charged += price;
      else carriage += price;
    });
    shipping = carriage;
    fees = charged;
  } else if (o.total_shipping_price_set) {
    shipping = amount(
      'total_shipping_price_set.shop_money.amount',
      o.total_shipping_price_set.shop_money.amount,
    );
  }
  const method = shippingLines?.find((s) => !FEE_LINE.test(s.title ?? ''));

  const financial = orNull(o.financial_status);
  const gateways = o.payment_gateway_names ?? [];
  // gift_card is how a voucher shows up next to the real method; the real one is what prepay is about.
  const gatewayName = gateways.find((g) => g !== 'gift_card') ?? gateways[0] ?? orNull(o.gateway);

  const attrs = o.note_attributes ?? [];
  const attr = (keys: string[]): string | null => {
    for (const k of keys) {
      const hit = attrs.find((a) => a.name.trim() === k);
      const v = orNull(hit?.value === undefined || hit?.value === null ? null : String(hit.value));
      if (v && !NOT_CHOSEN.has(v)) return v;
    }
    return null;
  };
  const requestedDate = field('note_attributes.配送希望日', () => requestedDateOf(attr(DELIVERY_DATE_KEYS)));

  const orderer = party(o.billing_address, 'billing_address');
  orderer.email = orNull(o.email) ?? orNull(o.contact_email) ?? orNull(o.customer?.email);
  orderer.phone = orderer.phone ?? orNull(o.phone) ?? orNull(o.customer?.phone);
  if (!orderer.name && o.customer) orderer.name = personName(o.customer, null, null);
  const shipTo = o.shipping_address ? party(o.shipping_address, 'shipping_address') : { ...orderer };

  return {
    store,
    cart: 'shopify',
    cartOrderNo: o.name,
    cartStatus: shopifyCartStatus(o),
    cancelledInCart: orNull(o.cancelled_at) !== null,
    orderedAt,
    cartUpdatedAt: o.updated_at ? instant('updated_at', o.updated_at) : null,
    currency,
    customerRemarks: orNull(o.note),
    internalComment: null,
    orderer,
    shipTo,
    packages: [{ packageNo: 1, shipTo }],
    lines,
    delivery: {
      requestedDate,
      timeSlot: attr(TIME_SLOT_KEYS),
      carrier: null,
      method: orNull(method?.title) ?? orNull(method?.code),
      fee: shipping,
    },
    payment: {
      method: gatewayName ?? null,
      cardType: orNull(o.payment_details?.credit_card_company),
      fee: fees,
      // Orders carry no payment time (the transactions endpoint does): processed_at marks "paid", not when.
      paidAt:
        financial && PAID.has(financial) ? instant('processed_at', o.processed_at ?? o.created_at) : null,
    },
    totals: {
      goods: optAmount('total_line_items_price', o.total_line_items_price),
      shipping,
      fees,
      discount: optAmount('total_discounts', o.total_discounts),
      points: null,
      tax: optAmount('total_tax', o.total_tax),
      total: amount('total_price', o.total_price),
    },
  };
}

function line(
  l: z.infer<typeof lineItemSchema>,
  i: number,
  taxesIncluded: boolean,
  amount: (name: string, v: string | number) => number,
): CartOrderLine {
  const at = `line_items[${i}]`;
  const code =
    orNull(l.sku) ?? (l.variant_id ? String(l.variant_id) : l.product_id ? String(l.product_id) : null);
  if (!code) throw new FieldError(`${at}.sku`, 'no SKU, variant or product id');
  const taxes = l.tax_lines ?? [];
  const rate = taxes[0] ? taxRateOf(taxes[0].rate) : null;
  return {
    packageNo: 1,
    cartProductCode: code,
    // A Shopify SKU already names the variant; there is no separate option code.
    cartOptionCode: null,
    name: orNull(l.name) ?? (l.variant_title ? `${l.title} - ${l.variant_title}` : l.title),
    quantity: l.quantity,
    unitPrice: amount(`${at}.price`, l.price),
    taxIncluded: taxesIncluded,
    taxRate: rate,
    taxAmount: taxes.length
      ? taxes.reduce((s, t, j) => s + amount(`${at}.tax_lines[${j}].price`, t.price), 0)
      : null,
  };
}

/** 0.1 → 10, 0.08 → 8, 0 → 0; a rate that is not a Japanese consumption-tax rate (a US sales tax) → null. */
export function taxRateOf(rate: number): TaxRate | null {
  const pct = Math.round(rate * 1000) / 10;
  return pct === 10 || pct === 8 || pct === 0 ? pct : null;
}

/** `2024年05月02日`, `2024年5月2日(木)`, `2024/05/02`, `2024-05-02` → `2024-05-02`. */
export function requestedDateOf(v: string | null): string | null {
  if (!v) return null;
  const m = /^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})/.exec(v.trim());
  if (!m) throw new Error(`not a date: ${JSON.stringify(v)}`);
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  // plainDate also refuses dates that do not exist (2024年2月30日), which Date.parse rolls over.
  return plainDate(iso);
}

function personName(
  p: { first_name?: string | null; last_name?: string | null },
  full: string | null | undefined,
  countryCode: string | null | undefined,
): string | null {
  const first = orNull(p.first_name);
  const last = orNull(p.last_name);
  // Shopify's `name` is "first last"; a Japanese name reads family name first.
  if (countryCode === 'JP' && (first || last)) return [last, first].filter(Boolean).join(' ');
  return orNull(full) ?? ([first, last].filter(Boolean).join(' ') || null);
}

function party(a: ShopifyAddress | null | undefined, prefix: string): Party {
  if (!a) return emptyParty();
  const street = [orNull(a.address1), orNull(a.address2)].filter(Boolean).join(' ');
  return {
    name: personName(a, a.name, a.country_code),
    // Shopify has no kana field; stores that collect kana do it in apps we cannot know.
    kana: null,
    email: null,
    phone: orNull(a.phone),
    postalCode: orNull(a.zip),
    prefecture: field(`${prefix}.province`, () => prefectureFromCode(a.province_code) ?? orNull(a.province)),
    // Same split as the Japanese carts: city (市区町村) first, then street and building.
    address1: orNull(a.city),
    address2: street || null,
  };
}
