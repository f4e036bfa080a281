// makeshop next-generation API adapter: GraphQL `searchOrder` over POST to the shop's endpoint URL (sent by
// e-mail after the アプリ開発申請), with `authorization: Bearer <token>`, `x-api-key` and `x-timestamp`
// (unix seconds, valid an hour, made for every request) [V: developers.makeshop.jp/api/graphql]. The
// query's fields, the search conditions and paging are from public client code [T] and our guesses [I]
// (graphql.ts, README.md). The classic adapter is `client.ts`.
import { createHash } from 'node:crypto';
import { parseJstLocal } from '../../domain/time.js';
import type { AdapterOptions, CartAdapter, ListWindow, OrderPage, RawOrder } from '../contract.js';
import { CartAuthError, CartRequestError, CartResponseError } from '../errors.js';
import { CartHttpClient, type Classified, type HttpResponse, retryAfterMs } from '../http.js';
import { gateFor, type ShopGate, serialLimits } from './gate.js';
import { errorCode, fieldKey, graphqlErrors, ourField, searchOrderQuery, undefinedField } from './graphql.js';
import { normalizeMakeshopOrder } from './normalize.js';
import { rawNextOrder } from './normalize-next.js';
import {
  MAKESHOP_DEFAULT_BASE_URL,
  MAKESHOP_NEXT_LIMITS,
  type MakeshopCredentials,
  type MakeshopSettings,
  makeshopSettingsSchema,
  makeshopStamp,
} from './settings.js';

const DAY_MS = 86_400_000;

/** searchOrder's input [T: startOrderDate, endOrderDate, deliveryStatus, sortOrder, page, limit]. */
export interface SearchOrderInput {
  startOrderDate?: string;
  endOrderDate?: string;
  deliveryStatus?: 'N' | 'Y' | 'C' | 'R';
  sortOrder: 'ASC' | 'DESC';
  page: number;
  limit: number;
}

interface SearchAnswer {
  searchedCount: number | null;
  orders: Record<string, unknown>[];
}

const AUTH_WORDS =
  /認証|unauthori[sz]ed|unauthenticated|forbidden|invalid (api[ -]?)?key|api[ -]key|x-api-key|invalid token|token (is )?(invalid|expired)|x-timestamp|有効期限/i;
const THROTTLE_WORDS = /too many requests|rate limit|throttl/i;
/** A refusal that names the timestamp is about our clock, not the credentials [I: makeshop documents no error answer]. */
const TIMESTAMP_WORDS = /x-timestamp|timestamp/i;
/**
 * How far our stamp may be from the cart's `Date` before a 401 is taken as a clock refusal: the HTTP
 * date has whole seconds and the answer takes a moment; a minute is far beyond both [I].
 */
const SKEW_TOLERANCE_MS = 60_000;

function orderDateMs(o: Record<string, unknown>): number | null {
  if (typeof o.orderDate !== 'string') return null;
  try {
    return parseJstLocal(o.orderDate).getTime();
  } catch {
    return null;
  }
}

/** The next-generation API: GraphQL searchOrder, paged by `page` / `limit`. */
export class MakeshopNextAdapter implements CartAdapter {
  readonly cart = 'makeshop' as const;
  readonly http: CartHttpClient;
  readonly settings: MakeshopSettings;
  /** Guessed fields makeshop said it does not have (`Type.field`): left out of every later query. */
  readonly dropped = new Set<string>();
  private readonly gate: ShopGate;
  private readonly endpoint: string;
  private readonly accessToken: string;
  private readonly apiKey: string;
  private readonly now: () => Date;
  /**
   * The cart's clock minus `now`, learned from the `Date` header of an answer that refused our
   * x-timestamp; 0 until then. `now` is the database's clock in a worker (jobs/deps.ts), so this
   * stays 0 unless PostgreSQL and makeshop themselves disagree.
   */
  private cartSkewMs = 0;
  /** The x-timestamp of the last attempt (ms): the shop gate sends one request at a time. */
  private lastStampMs = 0;

