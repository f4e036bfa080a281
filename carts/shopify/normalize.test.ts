import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import { simViews } from '../../test/fuzz.js';
import { rawOrder } from './client.js';
import { graphqlRawOrder } from './graphql.js';
import { shopifyCart } from './index.js';
import { requestedDateOf, taxRateOf } from './normalize.js';
import { isGraphqlOrder } from './normalize-graphql.js';
import { graphqlNodeAsRead, renderShopifyOrder, shopifyOrderName } from './render.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));

function normalizeAll(file: string): CartOrder[] {
  return shopifyCart.rawOrdersFromRecorded(fixture(file)).map((raw) => {
    const r = shopifyCart.normalize(raw, 'shopify-main');
    if (!r.ok) throw new Error(`${r.cartOrderNo} ${r.field}: ${r.message}`);
    return r.order;
  });
}

describe('shopify normalize: official fixture (shopify_python_api orders.json)', () => {
  const [o] = normalizeAll('shopify-orders-fixture-shopify_python_api.json');
  const cases: Array<[string, (o: CartOrder) => unknown, unknown]> = [
    ['cart', (o) => o.cart, 'shopify'],
    ['cartOrderNo is the name merchants see', (o) => o.cartOrderNo, '#1001'],
    ['cartStatus financial/fulfillment', (o) => o.cartStatus, 'partially_refunded/unfulfilled'],
    ['not cancelled', (o) => o.cancelledInCart, false],
    ['created_at -05:00 → JST next day', (o) => o.orderedAt, '2008-01-11T01:00:00+09:00'],
    ['updated_at → JST', (o) => o.cartUpdatedAt, '2008-01-11T01:00:00+09:00'],
    ['USD shop', (o) => o.currency, 'USD'],
    ['total "598.94" USD → cents', (o) => o.totals.total, 59894],
    ['goods = total_line_items_price', (o) => o.totals.goods, 59700],
    ['discount', (o) => o.totals.discount, 1000],
    ['tax', (o) => o.totals.tax, 1194],
    ['shipping from total_shipping_price_set', (o) => o.totals.shipping, 0],
    ['no shipping_lines → fees unknown', (o) => o.totals.fees, null],
    ['points: Shopify has none', (o) => o.totals.points, null],
    ['no line_items in this fixture', (o) => o.lines, []],
    ['orderer name (non-JP keeps "name")', (o) => o.orderer.name, 'Bob Norman'],
    ['orderer kana: no such field', (o) => o.orderer.kana, null],
    ['orderer email', (o) => o.orderer.email, 'bob.norman@hostmail.com'],
    ['orderer phone from billing address', (o) => o.orderer.phone, '555-625-1199'],
    ['orderer zip', (o) => o.orderer.postalCode, '40202'],
    ['orderer province (no JP code)', (o) => o.orderer.prefecture, 'Kentucky'],
    ['address1 = city', (o) => o.orderer.address1, 'Louisville'],
    ['address2 = street (empty address2 dropped)', (o) => o.orderer.address2, 'Chestnut Street 92'],
    ['shipTo kept apart', (o) => o.shipTo.name, 'Bob Norman'],
    ['shipTo has no email', (o) => o.shipTo.email, null],
    ['one package', (o) => o.packages.length, 1],
    ['remarks: note null', (o) => o.customerRemarks, null],
    ['payment method = payment_gateway_names[0]', (o) => o.payment.method, 'bogus'],
    ['card type (legacy payment_details)', (o) => o.payment.cardType, 'Visa'],
    ['paid-ish → paidAt marker = processed_at', (o) => o.payment.paidAt, '2008-01-11T01:00:00+09:00'],
    ['no delivery date', (o) => o.delivery.requestedDate, null],
    ['no time slot', (o) => o.delivery.timeSlot, null],
    ['no shipping line → no method', (o) => o.delivery.method, null],
    ['carrier never given', (o) => o.delivery.carrier, null],
  ];
  it.each(cases)('%s', (_name, get, want) => {
    expect(get(o!)).toEqual(want);
  });
});

