// A local Shopify Admin API for orders, REST and GraphQL, with the token endpoint:
// - REST: the same paths, token header, 401 body, Link/page_info cursor paging (and its "only limit
//   and fields" rule), the leaky bucket with its X-Shopify-Shop-Api-Call-Limit header, and 429 +
//   Retry-After with Shopify's body;
// - GraphQL: `orders` (search query, sort keys, cursors) and `order(id:)`, the fields a query selects
//   (graphql-query.ts), cost-based throttling by plan with `extensions.cost`, THROTTLED and
//   MAX_COST_EXCEEDED in Shopify's shape;
// - `POST /admin/oauth/access_token`: the client-credentials grant (24 h tokens) and expiring offline
//   tokens renewed with refresh tokens that rotate as Shopify's do. The old `shpat_` token still works.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstant } from '../../domain/time.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import type { SimOrderView } from '../sim/generate.js';
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
import {
  API_VERSION_PATTERN,
  CLIENT_CREDENTIALS_TTL_SECONDS,
  GRAPHQL_PLAN_LIMITS,
  MAX_PAGE_SIZE,
  MAX_QUERY_COST,
  OFFLINE_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_REUSE_DAYS,
  REFRESH_TOKEN_TTL_SECONDS,
  type ShopifyPlan,
  TOKEN_PATH,
} from './constants.js';
import {
  SHOPIFY_DEMO_CREDENTIALS,
  SHOPIFY_DEMO_REFRESH_TOKEN,
  SHOPIFY_LEGACY_DEMO_TOKEN,
} from './demo-credentials.js';
import {
  actualCost,
  argValue,
  type GqlField,
  type GqlOperation,
  GraphqlError,
  GraphqlFieldError,
  operationCost,
  parseGraphql,
  project as projectSelection,
  withDefaults,
} from './graphql-query.js';
import {
  corruptGraphqlOrder,
  corruptRestOrder,
  GRAPHQL_CONNECTIONS,
  graphqlOrderOf,
  renderShopifyOrder,
  shopifyOrderId,
  shopifyOrderName,
} from './render.js';
import { shopifyStock } from './simulator-stock.js';
import { MutationArgumentError, shopifyWrites } from './simulator-writes.js';

export { graphqlNodeAsRead, graphqlOrderOf, renderShopifyOrder, shopifyOrderName } from './render.js';

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

/**
 * A shop's GraphQL cost bucket: `size` points, restored at `restoreRate` a second. A query takes its
 * requested cost before it runs and gets back what it did not use [V: GraphQL Admin rate limits].
 */
export class CostBucket {
  private available: number;
  private at = performance.now();
  /** The least the bucket held after a query (tests: "never ran dry"). */
  lowest: number;
  throttled = 0;
  constructor(
    readonly size: number,
    readonly restoreRate: number,
  ) {
    this.available = size;
    this.lowest = size;
  }

