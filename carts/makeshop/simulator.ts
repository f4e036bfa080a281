// A local makeshop, both order APIs on one server:
//
// • Next-generation API (GraphQL, the default): `POST /` with `authorization: Bearer …`, `x-api-key` and
//   `x-timestamp` (refused when older than an hour [V]), `searchOrder(input: SearchOrderRequest!)` with
//   startOrderDate / endOrderDate (yyyymmddhhmmss, Japan time, order date), deliveryStatus, sortOrder,
//   page and limit (≤ 1000) [T], answering only the fields asked for. makeshop's public reference is too
//   thin to know most of the order's fields: the simulator's schema is graphql.ts — names marked [T]/[V]
//   are from public sources, [I] are our guesses — and it refuses any other field as a GraphQL server
//   would (`hiddenFields` takes guessed ones away, to play a makeshop whose names differ). Its error
//   answers (403 for a bad API key, 401 for a bad token or a stale timestamp, 429, GraphQL validation
//   errors with HTTP 200) and its rate (1 request a second) are labelled guesses [I]: makeshop documents
//   none. The real endpoint is a per-shop URL mailed after the アプリ開発申請; here it is the server's root.
// • Classic API (closing): `GET /api/orderinfo/index.html?cmd=…&shopid=…&token=…`: the three fetch modes
//   (diff since the last fetch, by ordernum, by order-time period), at most 100 orders an answer,
//   cancelled orders only with canceled=1, XML in EUC-JP by default, one request a second for the shop.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jstDate, parseJstLocal } from '../../domain/time.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import { editedQuantity } from '../sim/generate.js';
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
import { MAKESHOP_DEMO_CREDENTIALS } from './demo-credentials.js';
import { type FieldNode, SEARCH_ORDER_FIELDS, SEARCH_ORDER_RESPONSE } from './graphql.js';
import { type Entry, makeshopOrderNo, renderMakeshopEntry, renderMakeshopOrder } from './render.js';
import { MAKESHOP_API_LIMITS, MAKESHOP_ORDER_PATH } from './settings.js';
import { decodeXml, el, encodeXml, MAKESHOP_ERRORS, parseXml, readAnswer, tx } from './xml.js';

export { type Entry, makeshopOrderNo, renderMakeshopNextOrder, renderMakeshopOrder } from './render.js';

export const MAKESHOP_PATH = MAKESHOP_ORDER_PATH;
/** Where the simulator answers the next-generation API: the real one is a per-shop URL [V]. */
export const MAKESHOP_NEXT_PATH = '/';

export interface MakeshopSimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Classic API: orders in one answer; makeshop outputs at most 100 [T]. */
  maxPerCall?: number;
  /** Classic API: charset of the XML answers. makeshop's pages and parameters are EUC-JP [T]; default EUC-JP [I]. */
  encoding?: 'EUC-JP' | 'Shift_JIS' | 'UTF-8';
  /** Next-generation API: `Type.field`s of graphql.ts the simulated schema does not have. */
  hiddenFields?: readonly string[];
  /** Next-generation API: the clock x-timestamp is checked against (default the real one), also its `Date` header. */
  timestampClock?: () => Date;
  /** Answers without a `Date` header (default with one, as every HTTP server with a clock sends). */
  noDateHeader?: boolean;
}

export interface MakeshopSimulator extends RunningSimulator {
  /** Cart-specific faults: the next N API requests answer 200 with an HTML maintenance page. */
  quirks: { htmlBodies: number };
  /** The 発送完了 mails makeshop would have sent (`cmd=deliver` with send_mail=1). */
  mailsSent: Array<{ ordernum: string; deliveryid: number }>;
}

