// A local RakutenPayOrderAPI: the same paths (POST, trailing slash), ESA auth and ES 401 body, the
// searchOrder limits (dateType 1–6, `+0900` datetimes only, ≤ 63-day periods within 730 days, ≤ 1000
// per page, only the first 15,000 hits reachable), getOrder (≤ 100 numbers, `version` required,
// INFO_102 for unknown numbers) and about one request a second, answered with 429.
// What the real API does is marked [V]/[T]/[I] as in carts.md §1; codes marked SIM are the
// simulator's own where Rakuten's real code is not public.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstant } from '../../domain/time.js';
import type { RateLimits } from '../contract.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import {
  type CartBehaviour,
  createSimState,
  OrderBook,
  type RunningSimulator,
  type SimReply,
  type SimRequest,
  type SimState,
  startSimulator,
  takeMalformed,
} from '../sim/kit.js';
import { RAKUTEN_LIMITS, rakutenCredentialsSchema } from './client.js';
import {
  DAY_MS,
  DEFAULT_PAGE_SIZE,
  esaAuthorization,
  floorSecond,
  GET_ORDER_PATH,
  HIT_CEILING,
  HORIZON_DAYS,
  LATEST_VERSION,
  MAX_GET_ORDER_NUMBERS,
  MAX_PAGE_SIZE,
  MAX_WINDOW_DAYS,
  OLDEST_VERSION,
  RAKUTEN_DATETIME,
  SEARCH_ORDER_PATH,
} from './codes.js';
import { RAKUTEN_DEMO_CREDENTIALS } from './demo-credentials.js';
import { DEFAULT_SHOP_ID, milestones, rakutenOrderNo, renderOrderModel, timeForDateType } from './render.js';
import { rakutenStockRoutes } from './simulator-stock.js';
import {
  createRakutenWriteRoutes,
  type RakutenWriteControls,
  type RakutenWriteOptions,
} from './simulator-writes.js';

export interface RakutenSimulatorOptions extends SimulatorOptions, RakutenWriteOptions {
  /** Hits a search can reach (15,000); tests scale it down. */
  hitCeiling?: number;
  /** Longest searchOrder period in days (63). */
  maxWindowDays?: number;
  /** Largest requestRecordsAmount (1000). */
  maxPageSize?: number;
  /** The 6-digit shop id in order numbers. */
  shopId?: string;
  /** Share of generated orders split into two packages (ship-tos). Default 0.12. */
  multiPackageShare?: number;
}

/** Faults only Rakuten's simulator has (the shared ones are in `faults`). */
export interface RakutenSimControls {
  /** The next N API requests get an HTML maintenance page with status 200 (not JSON). */
  htmlReplies: number;
  /** The next N getOrder answers carry `OrderModelList` as an object instead of a list. */
  wrongShapeReplies: number;
}

/** The write side's controls (`simulator-writes.ts`): release a confirmed order, async requests. */
export type { RakutenWriteControls } from './simulator-writes.js';

export type RunningRakutenSimulator = RunningSimulator & {
  rakuten: RakutenSimControls & RakutenWriteControls;
};

type Message = { messageType: string; messageCode: string; message: string; orderNumber?: string };

/** [T] The ES gateway's error shape; ES01-01 is the real code for refused credentials. */
export function esError(errorCode: string, message: string) {
  return { Results: { errorCode, message } };
}
const UNAUTHORISED = esError('ES01-01', 'Un-Authorised');

const searchError = (code: string, message: string): Message => ({
  messageType: 'ERROR',
  messageCode: `ORDER_EXT_API_SEARCH_ORDER_ERROR_${code}`,
  message,
});
const getOrderError = (code: string, message: string): Message => ({
  messageType: 'ERROR',
  messageCode: `ORDER_EXT_API_GET_ORDER_ERROR_${code}`,
  message,
});