  private restore(): void {
    const now = performance.now();
    this.available = Math.min(this.size, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
  }

  /** Takes `cost` points; false (nothing taken) when the bucket holds fewer. */
  take(cost: number): boolean {
    this.restore();
    if (this.available < cost) {
      this.throttled++;
      return false;
    }
    this.available -= cost;
    this.lowest = Math.min(this.lowest, this.available);
    return true;
  }

  refund(points: number): void {
    this.restore();
    this.available = Math.min(this.size, this.available + Math.max(0, points));
  }

  status(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } {
    this.restore();
    return {
      maximumAvailable: this.size,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}

export interface ShopifySimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Share of orders placed in US dollars (a shop selling abroad). Default 0.1. */
  foreignShare?: number;
  /**
   * The shop's plan, for the GraphQL cost limits (constants.ts GRAPHQL_PLAN_LIMITS; default standard).
   * `limits.graphql` overrides it: `ratePerSec` = restore rate in points, `burst` = bucket size.
   * REST keeps `limits['*']` (calls a second, bucket size).
   */
  plan?: ShopifyPlan;
}

export interface ShopifySimulator extends RunningSimulator {
  bucket: ShopBucket | null;
  /** The GraphQL cost bucket, and the dearest query it was asked to run. */
  /** `charged`: points actually charged over every query and mutation (benchmarks' ceilings). */
  cost: { bucket: CostBucket | null; maxRequested: number; queries: number; charged: number };
  /** Tokens the token endpoint issued (client credentials, refresh) and refresh-token refusals. */
  tokens: { clientCredentials: number; refreshed: number; refusedRefresh: number };
  /**
   * Cart-specific faults: the next `htmlBodies` API requests answer 200 with an HTML page (storefront
   * error page); `costFactor` multiplies every GraphQL cost (Shopify charging more than the documented
   * rules say, which the adapter must learn from `extensions.cost`).
   */
  quirks: { htmlBodies: number; costFactor: number };
}

/**
 * Recorded GraphQL order nodes (`graphql-nodes.json` beside the REST bodies): each fixture order as
 * `query` selects it with `vars` (the variables its node selection reads, e.g. `lines`). The simulator
 * serves them to an `orders` query with that exact text and those variables instead of projecting the
 * order on every request, as the recorded REST bodies spare it rendering (benchmarks pre-render both).
 */
export interface ShopifyRecordedNodes {
  query: string;
  vars: Json;
  /** By the order's REST id. */
  nodes: Record<string, Json>;
}

export const RECORDED_NODES_FILE = 'graphql-nodes.json';

/** Renders the recorded nodes of `orders` (REST bodies) for `query`'s `orders { nodes { … } }`. */
export function recordShopifyNodes(orders: readonly Json[], query: string, vars: Json): ShopifyRecordedNodes {
  const op = parseGraphql(query);
  const f = op.selection.find((x): x is GqlField => x.kind === 'field' && x.name === 'orders');
  const nodes = f?.selection?.find((x): x is GqlField => x.kind === 'field' && x.name === 'nodes');
  if (!nodes) throw new Error('recordShopifyNodes: the query has no orders { nodes { … } }');
  const full = withDefaults(op, vars);
  const opts = { vars: full, connections: GRAPHQL_CONNECTIONS, maxPageSize: MAX_PAGE_SIZE };
  return {
    query,
    vars,
    nodes: Object.fromEntries(
      orders.map((o) => [
        String(o.id),
        projectSelection(graphqlOrderOf(o), nodes.selection ?? [], opts, ['orders']),
      ]),
    ),
  };
}

/** Every order in a folder of recorded `orders.json` / `orders/{id}.json` bodies. */
export function loadShopifyFixtures(dir: string): Json[] {
  const byId = new Map<string, Json>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === RECORDED_NODES_FILE) continue;
    const body = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { orders?: Json[]; order?: Json };
    for (const o of body.orders ?? (body.order ? [body.order] : [])) byId.set(String(o.id), o);
  }
  return [...byId.values()];
}

function loadRecordedNodes(dir: string): { query: string; vars: Json; byId: Map<number, Json> } | null {
  let rec: ShopifyRecordedNodes;
  try {
    rec = JSON.parse(readFileSync(join(dir, RECORDED_NODES_FILE), 'utf8')) as ShopifyRecordedNodes;
  } catch {
    return null; // no recorded nodes: GraphQL orders are projected from the REST bodies
  }
  const byId = new Map<number, Json>();
  for (const [id, n] of Object.entries(rec.nodes)) byId.set(Number(id), n);
  return { query: rec.query, vars: rec.vars, byId };
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

// ——— GraphQL: the orders the shop has, searched, sorted and paged ———

/** One order as the GraphQL side sees it: sort values up front, the record rendered on demand. */
interface Entry {
  id: number;
  name: string;
  updated: number | null;
  created: number | null;
  processed: number | null;
  rest: () => Json;
  gql: () => Json;
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      v = make();
      done = true;
    }
    return v as T;
  };
}

/** `updated_at:>='2026-10-01T00:00:00+09:00'`, `status:open`, `name:'#1001'`… joined by spaces or AND. */
interface SearchTerm {
  field: string;
  op: '=' | '>' | '>=' | '<' | '<=';
  value: string;
}

function parseSearch(q: unknown): { terms: SearchTerm[]; warnings: Json[] } {
  const terms: SearchTerm[] = [];
  const warnings: Json[] = [];
  if (typeof q !== 'string') return { terms, warnings };
  const re = /\s*(?:(AND)\b|([A-Za-z_.]+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))|(\S+))/gy;
  for (let m = re.exec(q); m && m[0].trim() !== ''; m = re.exec(q)) {
    if (m[1]) continue;
    if (m[7] !== undefined) {
      // A bare word is Shopify's full-text "default" search; the simulator does not do those.
      warnings.push({ field: 'default', message: `the simulator ignores free-text search ("${m[7]}")` });
      continue;
    }
    terms.push({ field: m[2]!, op: (m[3] as SearchTerm['op']) ?? '=', value: m[4] ?? m[5] ?? m[6] ?? '' });
  }
  return { terms, warnings };
}

