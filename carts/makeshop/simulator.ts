// A local makeshop order API (`GET /api/orderinfo/index.html?cmd=…&shopid=…&token=…`): the three fetch
// modes (diff since the last fetch, by ordernum, by order-time period), at most 100 orders an answer,
// cancelled orders only with canceled=1, XML in EUC-JP by default, one request a second for the whole shop.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJstLocal, toJstIso } from '../../domain/time.js';
import { CATALOG } from '../sim/catalog.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import { editedQuantity, type SimOrder, type SimOrderView, type SimParty } from '../sim/generate.js';
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
import { decodeXml, el, encodeXml, escapeXml, MAKESHOP_ERRORS, parseXml, readAnswer, tx } from './xml.js';

export const MAKESHOP_PATH = '/api/orderinfo/index.html';

export interface MakeshopSimulatorOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Orders in one answer; makeshop outputs at most 100 [T]. */
  maxPerCall?: number;
  /** Charset of the XML answers. makeshop's pages and parameters are EUC-JP [T]; default EUC-JP [I]. */
  encoding?: 'EUC-JP' | 'Shift_JIS' | 'UTF-8';
}

export interface MakeshopSimulator extends RunningSimulator {
  /** Cart-specific faults: the next N API requests answer 200 with an HTML maintenance page. */
  quirks: { htmlBodies: number };
}

/** makeshop order numbers look like `PB13818933178731403` [T]: a prefix, the order time, a counter. */
export function makeshopOrderNo(o: Pick<SimOrder, 'seq' | 'orderedAt'>): string {
  return `JC${o.orderedAt.getTime()}${String(o.seq % 10_000).padStart(4, '0')}`;
}

/** yyyy/mm/dd hh:mm:ss in Japan time. */
function jstStamp(d: Date): string {
  const iso = toJstIso(d);
  return `${iso.slice(0, 10).replace(/-/g, '/')} ${iso.slice(11, 19)}`;
}

const PAYMETHOD: Record<SimOrderView['payment'], { type: string; content: string }> = {
  // Codes seen in the third-party integration: B bank, Z CVS, R COD, N NP後払い [T]; C and Pay-easy under Z are [I].
  card: { type: 'C', content: 'クレジットカード決済' },
  bank: { type: 'B', content: '銀行振込' },
  cvs: { type: 'Z', content: 'コンビニ決済' },
  payeasy: { type: 'Z', content: 'ペイジー決済' },
  cod: { type: 'R', content: '代金引換' },
  postpay: { type: 'N', content: 'NP後払い' },
};

const SLOT_TEXT: Record<string, string> = {
  午前中: '午前中',
  '14-16': '14時～16時',
  '16-18': '16時～18時',
  '18-20': '18時～20時',
  '19-21': '19時～21時',
};

/** makeshop's shipping-zone style prefecture for Tokyo [T]. */
function area(p: SimParty): string {
  return p.prefecture === '東京都' ? (p.city.endsWith('区') ? '東京(23区内)' : '東京(23区外)') : p.prefecture;
}

/** The name/kana/address elements of `<buyer>` and `<delivery>`. */
function personXml(p: SimParty, edits: number): string {
  // An edit in the cart is usually an address fix: the room number gets added.
  const building = edits > 0 && !p.building ? `${edits}0${edits}号室` : p.building;
  return [
    tx('name', `${p.familyName} ${p.firstName}`),
    tx('kana', `${p.familyKana} ${p.firstKana}`),
    tx('zip', p.postalCode),
    tx('area', area(p)),
    tx('city', p.city),
    tx('street', [p.street, building].filter(Boolean).join(' ')),
    tx('tel', p.phone),
    tx('email', p.email),
  ].join('');
}

function brandcode(product: (typeof CATALOG)[number]): string {
  return String(CATALOG.indexOf(product) + 1).padStart(12, '0');
}

/** Tax-excluded unit price as makeshop stores it (catalog prices include tax). */
function exTax(price: number, rate: number): number {
  return Math.round((price * 100) / (100 + rate));
}

export interface Entry {
  ordernum: string;
  orderedAt: number;
  updatedAt: number;
  status: string;
  xml: string;
}

