// Orders through the GraphQL Admin API: `POST /admin/api/{version}/graphql.json`, the `orders` query
// searched by `updated_at` and sorted by UPDATED_AT, paged by cursor, line items paged separately
// when an order has more than a page holds. Paced by the shop's cost bucket as `extensions.cost`
// reports it; a THROTTLED answer waits what the bucket needs, a MAX_COST_EXCEEDED one shrinks the page.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { parseInstant } from '../../domain/time.js';
import type { ListWindow, OrderPage, RawOrder } from '../contract.js';
import { CartRequestError, CartResponseError } from '../errors.js';
import {
  type CartHttpClient,
  type Classified,
  classifyByStatus,
  type HttpRequest,
  type HttpResponse,
  parseJsonBody,
  peekJsonBody,
} from '../http.js';
import type { LimitSpec, RequestLimiter } from '../rate-limit.js';
import { GRAPHQL_PLAN_LIMITS, MAX_PAGE_SIZE, MAX_QUERY_COST } from './constants.js';
import { operationCost, parseGraphql, requestedCost } from './graphql-query.js';

const MONEY = 'shopMoney { amount }';
const ADDRESS =
  'firstName lastName name company address1 address2 city province provinceCode zip countryCodeV2 phone';
const LINE = `sku name title variantTitle quantity originalUnitPriceSet { ${MONEY} } taxLines { rate priceSet { ${MONEY} } } variant { legacyResourceId } product { legacyResourceId }`;

/** Shipping lines and transactions read with the order (a Japanese order has one or two of each). */
export const SHIPPING_LINES_FIRST = 5;
const TRANSACTIONS_FIRST = 3;

/**
 * What juchu reads of an order (normalize-graphql.ts maps it): the same facts as the REST record.
 * Field names [V: shopify.dev GraphQL Admin Order, LineItem, MailingAddress, CardPaymentDetails].
 */
export const ORDER_FIELDS = `
  id legacyResourceId name createdAt updatedAt processedAt cancelledAt
  displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded
  email phone note customAttributes { key value } paymentGatewayNames
  totalPriceSet { ${MONEY} } totalDiscountsSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
  billingAddress { ${ADDRESS} } shippingAddress { ${ADDRESS} }
  customer { firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  shippingLines(first: ${SHIPPING_LINES_FIRST}) { pageInfo { hasNextPage } nodes { title code originalPriceSet { ${MONEY} } } }
  transactions(first: ${TRANSACTIONS_FIRST}) { paymentDetails { ... on CardPaymentDetails { company } } }
  lineItems(first: $lines) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } }`;

export const ORDERS_QUERY = `query JuchuOrders($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ${ORDER_FIELDS} }
  }
}`;

export const ORDER_QUERY = `query JuchuOrder($id: ID!, $lines: Int!) {
  order(id: $id) { ${ORDER_FIELDS} }
}`;

export const ORDER_LINES_QUERY = `query JuchuOrderLines($id: ID!, $after: String, $lines: Int!) {
  order(id: $id) { lineItems(first: $lines, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } } }
}`;

const throttleSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number().positive(),
});
const costSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: throttleSchema.optional(),
});
type ThrottleStatus = z.infer<typeof throttleSchema>;

const errorSchema = z.object({
  message: z.string().optional(),
  extensions: z.object({ code: z.string().optional(), cost: z.number().optional() }).passthrough().optional(),
});
const envelope = z.object({
  data: z.unknown().optional(),
  errors: z.union([z.array(errorSchema), z.unknown()]).optional(),
  extensions: z.object({ cost: costSchema.optional() }).passthrough().optional(),
});

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });
const ordersData = z.object({ orders: z.object({ pageInfo, nodes: z.array(z.unknown()) }) });
const orderData = z.object({ order: z.unknown().nullable() });
const linesData = z.object({
  order: z.object({ lineItems: z.object({ pageInfo, nodes: z.array(z.unknown()) }) }).nullable(),
});

/** Where a shop's cost bucket is counted: a limiter every process of the shop shares, and its bucket. */
export interface SharedCostBucket {
  limiter: RequestLimiter;
  bucket: string;
}

/** How long a settle that cannot reach the shared bucket is tried again (then the TTL takes over). */
const SETTLE_RETRY_MS = 20_000;

async function retrySettle(settle: () => Promise<void>): Promise<void> {
  const until = performance.now() + SETTLE_RETRY_MS;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      return await settle();
    } catch {
      if (performance.now() + pause > until) return;
      await sleep(pause);
    }
  }
}

