// Malformed makeshop orders (issue 7 item 3): fast-check mutates `<order>` elements rendered by the
// simulator and read from the recorded fixture (parsed as the client parses them), and breaks whole
// answers, also byte-wise in EUC-JP; normalize must answer each record with an order or a rejection
// naming the field and the order number, and a broken answer must be a clear error. See test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
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
import { renderMakeshopOrder } from './simulator.js';
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
});
