// A local Yahoo! Shopping order API: orderList and orderInfo (POST XML, Bearer tokens that expire
// after an hour of the simulator's clock), the Yahoo! ID連携 Token endpoint for refreshing them, the
// daily quota, and 429 over the per-second rate. Facts and assumptions are listed in README.md.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jstDate as jstDateOf } from '../../domain/time.js';
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
import type { YahooCredentials } from './auth.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  CANCEL_REASONS,
  DAILY_QUOTA,
  DEFAULT_LIMITS,
  ORDER_INFO_PATH,
  ORDER_LIST_PATH,
  ORDER_SHIP_STATUS_CHANGE_PATH,
  ORDER_STATUS_CHANGE_PATH,
  ORDER_STATUS_TRANSITIONS,
  TOKEN_PATH,
} from './constants.js';
import { YAHOO_DEMO_CREDENTIALS } from './demo-credentials.js';
import { publicationTimeOf, renderOrder, selectInfoFields, selectRowFields, yahooOrderId } from './render.js';
import { yahooGetStockRoute, yahooStockRoute } from './simulator-stock.js';
import { fromYahooStamp, parseYahooTime } from './time.js';
import { buildXml, errorXml, isObject, parseXml, text, type XmlObject } from './xml.js';

const XML = 'application/xml;charset=UTF-8';

export interface YahooSimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Requests per JST day before 403 "Your Request was Forbidden" (default Yahoo's 50,000). */
  dailyQuota?: number;
}

/** Yahoo-only switches, besides the shared fault switches of the kit. */
export interface YahooSimControl {
  /** The next N API requests answer 200 with an HTML maintenance page instead of XML. */
  htmlBodies: number;
  dailyQuota: number;
  /** API requests counted against the quota today. */
  requestsToday: number;
  /** Access tokens issued by the Token endpoint. */
  tokensIssued: number;
}

export interface RunningYahooSimulator extends RunningSimulator {
  yahoo: YahooSimControl;
  sellerId: string;
}

interface Served {
  orderId: string;
  /** Flat fields for orderList conditions and rows. */
  row: Record<string, string>;
  /** The orderInfo `OrderInfo` element (generated orders) … */
  info: XmlObject | null;
  /** … or the recorded orderInfo body, served verbatim (fixtures). */
  body: string | null;
}

function xmlReply(status: number, body: string, headers: Record<string, string> = {}): SimReply {
  return { status, headers: { 'content-type': XML, ...headers }, body };
}

/** The 401 Yahoo sends for token problems: WWW-Authenticate plus the same text in `<Error><Message>`. */
function unauthorized(error: string, description: string): SimReply {
  const challenge = `Bearer realm="yahooapis.jp", error="${error}", error_description="${description}"`;
  return xmlReply(401, errorXml(`Please provide valid credentials. ${challenge}`), {
    'www-authenticate': challenge,
  });
}

function jsonReply(status: number, body: unknown): SimReply {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
    body,
  };
}

const MAINTENANCE_HTML =
  '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>メンテナンス中</title></head>' +
  '<body><h1>ただいまメンテナンス中です</h1><p>しばらくしてから再度アクセスしてください。</p></body></html>';

/** Flattens a recorded OrderInfo (order fields plus the Pay/Ship/Detail/Seller groups) into a row. */
function flatten(info: XmlObject): Record<string, string> {
  const row: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) {
    if (typeof v === 'string') row[k] = v;
    else if (isObject(v)) for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'string') row[k2] = v2;
  }
  return row;
}

function loadFixtures(dir: string): Served[] {
  const out: Served[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.xml')) continue;
    const body = readFileSync(join(dir, name), 'utf8');
    let doc: XmlObject;
    try {
      doc = parseXml(body);
    } catch {
      continue; // not a response body (e.g. a request template)
    }
    const rs = doc.ResultSet;
    const info = isObject(rs) && isObject(rs.Result) ? rs.Result.OrderInfo : undefined;
    if (!isObject(info)) continue;
    const orderId = text(info.OrderId);
    if (!orderId) continue;
    out.push({ orderId, row: flatten(info), info: null, body });
  }
  return out;
}

/**
 * Time of a row field, for conditions; null when absent or unreadable. A recorded order without
 * `PublicationTime` was published when it was placed.
 */
