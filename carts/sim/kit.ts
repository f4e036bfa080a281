// What every cart simulator shares: an HTTP server on loopback, an order book that changes over time,
// fault switches, request stats and the `/__sim/*` control API that tests and the demo use.
// Cart-specific paths, auth checks, payload shapes and error bodies live in each cart's simulator.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBucket } from '../rate-limit.js';
import { CATALOG, type CatalogProduct } from './catalog.js';
import {
  createRng,
  generateOrder,
  generateOrders,
  type SimEvent,
  type SimEventKind,
  type SimLine,
  type SimOrder,
  type SimOrderView,
  viewAt,
} from './generate.js';

export interface Faults {
  /** The next N API requests answer 500/503 with the cart's error body. */
  serverErrors: number;
  /** The next N API requests never answer (the client must time out). */
  timeouts: number;
  /** Every API request waits this long first. */
  slowMs: number;
  /** The next N records served are corrupted (a required field dropped or of the wrong type). */
  malformedRecords: number;
  /** Tokens in use are treated as expired (Amazon LWA, Yahoo access token). */
  expireTokens: boolean;
  /** The next N API requests answer 429 as if over the rate limit. */
  rateLimited: number;
  /** Every request is refused as unauthenticated (credentials revoked). */
  revokeCredentials: boolean;
  /**
   * The next N API requests (of the route `dropRepliesOn`, or any with null) are carried out but
   * their answer is lost: the connection closes after the handler ran. A write took effect and the
   * client cannot know (the unknown outcome every write-back must survive).
   */
  dropReplies: number;
  dropRepliesOn: string | null;
  /**
   * When set, the counted faults above (serverErrors, timeouts, rateLimited, dropReplies) hit only
   * requests whose body or query string holds this text: one GraphQL mutation among the queries of
   * the same route, `cmd=deliver` among makeshop's calls.
   */
  faultsOnBody: string | null;
  /** The rate limits are not enforced (a benchmark's setup reads the orders it will write back). */
  limitsOff: boolean;
  /**
   * A steady mix: each API request meets a fault with these shares, drawn from a seeded generator
   * one draw per request, so the dose follows the requests made (not wall time or machine speed)
   * and a seed gives the same sequence of faults. Null: off.
   */
  mix: FaultMix | null;
}

/** Shares (0–1) of API requests meeting each fault; the remainder is answered normally. */
export interface FaultMix {
  seed: number;
  /** 500/503 with the cart's error body. */
  serverErrors?: number;
  /** 429 with the cart's body, and `Retry-After` (retryAfterSeconds) when the cart's has none. */
  rateLimited?: number;
  retryAfterSeconds?: number;
  /** Answered after slowMs (default 1,500 ms). */
  slow?: number;
  slowMs?: number;
  /** Never answered (the client must time out). */
  hangs?: number;
  /**
   * The tokens in use expire at this request (the expireTokens fault for one request): for carts
   * whose adapter renews them (Shopify, Yahoo!, Amazon); Rakuten would read it as a revoked key.
   */
  expiredTokens?: number;
  /** The next record served is corrupted (one bad order in the page). */
  malformed?: number;
}

type MixFault = 'serverError' | 'rateLimited' | 'slow' | 'hang' | 'expiredToken' | 'malformed';

const MIX_ORDER: ReadonlyArray<[keyof FaultMix, MixFault]> = [
  ['serverErrors', 'serverError'],
  ['rateLimited', 'rateLimited'],
  ['slow', 'slow'],
  ['hangs', 'hang'],
  ['expiredTokens', 'expiredToken'],
  ['malformed', 'malformed'],
];

/** One draw: which fault (if any) this request meets. */
export function drawFault(mix: FaultMix, next: () => number): MixFault | null {
  let x = next();
  for (const [key, fault] of MIX_ORDER) {
    const share = Number(mix[key] ?? 0);
    if (x < share) return fault;
    x -= share;
  }
  return null;
}

export const NO_FAULTS: Faults = {
  serverErrors: 0,
  timeouts: 0,
  slowMs: 0,
  malformedRecords: 0,
  expireTokens: false,
  rateLimited: 0,
  revokeCredentials: false,
  dropReplies: 0,
  dropRepliesOn: null,
  faultsOnBody: null,
  limitsOff: false,
  mix: null,
};