  constructor(opts: AdapterOptions<MakeshopCredentials>) {
    this.settings = makeshopSettingsSchema.parse(opts.settings ?? {});
    const { accessToken, apiKey } = opts.credentials;
    if (!accessToken || !apiKey)
      throw new CartAuthError(
        `makeshop 次世代API: credentials ${accessToken ? 'apiKey' : 'accessToken'} missing (the next-generation API needs accessToken and apiKey)`,
        'makeshop',
      );
    // The endpoint is the shop's own URL, mailed after the app development request [V]; the classic
    // API's host is not it.
    if (opts.baseUrl.replace(/\/+$/, '') === MAKESHOP_DEFAULT_BASE_URL)
      throw new CartAuthError(
        'makeshop 次世代API: 店舗の「API のベース URL」に次世代APIのエンドポイント URL（アプリ開発申請の完了メールで通知されます）を設定してください',
        'makeshop',
      );
    this.endpoint = opts.baseUrl;
    this.accessToken = accessToken;
    this.apiKey = apiKey;
    this.now = opts.now ?? (() => new Date());
    const limit = opts.limits?.['*'] ?? MAKESHOP_NEXT_LIMITS['*']!;
    // One gate per shop: the token is the shop's (one per installation); only its hash is kept here.
    const shop = createHash('sha256').update(accessToken).digest('hex').slice(0, 16);
    this.gate = gateFor(`next|${this.endpoint}|${shop}`, limit);
    this.http = new CartHttpClient({
      cart: 'makeshop',
      baseUrl: this.endpoint,
      http: opts.http,
      // One bucket for the whole API: in this process the shop gate spaces every attempt, retries
      // included; with the shared limiter its serial bucket does the same across processes.
      limits: opts.limiter ? serialLimits(limit, opts.http) : {},
      limiter: opts.limiter,
      account: `next-${shop}`,
      authorize: async () => {
        if (!opts.limiter) await this.gate.space();
        this.lastStampMs = this.now().getTime() + this.cartSkewMs;
        return {
          authorization: `Bearer ${this.accessToken}`,
          'x-api-key': this.apiKey,
          // Unix seconds, valid an hour: made afresh for every attempt, as makeshop recommends [V].
          'x-timestamp': String(Math.floor(this.lastStampMs / 1000)),
        };
      },
      classify: (res) => this.classify(res),
    });
  }

