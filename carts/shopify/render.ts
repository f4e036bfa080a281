// Simulated orders as Shopify's Admin API renders them: the REST `orders.json` record, and the
// GraphQL `Order` object made from it, so that one order reads the same through both APIs (the
// cross-shape test in normalize.test.ts holds them to one CartOrder).
import { includedTax } from '../../domain/money.js';
import { parseInstant, toJstIso } from '../../domain/time.js';
import {
  editedQuantity,
  type SimOrderView,
  type SimParty,
  shippedQuantity,
  usdCents,
} from '../sim/generate.js';
import { MAX_PAGE_SIZE } from './constants.js';
import { ORDER_QUERY } from './graphql.js';
import { type GqlField, parseGraphql, project } from './graphql-query.js';
import { shopifyProvince } from './prefectures.js';

type Json = Record<string, unknown>;

const ORDER_ID_BASE = 5_522_106_319_000;

/** The numeric (REST) id of a simulated order; GraphQL's is `gid://shopify/Order/{id}`. */
export function shopifyOrderId(seq: number): number {
  return ORDER_ID_BASE + seq;
}

export function shopifyOrderName(seq: number): string {
  return `#${1000 + seq}`;
}

const CARD_COMPANY: Record<string, string> = {
  VISA: 'Visa',
  MasterCard: 'Mastercard',
  JCB: 'JCB',
  AMEX: 'American Express',
  Diners: 'Diners Club',
};

/** payment_gateway_names as Japanese shops name their manual and app methods [I]. */
const GATEWAY: Record<SimOrderView['payment'], string> = {
  card: 'shopify_payments',
  bank: '銀行振込',
  cvs: 'コンビニ決済',
  payeasy: 'ペイジー',
  cod: '代金引換',
  postpay: 'NP後払い',
};

const SLOT_TEXT: Record<string, string> = {
  午前中: '午前中',
  '14-16': '14:00～16:00',
  '16-18': '16:00～18:00',
  '18-20': '18:00～20:00',
  '19-21': '19:00～21:00',
};

function address(p: SimParty, edits: number): Json {
  const { province, code } = shopifyProvince(p.prefecture);
  return {
    first_name: p.firstName,
    address1: p.street,
    // An edit in the cart is usually an address fix: the room number gets added.
    address2: edits > 0 && !p.building ? `${edits}0${edits}号室` : p.building,
    phone: p.phone,
    city: p.city,
    zip: p.postalCode,
    province,
    country: 'Japan',
    last_name: p.familyName,
    company: null,
    latitude: null,
    longitude: null,
    // Shopify builds `name` as "first last" whatever the country.
    name: `${p.firstName} ${p.familyName}`,
    country_code: 'JP',
    province_code: code,
  };
}

function e164(phone: string): string {
  return `+81${phone.replace(/-/g, '').replace(/^0/, '')}`;
}

