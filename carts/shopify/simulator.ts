// A local Shopify Admin REST API for orders: the same paths, token header, 401 body, Link/page_info
// cursor paging (and its "only limit and fields" rule), the leaky bucket with its
// X-Shopify-Shop-Api-Call-Limit header, and 429 + Retry-After with Shopify's body.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { includedTax } from '../../domain/money.js';
import { parseInstant, toJstIso } from '../../domain/time.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import { editedQuantity, type SimOrderView, type SimParty, usdCents } from '../sim/generate.js';
import {
  type CartBehaviour,
  createSimState,
  OrderBook,
  type RunningSimulator,
  type SimReply,
  type SimRequest,
  startSimulator,
  takeMalformed,
} from '../sim/kit.js';
import { SHOPIFY_DEMO_CREDENTIALS } from './demo-credentials.js';
import { shopifyProvince } from './prefectures.js';

/** Shopify's 401 body for a wrong or revoked token [T: issues in Shopify/shopify-cli#263 and others]. */
export const SHOPIFY_401_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
};

type Json = Record<string, unknown>;

/** The leaky bucket of one shop: `size` calls, leaking `leakPerSec` a second. */
export class ShopBucket {
  private level = 0;
  private at = performance.now();
  maxLevel = 0;
  constructor(
    readonly size: number,
    readonly leakPerSec: number,
  ) {}

  private leak(): void {
    const now = performance.now();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.leakPerSec);
    this.at = now;
  }

  /** Adds one call; false when the bucket is full (the call is refused, nothing added). */
  take(): boolean {
    this.leak();
    if (this.level + 1 > this.size) return false;
    this.level += 1;
    this.maxLevel = Math.max(this.maxLevel, this.level);
    return true;
  }

  header(): string {
    this.leak();
    return `${Math.min(this.size, Math.ceil(this.level))}/${this.size}`;
  }

  /** Shopify sends `Retry-After: 2.0` on the Standard plan (2/s); scaled with the leak rate. */
  retryAfter(): string {
    const s = 4 / this.leakPerSec;
    return s >= 1 ? s.toFixed(1) : String(Number(s.toFixed(3)));
  }
}

export interface ShopifySimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Share of orders placed in US dollars (a shop selling abroad). Default 0.1. */
  foreignShare?: number;
}

export interface ShopifySimulator extends RunningSimulator {
  bucket: ShopBucket | null;
  /** Cart-specific faults: the next N API requests answer 200 with an HTML page (storefront error page). */
  quirks: { htmlBodies: number };
}

const ORDER_ID_BASE = 5_522_106_319_000;

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
  const id = ORDER_ID_BASE + view.seq;
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
      fulfillment_status: view.state === 'shipped' ? 'fulfilled' : null,
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
    fulfillment_status: view.state === 'shipped' ? 'fulfilled' : null,
    cancelled_at: cancelEvent && cancelled ? toJstIso(cancelEvent.at) : null,
    cancel_reason: cancelled ? 'customer' : null,
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

/** Corrupts a served record the way real breakage looks: a field gone, or of the wrong type. */
function corrupt(order: Json, nth: number): Json {
  const copy = structuredClone(order);
  if (nth % 2 === 0) delete copy.created_at;
  else {
    const items = copy.line_items as Json[] | undefined;
    if (items?.[0]) items[0].quantity = 'two';
    else copy.total_price = { amount: copy.total_price };
  }
  return copy;
}

/** Every order in a folder of recorded `orders.json` / `orders/{id}.json` bodies. */
export function loadShopifyFixtures(dir: string): Json[] {
  const byId = new Map<string, Json>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const body = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { orders?: Json[]; order?: Json };
    for (const o of body.orders ?? (body.order ? [body.order] : [])) byId.set(String(o.id), o);
  }
  return [...byId.values()];
}

interface Filters {
  status: string;
  financial_status?: string;
  fulfillment_status?: string;
  updated_at_min?: number;
  updated_at_max?: number;
  created_at_min?: number;
  created_at_max?: number;
  since_id?: number;
  ids?: number[];
  name?: string;
}

class BadRequest extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

function ms(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  try {
    return parseInstant(v).getTime();
  } catch {
    return null;
  }
}