function rowTime(row: Record<string, string>, key: string): number | null {
  // Read once per row and field: orderList filters on up to three times and sorts by OrderTime.
  let times = rowTimes.get(row);
  if (!times) {
    times = new Map();
    rowTimes.set(row, times);
  }
  const known = times.get(key);
  if (known !== undefined) return known;
  const v = row[key] ?? (key === 'PublicationTime' ? row.OrderTime : undefined);
  let at: number | null = null;
  if (v)
    try {
      at = parseYahooTime(v).getTime();
    } catch {
      at = null;
    }
  times.set(key, at);
  return at;
}
const rowTimes = new WeakMap<Record<string, string>, Map<string, number | null>>();

const JST_MS = 9 * 3_600_000;
const jstDay = (d: Date) => Math.floor((d.getTime() + JST_MS) / 86_400_000);

export async function startYahooSimulator(opts: YahooSimulatorOptions = {}): Promise<RunningYahooSimulator> {
  const creds: YahooCredentials = {
    ...YAHOO_DEMO_CREDENTIALS,
    ...(opts.credentials ?? {}),
  } as YahooCredentials;
  const sellerId = creds.sellerId;
  const clock = opts.clock ?? (() => new Date());
  const state: SimState = createSimState();
  const { faults, stats } = state;
  const control: YahooSimControl = {
    htmlBodies: 0,
    dailyQuota: opts.dailyQuota ?? DAILY_QUOTA,
    requestsToday: 0,
    tokensIssued: 0,
  };
  let quotaDay = jstDay(clock());

  // Access tokens: seq orders them so that "expire every token in use" can be a threshold.
  const tokens = new Map<string, { seq: number; issuedAt: number }>();
  let tokenSeq = 0;
  let expiredUpTo = -1;
  let expireArmed = false;
  if (creds.accessToken) tokens.set(creds.accessToken, { seq: 0, issuedAt: clock().getTime() });

  const book = new OrderBook(opts.seed ?? 1, (o) => yahooOrderId(sellerId, o.seq), {}, clock);
  const fixtures = opts.fixturesDir ? loadFixtures(opts.fixturesDir) : null;
  if (!fixtures) {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 40, from, to);
  }

  /**
   * The orders an orderList condition can match, rendering only those: each generated order's times
   * are known before it is rendered, so orders outside every time range given (with a second's slack
   * either side; the exact check is on the rendered row) and other order ids are not rendered.
   */
  const candidates = (
    orderId: string | null,
    bounds: ReadonlyArray<[string, number | null, number | null]>,
  ): Served[] => {
    if (fixtures) return fixtures;
    const out: Served[] = [];
    for (const v of book.visible()) {
      if (orderId !== null && book.cartOrderNo(v) !== orderId) continue;
      const published = publicationTimeOf(v).getTime();
      const times: Record<string, number> = {
        OrderTime: v.orderedAt.getTime(),
        PublicationTime: published,
        LastUpdateTime: Math.max(published, v.updatedAt.getTime()),
      };
      const outside = bounds.some(([k, from, to]) => {
        const t = times[k];
        return t !== undefined && ((from !== null && t < from - 1000) || (to !== null && t >= to + 2000));
      });
      if (outside) continue;
      const r = renderOrder(v, sellerId);
      out.push({ orderId: r.row.OrderId!, row: r.row, info: r.info, body: null });
    }
    return out;
  };
  /**
   * One order, rendering only that one: orderInfo and the writes name a single order. Rendering the
   * whole book for each call (as they did) made every orderInfo cost the store's size: about 1.2 s a
   * call for 600 orders on a busy machine, far beyond the compressed rate's interval (issue 13 item 6).
   */
  const servedOne = (orderId: string): Served | null => {
    if (fixtures) return fixtures.find((s) => s.orderId === orderId) ?? null;
    const v = book.find(orderId);
    if (!v) return null;
    const r = renderOrder(v, sellerId);
    return { orderId: r.row.OrderId!, row: r.row, info: r.info, body: null };
  };

  /** Bearer check, quota, and the Yahoo-only body fault, shared by the API routes. */
  const gate = (req: SimRequest): SimReply | null => {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return unauthorized('invalid_request', 'no token');
    if (faults.revokeCredentials) return unauthorized('invalid_token', 'invalid token');
    const tok = tokens.get(auth.slice('Bearer '.length).trim());
    if (!tok) return unauthorized('invalid_token', 'invalid token');
    // expireTokens: every token issued so far expires once; tokens refreshed afterwards work.
    if (faults.expireTokens && !expireArmed) {
      expiredUpTo = tokenSeq;
      expireArmed = true;
    } else if (!faults.expireTokens) expireArmed = false;
    if (tok.seq <= expiredUpTo || clock().getTime() - tok.issuedAt >= ACCESS_TOKEN_TTL_SECONDS * 1000)
      return unauthorized('invalid_token', 'expired token');
    const today = jstDay(clock());
    if (today !== quotaDay) {
      quotaDay = today;
      control.requestsToday = 0;
    }
    if (++control.requestsToday > control.dailyQuota)
      return xmlReply(403, errorXml('Your Request was Forbidden'));
    if (control.htmlBodies > 0) {
      control.htmlBodies--;
      return { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: MAINTENANCE_HTML };
    }
    return null;
  };

  /** Parses the `<Req>` and checks SellerId; an error reply when the request is unusable. */
  const readReq = (req: SimRequest): { req: XmlObject } | { reply: SimReply } => {
    let doc: XmlObject;
    try {
      doc = parseXml(req.body);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { reply: xmlReply(400, errorXml(`Invalid Request XML: ${why}`)) };
    }
    const r = doc.Req;
    if (!isObject(r)) return { reply: xmlReply(400, errorXml('Invalid Request: Req is required.')) };
    const seller = text(r.SellerId);
    if (!seller) return { reply: xmlReply(400, errorXml('Invalid Request: SellerId is required.')) };
    if (seller !== sellerId)
      return { reply: xmlReply(400, errorXml(`Invalid Request: SellerId ${seller} is not yours.`)) };
    return { req: r };
  };

  const orderList = (req: SimRequest): SimReply => {
    const denied = gate(req);
    if (denied) return denied;
    const r = readReq(req);
    if ('reply' in r) return r.reply;
    const search = r.req.Search;
    if (!isObject(search)) return xmlReply(400, errorXml('Invalid Request: Search is required.'));
    const field = text(search.Field);
    if (!field) return xmlReply(400, errorXml('Invalid Request: Field is required.'));
    const cond = isObject(search.Condition) ? search.Condition : {};
    const c = (k: string) => text(cond[k]) ?? null;
    const ranges: Array<[string, string | null, string | null]> = [
      // [V] the documented date condition.
      ['OrderTime', c('OrderTimeFrom'), c('OrderTimeTo')],
      // [V] a Condition since 2021-06 (orderList changelog): orderList公開日時.
      ['PublicationTime', c('PublicationTimeFrom'), c('PublicationTimeTo')],
      // UNVERIFIED: in no public source as a Condition. Answered only for the adapter's opt-in
      // (`windowCondition: LastUpdateTime`); see README.
      ['LastUpdateTime', c('LastUpdateTimeFrom'), c('LastUpdateTimeTo')],
    ];
    const hasKey = c('OrderId') !== null || ranges.some(([, f, t]) => f !== null || t !== null);
    if (!hasKey)
      return xmlReply(400, errorXml('Invalid Request: OrderId or a time range is required in Condition.'));
    let bounds: Array<[string, number | null, number | null]>;
    try {
      bounds = ranges.map(([k, f, t]) => [
        k,
        f ? fromYahooStamp(f).getTime() : null,
        t ? fromYahooStamp(t).getTime() : null,
      ]);
    } catch (e) {
      return xmlReply(400, errorXml(`Invalid Request: ${e instanceof Error ? e.message : String(e)}`));
    }
    const statuses = c('OrderStatus')?.split(',') ?? null;
    const isSeen = c('IsSeen');
    const now = clock().getTime();
    const hits = candidates(c('OrderId'), bounds).filter((s) => {
      // [I] An order held by Yahoo's checks is not in orderList before it is published.
      const published = rowTime(s.row, 'PublicationTime');
      if (published !== null && published > now) return false;
      if (c('OrderId') !== null && s.orderId !== c('OrderId')) return false;
      if (statuses && !statuses.includes(s.row.OrderStatus ?? '')) return false;
      if (isSeen !== null && s.row.IsSeen !== isSeen) return false;
      for (const [k, from, to] of bounds) {
        if (from === null && to === null) continue;
        const t = rowTime(s.row, k);
        // Both bounds inclusive, whole seconds [T: clients send …235959 as the end of a day].
        if (t === null || (from !== null && t < from) || (to !== null && t >= to + 1000)) return false;
      }
      return true;
    });
    const desc = text(search.Sort) === '-order_time';
    hits.sort((a, b) => {
      const d = (rowTime(a.row, 'OrderTime') ?? 0) - (rowTime(b.row, 'OrderTime') ?? 0);
      return (desc ? -d : d) || a.orderId.localeCompare(b.orderId);
    });
    const result = Number(text(search.Result) ?? '10');
    const start = Number(text(search.Start) ?? '1');
    if (!Number.isInteger(result) || result < 1 || !Number.isInteger(start) || start < 1)
      return xmlReply(400, errorXml('Invalid Request: Result and Start must be positive integers.'));
    const fields = field.split(',').map((f) => f.trim());
    const rows = hits.slice(start - 1, start - 1 + result).map((s, i) => ({
      Index: String(start + i),
      ...selectRowFields(s.row, fields),
    }));
    return xmlReply(
      200,
      buildXml({ Result: { Status: 'OK', Search: { TotalCount: String(hits.length), OrderInfo: rows } } }),
    );
  };

  const orderInfo = (req: SimRequest): SimReply => {
    const denied = gate(req);
    if (denied) return denied;
    const r = readReq(req);
    if ('reply' in r) return r.reply;
    const target = r.req.Target;
    const orderId = isObject(target) ? text(target.OrderId) : null;
    if (!orderId) return xmlReply(400, errorXml('Invalid Request: Target/OrderId is required.'));
    const hit = servedOne(orderId);
    // [I] Yahoo's code for an unknown order id is not documented publicly.
    if (!hit) return xmlReply(400, errorXml(`Not Found: OrderId ${orderId}`));
    if (hit.body !== null) return xmlReply(200, hit.body);
    const field = isObject(target) ? text(target.Field) : null;
    const info = selectInfoFields(
      structuredClone(hit.info!),
      field ? new Set(field.split(',').map((f) => f.trim())) : null,
    );
    if (takeMalformed(state)) {
      // Alternate between a missing required field and a wrong type.
      if (stats.malformedServed % 2 === 1) delete info.OrderTime;
      else if (Array.isArray(info.Item) && isObject(info.Item[0])) info.Item[0].Quantity = '二個';
    }
    return xmlReply(
      200,
      buildXml({
        ResultSet: {
          '@_totalResultsAvailable': '1',
          '@_totalResultsReturned': '1',
          '@_firstResultPosition': '1',
          Result: { Status: 'OK', OrderInfo: info },
        },
      }),
    );
  };

  // ── Writes ─────────────────────────────────────────────────────────────────────────────────────
  // The request trees are the pages' [V] and the clients' [T]; the validation below is what the
  // pages say (exclusive invoice number / empty reason, ヤマト's 14 bytes, the transition table) plus
  // the clients' required keys. Yahoo!'s error codes (od9xxxx) are listed on the pages without a
  // readable meaning: which code the simulator sends for which refusal is its own choice [I].

  const writeError = (code: string, message: string) => xmlReply(400, errorXml(message, code));
  const okResult = () => xmlReply(200, buildXml({ Result: { Status: 'OK' } }));

  /** Target/OrderId and IsPointFix, and the order as orderInfo shows it now. */
  const writeTarget = (r: XmlObject): { orderId: string; row: Record<string, string> } | SimReply => {
    const target = isObject(r.Target) ? r.Target : null;
    const orderId = target ? text(target.OrderId) : null;
    if (!orderId) return xmlReply(400, errorXml('Invalid Request: Target/OrderId is required.'));
    const fix = target ? text(target.IsPointFix) : null;
    if (fix !== 'true' && fix !== 'false')
      return xmlReply(400, errorXml('Invalid Request: Target/IsPointFix must be true or false.'));
    if (fixtures) return writeError('od90000', '[simulator] recorded orders are read-only.');
    const hit = servedOne(orderId);
    if (!hit) return writeError('od90101', `注文が存在しません: ${orderId}`);
    return { orderId, row: hit.row };
  };

  /** A write's `<Req>` checked through its Target: the request, the order, its Order element. */
  const writeRequest = (
    req: SimRequest,
  ):
    | { req: XmlObject; t: { orderId: string; row: Record<string, string> }; order: XmlObject | null }
    | SimReply => {
    const denied = gate(req);
    if (denied) return denied;
    const r = readReq(req);
    if ('reply' in r) return r.reply;
    const t = writeTarget(r.req);
    if ('status' in t) return t;
    return { req: r.req, t, order: isObject(r.req.Order) ? r.req.Order : null };
  };

  const orderShipStatusChange = (http: SimRequest): SimReply => {
    const w = writeRequest(http);
    if ('status' in w) return w;
    const { t, order } = w;
    const shipEl = order && isObject(order.Ship) ? order.Ship : null;
    const shipStatus = shipEl ? text(shipEl.ShipStatus) : null;
    if (!shipStatus || !/^[0-4]$/.test(shipStatus))
      return xmlReply(400, errorXml('Invalid Request: Order/Ship/ShipStatus must be 0 to 4.'));
    if (t.row.OrderStatus === '4')
      return writeError('od90150', 'キャンセルされた注文の出荷ステータスは変更できません。');
    const n1 = text(shipEl!.ShipInvoiceNumber1);
    const n2 = text(shipEl!.ShipInvoiceNumber2);
    if ((n1 || n2) && text(shipEl!.ShipInvoiceNumberEmptyReason))
      return writeError('od90166', '伝票番号と伝票番号なし理由は同時に指定できません。');
    const company = text(shipEl!.ShipCompanyCode) ?? (t.row.ShipCompanyCode || null);
    if (company !== null && !/^\d{4}$/.test(company))
      return writeError('od90175', `配送会社コードが正しくありません: ${company}`);
    // [V] ヤマト運輸: 半角数字と「-」のみ、最大14byte. The simulator's ヤマト is 1001 [I].
    for (const n of [n1, n2])
      if (n && company === '1001' && !/^[0-9-]{1,14}$/.test(n))
        return writeError('od90176', `ヤマト運輸の配送伝票番号は半角数字と「-」で14byteまでです: ${n}`);
    const shipDate = text(shipEl!.ShipDate);
    if (shipDate !== null && !/^\d{8}$/.test(shipDate))
      return xmlReply(400, errorXml(`Invalid Request: ShipDate must be YYYYMMDD: ${shipDate}`));
    if (shipStatus === '3' || shipStatus === '4') {
      if (!n1) return writeError('od90180', '出荷済みにするには配送伝票番号1が必要です。');
      const shippedOn = shipDate
        ? `${shipDate.slice(0, 4)}-${shipDate.slice(4, 6)}-${shipDate.slice(6)}`
        : jstDateOf(clock());
      const base = { carrier: company ?? '', carrierName: null, shippedOn, lines: null };
      book.happen(t.orderId, 'ship', {
        shipments: [
          { key: '1', trackingNumber: n1, ...base },
          ...(n2 ? [{ key: '2', trackingNumber: n2, ...base }] : []),
        ],
      });
    }
    // Other ShipStatus values are accepted and change nothing the simulator renders [I].
    return okResult();
  };

  const orderStatusChange = (http: SimRequest): SimReply => {
    const w = writeRequest(http);
    if ('status' in w) return w;
    const { t, order } = w;
    const to = order ? text(order.OrderStatus) : null;
    if (!to || !/^[1-5]$/.test(to))
      return xmlReply(400, errorXml('Invalid Request: Order/OrderStatus must be 1 to 5.'));
    const from = t.row.OrderStatus ?? '2';
    if (!(ORDER_STATUS_TRANSITIONS[from] ?? []).includes(to))
      return writeError('od91150', `注文ステータスを${from}から${to}へ変更できません。`);
    // [T: kunitake] 完了にするときはポイント確定要否を true に.
    const target = w.req.Target as XmlObject;
    if (to === '5' && text(target.IsPointFix) !== 'true')
      return writeError('od91152', '注文ステータスを完了にする場合は IsPointFix を true にしてください。');
    const reason = order ? text(order.CancelReason) : null;
    if (to === '4') {
      if (reason !== null && !CANCEL_REASONS[reason])
        return writeError('od91153', `キャンセル理由が正しくありません: ${reason}`);
      const view = book.find(t.orderId);
      // A completed (shipped) order's cancel is a status change: the goods have left.
      if (view?.state === 'shipped')
        book.happen(t.orderId, 'status', { cartStatus: '4', reason: reason ?? '100' });
      else book.happen(t.orderId, 'cancel', { reason: reason ?? '100' });
    } else book.happen(t.orderId, 'status', { cartStatus: to });
    return okResult();
  };

  /** Yahoo! ID連携 v2 Token endpoint, refresh grant only (the authorization step needs a browser). */
  const token = (req: SimRequest): SimReply => {
    const basic = req.headers.authorization;
    const form = new URLSearchParams(req.body);
    const [id, secret] = basic?.startsWith('Basic ')
      ? Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':')
      : [form.get('client_id'), form.get('client_secret')];
    if (id !== creds.clientId || secret !== creds.clientSecret)
      return jsonReply(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    if (form.get('grant_type') !== 'refresh_token')
      return jsonReply(400, { error: 'unsupported_grant_type', error_description: 'unsupported grant type' });
    if (faults.revokeCredentials || form.get('refresh_token') !== creds.refreshToken)
      return jsonReply(400, { error: 'invalid_grant', error_description: 'invalid refresh token' });
    const access = `sim-${randomBytes(12).toString('hex')}`;
    tokens.set(access, { seq: ++tokenSeq, issuedAt: clock().getTime() });
    control.tokensIssued++;
    return jsonReply(200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
    });
  };

  const behaviour: CartBehaviour = {
    cart: 'yahoo',
    // [I] the real 5xx body is not documented; Yahoo's error envelope is used.
    serverErrorReply: (status) =>
      xmlReply(status, errorXml(status === 503 ? 'Service Unavailable' : 'Internal Server Error')),
    // [I] Yahoo documents no per-second limit nor its reply; 429 with Retry-After is our design.
    rateLimitReply: () => xmlReply(429, errorXml('Too Many Requests'), { 'retry-after': '1' }),
    cartOrderNo: (o) => yahooOrderId(sellerId, o.seq),
  };

  // Yahoo's 1 query a second (or the given limits), with a doubled burst: the client paces itself
  // with the same bucket, and the slack absorbs network jitter between the two clocks so a paced
  // client never meets a 429 while the sustained rate stays the documented one.
  const apiLimits = Object.fromEntries(
    Object.entries(opts.limits ?? DEFAULT_LIMITS).map(([k, l]) => [
      k,
      { ...l, burst: Math.max(l.burst + 1, l.burst * 2) },
    ]),
  );
  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    book,
    behaviour,
    trickleMs: fixtures ? undefined : opts.trickleMs,
    // The Token endpoint is another host at Yahoo: it does not share the API's bucket.
    limits: opts.rateLimits === false ? undefined : { ...apiLimits, token: { ratePerSec: 50, burst: 50 } },
    routes: [
      { method: 'POST', path: ORDER_LIST_PATH, name: 'orderList', handler: orderList },
      { method: 'POST', path: ORDER_INFO_PATH, name: 'orderInfo', handler: orderInfo },
      {
        method: 'POST',
        path: ORDER_SHIP_STATUS_CHANGE_PATH,
        name: 'orderShipStatusChange',
        handler: orderShipStatusChange,
      },
      {
        method: 'POST',
        path: ORDER_STATUS_CHANGE_PATH,
        name: 'orderStatusChange',
        handler: orderStatusChange,
      },
      { method: 'POST', path: TOKEN_PATH, name: 'token', handler: token },
      yahooStockRoute(gate, book, sellerId),
      yahooGetStockRoute(gate, book, sellerId),
    ],
  });
  return Object.assign(running, { yahoo: control, sellerId });
}

export const yahooSimulator: CartSimulator = {
  cart: 'yahoo',
  start: (opts) => startYahooSimulator(opts),
};