/** A simulated order as Shopify's REST API renders it. */
export function renderShopifyOrder(view: SimOrderView): Json {
  const usd = view.currency === 'USD';
  const conv = (yen: number) => (usd ? usdCents(yen) : yen);
  // JPY has no minor unit; Shopify still writes decimal strings, USD with cents.
  const fmt = (minor: number) => (usd ? (minor / 100).toFixed(2) : String(minor));
  const moneySet = (minor: number) => ({
    shop_money: { amount: fmt(minor), currency_code: view.currency },
    presentment_money: { amount: fmt(minor), currency_code: view.currency },
  });
  const id = shopifyOrderId(view.seq);
  const created = toJstIso(view.orderedAt);
  const taxByRate = new Map<number, number>();
  const lineItems = view.lines.map((l, i) => {
    const quantity = editedQuantity(view, i);
    const unit = conv(l.product.price);
    const tax = includedTax(unit * quantity, l.product.taxRate);
    taxByRate.set(l.product.taxRate, (taxByRate.get(l.product.taxRate) ?? 0) + tax);
    const variant = l.product.cartOptionCode ? '朱泥' : null;
    return {
      id: id * 10 + i,
      variant_id: 40_000_000_000 + l.product.price * 10 + i,
      product_id: 7_000_000_000 + l.product.price,
      title: l.product.name,
      quantity,
      sku: l.product.cartCode,
      variant_title: variant,
      vendor: 'juchu tea',
      fulfillment_service: 'manual',
      requires_shipping: true,
      taxable: true,
      gift_card: false,
      name: variant ? `${l.product.name} - ${variant}` : l.product.name,
      properties: [],
      price: fmt(unit),
      price_set: moneySet(unit),
      total_discount: fmt(0),
      fulfillment_status:
        view.state === 'shipped' || shippedQuantity(view, i) >= quantity
          ? 'fulfilled'
          : shippedQuantity(view, i) > 0
            ? 'partial'
            : null,
      tax_lines: [
        { price: fmt(tax), rate: l.product.taxRate / 100, title: '消費税', price_set: moneySet(tax) },
      ],
    };
  });
  const goods = lineItems.reduce((s, l, i) => s + conv(view.lines[i]!.product.price) * l.quantity, 0);
  const shipping = conv(view.shippingFee);
  const codFee = conv(view.paymentFee);
  const shippingTax = includedTax(shipping, 10) + includedTax(codFee, 10);
  taxByRate.set(10, (taxByRate.get(10) ?? 0) + shippingTax);
  const coupon = conv(view.couponDiscount);
  const points = conv(view.pointsUsed);
  const discounts = coupon + points;
  const total = goods + shipping + codFee - discounts;
  const totalTax = [...taxByRate.values()].reduce((s, t) => s + t, 0);

  const cancelEvent = view.events.filter((e) => e.kind === 'cancel' && e.at <= view.updatedAt).at(-1);
  const shipEvent = view.events.filter((e) => e.kind === 'ship' && e.at <= view.updatedAt).at(-1);
  const cancelled = view.state === 'cancelled';
  const financial = cancelled
    ? view.paidAt
      ? 'refunded'
      : 'voided'
    : view.paidAt
      ? 'paid'
      : view.payment === 'card'
        ? 'authorized'
        : 'pending';

  const orderer = view.orderer;
  const noteAttributes: Json[] = [];
  if (view.requestedDate || view.timeSlot) {
    const [y, m, d] = (view.requestedDate ?? '').split('-');
    noteAttributes.push(
      { name: '配送希望日', value: view.requestedDate ? `${y}年${m}月${d}日` : '指定なし' },
      { name: '配送時間帯', value: view.timeSlot ? (SLOT_TEXT[view.timeSlot] ?? view.timeSlot) : '指定なし' },
    );
  }
  const discountCodes: Json[] = [];
  if (coupon) discountCodes.push({ code: 'WELCOME300', amount: fmt(coupon), type: 'fixed_amount' });
  if (points) discountCodes.push({ code: 'POINT', amount: fmt(points), type: 'fixed_amount' });
  const shippingLines: Json[] = [
    {
      id: id * 10 + 8,
      title: 'ヤマト運輸 宅急便',
      code: 'ヤマト運輸 宅急便',
      source: 'shopify',
      price: fmt(shipping),
      price_set: moneySet(shipping),
      discounted_price: fmt(shipping),
      tax_lines: [{ price: fmt(includedTax(shipping, 10)), rate: 0.1, title: '消費税' }],
    },
  ];
  if (codFee)
    shippingLines.push({
      id: id * 10 + 9,
      title: '代引手数料',
      code: '代引手数料',
      source: 'shopify',
      price: fmt(codFee),
      price_set: moneySet(codFee),
      discounted_price: fmt(codFee),
      tax_lines: [{ price: fmt(includedTax(codFee, 10)), rate: 0.1, title: '消費税' }],
    });

  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: orderer.email,
    contact_email: orderer.email,
    closed_at: shipEvent && view.paidAt && !cancelled ? toJstIso(shipEvent.at) : null,
    created_at: created,
    updated_at: toJstIso(view.updatedAt),
    processed_at: created,
    number: view.seq,
    order_number: 1000 + view.seq,
    name: shopifyOrderName(view.seq),
    note: view.remarks,
    note_attributes: noteAttributes,
    token: `sim${id.toString(16)}`,
    gateway: GATEWAY[view.payment],
    payment_gateway_names: [GATEWAY[view.payment]],
    payment_details:
      view.payment === 'card'
        ? {
            credit_card_company: CARD_COMPANY[view.cardBrand ?? 'VISA'] ?? view.cardBrand,
            credit_card_number: '•••• •••• •••• 4242',
          }
        : null,
    test: false,
    confirmed: true,
    currency: view.currency,
    presentment_currency: view.currency,
    taxes_included: true,
    tax_lines: [...taxByRate.entries()].map(([rate, tax]) => ({
      price: fmt(tax),
      rate: rate / 100,
      title: '消費税',
    })),
    total_price: fmt(total),
    subtotal_price: fmt(goods - discounts),
    total_line_items_price: fmt(goods),
    total_discounts: fmt(discounts),
    total_tax: fmt(totalTax),
    total_price_set: moneySet(total),
    subtotal_price_set: moneySet(goods - discounts),
    total_line_items_price_set: moneySet(goods),
    total_discounts_set: moneySet(discounts),
    total_tax_set: moneySet(totalTax),
    total_shipping_price_set: moneySet(shipping + codFee),
    discount_codes: discountCodes,
    financial_status: financial,
    fulfillment_status: view.state === 'shipped' ? 'fulfilled' : view.shipments.length > 0 ? 'partial' : null,
    // The fulfillments the shop created (fulfillmentCreate); left out while there are none [I].
    ...(view.shipments.length > 0 ? { fulfillments: restFulfillments(view, id, lineItems) } : {}),
    cancelled_at: cancelEvent && cancelled ? toJstIso(cancelEvent.at) : null,
    cancel_reason: cancelled ? (view.cancelReason ?? 'customer') : null,
    tags: view.gift ? 'ギフト' : '',
    phone: null,
    customer_locale: 'ja',
    billing_address: address(orderer, 0),
    shipping_address: address(view.shipTos[0]!, view.edits),
    customer: {
      id: 6_000_000_000 + view.seq,
      email: orderer.email,
      first_name: orderer.firstName,
      last_name: orderer.familyName,
      phone: e164(orderer.phone),
      currency: view.currency,
      tags: '',
    },
    line_items: lineItems,
    shipping_lines: shippingLines,
  };
}