function readFilters(params: URLSearchParams): Filters {
  const f: Filters = { status: params.get('status') ?? 'open' };
  if (!['open', 'closed', 'cancelled', 'any'].includes(f.status))
    throw new BadRequest('status', 'status is invalid');
  for (const k of ['updated_at_min', 'updated_at_max', 'created_at_min', 'created_at_max'] as const) {
    const v = params.get(k);
    if (v === null) continue;
    const t = ms(v);
    if (t === null) throw new BadRequest(k, `${k} is invalid`);
    f[k] = t;
  }
  const fin = params.get('financial_status');
  if (fin && fin !== 'any') f.financial_status = fin;
  const ful = params.get('fulfillment_status');
  if (ful && ful !== 'any') f.fulfillment_status = ful;
  if (params.get('since_id')) f.since_id = Number(params.get('since_id'));
  if (params.get('ids')) f.ids = params.get('ids')!.split(',').map(Number);
  if (params.get('name')) f.name = params.get('name')!.replace(/^#/, '');
  return f;
}

function matches(o: Json, f: Filters): boolean {
  const cancelled = o.cancelled_at !== null && o.cancelled_at !== undefined;
  const closed = o.closed_at !== null && o.closed_at !== undefined;
  if (f.status === 'open' && (cancelled || closed)) return false;
  if (f.status === 'closed' && !closed) return false;
  if (f.status === 'cancelled' && !cancelled) return false;
  // Shopify keeps times to the second: compare what the payload says, not the simulator's milliseconds.
  const updated = ms(o.updated_at);
  const created = ms(o.created_at);
  if (f.updated_at_min !== undefined && (updated === null || updated < f.updated_at_min)) return false;
  if (f.updated_at_max !== undefined && (updated === null || updated > f.updated_at_max)) return false;
  if (f.created_at_min !== undefined && (created === null || created < f.created_at_min)) return false;
  if (f.created_at_max !== undefined && (created === null || created > f.created_at_max)) return false;
  if (f.financial_status && o.financial_status !== f.financial_status) return false;
  if (f.fulfillment_status) {
    const fs = o.fulfillment_status ?? null;
    const want = f.fulfillment_status;
    if (want === 'shipped' && fs !== 'fulfilled') return false;
    if (want === 'unshipped' && fs !== null) return false;
    if (want === 'unfulfilled' && fs === 'fulfilled') return false;
    if (want === 'partial' && fs !== 'partial') return false;
  }
  if (f.since_id !== undefined && Number(o.id) <= f.since_id) return false;
  if (f.ids && !f.ids.includes(Number(o.id))) return false;
  if (f.name !== undefined && String(o.name).replace(/^#/, '') !== f.name) return false;
  return true;
}

interface Cursor {
  f: Filters;
  /** Last id of the page (next) or first id (previous). */
  id: number;
  dir: 'next' | 'prev';
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id !== 'number' || (c.dir !== 'next' && c.dir !== 'prev') || typeof c.f?.status !== 'string')
      throw new Error('bad cursor');
    return c;
  } catch {
    throw new BadRequest('page_info', 'Invalid value.');
  }
}

function project(o: Json, fields: string | null): Json {
  if (!fields) return o;
  const keep = fields.split(',').map((s) => s.trim());
  return Object.fromEntries(keep.filter((k) => k in o).map((k) => [k, o[k]]));
}

export async function startShopifySimulator(opts: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  const state = createSimState();
  const clock = opts.clock ?? (() => new Date());
  const book = new OrderBook(
    opts.seed ?? 1,
    (o) => shopifyOrderName(o.seq),
    { foreignShare: opts.foreignShare ?? 0.1 },
    clock,
  );
  const fixtures = opts.fixturesDir ? loadShopifyFixtures(opts.fixturesDir) : null;
  if (!fixtures) {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 50, from, to);
  }
  const token = opts.credentials?.accessToken ?? SHOPIFY_DEMO_CREDENTIALS.accessToken;
  const spec = opts.limits?.['*'] ?? { ratePerSec: 2, burst: 40 };
  const bucket = opts.rateLimits === false ? null : new ShopBucket(spec.burst, spec.ratePerSec);
  const quirks = { htmlBodies: 0 };
  let malformedServed = 0;

  const source = (): Json[] => fixtures ?? book.visible().map(renderShopifyOrder);
  const serve = (o: Json): Json => (takeMalformed(state) ? corrupt(o, malformedServed++) : o);
  const limitHeader = () => (bucket ? bucket.header() : `1/${spec.burst}`);

  const behaviour: CartBehaviour = {
    cart: 'shopify',
    serverErrorReply: (status) => ({
      status,
      body: { errors: status === 503 ? 'Service Unavailable' : 'Internal Server Error' },
    }),
    rateLimitReply: () => ({
      status: 429,
      headers: {
        'Retry-After': bucket ? bucket.retryAfter() : '2.0',
        'X-Shopify-Shop-Api-Call-Limit': `${spec.burst}/${spec.burst}`,
      },
      // Shopify's wording names the Standard rate whatever the plan [T: MONEI/Shopify-api-node#135].
      body: {
        errors:
          'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
      },
    }),
    cartOrderNo: (o) => shopifyOrderName(o.seq),
  };

  /** Auth, then the bucket; the answer every API call shares before its own work. */
  const gate = (req: SimRequest): SimReply | null => {
    const version = req.params.version ?? '';
    if (!/^\d{4}-(01|04|07|10)$/.test(version)) return { status: 404, body: { errors: 'Not Found' } };
    if (state.faults.revokeCredentials || req.headers['x-shopify-access-token'] !== token) {
      state.stats.authFailures++;
      return {
        status: 401,
        headers: { 'WWW-Authenticate': 'Basic Realm="Shopify API Authentication"' },
        body: SHOPIFY_401_BODY,
      };
    }
    if (bucket && !bucket.take()) {
      state.stats.sent429++;
      return behaviour.rateLimitReply(req);
    }
    if (quirks.htmlBodies > 0) {
      quirks.htmlBodies--;
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!DOCTYPE html><html><head><title>Shopify</title></head><body><p>There was a problem loading this website. Please try again.</p></body></html>',
      };
    }
    return null;
  };
  const withHeaders = (reply: SimReply, version: string): SimReply => ({
    ...reply,
    headers: {
      'X-Shopify-Shop-Api-Call-Limit': limitHeader(),
      'X-Shopify-API-Version': version,
      ...reply.headers,
    },
  });

  const list = (req: SimRequest): SimReply => {
    const params = req.url.searchParams;
    const limitParam = params.get('limit');
    const limit = Math.min(250, Math.max(1, Number(limitParam ?? 50) || 50));
    const fields = params.get('fields');
    let filters: Filters;
    let cursor: Cursor | null = null;
    try {
      const pageInfo = params.get('page_info');
      if (pageInfo !== null) {
        // On page_info requests Shopify refuses every parameter but limit and fields [V: pagination guide].
        for (const k of params.keys())
          if (k !== 'page_info' && k !== 'limit' && k !== 'fields')
            throw new BadRequest(
              k,
              `${k} cannot be passed when page_info is present. See https://shopify.dev/api/usage/pagination-rest for more information.`,
            );
        cursor = decodeCursor(pageInfo);
        filters = cursor.f;
      } else {
        filters = readFilters(params);
      }
    } catch (e) {
      if (e instanceof BadRequest) return { status: 400, body: { errors: { [e.param]: e.message } } };
      throw e;
    }
    // Newest first, as Shopify lists orders; the cursor keeps the filters and the last id seen.
    const all = source()
      .filter((o) => matches(o, filters))
      .sort((a, b) => Number(b.id) - Number(a.id));
    let page: Json[];
    let hasNext: boolean;
    let hasPrev: boolean;
    if (cursor?.dir === 'prev') {
      const before = all.filter((o) => Number(o.id) > cursor.id);
      page = before.slice(Math.max(0, before.length - limit));
      hasPrev = before.length > limit;
      hasNext = true;
    } else {
      const after = cursor ? all.filter((o) => Number(o.id) < cursor.id) : all;
      page = after.slice(0, limit);
      hasNext = after.length > limit;
      hasPrev = cursor !== null;
    }
    const base = `http://${req.headers.host ?? '127.0.0.1'}${req.path}`;
    const link = (c: Cursor, rel: string) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (fields) q.set('fields', fields);
      q.set('page_info', encodeCursor(c));
      return `<${base}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (hasPrev && page[0]) links.push(link({ f: filters, id: Number(page[0].id), dir: 'prev' }, 'previous'));
    if (hasNext && page.length)
      links.push(link({ f: filters, id: Number(page.at(-1)!.id), dir: 'next' }, 'next'));
    return {
      status: 200,
      headers: links.length ? { Link: links.join(', ') } : {},
      body: { orders: page.map((o) => project(serve(o), fields)) },
    };
  };

  const one = (req: SimRequest): SimReply => {
    const m = /^(\d+)\.json$/.exec(req.params.file ?? '');
    const order = m ? source().find((o) => String(o.id) === m[1]) : undefined;
    if (!order) return { status: 404, body: { errors: 'Not Found' } };
    return { status: 200, body: { order: project(serve(order), req.url.searchParams.get('fields')) } };
  };

  const route =
    (handler: (req: SimRequest) => SimReply) =>
    (req: SimRequest): SimReply =>
      withHeaders(gate(req) ?? handler(req), req.params.version ?? '');

  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    book,
    behaviour,
    trickleMs: opts.trickleMs,
    routes: [
      { method: 'GET', path: '/admin/api/:version/orders.json', name: 'orders', handler: route(list) },
      { method: 'GET', path: '/admin/api/:version/orders/:file', name: 'order', handler: route(one) },
    ],
  });
  return Object.assign(running, { bucket, quirks });
}

export const shopifySimulator: CartSimulator = {
  cart: 'shopify',
  start: (opts) => startShopifySimulator(opts),
};
