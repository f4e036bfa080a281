// Malformed makeshop orders (issue 7 item 3, issue 13 item 7), both APIs' shapes: fast-check mutates
// classic `<order>` elements and next-generation searchOrder records rendered by the simulator and read
// from the recorded fixtures (parsed as the client parses them), and breaks whole answers (XML also
// byte-wise in EUC-JP, JSON cut and spliced); normalize must answer each record with an order or a
// rejection naming the field and the order number, and a broken answer must be a clear error. See
// test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  assertBrokenBodies,
  type CartFuzzSpec,
  DROP,
  describeCartFuzz,
  FUZZ_TIMEOUT,
  isRecord,
  like,
  simViews,
} from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { rawOrder } from './client.js';
import { makeshopCart } from './index.js';
import { nextOrderNo, rawNextOrder } from './normalize-next.js';
import { renderMakeshopNextOrder, renderMakeshopOrder } from './simulator.js';
import { encodeXml } from './xml.js';

const answer = (orders: string[], charset = 'UTF-8') =>
  `<?xml version="1.0" encoding="${charset}"?>\n<orders>${orders.join('\n')}</orders>`;
const xmls = simViews({ seed: 5, count: 40, multiPackageShare: 0.4 }).map((v) => renderMakeshopOrder(v).xml);
const rendered = makeshopCart.rawOrdersFromRecorded(Buffer.from(answer(xmls))).map((r) => r.payload);
const recorded = makeshopCart
  .rawOrdersFromRecorded(
    readFileSync(join(import.meta.dirname, 'fixtures', 'makeshop-orderinfo-get-simulator-seed7.xml')),
  )
  .map((r) => r.payload);

/** As the adapter makes it (it only ever sees objects; a non-object is passed on for normalize to refuse). */
const rawOf = (payload: unknown): RawOrder =>
  isRecord(payload) ? rawOrder(payload) : { cartOrderNo: null, payload };
const COMMODITY = ['orderdetail', 'commodities', 'commodity', '*'] as const;

const spec: CartFuzzSpec = {
  cart: 'makeshop',
  normalize: makeshopCart.normalize,
  bases: [...rendered, ...recorded],
  rawOf,
  orderNoOf: (p) => rawOf(p).cartOrderNo,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required element is missing',
      paths: like(
        ['ordernum'],
        ['date'],
        ['status'],
        ['buyer'],
        ['deliveries'],
        ['deliveries', 'delivery'],
        ['orderdetail'],
        ['orderdetail', 'sumprice'],
        ['orderdetail', 'commodities'],
        [...COMMODITY, 'name'],
        [...COMMODITY, 'price'],
        [...COMMODITY, 'amount'],
      ),
      values: [DROP, null],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...COMMODITY, 'amount']),
      values: ['0', '-1', '1.5', 'x', '2147483648', '', ' ', 3],
    },
    {
      why: 'price is not whole yen',
      paths: like([...COMMODITY, 'price'], ['orderdetail', 'sumprice']),
      values: ['1.5', 'abc', '¥100', '', 100],
    },
    {
      why: 'not a Japan-time date-time',
      paths: like(['date']),
      values: [
        '2024/02/30 10:00:00',
        '2024/13/01 10:00:00',
        '2024/05/01 25:00:00',
        'yesterday',
        '',
        '2024-05-01T10:00:00+09:00',
      ],
    },
    {
      why: 'unsupported tax rate',
      paths: like([...COMMODITY, 'consumption_tax_rate']),
      values: ['5', '0.1', 'x', '10%'],
    },
    {
      why: 'not a date',
      paths: like(['deliveries', 'delivery', 0, 'deliverydate']),
      values: ['2024/02/30', 'yesterday', '2024/13/01'],
    },
    { why: 'status is not a code', paths: like(['status']), values: ['2', 'x', 1] },
  ],
};

describe('classic <order> XML', () =>
  describeCartFuzz(spec, () => {
    it(
      'a broken answer is a clear error, never a crash (text, and EUC-JP bytes cut anywhere)',
      () => {
        const texts = [0, 3, 6, 9].map((i) => answer(xmls.slice(i, i + 3)));
        assertBrokenBodies({
          cart: 'makeshop',
          normalize: makeshopCart.normalize,
          parse: (body) => makeshopCart.rawOrdersFromRecorded(Buffer.from(body)),
          texts,
          bytes: texts.map((t) => encodeXml(t.replace('UTF-8', 'EUC-JP'), 'EUC-JP')),
        });
      },
      FUZZ_TIMEOUT,
    );
  }));

