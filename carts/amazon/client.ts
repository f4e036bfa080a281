// SP-API Orders adapter, for the Orders API the store's settings name (`ordersApi`):
// - 2026-01-01 (the default): searchOrders by lastUpdatedAfter/lastUpdatedBefore with
//   `paginationToken` paging and `includedData` (INCLUDED_DATA), items inline: one call per page of
//   up to 100 orders, and PII by the app's roles, with no restricted-data token (access-orders-pii).
// - v0 (until 2027-03-27): getOrders by LastUpdatedAfter/LastUpdatedBefore with NextToken paging, then
//   getOrderItems (its own NextToken paging) per order. PII: one restricted-data token for
//   `GET /orders/v0/orders` with `buyerInfo` + `shippingAddress` makes getOrders itself return names,
//   street and phone — Amazon's "PII for bulk orders" path. The alternative, getOrderAddress +
//   getOrderBuyerInfo per order, would add two calls per order at 0.5 rps on top of getOrderItems.
// Both end up as the same order (normalize). Auth (LWA), rate limits and errors are shared.

import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type {
  AdapterOptions,
  CartAdapter,
  ListWindow,
  NormalizeResult,
  OrderPage,
  RawOrder,
} from '../contract.js';
import { CartAuthError, CartRequestError, CartResponseError } from '../errors.js';
import {
  CartHttpClient,
  type Classified,
  classifyByStatus,
  type HttpRequest,
  type HttpResponse,
  retryAfterMs,
} from '../http.js';
import { orNull } from '../normalize-kit.js';
import { accountOf } from '../rate-limit.js';
import { ExpiringToken, type IssuedToken, lwaTokenIssuer } from './auth.js';
import {
  AMAZON_LIST_LAG_MS,
  AMAZON_RATE_LIMITS,
  INCLUDED_DATA,
  ORDERS_2026_PATH,
  ORDERS_PATH,
  order2026Path,
  orderItemsPath,
  orderPath,
  RDT_PATH,
} from './constants.js';
import { normalizeAmazonOrder } from './normalize.js';
import { amazonOrderIdOf, orderIdOf2026 } from './recorded.js';
import {
  type AmazonRawPayload,
  errorListSchema,
  getOrderEnvelope,
  getOrderItemsEnvelope,
  getOrdersEnvelope,
  rdtResponseSchema,
} from './schema.js';
import { getOrder2026Envelope, searchOrdersEnvelope } from './schema-2026.js';
import {
  type AmazonCredentials,
  type AmazonSettings,
  amazonSettingsSchema,
  resolveLwaUrl,
} from './settings.js';

/** Our clock and Amazon's may disagree a little; stay this far inside the two-minute rule. */
const CLOCK_SKEW_MS = 5_000;
/**
 * The client spaces each operation's requests a little wider than the rate it is given, so that
 * network jitter never lands a request just before the server's bucket has refilled: by 10 % of the
 * interval, but at most 2 s. For the slow list calls a fixed margin is enough and costs little
 * (searchOrders: 180.6 s instead of 178.6 s a page, 99 % of the ceiling; 10 % would cost 18 s).
 *
 * Given a rate that is the documented one × k (tests, the time-compressed catch-up bench), the
 * margin is the documented one ÷ k as well, so a compressed run keeps the share of the interval a
 * real one spends (searchOrders at × 100: 20 ms, not 10 % = 179 ms), but never less than 25 ms, or
 * 10 % of an interval shorter than 250 ms: jitter does not compress. At the documented rates this
 * is the margin above, unchanged.
 */
const PACING_SHARE = 0.1;
const PACING_MAX_MARGIN_SEC = 2;
const PACING_MIN_MARGIN_SEC = 0.025;
export function paced(
  op: string,
  l: { ratePerSec: number; burst: number },
): { ratePerSec: number; burst: number } {
  const interval = 1 / l.ratePerSec;
  const documented = AMAZON_RATE_LIMITS[op];
  const own = Math.min(interval * PACING_SHARE, PACING_MAX_MARGIN_SEC);
  const margin = documented
    ? Math.max(
        Math.min(interval * PACING_SHARE, PACING_MIN_MARGIN_SEC),
        Math.min(
          own,
          Math.min(PACING_SHARE / documented.ratePerSec, PACING_MAX_MARGIN_SEC) *
            (documented.ratePerSec / l.ratePerSec),
        ),
      )
    : own;
  return { ratePerSec: 1 / (interval + margin), burst: l.burst };
}
const PII_ELEMENTS = ['buyerInfo', 'shippingAddress'];
/** Operations whose 400 / 404 answers the caller reads itself (`actions.ts`). */
const WRITE_OPERATIONS = new Set(['confirmShipment', 'patchListingsItem', 'getListingsItem']);
const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;

