// The Yahoo! Shopping order adapter: orderList (search, `Start`/`Result` offset paging) to find the
// orders changed in a window, then orderInfo per order for the full record. Both are POSTs of an
// XML `<Req>` with a Bearer access token; responses are XML.
import { z } from 'zod';
import { mapBounded } from '../bounded.js';
import type {
  AdapterOptions,
  ApiStatus,
  CartAdapter,
  ListOptions,
  ListWindow,
  OrderPage,
  RawOrder,
} from '../contract.js';
import { CartRateLimitError, CartRequestError, CartResponseError } from '../errors.js';
import {
  CartHttpClient,
  type Classified,
  classifyByStatus,
  type HttpRequest,
  type HttpResponse,
} from '../http.js';
import { signatureHeaders, tokenUrlFor, type YahooCredentials, YahooTokens } from './auth.js';
import {
  CART,
  DEFAULT_LIMITS,
  INFO_FIELDS,
  LIST_FIELDS,
  ORDER_INFO_PATH,
  ORDER_LIST_PATH,
} from './constants.js';
import { normalizeYahoo } from './normalize.js';
import { ceilSecond, parseYahooTime, toYahooStamp } from './time.js';
import { asList, buildXml, errorOf, isObject, parseXml, text, type XmlObject } from './xml.js';

/** Operations whose `<Error>` answers the caller reads (actions.ts). */
const WRITE_OPERATIONS = new Set(['orderShipStatusChange', 'orderStatusChange']);

function isErrorBody(res: HttpResponse): boolean {
  try {
    return errorOf(parseXml(res.text)) !== null;
  } catch {
    return false;
  }
}

export const yahooSettingsSchema = z.object({
  /** `Result`: rows per orderList page. Yahoo's default is 10 and it documents no maximum. */
  pageSize: z.number().int().min(1).max(2000).default(100),
  /**
   * Which time the window is searched on. `OrderTime` (default) sends the documented
   * `OrderTimeFrom`/`OrderTimeTo` [V], and the PublicationTime pass and the re-scan below find what
   * it cannot. `LastUpdateTime` (opt-in) sends `LastUpdateTimeFrom`/`LastUpdateTimeTo`, which no public
   * source shows as a search condition [I]: if Yahoo ignored it the search would have no date
   * condition at all. With it the other two passes are not run.
   */
  windowCondition: z.enum(['OrderTime', 'LastUpdateTime']).default('OrderTime'),
  /**
   * Also search the window by `PublicationTimeFrom`/`PublicationTimeTo` (orderList公開日時, a Condition
   * since 2021-06 [V: orderList changelog]): an order held by Yahoo's fraud checks appears in orderList
   * only when published, after its OrderTime window was read.
   */
  publicationPass: z.boolean().default(true),
  /**
   * Cart-side changes and cancels (there is no documented "updated since"): orders placed this many
   * days before the window, in `rescanStatuses`, are listed again and kept when their `LastUpdateTime`
   * (a list Field [T]) falls in the window — the way Rakuten's adapter re-scans. 0 turns it off.
   */
  changeLookbackDays: z.number().min(0).max(365).default(30),
  /** OrderStatus values re-scanned: 予約中, 処理中, 保留 (still open) and キャンセル (just cancelled). */
  rescanStatuses: z
    .array(z.enum(['1', '2', '3', '4', '5']))
    .min(1)
    .default(['1', '2', '3', '4']),
  /** `Result` of the re-scan: most of its rows are only compared, so pages are larger. */
  rescanPageSize: z.number().int().min(1).max(2000).default(1000),
  /** Long windows are searched in pieces of this many hours, keeping offset paging short [I]. */
  maxWindowHours: z.number().positive().default(24),
  /**
   * orderInfo calls of one page in flight at once. Each still takes its token from the per-store
   * limiter (Redis-shared), so the documented 1 query a second holds; the overlap only keeps a call's
   * own round trip from adding to the interval. 1 is one call after another.
   */
  orderInfoConcurrency: z.number().int().min(1).max(4).default(2),
  /** How often a window is re-read from `Start=1` when its hit count moves while paging. */
  listRestarts: z.number().int().min(0).default(3),
  /** Token endpoint; default Yahoo's for yahooapis.jp hosts, else `<baseUrl>/yconnect/v2/token`. */
  tokenUrl: z.string().url().optional(),
});
export type YahooSettings = z.infer<typeof yahooSettingsSchema>;