/**
 * Paces queries by the shop's cost bucket, so a run waits for the points it needs instead of meeting
 * THROTTLED (and leaves the bucket as it found it for the shop's other apps). Shopify counts points
 * per app and shop, not per process: with a shared bucket (the Redis limiter, keyed by the shop) the
 * points are taken from it before each query and settled on what Shopify says after it
 * (actualQueryCost, throttleStatus.currentlyAvailable), so every worker, the import and the
 * write-back together stay within the bucket. Without one, it paces this process alone by the last
 * throttleStatus.
 */
export class CostPacer {
  private status: ThrottleStatus | null = null;
  private at = performance.now();
  /**
   * The shop's bucket as last reported. Until the first answer: the least any plan has (Standard's
   * restore rate, a bucket of one largest query), so two processes starting at once on a shop whose
   * bucket is smaller than assumed do not both send a full query into it.
   */
  spec: LimitSpec = { ratePerSec: GRAPHQL_PLAN_LIMITS.standard.restoreRate, burst: MAX_QUERY_COST };
  /** The last settle, which the next take waits for (so it takes from the corrected count). */
  private settling: Promise<void> = Promise.resolve();
  waits = 0;
  waitedMs = 0;

  constructor(private readonly shared?: SharedCostBucket) {}

  /**
   * An answer's throttleStatus; `taken` the points taken for the query, `charged` what Shopify says it
   * cost (null: not said, e.g. a throttled query, which costs nothing).
   */
  observe(status: ThrottleStatus | undefined, answer?: { taken: number; charged: number | null }): void {
    if (status) {
      this.status = status;
      this.at = performance.now();
      this.spec = { ratePerSec: status.restoreRate, burst: status.maximumAvailable };
    }
    const shared = this.shared;
    if (shared && answer) {
      const spec = this.spec;
      const settle = {
        taken: answer.taken,
        charged: answer.charged ?? (status ? 0 : null),
        available: status?.currentlyAvailable ?? null,
      };
      // A settle that cannot reach Redis (restarting) is tried again for a while: until it lands the
      // shop's bucket counts these points in flight, for every process, for up to the in-flight TTL.
      // The next take waits for it, and would fail with Redis down anyway.
      this.settling = this.settling.then(() =>
        retrySettle(() => shared.limiter.settle(shared.bucket, spec, settle)),
      );
    }
  }

  /** Points available now, as far as this process knows. */
  available(): number {
    if (!this.status) return Number.POSITIVE_INFINITY;
    const { maximumAvailable, currentlyAvailable, restoreRate } = this.status;
    return Math.min(
      maximumAvailable,
      currentlyAvailable + ((performance.now() - this.at) / 1000) * restoreRate,
    );
  }

  /** Ms until `cost` points are there (0 = go), by this process's last answer. */
  delayMs(cost: number): number {
    if (!this.status) return 0;
    const missing = Math.min(cost, this.status.maximumAvailable) - this.available();
    return missing > 0 ? Math.ceil((missing / this.status.restoreRate) * 1000) : 0;
  }

  async wait(cost: number, signal?: AbortSignal): Promise<void> {
    if (this.shared) {
      // A settle still trying to reach Redis does not hold a stopping worker.
      if (signal) {
        signal.throwIfAborted();
        let onAbort = () => {};
        const stop = new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          await Promise.race([this.settling, stop]);
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      } else await this.settling;
      const started = performance.now();
      await this.shared.limiter.take(this.shared.bucket, this.spec, { cost, signal });
      const ms = performance.now() - started;
      if (ms >= 1) {
        this.waits++;
        this.waitedMs += ms;
      }
      return;
    }
    const ms = this.delayMs(cost);
    if (ms > 0) {
      this.waits++;
      this.waitedMs += ms;
      await sleep(ms, undefined, { signal });
    }
    // Count the query in flight until its answer tells the truth.
    if (this.status) {
      this.status = { ...this.status, currentlyAvailable: Math.max(0, this.available() - cost) };
      this.at = performance.now();
    }
  }
}

/** Operations of this file, for the classifier and the rate limiter. */
export const GRAPHQL_OPERATIONS = new Set([
  'graphqlOrders',
  'graphqlOrder',
  'graphqlLines',
  // actions.ts
  'graphqlFulfillmentOrders',
  'graphqlFulfillmentCreate',
  'graphqlTrackingInfoUpdate',
  'graphqlOrderCancel',
  // stock.ts
  'graphqlStockLevels',
  'graphqlInventorySet',
]);

/**
 * GraphQL answers 200 with `errors` [V: GraphQL Admin status and error codes]: THROTTLED is a rate
 * limit (wait `(requested − available) / restoreRate` seconds), ACCESS_DENIED a missing scope (a
 * human must act), MAX_COST_EXCEEDED the reader's to handle, anything else a request we got wrong.
 */