  private classify(res: HttpResponse): Classified {
    this.gate.answered();
    const snippet = res.text.slice(0, 200);
    if (res.status === 429) {
      this.gate.answered(Math.min(retryAfterMs(res.headers) ?? 1000, this.http.settings.maxDelayMs));
      return {
        kind: 'rate-limited',
        message: `HTTP 429: ${snippet}`,
        retryAfterMs: retryAfterMs(res.headers),
      };
    }
    if (res.status === 401 || res.status === 403)
      return this.clockRefusal(res) ?? { kind: 'auth', message: `HTTP ${res.status}: ${snippet}` };
    if (res.status >= 500) return { kind: 'unavailable', message: `HTTP ${res.status}: ${snippet}` };
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      // Not JSON: a 200 is reported by the caller as a CartResponseError; anything else is refused.
      return res.status === 200
        ? { kind: 'ok' }
        : { kind: 'bad-request', message: `HTTP ${res.status}: ${snippet}` };
    }
    const errors = graphqlErrors(body);
    // makeshop documents no error answer [I]: auth and throttling are recognised by code or wording.
    const message = errors.map((e) => e.message).join(' / ');
    if (errors.some((e) => /UNAUTHENTICATED|FORBIDDEN|UNAUTHORI[SZ]ED/i.test(errorCode(e))))
      return this.clockRefusal(res) ?? { kind: 'auth', message: `makeshop: ${message}` };
    if (
      errors.some((e) => /THROTTLED|TOO_MANY_REQUESTS|RATE_LIMIT/i.test(errorCode(e))) ||
      THROTTLE_WORDS.test(message)
    ) {
      this.gate.answered(Math.min(1000, this.http.settings.maxDelayMs));
      return { kind: 'rate-limited', message: `makeshop: ${message}`, retryAfterMs: 1000 };
    }
    if (errors.length && !errors.some((e) => undefinedField(e.message)) && AUTH_WORDS.test(message))
      return this.clockRefusal(res) ?? { kind: 'auth', message: `makeshop: ${message}` };
    // GraphQL errors (HTTP 200, or 400 on servers that answer validation errors so) are read by `search`.
    if (res.status === 200 || errors.length) return { kind: 'ok' };
    return { kind: 'bad-request', message: `HTTP ${res.status}: ${snippet}` };
  }

  /**
   * A refusal caused by our clock rather than the credentials (issue 15): the cart's `Date` header is
   * more than a minute from the x-timestamp we sent — then later stamps follow the cart's clock and
   * the request is made once more at once — or, without a `Date` to compare, the answer names the
   * timestamp.
   * makeshop documents only "unix time, valid one hour" for x-timestamp [V: developers.makeshop.jp/
   * api/graphql, checked 2026-12-03], not its error answer nor a `Date` header (every HTTP origin
   * server with a clock sends one, RFC 9110 §6.6.1). A 401 whose stamp agreed with the cart's `Date`
   * is about the credentials, as before. A clock refusal the one immediate retry does not cure is a
   * CartClockError: the import is retried later and the store is not marked as needing credentials.
   */
  private clockRefusal(res: HttpResponse): Classified | null {
    const sent = Math.floor(this.lastStampMs / 1000);
    const cartMs = Date.parse(res.headers.get('date') ?? '');
    if (!Number.isNaN(cartMs)) {
      // The stamp agreed with the cart's clock: the refusal is about the credentials.
      if (Math.abs(cartMs - this.lastStampMs) <= SKEW_TOLERANCE_MS) return null;
      const offSeconds = Math.round((this.lastStampMs - cartMs) / 1000);
      this.cartSkewMs = cartMs - this.now().getTime();
      return {
        kind: 'clock',
        message: `HTTP ${res.status}: x-timestamp ${sent} refused; it was ${offSeconds} s from the cart's clock (Date: ${res.headers.get('date')}), stamps now follow the cart's clock`,
      };
    }
    if (TIMESTAMP_WORDS.test(res.text))
      return {
        kind: 'clock',
        message: `HTTP ${res.status}: makeshop refused x-timestamp ${sent} (${res.text.slice(0, 200)}); the clock, not the credentials`,
      };
    return null;
  }

  /** One searchOrder call. A guessed field makeshop refuses is dropped and the call made again. */
  async search(input: SearchOrderInput, signal?: AbortSignal): Promise<SearchAnswer> {
    for (;;) {
      const body = JSON.stringify({
        query: searchOrderQuery(this.dropped),
        operationName: 'searchOrder',
        variables: { input },
      });
      const res = await this.gate.run(() =>
        this.http.send(
          {
            method: 'POST',
            // The endpoint as given, trailing slash and all: it is a full URL, not a base to add a path to.
            path: this.endpoint,
            operation: 'searchOrder',
            headers: { 'content-type': 'application/json' },
            body,
          },
          signal,
        ),
      );
      let json: unknown;
      try {
        json = JSON.parse(res.text);
      } catch {
        throw new CartResponseError(
          `makeshop searchOrder: answer is not JSON (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content-type'}): ${res.text.slice(0, 120)}`,
          'makeshop',
          res.status,
        );
      }
      const errors = graphqlErrors(json);
      if (errors.length) {
        const refused = errors.map((e) => undefinedField(e.message));
        const ours = refused.map((r) => (r ? ourField(r) : null));
        const confirmed = ours.find((x) => x && x.source !== 'I');
        if (confirmed)
          throw new CartRequestError(
            `makeshop searchOrder: makeshop says ${confirmed.type}.${confirmed.name} does not exist, but public sources name it — the API changed? (${errors[0]!.message})`,
            'makeshop',
            res.status,
          );
        const guesses = ours.filter((x) => x !== null && !this.dropped.has(fieldKey(x.type, x.name)));
        if (guesses.length && guesses.length === errors.length) {
          for (const g of guesses) this.dropped.add(fieldKey(g!.type, g!.name));
          continue;
        }
        throw new CartRequestError(
          `makeshop searchOrder: ${errors
            .map((e) => e.message)
            .join(' / ')
            .slice(0, 500)}`,
          'makeshop',
          res.status,
        );
      }
      return this.answerOf(json, res.status);
    }
  }

  private answerOf(json: unknown, status: number): SearchAnswer {
    const data = (json as { data?: { searchOrder?: unknown } } | null)?.data?.searchOrder;
    if (typeof data !== 'object' || data === null)
      throw new CartResponseError(
        `makeshop searchOrder: no data.searchOrder in the answer: ${JSON.stringify(json).slice(0, 120)}`,
        'makeshop',
        status,
      );
    const { orders, searchedCount } = data as { orders?: unknown; searchedCount?: unknown };
    const list = orders === null || orders === undefined ? [] : orders;
    if (!Array.isArray(list) || !list.every((o) => typeof o === 'object' && o !== null && !Array.isArray(o)))
      throw new CartResponseError(
        `makeshop searchOrder: orders is not a list of orders: ${JSON.stringify(orders).slice(0, 120)}`,
        'makeshop',
        status,
      );
    return {
      searchedCount:
        typeof searchedCount === 'number' && Number.isSafeInteger(searchedCount) ? searchedCount : null,
      orders: list as Record<string, unknown>[],
    };
  }

  /** Every page of one search: `page` 1, 2, … until a short page or `searchedCount` is reached [T]. */
  private async *pages(
    input: Omit<SearchOrderInput, 'page' | 'limit'>,
    signal?: AbortSignal,
  ): AsyncGenerator<Record<string, unknown>[]> {
    const limit = this.settings.pageSize;
    for (let page = 1; ; page++) {
      const answer = await this.search({ ...input, page, limit }, signal);
      yield answer.orders;
      if (answer.orders.length < limit) return;
      if (answer.searchedCount !== null && page * limit >= answer.searchedCount) return;
    }
  }

  /** Every search of a period: once, or once per `deliveryStatuses` value. */
  private async *searches(
    startMs: number,
    endMs: number,
    sortOrder: 'ASC' | 'DESC',
    statuses: ReadonlyArray<SearchOrderInput['deliveryStatus']>,
    signal?: AbortSignal,
  ): AsyncGenerator<Record<string, unknown>[]> {
    for (const deliveryStatus of statuses)
      yield* this.pages(
        {
          startOrderDate: makeshopStamp(startMs),
          endOrderDate: makeshopStamp(endMs),
          sortOrder,
          ...(deliveryStatus ? { deliveryStatus } : {}),
        },
        signal,
      );
  }

  /**
   * searchOrder selects by order date only [T], so a window is two searches:
   *  1. the orders placed in [from, to) — new orders;
   *  2. with `changeLookbackDays`, the orders placed that many days before the window, again — their
   *     cancels, payments and edits (no update time is known to search by). Those makeshop shows as
   *     shipped or returned (deliveryStatus Y / R) are left out. Unchanged ones are re-emitted; the
   *     import keeps them as unchanged (same payload).
   * Both ends are whole seconds, taken as included [I]: [from, to) becomes [ceil(from), ceil(to) − 1 s],
   * and the answer is cut to the window again.
   */
  async *listOrders(window: ListWindow, opts: { signal?: AbortSignal } = {}): AsyncGenerator<OrderPage> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    const start = Math.ceil(from / 1000) * 1000;
    const emitted = new Set<string>();
    const fresh = (orders: Record<string, unknown>[], keep: (o: Record<string, unknown>) => boolean) =>
      orders.filter(keep).filter((o) => {
        const no = typeof o.displayOrderNumber === 'string' ? o.displayOrderNumber : null;
        if (no === null) return true; // normalize names what is missing
        if (emitted.has(no)) return false;
        emitted.add(no);
        return true;
      });
    const statuses = this.settings.deliveryStatuses ?? [undefined];

    const end = Math.ceil(to / 1000) * 1000 - 1000;
    if (end >= start)
      for await (const orders of this.searches(start, end, 'ASC', statuses, opts.signal)) {
        const inside = fresh(orders, (o) => {
          const at = orderDateMs(o);
          return at === null || (at >= from && at < to);
        });
        yield { orders: inside.map(rawNextOrder) };
      }

    const days = this.settings.changeLookbackDays;
    if (days > 0) {
      const rescanFrom = Math.ceil((from - days * DAY_MS) / 1000) * 1000;
      // Open orders and those cancelled since; with deliveryStatuses set, only its N and C searches.
      const open = this.settings.deliveryStatuses
        ? this.settings.deliveryStatuses.filter((s) => s === 'N' || s === 'C')
        : [undefined];
      if (start - 1000 >= rescanFrom && open.length)
        for await (const orders of this.searches(rescanFrom, start - 1000, 'ASC', open, opts.signal)) {
          const older = fresh(orders, (o) => {
            if (o.deliveryStatus === 'Y' || o.deliveryStatus === 'R') return false;
            const at = orderDateMs(o);
            return at === null || at < from;
          });
          yield { orders: older.map(rawNextOrder) };
        }
    }
  }

  /**
   * By order number. No number condition of searchOrder is known, so the last `fetchLookbackDays` are
   * searched, newest first, until the number turns up; null when it does not.
   */
  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(cartOrderNo)) return null;
    const end = Math.floor(this.now().getTime() / 1000) * 1000;
    const start = end - this.settings.fetchLookbackDays * DAY_MS;
    for await (const orders of this.searches(
      start,
      end,
      'DESC',
      this.settings.deliveryStatuses ?? [undefined],
    )) {
      const hit = orders.find((o) => o.displayOrderNumber === cartOrderNo);
      if (hit) return rawNextOrder(hit);
    }
    return null;
  }

  normalize(raw: RawOrder, store: string) {
    return normalizeMakeshopOrder(raw, store);
  }
}