/** What the stores screen says about a Yahoo! store's search settings (`CartModule.apiStatus`). */
export function yahooApiStatus(settings: Record<string, unknown>): ApiStatus {
  const parsed = yahooSettingsSchema.safeParse(settings);
  const s = parsed.success ? parsed.data : yahooSettingsSchema.parse({});
  const warnings: string[] = [];
  if (s.windowCondition === 'LastUpdateTime')
    warnings.push(
      'windowCondition が LastUpdateTime です。LastUpdateTimeFrom/To は公開資料のどこにも検索条件として載っていません（2026-12-02 確認）。Yahoo! が無視すると日付条件のない検索になり、全注文を毎回読むおそれがあります。文書にある OrderTime に戻してください。',
    );
  else {
    if (!s.publicationPass)
      warnings.push(
        'publicationPass が false です。Yahoo! の審査で公開が遅れた注文（PublicationTime が OrderTime より後）を取り込めません。',
      );
    if (s.changeLookbackDays === 0)
      warnings.push(
        'changeLookbackDays が 0 です。取り込み済み注文のカート側の変更・キャンセルを取り込めません。',
      );
  }
  return { api: `注文API V1（orderList: ${s.windowCondition}）`, warnings };
}

const listResultSchema = z.object({
  Result: z.object({
    Status: z.literal('OK'),
    Search: z.preprocess(
      (v) => (v === '' ? {} : v),
      z.object({
        TotalCount: z.string().regex(/^\d+$/),
        OrderInfo: z.preprocess((v) => asList(v), z.array(z.record(z.string(), z.unknown()))),
      }),
    ),
  }),
});

const infoResultSchema = z.object({
  ResultSet: z.object({
    Result: z.object({
      Status: z.literal('OK'),
      OrderInfo: z.unknown().refine((v) => v !== undefined, 'missing OrderInfo'),
    }),
  }),
});

/** The `<Req>` of orderList, elements in the order of the request tree [V: orderList page]. */
export function orderListReq(
  sellerId: string,
  condition: XmlObject,
  start: number,
  pageSize: number,
): XmlObject {
  return {
    Search: {
      Result: pageSize,
      Start: start,
      Sort: '+order_time',
      Condition: condition,
      Field: LIST_FIELDS.join(','),
    },
    SellerId: sellerId,
  };
}

/** The `<Req>` of orderInfo: one order per call [T: JSPSystem, C# 40661271135, Python 33703337432]. */
export function orderInfoReq(sellerId: string, orderId: string): XmlObject {
  return { Target: { OrderId: orderId, Field: INFO_FIELDS.join(',') }, SellerId: sellerId };
}

const DAY_MS = 86_400_000;
const JST_MS = 9 * 3_600_000;

/** Yahoo's daily quota resets at midnight Japan time [V: developer.yahoo.co.jp/appendix/rate.html]. */
function msUntilJstMidnight(now: Date): number {
  const jst = now.getTime() + JST_MS;
  return (Math.floor(jst / DAY_MS) + 1) * DAY_MS - jst;
}

export class YahooAdapter implements CartAdapter {
  readonly cart = CART;
  /** Pages are sorted by order time (Sort +order_time), not update time: progress per sub-window. */
  readonly progress = 'pages' as const;
  readonly http: CartHttpClient;
  readonly tokens: YahooTokens;
  readonly settings: YahooSettings;
  private readonly creds: YahooCredentials;
  private readonly now: () => Date;

