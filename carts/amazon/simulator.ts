// A local SP-API Orders (v0 and 2026-01-01) + LWA + Tokens API that behaves like the real one where an
// importer can tell: the same paths and methods, `x-amz-access-token` checks with Amazon's 403 bodies,
// tokens that expire after an hour, token-bucket rate limits answering 429 QuotaExceeded with each
// operation's documented rate and burst, and `x-amzn-RequestId` / `x-amzn-RateLimit-Limit` headers.
// v0: restricted data only through an RDT that covers the path, NextToken paging, the two-minute rule
// on LastUpdatedBefore. 2026-01-01: searchOrders and getOrder with `includedData`, `paginationToken`
// paging (tokens live 24 h), the same two-minute rule, and PII by role instead of an RDT. Both APIs
// show the same orders: a generated order is rendered once and shown through either.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jstDate } from '../../domain/time.js';
import type { RateLimits } from '../contract.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import type { SimShipment } from '../sim/generate.js';
import {
  type CartBehaviour,
  createSimState,
  OrderBook,
  type RunningSimulator,
  type SimReply,
  type SimRequest,
  type SimRoute,
  startSimulator,
  takeMalformed,
} from '../sim/kit.js';
import {
  AMAZON_LIST_LAG_MS,
  AMAZON_RATE_LIMITS,
  INCLUDED_DATA_VALUES,
  INVALID_INPUT_MESSAGE,
  JP_MARKETPLACE_ID,
  LWA_PATH,
  MAX_RESULTS_PER_PAGE,
  ORDERS_2026_PATH,
  ORDERS_PATH,
  PAGINATION_TOKEN_LIFETIME_MS,
  QUOTA_EXCEEDED_BODY,
  RDT_PATH,
  STATUS_FROM_2026,
  TOKEN_EXPIRED_DETAILS,
  TOKEN_INVALID_DETAILS,
  TOKEN_LIFETIME_SEC,
  TOKEN_MISSING_DETAILS,
  UNAUTHORIZED_MESSAGE,
} from './constants.js';
import { AMAZON_DEMO_CREDENTIALS } from './demo-credentials.js';
import { amazonOrderIdOf, classifyRecorded, orderIdOf2026, parseRecordedJson } from './recorded.js';
import {
  type AmazonRecord,
  addressAsSeen,
  amazonOrderId,
  buyerInfoAsSeen,
  itemsAsSeen,
  order2026AsSeen,
  orderAsSeen,
  renderOrder,
  toOrder2026,
} from './render.js';
import { amazonStockRoutes } from './simulator-stock.js';

type Json = Record<string, unknown>;

export interface AmazonSimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Items per getOrderItems page (Amazon does not document its page size) [I]. */
  itemsPerPage?: number;
  /** Lifetime of access tokens and RDTs (Amazon: 3600 s). */
  tokenLifetimeSec?: number;
  /**
   * Whether the app has the Direct-to-Consumer roles that unlock PII in Orders 2026-01-01 (default
   * true); without them names, street, postal code, phone and gift messages are left out.
   */
  piiRoles?: boolean;
}

export interface AmazonRunningSimulator extends RunningSimulator {
  /** Amazon-only switch: the next N API responses are an HTML page instead of JSON (a broken proxy). */
  htmlBodies: { count: number };
}

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
/**
 * carrierCode values the simulator accepts [I]: the JP ones seen in third-party Amazon integrations
 * (YamatoTransport, SagawaExpress, NipponExpress, and the older YAMATO, SAGAWA, NITTSU, JP_EXPRESS,
 * FEDEX_JP) and `Other`; Amazon's JP list itself could not be read (README).
 */
const CONFIRM_CARRIER_CODES = new Set([
  'YamatoTransport',
  'SagawaExpress',
  'NipponExpress',
  'YAMATO',
  'SAGAWA',
  'NITTSU',
  'JP_EXPRESS',
  'FEDEX_JP',
  'Other',
]);
const DATA_ELEMENTS = new Set(['buyerInfo', 'shippingAddress', 'buyerTaxInformation']);
const NONE: ReadonlySet<string> = new Set();

interface Issued {
  kind: 'access' | 'rdt';
  serial: number;
  expiresAt: number;
  resources: Array<{ method: string; path: string; dataElements: Set<string> }>;
}

interface Snapshot {
  ids: string[];
  offset: number;
  pageSize: number;
  extra: Json;
  /** When the first page was served (2026 pagination tokens expire 24 h later). */
  issuedAt: number;
}

/** One order as Orders 2026-01-01 shows it, with what searchOrders filters by. */
interface Record2026 {
  id: string;
  lastUpdate: Date;
  purchase: Date;
  fulfillmentStatus: string;
  fulfilledBy: string;
  marketplaceId: string;
  /** Every dataset, PII included: `order2026AsSeen` strips per request. */
  order: Json;
}

