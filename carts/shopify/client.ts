// Shopify Admin API adapter. Orders changed in a window come from the GraphQL Admin API (graphql.ts)
// or, for a store set to `ordersApi: 'rest'`, from the REST Admin API: `updated_at_min/max` +
// `status=any`, paged with the `Link` header's page_info cursor, paced by the shop's leaky bucket as
// the `X-Shopify-Shop-Api-Call-Limit` header reports it (spec §5.2). Tokens: auth.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { parseInstant, toJstIso } from '../../domain/time.js';
import type {
  AdapterOptions,
  CartAdapter,
  ImportProgress,
  ListOptions,
  ListWindow,
  OrderPage,
  RawOrder,
} from '../contract.js';
import { CartResponseError } from '../errors.js';
import {
  CartHttpClient,
  type Classified,
  classifyByStatus,
  type HttpRequest,
  type HttpResponse,
  parseJsonBody,
} from '../http.js';
import { limitBucket } from '../rate-limit.js';
import { type ShopifyCredentials, ShopifyTokens, shopifyTokenUrl } from './auth.js';
import { API_VERSION_PATTERN, DEFAULT_API_VERSION, SHOPIFY_LIMITS } from './constants.js';
import { classifyGraphql, GRAPHQL_OPERATIONS, ShopifyGraphqlOrders } from './graphql.js';
import { normalizeShopifyOrder } from './normalize.js';

export { type ShopifyCredentials, shopifyCredentialsSchema } from './auth.js';
export { SHOPIFY_LIMITS } from './constants.js';

export const shopifySettingsSchema = z.object({
  /**
   * How orders are read: the GraphQL Admin API (default), or the REST Admin API, legacy since
   * 2024-10 and kept for the shops where GraphQL does not work for them yet.
   */
  ordersApi: z.enum(['graphql', 'rest']).default('graphql'),
  /** Admin API version in the path (`YYYY-01/04/07/10`); each is supported for at least 12 months. */
  apiVersion: z
    .string()
    .regex(API_VERSION_PATTERN, 'an API version such as 2026-10')
    .default(DEFAULT_API_VERSION),
  /**
   * Orders per page at most; Shopify allows 1–250. GraphQL pages are also kept under the 1,000-point
   * single-query cost, which with line items inside is far fewer.
   */
  pageSize: z.number().int().min(1).max(250).default(250),
  /** GraphQL: line items read with each order; an order with more gets its own queries for the rest. */
  lineItemsFirst: z.number().int().min(1).max(100).default(10),
  /**
   * REST: how fast the shop's bucket leaks, by plan: Standard 2/s, Advanced 4/s, Plus 20/s. Defaults
   * to the client-side rate limit (`limits['*'].ratePerSec`, itself 2/s by default).
   */
  leakPerSec: z.number().positive().optional(),
});
export type ShopifySettings = z.infer<typeof shopifySettingsSchema>;

export const SHOPIFY_DEFAULT_BASE_URL = 'https://{shop}.myshopify.com';

export function shopifyBaseUrl(template: string, shop: string): string {
  return template.replace('{shop}', shop);
}

/**
 * Paces requests by the bucket level Shopify reports after every call, so several workers (or a burst
 * after a quiet spell) slow down before the bucket is full instead of meeting 429s.
 */
export class LeakyBucketPacer {
  private used = 0;
  private size = Number.POSITIVE_INFINITY;
  private at = performance.now();
  waits = 0;

  constructor(private readonly leakPerSec: number) {}

  /** Reads `X-Shopify-Shop-Api-Call-Limit: 32/40`. */
  observe(header: string | null): void {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(header ?? '');
    if (!m) return;
    this.used = Number(m[1]);
    this.size = Number(m[2]);
    this.at = performance.now();
  }

  /** Ms until one more call fits below the headroom line (0 = go now). */
  delayMs(): number {
    if (!Number.isFinite(this.size)) return 0;
    const level = Math.max(0, this.used - ((performance.now() - this.at) / 1000) * this.leakPerSec);
    // Keep a tenth of the bucket free for other workers of this shop and for retries.
    const line = this.size - Math.max(1, Math.ceil(this.size / 10));
    const over = level + 1 - line;
    return over > 0 ? Math.ceil((over / this.leakPerSec) * 1000) : 0;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    const ms = this.delayMs();
    if (ms > 0) {
      this.waits++;
      await sleep(ms, undefined, { signal });
    }
    // Count our own call until the next header tells the truth.
    this.used = Math.max(0, this.used - ((performance.now() - this.at) / 1000) * this.leakPerSec) + 1;
    this.at = performance.now();
  }
}

/** `<https://…?page_info=abc&limit=250>; rel="next", <…>; rel="previous"` → { next, previous }. */
export function parseLinkHeader(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(/,\s*(?=<)/)) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