  constructor(opts: AdapterOptions<YahooCredentials>) {
    this.settings = yahooSettingsSchema.parse(opts.settings ?? {});
    this.creds = opts.credentials;
    this.now = opts.now ?? (() => new Date());
    this.tokens = new YahooTokens(
      this.creds,
      tokenUrlFor(opts.baseUrl, this.settings.tokenUrl),
      opts.http,
      this.now,
    );
    this.http = new CartHttpClient({
      cart: CART,
      baseUrl: opts.baseUrl,
      http: opts.http,
      limits: opts.limits ?? { ...DEFAULT_LIMITS },
      // 1 query a second per store account [V: order API index page; per account is our reading].
      limiter: opts.limiter,
      account: this.creds.sellerId,
      classify: (res, req) => this.classify(res, req),
      // The token is made current in post(), before send(): an error thrown in authorize would be
      // taken for a network failure and retried, and a refused refresh must stay a CartAuthError.
      authorize: () => ({
        Authorization: `Bearer ${this.tokens.held()}`,
        ...signatureHeaders(this.creds, this.now()),
      }),
      // A 401 is an expired or refused access token [T: qiita suin 5241f461, kunitake Client.php]:
      // refresh once and retry; a refused refresh token surfaces as CartAuthError from refresh().
      onAuthFailure: async (_req: HttpRequest, res: HttpResponse) => {
        if (res.status !== 401) return false;
        await this.tokens.refresh();
        return true;
      },
    });
  }

  private classify(res: HttpResponse, req: HttpRequest): Classified {
    // A write's `<Error>` answer (HTTP 400) is Yahoo!'s refusal of that change: `write` reads it.
    if (res.status === 400 && WRITE_OPERATIONS.has(req.operation) && isErrorBody(res)) return { kind: 'ok' };
    if (res.status === 403) {
      const detail = describeError(res);
      // Over the daily quota: 403 "Your Request was Forbidden" [V: shopping FAQ]. Retrying before
      // midnight JST only burns requests, so this bypasses the client's in-process retries.
      if (/Your Request was Forbidden/i.test(res.text))
        throw new CartRateLimitError(
          `yahoo: daily request quota exceeded (HTTP 403): ${detail}`,
          CART,
          msUntilJstMidnight(this.now()),
          403,
        );
      // insufficient_scope, px-04303 (application not approved for the order API): a human must act.
      return { kind: 'auth', message: `HTTP 403: ${detail}` };
    }
    const c = classifyByStatus(res);
    if (c.kind === 'auth' || c.kind === 'bad-request')
      return { ...c, message: `HTTP ${res.status}: ${describeError(res)}` };
    return c;
  }

  /** POSTs one `<Req>` and returns the parsed answer, or throws what it means. */
  private async post(
    operation: string,
    path: string,
    req: XmlObject,
    signal?: AbortSignal,
  ): Promise<XmlObject> {
    await this.tokens.current();
    const res = await this.http.send(
      {
        method: 'POST',
        path,
        operation,
        headers: { 'Content-Type': 'application/xml; charset=UTF-8', Accept: 'application/xml' },
        body: buildXml({ Req: req }),
      },
      signal,
    );
    let doc: XmlObject;
    try {
      doc = parseXml(res.text);
    } catch (e) {
      throw new CartResponseError(
        `yahoo ${operation}: response is not XML (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content-type'}): ${res.text.slice(0, 120)}`,
        CART,
        res.status,
        { cause: e },
      );
    }
    const err = errorOf(doc);
    if (err)
      throw new CartRequestError(
        `yahoo ${operation}: ${err.code ? `${err.code}: ` : ''}${err.message}`,
        CART,
        res.status,
      );
    return doc;
  }

  /**
   * One write (`orderShipStatusChange`, `orderStatusChange`): the answer's `Result` (with its
   * `Warning`s), or Yahoo!'s `<Error>` refusal. Auth, quota and transport failures throw as for reads.
   */
  async write(
    operation: 'orderShipStatusChange' | 'orderStatusChange',
    path: string,
    req: XmlObject,
  ): Promise<{ ok: true; warnings: string[] } | { ok: false; code: string | null; message: string }> {
    await this.tokens.current();
    const res = await this.http.send({
      method: 'POST',
      path,
      operation,
      headers: { 'Content-Type': 'application/xml; charset=UTF-8', Accept: 'application/xml' },
      body: buildXml({ Req: { ...req, SellerId: this.creds.sellerId } }),
    });
    let doc: XmlObject;
    try {
      doc = parseXml(res.text);
    } catch (e) {
      throw new CartResponseError(
        `yahoo ${operation}: response is not XML (HTTP ${res.status}): ${res.text.slice(0, 120)}`,
        CART,
        res.status,
        { cause: e },
      );
    }
    const err = errorOf(doc);
    if (err) return { ok: false, code: err.code, message: err.message };
    const result = doc.Result;
    if (!isObject(result) || text(result.Status) !== 'OK')
      throw new CartResponseError(
        `yahoo ${operation}: unexpected answer: ${res.text.slice(0, 120)}`,
        CART,
        res.status,
      );
    const warnings = asList(result.Warning).map((w) =>
      isObject(w) ? [text(w.Code), text(w.Message)].filter(Boolean).join(': ') : (text(w) ?? ''),
    );
    return { ok: true, warnings: warnings.filter(Boolean) };
  }