function searchFailure(messages: Message[]): SimReply {
  // [V] 400 with one MessageModel per problem and null list/pagination.
  return {
    status: 400,
    body: { orderNumberList: null, MessageModelList: messages, PaginationResponseModel: null },
  };
}
function getOrderFailure(messages: Message[]): SimReply {
  // [T] the ERROR_009 body of a third-party test; the status is [I].
  return { status: 400, body: { MessageModelList: messages, OrderModelList: [] } };
}

/** One order as both endpoints see it. */
interface SimRecord {
  no: string;
  orderedAt: Date;
  progress: number;
  timeFor(dateType: number): Date | null;
  payload(version: number): Record<string, unknown>;
}

function fixtureRecords(dir: string): SimRecord[] {
  const out: SimRecord[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const body = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    const models = Array.isArray(body.OrderModelList) ? body.OrderModelList : [];
    for (const model of models as Array<Record<string, unknown>>) {
      const at = (k: string) => (typeof model[k] === 'string' ? parseInstant(model[k] as string) : null);
      const shippingDate = (
        model.PackageModelList as Array<{ ShippingModelList?: Array<{ shippingDate?: string }> }>
      )
        ?.flatMap((p) => p.ShippingModelList ?? [])
        .find((s) => s.shippingDate)?.shippingDate;
      const times: Record<number, Date | null> = {
        1: at('orderDatetime'),
        2: at('shopOrderCfmDatetime'),
        3: at('orderFixDatetime'),
        4: shippingDate ? new Date(`${shippingDate}T00:00:00+09:00`) : null,
        5: at('shippingCmplRptDatetime'),
        6: at('orderFixDatetime'),
      };
      out.push({
        no: String(model.orderNumber),
        orderedAt: times[1]!,
        progress: Number(model.orderProgress),
        timeFor: (t) => times[t] ?? null,
        payload: () => structuredClone(model),
      });
    }
  }
  return out;
}