/** One order as makeshop's XML renders it (see README.md for which names are third-party or inferred). */
export function renderMakeshopOrder(view: SimOrderView): Entry {
  const ordernum = makeshopOrderNo(view);
  const status = view.state === 'cancelled' ? '0' : view.payment === 'card' && !view.paidAt ? '99' : '1';
  const pay = PAYMETHOD[view.payment];
  const lines = view.lines.map((l, i) => ({
    l,
    quantity: editedQuantity(view, i),
    price: exTax(l.product.price, l.product.taxRate),
  }));
  const exByRate = new Map<number, number>();
  for (const x of lines)
    exByRate.set(x.l.product.taxRate, (exByRate.get(x.l.product.taxRate) ?? 0) + x.price * x.quantity);
  const tax = [...exByRate.entries()].reduce((s, [rate, ex]) => s + Math.floor((ex * rate) / 100), 0);
  const goodsEx = [...exByRate.values()].reduce((s, v) => s + v, 0);
  const sumprice = goodsEx + tax + view.shippingFee + view.paymentFee - view.couponDiscount - view.pointsUsed;

  const deliveries = view.shipTos.map((p, i) =>
    el(
      'delivery',
      null,
      personXml(p, i === 0 ? view.edits : 0),
      el(
        'carriage',
        {
          name: 'ヤマト運輸',
          price: i === 0 ? view.shippingFee : 0,
          // The COD fee per shipping method; empty when the order is not COD [V: 2017 change notes].
          commission: view.payment === 'cod' ? (i === 0 ? view.paymentFee : 0) : '',
        },
        ...lines
          .filter((x) => x.l.packageNo === i + 1)
          .map((x) => el('commodity', { brandcode: brandcode(x.l.product), name: x.l.product.name })),
      ),
      tx('deliverydate', view.requestedDate?.replace(/-/g, '/') ?? ''),
      tx('deliverytime', view.timeSlot ? (SLOT_TEXT[view.timeSlot] ?? view.timeSlot) : ''),
      tx('scheduled_shipping_date', ''),
    ),
  );

  const xml = el(
    'order',
    null,
    tx('ordernum', ordernum),
    tx('date', jstStamp(view.orderedAt)),
    tx('status', status),
    tx('payment_status', view.paidAt ? '1' : '0'),
    el('paymethod', { type: pay.type }, pay.content),
    el('buyer', null, personXml(view.orderer, 0)),
    el('deliveries', null, ...deliveries),
    el(
      'orderdetail',
      null,
      tx('sumprice', sumprice),
      tx('carriage', view.shippingFee),
      tx('bulk', 0),
      tx('coupon', view.couponDiscount),
      el('usepoint', { type: 'shop' }, String(view.pointsUsed)),
      el('usepoint', { type: 'gmo' }, '0'),
      el('usepoint', { type: 'yahoo' }, '0'),
      // Left out when the shop charges no fee [T].
      view.paymentFee ? el('commission', { name: '代引手数料' }, String(view.paymentFee)) : null,
      el(
        'commodities',
        null,
        ...lines.map((x) =>
          el('commodity', {
            brandcode: brandcode(x.l.product),
            orgcode: x.l.product.cartCode,
            orgoptioncode: x.l.product.cartOptionCode,
            name: x.l.product.name,
            price: x.price,
            amount: x.quantity,
            consumption_tax_rate: x.l.product.taxRate,
            option: x.l.product.cartOptionCode ? 'カラー:朱泥' : null,
          }),
        ),
      ),
    ),
    // el() takes children as markup: the buyer's text must be escaped (a remark may hold `<` or `&`).
    el('notes', null, el('note', { title: '備考' }, escapeXml(view.remarks ?? ''))),
  );
  return { ordernum, orderedAt: view.orderedAt.getTime(), updatedAt: view.updatedAt.getTime(), status, xml };
}

/** Breaks a served order the way real breakage looks: a field gone, or a number that is not one. */
function corrupt(xml: string, nth: number): string {
  return nth % 2 === 0
    ? xml.replace(/<date>[^<]*<\/date>/, '')
    : xml.replace(/(<commodities><commodity [^>]*?amount=")\d+/, '$1x');
}

/** Every `<order>` in a folder of recorded order-API answers (`*.xml`, any declared charset). */
export function loadMakeshopFixtures(dir: string): Entry[] {
  const byNo = new Map<string, Entry>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.xml')) continue;
    const text = decodeXml(readFileSync(join(dir, file)));
    for (const m of text.matchAll(/<order(?:\s[^>]*)?>[\s\S]*?<\/order>/g)) {
      const answer = readAnswer(parseXml(`<orders>${m[0]}</orders>`));
      const o = answer?.kind === 'orders' ? answer.orders[0] : undefined;
      if (!o || typeof o.ordernum !== 'string' || typeof o.date !== 'string') continue;
      const at = parseJstLocal(o.date).getTime();
      byNo.set(o.ordernum, {
        ordernum: o.ordernum,
        orderedAt: at,
        updatedAt: at,
        status: String(o.status),
        xml: m[0],
      });
    }
  }
  return [...byNo.values()];
}

/** yyyymmddhhmmss (Japan time) → epoch ms; null when malformed. */
function parseStamp(s: string | null): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  return parseJstLocal(`${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`).getTime();
}