  /** orderInfo of one order (the re-read after a write's refusal); null when Yahoo! does not know it. */
  async readOrder(orderId: string): Promise<XmlObject | null> {
    const raw = await this.fetchOrder(orderId);
    return raw && isObject(raw.payload) ? raw.payload : null;
  }

  private async searchPage(
    condition: XmlObject,
    start: number,
    signal?: AbortSignal,
    pageSize = this.settings.pageSize,
  ): Promise<{ total: number; rows: XmlObject[] }> {
    const doc = await this.post(
      'orderList',
      ORDER_LIST_PATH,
      orderListReq(this.creds.sellerId, condition, start, pageSize),
      signal,
    );
    const r = listResultSchema.safeParse(doc);
    if (!r.success)
      throw new CartResponseError(
        `yahoo orderList: unexpected response shape at ${r.error.issues[0]?.path.join('.') || '(root)'}: ${r.error.issues[0]?.message}`,
        CART,
        200,
      );
    return { total: Number(r.data.Result.Search.TotalCount), rows: r.data.Result.Search.OrderInfo };
  }

  private async orderInfo(orderId: string, signal?: AbortSignal): Promise<RawOrder> {
    const doc = await this.post(
      'orderInfo',
      ORDER_INFO_PATH,
      orderInfoReq(this.creds.sellerId, orderId),
      signal,
    );
    const r = infoResultSchema.safeParse(doc);
    if (!r.success)
      throw new CartResponseError(
        `yahoo orderInfo ${orderId}: unexpected response shape at ${r.error.issues[0]?.path.join('.') || '(root)'}: ${r.error.issues[0]?.message}`,
        CART,
        200,
      );
    return { cartOrderNo: orderId, payload: r.data.ResultSet.Result.OrderInfo };
  }

  /**
   * Every order changed in [from, to), once per call. With the default `OrderTime` condition:
   *  1. orderList by `OrderTimeFrom`/`OrderTimeTo` over the window (in `maxWindowHours` pieces): orders
   *     placed in it;
   *  2. the same by `PublicationTimeFrom`/`PublicationTimeTo` (`publicationPass`): orders Yahoo
   *     published in it, however long its checks held them;
   *  3. the re-scan (`changeLookbackDays`): orders placed in the look-back before the window, in
   *     `rescanStatuses`, whose row `LastUpdateTime` is in the window — changes, payments, cancels.
   * Each hit is checked client-side on its own row time for its pass, and fetched with orderInfo once.
   * With `LastUpdateTime` (opt-in) only pass 1 runs, on that condition.
   */
  async *listOrders(window: ListWindow, opts?: ListOptions): AsyncGenerator<OrderPage> {
    const signal = opts?.signal;
    const seen = new Set<string>();
    const key = this.settings.windowCondition;
    const passes: TimeField[] =
      key === 'OrderTime' && this.settings.publicationPass ? ['OrderTime', 'PublicationTime'] : [key];
    // The re-scan first, once per window (a resumed window has had it): after it, every finished
    // sub-window is progress the import can commit (`resumeFrom`).
    if (key === 'OrderTime' && this.settings.changeLookbackDays > 0 && !opts?.resume) {
      // One search over the whole look-back: Yahoo documents no longest period, and most rows are
      // only compared, so this costs about one call per `rescanPageSize` open orders.
      const placed = {
        from: new Date(window.from.getTime() - this.settings.changeLookbackDays * 86_400_000),
        to: window.from,
      };
      const range = searchRange('OrderTime', placed);
      if (range)
        yield* this.listPass(
          { ...range, OrderStatus: this.settings.rescanStatuses.join(',') },
          { field: 'LastUpdateTime', window },
          seen,
          signal,
          this.settings.rescanPageSize,
        );
    }
    const step = this.settings.maxWindowHours * 3_600_000;
    for (let from = window.from.getTime(); from < window.to.getTime(); from += step) {
      const w = { from: new Date(from), to: new Date(Math.min(from + step, window.to.getTime())) };
      for (const field of passes) {
        const range = searchRange(field, w);
        if (range) yield* this.listPass(range, { field, window: w }, seen, signal);
      }
      if (w.to < window.to) yield { orders: [], resumeFrom: w.to };
    }
  }