export class AmazonAdapter implements CartAdapter {
  readonly cart = 'amazon' as const;
  /**
   * searchOrders (and v0 getOrders) filter by last-updated time but document no order of their
   * pages (searched 2026-12-02): progress is committed per sub-window, not per page.
   */
  readonly progress = 'windows' as const;
  readonly settings: AmazonSettings;
  readonly http: CartHttpClient;
  private readonly now: () => Date;
  private readonly access: ExpiringToken;
  private readonly listToken: ExpiringToken;
  /** The token each request carries, so that a 403 renews exactly that one. */
  private readonly tokenOf = new WeakMap<HttpRequest, ExpiringToken>();

  constructor(opts: AdapterOptions<AmazonCredentials>) {
    const parsed = amazonSettingsSchema.safeParse(opts.settings ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CartRequestError(
        `amazon settings: ${issue.path.join('.') || '(settings)'}: ${issue.message}`,
        'amazon',
      );
    }
    this.settings = parsed.data;
    this.now = opts.now ?? (() => new Date());
    const limits = opts.limits ?? AMAZON_RATE_LIMITS;
    this.http = new CartHttpClient({
      cart: 'amazon',
      baseUrl: opts.baseUrl,
      http: opts.http,
      limits: Object.fromEntries(Object.entries(limits).map(([op, l]) => [op, paced(op, l)])),
      // Usage plans count per selling partner and app [V: SP-API usage plans]: the seller's
      // authorization of the app (its refresh token, hashed) names it.
      limiter: opts.limiter,
      account: accountOf(opts.credentials.clientId, opts.credentials.refreshToken),
      classify: (res, req) => classifyAmazon(res, req),
      authorize: (req) => {
        const token = this.tokenOf.get(req)?.peek();
        return {
          accept: 'application/json',
          'user-agent': 'juchu/0.1 (Language=TypeScript)',
          ...(token ? { 'x-amz-access-token': token } : {}),
        };
      },
      onAuthFailure: (req, res) => this.renewAfter(req, res),
    });
    const clock = () => this.now().getTime();
    const margin = this.settings.tokenRefreshMarginSec * 1000;
    this.access = new ExpiringToken(
      lwaTokenIssuer(resolveLwaUrl(this.settings, opts.baseUrl), opts.credentials, opts.http),
      clock,
      margin,
    );
    // Orders 2026-01-01 needs no restricted-data token: the access token and the app's roles do.
    this.listToken =
      this.settings.ordersApi === 'v0' && this.settings.restrictedData
        ? new ExpiringToken(
            () => this.createRdt([{ method: 'GET', path: ORDERS_PATH, dataElements: PII_ELEMENTS }]),
            clock,
            margin,
          )
        : this.access;
  }

  /**
   * The latest instant getOrders / searchOrders can list now: `LastUpdatedBefore` (2026:
   * `lastUpdatedBefore`) must be at least two minutes in the past. A window ending later is listed up to here only, so the import job should not move
   * its cursor past this instant for Amazon (orders changed since come with the next window).
   */
  listableUntil(): Date {
    return new Date(this.now().getTime() - AMAZON_LIST_LAG_MS - CLOCK_SKEW_MS);
  }

  async *listOrders(window: ListWindow, opts?: { signal?: AbortSignal }): AsyncGenerator<OrderPage> {
    const from = window.from.getTime();
    const to = Math.min(window.to.getTime(), this.listableUntil().getTime());
    if (to <= from) return;
    if (this.settings.ordersApi === 'v0') yield* this.listOrdersV0(from, to, opts?.signal);
    else yield* this.searchOrders(from, to, opts?.signal);
  }