describe('shopify normalize: recorded simulator orders (Japanese shop)', () => {
  const orders = normalizeAll('shopify-orders-simulator-seed7.json');
  const by = (no: string) => orders.find((o) => o.cartOrderNo === no)!;

  it('a card-paid gift order: JST times, 8% line, prefecture from province_code, delivery app attributes', () => {
    const o = by('#1047');
    expect(o.orderedAt).toBe('2024-04-24T11:38:10+09:00');
    expect(o.cartUpdatedAt).toBe('2024-04-24T11:39:10+09:00');
    expect(o.cartStatus).toBe('paid/unfulfilled');
    expect(o.currency).toBe('JPY');
    expect(o.orderer).toEqual({
      name: '井上 翔太',
      kana: null,
      email: 'shota.inoue54@example.jp',
      phone: '070-2197-5421',
      postalCode: '650-0001',
      prefecture: '兵庫県',
      address1: '神戸市中央区',
      address2: '加納町6-5-1 サンハイツ305号',
    });
    expect(o.shipTo).toEqual({
      name: '高橋 大輔',
      kana: null,
      email: null,
      phone: '080-9891-3321',
      postalCode: '590-0078',
      prefecture: '大阪府',
      address1: '堺市堺区',
      address2: '南瓦町3-1 コーポ青葉102',
    });
    expect(o.packages).toEqual([{ packageNo: 1, shipTo: o.shipTo }]);
    expect(o.lines).toEqual([
      {
        packageNo: 1,
        cartProductCode: 'TSE-0013-9124',
        cartOptionCode: null,
        name: '静岡深蒸し煎茶 100g',
        quantity: 1,
        unitPrice: 1296,
        taxIncluded: true,
        taxRate: 8,
        taxAmount: 96,
      },
    ]);
    expect(o.delivery).toEqual({
      requestedDate: '2024-05-03',
      timeSlot: '19:00～21:00',
      carrier: null,
      method: 'ヤマト運輸 宅急便',
      fee: 660,
    });
    expect(o.payment).toEqual({
      method: 'shopify_payments',
      cardType: 'JCB',
      fee: 0,
      paidAt: '2024-04-24T11:38:10+09:00',
    });
    expect(o.totals).toEqual({
      goods: 1296,
      shipping: 660,
      fees: 0,
      discount: 0,
      points: null,
      tax: 156,
      total: 1956,
    });
  });

  it('a USD order is in cents, and 指定なし is no date', () => {
    const o = by('#1056');
    expect(o.currency).toBe('USD');
    expect(o.lines.map((l) => [l.cartProductCode, l.unitPrice, l.taxRate, l.taxAmount])).toEqual([
      ['00000911246', 1440, 8, 106],
      ['00000930010', 1080, 8, 80],
    ]);
    expect(o.totals).toMatchObject({ goods: 2520, shipping: 440, tax: 226, total: 2960 });
    expect(o.delivery.requestedDate).toBeNull();
    expect(o.delivery.timeSlot).toBe('18:00～20:00');
    expect(o.payment).toEqual({ method: '銀行振込', cardType: null, fee: 0, paidAt: null });
    expect(o.cartStatus).toBe('pending/unfulfilled');
    expect(o.orderer.prefecture).toBe('愛知県');
  });

  it('COD: the fee shipping line is a payment fee, not carriage', () => {
    const o = by('#1034');
    expect(o.payment.method).toBe('代金引換');
    expect(o.payment.fee).toBe(330);
    expect(o.totals).toMatchObject({ shipping: 660, fees: 330, total: 1320 });
    expect(o.delivery).toMatchObject({
      fee: 660,
      method: 'ヤマト運輸 宅急便',
      requestedDate: null,
      timeSlot: null,
    });
    expect(o.lines[0]).toMatchObject({ taxRate: 10, taxAmount: 30, unitPrice: 330 });
  });

  it('a bank transfer marked paid later gets the paid marker', () => {
    const o = by('#1048');
    expect(o.cartStatus).toBe('paid/unfulfilled');
    expect(o.payment.paidAt).toBe('2024-04-24T13:32:49+09:00');
    expect(o.cartUpdatedAt).toBe('2024-04-25T10:07:49+09:00');
  });
});