export interface SimStats {
  requests: number;
  byRoute: Record<string, number>;
  sent429: number;
  sent5xx: number;
  timeouts: number;
  authFailures: number;
  malformedServed: number;
  /** Answers lost on purpose (the dropReplies fault) after the request was carried out. */
  droppedReplies: number;
  /** Requests over the cart's limit (refused by its bucket, not by the rateLimited fault), per route. */
  limitViolations: number;
  violationsByRoute: Record<string, number>;
  /** Answers delayed by the mix's slow fault, and tokens expired by its expiredTokens fault. */
  slowed: number;
  tokensExpired: number;
}

export interface SimRequest {
  method: string;
  url: URL;
  path: string;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  /** No `Date` header (Node adds one by default): a server without a clock, for clients that read it. */
  noDate?: boolean;
  /** Objects are sent as JSON; strings and bytes (Uint8Array) as they are (set content-type for XML). */
  body: unknown;
}

export interface SimRoute {
  method: string;
  /** `/es/2.0/order/searchOrder/` or with params: `/orders/v0/orders/:orderId/orderItems`. */
  path: string;
  /** Name for stats and rate limits. */
  name: string;
  handler: (req: SimRequest) => Promise<SimReply> | SimReply;
}

export interface CartBehaviour {
  cart: string;
  /** The cart's 5xx body (e.g. Rakuten's ES error JSON, Amazon's `{"errors":[…]}`). */
  serverErrorReply(status: number): SimReply;
  /** The cart's 429 body and headers. */
  rateLimitReply(req: SimRequest): SimReply;
  /** The cart's order number for a simulated order. */
  cartOrderNo(order: SimOrder): string;
}

export class OrderBook {
  private orders: SimOrder[] = [];
  private bySeq = new Map<number, SimOrder>();
  private readonly rng;
  constructor(
    readonly seed: number,
    private readonly cartOrderNoOf: (o: SimOrder) => string,
    private readonly generateOpts: { foreignShare?: number; multiPackageShare?: number } = {},
    readonly clock: () => Date = () => new Date(),
  ) {
    this.rng = createRng(seed ^ 0x5eed);
  }

  load(count: number, from: Date, to: Date): void {
    for (const o of generateOrders({
      seed: this.seed,
      count,
      from,
      to,
      firstSeq: this.orders.length + 1,
      ...this.generateOpts,
    }))
      this.add(o);
  }

  add(order: SimOrder): void {
    this.orders.push(order);
    this.bySeq.set(order.seq, order);
  }

  /** A new order placed now, whatever the stock (a test asking for one); `lines` replace the random ones. */
  placeNow(lines?: SimLine[]): SimOrder {
    const o = generateOrder(this.rng, this.orders.length + 1, this.clock(), this.generateOpts);
    if (lines?.length) o.lines = lines;
    this.add(o);
    return o;
  }

  /**
   * 在庫: the quantity the shop last set per item (`code` or `code:option`, the catalog's cart codes,
   * through the cart's own stock endpoint). An item never set is not tracked (always sellable).
   */
  readonly stock = new Map<string, number>();
  /** Sales the cart refused because an item's quantity was short. */
  refusedSales = 0;

  /**
   * A customer trying to buy (trickle, `/__sim/orders`): as the real carts do, an item whose
   * sellable quantity is short cannot be bought, so no order is placed (null); otherwise its
   * quantity goes down by what was bought and the order is placed.
   */
  trySell(lines?: SimLine[]): SimOrder | null {
    const want = lines?.length
      ? lines
      : generateOrder(this.rng, this.orders.length + 1, this.clock(), this.generateOpts).lines;
    const need = new Map<string, number>();
    for (const l of want) {
      const k = simStockKey(l.product);
      need.set(k, (need.get(k) ?? 0) + l.quantity);
    }
    for (const [k, n] of need) {
      const left = this.stock.get(k);
      if (left !== undefined && left < n) {
        this.refusedSales++;
        return null;
      }
    }
    for (const [k, n] of need) {
      const left = this.stock.get(k);
      if (left !== undefined) this.stock.set(k, left - n);
    }
    return this.placeNow(want);
  }

  /** Every order the cart shows now (placed at or before now). */
  visible(): SimOrderView[] {
    const now = this.clock();
    const out: SimOrderView[] = [];
    for (const o of this.orders) if (o.orderedAt.getTime() <= now.getTime()) out.push(viewAt(o, now));
    return out;
  }