export function classifyGraphql(res: HttpResponse, pacer: CostPacer, taken = 0): Classified {
  if (res.status === 402 || res.status === 423)
    return { kind: 'auth', message: `HTTP ${res.status}: ${res.text.slice(0, 200)}` };
  if (res.status !== 200) {
    // Not a GraphQL answer (a 5xx, a 429): nothing is known of the cost, but the query is no longer
    // in flight; left counted, a flaky shop's in-flight points would only grow and starve the bucket.
    pacer.observe(undefined, { taken, charged: null });
    return classifyByStatus(res);
  }
  const json = peekJsonBody(res); // parsed once: the reader takes this parse (carts/http.ts)
  const parsed = json === undefined ? null : envelope.safeParse(json);
  if (!parsed?.success) {
    pacer.observe(undefined, { taken, charged: null });
    return { kind: 'ok' }; // not JSON, or not the shape: the reader says so
  }
  const body = parsed.data;
  const cost = body.extensions?.cost;
  pacer.observe(cost?.throttleStatus, { taken, charged: cost?.actualQueryCost ?? null });
  if (!Array.isArray(body.errors) || body.errors.length === 0) return { kind: 'ok' };
  const errors = body.errors as Array<z.infer<typeof errorSchema>>;
  const codes = errors.map((e) => e.extensions?.code ?? '');
  const text = errors
    .map((e) => e.message ?? '')
    .join('; ')
    .slice(0, 300);
  if (codes.includes('THROTTLED')) {
    const status = cost?.throttleStatus;
    const requested = cost?.requestedQueryCost ?? 0;
    const waitMs = status
      ? Math.ceil((Math.max(0, requested - status.currentlyAvailable) / status.restoreRate) * 1000)
      : null;
    return { kind: 'rate-limited', message: `THROTTLED: ${text}`, retryAfterMs: waitMs };
  }
  if (codes.includes('MAX_COST_EXCEEDED')) return { kind: 'ok' };
  if (codes.includes('ACCESS_DENIED')) return { kind: 'auth', message: `ACCESS_DENIED: ${text}` };
  if (codes.includes('INTERNAL_SERVER_ERROR')) return { kind: 'unavailable', message: text };
  return { kind: 'bad-request', message: `GraphQL errors: ${text}` };
}

/** `2026-10-01T00:00:00Z` (whole seconds, UTC, as the search examples write times). */
const searchTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function graphqlOrderNo(node: unknown): string | null {
  const name = isObj(node) ? node.name : undefined;
  return typeof name === 'string' && name ? name : null;
}

export interface GraphqlReaderOptions {
  http: CartHttpClient;
  apiVersion: string;
  /** Orders a page at most (1–250); lowered to what the single-query cost limit allows. */
  pageSize: number;
  /** Line items read with each order; more are paged with one query per order. */
  lineItemsFirst: number;
  /** The shop's cost bucket every process shares (client.ts passes its limiter, keyed by the shop). */
  costBucket?: SharedCostBucket;
}

export class ShopifyGraphqlOrders {
  readonly pacer: CostPacer;
  /** Cost of one order node, first as estimated from the query, then as Shopify says it is. */
  private perOrder: number;
  private readonly baseCost: number;
  private readonly costOf = new WeakMap<HttpRequest, number>();
  stats = { pages: 0, linePages: 0, costRetries: 0 };

  /** Line items a page when an order's lines are read on their own, and what such a page costs. */
  private readonly linePaging: { linePage: number; cost: number };

  constructor(private readonly opts: GraphqlReaderOptions) {
    this.pacer = new CostPacer(opts.costBucket);
    const orders = parseGraphql(ORDERS_QUERY).selection;
    const at = (first: number) => requestedCost(orders, { first, lines: opts.lineItemsFirst });
    this.baseCost = at(0);
    this.perOrder = at(1) - this.baseCost;
    const lines = parseGraphql(ORDER_LINES_QUERY).selection;
    const base = requestedCost(lines, { lines: 0 });
    const per = requestedCost(lines, { lines: 1 }) - base;
    const linePage = Math.min(100, Math.floor((MAX_QUERY_COST - base) / Math.max(1, per)));
    this.linePaging = { linePage, cost: requestedCost(lines, { lines: linePage }) };
  }

  /** Orders a page: as many as fit under the single-query limit, at most the setting. */
  pageSize(): number {
    const fit = Math.floor((MAX_QUERY_COST - this.baseCost) / Math.max(1, this.perOrder));
    return Math.max(1, Math.min(this.opts.pageSize, MAX_PAGE_SIZE, fit));
  }