/**
 * Where the orders come from: the order book (generated) or a folder of recorded bodies. Generated
 * and v0-recorded orders are shown through both APIs; a 2026 recording only through 2026-01-01.
 */
interface RecordSource {
  all(): AmazonRecord[];
  one(id: string): AmazonRecord | null;
  all2026(): Record2026[];
  one2026(id: string): Record2026 | null;
  /** Records a confirmed shipment (generated orders only; recorded bodies are served read-only). */
  ship?(id: string, shipment: SimShipment): void;
}

const timeOf = (v: unknown) => new Date(typeof v === 'string' ? Date.parse(v) : Number.NaN);

/** The searchOrders view of a 2026 order (null when its times cannot be read). */
function record2026(order: Json): Record2026 | null {
  const id = orderIdOf2026(order);
  const lastUpdate = timeOf(order.lastUpdatedTime);
  const purchase = timeOf(order.createdTime);
  if (id === null || Number.isNaN(lastUpdate.getTime()) || Number.isNaN(purchase.getTime())) return null;
  const f = (order.fulfillment ?? {}) as Json;
  const channel = (order.salesChannel ?? {}) as Json;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  return {
    id,
    lastUpdate,
    purchase,
    fulfillmentStatus: str(f.fulfillmentStatus, ''),
    fulfilledBy: str(f.fulfilledBy, 'MERCHANT'),
    marketplaceId: str(channel.marketplaceId, ''),
    order,
  };
}
/** The 2026 view of a v0 record; null when its v0 bodies cannot be shown so (money that is no amount). */
function to2026(r: AmazonRecord): Record2026 | null {
  try {
    return record2026(toOrder2026(r));
  } catch {
    return null;
  }
}

/** The query parameters of a listing's time filter and page size, per API. */
interface SearchParamNames {
  createdAfter: string;
  createdBefore: string;
  updatedAfter: string;
  updatedBefore: string;
  pageSize: string;
}
const V0_PARAMS: SearchParamNames = {
  createdAfter: 'CreatedAfter',
  createdBefore: 'CreatedBefore',
  updatedAfter: 'LastUpdatedAfter',
  updatedBefore: 'LastUpdatedBefore',
  pageSize: 'MaxResultsPerPage',
};
const PARAMS_2026: SearchParamNames = {
  createdAfter: 'createdAfter',
  createdBefore: 'createdBefore',
  updatedAfter: 'lastUpdatedAfter',
  updatedBefore: 'lastUpdatedBefore',
  pageSize: 'maxResultsPerPage',
};

export const amazonSimulator: CartSimulator = {
  cart: 'amazon',
  start: (opts) => startAmazonSimulator(opts),
};