  /**
   * searchOrders pages over [from, to). Every page repeats the query with the `paginationToken`, as
   * the model's sandbox requests do (v0's NextToken stood in for the query; this token does not say
   * so), so `includedData` holds on every page.
   */
  private async *searchOrders(from: number, to: number, signal?: AbortSignal): AsyncGenerator<OrderPage> {
    const query: HttpRequest['query'] = {
      marketplaceIds: this.settings.marketplaceId,
      lastUpdatedAfter: new Date(from).toISOString(),
      // Inclusive at Amazon ("updated at or before"); the window is half-open, see the filter below.
      lastUpdatedBefore: new Date(to).toISOString(),
      fulfilledBy: this.settings.fulfillmentChannels
        .map((c) => (c === 'AFN' ? 'AMAZON' : 'MERCHANT'))
        .join(','),
      maxResultsPerPage: this.settings.maxResultsPerPage,
      includedData: INCLUDED_DATA.join(','),
    };
    const seen = new Set<string>();
    let token: string | null = null;
    do {
      const res = await this.call(
        {
          method: 'GET',
          path: ORDERS_2026_PATH,
          query: token ? { ...query, paginationToken: token } : query,
          operation: 'searchOrders',
        },
        this.access,
        signal,
      );
      const page = parseEnvelope(searchOrdersEnvelope, res, 'searchOrders');
      const orders: RawOrder[] = [];
      for (const order of page.orders) {
        const id = orderIdOf2026(order);
        const updated = timeAt(order, 'lastUpdatedTime');
        // Half-open [from, to): an order updated exactly at `to` belongs to the next window.
        if (updated !== null && (updated < from || updated >= to)) continue;
        if (id !== null) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        orders.push({ cartOrderNo: id, payload: order });
      }
      if (this.settings.restrictedData) expectPii(page.orders);
      if (orders.length > 0) yield { orders };
      token = orNull(page.pagination?.nextToken);
    } while (token);
  }

