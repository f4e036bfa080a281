// Shopify order → CartOrder. Pure. A REST record (`GET /admin/api/{v}/orders.json` → `orders[]`,
// `orders/{id}.json` → `order`) is read here; a GraphQL `Order` node in normalize-graphql.ts; both
// become the same facts for build-order.ts. REST field names are from the official fixture and order
// resource docs (spec §5.3); the Japanese conventions (prefecture in province_code, delivery date apps
// in note_attributes) are [I].
import { z } from 'zod';
import type { NormalizeResult, RawOrder } from '../contract.js';
import { MAX_QUANTITY, nonBlank, normalizeSafely, parseRecord } from '../normalize-kit.js';
import { buildShopifyOrder, cartStatusOf, type FactsAddress, type ShopifyFacts } from './build-order.js';
import { isGraphqlOrder, normalizeGraphqlOrder } from './normalize-graphql.js';

export { DELIVERY_DATE_KEYS, requestedDateOf, TIME_SLOT_KEYS, taxRateOf } from './build-order.js';

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
  return cartStatusOf(o.cancelled_at, o.financial_status, o.fulfillment_status);
}

/** A REST record or a GraphQL node (told apart by their field names) → CartOrder. */
export function normalizeShopifyOrder(raw: RawOrder, store: string): NormalizeResult {
  if (isGraphqlOrder(raw.payload)) return normalizeGraphqlOrder(raw, store);
  // Only a readable name names the order: String() would make "[object Object]" or "null" of others.
  const name =
    typeof raw.payload === 'object' && raw.payload !== null
      ? (raw.payload as { name?: unknown }).name
      : undefined;
  const hint = raw.cartOrderNo ?? (typeof name === 'string' && name ? name : null);
  return normalizeSafely(hint, () =>
    buildShopifyOrder(restFacts(parseRecord(shopifyOrderSchema, raw.payload)), store),
  );
}

function address(a: ShopifyAddress): FactsAddress {
  return {
    firstName: a.first_name,
    lastName: a.last_name,
    name: a.name,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.province_code,
    zip: a.zip,
    countryCode: a.country_code,
    phone: a.phone,
  };
}

function restFacts(o: ShopifyOrder): ShopifyFacts {
  return {
    name: o.name,
    createdAt: { value: o.created_at, at: 'created_at' },
    updatedAt: { value: o.updated_at, at: 'updated_at' },
    processedAt: { value: o.processed_at ?? o.created_at, at: 'processed_at' },
    cancelledAt: o.cancelled_at,
    financial: o.financial_status,
    fulfillment: o.fulfillment_status,
    currency: { value: o.currency, at: 'currency' },
    taxesIncluded: o.taxes_included,
    total: { value: o.total_price, at: 'total_price' },
    goods: { value: o.total_line_items_price, at: 'total_line_items_price' },
    discounts: { value: o.total_discounts, at: 'total_discounts' },
    tax: { value: o.total_tax, at: 'total_tax' },
    shippingTotal: {
      value: o.total_shipping_price_set?.shop_money.amount,
      at: 'total_shipping_price_set.shop_money.amount',
    },
    emails: [o.email, o.contact_email],
    phone: o.phone,
    customer: o.customer
      ? {
          email: o.customer.email,
          phone: o.customer.phone,
          firstName: o.customer.first_name,
          lastName: o.customer.last_name,
        }
      : null,
    note: o.note,
    attrs: (o.note_attributes ?? []).map((a) => ({ key: a.name, value: a.value })),
    attrsAt: 'note_attributes',
    gateways: o.payment_gateway_names ?? [],
    gateway: o.gateway,
    cardCompany: o.payment_details?.credit_card_company,
    billing: o.billing_address ? { address: address(o.billing_address), at: 'billing_address' } : null,
    shipping: o.shipping_address ? { address: address(o.shipping_address), at: 'shipping_address' } : null,
    // A list fetched with `fields=` may leave these out; the recorded fixture has no line items at all.
    lines: (o.line_items ?? []).map((l, i) => {
      const at = `line_items[${i}]`;
      return {
        at,
        sku: l.sku,
        variantId: l.variant_id ? String(l.variant_id) : null,
        productId: l.product_id ? String(l.product_id) : null,
        title: l.title,
        variantTitle: l.variant_title,
        name: l.name,
        quantity: l.quantity,
        price: { value: l.price, at: `${at}.price` },
        taxes: (l.tax_lines ?? []).map((t, j) => ({
          price: { value: t.price, at: `${at}.tax_lines[${j}].price` },
          rate: t.rate,
        })),
      };
    }),
    shippingLines: o.shipping_lines
      ? o.shipping_lines.map((s, i) => ({
          title: s.title,
          code: s.code,
          price: { value: s.price, at: `shipping_lines[${i}].price` },
        }))
      : null,
  };
}
