// Malformed Amazon orders (issue 7 item 3): fast-check mutates the composite records the adapter
// builds (getOrders `Order` + getOrderItems `OrderItems`, with getOrderAddress / getOrderBuyerInfo
// payloads where fetched), rendered by the simulator and read from the simulator-recorded fixtures;
// normalize must answer each with an order or a rejection naming the field and the order number.
// Helpers and properties: test/fuzz.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_INSTANTS, type CartFuzzSpec, DROP, describeCartFuzz, like, simViews } from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { amazonCart } from './index.js';
import { amazonOrderIdOf } from './recorded.js';
import { amazonOrderId, renderOrder } from './render.js';

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

describeCartFuzz(spec);