export async function startMakeshopSimulator(
  opts: MakeshopSimulatorOptions = {},
): Promise<MakeshopSimulator> {
  const state = createSimState();
  const clock = opts.clock ?? (() => new Date());
  // makeshop orders can ship to several addresses (deliveries/delivery[]) [T].
  const book = new OrderBook(opts.seed ?? 1, makeshopOrderNo, { multiPackageShare: 0.1 }, clock);
  const fixtures = opts.fixturesDir ? loadMakeshopFixtures(opts.fixturesDir) : null;
  if (!fixtures) {
    const to = opts.to ?? clock();
    const from = opts.from ?? new Date(to.getTime() - 3 * 86_400_000);
    book.load(opts.orders ?? 50, from, to);
  }
  const shopId = opts.credentials?.shopId ?? MAKESHOP_DEMO_CREDENTIALS.shopId;
  const token = opts.credentials?.token ?? MAKESHOP_DEMO_CREDENTIALS.token;
  const cap = opts.maxPerCall ?? 100;
  const charset = opts.encoding ?? 'EUC-JP';
  const quirks = { htmlBodies: 0 };
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

  const entries = (): Entry[] => fixtures ?? book.visible().map(renderMakeshopOrder);
  const ordersReply = (list: Entry[]): SimReply =>
    xmlReply(
      200,
      `<orders>${list.map((e) => (takeMalformed(state) ? corrupt(e.xml, malformedServed++) : e.xml)).join('')}</orders>`,
    );

  const limits =
    opts.rateLimits === false ? undefined : (opts.limits ?? { '*': { ratePerSec: 1, burst: 1 } });
  // One interval of the shop's limit: "1" at makeshop's 1 request a second.
  const retryAfter = String(Number((1 / (limits?.['*']?.ratePerSec ?? 1)).toFixed(3)));

  const behaviour: CartBehaviour = {
    cart: 'makeshop',
    serverErrorReply: (status) => ({
      status,
      headers: { 'content-type': 'text/html; charset=EUC-JP' },
      body: `<html><head><title>${status}</title></head><body><h1>${status === 503 ? 'Service Temporarily Unavailable' : 'Internal Server Error'}</h1></body></html>`,
    }),
    // makeshop says only that going over "is subject to access blocking" [V]; 429 + this XML is [I].
    rateLimitReply: () => errorReply(MAKESHOP_ERRORS.overLimit, 429, { 'Retry-After': retryAfter }),
    cartOrderNo: makeshopOrderNo,
  };

  const get = (p: URLSearchParams): SimReply => {
    const withCancelled = p.get('canceled') === '1';
    const visible = entries().filter((e) => withCancelled || e.status !== '0');
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

  const handler = (req: SimRequest): SimReply => {
    const p = req.url.searchParams;
    if (state.faults.revokeCredentials || p.get('shopid') !== shopId || p.get('token') !== token) {
      state.stats.authFailures++;
      return errorReply(MAKESHOP_ERRORS.auth);
    }
    if (quirks.htmlBodies > 0) {
      quirks.htmlBodies--;
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=EUC-JP' },
        body: '<!DOCTYPE html><html><head><title>メンテナンス中</title></head><body><p>ただいまメンテナンス中です。<br></p></body></html>',
      };
    }
    const cmd = p.get('cmd');
    if (cmd === 'get') return get(p);
    const ordernum = p.get('ordernum') ?? '';
    const found = entries().find((e) => e.ordernum === ordernum);
    if ((cmd === 'status' || cmd === 'deliver') && found) {
      // status=0 cancels; deliver status=3 is 配送完了 [T]. Other values change nothing we render.
      if (cmd === 'status' && p.get('status') === '0') book.happen(ordernum, 'cancel');
      if (cmd === 'deliver' && p.get('status') === '3') book.happen(ordernum, 'ship');
      return xmlReply(
        200,
        el('response', null, tx('ordernum', ordernum), tx('code', '000'), tx('message', 'OK')),
      );
    }
    return errorReply(MAKESHOP_ERRORS.badRequest);
  };

  const running = await startSimulator({
    state,
    port: opts.port,
    host: opts.host,
    book,
    behaviour,
    trickleMs: opts.trickleMs,
    // One bucket for every route: the limit is per shop across the whole API [V].
    limits,
    routes: [{ method: 'GET', path: MAKESHOP_PATH, name: 'orderinfo', handler }],
  });
  return Object.assign(running, { quirks });
}

export const makeshopSimulator: CartSimulator = {
  cart: 'makeshop',
  start: (opts) => startMakeshopSimulator(opts),
};
