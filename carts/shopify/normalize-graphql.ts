// Shopify GraphQL Admin `Order` node (what graphql.ts ORDER_FIELDS selects, line items complete) →
// the facts build-order.ts turns into a CartOrder, the same one the REST record gives. Pure. Field
// names [V: shopify.dev GraphQL Admin Order, LineItem, MailingAddress, CardPaymentDetails]; which
// REST field each stands for is in README.md.
import { z } from 'zod';
import type { NormalizeResult, RawOrder } from '../contract.js';
import { FieldError, MAX_QUANTITY, nonBlank, normalizeSafely, parseRecord } from '../normalize-kit.js';
import { buildShopifyOrder, type FactsAddress, type ShopifyFacts } from './build-order.js';

const text = z.string().nullish();
const money = z.union([z.string(), z.number()]);
const moneyBag = z.object({ shopMoney: z.object({ amount: money, currencyCode: text }) });
/** UnsignedInt64 travels as a string of digits. */
const legacyId = z.union([z.string().regex(/^\d+$/, 'not a numeric id'), z.number().int().nonnegative()]);

const addressSchema = z.object({
  firstName: text,
  lastName: text,
  name: text,
  company: text,
  address1: text,
  address2: text,
  city: text,
  province: text,
  provinceCode: text,
  zip: text,
  countryCodeV2: text,
  phone: text,
});

const lineItemSchema = z.object({
  sku: text,
  name: text,
  title: nonBlank,
  variantTitle: text,
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  originalUnitPriceSet: moneyBag,
  taxLines: z.array(z.object({ rate: z.number().nullish(), priceSet: moneyBag })).nullish(),
  variant: z.object({ legacyResourceId: legacyId.nullish() }).nullish(),
  product: z.object({ legacyResourceId: legacyId.nullish() }).nullish(),
});

const shippingLineSchema = z.object({ title: text, code: text, originalPriceSet: moneyBag });

/** A connection as `nodes` or as `edges { node }`, and whether it had more pages than were read. */
const connection = <T extends z.ZodType>(node: T) =>
  z.object({
    nodes: z.array(node).optional(),
    edges: z.array(z.object({ node })).optional(),
    pageInfo: z.object({ hasNextPage: z.boolean() }).nullish(),
  });

export const shopifyGraphqlOrderSchema = z.object({
  id: nonBlank,
  name: nonBlank,
  createdAt: z.string(),
  updatedAt: text,
  processedAt: text,
  cancelledAt: text,
  displayFinancialStatus: text,
  displayFulfillmentStatus: text,
  currencyCode: text,
  taxesIncluded: z.boolean(),
  totalPriceSet: moneyBag,
  totalDiscountsSet: moneyBag.nullish(),
  totalTaxSet: moneyBag.nullish(),
  totalShippingPriceSet: moneyBag.nullish(),
  email: text,
  phone: text,
  note: text,
  customAttributes: z
    .array(z.object({ key: z.string(), value: z.union([z.string(), z.number()]).nullish() }))
    .nullish(),
  paymentGatewayNames: z.array(z.string()).nullish(),
  transactions: z.array(z.object({ paymentDetails: z.object({ company: text }).nullish() })).nullish(),
  billingAddress: addressSchema.nullish(),
  shippingAddress: addressSchema.nullish(),
  customer: z
    .object({
      firstName: text,
      lastName: text,
      defaultEmailAddress: z.object({ emailAddress: text }).nullish(),
      defaultPhoneNumber: z.object({ phoneNumber: text }).nullish(),
    })
    .nullish(),
  lineItems: connection(lineItemSchema).nullish(),
  shippingLines: connection(shippingLineSchema).nullish(),
});
export type ShopifyGraphqlOrder = z.infer<typeof shopifyGraphqlOrderSchema>;

const GRAPHQL_KEYS = [
  'createdAt',
  'updatedAt',
  'processedAt',
  'cancelledAt',
  'displayFinancialStatus',
  'displayFulfillmentStatus',
  'currencyCode',
  'taxesIncluded',
  'totalPriceSet',
  'lineItems',
  'shippingLines',
  'customAttributes',
  'paymentGatewayNames',
  'billingAddress',
  'shippingAddress',
  'legacyResourceId',
];
const REST_KEYS = [
  'created_at',
  'updated_at',
  'processed_at',
  'cancelled_at',
  'financial_status',
  'fulfillment_status',
  'currency',
  'taxes_included',
  'total_price',
  'line_items',
  'shipping_lines',
  'note_attributes',
  'payment_gateway_names',
  'billing_address',
  'shipping_address',
  'admin_graphql_api_id',
];

/** Whether a payload is a GraphQL node rather than a REST record: more of its field names say so. */
export function isGraphqlOrder(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const has = (k: string) => Object.hasOwn(payload, k);
  let votes = GRAPHQL_KEYS.filter(has).length - REST_KEYS.filter(has).length;
  const id = (payload as { id?: unknown }).id;
  if (typeof id === 'string' && id.startsWith('gid://')) votes += 2;
  if (typeof id === 'number') votes -= 2;
  return votes > 0;
}

/**
 * `lineItems` / `shippingLines`: the nodes and each one's path. A connection with more pages than
 * were read is refused: an order is imported whole or not at all.
 */