  find(cartOrderNo: string): SimOrderView | null {
    const now = this.clock();
    for (const o of this.orders)
      if (this.cartOrderNoOf(o) === cartOrderNo && o.orderedAt.getTime() <= now.getTime())
        return viewAt(o, now);
    return null;
  }

  /**
   * Record a cart-side event now (cancel, edit, payment, shipment, a status a write set) and return
   * the new view. `detail` carries what a write endpoint was told (the shipment, the status, the reason).
   */
  happen(
    cartOrderNo: string,
    kind: SimEventKind,
    detail: Pick<SimEvent, 'shipments' | 'cartStatus' | 'reason'> = {},
  ): SimOrderView | null {
    const o = this.orders.find((x) => this.cartOrderNoOf(x) === cartOrderNo);
    if (!o) return null;
    // Strictly after every event the cart has shown, so its updated time always moves forward
    // (events the generator scheduled for later stay later: a write now is not pushed behind them).
    const now = this.clock().getTime();
    const last = Math.max(
      o.orderedAt.getTime(),
      ...o.events.filter((e) => e.at.getTime() <= now).map((e) => e.at.getTime()),
    );
    const at = new Date(Math.max(now, last + 1000));
    o.events.push({ at, kind, ...detail });
    o.events.sort((a, b) => a.at.getTime() - b.at.getTime());
    return viewAt(o, at);
  }