describe('shopify normalize: edge rules', () => {
  type Editable = Record<string, unknown> & {
    name: string;
    line_items: Array<Record<string, unknown>>;
    note_attributes: Array<Record<string, unknown>>;
  };
  const base = JSON.parse(fixture('shopify-orders-simulator-seed7.json').toString('utf8'))
    .orders[1] as Editable;
  const run = (mutate: (o: Editable) => void) => {
    const o = structuredClone(base);
    mutate(o);
    return shopifyCart.normalize({ cartOrderNo: o.name, payload: o }, 's');
  };

  it('cancelled_at wins over the financial status', () => {
    const r = run((o) => {
      o.cancelled_at = '2024-04-25T10:00:00+09:00';
      o.financial_status = 'refunded';
    });
    expect(r.ok && [r.order.cartStatus, r.order.cancelledInCart]).toEqual(['cancelled', true]);
  });

  it('a missing field is a rejection naming it and the order', () => {
    const r = run((o) => {
      delete o.created_at;
    });
    expect(r).toMatchObject({ ok: false, cartOrderNo: '#1047', field: 'created_at' });
  });

  it('a wrong type is a rejection naming the field path', () => {
    const r = run((o) => {
      o.line_items[0]!.quantity = 'two';
    });
    expect(r).toMatchObject({ ok: false, cartOrderNo: '#1047', field: 'line_items[0].quantity' });
  });

  it('yen with decimals is refused, not rounded', () => {
    const r = run((o) => {
      o.total_price = '1956.5';
    });
    expect(r).toMatchObject({ ok: false, field: 'total_price' });
  });

  it('tax rates: Japanese rates map, a US sales tax is null', () => {
    expect([taxRateOf(0.1), taxRateOf(0.08), taxRateOf(0), taxRateOf(0.06)]).toEqual([10, 8, 0, null]);
  });

  it('delivery dates in the formats apps write', () => {
    expect(requestedDateOf('2024年5月2日(木)')).toBe('2024-05-02');
    expect(requestedDateOf('2024/05/02')).toBe('2024-05-02');
    expect(() => requestedDateOf('来週')).toThrow();
  });

  it('an unreadable delivery date is a rejection naming the attribute', () => {
    const r = run((o) => {
      o.note_attributes[0]!.value = 'なるべく早く';
    });
    expect(r).toMatchObject({ ok: false, field: 'note_attributes.配送希望日' });
  });
});

// ——— GraphQL Admin API ———

const graphqlFixture = (name: string) => fixture(join('graphql', name));

describe('shopify normalize: GraphQL public example (shopify.dev orders query, "Retrieve specific order details")', () => {
  // The docs' example answer, verbatim: its query selects neither taxesIncluded nor line prices.
  const raws = shopifyCart.rawOrdersFromRecorded(
    graphqlFixture('shopify-graphql-orders-fixture-shopify.dev-orders-query.json'),
  );
  const withTaxFlag = (i: number) => ({
    cartOrderNo: raws[i]!.cartOrderNo,
    payload: { ...(raws[i]!.payload as object), taxesIncluded: false },
  });
  const cases: Array<{ why: string; got: () => unknown; want: unknown }> = [
    {
      why: 'the edges { node } shape is read, each order named by its name',
      got: () => raws.map((r) => r.cartOrderNo),
      want: ['#2000', '#2006', '#2002', '#2009', '#2003'],
    },
    {
      why: 'without taxesIncluded the order is refused by name: juchu does not guess whether prices include tax',
      got: () => raws.map((r) => shopifyCart.normalize(r, 's')).map((r) => !r.ok && [r.cartOrderNo, r.field]),
      want: raws.map((r) => [r.cartOrderNo, 'taxesIncluded']),
    },
    {
      why: 'a line item without its title and price (not selected) is refused naming the path as sent',
      got: () => {
        const r = shopifyCart.normalize(withTaxFlag(0), 's');
        return !r.ok && r.field;
      },
      want: 'lineItems.edges[0].node.title',
    },
    {
      why: 'the currency comes from totalPriceSet when currencyCode was not selected; "2000.0" CAD is cents',
      got: () => {
        const r = shopifyCart.normalize(withTaxFlag(1), 's');
        return (
          r.ok && [
            r.order.currency,
            r.order.totals.total,
            r.order.cartStatus,
            r.order.orderedAt,
            r.order.orderer.email,
          ]
        );
      },
      want: ['CAD', 200000, 'paid/unfulfilled', '2024-01-01T09:00:00+09:00', 'bob@example.com'],
    },
    {
      why: 'no line items read: no lines, and goods (their sum) is zero; no shipping lines: shipping unknown',
      got: () => {
        const r = shopifyCart.normalize(withTaxFlag(1), 's');
        return r.ok && [r.order.lines, r.order.totals.goods, r.order.totals.shipping, r.order.shipTo.name];
      },
      want: [[], 0, null, null],
    },
  ];
  it.each(cases)('$why', ({ got, want }) => {
    expect(got()).toEqual(want);
  });
});