/** A search time: a full timestamp, or a date (taken as midnight UTC) [I]. */
function searchTime(v: string): number | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Date.parse(`${v}T00:00:00Z`);
  return ms(v);
}

function compare(a: number, op: SearchTerm['op'], b: number): boolean {
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  return a === b;
}

const TIME_FIELDS: Record<string, 'updated' | 'created' | 'processed'> = {
  updated_at: 'updated',
  created_at: 'created',
  processed_at: 'processed',
};

/** The entries a search keeps, or the fields it cannot read (Shopify warns and ignores them). */
function searchPredicate(terms: readonly SearchTerm[], warnings: Json[]): (e: Entry) => boolean {
  const checks: Array<(e: Entry) => boolean> = [];
  for (const t of terms) {
    const time = TIME_FIELDS[t.field];
    if (time) {
      const at = searchTime(t.value);
      if (at === null) {
        warnings.push({ field: t.field, message: `Invalid date: ${t.value}` });
        continue;
      }
      checks.push((e) => e[time] !== null && compare(e[time], t.op, at));
    } else if (t.field === 'name') {
      const want = t.value.replace(/^#/, '');
      checks.push((e) => e.name.replace(/^#/, '') === want);
    } else if (t.field === 'id') {
      const id = Number(t.value.replace(/^gid:\/\/shopify\/Order\//, ''));
      checks.push((e) => compare(e.id, t.op, id));
    } else if (t.field === 'status') {
      const want = t.value.toLowerCase();
      checks.push((e) => {
        const o = e.rest();
        const cancelled = o.cancelled_at !== null && o.cancelled_at !== undefined;
        const closed = o.closed_at !== null && o.closed_at !== undefined;
        if (want === 'open') return !cancelled && !closed;
        if (want === 'closed') return closed;
        if (want === 'cancelled') return cancelled;
        if (want === 'not_closed') return !closed;
        return true;
      });
    } else if (t.field === 'financial_status') {
      const want = t.value.toLowerCase();
      checks.push((e) => e.rest().financial_status === want);
    } else warnings.push({ field: t.field, message: 'Invalid search field for this query.' });
  }
  return (e) => checks.every((c) => c(e));
}

type SortKey = 'UPDATED_AT' | 'CREATED_AT' | 'PROCESSED_AT' | 'ID';
const SORT_KEYS: Record<string, SortKey> = {
  UPDATED_AT: 'UPDATED_AT',
  CREATED_AT: 'CREATED_AT',
  PROCESSED_AT: 'PROCESSED_AT',
  ID: 'ID',
  // Without a free-text search, relevance is the id order [I].
  RELEVANCE: 'ID',
};

function sortValue(e: Entry, key: SortKey): number {
  if (key === 'UPDATED_AT') return e.updated ?? 0;
  if (key === 'CREATED_AT') return e.created ?? 0;
  if (key === 'PROCESSED_AT') return e.processed ?? e.created ?? 0;
  return e.id;
}

/** Shopify's cursors read as `{"last_id":…,"last_value":"…"}` in base64 [V: orders query example]. */
function orderCursor(e: Entry, key: SortKey): string {
  const v = sortValue(e, key);
  return Buffer.from(
    JSON.stringify({ last_id: e.id, last_value: key === 'ID' ? v : new Date(v).toISOString() }),
  ).toString('base64');
}

function readOrderCursor(s: unknown, key: SortKey): { id: number; value: number } | null {
  if (typeof s !== 'string') return null;
  try {
    const c = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as {
      last_id?: unknown;
      last_value?: unknown;
    };
    if (typeof c.last_id !== 'number') return null;
    const value = key === 'ID' ? Number(c.last_value) : Date.parse(String(c.last_value));
    return Number.isFinite(value) ? { id: c.last_id, value } : null;
  } catch {
    return null;
  }
}

const gqlError = (message: string, extra: Json = {}): Json => ({ message, ...extra });

export async function startShopifySimulator(opts: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  const state = createSimState();
  const { faults, stats } = state;
  const clock = opts.clock ?? (() => new Date());
  const book = new OrderBook(
    opts.seed ?? 1,
    (o) => shopifyOrderName(o.seq),
    { foreignShare: opts.foreignShare ?? 0.1 },
    clock,
  );
  const fixtures = opts.fixturesDir ? loadShopifyFixtures(opts.fixturesDir) : null;
  const recorded = opts.fixturesDir ? loadRecordedNodes(opts.fixturesDir) : null;
  if (!fixtures) {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 50, from, to);
  }
  const spec = opts.limits?.['*'] ?? { ratePerSec: 2, burst: 40 };
  const bucket = opts.rateLimits === false ? null : new ShopBucket(spec.burst, spec.ratePerSec);
  const plan = GRAPHQL_PLAN_LIMITS[opts.plan ?? 'standard'];
  const gqlSpec = opts.limits?.graphql ?? { ratePerSec: plan.restoreRate, burst: plan.bucketSize };
  const costBucket = opts.rateLimits === false ? null : new CostBucket(gqlSpec.burst, gqlSpec.ratePerSec);
  const cost = { bucket: costBucket, maxRequested: 0, queries: 0, charged: 0 };
  const quirks = { htmlBodies: 0, costFactor: 1 };
  let malformedServed = 0;

  // ——— credentials ———
  const creds = opts.credentials ?? {};
  const legacyToken = creds.accessToken ?? SHOPIFY_LEGACY_DEMO_TOKEN;
  const clientId = creds.clientId ?? SHOPIFY_DEMO_CREDENTIALS.clientId!;
  const clientSecret = creds.clientSecret ?? SHOPIFY_DEMO_CREDENTIALS.clientSecret!;
  /** Issued access tokens; seq orders them so that "expire every token in use" is a threshold. */
  const issued = new Map<string, { seq: number; issuedAt: number; ttlMs: number }>();
  let tokenSeq = 0;
  let expiredUpTo = -1;
  let expireArmed = false;
  /** Refresh tokens: usable until their replacement is used, 30 days after first use, 90 days in all. */
  const refreshTokens = new Map<
    string,
    { issuedAt: number; firstUsedAt: number | null; parent: string | null; retired: boolean }
  >();
  refreshTokens.set(creds.refreshToken ?? SHOPIFY_DEMO_REFRESH_TOKEN, {
    issuedAt: clock().getTime(),
    firstUsedAt: null,
    parent: null,
    retired: false,
  });
  const tokens = { clientCredentials: 0, refreshed: 0, refusedRefresh: 0 };
  const newToken = (prefix: string, ttlSeconds: number) => {
    const value = `${prefix}${randomBytes(16).toString('hex')}`;
    issued.set(value, { seq: ++tokenSeq, issuedAt: clock().getTime(), ttlMs: ttlSeconds * 1000 });
    return value;
  };

  const tokenValid = (t: string | undefined): boolean => {
    if (!t) return false;
    if (t === legacyToken) return true;
    const tok = issued.get(t);
    if (!tok) return false;
    // expireTokens: every token issued so far expires once; tokens issued afterwards work.
    if (faults.expireTokens && !expireArmed) {
      expiredUpTo = tokenSeq;
      expireArmed = true;
    } else if (!faults.expireTokens) expireArmed = false;
    return tok.seq > expiredUpTo && clock().getTime() - tok.issuedAt < tok.ttlMs;
  };

  // ——— orders ———
  /** GraphQL renders of live orders, by seq, while the order has not changed. */
  const rendered = new Map<number, { updated: number; rest: Json; gql: Json }>();
  const entryOf = (
    rest: () => Json,
    gql: () => Json,
    id: number,
    name: string,
    t: { updated: number | null; created: number | null; processed: number | null },
  ): Entry => ({ id, name, rest, gql, ...t });
  const fixtureEntries: Entry[] | null = fixtures
    ? fixtures.map((o) => {
        const gql = lazy(() => graphqlOrderOf(o));
        return entryOf(() => o, gql, Number(o.id), String(o.name ?? ''), {
          updated: ms(o.updated_at),
          created: ms(o.created_at),
          processed: ms(o.processed_at),
        });
      })
    : null;
  const liveEntry = (v: SimOrderView): Entry => {
    // The payload keeps whole seconds: so do the sort values.
    const updated = Math.floor(v.updatedAt.getTime() / 1000) * 1000;
    const created = Math.floor(v.orderedAt.getTime() / 1000) * 1000;
    const hit = rendered.get(v.seq);
    const rest = hit && hit.updated === updated ? () => hit.rest : lazy(() => renderShopifyOrder(v));
    const gql =
      hit && hit.updated === updated
        ? () => hit.gql
        : lazy(() => {
            const g = graphqlOrderOf(rest());
            rendered.set(v.seq, { updated, rest: rest(), gql: g });
            return g;
          });
    return entryOf(rest, gql, shopifyOrderId(v.seq), shopifyOrderName(v.seq), {
      updated,
      created,
      processed: created,
    });
  };
  // The orders as of now, sorted, are kept while the book and the clock's second stay the same: a
  // catch-up asks for hundreds of small pages, and viewing every order for each would be O(n²).
  let bookVersion = 0;
  const add = book.add.bind(book);
  book.add = (o) => {
    bookVersion++;
    add(o);
  };
  const happen = book.happen.bind(book);
  book.happen = (no, kind, detail) => {
    bookVersion++;
    return happen(no, kind, detail);
  };
  let view: { stamp: string; entries: Entry[]; byKey: Map<SortKey, Entry[]> } | null = null;
  const sorted = (key: SortKey): Entry[] => {
    const stamp = fixtureEntries ? 'fixtures' : `${Math.floor(clock().getTime() / 1000)}|${bookVersion}`;
    if (view?.stamp !== stamp)
      view = { stamp, entries: fixtureEntries ?? book.visible().map(liveEntry), byKey: new Map() };
    let s = view.byKey.get(key);
    if (!s) {
      s = [...view.entries].sort((a, b) => sortValue(a, key) - sortValue(b, key) || a.id - b.id);
      view.byKey.set(key, s);
    }
    return s;
  };

  const source = (): Json[] => fixtures ?? book.visible().map(renderShopifyOrder);
  const serve = (o: Json): Json => (takeMalformed(state) ? corruptRestOrder(o, malformedServed++) : o);
  const serveNode = (o: Json): Json => (takeMalformed(state) ? corruptGraphqlOrder(o, malformedServed++) : o);
  const limitHeader = () => (bucket ? bucket.header() : `1/${spec.burst}`);
  const throttleStatus = () =>
    costBucket?.status() ?? {
      maximumAvailable: gqlSpec.burst,
      currentlyAvailable: gqlSpec.burst,
      restoreRate: gqlSpec.ratePerSec,
    };
  const isGraphql = (req: SimRequest) => req.path.endsWith('/graphql.json');
  /** Shopify answers a throttled query with 200 and THROTTLED [V: rate limits page; T: Shopify/cli#8317]. */
  const throttledReply = (requested: number): SimReply => ({
    status: 200,
    body: {
      errors: [
        gqlError('Throttled', {
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        }),
      ],
      extensions: {
        cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus() },
      },
    },
  });

  const behaviour: CartBehaviour = {
    cart: 'shopify',
    serverErrorReply: (status) => ({
      status,
      body: { errors: status === 503 ? 'Service Unavailable' : 'Internal Server Error' },
    }),
    rateLimitReply: (req) => {
      if (isGraphql(req)) {
        let requested = 0;
        try {
          const body = JSON.parse(req.body || '{}') as { query?: unknown; variables?: unknown };
          const op = parseGraphql(String(body.query ?? ''));
          requested = Math.ceil(
            operationCost(op, withDefaults(op, (body.variables ?? {}) as Json)) * quirks.costFactor,
          );
        } catch {
          // an unreadable body is throttled all the same
        }
        return throttledReply(requested);
      }
      return {
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
      };
    },
    cartOrderNo: (o) => shopifyOrderName(o.seq),
  };

  /** Version, then auth, then the body quirk: the answer every API call shares before its own work. */
  const gate = (req: SimRequest): SimReply | null => {
    const version = req.params.version ?? '';
    if (!API_VERSION_PATTERN.test(version)) return { status: 404, body: { errors: 'Not Found' } };
    const given = req.headers['x-shopify-access-token'];
    // The kit counts the 401 in stats.authFailures.
    if (faults.revokeCredentials || !tokenValid(typeof given === 'string' ? given : undefined)) {
      return {
        status: 401,
        headers: { 'WWW-Authenticate': 'Basic Realm="Shopify API Authentication"' },
        body: SHOPIFY_401_BODY,
      };
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
  const restGate = (req: SimRequest): SimReply | null => {
    const refused = gate(req);
    if (refused) return refused;
    if (bucket && !bucket.take()) {
      stats.sent429++;
      return behaviour.rateLimitReply(req);
    }
    return null;
  };
  const withHeaders = (reply: SimReply, version: string, rest = true): SimReply => ({
    ...reply,
    headers: {
      ...(rest ? { 'X-Shopify-Shop-Api-Call-Limit': limitHeader() } : {}),
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

  // ——— token endpoint ———
  const oauthError = (status: number, error: string, description: string): SimReply => {
    if (status !== 401) stats.authFailures++;
    return { status, body: { error, error_description: description } };
  };
  const token = (req: SimRequest): SimReply => {
    let form: Record<string, unknown>;
    try {
      form = String(req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(req.body || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(req.body));
    } catch {
      return oauthError(400, 'invalid_request', 'The request body is not valid.');
    }
    // The error bodies follow RFC 6749 §5.2; Shopify's exact wording is not documented [I].
    if (faults.revokeCredentials || form.client_id !== clientId || form.client_secret !== clientSecret)
      return oauthError(400, 'invalid_client', 'Client authentication failed.');
    const now = clock().getTime();
    if (form.grant_type === 'client_credentials') {
      tokens.clientCredentials++;
      return {
        status: 200,
        body: {
          access_token: newToken('shpca_', CLIENT_CREDENTIALS_TTL_SECONDS),
          scope: 'read_orders,read_all_orders',
          expires_in: CLIENT_CREDENTIALS_TTL_SECONDS,
        },
      };
    }
    if (form.grant_type === 'refresh_token') {
      const given = typeof form.refresh_token === 'string' ? form.refresh_token : '';
      const r = refreshTokens.get(given);
      const dead =
        !r ||
        r.retired ||
        now - r.issuedAt > REFRESH_TOKEN_TTL_SECONDS * 1000 ||
        (r.firstUsedAt !== null && now - r.firstUsedAt > REFRESH_TOKEN_REUSE_DAYS * 86_400_000);
      if (dead) {
        tokens.refusedRefresh++;
        return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
      }
      r.firstUsedAt ??= now;
      // Using a replacement retires the token it replaced [V: changelog 2026-08-28].
      if (r.parent) {
        const parent = refreshTokens.get(r.parent);
        if (parent) parent.retired = true;
      }
      const next = `shprt_${randomBytes(16).toString('hex')}`;
      refreshTokens.set(next, { issuedAt: now, firstUsedAt: null, parent: given, retired: false });
      tokens.refreshed++;
      return {
        status: 200,
        body: {
          access_token: newToken('shpat_', OFFLINE_TOKEN_TTL_SECONDS),
          scope: 'read_orders,read_all_orders',
          expires_in: OFFLINE_TOKEN_TTL_SECONDS,
          refresh_token: next,
          refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
        },
      };
    }
    return oauthError(
      400,
      'unsupported_grant_type',
      `grant_type ${JSON.stringify(form.grant_type)} is not supported.`,
    );
  };

  // ——— GraphQL ———
  const opts4 = (vars: Json) => ({ vars, connections: GRAPHQL_CONNECTIONS, maxPageSize: MAX_PAGE_SIZE });

  const ordersField = (f: GqlField, vars: Json): Json => {
    const a = (k: string) => argValue(f.args[k], vars);
    if ('last' in f.args || 'before' in f.args)
      throw new GraphqlFieldError(
        'the simulator pages orders forwards only (first/after)',
        f,
        ['orders'],
        'argumentNotAccepted',
      );
    const first = a('first');
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
      throw new GraphqlFieldError(
        typeof first === 'number'
          ? `first must be between 0 and ${MAX_PAGE_SIZE} on \`orders\``
          : 'you must provide one of first or last to paginate the `orders` connection',
        f,
        ['orders'],
        'argumentLiteralsIncompatible',
      );
    const keyName = String(a('sortKey') ?? 'PROCESSED_AT');
    const key = SORT_KEYS[keyName];
    if (!key)
      throw new GraphqlFieldError(
        `Argument 'sortKey' on Field 'orders' has an invalid value (${keyName})`,
        f,
        ['orders'],
        'argumentLiteralsIncompatible',
      );
    const reverse = a('reverse') === true;
    const { terms, warnings } = parseSearch(a('query'));
    searchWarnings.push(...warnings.map((w) => ({ path: ['orders'], query: a('query'), ...w })));
    const keep = searchPredicate(terms, searchWarnings);
    const all = sorted(key);
    const after = readOrderCursor(a('after'), key);
    if (a('after') !== undefined && a('after') !== null && !after)
      throw new GraphqlFieldError(
        'Invalid cursor for current pagination sort.',
        f,
        ['orders'],
        'argumentLiteralsIncompatible',
      );
    // Keyset paging: the first entry past the cursor in the sort direction, then forwards.
    const beyond = (e: Entry) => {
      if (!after) return true;
      const d = sortValue(e, key) - after.value || e.id - after.id;
      return reverse ? d < 0 : d > 0;
    };
    const page: Entry[] = [];
    let more = false;
    for (let i = reverse ? all.length - 1 : 0; reverse ? i >= 0 : i < all.length; i += reverse ? -1 : 1) {
      const e = all[i]!;
      if (!beyond(e) || !keep(e)) continue;
      if (page.length === first) {
        more = true;
        break;
      }
      page.push(e);
    }
    const nodeSel = f.selection ? nodeSelectionOf(f) : [];
    // The recorded node when the query is the recorded one: the same object projecting would give.
    const byId =
      recorded &&
      requestQuery === recorded.query &&
      Object.entries(recorded.vars).every(([k, v]) => vars[k] === v)
        ? recorded.byId
        : null;
    const node = (e: Entry) =>
      serveNode(byId?.get(e.id) ?? projectSelection(e.gql(), nodeSel, opts4(vars), ['orders']));
    const out: Json = {};
    for (const c of (f.selection ?? []).filter((x): x is GqlField => x.kind === 'field')) {
      const k = c.alias ?? c.name;
      if (c.name === 'nodes') out[k] = page.map(node);
      else if (c.name === 'edges')
        out[k] = page.map((e) => {
          const edge: Json = {};
          for (const x of (c.selection ?? []).filter((y): y is GqlField => y.kind === 'field')) {
            if (x.name === 'cursor') edge[x.alias ?? 'cursor'] = orderCursor(e, key);
            else if (x.name === 'node')
              edge[x.alias ?? 'node'] = serveNode(
                projectSelection(e.gql(), x.selection ?? [], opts4(vars), ['orders', 'edges', 'node']),
              );
            else
              throw new GraphqlFieldError(
                `Field '${x.name}' doesn't exist on type 'OrderEdge'`,
                x,
                ['orders', 'edges'],
                'undefinedField',
              );
          }
          return edge;
        });
      else if (c.name === 'pageInfo')
        out[k] = projectSelection(
          {
            __typename: 'PageInfo',
            hasNextPage: more,
            hasPreviousPage: after !== null,
            startCursor: page[0] ? orderCursor(page[0], key) : null,
            endCursor: page.length ? orderCursor(page.at(-1)!, key) : null,
          },
          c.selection ?? [],
          opts4(vars),
          ['orders', 'pageInfo'],
        );
      else
        throw new GraphqlFieldError(
          `Field '${c.name}' doesn't exist on type 'OrderConnection'`,
          c,
          ['orders'],
          'undefinedField',
        );
    }
    return out;
  };

  const nodeSelectionOf = (f: GqlField) => {
    const nodes = (f.selection ?? []).find((x): x is GqlField => x.kind === 'field' && x.name === 'nodes');
    return nodes?.selection ?? [];
  };

  const stock = shopifyStock(book);
  const writes = shopifyWrites({
    book,
    more: { inventorySetQuantities: stock.inventorySetQuantities },
    clock,
    readOnly: fixtures !== null,
    orderById: (id) =>
      sorted('ID')
        .find((x) => x.id === id)
        ?.gql() ?? null,
  });

  let searchWarnings: Json[] = [];
  /** The text of the query being answered (recorded nodes answer only the recorded text). */
  let requestQuery = '';
  const graphql = (req: SimRequest): SimReply => {
    let query: unknown;
    let variables: unknown = {};
    if (String(req.headers['content-type'] ?? '').includes('application/graphql')) query = req.body;
    else
      try {
        const body = JSON.parse(req.body || '{}') as { query?: unknown; variables?: unknown };
        query = body.query;
        variables = body.variables ?? {};
      } catch {
        query = undefined;
      }
    if (
      typeof query !== 'string' ||
      query.trim() === '' ||
      typeof variables !== 'object' ||
      variables === null
    )
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    let op: GqlOperation;
    try {
      op = parseGraphql(query);
    } catch (e) {
      if (e instanceof GraphqlError)
        return {
          status: 200,
          body: {
            errors: [
              gqlError(`Parse error: ${e.message}`, { locations: [{ line: e.line, column: e.column }] }),
            ],
          },
        };
      throw e;
    }
    const vars = withDefaults(op, variables as Json);
    const requested = Math.ceil(operationCost(op, vars) * quirks.costFactor);
    cost.queries++;
    cost.maxRequested = Math.max(cost.maxRequested, requested);
    if (requested > MAX_QUERY_COST)
      return {
        status: 200,
        body: {
          errors: [
            gqlError(
              `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              { extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST } },
            ),
          ],
        },
      };
    if (costBucket && !costBucket.take(requested)) {
      stats.sent429++;
      return throttledReply(requested);
    }
    searchWarnings = [];
    requestQuery = query;
    const data: Json = {};
    try {
      for (const f of op.selection) {
        if (f.kind !== 'field')
          throw new GraphqlError('fragments on the query root are not supported here', 1, 1);
        const k = f.alias ?? f.name;
        if (op.type === 'mutation') {
          if (!writes.has(f.name))
            throw new GraphqlFieldError(
              `Field '${f.name}' doesn't exist on type 'Mutation'`,
              f,
              [k],
              'undefinedField',
            );
          data[k] = projectSelection(writes.run(f, vars), f.selection ?? [], opts4(vars), [k]);
        } else if (f.name === 'orders') data[k] = ordersField(f, vars);
        else if (f.name === 'productVariants')
          data[k] = projectSelection(stock.productVariants(f, vars), f.selection ?? [], opts4(vars), [k]);
        else if (f.name === 'order') {
          const id = String(argValue(f.args.id, vars) ?? '');
          const m = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(id);
          const e = m ? sorted('ID').find((x) => x.id === Number(m[1])) : undefined;
          data[k] = e
            ? serveNode(projectSelection(e.gql(), f.selection ?? [], opts4(vars), ['order']))
            : null;
        } else if (f.name === '__typename') data[k] = 'QueryRoot';
        else
          throw new GraphqlFieldError(
            `Field '${f.name}' doesn't exist on type 'QueryRoot'`,
            f,
            [k],
            'undefinedField',
          );
      }
    } catch (e) {
      costBucket?.refund(requested);
      if (e instanceof GraphqlFieldError)
        return {
          status: 200,
          body: {
            errors: [
              gqlError(e.message, {
                locations: [{ line: e.field.line, column: e.field.column }],
                path: ['query', ...e.path],
                extensions: { code: e.code },
              }),
            ],
          },
        };
      if (e instanceof GraphqlError)
        return {
          status: 200,
          body: { errors: [gqlError(e.message, { locations: [{ line: e.line, column: e.column }] })] },
        };
      if (e instanceof MutationArgumentError)
        return {
          status: 200,
          body: { errors: [gqlError(e.message, { extensions: { code: 'argumentLiteralsIncompatible' } })] },
        };
      throw e;
    }
    // A mutation costs what it was charged [I]; a query is refunded what it did not use.
    const actual =
      op.type === 'mutation'
        ? requested
        : Math.min(requested, Math.ceil(actualCost(op.selection, data) * quirks.costFactor));
    costBucket?.refund(requested - actual);
    cost.charged += actual;
    const extensions: Json = {
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus() },
    };
    if (searchWarnings.length) extensions.search = searchWarnings;
    return { status: 200, body: { data, extensions } };
  };

  const route =
    (handler: (req: SimRequest) => SimReply) =>
    (req: SimRequest): SimReply =>
      withHeaders(restGate(req) ?? handler(req), req.params.version ?? '');
  const graphqlRoute = (req: SimRequest): SimReply =>
    withHeaders(gate(req) ?? graphql(req), req.params.version ?? '', false);

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
      { method: 'POST', path: '/admin/api/:version/graphql.json', name: 'graphql', handler: graphqlRoute },
      { method: 'POST', path: TOKEN_PATH, name: 'token', handler: token },
    ],
  });
  return Object.assign(running, { bucket, cost, tokens, quirks });
}

export const shopifySimulator: CartSimulator = {
  cart: 'shopify',
  start: (opts) => startShopifySimulator(opts),
};
