// makeshop classic order API adapter (spec §4.2): `GET /api/orderinfo/index.html?cmd=get` with the shop's
// id and 認証コード as query parameters, XML answers, at most 100 orders an answer, and one request a second
// for the whole shop — order, member and product APIs together, serialized [V: apidoc about page].
// makeshop is closing this API (README.md); only stores with `orderApi: 'classic'` (or classic
// credentials and no setting) use it. The next-generation GraphQL adapter is `next-client.ts`.
import { parseJstLocal } from '../../domain/time.js';
import type { AdapterOptions, CartAdapter, ListWindow, OrderPage, RawOrder } from '../contract.js';
import { CartAuthError, CartResponseError } from '../errors.js';
import {
  CartHttpClient,
  type Classified,
  type HttpRequest,
  type HttpResponse,
  retryAfterMs,
} from '../http.js';
import { gateFor, type ShopGate, serialLimits } from './gate.js';
import { normalizeMakeshopOrder } from './normalize.js';
import {
  MAKESHOP_LIMITS,
  MAKESHOP_ORDER_PATH,
  type MakeshopCredentials,
  type MakeshopSettings,
  makeshopSettingsSchema,
  makeshopStamp,
} from './settings.js';
import { decodeXml, MAKESHOP_ERRORS, type MakeshopAnswer, NotXmlError, parseXml, readAnswer } from './xml.js';

function orderDateMs(o: Record<string, unknown>): number | null {
  if (typeof o.date !== 'string') return null;
  try {
    return parseJstLocal(o.date).getTime();
  } catch {
    return null;
  }
}

/** Operations whose `<response>` refusals the caller reads (actions.ts). */
const WRITE_COMMANDS = new Set(['deliver', 'cancel']);

export function rawOrder(o: Record<string, unknown>): RawOrder {
  return { cartOrderNo: typeof o.ordernum === 'string' && o.ordernum ? o.ordernum : null, payload: o };
}

/** The classic API: XML over GET, three fetch modes, 1 request a second. */
export class MakeshopClassicAdapter implements CartAdapter {
  readonly cart = 'makeshop' as const;
  /** Period mode is on order time with no documented order: progress per sub-window. */
  readonly progress = 'windows' as const;
  readonly http: CartHttpClient;
  readonly settings: MakeshopSettings;
  private readonly gate: ShopGate;

  private readonly shopId: string;
  private readonly token: string;

  constructor(opts: AdapterOptions<MakeshopCredentials>) {
    this.settings = makeshopSettingsSchema.parse(opts.settings ?? {});
    const { shopId, token } = opts.credentials;
    if (!shopId || !token)
      throw new CartAuthError(
        `makeshop 従来API: credentials ${shopId ? 'token' : 'shopId'} missing (the classic API needs shopId and token)`,
        'makeshop',
      );
    this.shopId = shopId;
    this.token = token;
    const limit = opts.limits?.['*'] ?? MAKESHOP_LIMITS['*']!;
    this.gate = gateFor(`classic|${opts.baseUrl}|${shopId}`, limit);
    this.http = new CartHttpClient({
      cart: 'makeshop',
      baseUrl: opts.baseUrl,
      http: opts.http,
      // One bucket for the whole API: in this process the shop gate spaces every attempt, retries
      // included; with the shared limiter its serial bucket does the same across processes.
      limits: opts.limiter ? serialLimits(limit, opts.http) : {},
      limiter: opts.limiter,
      account: shopId,
      authorize: async () => {
        if (!opts.limiter) await this.gate.space();
        return {};
      },
      classify: (res, req) => this.classify(res, req),
    });
  }

  private classify(res: HttpResponse, req?: HttpRequest): Classified {
    const snippet = () => this.text(res).slice(0, 200);
    this.gate.answered();
    if (res.status === 429) {
      // Over the limit: every call of the shop waits, not only this attempt.
      this.gate.answered(Math.min(retryAfterMs(res.headers) ?? 1000, this.http.settings.maxDelayMs));
      return {
        kind: 'rate-limited',
        message: `HTTP 429: ${snippet()}`,
        retryAfterMs: retryAfterMs(res.headers),
      };
    }
    if (res.status === 401 || res.status === 403)
      return { kind: 'auth', message: `HTTP ${res.status}: ${snippet()}` };
    if (res.status >= 500) return { kind: 'unavailable', message: `HTTP ${res.status}: ${snippet()}` };
    if (res.status !== 200) return { kind: 'bad-request', message: `HTTP ${res.status}: ${snippet()}` };
    let answer: MakeshopAnswer | null;
    try {
      answer = readAnswer(parseXml(this.text(res)));
    } catch {
      return { kind: 'ok' }; // not XML: the caller reports it as a CartResponseError
    }
    if (answer?.kind !== 'response' || answer.message === 'OK') return { kind: 'ok' };
    const message = `makeshop ${answer.code ?? '???'}: ${answer.message ?? ''}`;
    // A write's refusal (a bad parameter, an order it cannot change) is its answer: `write` reads it.
    const refusal =
      answer.code !== MAKESHOP_ERRORS.auth.code &&
      answer.code !== MAKESHOP_ERRORS.notAllowed.code &&
      answer.code !== MAKESHOP_ERRORS.overLimit.code;
    if (req && WRITE_COMMANDS.has(req.operation) && refusal && !/認証/.test(answer.message ?? ''))
      return { kind: 'ok' };
    if (
      answer.code === MAKESHOP_ERRORS.auth.code ||
      answer.code === MAKESHOP_ERRORS.notAllowed.code ||
      /認証/.test(answer.message ?? '')
    )
      return { kind: 'auth', message };
    if (answer.code === MAKESHOP_ERRORS.overLimit.code) {
      this.gate.answered(Math.min(1000, this.http.settings.maxDelayMs));
      return { kind: 'rate-limited', message, retryAfterMs: 1000 };
    }
    return { kind: 'bad-request', message };
  }