  /** The cost estimate for a request (the pacer waits for it); see `authorize` in client.ts. */
  estimatedCost(req: HttpRequest): number {
    return this.costOf.get(req) ?? 0;
  }

  private path(): string {
    return `/admin/api/${this.opts.apiVersion}/graphql.json`;
  }

  /**
   * One query or mutation for the write side (actions.ts), paced by the same cost bucket: its `data`.
   * `idempotent: false` (fulfillmentCreate) lets a lost answer throw at once, to be re-read.
   */
  async run(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    opts: { idempotent?: boolean } = {},
  ): Promise<unknown> {
    const op = parseGraphql(query);
    const r = await this.query(
      operation,
      query,
      variables,
      operationCost(op, variables),
      undefined,
      opts.idempotent,
    );
    if (r.maxCostExceeded !== null)
      throw new CartRequestError(
        `shopify ${operation}: the query costs ${r.maxCostExceeded} points`,
        'shopify',
      );
    return r.data;
  }

  private async query(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    cost: number,
    signal?: AbortSignal,
    idempotent?: boolean,
  ): Promise<{ data: unknown; maxCostExceeded: number | null; requested: number | null }> {
    const req: HttpRequest = {
      method: 'POST',
      operation,
      path: this.path(),
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      ...(idempotent === false ? { idempotent } : {}),
    };
    this.costOf.set(req, cost);
    const res = await this.opts.http.send(req, signal);
    const json = parseJsonBody('shopify', operation, res);
    const body = envelope.safeParse(json);
    if (!body.success)
      throw new CartResponseError(
        `shopify ${operation}: unexpected response shape: ${res.text.slice(0, 120)}`,
        'shopify',
        res.status,
      );
    const errors = Array.isArray(body.data.errors)
      ? (body.data.errors as Array<z.infer<typeof errorSchema>>)
      : [];
    const tooDear = errors.find((e) => e.extensions?.code === 'MAX_COST_EXCEEDED');
    if (tooDear) {
      const said = tooDear.extensions?.cost ?? Number(/Query cost is (\d+)/.exec(tooDear.message ?? '')?.[1]);
      return {
        data: null,
        maxCostExceeded: Number.isFinite(said) ? said : MAX_QUERY_COST + 1,
        requested: null,
      };
    }
    return {
      data: body.data.data,
      maxCostExceeded: null,
      requested: body.data.extensions?.cost?.requestedQueryCost ?? null,
    };
  }

  /** Learns Shopify's cost of one order node from a page of `first` orders that cost `requested`. */
  private learn(first: number, requested: number): void {
    if (first > 0 && requested > this.baseCost)
      this.perOrder = Math.max(this.perOrder, (requested - this.baseCost) / first);
  }

  private parse<T>(operation: string, schema: z.ZodType<T>, data: unknown): T {
    const r = schema.safeParse(data);
    if (!r.success)
      throw new CartResponseError(
        `shopify ${operation}: unexpected data: ${JSON.stringify(data)?.slice(0, 120)}`,
        'shopify',
      );
    return r.data;
  }