/** Drops a required field or gives one the wrong type, as a broken record would. */
function corrupt(model: Record<string, unknown>, n: number): Record<string, unknown> {
  if (n % 2 === 1) delete model.orderDatetime;
  else model.orderProgress = '発送待ち';
  return model;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function createRakutenRoutes(ctx: {
  state: SimState;
  controls: RakutenSimControls;
  credentials: { serviceSecret: string; licenseKey: string };
  clock: () => Date;
  records: () => SimRecord[];
  hitCeiling: number;
  maxWindowDays: number;
  maxPageSize: number;
  book: OrderBook;
  writes: RakutenWriteOptions;
}) {
  const { state, controls } = ctx;
  const expectedAuth = esaAuthorization(ctx.credentials.serviceSecret, ctx.credentials.licenseKey);

  /** Gateway checks before the API: maintenance page, ESA credentials, JSON body. */
  function gateway(req: SimRequest): SimReply | { json: unknown } {
    if (controls.htmlReplies > 0) {
      controls.htmlReplies--;
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!DOCTYPE html><html><head><title>RMS メンテナンス中</title></head><body><p>ただいまメンテナンス中です。</p></body></html>',
      };
    }
    // An expired licenseKey cannot be refreshed by the client: Rakuten answers the same ES01-01.
    if (
      state.faults.revokeCredentials ||
      state.faults.expireTokens ||
      req.headers.authorization !== expectedAuth
    )
      return { status: 401, body: UNAUTHORISED };
    // [T] integrators report 415 without a JSON content type.
    if (!/^application\/json/i.test(String(req.headers['content-type'] ?? '')))
      return { status: 415, body: { error: 'Unsupported Media Type' } };
    try {
      return { json: JSON.parse(req.body) };
    } catch {
      return { json: null };
    }
  }

  function searchOrder(req: SimRequest): SimReply {
    const g = gateway(req);
    if (!('json' in g)) return g;
    const body = (g.json && typeof g.json === 'object' ? g.json : {}) as Record<string, unknown>;
    const errors: Message[] = [];
    if (body.dateType === undefined || body.dateType === null)
      errors.push(searchError('009', 'dateTypeの項目を指定して下さい。'));
    else if (!isInt(body.dateType) || body.dateType < 1 || body.dateType > 6)
      errors.push(searchError('011', 'dateTypeの書式が不正です。'));
    for (const k of ['startDatetime', 'endDatetime'] as const) {
      const v = body[k];
      if (v === undefined || v === null) errors.push(searchError('009', `${k}の項目を指定して下さい。`));
      else if (v === '') errors.push(searchError('010', `${k}の値を指定して下さい。`));
      // [T] only `yyyy-MM-ddTHH:mm:ss+0900` is accepted.
      else if (typeof v !== 'string' || !RAKUTEN_DATETIME.test(v))
        errors.push(searchError('011', `${k}の書式が不正です。`));
    }
    let size = DEFAULT_PAGE_SIZE;
    let page = 1;
    let direction = 2; // [V] default: descending
    const pg = body.PaginationRequestModel as Record<string, unknown> | undefined | null;
    if (pg !== undefined && pg !== null) {
      if (pg.requestRecordsAmount === undefined || pg.requestRecordsAmount === null)
        errors.push(searchError('009', 'requestRecordsAmountの項目を指定して下さい。'));
      else if (!isInt(pg.requestRecordsAmount) || pg.requestRecordsAmount < 1)
        errors.push(searchError('011', 'requestRecordsAmountの書式が不正です。'));
      else if (pg.requestRecordsAmount > ctx.maxPageSize)
        errors.push(searchError('SIM01', `requestRecordsAmountは${ctx.maxPageSize}以下で指定して下さい。`));
      else size = pg.requestRecordsAmount;
      if (pg.requestPage === undefined || pg.requestPage === null)
        errors.push(searchError('009', 'requestPageの項目を指定して下さい。'));
      else if (!isInt(pg.requestPage) || pg.requestPage < 1)
        errors.push(searchError('011', 'requestPageの書式が不正です。'));
      else page = pg.requestPage;
      const sorts = pg.SortModelList;
      if (sorts !== undefined && sorts !== null) {
        if (!Array.isArray(sorts)) errors.push(searchError('011', 'SortModelListの書式が不正です。'));
        else
          for (const s of sorts as Array<Record<string, unknown>>) {
            if (s?.sortColumn !== 1) errors.push(searchError('011', 'sortColumnの書式が不正です。'));
            if (s?.sortDirection !== 1 && s?.sortDirection !== 2)
              errors.push(searchError('011', 'sortDirectionの書式が不正です。'));
            else direction = s.sortDirection;
          }
      }
    }
    const progress = body.orderProgressList;
    if (progress !== undefined && progress !== null && (!Array.isArray(progress) || !progress.every(isInt)))
      errors.push(searchError('011', 'orderProgressListの書式が不正です。'));
    if (errors.length) return searchFailure(errors);

    const start = parseInstant(body.startDatetime as string).getTime();
    const end = parseInstant(body.endDatetime as string).getTime();
    const now = ctx.clock().getTime();
    if (end < start) errors.push(searchError('SIM02', 'endDatetimeはstartDatetime以降を指定して下さい。'));
    if (end - start > ctx.maxWindowDays * DAY_MS)
      errors.push(
        searchError(
          'SIM03',
          `startDatetimeからendDatetimeまでは${ctx.maxWindowDays}日以内で指定して下さい。`,
        ),
      );
    if (start < now - HORIZON_DAYS * DAY_MS)
      errors.push(searchError('SIM04', `startDatetimeは過去${HORIZON_DAYS}日以内で指定して下さい。`));
    if (errors.length) return searchFailure(errors);

    const statuses = Array.isArray(progress) ? new Set(progress as number[]) : null;
    const dateType = body.dateType as number;
    const hits = ctx
      .records()
      .filter((r) => {
        if (statuses && !statuses.has(r.progress)) return false;
        const t = r.timeFor(dateType);
        if (!t) return false;
        const s = floorSecond(t.getTime());
        return s >= start && s <= end;
      })
      .sort((a, b) => {
        const d = (a.orderedAt.getTime() - b.orderedAt.getTime()) * (direction === 1 ? 1 : -1);
        return d !== 0 ? d : a.no.localeCompare(b.no);
      });
    if (hits.length === 0)
      return {
        status: 200,
        body: {
          orderNumberList: [],
          MessageModelList: [
            {
              messageType: 'INFO',
              messageCode: 'ORDER_EXT_API_SEARCH_ORDER_INFO_102',
              message: '注文検索に成功しました。(検索結果０件)',
            },
          ],
          PaginationResponseModel: { totalRecordsAmount: null, totalPages: null, requestPage: null },
        },
      };
    // [V] hits after the 15,000th cannot be read. [I] the total still counts them, and pages end at
    // the last reachable hit.
    const reachable = hits.slice(0, ctx.hitCeiling);
    return {
      status: 200,
      body: {
        orderNumberList: reachable.slice((page - 1) * size, page * size).map((r) => r.no),
        MessageModelList: [
          {
            messageType: 'INFO',
            messageCode: 'ORDER_EXT_API_SEARCH_ORDER_INFO_101',
            message: '注文検索に成功しました。',
          },
        ],
        PaginationResponseModel: {
          totalRecordsAmount: hits.length,
          totalPages: Math.ceil(reachable.length / size),
          requestPage: page,
        },
      },
    };
  }

  function getOrder(req: SimRequest): SimReply {
    const g = gateway(req);
    if (!('json' in g)) return g;
    const body = (g.json && typeof g.json === 'object' ? g.json : {}) as Record<string, unknown>;
    const list = body.orderNumberList;
    if (!Array.isArray(list) || list.length === 0)
      return getOrderFailure([getOrderError('009', 'orderNumberListの項目を指定してください。')]);
    if (body.version === undefined || body.version === null)
      return getOrderFailure([getOrderError('009', 'versionの項目を指定してください。')]);
    const version = body.version;
    // [T] versions 1 and 2 are refused now; [V] 10 is the newest.
    if (!isInt(version) || version < OLDEST_VERSION || version > LATEST_VERSION)
      return getOrderFailure([getOrderError('SIM01', 'versionの値が不正です。')]);
    if (list.length > MAX_GET_ORDER_NUMBERS || !list.every((n) => typeof n === 'string'))
      return getOrderFailure([
        getOrderError('SIM02', `orderNumberListは${MAX_GET_ORDER_NUMBERS}件以内で指定してください。`),
      ]);

    const horizon = ctx.clock().getTime() - HORIZON_DAYS * DAY_MS;
    const byNo = new Map(ctx.records().map((r) => [r.no, r]));
    const found: Array<Record<string, unknown>> = [];
    const missing: Message[] = [];
    for (const no of list as string[]) {
      const r = byNo.get(no);
      if (!r || r.orderedAt.getTime() < horizon) {
        missing.push({
          messageType: 'INFO',
          messageCode: 'ORDER_EXT_API_GET_ORDER_INFO_102',
          message: '受注情報が取得できませんでした。',
          orderNumber: no,
        });
        continue;
      }
      const model = r.payload(version);
      found.push(takeMalformed(state) ? corrupt(model, state.stats.malformedServed) : model);
    }
    const messages: Message[] = found.length
      ? [
          {
            messageType: 'INFO',
            messageCode: 'ORDER_EXT_API_GET_ORDER_INFO_101',
            message: `受注情報取得に成功しました。(取得件数${found.length}件)`,
          },
          ...missing,
        ]
      : missing;
    let orderModels: unknown = found;
    if (controls.wrongShapeReplies > 0) {
      controls.wrongShapeReplies--;
      orderModels = { OrderModel: found };
    }
    return {
      status: 200,
      body: {
        MessageModelList: messages,
        OrderModelList: orderModels,
        // [V] echoed when version ≥ 6 was asked for.
        ...(version >= 6 ? { version } : {}),
      },
    };
  }

  const writes = createRakutenWriteRoutes({ gateway, book: ctx.book, clock: ctx.clock, opts: ctx.writes });
  return {
    writes: writes.controls,
    routes: [
      { method: 'POST', path: SEARCH_ORDER_PATH, name: 'searchOrder', handler: searchOrder },
      { method: 'POST', path: GET_ORDER_PATH, name: 'getOrder', handler: getOrder },
      ...writes.routes,
      ...rakutenStockRoutes(gateway, ctx.book),
    ],
  };
}