// ── next-generation API: searchOrder records (JSON) ──

const searchAnswer = (orders: unknown[]) =>
  JSON.stringify({ data: { searchOrder: { searchedCount: orders.length, page: 1, orders } } });
const nextViews = simViews({ seed: 5, count: 40, multiPackageShare: 0.4 });
/** Through rawOrdersFromRecorded, as `juchu parse` and the adapter read them (nulls kept, JSON types). */
const nextRendered = makeshopCart
  .rawOrdersFromRecorded(Buffer.from(searchAnswer(nextViews.map(renderMakeshopNextOrder))))
  .map((r) => r.payload);
const nextRecorded = [
  'makeshop-searchOrder-simulator-seed7.json',
  'makeshop-searchOrder-thirdparty-fields.json',
].flatMap((f) =>
  makeshopCart
    .rawOrdersFromRecorded(readFileSync(join(import.meta.dirname, 'fixtures', f)))
    .map((r) => r.payload),
);
const nextRawOf = (payload: unknown): RawOrder =>
  isRecord(payload) ? rawNextOrder(payload) : { cartOrderNo: null, payload };
const BASKET = ['deliveryInfos', '*', 'basketInfos', '*'] as const;

const nextSpec: CartFuzzSpec = {
  cart: 'makeshop',
  normalize: makeshopCart.normalize,
  bases: [...nextRendered, ...nextRecorded],
  rawOf: nextRawOf,
  orderNoOf: nextOrderNo,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['displayOrderNumber'],
        ['orderDate'],
        ['sumPrice'],
        ['deliveryInfos'],
        ['deliveryInfos', '*', 'basketInfos'],
        [...BASKET, 'productName'],
        [...BASKET, 'price'],
        [...BASKET, 'amount'],
      ),
      values: [DROP, null],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...BASKET, 'amount']),
      values: [0, -1, 1.5, '1', 2_147_483_648, '', true],
    },
    {
      why: 'an amount of money is not whole yen (GraphQL Int)',
      paths: like([...BASKET, 'price'], ['sumPrice']),
      values: [1.5, '100', '¥100', '', Number.MAX_SAFE_INTEGER + 2, Number.NaN],
    },
    {
      why: 'not a Japan-time date-time',
      paths: like(['orderDate']),
      values: [
        '2024-02-30 10:00:00',
        '2024-13-01 10:00:00',
        '2024-05-01 25:00:00',
        'yesterday',
        '',
        20240501,
      ],
    },
    {
      why: 'unsupported tax rate',
      paths: like([...BASKET, 'taxRate'], ['discountPerTax', '*', 'taxRate']),
      values: [5, '10', 0.1, 'x', 15],
    },
    {
      why: 'not a date',
      paths: like(['deliveryInfos', 0, 'deliveryDate']),
      values: ['2024-02-30', 'yesterday', '2024/13/01'],
    },
    {
      why: 'deliveryStatus is not N, Y, C or R',
      paths: like(['deliveryStatus']),
      values: ['X', 'c', 1, true],
    },
    {
      why: 'a list is not a list',
      paths: like(['deliveryInfos'], ['deliveryInfos', '*', 'basketInfos'], ['discountPerTax'], ['notes']),
      values: ['list', 0, { x: 1 }],
    },
  ],
};

describe('searchOrder JSON (next-generation API)', () =>
  describeCartFuzz(nextSpec, () => {
    it(
      'a broken searchOrder answer is a clear error, never a crash (JSON cut, spliced, or a list of answers)',
      () => {
        const texts = [0, 3, 6, 9].map((i) => searchAnswer(nextRendered.slice(i, i + 3)));
        texts.push(`[${texts[0]},${texts[1]}]`);
        assertBrokenBodies({
          cart: 'makeshop',
          normalize: makeshopCart.normalize,
          parse: (body) => makeshopCart.rawOrdersFromRecorded(Buffer.from(body)),
          texts,
          junk: [
            '{',
            '}',
            '[',
            ']',
            ',',
            ':',
            '"',
            'null',
            '\\u0000',
            '\ud83c',
            '🍵',
            '{"errors":[]}',
            'NaN',
            '-',
            '1e999',
          ],
          bytes: texts.map((t) => Buffer.from(t, 'utf8')),
        });
      },
      FUZZ_TIMEOUT,
    );
  }));
