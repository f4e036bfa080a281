// Malformed Amazon orders (issue 7 item 3, issue 13 item 7), in both Orders APIs' shapes; normalize
// must answer each with an order or a rejection naming the field and the order number:
// - v0: fast-check mutates the composite records the adapter builds (getOrders `Order` +
//   getOrderItems `OrderItems`, with getOrderAddress / getOrderBuyerInfo payloads where fetched),
//   rendered by the simulator and read from the simulator-recorded fixtures;
// - 2026-01-01: it mutates `Order`s as searchOrders returns them (items inline), rendered by the
//   simulator with the adapter's `includedData` and read from the model's examples and sandbox
//   responses in fixtures/; broken searchOrders bodies go through `juchu parse`'s reader too.
// Helpers and properties: test/fuzz.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  assertBrokenBodies,
  BAD_INSTANTS,
  type CartFuzzSpec,
  DROP,
  describeCartFuzz,
  getAt,
  like,
  type Path,
  simViews,
} from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { INCLUDED_DATA } from './constants.js';
import { amazonCart } from './index.js';
import { amazonOrderIdOf, orderIdOf2026 } from './recorded.js';
import { amazonOrderId, order2026AsSeen, renderOrder, toOrder2026 } from './render.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const recorded = amazonCart
  .rawOrdersFromRecorded(readFileSync(join(FIXTURES, 'amazon-sim-getOrders-200.json')), {
    items: readdirSync(FIXTURES)
      .filter((f) => f.startsWith('amazon-sim-getOrderItems-200-'))
      .map((f) => readFileSync(join(FIXTURES, f))),
  })
  .map((r) => r.payload);
const rendered = simViews({ seed: 13, count: 40 }).map((view, i) => {
  const r = renderOrder(view, amazonOrderId(view.seq));
  // Every other record as fetched with getOrderAddress / getOrderBuyerInfo too.
  return i % 2
    ? { order: r.order, items: r.items }
    : { order: r.order, items: r.items, address: r.address, buyerInfo: r.buyerInfo };
});

const orderNoOf = (payload: unknown) =>
  typeof payload === 'object' && payload !== null
    ? amazonOrderIdOf((payload as { order?: unknown }).order)
    : null;
const rawOf = (payload: unknown): RawOrder => ({ cartOrderNo: orderNoOf(payload), payload });
const ITEM = ['items', '*'] as const;
const MONEY = [
  ['order', 'OrderTotal'],
  [...ITEM, 'ItemPrice'],
  [...ITEM, 'ItemTax'],
  [...ITEM, 'ShippingPrice'],
] as const;

const spec: CartFuzzSpec = {
  cart: 'amazon',
  normalize: amazonCart.normalize,
  bases: [...rendered, ...recorded],
  rawOf,
  orderNoOf,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['order'],
        ['items'],
        ['order', 'AmazonOrderId'],
        ['order', 'PurchaseDate'],
        ['order', 'LastUpdateDate'],
        ['order', 'OrderStatus'],
        [...ITEM, 'ASIN'],
        [...ITEM, 'OrderItemId'],
        [...ITEM, 'QuantityOrdered'],
      ),
      values: [DROP, null],
    },
    { why: 'an order without items', paths: like(['items']), values: [[]] },
    {
      why: 'quantity is not a whole number ≥ 0 that fits',
      paths: like([...ITEM, 'QuantityOrdered']),
      values: [-1, 1.5, '1', 2_147_483_648, 1e15],
    },
    {
      // 0 is how Amazon reports a cancelled order's items (normalize drops them there).
      why: 'quantity 0 on an order that is not cancelled',
      paths: (p) =>
        (p as { order?: { OrderStatus?: unknown } }).order?.OrderStatus === 'Canceled'
          ? []
          : like([...ITEM, 'QuantityOrdered'])(p),
      values: [0],
    },
    {
      why: 'money is not an amount of the currency',
      paths: (p) => like(...MONEY.map((m) => [...m, 'Amount']))(p),
      values: ['abc', '1.234', '', '¥100', 100, '1e3', '99999999999999999999'],
    },
    {
      why: 'not a currency, or not the order’s',
      paths: (p) => like(...MONEY.map((m) => [...m, 'CurrencyCode']))(p),
      values: ['yen', 'XX', 'USD', '', 392],
    },
    {
      why: 'not a timestamp',
      paths: like(['order', 'PurchaseDate'], ['order', 'LastUpdateDate']),
      values: BAD_INSTANTS,
    },
    {
      why: 'not a timestamp',
      // The first item that has a delivery window gives the order's; the others are not read.
      paths: (p) => like([...ITEM, 'ScheduledDeliveryStartDate'])(p).slice(0, 1),
      values: BAD_INSTANTS.filter((v) => v !== null && v !== ''),
    },
    {
      why: 'the address of another order',
      paths: like(['address', 'AmazonOrderId'], ['buyerInfo', 'AmazonOrderId']),
      values: ['249-0000000-0000000'],
    },
  ],
};

describe('Orders API v0 shape (getOrders Order + getOrderItems)', () => {
  describeCartFuzz(spec);
});

// ─── Orders API v2026-01-01 ─────────────────────────────────────────────────────────────────────────

/** Every 2026 order the model's examples and sandbox responses hold (fixtures/amazon-2026-*-200-*). */
const recorded2026 = readdirSync(FIXTURES)
  .filter((f) => /^amazon-2026-(searchOrders|getOrder)-200-/.test(f))
  .sort()
  .flatMap((f) => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { response?: unknown };
    return amazonCart
      .rawOrdersFromRecorded(Buffer.from(JSON.stringify(doc.response ?? doc)))
      .map((r) => r.payload);
  });
