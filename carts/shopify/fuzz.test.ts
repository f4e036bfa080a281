// Malformed Shopify orders (issue 7 item 3, issue 13 item 7): fast-check mutates orders rendered by
// the simulator (yen and dollar orders) and the recorded fixtures, as REST records and as GraphQL
// order nodes; normalize must answer each with an order or a rejection naming the field and the order
// number. Helpers and properties: test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import {
  BAD_INSTANTS,
  type CartFuzzSpec,
  DROP,
  describeCartFuzz,
  getAt,
  like,
  simViews,
} from '../../test/fuzz.js';
import { rawOrder } from './client.js';
import { graphqlRawOrder } from './graphql.js';
import { shopifyCart } from './index.js';
import { graphqlNodeAsRead, renderShopifyOrder } from './render.js';

const fixture = (file: string) =>
  shopifyCart
    .rawOrdersFromRecorded(readFileSync(join(import.meta.dirname, 'fixtures', file)))
    .map((r) => r.payload);
const rendered = simViews({ seed: 3, count: 40, foreignShare: 0.25 }).map(renderShopifyOrder);

const LINE = ['line_items', '*'] as const;

const spec: CartFuzzSpec = {
  cart: 'shopify',
  normalize: shopifyCart.normalize,
  bases: [
    ...rendered,
    ...fixture('shopify-orders-fixture-shopify_python_api.json'),
    ...fixture('shopify-orders-simulator-seed7.json'),
  ],
  rawOf: rawOrder,
  orderNoOf: (p) => rawOrder(p).cartOrderNo,
  readsOrderNo: true,
  // Delivery-date apps write `{ name: '配送希望日', value }`: a bad value is named by the attribute.
  aliases: (path) => (path[0] === 'note_attributes' ? ['note_attributes'] : []),
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['id'],
        ['name'],
        ['created_at'],
        ['currency'],
        ['taxes_included'],
        ['total_price'],
        [...LINE, 'title'],
        [...LINE, 'quantity'],
        [...LINE, 'price'],
      ),
      values: [DROP, null],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...LINE, 'quantity']),
      values: [0, -1, 1.5, '2', 2_147_483_648, 1e15, [1]],
    },
    {
      why: 'money is not an amount of the currency',
      paths: like([...LINE, 'price'], ['total_price'], ['shipping_lines', '*', 'price']),
      values: ['abc', '¥100', '1e3', '1.234', '', {}, '99999999999999999999', Number.NaN],
    },
    { why: 'not a timestamp', paths: like(['created_at']), values: BAD_INSTANTS.filter((v) => v !== null) },
    // An empty updated_at means "not given".
    {
      why: 'not a timestamp',
      paths: like(['updated_at']),
      values: BAD_INSTANTS.filter((v) => v !== null && v !== ''),
    },
    {
      why: 'not a date',
      paths: (p) =>
        like(['note_attributes', '*'])(p)
          .filter((path) => (getAt(p, path) as { name?: unknown }).name === '配送希望日')
          .map((path) => [...path, 'value']),
      values: ['2024年2月30日', '2024年13月1日', 'あした', '2024-02-30'],
    },
    { why: 'not a currency', paths: like(['currency']), values: ['XX', 'yen', 'jpy', '', 5] },
  ],
};

describeCartFuzz(spec);

// ——— the GraphQL Admin API's order nodes, as the adapter stores them ———

const graphqlBases = [
  ...simViews({ seed: 5, count: 40, foreignShare: 0.25 }).map((v) =>
    graphqlNodeAsRead(renderShopifyOrder(v)),
  ),
  ...fixture('graphql/shopify-graphql-orders-simulator-seed7.json'),
];
const NODE = ['lineItems', 'nodes', '*'] as const;

const graphqlSpec: CartFuzzSpec = {
  cart: 'shopify',
  normalize: shopifyCart.normalize,
  bases: graphqlBases,
  rawOf: graphqlRawOrder,
  orderNoOf: (p) => graphqlRawOrder(p).cartOrderNo,
  readsOrderNo: true,
  // Delivery-date apps write `{ key: '配送希望日', value }`: a bad value is named by the attribute.
  aliases: (path) => (path[0] === 'customAttributes' ? ['customAttributes'] : []),
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['id'],
        ['name'],
        ['createdAt'],
        ['currencyCode'],
        ['taxesIncluded'],
        ['totalPriceSet'],
        [...NODE, 'title'],
        [...NODE, 'quantity'],
        [...NODE, 'originalUnitPriceSet'],
      ),
      values: [DROP, null],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...NODE, 'quantity']),
      values: [0, -1, 1.5, '2', 2_147_483_648, 1e15, [1]],
    },
    {
      why: 'money is not an amount of the currency',
      paths: like(
        [...NODE, 'originalUnitPriceSet', 'shopMoney', 'amount'],
        ['totalPriceSet', 'shopMoney', 'amount'],
        ['shippingLines', 'nodes', '*', 'originalPriceSet', 'shopMoney', 'amount'],
        [...NODE, 'taxLines', '*', 'priceSet', 'shopMoney', 'amount'],
      ),
      values: ['abc', '¥100', '1e3', '1.234', '', {}, '99999999999999999999', Number.NaN],
    },
    { why: 'not a timestamp', paths: like(['createdAt']), values: BAD_INSTANTS.filter((v) => v !== null) },
    {
      why: 'not a timestamp',
      paths: like(['updatedAt']),
      values: BAD_INSTANTS.filter((v) => v !== null && v !== ''),
    },
    {
      why: 'not a date',
      paths: (p) =>
        like(['customAttributes', '*'])(p)
          .filter((path) => (getAt(p, path) as { key?: unknown }).key === '配送希望日')
          .map((path) => [...path, 'value']),
      values: ['2024年2月30日', '2024年13月1日', 'あした', '2024-02-30'],
    },
    { why: 'not a currency', paths: like(['currencyCode']), values: ['XX', 'yen', 'jpy', '', 5] },
    {
      why: 'line items left unread (a next page) are never imported half',
      paths: like(['lineItems', 'pageInfo', 'hasNextPage']),
      values: [true, 'false', 1],
    },
  ],
};

describe('GraphQL Admin API order nodes', () => {
  describeCartFuzz(graphqlSpec);
});