/**
 * REST `fulfillments` of the shipments the shop reported: id, status, tracking company and number(s),
 * and the line items with the quantity each fulfillment holds [T: REST Fulfillment resource fields].
 */
function restFulfillments(view: SimOrderView, orderId: number, lineItems: Json[]): Json[] {
  return view.shipments.map((sh, n) => ({
    id: Number(sh.key),
    order_id: orderId,
    name: `${shopifyOrderName(view.seq)}.${n + 1}`,
    status: 'success',
    created_at: `${sh.shippedOn}T12:00:00+09:00`,
    service: 'manual',
    tracking_company: sh.carrier,
    tracking_number: sh.trackingNumber,
    tracking_numbers: [sh.trackingNumber],
    line_items: (
      sh.lines ?? lineItems.map((_, line) => ({ line, quantity: editedQuantity(view, line) }))
    ).map((l) => ({ ...lineItems[l.line], quantity: l.quantity })),
  }));
}

/** Corrupts a served REST record the way real breakage looks: a field gone, or of the wrong type. */
export function corruptRestOrder(order: Json, nth: number): Json {
  const copy = structuredClone(order);
  if (nth % 2 === 0) delete copy.created_at;
  else {
    const items = copy.line_items as Json[] | undefined;
    if (items?.[0]) items[0].quantity = 'two';
    else copy.total_price = { amount: copy.total_price };
  }
  return copy;
}

// ——— GraphQL ———

const gid = (type: string, id: unknown) => `gid://shopify/${type}/${String(id)}`;

