// Malformed getOrder records (issue 7 item 3): fast-check mutates OrderModels rendered by the
// simulator and the recorded fixtures; normalize must answer each with an order or a rejection that
// names the field and the order number. Helpers and the properties themselves: test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_INSTANTS, type CartFuzzSpec, DROP, describeCartFuzz, like, simViews } from '../../test/fuzz.js';
import { LATEST_VERSION, OLDEST_VERSION } from './codes.js';
import { rakutenCart } from './index.js';
import { rawOrderOf } from './normalize.js';
import { renderOrderModel } from './render.js';

const fixture = (file: string) =>
  rakutenCart
    .rawOrdersFromRecorded(readFileSync(join(import.meta.dirname, 'fixtures', file)))
    .map((r) => r.payload);

const rendered = simViews({ seed: 7, count: 40, multiPackageShare: 0.4 }).map((view, i) =>
  renderOrderModel(view, { version: OLDEST_VERSION + (i % (LATEST_VERSION - OLDEST_VERSION + 1)) }),
);

const ITEM = ['PackageModelList', '*', 'ItemModelList', '*'] as const;

const spec: CartFuzzSpec = {
  cart: 'rakuten',
  normalize: rakutenCart.normalize,
  bases: [
    ...rendered,
    ...fixture('rakuten-getOrder-200-legacy-test-fixture.json'),
    ...fixture('rakuten-getOrder-200-sim-v10.json'),
  ],
  rawOf: rawOrderOf,
  orderNoOf: (p) => rawOrderOf(p).cartOrderNo,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required field is missing',
      paths: like(
        ['orderNumber'],
        ['orderProgress'],
        ['orderDatetime'],
        ['goodsPrice'],
        ['totalPrice'],
        ['requestPrice'],
        ['OrdererModel'],
        ['OrdererModel', 'familyName'],
        ['PackageModelList'],
        ['PackageModelList', '*', 'SenderModel'],
        ['PackageModelList', '*', 'ItemModelList'],
        [...ITEM, 'itemName'],
        [...ITEM, 'price'],
        [...ITEM, 'units'],
      ),
      values: [DROP, null],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...ITEM, 'units']),
      values: [0, -1, 1.5, '1', 2_147_483_648, 1e15, [1]],
    },
    {
      why: 'money is not whole yen',
      paths: like(['goodsPrice'], ['requestPrice'], [...ITEM, 'price']),
      values: [1.5, '1000', 1e21, {}],
    },
    { why: 'not a timestamp', paths: like(['orderDatetime']), values: BAD_INSTANTS },
    {
      why: 'a change time is not a timestamp',
      paths: like(['orderFixDatetime'], ['ChangeReasonModelList', '*', 'changeApplyDatetime']),
      values: ['2024-13-01T10:00:00+0900', 'yesterday', '2024-02-30T10:00:00+0900'],
    },
    { why: 'unsupported tax rate', paths: like([...ITEM, 'taxRate']), values: [0.05, 5, 0.3, -0.1, '0.1'] },
    {
      why: 'not a date',
      paths: like(['deliveryDate']),
      values: ['2024-02-30', 'yesterday', '2024-13-01', 20240501],
    },
    { why: 'status is not a code', paths: like(['orderProgress']), values: ['300', 1.5, null] },
  ],
};

describeCartFuzz(spec);