  private text(res: HttpResponse): string {
    return res.bytes ? decodeXml(res.bytes, res.headers.get('content-type')) : res.text;
  }

  /**
   * One status change (`cmd=deliver` 配送ステータス変更, `cmd=status` 注文キャンセル [V: apidoc orderinfo
   * 動作概要; T: parameters]) → makeshop's `<response>`: `OK`, or its refusal's code and message. A
   * `deliver` is not repeated on a lost answer (`idempotent: false`): it may mail the customer again.
   */
  async write(
    operation: 'deliver' | 'cancel',
    query: Record<string, string | number>,
  ): Promise<{ ok: boolean; code: string | null; message: string | null }> {
    const req: HttpRequest = {
      method: 'GET',
      operation,
      path: MAKESHOP_ORDER_PATH,
      query: { shopid: this.shopId, token: this.token, service: this.settings.service, ...query },
      idempotent: operation !== 'deliver',
    };
    const res = await this.gate.run(() => this.http.send(req));
    let answer: MakeshopAnswer | null;
    try {
      answer = readAnswer(parseXml(this.text(res)));
    } catch (e) {
      throw new CartResponseError(
        `makeshop ${operation}: ${e instanceof NotXmlError ? e.message : String(e)}`,
        'makeshop',
        res.status,
      );
    }
    if (answer?.kind !== 'response')
      throw new CartResponseError(
        `makeshop ${operation}: unexpected answer: ${this.text(res).slice(0, 120)}`,
        'makeshop',
        res.status,
      );
    return { ok: answer.message === 'OK', code: answer.code, message: answer.message };
  }

  /** One `cmd=get` call → its orders. */
  private async get(
    operation: string,
    query: Record<string, string | number>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>[]> {
    const req: HttpRequest = {
      method: 'GET',
      operation,
      path: MAKESHOP_ORDER_PATH,
      query: { cmd: 'get', shopid: this.shopId, token: this.token, service: this.settings.service, ...query },
    };
    const res = await this.gate.run(() => this.http.send(req, signal));
    let answer: MakeshopAnswer | null;
    try {
      answer = readAnswer(parseXml(this.text(res)));
    } catch (e) {
      throw new CartResponseError(
        `makeshop ${operation}: ${e instanceof NotXmlError ? e.message : String(e)} (${res.headers.get('content-type') ?? 'no content-type'})`,
        'makeshop',
        res.status,
      );
    }
    if (answer?.kind !== 'orders')
      throw new CartResponseError(
        `makeshop ${operation}: unexpected answer: ${this.text(res).slice(0, 120)}`,
        'makeshop',
        res.status,
      );
    return answer.orders;
  }

  /**
   * The window is on order time: period mode (`start`/`end`, 注文日時) is all makeshop offers for a range.
   * With `diffPass`, first the orders changed since the previous fetch that were placed before the window
   * (their cancels and payments); changed orders inside the window come with the period fetch, later
   * ones with a later window. A period answer that hits the 100-order ceiling is split in halves.
   */
  async *listOrders(window: ListWindow, opts: { signal?: AbortSignal } = {}): AsyncGenerator<OrderPage> {
    const from = window.from.getTime();
    const to = window.to.getTime();
    const cap = this.settings.maxPerCall;
    if (this.settings.diffPass) {
      for (;;) {
        const changed = await this.get('diffOrders', { canceled: 1 }, opts.signal);
        const older = changed.filter((o) => {
          const at = orderDateMs(o);
          return at === null || at < from;
        });
        yield { orders: older.map(rawOrder) };
        if (changed.length < cap) break;
      }
    }
    // start/end are whole seconds, both included [I]: [from, to) becomes [ceil(from), ceil(to) − 1 s].
    const pending: Array<[number, number]> = [
      [Math.ceil(from / 1000) * 1000, Math.ceil(to / 1000) * 1000 - 1000],
    ];
    while (pending.length) {
      const [start, end] = pending.shift()!;
      if (end < start) continue;
      const orders = await this.get(
        'periodOrders',
        { start: makeshopStamp(start), end: makeshopStamp(end), canceled: 1 },
        opts.signal,
      );
      if (orders.length >= cap && end > start) {
        const mid = start + Math.floor((end - start) / 2000) * 1000;
        pending.unshift([start, mid], [mid + 1000, end]);
        continue;
      }
      // (A single second with 100 orders cannot be narrowed further; what came is all we can get.)
      const inside = orders.filter((o) => {
        const at = orderDateMs(o);
        return at === null || (at >= from && at < to);
      });
      yield { orders: inside.map(rawOrder) };
    }
  }

  /** By order number (指定注文), cancelled orders included. */
  async fetchOrder(cartOrderNo: string): Promise<RawOrder | null> {
    if (!/^[A-Za-z0-9]{1,26}$/.test(cartOrderNo)) return null;
    const orders = await this.get('getOrder', { ordernum: cartOrderNo, canceled: 1 });
    const hit = orders.find((o) => o.ordernum === cartOrderNo);
    return hit ? rawOrder(hit) : null;
  }

  normalize(raw: RawOrder, store: string) {
    return normalizeMakeshopOrder(raw, store);
  }
}