export async function startAmazonSimulator(opts: AmazonSimulatorOptions): Promise<AmazonRunningSimulator> {
  const state = createSimState();
  const clock = opts.clock ?? (() => new Date());
  const book = new OrderBook(opts.seed ?? 1, (o) => amazonOrderId(o.seq), {}, clock);
  let source: RecordSource;
  if (opts.fixturesDir) source = fixtureSource(opts.fixturesDir);
  else {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 60, from, to);
    const all = () => book.visible().map((v) => renderOrder(v, book.cartOrderNo(v)));
    const one = (id: string) => {
      const v = book.find(id);
      return v ? renderOrder(v, id) : null;
    };
    source = {
      all,
      one,
      all2026: () => all().flatMap((r) => to2026(r) ?? []),
      one2026: (id) => {
        const r = one(id);
        return r && to2026(r);
      },
      ship: (id, shipment) => {
        book.happen(id, 'ship', { shipments: [shipment] });
      },
    };
  }
  const credentials = { ...AMAZON_DEMO_CREDENTIALS, ...opts.credentials };
  const limits: RateLimits | undefined =
    opts.rateLimits === false ? undefined : (opts.limits ?? AMAZON_RATE_LIMITS);
  const lifetimeMs = (opts.tokenLifetimeSec ?? TOKEN_LIFETIME_SEC) * 1000;
  const itemsPerPage = opts.itemsPerPage ?? 50;
  const piiRoles = opts.piiRoles ?? true;
  const htmlBodies = { count: 0 };
  const tokens = new Map<string, Issued>();
  const snapshots = new Map<string, Snapshot>();
  let serial = 0;
  /** Tokens with a serial below this count as expired (the expireTokens fault). */
  let expiredBelow: number | null = null;

  const now = () => clock().getTime();
  const reply = (status: number, body: unknown, operation?: string): SimReply => {
    const headers: Record<string, string> = { 'x-amzn-RequestId': randomUUID() };
    const limit = operation ? limits?.[operation] : undefined;
    // The model lists x-amzn-RateLimit-Limit on 200 (204 for confirmShipment), 400 and 404 responses.
    if (limit && [200, 204, 400, 404].includes(status))
      headers['x-amzn-RateLimit-Limit'] = String(limit.ratePerSec);
    return { status, headers, body };
  };
  const errors = (status: number, code: string, message: string, details = '', operation?: string) =>
    reply(status, { errors: [{ code, message, details }] }, operation);
  const invalid = (operation: string, details = '') =>
    errors(400, 'InvalidInput', INVALID_INPUT_MESSAGE, details, operation);
  /** The 2026 model's sandbox 400: `{"code":"InvalidInput","message":"Invalid Input","details":…}`. */
  const invalid2026 = (operation: string, details = 'Invalid Input') =>
    errors(400, 'InvalidInput', 'Invalid Input', details, operation);

  /**
   * The time filter and page size of getOrders / searchOrders, as both models describe them:
   * "exactly one of" the two After parameters; the Before one of the same pair only, "equal to or
   * after the …After date and at least two minutes before" now; page size 1–100. Null `before`
   * means now − 2 min.
   */
  const searchBounds = (
    q: URLSearchParams,
    names: SearchParamNames,
    bad: (details?: string) => SimReply,
  ): { byCreated: boolean; after: number; before: number; pageSize: number } | SimReply => {
    const date = (name: string): number | null | 'bad' => {
      const v = q.get(name);
      if (v === null) return null;
      const t = Date.parse(v);
      return Number.isNaN(t) ? 'bad' : t;
    };
    const [createdAfter, createdBefore, updatedAfter, updatedBefore] = [
      names.createdAfter,
      names.createdBefore,
      names.updatedAfter,
      names.updatedBefore,
    ].map(date);
    if ([createdAfter, createdBefore, updatedAfter, updatedBefore].includes('bad'))
      return bad('Dates must be in ISO 8601 format.');
    const byCreated = createdAfter !== null;
    if (byCreated === (updatedAfter !== null))
      return bad(`Exactly one of ${names.createdAfter} and ${names.updatedAfter} is required.`);
    if (byCreated ? updatedBefore !== null : createdBefore !== null)
      return bad(
        `${names.createdAfter}/${names.createdBefore} and ${names.updatedAfter}/${names.updatedBefore} cannot be combined.`,
      );
    const after = (byCreated ? createdAfter : updatedAfter) as number;
    const beforeParam = (byCreated ? createdBefore : updatedBefore) as number | null;
    if (beforeParam !== null && (beforeParam < after || beforeParam > now() - AMAZON_LIST_LAG_MS))
      return bad();
    const pageSizeText = q.get(names.pageSize);
    const pageSize = pageSizeText === null ? MAX_RESULTS_PER_PAGE : Number(pageSizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_RESULTS_PER_PAGE)
      return bad(`${names.pageSize} must be between 1 and ${MAX_RESULTS_PER_PAGE}.`);
    return { byCreated, after, before: beforeParam ?? now() - AMAZON_LIST_LAG_MS, pageSize };
  };
  const denied = (details: string) => {
    return errors(403, 'Unauthorized', UNAUTHORIZED_MESSAGE, details);
  };

  const issue = (kind: Issued['kind'], resources: Issued['resources'] = []): string => {
    const value =
      kind === 'access'
        ? `Atza|${randomBytes(48).toString('base64url')}`
        : `Atz.sprdt|${randomBytes(36).toString('base64url')}`;
    tokens.set(value, { kind, serial: serial++, expiresAt: now() + lifetimeMs, resources });
    return value;
  };

  /**
   * Checks `x-amz-access-token` for a request; returns the PII data elements it unlocks, or the 403.
   * An RDT only works on the method + path it was issued for.
   */
  const authorize = (req: SimRequest, opts: { rdtAllowed: boolean }): ReadonlySet<string> | SimReply => {
    if (state.faults.expireTokens) expiredBelow ??= serial;
    else expiredBelow = null;
    const header = req.headers['x-amz-access-token'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return denied(TOKEN_MISSING_DETAILS);
    const t = tokens.get(value);
    if (!t || state.faults.revokeCredentials) return denied(TOKEN_INVALID_DETAILS);
    if (now() >= t.expiresAt || (expiredBelow !== null && t.serial < expiredBelow))
      return denied(TOKEN_EXPIRED_DETAILS);
    if (t.kind === 'access') return NONE;
    const resource = t.resources.find((r) => r.method === req.method && r.path === req.path);
    if (!opts.rdtAllowed || !resource) return denied('');
    return resource.dataElements;
  };
  const isReply = (v: ReadonlySet<string> | SimReply): v is SimReply => 'status' in v;

  const maybeHtml = (r: SimReply): SimReply => {
    if (htmlBodies.count <= 0) return r;
    htmlBodies.count--;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<html><head><title>Gateway</title></head><body>Please sign in to the network.</body></html>',
    };
  };

  const lwa: SimRoute = {
    method: 'POST',
    path: LWA_PATH,
    name: 'lwaToken',
    handler: (req) => {
      const lwaError = (status: number, error: string, description: string): SimReply => ({
        status,
        headers: { 'x-amzn-RequestId': randomUUID() },
        body: { error_description: description, error },
      });
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        return lwaError(400, 'invalid_request', 'The request has an invalid parameter : content-type');
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'refresh_token')
        return lwaError(
          400,
          'unsupported_grant_type',
          'The authorization grant type is not supported by the authorization server',
        );
      if (
        form.get('client_id') !== credentials.clientId ||
        form.get('client_secret') !== credentials.clientSecret
      )
        return lwaError(401, 'invalid_client', 'Client authentication failed');
      if (form.get('refresh_token') !== credentials.refreshToken || state.faults.revokeCredentials)
        return lwaError(
          400,
          'invalid_grant',
          "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.",
        );
      return {
        status: 200,
        headers: { 'x-amzn-RequestId': randomUUID() },
        body: {
          access_token: issue('access'),
          refresh_token: credentials.refreshToken,
          token_type: 'bearer',
          expires_in: lifetimeMs / 1000,
        },
      };
    },
  };

  const rdt: SimRoute = {
    method: 'POST',
    path: RDT_PATH,
    name: 'createRestrictedDataToken',
    handler: (req) => {
      const op = 'createRestrictedDataToken';
      const auth = authorize(req, { rdtAllowed: false });
      if (isReply(auth)) return auth;
      let body: unknown;
      try {
        body = JSON.parse(req.body);
      } catch {
        return invalid(op, 'The request body is not valid JSON.');
      }
      const list = (body as { restrictedResources?: unknown } | null)?.restrictedResources;
      if (!Array.isArray(list) || list.length === 0 || list.length > 50)
        return invalid(op, 'restrictedResources must hold 1 to 50 resources.');
      const resources: Issued['resources'] = [];
      for (const r of list as Array<Json | null>) {
        const method = r?.method;
        const path = r?.path;
        const elements = r?.dataElements ?? [];
        if (
          typeof method !== 'string' ||
          !['GET', 'PUT', 'POST', 'DELETE'].includes(method) ||
          typeof path !== 'string' ||
          !path.startsWith('/') ||
          !Array.isArray(elements) ||
          !elements.every((e) => typeof e === 'string' && DATA_ELEMENTS.has(e))
        )
          return invalid(op, `Invalid restricted resource: ${JSON.stringify(r)}`);
        resources.push({ method, path, dataElements: new Set(elements as string[]) });
      }
      return maybeHtml(
        reply(200, { restrictedDataToken: issue('rdt', resources), expiresIn: lifetimeMs / 1000 }, op),
      );
    },
  };

  const getOrders: SimRoute = {
    method: 'GET',
    path: ORDERS_PATH,
    name: 'getOrders',
    handler: (req) => {
      const op = 'getOrders';
      const auth = authorize(req, { rdtAllowed: true });
      if (isReply(auth)) return auth;
      const q = req.url.searchParams;
      // Arrays travel comma-separated (Swagger 2 default collectionFormat csv); repeated keys work too.
      const list = (name: string) =>
        q
          .getAll(name)
          .flatMap((v) => v.split(','))
          .map((s) => s.trim())
          .filter(Boolean);
      const marketplaces = list('MarketplaceIds');
      if (marketplaces.length === 0 || marketplaces.length > 50)
        return invalid(op, 'MarketplaceIds is required (1 to 50 values).');

      const token = q.get('NextToken');
      if (token !== null) {
        const snap = snapshots.get(token);
        if (!snap)
          return errors(
            400,
            'InvalidInput',
            'We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem.',
            '',
            op,
          );
        snapshots.delete(token);
        return maybeHtml(ordersPage(snap, auth));
      }

      const bounds = searchBounds(q, V0_PARAMS, (details) => invalid(op, details));
      if ('status' in bounds) return bounds;
      const { byCreated, after, before, pageSize } = bounds;

      const statuses = list('OrderStatuses');
      const channels = list('FulfillmentChannels');
      const methods = list('PaymentMethods');
      const ids = list('AmazonOrderIds');
      const matching = source
        .all()
        .filter((r) => {
          const t = (byCreated ? r.purchase : r.lastUpdate).getTime();
          return (
            t >= after &&
            t <= before &&
            marketplaces.includes(r.marketplaceId) &&
            (statuses.length === 0 || statuses.includes(r.status)) &&
            (channels.length === 0 || channels.includes(r.fulfillmentChannel)) &&
            (methods.length === 0 || methods.includes(r.paymentMethod)) &&
            (ids.length === 0 || ids.includes(r.id))
          );
        })
        .sort((a, b) => a.lastUpdate.getTime() - b.lastUpdate.getTime() || a.id.localeCompare(b.id));
      const echo = byCreated
        ? { CreatedBefore: new Date(before).toISOString() }
        : { LastUpdatedBefore: new Date(before).toISOString() };
      return maybeHtml(
        ordersPage(
          { ids: matching.map((r) => r.id), offset: 0, pageSize, extra: echo, issuedAt: now() },
          auth,
        ),
      );
    },
  };

  /** One page of a listing; membership is fixed when the listing starts, content is current. */
  const ordersPage = (snap: Snapshot, pii: ReadonlySet<string>): SimReply => {
    const ids = snap.ids.slice(snap.offset, snap.offset + snap.pageSize);
    const orders = ids
      .map((id) => source.one(id))
      .filter((r): r is AmazonRecord => r !== null)
      .map((r) => {
        const seen = orderAsSeen(r.order, pii);
        if (takeMalformed(state)) delete seen.PurchaseDate;
        return seen;
      });
    const payload: Json = { Orders: orders, ...snap.extra };
    if (snap.offset + snap.pageSize < snap.ids.length) {
      // Real tokens are long base64 with `+`, `/` and `=`: clients must URL-encode them.
      const next = randomBytes(90).toString('base64');
      snapshots.set(next, { ...snap, offset: snap.offset + snap.pageSize });
      if (snapshots.size > 1000) snapshots.delete(snapshots.keys().next().value!);
      payload.NextToken = next;
    }
    return reply(200, { payload }, 'getOrders');
  };

  /** Shared by the per-order routes: id format, auth, lookup. */
  const perOrder = (
    name: string,
    suffix: string,
    render: (r: AmazonRecord, pii: ReadonlySet<string>, req: SimRequest) => SimReply,
  ): SimRoute => ({
    method: 'GET',
    path: `${ORDERS_PATH}/:orderId${suffix}`,
    name,
    handler: (req) => {
      const auth = authorize(req, { rdtAllowed: true });
      if (isReply(auth)) return auth;
      const id = req.params.orderId!;
      // The sandbox answers a malformed id with 400 InvalidInput "Invalid Input" (saved example).
      if (!ORDER_ID.test(id)) return errors(400, 'InvalidInput', 'Invalid Input', '', name);
      const r = source.one(id);
      if (!r) return errors(404, 'NotFound', `Order ${id} not found.`, '', name); // [I] wording
      return maybeHtml(render(r, auth, req));
    },
  });

  const getOrder = perOrder('getOrder', '', (r, pii) =>
    reply(200, { payload: orderAsSeen(r.order, pii) }, 'getOrder'),
  );

  const getOrderItems = perOrder('getOrderItems', '/orderItems', (r, pii, req) => {
    const op = 'getOrderItems';
    const token = req.url.searchParams.get('NextToken');
    let offset = 0;
    if (token !== null) {
      const m = /^(.+)\|(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
      if (!m || m[1] !== r.id) return invalid(op, 'Invalid NextToken.');
      offset = Number(m[2]);
    }
    const all = itemsAsSeen(r.items, pii);
    const payload: Json = { AmazonOrderId: r.id, OrderItems: all.slice(offset, offset + itemsPerPage) };
    if (offset + itemsPerPage < all.length)
      payload.NextToken = Buffer.from(`${r.id}|${offset + itemsPerPage}`).toString('base64');
    return reply(200, { payload }, op);
  });

  const getOrderAddress = perOrder('getOrderAddress', '/address', (r, pii) =>
    reply(200, { payload: addressAsSeen(r.address, pii) }, 'getOrderAddress'),
  );

  const getOrderBuyerInfo = perOrder('getOrderBuyerInfo', '/buyerInfo', (r, pii) =>
    reply(200, { payload: buyerInfoAsSeen(r.buyerInfo, pii) }, 'getOrderBuyerInfo'),
  );

  // ─── Orders API v2026-01-01 ───────────────────────────────────────────────────────────────────

  /** Arrays travel comma-separated (Swagger 2 csv, as in v0); repeated keys work too. */
  const listParam = (q: URLSearchParams, name: string) =>
    q
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  /** `includedData`, or the 400 for a value the model does not list. */
  const includedDataOf = (q: URLSearchParams, op: string): ReadonlySet<string> | SimReply => {
    const values = listParam(q, 'includedData');
    const bad = values.find((v) => !(INCLUDED_DATA_VALUES as readonly string[]).includes(v));
    return bad === undefined ? new Set(values) : invalid2026(op, `Invalid includedData value: ${bad}`);
  };
  /** Orders 2026-01-01 needs no RDT: an LWA access token, and the app's roles decide the PII [V]. */
  const authorize2026 = (req: SimRequest): SimReply | null => {
    const auth = authorize(req, { rdtAllowed: false });
    return isReply(auth) ? auth : null;
  };

  const searchOrders: SimRoute = {
    method: 'GET',
    path: ORDERS_2026_PATH,
    name: 'searchOrders',
    handler: (req) => {
      const op = 'searchOrders';
      const denied2026 = authorize2026(req);
      if (denied2026) return denied2026;
      const q = req.url.searchParams;
      const included = includedDataOf(q, op);
      if (isReply(included)) return included;

      const token = q.get('paginationToken');
      if (token !== null) {
        const snap = snapshots.get(token);
        // "Token handling with 24-hour expiration" (migration guide); the wording is ours [I].
        if (!snap || now() - snap.issuedAt > PAGINATION_TOKEN_LIFETIME_MS)
          return invalid2026(op, 'The paginationToken is invalid or has expired.');
        snapshots.delete(token);
        return maybeHtml(page2026(snap, included));
      }

      const bounds = searchBounds(q, PARAMS_2026, (details) => invalid2026(op, details));
      if ('status' in bounds) return bounds;
      const { byCreated, after, before, pageSize } = bounds;
      const marketplaces = listParam(q, 'marketplaceIds');
      if (marketplaces.length > 50) return invalid2026(op, 'marketplaceIds takes at most 50 values.');
      const statuses = listParam(q, 'fulfillmentStatuses');
      const badStatus = statuses.find((v) => !(v in STATUS_FROM_2026));
      if (badStatus !== undefined) return invalid2026(op, `Invalid fulfillmentStatuses value: ${badStatus}`);
      const by = listParam(q, 'fulfilledBy');
      const badBy = by.find((v) => v !== 'MERCHANT' && v !== 'AMAZON');
      if (badBy !== undefined) return invalid2026(op, `Invalid fulfilledBy value: ${badBy}`);

      const matching = source
        .all2026()
        .filter((r) => {
          const t = (byCreated ? r.purchase : r.lastUpdate).getTime();
          return (
            t >= after &&
            t <= before &&
            (marketplaces.length === 0 || marketplaces.includes(r.marketplaceId)) &&
            (statuses.length === 0 || statuses.includes(r.fulfillmentStatus)) &&
            (by.length === 0 || by.includes(r.fulfilledBy))
          );
        })
        .sort((a, b) => a.lastUpdate.getTime() - b.lastUpdate.getTime() || a.id.localeCompare(b.id));
      const echo = byCreated
        ? { createdBefore: new Date(before).toISOString() }
        : { lastUpdatedBefore: new Date(before).toISOString() };
      return maybeHtml(
        page2026(
          { ids: matching.map((r) => r.id), offset: 0, pageSize, extra: echo, issuedAt: now() },
          included,
        ),
      );
    },
  };

  /** One searchOrders page; membership is fixed when the listing starts, content is current. */
  const page2026 = (snap: Snapshot, included: ReadonlySet<string>): SimReply => {
    const orders = snap.ids
      .slice(snap.offset, snap.offset + snap.pageSize)
      .map((id) => source.one2026(id))
      .filter((r): r is Record2026 => r !== null)
      .map((r) => {
        const seen = order2026AsSeen(r.order, included, piiRoles);
        if (takeMalformed(state)) delete seen.createdTime;
        return seen;
      });
    const body: Json = { orders };
    if (snap.offset + snap.pageSize < snap.ids.length) {
      const next = randomBytes(90).toString('base64');
      snapshots.set(next, { ...snap, offset: snap.offset + snap.pageSize });
      if (snapshots.size > 1000) snapshots.delete(snapshots.keys().next().value!);
      body.pagination = { nextToken: next };
    }
    Object.assign(body, snap.extra);
    return reply(200, body, 'searchOrders');
  };

  const getOrder2026: SimRoute = {
    method: 'GET',
    path: `${ORDERS_2026_PATH}/:orderId`,
    name: 'getOrder2026',
    handler: (req) => {
      const op = 'getOrder2026';
      const denied2026 = authorize2026(req);
      if (denied2026) return denied2026;
      const included = includedDataOf(req.url.searchParams, op);
      if (isReply(included)) return included;
      const id = req.params.orderId!;
      // The model's sandbox answers a malformed id with 400 InvalidInput "Invalid Input".
      if (!ORDER_ID.test(id)) return errors(400, 'InvalidInput', 'Invalid Input', '', op);
      const r = source.one2026(id);
      if (!r) return errors(404, 'NotFound', `Order ${id} not found.`, '', op); // [I] wording
      return maybeHtml(reply(200, { order: order2026AsSeen(r.order, included, piiRoles) }, op));
    },
  };

  // ─── confirmShipment (v0, the write both APIs' stores use) ────────────────────────────────────

  /**
   * `POST /orders/v0/orders/{orderId}/shipmentConfirmation` as `amazon-ordersV0.json` describes it:
   * `marketplaceId` and `packageDetail` required; `packageReferenceId` a positive number, unique in
   * the order, the same one editing its package ("confirm-the-shipment-status"); `carrierCode`
   * required, `carrierName` required with `Other`; `trackingNumber`, `shipDate` (ISO 8601) and
   * `orderItems` required; `codCollectionMethod` only `DirectPayment`. 204 with no body. Which codes
   * Amazon JP accepts is not public: the simulator takes CONFIRM_CARRIER_CODES [I], and its refusals'
   * wording is ours [I]; their shape (`errors[]` with InvalidInput / NotFound) is the model's.
   */
  const confirmShipment: SimRoute = {
    method: 'POST',
    path: `${ORDERS_PATH}/:orderId/shipmentConfirmation`,
    name: 'confirmShipment',
    handler: (req) => {
      const op = 'confirmShipment';
      const auth = authorize(req, { rdtAllowed: false });
      if (isReply(auth)) return auth;
      const id = req.params.orderId!;
      if (!ORDER_ID.test(id)) return errors(400, 'InvalidInput', 'Invalid Input', '', op);
      let body: Json;
      try {
        const parsed = JSON.parse(req.body) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        body = parsed as Json;
      } catch {
        return invalid(op, 'The request body is not valid JSON.');
      }
      const r = source.one(id);
      if (!r) return errors(404, 'NotFound', `Order ${id} not found.`, '', op);
      const bad = (details: string) => invalid(op, details);
      if (typeof body.marketplaceId !== 'string') return bad('marketplaceId is required.');
      if (body.marketplaceId !== r.marketplaceId)
        return bad(`Order ${id} does not belong to marketplace ${body.marketplaceId}.`);
      if (body.codCollectionMethod !== undefined && body.codCollectionMethod !== 'DirectPayment')
        return bad('codCollectionMethod must be DirectPayment.');
      const p = body.packageDetail as Json | undefined;
      if (typeof p !== 'object' || p === null) return bad('packageDetail is required.');
      for (const k of ['packageReferenceId', 'carrierCode', 'trackingNumber', 'shipDate'])
        if (typeof p[k] !== 'string' || (p[k] as string).trim() === '')
          return bad(`packageDetail.${k} is required.`);
      const ref = p.packageReferenceId as string;
      if (!/^[1-9]\d*$/.test(ref)) return bad('packageReferenceId must be a positive number.');
      const carrierCode = p.carrierCode as string;
      if (!CONFIRM_CARRIER_CODES.has(carrierCode))
        return bad(
          `Invalid carrierCode: ${carrierCode}. Use one of the listed carriers or Other with carrierName.`,
        );
      const carrierName = typeof p.carrierName === 'string' && p.carrierName.trim() ? p.carrierName : null;
      if (carrierCode === 'Other' && !carrierName)
        return bad('carrierName is required when carrierCode is Other.');
      const shipAt = Date.parse(p.shipDate as string);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(p.shipDate as string) || Number.isNaN(shipAt))
        return bad('shipDate must be in ISO 8601 date-time format.');
      if (shipAt > now() + 60_000) return bad('shipDate cannot be in the future.');
      if (shipAt < r.purchase.getTime() - 60_000) return bad('shipDate cannot be before the purchase date.');
      if (r.status === 'Canceled') return bad(`Order ${id} is canceled and cannot be shipped.`);
      if (r.status === 'Pending') return bad(`Order ${id} is pending and cannot be shipped yet.`);
      if (!source.ship) return bad('The simulator serves recorded orders read-only.');
      const items = p.orderItems;
      if (!Array.isArray(items) || items.length === 0) return bad('packageDetail.orderItems is required.');
      // What the other packages of this order already hold: a package may not ship more than is left.
      const elsewhere = new Map<string, number>();
      for (const pkg of r.packages ?? [])
        if (pkg.packageReferenceId !== ref)
          for (const it of (pkg.packageItems as Json[]) ?? [])
            elsewhere.set(
              String(it.orderItemId),
              (elsewhere.get(String(it.orderItemId)) ?? 0) + Number(it.quantity),
            );
      const lines: Array<{ line: number; quantity: number }> = [];
      for (const it of items as Array<Json | null>) {
        const line = r.items.findIndex((x) => x.OrderItemId === it?.orderItemId);
        if (line < 0) return bad(`orderItemId ${String(it?.orderItemId)} is not an item of order ${id}.`);
        const quantity = it?.quantity;
        if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
          return bad(`quantity of orderItemId ${String(it?.orderItemId)} must be a positive integer.`);
        const ordered = Number(r.items[line]!.QuantityOrdered);
        const left = ordered - (elsewhere.get(String(it?.orderItemId)) ?? 0);
        if (quantity > left)
          return bad(
            `quantity ${quantity} of orderItemId ${String(it?.orderItemId)} exceeds the ${left} not yet shipped.`,
          );
        if (lines.some((l) => l.line === line))
          return bad(`orderItemId ${String(it?.orderItemId)} is listed twice.`);
        lines.push({ line, quantity });
      }
      source.ship(id, {
        key: ref,
        carrier: carrierCode,
        carrierName,
        trackingNumber: p.trackingNumber as string,
        shippedOn: jstDate(new Date(shipAt)),
        lines,
      });
      return reply(204, '', op);
    },
  };

  const behaviour: CartBehaviour = {
    cart: 'amazon',
    serverErrorReply: (status) =>
      status === 503
        ? errors(503, 'ServiceUnavailable', 'Service temporarily unavailable. Please try again later.')
        : errors(500, 'InternalFailure', 'We encountered an internal error. Please try again.'),
    // No Retry-After: Amazon does not promise one (carts.md §2.3).
    rateLimitReply: () => reply(429, QUOTA_EXCEEDED_BODY),
    cartOrderNo: (o) => amazonOrderId(o.seq),
  };

  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    routes: [
      lwa,
      rdt,
      getOrders,
      getOrderItems,
      getOrderAddress,
      getOrderBuyerInfo,
      getOrder,
      searchOrders,
      getOrder2026,
      confirmShipment,
      ...amazonStockRoutes(
        (req) => {
          const a = authorize(req, { rdtAllowed: false });
          return isReply(a) ? a : null;
        },
        reply,
        book,
        JP_MARKETPLACE_ID,
      ),
    ],
    behaviour,
    book,
    limits,
    trickleMs: opts.trickleMs,
  });
  return Object.assign(running, { htmlBodies });
}