/** GraphQL writes decimals with at least one fraction digit: `"2000.0"`, `"14.4"` [V: orders query examples]. */
export function graphqlAmount(rest: unknown): string | null {
  if (rest === null || rest === undefined || rest === '') return null;
  const text = String(rest).trim();
  const m = /^(-?\d+)(?:\.(\d*?))?0*$/.exec(text);
  if (!m) return text;
  return `${m[1]}.${m[2] || '0'}`;
}

/** GraphQL times are UTC with whole seconds: `2024-01-01T12:34:43Z` [V: orders query examples]. */
export function graphqlTime(rest: unknown): string | null {
  if (typeof rest !== 'string' || rest === '') return null;
  try {
    return parseInstant(rest)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  } catch {
    return rest;
  }
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => obj(x) !== null) : []);

function moneyBag(amount: unknown, currency: string): Json | null {
  const a = graphqlAmount(amount);
  if (a === null) return null;
  const money = { __typename: 'MoneyV2', amount: a, currencyCode: currency };
  return { __typename: 'MoneyBag', shopMoney: money, presentmentMoney: { ...money } };
}

function mailingAddress(a: unknown): Json | null {
  const r = obj(a);
  if (!r) return null;
  return {
    __typename: 'MailingAddress',
    id: gid('MailingAddress', `${String(r.id ?? 0)}?model_name=Address`),
    firstName: str(r.first_name),
    lastName: str(r.last_name),
    name: str(r.name),
    company: str(r.company),
    address1: str(r.address1),
    address2: str(r.address2),
    city: str(r.city),
    province: str(r.province),
    provinceCode: str(r.province_code),
    zip: str(r.zip),
    country: str(r.country),
    countryCodeV2: str(r.country_code),
    phone: str(r.phone),
    latitude: typeof r.latitude === 'number' ? r.latitude : null,
    longitude: typeof r.longitude === 'number' ? r.longitude : null,
  };
}

const FULFILLMENT: Record<string, string> = {
  fulfilled: 'FULFILLED',
  partial: 'PARTIALLY_FULFILLED',
  restocked: 'RESTOCKED',
};

function taxLines(v: unknown, currency: string): Json[] {
  return list(v).map((t) => ({
    __typename: 'TaxLine',
    title: str(t.title),
    rate: typeof t.rate === 'number' ? t.rate : null,
    ratePercentage: typeof t.rate === 'number' ? Math.round(t.rate * 10000) / 100 : null,
    priceSet: moneyBag(t.price, currency),
  }));
}

/**
 * A REST order record as the GraphQL Admin API's `Order` object (full: every field the simulator
 * serves, connections as plain lists, `__typename` on each object), from which a query's selection
 * is projected. Simulator-rendered and recorded REST records both go through here.
 */