/** Breaks a served classic order the way real breakage looks: a field gone, or a number that is not one. */
function corrupt(xml: string, nth: number): string {
  return nth % 2 === 0
    ? xml.replace(/<date>[^<]*<\/date>/, '')
    : xml.replace(/(<commodities><commodity [^>]*?amount=")\d+/, '$1x');
}

/** The same for a searchOrder record: `orderDate` gone, or the first line's `amount` not a number. */
function corruptNext(o: Record<string, unknown>, nth: number): Record<string, unknown> {
  const copy = structuredClone(o);
  if (nth % 2 === 0) delete copy.orderDate;
  else {
    const basket = (
      copy.deliveryInfos as Array<{ basketInfos?: Array<Record<string, unknown>> }> | undefined
    )?.[0]?.basketInfos?.[0];
    if (basket) basket.amount = 'x';
  }
  return copy;
}

const atOf = (date: unknown) => (typeof date === 'string' ? parseJstLocal(date).getTime() : Number.NaN);

/**
 * Every order in a folder of recorded answers: classic `*.xml` order-API answers (any declared charset)
 * and next-generation `*.json` searchOrder answers (one, or a list). Later files win per order number.
 */
export function loadMakeshopFixtures(dir: string): Entry[] {
  const byNo = new Map<string, Entry>();
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.xml')) {
      const text = decodeXml(readFileSync(join(dir, file)));
      for (const m of text.matchAll(/<order(?:\s[^>]*)?>[\s\S]*?<\/order>/g)) {
        const answer = readAnswer(parseXml(`<orders>${m[0]}</orders>`));
        const o = answer?.kind === 'orders' ? answer.orders[0] : undefined;
        if (!o || typeof o.ordernum !== 'string' || typeof o.date !== 'string') continue;
        const at = atOf(o.date);
        const known = byNo.get(o.ordernum);
        byNo.set(o.ordernum, {
          ...known,
          ordernum: o.ordernum,
          orderedAt: at,
          updatedAt: at,
          status: String(o.status),
          xml: m[0],
        });
      }
    } else if (file.endsWith('.json')) {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
      for (const body of Array.isArray(json) ? json : [json]) {
        const orders = (body as { data?: { searchOrder?: { orders?: unknown } } })?.data?.searchOrder?.orders;
        if (!Array.isArray(orders)) continue;
        for (const o of orders as Array<Record<string, unknown>>) {
          const no = o?.displayOrderNumber;
          if (typeof no !== 'string' || typeof o.orderDate !== 'string') continue;
          const at = atOf(o.orderDate);
          const known = byNo.get(no);
          byNo.set(no, {
            ...known,
            ordernum: no,
            orderedAt: at,
            updatedAt: at,
            status:
              known?.status ?? (o.deliveryStatus === 'C' ? '0' : o.temporaryOrder === true ? '99' : '1'),
            next: o,
          });
        }
      }
    }
  }
  return [...byNo.values()];
}

/** yyyymmddhhmmss (Japan time) → epoch ms; null when malformed. */
function parseStamp(s: string | null | undefined): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  try {
    return parseJstLocal(`${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`).getTime();
  } catch {
    return null;
  }
}

// ── A GraphQL subset: one operation of fields with arguments from variables; no fragments or directives. ──

interface Selection {
  name: string;
  alias: string;
  /** Argument → variable name. */
  args: Record<string, string>;
  children: Selection[] | null;
}

class QueryError extends Error {}