  /**
   * One search: every hit whose `check.field` is in `check.window` once (`seen` spans the whole
   * listOrders call), even when hits move while paging.
   */
  private async *listPass(
    condition: XmlObject,
    check: { field: TimeField; window: ListWindow },
    seen: Set<string>,
    signal: AbortSignal | undefined,
    pageSize = this.settings.pageSize,
  ): AsyncGenerator<OrderPage> {
    let restarts = 0;
    let total: number | null = null;
    let start = 1;
    for (;;) {
      const page = await this.searchPage(condition, start, signal, pageSize);
      if (total !== null && page.total !== total && restarts < this.settings.listRestarts) {
        // Hits were added or left while we paged, so offsets shifted: read again from the top;
        // `seen` keeps what was already handed out from being handed out twice.
        restarts++;
        total = null;
        start = 1;
        continue;
      }
      total = page.total;
      const ids: string[] = [];
      for (const row of page.rows) {
        const id = text(row.OrderId);
        if (!id) throw new CartResponseError('yahoo orderList: a hit without OrderId', CART, 200);
        if (seen.has(id) || !rowWithin(row, check.field, check.window)) continue;
        seen.add(id);
        ids.push(id);
      }
      // In the page's order; the first failure cancels the rest and fails the page, as before.
      const orders = await mapBounded(
        ids,
        this.settings.orderInfoConcurrency,
        (id, s) => this.orderInfo(id, s),
        signal,
      );
      if (orders.length > 0) yield { orders };
      start += pageSize;
      if (page.rows.length === 0 || start > total) return;
    }
  }

  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    // orderList by OrderId answers TotalCount 0 for an unknown order [T: JSPSystem OrderTest], so
    // "not found" needs no guess at orderInfo's error code.
    const found = await this.searchPage({ OrderId: cartOrderNo }, 1);
    if (found.total === 0 || found.rows.length === 0) return null;
    return this.orderInfo(cartOrderNo);
  }

  normalize = normalizeYahoo;
}

/** The row times the adapter searches and checks on. */
export type TimeField = 'OrderTime' | 'PublicationTime' | 'LastUpdateTime';

/**
 * `<field>From`/`<field>To` for a half-open window, or null when it holds no whole second. Yahoo
 * compares whole seconds and both bounds are inclusive: [from, to) is [ceil(from), ceil(to) − 1 s].
 */
function searchRange(field: TimeField, w: ListWindow): XmlObject | null {
  const first = ceilSecond(w.from);
  const last = new Date(ceilSecond(w.to).getTime() - 1000);
  if (last < first) return null;
  return { [`${field}From`]: toYahooStamp(first), [`${field}To`]: toYahooStamp(last) };
}

/**
 * Client-side check of the half-open window on the row's own time. A row without that time, or with
 * one that cannot be read, is kept: the order is fetched and normalize judges the full record.
 */
export function rowWithin(row: XmlObject, field: TimeField, w: ListWindow): boolean {
  const t = text(row[field]);
  if (!t) return true;
  let at: Date;
  try {
    at = parseYahooTime(t);
  } catch {
    return true; // a bad time here is normalize's to report, on the full record
  }
  return at >= w.from && at < w.to;
}

/** `Error/Message` (and `Code`) of an error body, else the start of the body; plus WWW-Authenticate. */
function describeError(res: HttpResponse): string {
  let detail = res.text.slice(0, 200);
  try {
    const err = errorOf(parseXml(res.text));
    if (err) detail = `${err.code ? `${err.code}: ` : ''}${err.message}`;
  } catch {
    // not XML: keep the snippet
  }
  const www = res.headers.get('www-authenticate');
  return www && !detail.includes(www) ? `${detail} (${www})` : detail;
}

export function createYahooAdapter(opts: AdapterOptions<YahooCredentials>): YahooAdapter {
  return new YahooAdapter(opts);
}