function nodesOf<T>(
  c: { nodes?: T[]; edges?: Array<{ node: T }>; pageInfo?: { hasNextPage: boolean } | null },
  at: string,
): Array<{ node: T; at: string }> {
  if (c.pageInfo?.hasNextPage)
    throw new FieldError(`${at}.pageInfo.hasNextPage`, 'more nodes than were read (a page is missing)');
  if (c.nodes) return c.nodes.map((node, i) => ({ node, at: `${at}.nodes[${i}]` }));
  if (c.edges) return c.edges.map((e, i) => ({ node: e.node, at: `${at}.edges[${i}].node` }));
  throw new FieldError(`${at}.nodes`, `neither ${at}.nodes nor ${at}.edges`);
}

/** REST's words for the display statuses [V: OrderDisplayFulfillmentStatus; I: the mapping]. */
const FULFILLMENT: Record<string, string> = {
  FULFILLED: 'fulfilled',
  PARTIALLY_FULFILLED: 'partial',
  RESTOCKED: 'restocked',
};

function address(a: z.infer<typeof addressSchema>): FactsAddress {
  return {
    firstName: a.firstName,
    lastName: a.lastName,
    name: a.name,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.provinceCode,
    zip: a.zip,
    countryCode: a.countryCodeV2,
    phone: a.phone,
  };
}

const legacy = (v: string | number | null | undefined) => (v === null || v === undefined ? null : String(v));

function graphqlFacts(o: ShopifyGraphqlOrder): ShopifyFacts {
  const currency = o.currencyCode ?? o.totalPriceSet.shopMoney.currencyCode;
  if (!currency) throw new FieldError('currencyCode', 'missing (and totalPriceSet names no currency)');
  const bag = (v: { shopMoney: { amount: string | number } } | null | undefined, at: string) => ({
    value: v?.shopMoney.amount,
    at: `${at}.shopMoney.amount`,
  });
  return {
    name: o.name,
    createdAt: { value: o.createdAt, at: 'createdAt' },
    updatedAt: { value: o.updatedAt, at: 'updatedAt' },
    processedAt: { value: o.processedAt ?? o.createdAt, at: 'processedAt' },
    cancelledAt: o.cancelledAt,
    financial: o.displayFinancialStatus?.toLowerCase(),
    fulfillment: o.displayFulfillmentStatus ? (FULFILLMENT[o.displayFulfillmentStatus] ?? null) : null,
    currency: {
      value: currency,
      at: o.currencyCode ? 'currencyCode' : 'totalPriceSet.shopMoney.currencyCode',
    },
    taxesIncluded: o.taxesIncluded,
    total: { value: o.totalPriceSet.shopMoney.amount, at: 'totalPriceSet.shopMoney.amount' },
    // GraphQL has no line-items total: the lines read add up to it (REST's total_line_items_price).
    goods: 'sum of lines',
    discounts: bag(o.totalDiscountsSet, 'totalDiscountsSet'),
    tax: bag(o.totalTaxSet, 'totalTaxSet'),
    shippingTotal: bag(o.totalShippingPriceSet, 'totalShippingPriceSet'),
    emails: [o.email],
    phone: o.phone,
    customer: o.customer
      ? {
          email: o.customer.defaultEmailAddress?.emailAddress,
          phone: o.customer.defaultPhoneNumber?.phoneNumber,
          firstName: o.customer.firstName,
          lastName: o.customer.lastName,
        }
      : null,
    note: o.note,
    attrs: o.customAttributes ?? [],
    attrsAt: 'customAttributes',
    gateways: o.paymentGatewayNames ?? [],
    gateway: null,
    cardCompany: (o.transactions ?? []).map((t) => t.paymentDetails?.company).find((c) => c?.trim()),
    billing: o.billingAddress ? { address: address(o.billingAddress), at: 'billingAddress' } : null,
    shipping: o.shippingAddress ? { address: address(o.shippingAddress), at: 'shippingAddress' } : null,
    lines: o.lineItems
      ? nodesOf(o.lineItems, 'lineItems').map(({ node: l, at }) => ({
          at,
          sku: l.sku,
          variantId: legacy(l.variant?.legacyResourceId),
          productId: legacy(l.product?.legacyResourceId),
          title: l.title,
          variantTitle: l.variantTitle,
          name: l.name,
          quantity: l.quantity,
          price: {
            value: l.originalUnitPriceSet.shopMoney.amount,
            at: `${at}.originalUnitPriceSet.shopMoney.amount`,
          },
          taxes: (l.taxLines ?? []).map((t, j) => ({
            price: {
              value: t.priceSet.shopMoney.amount,
              at: `${at}.taxLines[${j}].priceSet.shopMoney.amount`,
            },
            rate: t.rate,
          })),
        }))
      : null,
    shippingLines: o.shippingLines
      ? nodesOf(o.shippingLines, 'shippingLines').map(({ node: s, at }) => ({
          title: s.title,
          code: s.code,
          price: {
            value: s.originalPriceSet.shopMoney.amount,
            at: `${at}.originalPriceSet.shopMoney.amount`,
          },
        }))
      : null,
  };
}

export function normalizeGraphqlOrder(raw: RawOrder, store: string): NormalizeResult {
  const name =
    typeof raw.payload === 'object' && raw.payload !== null
      ? (raw.payload as { name?: unknown }).name
      : undefined;
  const hint = raw.cartOrderNo ?? (typeof name === 'string' && name ? name : null);
  return normalizeSafely(hint, () =>
    buildShopifyOrder(graphqlFacts(parseRecord(shopifyGraphqlOrderSchema, raw.payload)), store),
  );
}