  private async *listOrdersV0(from: number, to: number, signal?: AbortSignal): AsyncGenerator<OrderPage> {
    const marketplaceIds = this.settings.marketplaceId;
    const first: HttpRequest['query'] = {
      MarketplaceIds: marketplaceIds,
      LastUpdatedAfter: new Date(from).toISOString(),
      // Amazon's bound is inclusive ("before (or at)"); the window is half-open, see the filter below.
      LastUpdatedBefore: new Date(to).toISOString(),
      FulfillmentChannels: this.settings.fulfillmentChannels.join(','),
      MaxResultsPerPage: this.settings.maxResultsPerPage,
    };
    const seen = new Set<string>();
    let nextToken: string | null = null;
    do {
      // The token carries the query; follow-up pages send only it and the marketplace.
      const query: HttpRequest['query'] = nextToken
        ? { MarketplaceIds: marketplaceIds, NextToken: nextToken }
        : first;
      const res = await this.call(
        { method: 'GET', path: ORDERS_PATH, query, operation: 'getOrders' },
        this.listToken,
        signal,
      );
      const page = parseEnvelope(getOrdersEnvelope, res, 'getOrders');
      const orders: RawOrder[] = [];
      for (const order of page.payload.Orders) {
        const id = amazonOrderIdOf(order);
        const updated = timeAt(order, 'LastUpdateDate');
        // Half-open [from, to): an order updated exactly at `to` belongs to the next window.
        if (updated !== null && (updated < from || updated >= to)) continue;
        if (id !== null) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        orders.push(await this.withItems(id, order, signal));
      }
      if (orders.length > 0) yield { orders };
      nextToken = orNull(page.payload.NextToken);
    } while (nextToken);
  }

  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    if (!ORDER_ID.test(cartOrderNo)) return null; // Amazon ids are 3-7-7; anything else is unknown
    if (this.settings.ordersApi !== 'v0') {
      const res = await this.call(
        {
          method: 'GET',
          path: order2026Path(cartOrderNo),
          query: { includedData: INCLUDED_DATA.join(',') },
          operation: 'getOrder2026',
        },
        this.access,
      );
      if (res.status === 404) return null;
      return { cartOrderNo, payload: parseEnvelope(getOrder2026Envelope, res, 'getOrder').order };
    }
    const path = orderPath(cartOrderNo);
    // An RDT for one order names that order's path (Tokens API "get order information" tutorial).
    const token = this.settings.restrictedData
      ? new ExpiringToken(
          () => this.createRdt([{ method: 'GET', path, dataElements: PII_ELEMENTS }]),
          () => this.now().getTime(),
          0,
        )
      : this.access;
    const res = await this.call({ method: 'GET', path, operation: 'getOrder' }, token);
    if (res.status === 404) return null;
    const order = parseEnvelope(getOrderEnvelope, res, 'getOrder').payload;
    return this.withItems(cartOrderNo, order, undefined);
  }

  normalize(raw: RawOrder, store: string): NormalizeResult {
    return normalizeAmazonOrder(raw, store);
  }

  /** The order with every page of its items. A 4xx for one order's items becomes that record's error. */
  private async withItems(id: string | null, order: unknown, signal?: AbortSignal): Promise<RawOrder> {
    const payload: AmazonRawPayload = { order, items: [] };
    if (id !== null) {
      try {
        payload.items = await this.fetchItems(id, signal);
      } catch (e) {
        if (!(e instanceof CartRequestError)) throw e;
        payload.itemsError = `getOrderItems failed: ${e.message}`;
      }
    }
    return { cartOrderNo: id, payload };
  }

  private async fetchItems(id: string, signal?: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    let nextToken: string | null = null;
    do {
      const res = await this.call(
        {
          method: 'GET',
          path: orderItemsPath(id),
          query: nextToken ? { NextToken: nextToken } : undefined,
          operation: 'getOrderItems',
        },
        this.access,
        signal,
      );
      const page = parseEnvelope(getOrderItemsEnvelope, res, 'getOrderItems');
      if (page.payload.AmazonOrderId !== id)
        throw new CartResponseError(
          `amazon getOrderItems: asked for ${id}, got the items of ${page.payload.AmazonOrderId}`,
          'amazon',
          res.status,
        );
      items.push(...page.payload.OrderItems);
      nextToken = orNull(page.payload.NextToken);
    } while (nextToken);
    return items;
  }

  private async createRdt(
    restrictedResources: Array<{ method: string; path: string; dataElements: string[] }>,
  ): Promise<IssuedToken> {
    const res = await this.call(
      {
        method: 'POST',
        path: RDT_PATH,
        operation: 'createRestrictedDataToken',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ restrictedResources }),
      },
      this.access,
    );
    const body = parseEnvelope(rdtResponseSchema, res, 'createRestrictedDataToken');
    return { value: body.restrictedDataToken, expiresInSec: body.expiresIn };
  }

  /**
   * A write (confirmShipment) with the access token: no restricted-data token is needed for writes.
   * The answer is returned as it came for the caller to read (classifyAmazon lets a write's 400 and
   * 404 through: they are the cart's refusal, not a failure to retry).
   */
  write(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    return this.call(req, this.access, signal);
  }

  /** Every call: make sure its token has more than the margin left, then send. */
  private async call(req: HttpRequest, token: ExpiringToken, signal?: AbortSignal): Promise<HttpResponse> {
    await token.get();
    this.tokenOf.set(req, token);
    return this.http.send(req, signal);
  }

  /**
   * A 403 saying the token expired (or is invalid): renew that token and let the client retry once.
   * Renewing the access token with a revoked refresh token throws CartAuthError from here.
   * A 403 without such details means the app lacks a role: renewing cannot help.
   */
  private async renewAfter(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    const token = this.tokenOf.get(req);
    if (!token || res.status !== 403) return false;
    const details = amazonError(res)?.details ?? '';
    if (!/access token|expired|revoked|malformed|invalid/i.test(details)) return false;
    token.invalidate();
    await token.get();
    return true;
  }
}

/**
 * With `restrictedData` (the store expects names and addresses), a page whose shippable FBM orders
 * all come without the recipient's name means the app lacks the Direct-to-Consumer roles: Amazon
 * leaves the PII out silently (access-orders-pii), where v0 refused the RDT with a 403. Importing
 * nameless orders would ship nothing, so it is an auth error, as in v0; one odd order is not.
 */