const rendered2026 = simViews({ seed: 17, count: 40 }).map((view) =>
  JSON.parse(
    JSON.stringify(
      order2026AsSeen(toOrder2026(renderOrder(view, amazonOrderId(view.seq))), new Set(INCLUDED_DATA), true),
    ),
  ),
);

const ITEM_2026 = ['orderItems', '*'] as const;
const BREAKDOWN = [...ITEM_2026, 'proceeds', 'breakdowns', '*'] as const;
/** The proceeds amounts normalize reads: the subtotals of ITEM, SHIPPING, COD_FEE and TAX, and the
 * details of DISCOUNT and TAX (a detailed DISCOUNT's subtotal is not read: its details are). */
const readAmounts = (p: unknown): Path[] => {
  const ofType = (path: Path) => String(getAt(p, [...path, 'type']));
  const breakdowns = like(BREAKDOWN)(p);
  const details = (path: Path) => like([...path, 'detailedBreakdowns', '*', 'value'])(p);
  return [
    ['proceeds', 'grandTotal'],
    ...breakdowns.flatMap((b) => {
      const type = ofType(b);
      const detailed = details(b);
      if (['ITEM', 'SHIPPING', 'COD_FEE'].includes(type)) return [[...b, 'subtotal']];
      if (type === 'TAX')
        return [
          [...b, 'subtotal'],
          ...detailed.filter((d) => getAt(p, [...d.slice(0, -1), 'subtype']) === 'ITEM'),
        ];
      if (type === 'DISCOUNT') return detailed.length ? detailed : [[...b, 'subtotal']];
      return [];
    }),
  ].filter((path) => getAt(p, path) !== undefined);
};
const orderNoOf2026 = (payload: unknown) => orderIdOf2026(payload);

const spec2026: CartFuzzSpec = {
  cart: 'amazon',
  normalize: amazonCart.normalize,
  bases: [...rendered2026, ...recorded2026],
  rawOf: (payload) => ({ cartOrderNo: orderNoOf2026(payload), payload }),
  orderNoOf: orderNoOf2026,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['orderId'],
        ['createdTime'],
        ['lastUpdatedTime'],
        ['salesChannel'],
        ['salesChannel', 'channelName'],
        ['fulfillment'],
        ['fulfillment', 'fulfillmentStatus'],
        ['orderItems'],
        [...ITEM_2026, 'orderItemId'],
        [...ITEM_2026, 'quantityOrdered'],
        [...ITEM_2026, 'product'],
      ),
      values: [DROP, null],
    },
    { why: 'an order without items', paths: like(['orderItems']), values: [[]] },
    {
      why: 'quantity is not a whole number ≥ 0 that fits',
      paths: like([...ITEM_2026, 'quantityOrdered']),
      values: [-1, 1.5, '1', 2_147_483_648, 1e15],
    },
    {
      // 0 is how Amazon reports a cancelled order's items (normalize drops them there).
      why: 'quantity 0 on an order that is not cancelled',
      paths: (p) =>
        getAt(p, ['fulfillment', 'fulfillmentStatus']) === 'CANCELLED'
          ? []
          : like([...ITEM_2026, 'quantityOrdered'])(p),
      values: [0],
    },
    {
      why: 'a line with neither seller SKU nor ASIN',
      // A cancelled line of quantity 0 is dropped before its code is read.
      paths: (p) =>
        like([...ITEM_2026, 'product'])(p).filter(
          (path) => getAt(p, [...path.slice(0, -1), 'quantityOrdered']) !== 0,
        ),
      values: [{}, { title: 'タイトルだけ' }],
    },
    {
      why: 'money is not an amount of the currency',
      paths: (p) => readAmounts(p).map((m) => [...m, 'amount']),
      values: ['abc', '1.234', '', '¥100', 100, '1e3', '99999999999999999999'],
    },
    {
      why: 'not a currency, or not the order’s',
      paths: (p) => readAmounts(p).map((m) => [...m, 'currencyCode']),
      values: ['yen', 'XX', 'EUR', '', 392],
    },
    {
      why: 'not a timestamp',
      paths: like(['createdTime'], ['lastUpdatedTime']),
      values: BAD_INSTANTS,
    },
    {
      why: 'not a timestamp',
      // The first line that has a delivery window gives the order's; the others are not read.
      paths: (p) =>
        like([...ITEM_2026, 'fulfillment', 'shipping', 'scheduledDeliveryWindow', 'earliestDateTime'])(
          p,
        ).slice(0, 1),
      values: BAD_INSTANTS.filter((v) => v !== null && v !== ''),
    },
  ],
};

describe('Orders API 2026-01-01 shape (searchOrders / getOrder Order)', () => {
  describeCartFuzz(spec2026, () => {
    it('broken searchOrders bodies: a clear error, or orders that normalize without a crash', () => {
      const pageOf = (orders: unknown[]) => JSON.stringify({ orders, pagination: { nextToken: 'eHl6' } });
      assertBrokenBodies({
        cart: 'amazon',
        normalize: amazonCart.normalize,
        parse: (body) => amazonCart.rawOrdersFromRecorded(Buffer.from(body)),
        texts: [
          pageOf(rendered2026.slice(0, 3)),
          pageOf(recorded2026.slice(0, 2)),
          JSON.stringify({ order: recorded2026[0] }),
        ],
        junk: ['{', '}', '[', ']', ',', '"', ':', 'null', '\\u0000', '\ud83c', 'ｶﾀｶﾅ', '🍵', '\n'],
        bytes: [Buffer.from(pageOf(rendered2026.slice(0, 2)))],
      });
    });
  });
});