  async *listOrders(window: ListWindow, signal?: AbortSignal): AsyncGenerator<OrderPage> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    // Asked a little wider, in whole seconds, and cut to [from, to) here (as the REST reader does).
    const search = `updated_at:>='${searchTime(Math.floor(from / 1000) * 1000)}' AND updated_at:<='${searchTime(Math.ceil(to / 1000) * 1000)}'`;
    let after: string | null = null;
    // Queries are small (the cost limit), pages for the import are not: nodes are gathered up to
    // `pageSize` orders a page, so a catch-up writes a few large pages instead of hundreds of tiny ones.
    let pending: RawOrder[] = [];
    let yielded = false;
    // sortKey UPDATED_AT (ascending): every order changed before the last one read has been read.
    let through: number | null = null;
    for (;;) {
      const first = this.pageSize();
      const vars = { first, after, query: search, lines: this.opts.lineItemsFirst };
      const r = await this.query(
        'graphqlOrders',
        ORDERS_QUERY,
        vars,
        this.baseCost + first * this.perOrder,
        signal,
      );
      if (r.maxCostExceeded !== null) {
        this.shrink(first, r.maxCostExceeded);
        continue;
      }
      if (r.requested !== null) this.learn(first, r.requested);
      const page = this.parse('graphqlOrders', ordersData, r.data).orders;
      this.stats.pages++;
      for (const node of page.nodes) {
        const updated = updatedAtMs(node);
        if (updated !== null && updated <= to) through = Math.max(through ?? updated, updated);
        // Records whose updatedAt cannot be read still go through: normalize names the field.
        if (updated !== null && (updated < from || updated >= to)) continue;
        pending.push(graphqlRawOrder(await this.completeLines(node, signal)));
      }
      const cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      if (pending.length >= this.opts.pageSize || (!cursor && (pending.length > 0 || !yielded))) {
        // Orders changed at `through` itself may go on in the next query: resume there, inclusive.
        yield {
          orders: pending,
          ...(cursor && through !== null && through > from ? { resumeFrom: new Date(through) } : {}),
        };
        pending = [];
        yielded = true;
      }
      if (!cursor) return;
      after = cursor;
    }
  }

  /** Shopify refused the page as too dear: the page shrinks to fit what it said it cost. */
  private shrink(first: number, cost: number): void {
    this.stats.costRetries++;
    if (first <= 1)
      throw new CartRequestError(
        `shopify: one order costs ${cost} points, over the ${MAX_QUERY_COST}-point query limit (lower lineItemsFirst)`,
        'shopify',
      );
    this.learn(first, cost);
    if (this.pageSize() >= first) this.perOrder = (MAX_QUERY_COST - this.baseCost) / (first - 1);
  }

  /** An order with more line items than its first page: the rest read with `order(id:)`. */
  private async completeLines(node: unknown, signal?: AbortSignal): Promise<unknown> {
    if (!isObj(node) || typeof node.id !== 'string' || !isObj(node.lineItems)) return node;
    const lines = node.lineItems;
    const info = isObj(lines.pageInfo) ? lines.pageInfo : null;
    if (info?.hasNextPage !== true || typeof info.endCursor !== 'string' || !Array.isArray(lines.nodes))
      return node;
    const all = [...lines.nodes];
    let after: string = info.endCursor;
    const { linePage, cost } = this.linePaging;
    for (;;) {
      const r = await this.query(
        'graphqlLines',
        ORDER_LINES_QUERY,
        { id: node.id, after, lines: linePage },
        cost,
        signal,
      );
      if (r.maxCostExceeded !== null)
        throw new CartRequestError(
          `shopify graphqlLines: a page of ${linePage} line items costs ${r.maxCostExceeded}`,
          'shopify',
        );
      const page = this.parse('graphqlLines', linesData, r.data).order?.lineItems;
      this.stats.linePages++;
      if (!page) return node; // the order went away meanwhile: normalize names the lines as unread
      all.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    return {
      ...node,
      lineItems: { ...lines, nodes: all, pageInfo: { hasNextPage: false, endCursor: null } },
    };
  }

  /** One order by name (`#1001`, what the merchant sees) or by its numeric id. */
  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    const cost = this.perOrder;
    let node: unknown = null;
    if (/^\d{6,}$/.test(cartOrderNo)) {
      const r = await this.query(
        'graphqlOrder',
        ORDER_QUERY,
        { id: `gid://shopify/Order/${cartOrderNo}`, lines: this.opts.lineItemsFirst },
        cost,
      );
      node = this.parse('graphqlOrder', orderData, r.data).order;
    } else {
      // `name:` is a documented filter of the orders query [V: queries/orders]; the match is checked here.
      const wanted = cartOrderNo.replace(/^#/, '');
      const quoted = cartOrderNo.replace(/['\\]/g, '\\$&');
      // A name is one order (a few, if a test order shares it): a short page, within the cost limit.
      const first = Math.min(5, this.pageSize());
      const r = await this.query(
        'graphqlOrders',
        ORDERS_QUERY,
        { first, after: null, query: `name:'${quoted}'`, lines: this.opts.lineItemsFirst },
        this.baseCost + first * this.perOrder,
      );
      if (r.maxCostExceeded !== null)
        throw new CartRequestError(
          `shopify fetchOrder: the query costs ${r.maxCostExceeded} points`,
          'shopify',
        );
      node =
        this.parse('graphqlOrders', ordersData, r.data).orders.nodes.find(
          (n) => (graphqlOrderNo(n) ?? '').replace(/^#/, '') === wanted,
        ) ?? null;
    }
    if (node === null || node === undefined) return null;
    return graphqlRawOrder(await this.completeLines(node));
  }
}

export function graphqlRawOrder(node: unknown): RawOrder {
  return { cartOrderNo: graphqlOrderNo(node), payload: node };
}

function updatedAtMs(node: unknown): number | null {
  const v = isObj(node) ? node.updatedAt : null;
  if (typeof v !== 'string') return null;
  try {
    return parseInstant(v).getTime();
  } catch {
    return null;
  }
}