  /**
   * An event the cart will make itself later (Rakuten releasing a confirmed order to 発送待ち):
   * at `at`, or a second after the last event if that is later.
   */
  schedule(
    cartOrderNo: string,
    kind: SimEventKind,
    at: Date,
    detail: Pick<SimEvent, 'shipments' | 'cartStatus' | 'reason'> = {},
  ): void {
    const o = this.orders.find((x) => this.cartOrderNoOf(x) === cartOrderNo);
    if (!o) return;
    const last = Math.max(o.orderedAt.getTime(), ...o.events.map((e) => e.at.getTime()));
    o.events.push({ at: new Date(Math.max(at.getTime(), last + 1000)), kind, ...detail });
    o.events.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  cartOrderNo(o: SimOrder): string {
    return this.cartOrderNoOf(o);
  }

  get size(): number {
    return this.orders.length;
  }
}

/** The key of a catalog product in a simulator's stock: `cartCode` or `cartCode:option`. */
export function simStockKey(p: Pick<CatalogProduct, 'cartCode' | 'cartOptionCode'>): string {
  return p.cartOptionCode ? `${p.cartCode}:${p.cartOptionCode}` : p.cartCode;
}

export interface RunningSimulator extends SimState {
  url: string;
  port: number;
  book: OrderBook;
  stop(): Promise<void>;
}

/** Faults and stats of one simulator, created first so that route handlers can read them. */
export interface SimState {
  faults: Faults;
  stats: SimStats;
}

function zeroStats(): SimStats {
  return {
    requests: 0,
    byRoute: {},
    sent429: 0,
    sent5xx: 0,
    timeouts: 0,
    authFailures: 0,
    malformedServed: 0,
    droppedReplies: 0,
    limitViolations: 0,
    violationsByRoute: {},
    slowed: 0,
    tokensExpired: 0,
  };
}

export function createSimState(): SimState {
  return { faults: { ...NO_FAULTS }, stats: zeroStats() };
}

export interface StartOptions {
  state?: SimState;
  port?: number;
  host?: string;
  routes: SimRoute[];
  behaviour: CartBehaviour;
  book: OrderBook;
  /** Per-route token buckets (the cart's documented rate and burst); key `*` for all routes. */
  limits?: Record<string, { ratePerSec: number; burst: number }>;
  /** Add one new order every this many ms. */
  trickleMs?: number;
}

function compile(path: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const src = path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^${src}$`), keys };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: SimReply): void {
  // Bytes go out as they are (a cart answering in EUC-JP or Shift_JIS sets its own content-type).
  const isBytes = reply.body instanceof Uint8Array;
  const isString = typeof reply.body === 'string';
  const body = isBytes || isString ? (reply.body as string | Uint8Array) : JSON.stringify(reply.body);
  const headers: Record<string, string> = {
    'content-type': isBytes
      ? 'application/octet-stream'
      : isString
        ? 'text/plain; charset=utf-8'
        : 'application/json;charset=utf-8',
    ...reply.headers,
  };
  if (reply.noDate) res.sendDate = false;
  res.writeHead(reply.status, headers);
  res.end(body);
}

export async function startSimulator(opts: StartOptions): Promise<RunningSimulator> {
  const { faults, stats } = opts.state ?? createSimState();
  const compiled = opts.routes.map((r) => ({ route: r, ...compile(r.path) }));
  const buckets = new Map<string, TokenBucket>();
  const bucket = (name: string) => {
    const spec = opts.limits?.[name] ?? opts.limits?.['*'];
    if (!spec) return undefined;
    let b = buckets.get(name in (opts.limits ?? {}) ? name : '*');
    if (!b) {
      b = new TokenBucket(spec.ratePerSec, spec.burst);
      buckets.set(name in (opts.limits ?? {}) ? name : '*', b);
    }
    return b;
  };
  const hanging = new Set<ServerResponse>();
  // The mix's generator, made again from its seed whenever a new mix is set.
  let mixRng: { mix: FaultMix; next: () => number } | null = null;
  const drawMix = (): MixFault | null => {
    if (!faults.mix) return null;
    if (mixRng?.mix !== faults.mix) mixRng = { mix: faults.mix, next: createRng(faults.mix.seed).next };
    return drawFault(faults.mix, mixRng.next);
  };

  const control = async (req: SimRequest): Promise<SimReply | null> => {
    const p = req.path;
    if (p === '/__sim/stats' && req.method === 'GET')
      return {
        status: 200,
        body: { ...stats, orders: opts.book.size, refusedSales: opts.book.refusedSales },
      };
    if (p === '/__sim/stock' && req.method === 'GET')
      return { status: 200, body: Object.fromEntries(opts.book.stock) };
    if (p === '/__sim/stock' && req.method === 'POST') {
      // Sets quantities directly (a test's starting point), as the shop's admin screen would.
      for (const [k, v] of Object.entries(JSON.parse(req.body || '{}') as Record<string, number | null>))
        if (v === null) opts.book.stock.delete(k);
        else opts.book.stock.set(k, v);
      return { status: 200, body: Object.fromEntries(opts.book.stock) };
    }
    if (p === '/__sim/faults' && req.method === 'GET') return { status: 200, body: faults };
    if (p === '/__sim/faults' && req.method === 'POST') {
      Object.assign(faults, JSON.parse(req.body || '{}') as Partial<Faults>);
      return { status: 200, body: faults };
    }
    if (p === '/__sim/reset' && req.method === 'POST') {
      Object.assign(faults, NO_FAULTS);
      Object.assign(stats, zeroStats());
      buckets.clear();
      return { status: 200, body: { ok: true } };
    }
    if (p === '/__sim/orders' && req.method === 'GET')
      return {
        status: 200,
        body: opts.book.visible().map((o) => ({
          cartOrderNo: opts.book.cartOrderNo(o),
          state: o.state,
          updatedAt: o.updatedAt.toISOString(),
        })),
      };
    if (p === '/__sim/orders' && req.method === 'POST') {
      // `item` (a catalog cart code, `code:option` for an option) and `quantity`: customers buying
      // that item; else random baskets. A sale the stock does not allow places nothing.
      const {
        count = 1,
        item,
        quantity = 1,
      } = JSON.parse(req.body || '{}') as {
        count?: number;
        item?: string;
        quantity?: number;
      };
      const product = item ? CATALOG.find((c) => simStockKey(c) === item) : undefined;
      if (item && !product) return { status: 400, body: { error: `no catalog item ${item}` } };
      const placed: string[] = [];
      let refused = 0;
      for (let i = 0; i < count; i++) {
        const o = opts.book.trySell(product ? [{ product, quantity, packageNo: 1 }] : undefined);
        if (o) placed.push(opts.book.cartOrderNo(o));
        else refused++;
      }
      return { status: 201, body: { placed, refused } };
    }
    const m = /^\/__sim\/orders\/([^/]+)\/(cancel|edit|paid|ship)$/.exec(p);
    if (m && req.method === 'POST') {
      const view = opts.book.happen(decodeURIComponent(m[1]!), m[2] as 'cancel' | 'edit' | 'paid' | 'ship');
      return view
        ? { status: 200, body: { state: view.state, updatedAt: view.updatedAt.toISOString() } }
        : { status: 404, body: { error: 'no such order' } };
    }
    return null;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sim.local');
      const body = await readBody(req);
      const base: SimRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.pathname,
        params: {},
        headers: req.headers,
        body,
      };
      if (url.pathname.startsWith('/__sim/')) {
        const reply = await control(base);
        return send(res, reply ?? { status: 404, body: { error: 'unknown control path' } });
      }
      stats.requests++;
      const hit = compiled.find((c) => c.route.method === base.method && c.re.test(url.pathname));
      if (!hit) {
        const samePath = compiled.some((c) => c.re.test(url.pathname));
        return send(res, {
          status: samePath ? 405 : 404,
          body: { error: samePath ? 'Method Not Allowed' : 'Not Found' },
        });
      }
      const m = hit.re.exec(url.pathname)!;
      hit.keys.forEach((k, i) => {
        base.params[k] = decodeURIComponent(m[i + 1]!);
      });
      stats.byRoute[hit.route.name] = (stats.byRoute[hit.route.name] ?? 0) + 1;

      const mix = faults.mix;
      const drawn = drawMix();
      if (drawn === 'slow') stats.slowed++;
      const slowMs = drawn === 'slow' ? (mix?.slowMs ?? 1500) : faults.slowMs;
      if (slowMs > 0) await sleep(slowMs);
      const targeted =
        faults.faultsOnBody === null ||
        body.includes(faults.faultsOnBody) ||
        url.search.includes(faults.faultsOnBody);
      if ((faults.timeouts > 0 && targeted) || drawn === 'hang') {
        if (drawn !== 'hang') faults.timeouts--;
        stats.timeouts++;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return; // never answer
      }
      if ((faults.serverErrors > 0 && targeted) || drawn === 'serverError') {
        if (drawn !== 'serverError') faults.serverErrors--;
        stats.sent5xx++;
        const n = drawn === 'serverError' ? stats.sent5xx : faults.serverErrors;
        return send(res, opts.behaviour.serverErrorReply(n % 2 === 0 ? 503 : 500));
      }
      const b = faults.limitsOff ? undefined : bucket(hit.route.name);
      const limited = faults.rateLimited > 0 && targeted;
      if (limited || drawn === 'rateLimited' || (b && b.tryTake() > 0)) {
        if (limited) faults.rateLimited--;
        else if (drawn !== 'rateLimited') {
          stats.limitViolations++;
          stats.violationsByRoute[hit.route.name] = (stats.violationsByRoute[hit.route.name] ?? 0) + 1;
        }
        stats.sent429++;
        const r = opts.behaviour.rateLimitReply(base);
        const hasRetryAfter = Object.keys(r.headers ?? {}).some((k) => k.toLowerCase() === 'retry-after');
        return send(
          res,
          drawn === 'rateLimited' && !hasRetryAfter
            ? { ...r, headers: { ...r.headers, 'Retry-After': String(mix?.retryAfterSeconds ?? 1) } }
            : r,
        );
      }
      if (drawn === 'malformed') faults.malformedRecords++; // the next record served (takeMalformed)
      let reply: SimReply;
      if (drawn === 'expiredToken') {
        // The carts read expireTokens in their auth check, the handler's synchronous start: on for
        // this request only, so the tokens issued so far expire once and renewed ones work.
        const was = faults.expireTokens;
        faults.expireTokens = true;
        const pending = hit.route.handler(base);
        faults.expireTokens = was;
        reply = await pending;
        if (reply.status === 401 || reply.status === 403) stats.tokensExpired++;
      } else reply = await hit.route.handler(base);
      if (reply.status === 401 || reply.status === 403) stats.authFailures++;
      if (
        faults.dropReplies > 0 &&
        targeted &&
        (faults.dropRepliesOn === null || faults.dropRepliesOn === hit.route.name)
      ) {
        faults.dropReplies--;
        stats.droppedReplies++;
        res.destroy(); // carried out, answer lost
        return;
      }
      return send(res, reply);
    } catch (e) {
      stats.sent5xx++;
      send(res, { status: 500, body: { error: e instanceof Error ? e.message : String(e) } });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const trickle = opts.trickleMs ? setInterval(() => opts.book.trySell(), opts.trickleMs) : null;
  trickle?.unref();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    stats,
    book: opts.book,
    async stop() {
      if (trickle) clearInterval(trickle);
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Marks a record as served corrupted when the malformed-records fault is on. */
export function takeMalformed(sim: SimState): boolean {
  if (sim.faults.malformedRecords <= 0) return false;
  sim.faults.malformedRecords--;
  sim.stats.malformedServed++;
  return true;
}