describe('shopify normalize: GraphQL answer recorded from the simulator (the seed 7 orders)', () => {
  const graphql = shopifyCart.rawOrdersFromRecorded(
    graphqlFixture('shopify-graphql-orders-simulator-seed7.json'),
  );
  const rest = normalizeAll('shopify-orders-simulator-seed7.json');

  it('each order is the CartOrder its REST record gives', () => {
    const orders = graphql.map((raw) => {
      const r = shopifyCart.normalize(raw, 'shopify-main');
      if (!r.ok) throw new Error(`${r.cartOrderNo} ${r.field}: ${r.message}`);
      return r.order;
    });
    expect(orders.map((o) => o.cartOrderNo).sort()).toEqual(['#1034', '#1047', '#1048', '#1056']);
    for (const o of orders) expect(o).toEqual(rest.find((x) => x.cartOrderNo === o.cartOrderNo));
  });

  it('the answer carries Shopify’s cost report, requested and actual', () => {
    const body = JSON.parse(graphqlFixture('shopify-graphql-orders-simulator-seed7.json').toString('utf8'));
    expect(body.extensions.cost).toMatchObject({
      requestedQueryCost: expect.any(Number),
      actualQueryCost: expect.any(Number),
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
    });
    expect(body.extensions.cost.actualQueryCost).toBeLessThan(body.extensions.cost.requestedQueryCost);
  });
});

describe('shopify normalize: one order through REST and GraphQL is one CartOrder', () => {
  // New, paid, shipped, cancelled and edited orders, in yen and dollars, gifts and COD among them.
  const views = simViews({ seed: 21, count: 80, foreignShare: 0.3 });
  it.each(views.map((v) => [shopifyOrderName(v.seq), v] as const))('%s', (_no, v) => {
    const rest = renderShopifyOrder(v);
    const viaRest = shopifyCart.normalize(rawOrder(rest), 's');
    const viaGraphql = shopifyCart.normalize(graphqlRawOrder(graphqlNodeAsRead(rest)), 's');
    expect(viaRest.ok).toBe(true);
    expect(viaGraphql).toEqual(viaRest);
  });
});

