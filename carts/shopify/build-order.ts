// One Shopify order → CartOrder, whichever API it came from. The REST record (normalize.ts) and the
// GraphQL node (normalize-graphql.ts) are each read into these facts, every value with the path it
// came from (so a rejection names the field the cart sent); the rules below are shared. Pure.
import { toMinorUnits } from '../../domain/money.js';
import {
  type CartOrder,
  type CartOrderLine,
  emptyParty,
  type Party,
  type TaxRate,
} from '../../domain/order.js';
import { parseInstant, plainDate, toJstIso } from '../../domain/time.js';
import { FieldError, field, orNull } from '../normalize-kit.js';
import { prefectureFromCode } from './prefectures.js';

/** A value and the path of the field it came from (`line_items[0].price`, `totalPriceSet.shopMoney.amount`). */
export interface Sourced<T> {
  value: T;
  at: string;
}

type Text = string | null | undefined;
type Amount = string | number;

export interface FactsAddress {
  firstName: Text;
  lastName: Text;
  name: Text;
  address1: Text;
  address2: Text;
  city: Text;
  province: Text;
  provinceCode: Text;
  zip: Text;
  countryCode: Text;
  phone: Text;
}

export interface FactsLine {
  /** `line_items[0]`, `lineItems.nodes[0]`. */
  at: string;
  sku: Text;
  variantId: string | null;
  productId: string | null;
  title: string;
  variantTitle: Text;
  name: Text;
  quantity: number;
  price: Sourced<Amount>;
  taxes: Array<{ price: Sourced<Amount>; rate: number | null | undefined }>;
}

export interface ShopifyFacts {
  name: string;
  createdAt: Sourced<string>;
  updatedAt: Sourced<Text>;
  /** When the order was paid for a paid order (processed_at, else created_at). */
  processedAt: Sourced<string>;
  cancelledAt: Text;
  /** REST's vocabulary: `paid`, `partially_refunded`, … */
  financial: Text;
  /** REST's vocabulary: null, `partial`, `fulfilled`, `restocked`. */
  fulfillment: Text;
  currency: Sourced<string>;
  taxesIncluded: boolean;
  total: Sourced<Amount>;
  /** The line items' total: a field (REST), or the sum of the lines read (GraphQL has no such field). */
  goods: Sourced<Amount | null | undefined> | 'sum of lines';
  discounts: Sourced<Amount | null | undefined>;
  tax: Sourced<Amount | null | undefined>;
  /** Shipping when there are no shipping lines to add up. */
  shippingTotal: Sourced<Amount | null | undefined>;
  /** Candidates for the orderer's e-mail, first found wins. */
  emails: Text[];
  phone: Text;
  customer: { email: Text; phone: Text; firstName: Text; lastName: Text } | null;
  note: Text;
  attrs: ReadonlyArray<{ key: string; value?: string | number | null }>;
  /** `note_attributes`, `customAttributes`: named in a rejection of a delivery date. */
  attrsAt: string;
  gateways: readonly string[];
  gateway: Text;
  cardCompany: Text;
  billing: { address: FactsAddress; at: string } | null;
  shipping: { address: FactsAddress; at: string } | null;
  lines: FactsLine[] | null;
  shippingLines: Array<{ title: Text; code: Text; price: Sourced<Amount> }> | null;
}

/**
 * cartStatus: `cancelled` when the order was cancelled, else `<financial>/<fulfillment>` with a null
 * fulfillment status written `unfulfilled` (e.g. `paid/unfulfilled`, `paid/fulfilled`).
 */