export function graphqlOrderOf(rest: Json): Json {
  const currency = str(rest.currency) ?? 'JPY';
  const fin = str(rest.financial_status);
  const ful = str(rest.fulfillment_status);
  const customer = obj(rest.customer);
  const card = obj(rest.payment_details);
  const gateway =
    str(rest.gateway) ??
    (Array.isArray(rest.payment_gateway_names) ? str(rest.payment_gateway_names[0]) : null);
  const paid = fin === 'paid' || fin === 'partially_refunded' || fin === 'refunded';
  const transactions: Json[] = [];
  if (card || paid)
    transactions.push({
      __typename: 'OrderTransaction',
      id: gid('OrderTransaction', `${String(rest.id)}1`),
      kind: card && !paid ? 'AUTHORIZATION' : 'SALE',
      status: 'SUCCESS',
      gateway,
      processedAt: graphqlTime(rest.processed_at),
      amountSet: moneyBag(rest.total_price, currency),
      paymentDetails: card
        ? {
            __typename: 'CardPaymentDetails',
            company: str(card.credit_card_company),
            number: str(card.credit_card_number),
          }
        : null,
    });
  return {
    __typename: 'Order',
    id: gid('Order', rest.id),
    legacyResourceId: str(rest.id),
    name: str(rest.name),
    email: str(rest.email) ?? str(rest.contact_email),
    phone: str(rest.phone),
    note: str(rest.note),
    tags: typeof rest.tags === 'string' && rest.tags ? rest.tags.split(',').map((t) => t.trim()) : [],
    test: rest.test === true,
    createdAt: graphqlTime(rest.created_at),
    updatedAt: graphqlTime(rest.updated_at),
    processedAt: graphqlTime(rest.processed_at),
    cancelledAt: graphqlTime(rest.cancelled_at),
    cancelReason: typeof rest.cancel_reason === 'string' ? rest.cancel_reason.toUpperCase() : null,
    closedAt: graphqlTime(rest.closed_at),
    closed: rest.closed_at !== null && rest.closed_at !== undefined,
    currencyCode: currency,
    presentmentCurrencyCode: str(rest.presentment_currency) ?? currency,
    taxesIncluded: rest.taxes_included === true,
    displayFinancialStatus: fin ? fin.toUpperCase() : null,
    displayFulfillmentStatus: (ful && FULFILLMENT[ful]) ?? 'UNFULFILLED',
    totalPriceSet: moneyBag(rest.total_price, currency),
    currentTotalPriceSet: moneyBag(rest.total_price, currency),
    subtotalPriceSet: moneyBag(rest.subtotal_price, currency),
    totalDiscountsSet: moneyBag(rest.total_discounts, currency),
    totalTaxSet: moneyBag(rest.total_tax, currency),
    totalShippingPriceSet:
      moneyBag(obj(obj(rest.total_shipping_price_set)?.shop_money)?.amount, currency) ??
      moneyBag('0', currency),
    customAttributes: list(rest.note_attributes).map((a) => ({
      __typename: 'Attribute',
      key: str(a.name),
      value: str(a.value),
    })),
    paymentGatewayNames: Array.isArray(rest.payment_gateway_names) ? rest.payment_gateway_names : [],
    billingAddress: mailingAddress(rest.billing_address),
    shippingAddress: mailingAddress(rest.shipping_address),
    customer: customer
      ? {
          __typename: 'Customer',
          id: gid('Customer', customer.id),
          firstName: str(customer.first_name),
          lastName: str(customer.last_name),
          displayName: [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(' '),
          defaultEmailAddress: str(customer.email)
            ? { __typename: 'CustomerEmailAddress', emailAddress: str(customer.email) }
            : null,
          defaultPhoneNumber: str(customer.phone)
            ? { __typename: 'CustomerPhoneNumber', phoneNumber: str(customer.phone) }
            : null,
        }
      : null,
    lineItems: list(rest.line_items).map((l) => ({
      __typename: 'LineItem',
      id: gid('LineItem', l.id),
      name: str(l.name),
      title: str(l.title),
      variantTitle: str(l.variant_title),
      sku: str(l.sku),
      vendor: str(l.vendor),
      quantity: l.quantity,
      currentQuantity: l.quantity,
      requiresShipping: l.requires_shipping !== false,
      taxable: l.taxable !== false,
      originalUnitPriceSet: moneyBag(l.price, currency),
      taxLines: taxLines(l.tax_lines, currency),
      variant:
        l.variant_id === null || l.variant_id === undefined
          ? null
          : {
              __typename: 'ProductVariant',
              id: gid('ProductVariant', l.variant_id),
              legacyResourceId: String(l.variant_id),
            },
      product:
        l.product_id === null || l.product_id === undefined
          ? null
          : {
              __typename: 'Product',
              id: gid('Product', l.product_id),
              legacyResourceId: String(l.product_id),
            },
    })),
    shippingLines: list(rest.shipping_lines).map((s) => ({
      __typename: 'ShippingLine',
      id: gid('ShippingLine', s.id),
      title: str(s.title),
      code: str(s.code),
      source: str(s.source),
      originalPriceSet: moneyBag(s.price, currency),
      discountedPriceSet: moneyBag(s.discounted_price ?? s.price, currency),
      taxLines: taxLines(s.tax_lines, currency),
    })),
    transactions,
    fulfillments: fulfillmentsOf(rest),
    fulfillmentOrders: fulfillmentOrdersOf(rest),
  };
}

/** GraphQL `Fulfillment`s from REST `fulfillments` (trackingInfo: company, number). */
function fulfillmentsOf(rest: Json): Json[] {
  return list(rest.fulfillments).map((f) => ({
    __typename: 'Fulfillment',
    id: gid('Fulfillment', f.id),
    legacyResourceId: str(f.id),
    name: str(f.name),
    status: (str(f.status) ?? 'success').toUpperCase(),
    createdAt: graphqlTime(f.created_at),
    trackingInfo: (Array.isArray(f.tracking_numbers) ? f.tracking_numbers : [f.tracking_number])
      .filter((n) => typeof n === 'string')
      .map((number) => ({
        __typename: 'FulfillmentTrackingInfo',
        company: str(f.tracking_company),
        number,
        url: null,
      })),
  }));
}

/**
 * The order's one fulfillment order (one location [I]): its line items with what is left to fulfill
 * (quantity less what the REST fulfillments hold), and its status: CANCELLED for a cancelled order,
 * CLOSED when nothing is left, IN_PROGRESS when some is fulfilled, OPEN otherwise [V: FulfillmentOrderStatus].
 */
function fulfillmentOrdersOf(rest: Json): Json[] {
  const done = new Map<string, number>();
  for (const f of list(rest.fulfillments))
    for (const l of list(f.line_items))
      done.set(String(l.id), (done.get(String(l.id)) ?? 0) + Number(l.quantity ?? 0));
  const items = list(rest.line_items).map((l) => {
    const total = typeof l.quantity === 'number' ? l.quantity : 0;
    const remaining =
      rest.fulfillment_status === 'fulfilled' && done.size === 0
        ? 0
        : Math.max(0, total - (done.get(String(l.id)) ?? 0));
    return {
      __typename: 'FulfillmentOrderLineItem',
      id: gid('FulfillmentOrderLineItem', l.id),
      totalQuantity: total,
      remainingQuantity: remaining,
      sku: str(l.sku),
      lineItem: { __typename: 'LineItem', id: gid('LineItem', l.id), sku: str(l.sku), name: str(l.name) },
    };
  });
  const left = items.reduce((n, i) => n + i.remainingQuantity, 0);
  const total = items.reduce((n, i) => n + i.totalQuantity, 0);
  const status = rest.cancelled_at
    ? 'CANCELLED'
    : left === 0
      ? 'CLOSED'
      : left < total
        ? 'IN_PROGRESS'
        : 'OPEN';
  return [
    {
      __typename: 'FulfillmentOrder',
      id: gid('FulfillmentOrder', `${String(rest.id)}1`),
      status,
      lineItems: items,
    },
  ];
}

/** Corrupts a served GraphQL order node the way real breakage looks (as `corruptRestOrder`). */
export function corruptGraphqlOrder(node: Json, nth: number): Json {
  const copy = structuredClone(node);
  if (nth % 2 === 0) delete copy.createdAt;
  else {
    const lines = obj(copy.lineItems);
    const first = lines && (list(lines.nodes)[0] ?? obj(list(lines.edges)[0]?.node));
    if (first) first.quantity = 'two';
    else copy.totalPriceSet = { amount: copy.totalPriceSet };
  }
  return copy;
}

/** `Type.field` names that are connections in what the simulator serves. */
export const GRAPHQL_CONNECTIONS: ReadonlySet<string> = new Set([
  'Order.lineItems',
  'Order.shippingLines',
  'Order.fulfillmentOrders',
  'FulfillmentOrder.lineItems',
]);

const ORDER_SELECTION = (parseGraphql(ORDER_QUERY).selection[0] as GqlField).selection!;

/**
 * The GraphQL node the adapter stores for an order: what ORDER_FIELDS selects of the full object
 * (tests and the fuzz start from it).
 */
export function graphqlNodeAsRead(rest: Json, lines = 10): Json {
  return project(graphqlOrderOf(rest), ORDER_SELECTION, {
    vars: { lines },
    connections: GRAPHQL_CONNECTIONS,
    maxPageSize: MAX_PAGE_SIZE,
  });
}