describe('shopify normalize: GraphQL edge rules', () => {
  type Node = Record<string, unknown> & {
    lineItems: { nodes: Array<Record<string, unknown>>; pageInfo: Record<string, unknown> };
  };
  const base = graphqlNodeAsRead(
    JSON.parse(fixture('shopify-orders-simulator-seed7.json').toString('utf8')).orders[1],
  ) as Node;
  const run = (mutate: (o: Node) => void) => {
    const o = structuredClone(base);
    mutate(o);
    return shopifyCart.normalize({ cartOrderNo: String(o.name), payload: o }, 's');
  };
  const cases: Array<{ why: string; mutate: (o: Node) => void; want: unknown }> = [
    {
      why: 'cancelledAt wins over the financial status',
      mutate: (o) => {
        o.cancelledAt = '2024-04-25T01:00:00Z';
        o.displayFinancialStatus = 'REFUNDED';
      },
      want: { ok: true, order: expect.objectContaining({ cartStatus: 'cancelled', cancelledInCart: true }) },
    },
    {
      why: 'EXPIRED (an authorization not captured) is a financial status of its own',
      mutate: (o) => {
        o.displayFinancialStatus = 'EXPIRED';
      },
      want: {
        ok: true,
        order: expect.objectContaining({
          cartStatus: 'expired/unfulfilled',
          payment: expect.objectContaining({ paidAt: null }),
        }),
      },
    },
    {
      why: 'PARTIALLY_FULFILLED is REST’s partial',
      mutate: (o) => {
        o.displayFulfillmentStatus = 'PARTIALLY_FULFILLED';
      },
      want: { ok: true, order: expect.objectContaining({ cartStatus: 'paid/partial' }) },
    },
    {
      why: 'ON_HOLD and the other not-yet-shipped statuses are REST’s null: unfulfilled',
      mutate: (o) => {
        o.displayFulfillmentStatus = 'ON_HOLD';
      },
      want: { ok: true, order: expect.objectContaining({ cartStatus: 'paid/unfulfilled' }) },
    },
    {
      why: 'line items with a next page not read: refused, never imported half',
      mutate: (o) => {
        o.lineItems.pageInfo.hasNextPage = true;
      },
      want: { ok: false, cartOrderNo: '#1047', field: 'lineItems.pageInfo.hasNextPage' },
    },
    {
      why: 'a connection with neither nodes nor edges is refused naming both',
      mutate: (o) => {
        o.lineItems = { pageInfo: { hasNextPage: false } } as unknown as Node['lineItems'];
      },
      want: { ok: false, cartOrderNo: '#1047', field: 'lineItems.nodes' },
    },
    {
      why: 'yen with decimals is refused, not rounded ("1296.0" is fine, "1296.5" is not)',
      mutate: (o) => {
        (o.lineItems.nodes[0]!.originalUnitPriceSet as { shopMoney: { amount: string } }).shopMoney.amount =
          '1296.5';
      },
      want: { ok: false, field: 'lineItems.nodes[0].originalUnitPriceSet.shopMoney.amount' },
    },
    {
      why: 'no SKU: the variant’s legacy (REST) id is the product code, as REST’s variant_id',
      mutate: (o) => {
        o.lineItems.nodes[0]!.sku = null;
      },
      want: {
        ok: true,
        order: expect.objectContaining({
          lines: [expect.objectContaining({ cartProductCode: String(40_000_000_000 + 1296 * 10) })],
        }),
      },
    },
    {
      why: 'no currencyCode and no currency on the total: refused naming currencyCode',
      mutate: (o) => {
        delete o.currencyCode;
      },
      want: { ok: false, field: 'currencyCode' },
    },
    {
      why: 'an unreadable delivery date is refused naming the attribute',
      mutate: (o) => {
        (o.customAttributes as Array<{ key: string; value: string }>)[0]!.value = 'なるべく早く';
      },
      want: { ok: false, field: 'customAttributes.配送希望日' },
    },
    {
      why: 'the card brand comes from the first card transaction',
      mutate: (o) => {
        o.transactions = [{ paymentDetails: null }, { paymentDetails: { company: 'Visa' } }];
      },
      want: {
        ok: true,
        order: expect.objectContaining({ payment: expect.objectContaining({ cardType: 'Visa' }) }),
      },
    },
  ];
  it.each(cases)('$why', ({ mutate, want }) => {
    expect(run(mutate)).toMatchObject(want as object);
  });

  const shapes: Array<{ why: string; payload: unknown; graphql: boolean }> = [
    {
      why: 'a REST record',
      payload: JSON.parse(fixture('shopify-orders-simulator-seed7.json').toString('utf8')).orders[0],
      graphql: false,
    },
    { why: 'a GraphQL node', payload: base, graphql: true },
    {
      why: 'a GraphQL node that lost its createdAt and id',
      payload: { ...base, createdAt: undefined, id: undefined },
      graphql: true,
    },
    {
      why: 'nothing to tell by: read as REST, whose rejection names the field',
      payload: { name: '#1' },
      graphql: false,
    },
    { why: 'not an object', payload: 'order', graphql: false },
  ];
  it.each(shapes)('shape: $why', ({ payload, graphql }) => {
    expect(isGraphqlOrder(payload)).toBe(graphql);
  });
});

describe('shopify rawOrdersFromRecorded: either API’s body (juchu parse --cart shopify)', () => {
  const node = graphqlNodeAsRead(
    JSON.parse(fixture('shopify-orders-simulator-seed7.json').toString('utf8')).orders[0],
  );
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));
  const names = (v: unknown) => shopifyCart.rawOrdersFromRecorded(body(v)).map((r) => r.cartOrderNo);
  const cases: Array<{ why: string; body: unknown; want: Array<string | null> | RegExp }> = [
    { why: 'REST orders.json', body: { orders: [{ id: 1, name: '#1' }] }, want: ['#1'] },
    { why: 'REST orders/{id}.json', body: { order: { id: 1, name: '#1' } }, want: ['#1'] },
    { why: 'GraphQL orders { nodes }', body: { data: { orders: { nodes: [node] } } }, want: ['#1056'] },
    {
      why: 'GraphQL orders { edges { node } }',
      body: { data: { orders: { edges: [{ node }] } } },
      want: ['#1056'],
    },
    {
      why: 'GraphQL without the data wrapper (as the docs print it)',
      body: { orders: { nodes: [node] } },
      want: ['#1056'],
    },
    { why: 'GraphQL order(id:)', body: { data: { order: node } }, want: ['#1056'] },
    { why: 'GraphQL order(id:) that found nothing', body: { data: { order: null } }, want: [] },
    {
      why: 'a GraphQL error answer',
      body: { errors: [{ message: 'Throttled' }] },
      want: /has errors: Throttled/,
    },
    { why: 'neither API', body: { customers: [] }, want: /no "orders" or "order"/ },
  ];
  it.each(cases)('$why', ({ body: b, want }) => {
    if (want instanceof RegExp) expect(() => names(b)).toThrow(want);
    else expect(names(b)).toEqual(want);
  });
});