export function cartStatusOf(cancelledAt: Text, financial: Text, fulfillment: Text): string {
  if (orNull(cancelledAt)) return 'cancelled';
  return `${orNull(financial) ?? 'pending'}/${orNull(fulfillment) ?? 'unfulfilled'}`;
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

export function buildShopifyOrder(o: ShopifyFacts, store: string): CartOrder {
  const currency = field(o.currency.at, () => {
    toMinorUnits('0', o.currency.value); // validates the ISO code
    return o.currency.value;
  });
  const amount = (s: Sourced<Amount>) => field(s.at, () => toMinorUnits(s.value, currency));
  const optAmount = (s: Sourced<Amount | null | undefined>) =>
    s.value === null || s.value === undefined || s.value === '' ? null : amount(s as Sourced<Amount>);
  const instant = (s: Sourced<string>) => field(s.at, () => toJstIso(parseInstant(s.value)));

  const orderedAt = instant(o.createdAt);
  const lines = (o.lines ?? []).map((l) => line(l, o.taxesIncluded, amount));

  const shippingLines = o.shippingLines;
  let shipping: number | null = null;
  let fees: number | null = null;
  if (shippingLines) {
    let carriage = 0;
    let charged = 0;
    for (const s of shippingLines) {
      const price = amount(s.price);
      if (FEE_LINE.test(s.title ?? '')) charged += price;
      else carriage += price;
    }
    shipping = carriage;
    fees = charged;
  } else shipping = optAmount(o.shippingTotal);
  const method = shippingLines?.find((s) => !FEE_LINE.test(s.title ?? ''));

  const financial = orNull(o.financial);
  // gift_card is how a voucher shows up next to the real method; the real one is what prepay is about.
  const gatewayName = o.gateways.find((g) => g !== 'gift_card') ?? o.gateways[0] ?? orNull(o.gateway);

  const attr = (keys: string[]): string | null => {
    for (const k of keys) {
      const hit = o.attrs.find((a) => a.key.trim() === k);
      const v = orNull(hit?.value === undefined || hit?.value === null ? null : String(hit.value));
      if (v && !NOT_CHOSEN.has(v)) return v;
    }
    return null;
  };
  const requestedDate = field(`${o.attrsAt}.配送希望日`, () => requestedDateOf(attr(DELIVERY_DATE_KEYS)));

  const orderer = o.billing ? party(o.billing.address, o.billing.at) : emptyParty();
  orderer.email = o.emails.map(orNull).find((e) => e !== null) ?? orNull(o.customer?.email);
  orderer.phone = orderer.phone ?? orNull(o.phone) ?? orNull(o.customer?.phone);
  if (!orderer.name && o.customer) orderer.name = personName(o.customer, null, null);
  const shipTo = o.shipping ? party(o.shipping.address, o.shipping.at) : { ...orderer };

  return {
    store,
    cart: 'shopify',
    cartOrderNo: o.name,
    cartStatus: cartStatusOf(o.cancelledAt, o.financial, o.fulfillment),
    cancelledInCart: orNull(o.cancelledAt) !== null,
    orderedAt,
    cartUpdatedAt: o.updatedAt.value ? instant(o.updatedAt as Sourced<string>) : null,
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
      cardType: orNull(o.cardCompany),
      fee: fees,
      // Orders carry no payment time (the transactions do): processed_at marks "paid", not when.
      paidAt: financial && PAID.has(financial) ? instant(o.processedAt) : null,
    },
    totals: {
      goods: o.goods === 'sum of lines' ? (o.lines ? sumOfLines(lines, o.lines) : null) : optAmount(o.goods),
      shipping,
      fees,
      discount: optAmount(o.discounts),
      points: null,
      tax: optAmount(o.tax),
      total: amount(o.total),
    },
  };
}

/** Σ unit price × quantity, refused by the line that takes it past what a number holds exactly. */
function sumOfLines(lines: readonly CartOrderLine[], facts: readonly FactsLine[]): number {
  let sum = 0;
  lines.forEach((l, i) => {
    sum += l.unitPrice * l.quantity;
    if (!Number.isSafeInteger(sum)) {
      const at = facts[i]!.at;
      throw new FieldError(`${at}.quantity`, `quantity × ${facts[i]!.price.at} is out of range`);
    }
  });
  return sum;
}

function line(l: FactsLine, taxesIncluded: boolean, amount: (s: Sourced<Amount>) => number): CartOrderLine {
  const code = orNull(l.sku) ?? l.variantId ?? l.productId;
  if (!code) throw new FieldError(`${l.at}.sku`, 'no SKU, variant or product id');
  const rate = l.taxes[0] ? taxRateOf(l.taxes[0].rate) : null;
  return {
    packageNo: 1,
    cartProductCode: code,
    // A Shopify SKU already names the variant; there is no separate option code.
    cartOptionCode: null,
    name: orNull(l.name) ?? (l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title),
    quantity: l.quantity,
    unitPrice: amount(l.price),
    taxIncluded: taxesIncluded,
    taxRate: rate,
    taxAmount: l.taxes.length ? l.taxes.reduce((s, t) => s + amount(t.price), 0) : null,
  };
}

/** 0.1 → 10, 0.08 → 8, 0 → 0; a rate that is not a Japanese consumption-tax rate (a US sales tax) → null. */
export function taxRateOf(rate: number | null | undefined): TaxRate | null {
  if (rate === null || rate === undefined) return null;
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

function personName(p: { firstName?: Text; lastName?: Text }, full: Text, countryCode: Text): string | null {
  const first = orNull(p.firstName);
  const last = orNull(p.lastName);
  // Shopify's `name` is "first last"; a Japanese name reads family name first.
  if (countryCode === 'JP' && (first || last)) return [last, first].filter(Boolean).join(' ');
  return orNull(full) ?? ([first, last].filter(Boolean).join(' ') || null);
}

function party(a: FactsAddress, prefix: string): Party {
  const street = [orNull(a.address1), orNull(a.address2)].filter(Boolean).join(' ');
  return {
    name: personName(a, a.name, a.countryCode),
    // Shopify has no kana field; stores that collect kana do it in apps we cannot know.
    kana: null,
    email: null,
    phone: orNull(a.phone),
    postalCode: orNull(a.zip),
    prefecture: field(`${prefix}.province`, () => prefectureFromCode(a.provinceCode) ?? orNull(a.province)),
    // Same split as the Japanese carts: city (市区町村) first, then street and building.
    address1: orNull(a.city),
    address2: street || null,
  };
}