function expectPii(orders: unknown[]): void {
  const shippable = orders.filter((o) => {
    const f = (o as { fulfillment?: { fulfillmentStatus?: unknown; fulfilledBy?: unknown } } | null)
      ?.fulfillment;
    return (
      (f?.fulfillmentStatus === 'UNSHIPPED' || f?.fulfillmentStatus === 'PARTIALLY_SHIPPED') &&
      f.fulfilledBy !== 'AMAZON'
    );
  });
  const named = shippable.some(
    (o) =>
      orNull(
        (o as { recipient?: { deliveryAddress?: { name?: string } } }).recipient?.deliveryAddress?.name,
      ) !== null,
  );
  if (shippable.length > 0 && !named)
    throw new CartAuthError(
      `amazon searchOrders: ${shippable.length} orders ready to ship came without the recipient's name or address: the app lacks the Direct-to-Consumer Delivery role for PII (or set restrictedData: false to import without PII)`,
      'amazon',
    );
}

/** A record's time field in ms (v0 `LastUpdateDate`, 2026 `lastUpdatedTime`); null when unreadable. */
function timeAt(order: unknown, key: string): number | null {
  const v = (order as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function amazonError(res: HttpResponse): { code: string; message: string; details: string } | null {
  try {
    const parsed = errorListSchema.safeParse(JSON.parse(res.text));
    if (!parsed.success) return null;
    const e = parsed.data.errors[0]!;
    return { code: e.code, message: e.message ?? '', details: e.details ?? '' };
  } catch {
    return null;
  }
}

/** Amazon's meaning of a response, with its error code and request id in the message for support cases. */
export function classifyAmazon(res: HttpResponse, req: HttpRequest): Classified {
  if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
  // An unknown order on getOrder is an answer (fetchOrder → null), not a failure.
  if (res.status === 404 && (req.operation === 'getOrder' || req.operation === 'getOrder2026'))
    return { kind: 'ok' };
  // A write's InvalidInput or NotFound is Amazon's answer to that shipment: the action reads it.
  if ((res.status === 400 || res.status === 404) && WRITE_OPERATIONS.has(req.operation))
    return { kind: 'ok' };
  const e = amazonError(res);
  const requestId = res.headers.get('x-amzn-requestid');
  const message =
    `HTTP ${res.status}` +
    (e ? ` ${e.code}: ${e.message}${e.details ? ` (${e.details})` : ''}` : `: ${res.text.slice(0, 200)}`) +
    (requestId ? ` [x-amzn-RequestId ${requestId}]` : '');
  if (res.status === 429 || e?.code === 'QuotaExceeded')
    return { kind: 'rate-limited', message, retryAfterMs: retryAfterMs(res.headers) };
  const base = classifyByStatus(res);
  return base.kind === 'ok' ? base : { ...base, message };
}

function parseEnvelope<S extends z.ZodType>(schema: S, res: HttpResponse, operation: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new CartResponseError(
      `amazon ${operation}: response is not JSON (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content-type'}): ${res.text.slice(0, 120)}`,
      'amazon',
      res.status,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CartResponseError(
      `amazon ${operation}: unexpected response shape at ${issue.path.join('.') || '(body)'}: ${issue.message}`,
      'amazon',
      res.status,
    );
  }
  return parsed.data;
}

/**
 * Adapters are kept per store (and identical options) within a process, so that successive import
 * jobs share the access token — Amazon asks clients to reuse it for its hour rather than fetch one
 * per call — and the client-side token buckets, which a fresh adapter would start full while
 * Amazon's own buckets are still drained by the previous job. Adapters share only with the same
 * clock function: a worker's one database clock (jobs/deps.ts) shares; a test's own clock does not.
 */
const shared = new Map<string, AmazonAdapter>();
const SHARED_MAX = 200;
const clockIds = new WeakMap<() => Date, number>();
let clocksSeen = 0;

function clockId(now: (() => Date) | undefined): number {
  if (!now) return 0;
  let id = clockIds.get(now);
  if (id === undefined) {
    id = ++clocksSeen;
    clockIds.set(now, id);
  }
  return id;
}

export function createAmazonAdapter(opts: AdapterOptions<AmazonCredentials>): AmazonAdapter {
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        opts.storeCode,
        opts.baseUrl,
        opts.credentials,
        opts.settings,
        opts.limits,
        opts.http,
        clockId(opts.now),
      ]),
    )
    .digest('hex');
  let adapter = shared.get(key);
  if (!adapter) {
    adapter = new AmazonAdapter(opts);
    if (shared.size >= SHARED_MAX) shared.delete(shared.keys().next().value!);
    shared.set(key, adapter);
  }
  return adapter;
}