/**
 * Rakuten's ~1 rps (or the given limits) with a doubled burst: the client paces itself with the same
 * bucket, and the slack absorbs network jitter between the two clocks so a paced client never sees 429.
 */
function serverLimits(limits: RateLimits): RateLimits {
  return Object.fromEntries(
    Object.entries(limits).map(([k, l]) => [k, { ...l, burst: Math.max(l.burst + 1, l.burst * 2) }]),
  );
}

async function startRakutenSimulator(
  opts: RakutenSimulatorOptions & { port?: number; host?: string },
): Promise<RunningRakutenSimulator> {
  const state = createSimState();
  const controls: RakutenSimControls = { htmlReplies: 0, wrongShapeReplies: 0 };
  const clock = opts.clock ?? (() => new Date());
  const shopId = opts.shopId ?? DEFAULT_SHOP_ID;
  const credentials = opts.credentials
    ? rakutenCredentialsSchema.parse(opts.credentials)
    : RAKUTEN_DEMO_CREDENTIALS;
  const book = new OrderBook(
    opts.seed ?? 1,
    (o) => rakutenOrderNo(o, shopId),
    { multiPackageShare: opts.multiPackageShare ?? 0.12 },
    clock,
  );
  let records: () => SimRecord[];
  if (opts.fixturesDir) {
    const fixed = fixtureRecords(opts.fixturesDir);
    records = () => fixed;
  } else {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * DAY_MS);
    book.load(opts.orders ?? 120, from, to);
    records = () =>
      book.visible().map((view) => {
        const m = milestones(view);
        return {
          no: book.cartOrderNo(view),
          orderedAt: view.orderedAt,
          progress: m.progress,
          timeFor: (t: number) => timeForDateType(m, t),
          payload: (version: number) => renderOrderModel(view, { shopId, version }),
        };
      });
  }
  const behaviour: CartBehaviour = {
    cart: 'rakuten',
    serverErrorReply: (status) => ({
      status,
      body: esError(`SIM-${status}`, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
    }),
    rateLimitReply: () => ({ status: 429, body: esError('SIM-429', 'Too Many Requests') }),
    cartOrderNo: (o) => rakutenOrderNo(o, shopId),
  };
  const { routes, writes } = createRakutenRoutes({
    state,
    controls,
    credentials,
    clock,
    records,
    hitCeiling: opts.hitCeiling ?? HIT_CEILING,
    maxWindowDays: opts.maxWindowDays ?? MAX_WINDOW_DAYS,
    maxPageSize: opts.maxPageSize ?? MAX_PAGE_SIZE,
    book,
    writes: {
      releaseAfterMs: opts.releaseAfterMs,
      asyncPendingPolls: opts.asyncPendingPolls,
      asyncResultsKeptMs: opts.asyncResultsKeptMs,
    },
  });
  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    routes,
    behaviour,
    book,
    limits: opts.rateLimits === false ? undefined : serverLimits(opts.limits ?? RAKUTEN_LIMITS),
    trickleMs: opts.trickleMs,
  });
  // The same object the routes count the faults down on, with the write side's controls.
  const rakuten = Object.defineProperties(controls, {
    release: { value: writes.release },
    asyncRequests: { get: () => writes.asyncRequests },
    loseAsyncRequest: { value: writes.loseAsyncRequest },
  }) as RakutenSimControls & RakutenWriteControls;
  return Object.assign(running, { rakuten });
}

export const rakutenSimulator = {
  cart: 'rakuten' as const,
  start: startRakutenSimulator,
} satisfies CartSimulator;