/**
 * Orders from a folder of recorded response bodies (see README): every `*.json` whose shape is a v0
 * getOrders, getOrder, getOrderItems, getOrderAddress or getOrderBuyerInfo body, or a 2026-01-01
 * searchOrders or getOrder body; others are skipped. A v0 recording is shown through both APIs (as
 * `toOrder2026` renders it); a 2026 one through 2026-01-01 only.
 */
function fixtureSource(dir: string): RecordSource {
  const orders = new Map<string, Json>();
  const recorded2026 = new Map<string, Record2026>();
  const items = new Map<string, Json[]>();
  const addresses = new Map<string, Json>();
  const buyers = new Map<string, Json>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const json = parseRecordedJson(readFileSync(join(dir, file)), file) as Json | null;
    // A sandbox `{request, response}` pair (the models' x-amzn-api-sandbox entries) counts as its response.
    const body =
      json && typeof json === 'object' && 'request' in json && 'response' in json ? json.response : json;
    const doc = classifyRecorded(body);
    if (doc.kind === 'orders')
      for (const o of doc.orders) {
        const id = amazonOrderIdOf(o);
        if (id && !orders.has(id)) orders.set(id, o as Json);
      }
    else if (doc.kind === 'items')
      items.set(doc.amazonOrderId, [...(items.get(doc.amazonOrderId) ?? []), ...(doc.items as Json[])]);
    else if (doc.kind === 'address') addresses.set(doc.amazonOrderId, doc.payload);
    else if (doc.kind === 'buyerInfo') buyers.set(doc.amazonOrderId, doc.payload);
    else if (doc.kind === 'orders2026')
      for (const o of doc.orders) {
        const r = typeof o === 'object' && o !== null ? record2026(o as Json) : null;
        if (r && !recorded2026.has(r.id)) recorded2026.set(r.id, r);
      }
  }
  const records: AmazonRecord[] = [];
  for (const [id, order] of orders) {
    const lastUpdate = timeOf(order.LastUpdateDate);
    const purchase = timeOf(order.PurchaseDate);
    if (Number.isNaN(lastUpdate.getTime()) || Number.isNaN(purchase.getTime())) continue;
    const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
    records.push({
      id,
      lastUpdate,
      purchase,
      status: str(order.OrderStatus, ''),
      paymentMethod: str(order.PaymentMethod, 'Other'),
      fulfillmentChannel: str(order.FulfillmentChannel, 'MFN'),
      marketplaceId: str(order.MarketplaceId, ''),
      order,
      items: items.get(id) ?? [],
      address: addresses.get(id) ?? {
        AmazonOrderId: id,
        ...(order.ShippingAddress ? { ShippingAddress: order.ShippingAddress } : {}),
      },
      buyerInfo: buyers.get(id) ?? { AmazonOrderId: id, ...(order.BuyerInfo as Json | undefined) },
    });
  }
  const byId = new Map(records.map((r) => [r.id, r]));
  const all2026 = new Map(records.flatMap((r) => to2026(r) ?? []).map((r) => [r.id, r]));
  for (const [id, r] of recorded2026) if (!all2026.has(id)) all2026.set(id, r);
  const list2026 = [...all2026.values()];
  return {
    all: () => records,
    one: (id) => byId.get(id) ?? null,
    all2026: () => list2026,
    one2026: (id) => all2026.get(id) ?? null,
  };
}