const listBody = z.object({ orders: z.array(z.unknown()) });
const oneBody = z.object({ order: z.unknown() });

/** ISO-8601 with an offset in whole seconds (Shopify compares at second precision). */
function isoSeconds(ms: number): string {
  return toJstIso(new Date(ms));
}

export class ShopifyAdapter implements CartAdapter {
  readonly cart = 'shopify' as const;
  readonly http: CartHttpClient;
  /** REST: the leaky bucket as the call-limit header reports it. */
  readonly pacer: LeakyBucketPacer;
  /** GraphQL: the orders reader, with its cost pacer (null for a REST store). */
  readonly graphql: ShopifyGraphqlOrders | null;
  readonly tokens: ShopifyTokens;
  readonly settings: ShopifySettings;

  /** Scheme, host and port of the shop's API: the Link header's next page must be on it. */
  private readonly origin: string;
  /** The token the last request carried (what to renew when the API refuses it). */
  private lastToken = '';

  constructor(opts: AdapterOptions<ShopifyCredentials>) {
    this.settings = shopifySettingsSchema.parse(opts.settings ?? {});
    const base = shopifyBaseUrl(opts.baseUrl, opts.credentials.shop);
    this.origin = URL.canParse(base) ? new URL(base).origin : base;
    const now = opts.now ?? (() => new Date());
    // The token endpoint is on the shop's own host, as the API is [V: shopify.dev client-secrets].
    this.tokens = new ShopifyTokens(
      opts.credentials,
      URL.canParse(base) ? shopifyTokenUrl(base) : base,
      opts.http,
      () => now().getTime(),
      opts.credentialStore,
    );
    const rest = this.settings.ordersApi === 'rest';
    // REST has a request rate to keep under; GraphQL's limit is the cost bucket, paced below.
    const limits = opts.limits ?? (rest ? SHOPIFY_LIMITS : {});
    this.pacer = new LeakyBucketPacer(this.settings.leakPerSec ?? limits['*']?.ratePerSec ?? 2);
    let graphql: ShopifyGraphqlOrders | null = null;
    this.http = new CartHttpClient({
      cart: 'shopify',
      baseUrl: base,
      http: opts.http,
      limits,
      // Shopify counts per app and shop [V: shopify.dev rate limits]: REST's calls here, GraphQL's
      // cost points in the same limiter's shop bucket (costBucket below).
      limiter: opts.limiter,
      account: opts.credentials.shop,
      authorize: async (req) => {
        if (graphql && GRAPHQL_OPERATIONS.has(req.operation))
          await graphql.pacer.wait(graphql.estimatedCost(req));
        else await this.pacer.wait();
        this.lastToken = await this.tokens.current();
        return { 'X-Shopify-Access-Token': this.lastToken, Accept: 'application/json' };
      },
      // An expired or revoked token: renewed once (client credentials, refresh token) and retried.
      onAuthFailure: (_req, res) =>
        res.status === 401 ? this.tokens.renewAfterRefusal(this.lastToken) : Promise.resolve(false),
      classify: (res, req) => this.classify(res, req),
      // A query that got no answer is no longer in flight (nothing is known of what it cost).
      onNoAnswer: (req) => {
        if (graphql && GRAPHQL_OPERATIONS.has(req.operation))
          graphql.pacer.observe(undefined, { taken: graphql.estimatedCost(req), charged: null });
      },
    });
    graphql = rest
      ? null
      : new ShopifyGraphqlOrders({
          http: this.http,
          apiVersion: this.settings.apiVersion,
          pageSize: this.settings.pageSize,
          lineItemsFirst: this.settings.lineItemsFirst,
          costBucket: {
            limiter: this.http.limiter,
            bucket: limitBucket('shopify', opts.credentials.shop, 'graphql'),
          },
        });
    this.graphql = graphql;
    // GraphQL pages are sorted by UPDATED_AT, so each states how far the window is in; the REST
    // reader's pages are not (orders.json has no update-time sort we rely on): sub-windows instead.
    this.progress = graphql ? 'pages' : 'windows';
  }

  private classify(res: HttpResponse, req: HttpRequest): Classified {
    if (this.graphql && GRAPHQL_OPERATIONS.has(req.operation))
      return classifyGraphql(res, this.graphql.pacer, this.graphql.estimatedCost(req));
    this.pacer.observe(res.headers.get('x-shopify-shop-api-call-limit'));
    // fetchOrder turns a 404 into "not found" itself.
    if (res.status === 404 && req.operation === 'getOrder') return { kind: 'ok' };
    // 402 (shop frozen for unpaid bills) and 423 (shop locked) need the merchant, not a retry.
    if (res.status === 402 || res.status === 423)
      return { kind: 'auth', message: `HTTP ${res.status}: ${res.text.slice(0, 200)}` };
    return classifyByStatus(res);
  }