function parseQuery(text: string): Selection[] {
  const tokens: string[] = [];
  const re =
    /\s+|,|#[^\n]*|(\.\.\.|[{}():!$=@[\]])|([_A-Za-z][_0-9A-Za-z]*)|("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/y;
  for (let at = 0; at < text.length; ) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new QueryError(`Syntax Error: Unexpected character ${JSON.stringify(text[at])}.`);
    if (m[1] || m[2] || m[3]) tokens.push(m[1] ?? m[2] ?? m[3]!);
    at = re.lastIndex;
  }
  let i = 0;
  const peek = () => tokens[i];
  const take = (want?: string) => {
    const t = tokens[i++];
    if (t === undefined) throw new QueryError('Syntax Error: Unexpected <EOF>.');
    if (want && t !== want) throw new QueryError(`Syntax Error: Expected "${want}", found "${t}".`);
    return t;
  };
  const name = () => {
    const t = take();
    if (!/^[_A-Za-z]/.test(t)) throw new QueryError(`Syntax Error: Expected Name, found "${t}".`);
    return t;
  };
  const selectionSet = (): Selection[] => {
    take('{');
    const out: Selection[] = [];
    while (peek() !== '}') {
      if (peek() === '...' || peek() === '@')
        throw new QueryError('the makeshop simulator does not support fragments or directives');
      let alias = name();
      let field = alias;
      if (peek() === ':') {
        take(':');
        field = name();
      }
      const args: Record<string, string> = {};
      if (peek() === '(') {
        take('(');
        while (peek() !== ')') {
          const arg = name();
          take(':');
          if (peek() !== '$')
            throw new QueryError('the makeshop simulator takes arguments from variables only');
          take('$');
          args[arg] = name();
        }
        take(')');
      }
      out.push({ name: field, alias, args, children: peek() === '{' ? selectionSet() : null });
      alias = '';
    }
    take('}');
    return out;
  };
  if (peek() === 'query') {
    take('query');
    if (peek() !== '(' && peek() !== '{') name();
    if (peek() === '(') {
      let depth = 0;
      do {
        const t = take();
        if (t === '(') depth++;
        if (t === ')') depth--;
      } while (depth > 0);
    }
  } else if (peek() === 'mutation' || peek() === 'subscription')
    throw new QueryError(`the makeshop simulator answers queries only (searchOrder)`);
  const selections = selectionSet();
  if (i < tokens.length) throw new QueryError(`Syntax Error: Unexpected "${tokens[i]}".`);
  return selections;
}

/** The simulated schema (graphql.ts, less `hidden`): type → field → its object type, or null for a scalar. */
function schemaOf(hidden: ReadonlySet<string>): Map<string, Map<string, string | null>> {
  const types = new Map<string, Map<string, string | null>>();
  const add = (type: string, field: string, of: string | null) => {
    if (hidden.has(`${type}.${field}`)) return;
    if (!types.has(type)) types.set(type, new Map());
    types.get(type)!.set(field, of);
  };
  const walk = (nodes: readonly FieldNode[], type: string) => {
    for (const n of nodes) {
      add(type, n.name, n.type ?? null);
      if (n.children) walk(n.children, n.type!);
    }
  };
  add('Query', 'searchOrder', SEARCH_ORDER_RESPONSE);
  walk(SEARCH_ORDER_FIELDS, SEARCH_ORDER_RESPONSE);
  return types;
}

function validate(
  sels: Selection[],
  type: string,
  schema: Map<string, Map<string, string | null>>,
): string[] {
  const fields = schema.get(type) ?? new Map<string, string | null>();
  return sels.flatMap((s) => {
    if (!fields.has(s.name)) return [`Cannot query field "${s.name}" on type "${type}".`];
    const of = fields.get(s.name)!;
    if (of === null && s.children)
      return [`Field "${s.name}" must not have a selection since type "String" has no subfields.`];
    if (of !== null && !s.children)
      return [
        `Field "${s.name}" of type "${of}" must have a selection of subfields. Did you mean "${s.name} { ... }"?`,
      ];
    return of !== null && s.children ? validate(s.children, of, schema) : [];
  });
}

function project(value: unknown, sels: Selection[]): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, sels));
  if (typeof value !== 'object' || value === null) return null;
  const out: Record<string, unknown> = {};
  for (const s of sels) {
    const v = (value as Record<string, unknown>)[s.name];
    out[s.alias || s.name] = s.children
      ? v === undefined || v === null
        ? null
        : project(v, s.children)
      : (v ?? null);
  }
  return out;
}

const SEARCH_INPUT = new Set([
  'startOrderDate',
  'endOrderDate',
  'deliveryStatus',
  'sortOrder',
  'page',
  'limit',
]);

export async function startMakeshopSimulator(
  opts: MakeshopSimulatorOptions = {},
): Promise<MakeshopSimulator> {
  const state = createSimState();
  const clock = opts.clock ?? (() => new Date());
  const stampClock = opts.timestampClock ?? (() => new Date());
  // makeshop orders can ship to several addresses (deliveries/delivery[]) [T].
  const book = new OrderBook(opts.seed ?? 1, makeshopOrderNo, { multiPackageShare: 0.1 }, clock);
  const fixtures = opts.fixturesDir ? loadMakeshopFixtures(opts.fixturesDir) : null;
  if (!fixtures) {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 50, from, to);
  }
  const creds = { ...MAKESHOP_DEMO_CREDENTIALS, ...opts.credentials };
  const cap = opts.maxPerCall ?? MAKESHOP_API_LIMITS.classic.perCall;
  const charset = opts.encoding ?? 'EUC-JP';
  const quirks = { htmlBodies: 0 };
  const mailsSent: MakeshopSimulator['mailsSent'] = [];
  const schema = schemaOf(new Set(opts.hiddenFields ?? []));
  /** The diff mode's "previous fetch", per caller system (`service`) [I]. */
  const diffCursor = new Map<string, { at: number; no: string }>();
  let malformedServed = 0;

  const xmlReply = (status: number, body: string, headers: Record<string, string> = {}): SimReply => ({
    status,
    headers: { 'content-type': `text/xml; charset=${charset}`, ...headers },
    body: encodeXml(`<?xml version="1.0" encoding="${charset}"?>\n${body}`, charset),
  });
  const errorReply = (
    e: { code: string; message: string },
    status = 200,
    headers: Record<string, string> = {},
  ) => xmlReply(status, el('response', null, tx('code', e.code), tx('message', e.message)), headers);
  // `Date` from the clock the timestamp is checked against: a server's Date is its own clock.
  const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): SimReply =>
    opts.noDateHeader
      ? {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
          body,
          noDate: true,
        }
      : {
          status,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            date: stampClock().toUTCString(),
            ...headers,
          },
          body,
        };
  const gqlError = (status: number, message: string, code: string) =>
    jsonReply(status, { errors: [{ message, extensions: { code } }] });

  const classicEntries = (): Entry[] =>
    fixtures ? fixtures.filter((e) => e.xml) : book.visible().map(renderMakeshopOrder);
  const nextEntries = (): Entry[] =>
    fixtures ? fixtures.filter((e) => e.next) : book.visible().map(renderMakeshopEntry);
  const ordersReply = (list: Entry[]): SimReply =>
    xmlReply(
      200,
      `<orders>${list.map((e) => (takeMalformed(state) ? corrupt(e.xml!, malformedServed++) : e.xml)).join('')}</orders>`,
    );

  const limits =
    opts.rateLimits === false
      ? undefined
      : (opts.limits ?? {
          // Each API its own gate [I]; makeshop advises against using both at once anyway [V: FAQ].
          orderinfo: {
            ratePerSec: MAKESHOP_API_LIMITS.classic.ratePerSec,
            burst: MAKESHOP_API_LIMITS.classic.burst,
          },
          graphql: { ratePerSec: MAKESHOP_API_LIMITS.next.ratePerSec, burst: MAKESHOP_API_LIMITS.next.burst },
        });
  // One interval of a limit: "1" at makeshop's 1 request a second.
  const retryAfter = (route: string) =>
    String(Number((1 / (limits?.[route]?.ratePerSec ?? limits?.['*']?.ratePerSec ?? 1)).toFixed(3)));

  const behaviour: CartBehaviour = {
    cart: 'makeshop',
    serverErrorReply: (status) => ({
      status,
      headers: { 'content-type': 'text/html; charset=EUC-JP' },
      body: `<html><head><title>${status}</title></head><body><h1>${status === 503 ? 'Service Temporarily Unavailable' : 'Internal Server Error'}</h1></body></html>`,
    }),
    // Classic: makeshop says only that going over "is subject to access blocking" [V]; 429 + this XML is [I].
    // Next: 429 with an API-gateway style body [I].
    rateLimitReply: (req) =>
      req.method === 'POST'
        ? jsonReply(429, { message: 'Too Many Requests' }, { 'Retry-After': retryAfter('graphql') })
        : errorReply(MAKESHOP_ERRORS.overLimit, 429, { 'Retry-After': retryAfter('orderinfo') }),
    cartOrderNo: makeshopOrderNo,
  };

  const maintenance = (): SimReply | null => {
    if (quirks.htmlBodies <= 0) return null;
    quirks.htmlBodies--;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=EUC-JP' },
      body: '<!DOCTYPE html><html><head><title>メンテナンス中</title></head><body><p>ただいまメンテナンス中です。<br></p></body></html>',
    };
  };

  // ── classic ──
  const get = (p: URLSearchParams): SimReply => {
    const withCancelled = p.get('canceled') === '1';
    const visible = classicEntries().filter((e) => withCancelled || e.status !== '0');
    const ordernum = p.get('ordernum');
    if (ordernum !== null) {
      if (!/^[A-Za-z0-9]{1,26}$/.test(ordernum)) return errorReply(MAKESHOP_ERRORS.badRequest);
      return ordersReply(visible.filter((e) => e.ordernum === ordernum));
    }
    const start = p.get('start');
    const end = p.get('end');
    if (start !== null || end !== null) {
      const s = parseStamp(start);
      const e = parseStamp(end);
      if (s === null || e === null || e < s) return errorReply(MAKESHOP_ERRORS.badRequest);
      // Period mode selects by order time (注文日時), both ends included, oldest first.
      const hits = visible
        .filter(
          (x) => Math.floor(x.orderedAt / 1000) * 1000 >= s && Math.floor(x.orderedAt / 1000) * 1000 <= e,
        )
        .sort((a, b) => a.orderedAt - b.orderedAt || a.ordernum.localeCompare(b.ordernum));
      return ordersReply(hits.slice(0, cap));
    }
    // Diff mode: what changed since this caller's previous diff fetch; the first one looks back 24 h [T: NextEngine].
    const now = clock().getTime();
    const service = p.get('service') ?? '';
    const cursor = diffCursor.get(service) ?? { at: now - 86_400_000, no: '' };
    const changed = visible
      .filter(
        (x) =>
          x.updatedAt <= now &&
          (x.updatedAt > cursor.at || (x.updatedAt === cursor.at && x.ordernum > cursor.no)),
      )
      .sort((a, b) => a.updatedAt - b.updatedAt || a.ordernum.localeCompare(b.ordernum));
    const out = changed.slice(0, cap);
    const last = out.at(-1);
    diffCursor.set(
      service,
      changed.length > cap && last ? { at: last.updatedAt, no: last.ordernum } : { at: now, no: '\uffff' },
    );
    return ordersReply(out);
  };

  const classic = (req: SimRequest): SimReply => {
    const p = req.url.searchParams;
    if (
      state.faults.revokeCredentials ||
      p.get('shopid') !== creds.shopId ||
      p.get('token') !== creds.token
    ) {
      state.stats.authFailures++;
      return errorReply(MAKESHOP_ERRORS.auth);
    }
    const page = maintenance();
    if (page) return page;
    const cmd = p.get('cmd');
    if (cmd === 'get') return get(p);
    const ordernum = p.get('ordernum') ?? '';
    const found = classicEntries().find((e) => e.ordernum === ordernum);
    if ((cmd === 'status' || cmd === 'deliver') && found) {
      const ok = () =>
        xmlReply(200, el('response', null, tx('ordernum', ordernum), tx('code', '000'), tx('message', 'OK')));
      const view = fixtures ? null : book.find(ordernum);
      if (!view)
        return errorReply({
          ...MAKESHOP_ERRORS.badRequest,
          message: '[simulator] recorded orders are read-only.',
        });
      const status = p.get('status');
      if (cmd === 'status') {
        // Only cancelling is documented for cmd=status [V: 注文をキャンセルすることができます]; status=0 [T].
        if (status !== '0') return errorReply(MAKESHOP_ERRORS.badRequest);
        if (view.state === 'cancelled')
          return errorReply({ ...MAKESHOP_ERRORS.conflict, message: '既にキャンセルされた注文です。' });
        book.happen(ordernum, 'cancel');
        return ok();
      }
      // cmd=deliver: deliveryid (which delivery, from 0), status (3 配送完了), carrier, deliverynum,
      // send_mail [T: a WMS integration's URL]; their checks here are ours [I].
      const deliveryid = p.get('deliveryid') ?? '';
      if (!/^\d+$/.test(deliveryid) || Number(deliveryid) >= view.shipTos.length)
        return errorReply({
          ...MAKESHOP_ERRORS.badRequest,
          message: `deliveryid が正しくありません: ${deliveryid}`,
        });
      if (!status || !/^[0-3]$/.test(status)) return errorReply(MAKESHOP_ERRORS.badRequest);
      const mail = p.get('send_mail');
      if (mail !== null && mail !== '0' && mail !== '1') return errorReply(MAKESHOP_ERRORS.badRequest);
      const number = p.get('deliverynum') ?? '';
      if (number.length > 30 || !/^[0-9A-Za-z-]*$/.test(number))
        return errorReply({
          ...MAKESHOP_ERRORS.badRequest,
          message: `deliverynum が正しくありません: ${number}`,
        });
      if (view.state === 'cancelled')
        return errorReply({
          ...MAKESHOP_ERRORS.conflict,
          message: 'キャンセルされた注文の配送ステータスは変更できません。',
        });
      if (status === '3') {
        if (mail === '1') mailsSent.push({ ordernum, deliveryid: Number(deliveryid) });
        const lines = view.lines.flatMap((l, i) =>
          l.packageNo === Number(deliveryid) + 1 ? [{ line: i, quantity: editedQuantity(view, i) }] : [],
        );
        book.happen(ordernum, 'ship', {
          shipments: [
            {
              key: deliveryid,
              carrier: p.get('carrier') ?? '',
              carrierName: null,
              trackingNumber: number,
              shippedOn: jstDate(clock()),
              lines,
            },
          ],
        });
      }
      return ok();
    }
    return errorReply(MAKESHOP_ERRORS.badRequest);
  };

  // ── next generation ──
  const searchOrder = (input: unknown): { data: unknown } | { errors: string[]; code: string } => {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return {
        errors: ['Variable "$input" of required type "SearchOrderRequest!" was not provided.'],
        code: 'BAD_USER_INPUT',
      };
    const v = input as Record<string, unknown>;
    const bad = Object.keys(v).filter((k) => !SEARCH_INPUT.has(k));
    if (bad.length)
      return {
        errors: bad.map(
          (k) =>
            `Variable "$input" got invalid value; Field "${k}" is not defined by type "SearchOrderRequest".`,
        ),
        code: 'BAD_USER_INPUT',
      };
    const problems: string[] = [];
    const stamp = (k: 'startOrderDate' | 'endOrderDate') => {
      if (v[k] === undefined || v[k] === null) return null;
      const ms = typeof v[k] === 'string' ? parseStamp(v[k]) : null;
      if (ms === null) problems.push(`${k} は yyyymmddhhmmss で指定してください。`);
      return ms;
    };
    const s = stamp('startOrderDate');
    const e = stamp('endOrderDate');
    const page = v.page ?? 1;
    const limit = v.limit ?? 100; // the default when no limit is given is not known [I]
    if (!Number.isInteger(page) || (page as number) < 1)
      problems.push('page は1以上の整数で指定してください。');
    if (
      !Number.isInteger(limit) ||
      (limit as number) < 1 ||
      (limit as number) > MAKESHOP_API_LIMITS.next.perCall
    )
      problems.push(`limit は1〜${MAKESHOP_API_LIMITS.next.perCall}で指定してください。`);
    if (v.sortOrder !== undefined && v.sortOrder !== 'ASC' && v.sortOrder !== 'DESC')
      problems.push('sortOrder は ASC か DESC です。');
    if (v.deliveryStatus !== undefined && !['N', 'Y', 'C', 'R'].includes(v.deliveryStatus as string))
      problems.push('deliveryStatus は N, Y, C, R のいずれかです。');
    if (problems.length) return { errors: problems, code: 'BAD_USER_INPUT' };
    const hits = nextEntries()
      .filter((x) => {
        const at = Math.floor(x.orderedAt / 1000) * 1000;
        return (s === null || at >= s) && (e === null || at <= e);
      })
      .filter((x) => v.deliveryStatus === undefined || x.next!.deliveryStatus === v.deliveryStatus)
      .sort((a, b) => a.orderedAt - b.orderedAt || a.ordernum.localeCompare(b.ordernum));
    if (v.sortOrder === 'DESC') hits.reverse();
    const p = page as number;
    const n = limit as number;
    return {
      data: {
        searchedCount: hits.length,
        page: p,
        orders: hits.slice((p - 1) * n, p * n).map((x) => x.next),
      },
    };
  };

  const next = (req: SimRequest): SimReply => {
    if (Buffer.byteLength(req.body) >= MAKESHOP_API_LIMITS.next.maxRequestBytes)
      return jsonReply(413, { message: 'Request Entity Too Large' });
    const header = (k: string) => {
      const h = req.headers[k];
      return Array.isArray(h) ? h[0] : h;
    };
    // A wrong API key: what an API gateway answers [I].
    // (The kit counts 401 and 403 answers as auth failures.)
    if (header('x-api-key') !== creds.apiKey) return jsonReply(403, { message: 'Forbidden' });
    if (state.faults.revokeCredentials || header('authorization') !== `Bearer ${creds.accessToken}`)
      return gqlError(401, 'Unauthorized', 'UNAUTHENTICATED');
    const ts = header('x-timestamp') ?? '';
    const age = Math.floor(stampClock().getTime() / 1000) - Number(ts);
    // Valid for an hour [V]; a timestamp from the future beyond five minutes of skew is refused too [I].
    if (!/^\d{1,12}$/.test(ts) || age > MAKESHOP_API_LIMITS.next.timestampTtlSeconds || age < -300)
      return gqlError(
        401,
        `x-timestamp が正しくないか有効期限（1時間）を過ぎています: ${ts}`,
        'UNAUTHENTICATED',
      );
    const page = maintenance();
    if (page) return page;
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return gqlError(400, 'POST body is not JSON.', 'BAD_REQUEST');
    }
    if (typeof body?.query !== 'string') return gqlError(400, 'Must provide query string.', 'BAD_REQUEST');
    let sels: Selection[];
    try {
      sels = parseQuery(body.query);
    } catch (e) {
      return gqlError(200, e instanceof Error ? e.message : String(e), 'GRAPHQL_PARSE_FAILED');
    }
    const invalid = validate(sels, 'Query', schema);
    if (invalid.length)
      return jsonReply(200, {
        errors: invalid.map((message) => ({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
      });
    const variables = (
      typeof body.variables === 'object' && body.variables !== null ? body.variables : {}
    ) as Record<string, unknown>;
    const data: Record<string, unknown> = {};
    for (const s of sels) {
      const r = searchOrder(s.args.input === undefined ? undefined : variables[s.args.input]);
      if ('errors' in r)
        return jsonReply(200, {
          errors: r.errors.map((message) => ({ message, path: [s.alias], extensions: { code: r.code } })),
          data: null,
        });
      const projected = project(r.data, s.children ?? []) as Record<string, unknown>;
      const orders = projected[(s.children ?? []).find((c) => c.name === 'orders')?.alias ?? 'orders'];
      if (Array.isArray(orders))
        orders.forEach((o, i) => {
          if (takeMalformed(state)) orders[i] = corruptNext(o as Record<string, unknown>, malformedServed++);
        });
      data[s.alias] = projected;
    }
    return jsonReply(200, { data });
  };

  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    book,
    behaviour,
    trickleMs: opts.trickleMs,
    limits,
    routes: [
      { method: 'GET', path: MAKESHOP_PATH, name: 'orderinfo', handler: classic },
      { method: 'POST', path: MAKESHOP_NEXT_PATH, name: 'graphql', handler: next },
    ],
  });
  return Object.assign(running, { quirks, mailsSent });
}

export const makeshopSimulator: CartSimulator = {
  cart: 'makeshop',
  start: (opts) => startMakeshopSimulator(opts),
};