  readonly progress: ImportProgress;

  listOrders(window: ListWindow, opts: ListOptions = {}): AsyncGenerator<OrderPage> {
    return this.graphql ? this.graphql.listOrders(window, opts.signal) : this.listRest(window, opts);
  }

  fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    return this.graphql ? this.graphql.fetchOrder(cartOrderNo) : this.fetchRest(cartOrderNo);
  }

  private ordersPath(): string {
    return `/admin/api/${this.settings.apiVersion}/orders.json`;
  }

  private async *listRest(window: ListWindow, opts: { signal?: AbortSignal }): AsyncGenerator<OrderPage> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    // Shopify's min/max are inclusive and in whole seconds; ask a little wider and cut [from, to) here.
    let req: HttpRequest = {
      method: 'GET',
      operation: 'listOrders',
      path: this.ordersPath(),
      query: {
        status: 'any',
        updated_at_min: isoSeconds(Math.floor(from / 1000) * 1000),
        updated_at_max: isoSeconds(Math.ceil(to / 1000) * 1000),
        limit: this.settings.pageSize,
      },
    };
    for (;;) {
      const res = await this.http.send(req, opts.signal);
      const body = this.parse(res, 'listOrders', listBody);
      const orders: RawOrder[] = [];
      for (const payload of body.orders) {
        const updated = updatedAtMs(payload);
        // Records whose updated_at cannot be read still go through: normalize names the bad field.
        if (updated !== null && (updated < from || updated >= to)) continue;
        orders.push(rawOrder(payload));
      }
      yield { orders };
      const next = parseLinkHeader(res.headers.get('link')).next;
      if (!next) return;
      // The token goes with the next request: only to the shop we asked, whatever the header says.
      if (!URL.canParse(next) || new URL(next).origin !== this.origin)
        throw new CartResponseError(
          `shopify listOrders: the Link header points at another server (${next.slice(0, 100)})`,
          'shopify',
        );
      // A page_info request takes the cursor URL exactly as given: no other filters (they are inside it).
      req = { method: 'GET', operation: 'listOrders', path: next };
    }
  }

  /**
   * `cartOrderNo` is the order's `name` (`#1001`, what the merchant sees). The single-order endpoint
   * wants the numeric id, so a name is first looked up with `orders.json?name=` (a filter Shopify
   * accepts though the reference lists it only by practice [T]); a plain id is used as it is.
   */
  private async fetchRest(cartOrderNo: string): Promise<RawOrder | null> {
    let id = /^\d{6,}$/.test(cartOrderNo) ? cartOrderNo : null;
    if (!id) {
      const res = await this.http.send({
        method: 'GET',
        operation: 'findOrder',
        path: this.ordersPath(),
        query: { name: cartOrderNo, status: 'any', fields: 'id,name', limit: 250 },
      });
      const body = this.parse(res, 'findOrder', listBody);
      const wanted = cartOrderNo.replace(/^#/, '');
      const hit = body.orders.find(
        (o) =>
          typeof o === 'object' &&
          o !== null &&
          String((o as { name?: unknown }).name ?? '').replace(/^#/, '') === wanted,
      ) as { id?: unknown } | undefined;
      if (!hit || (typeof hit.id !== 'number' && typeof hit.id !== 'string')) return null;
      id = String(hit.id);
    }
    const res = await this.http.send({
      method: 'GET',
      operation: 'getOrder',
      path: `/admin/api/${this.settings.apiVersion}/orders/${encodeURIComponent(id)}.json`,
    });
    if (res.status === 404) return null;
    return rawOrder(this.parse(res, 'getOrder', oneBody).order);
  }

  normalize(raw: RawOrder, store: string) {
    return normalizeShopifyOrder(raw, store);
  }

  private parse<T>(res: HttpResponse, operation: string, schema: z.ZodType<T>): T {
    const json = parseJsonBody('shopify', operation, res);
    const r = schema.safeParse(json);
    if (!r.success)
      throw new CartResponseError(
        `shopify ${operation}: unexpected response shape: ${res.text.slice(0, 120)}`,
        'shopify',
        res.status,
      );
    return r.data;
  }
}

export function rawOrder(payload: unknown): RawOrder {
  const name =
    typeof payload === 'object' && payload !== null ? (payload as { name?: unknown }).name : undefined;
  return { cartOrderNo: typeof name === 'string' && name ? name : null, payload };
}

function updatedAtMs(payload: unknown): number | null {
  const v =
    typeof payload === 'object' && payload !== null ? (payload as { updated_at?: unknown }).updated_at : null;
  if (typeof v !== 'string') return null;
  try {
    return parseInstant(v).getTime();
  } catch {
    return null;
  }
}
