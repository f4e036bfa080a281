// Malformed getOrder records (issue 7 item 3): fast-check mutates OrderModels rendered by the
// simulator and the recorded fixtures; normalize must answer each with an order or a rejection that
// names the field and the order number. Helpers and the properties themselves: test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  BAD_INSTANTS,
  type CartFuzzSpec,
  cartProperties,
  DROP,
  describeCartFuzz,
  FUZZ_TIMEOUT,
  getAt,
  like,
  type Path,
  RUNS,
  simViews,
} from '../../test/fuzz.js';
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
const SKU = [...ITEM, 'SkuModelList', '*'] as const;

/** SKU items (getOrder version 7+, issue 13): the hand-written SKU fixture and rendered SKU orders. */
const skuBases = [
  ...fixture('rakuten-getOrder-200-sku-items-handwritten.json'),
  ...simViews({ seed: 13, count: 60, multiPackageShare: 0.3 })
    .map((view) => renderOrderModel(view, { version: LATEST_VERSION }))
    .filter((o) => like([...SKU, 'merchantDefinedSkuId'])(o).some((p) => getAt(o, p) !== null)),
];
const inItems = (path: Path) => path.includes('ItemModelList');

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
    {
      why: 'the SKU list or a SKU code is not what getOrder sends',
      paths: like([...ITEM, 'SkuModelList'], [...SKU, 'merchantDefinedSkuId'], [...SKU, 'variantId']),
      values: [1, {}, true],
    },
  ],
};

/** The code rule of carts.md §1.10 on one item, as normalize must apply it. */
function expectedCode(item: Record<string, unknown>): string {
  const t = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const sku = (item.SkuModelList as Array<Record<string, unknown>> | null | undefined)?.[0];
  return t(sku?.merchantDefinedSkuId) ?? t(item.itemNumber) ?? t(item.manageNumber)!;
}

const optionalText = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom(
    '',
    ' ',
    '\u3000',
    'tshirt-001-m-white',
    ' 4901234567894 ',
    '17095519',
    'サイズ:M\nカラー:白',
  ),
  fc.string({ maxLength: 12 }),
);

describeCartFuzz(spec, () => {
  it(
    'SKU items: any one mutation inside the items, no crash; sound, or a rejection naming the field',
    () => {
      expect(skuBases.length).toBeGreaterThan(3);
      const p = cartProperties({ ...spec, bases: skuBases, skip: (path) => !inItems(path) });
      expect(p.singleMutation()).toBeGreaterThanOrEqual(1000);
      p.mustReject();
    },
    FUZZ_TIMEOUT,
  );

  it(
    'SKU items: the code is the system SKU number, else 商品番号, else 商品管理番号, whatever the SKU fields hold',
    () => {
      const base = skuBases[0] as Record<string, unknown>;
      fc.assert(
        fc.property(
          fc.record({
            merchantDefinedSkuId: optionalText,
            variantId: optionalText,
            skuInfo: optionalText,
            itemNumber: optionalText,
            noSkuList: fc.boolean(),
          }),
          (f) => {
            const payload = structuredClone(base);
            const item = getAt(payload, ['PackageModelList', 0, 'ItemModelList', 0]) as Record<
              string,
              unknown
            >;
            const sku: Record<string, unknown> = {};
            for (const k of ['merchantDefinedSkuId', 'variantId', 'skuInfo'] as const)
              if (f[k] !== undefined) sku[k] = f[k];
            if (f.noSkuList) delete item.SkuModelList;
            else item.SkuModelList = [sku];
            if (f.itemNumber === undefined) delete item.itemNumber;
            else item.itemNumber = f.itemNumber;
            const r = rakutenCart.normalize(rawOrderOf(payload), 'fuzz-store');
            if (!r.ok) throw new Error(`rejected: ${r.field}: ${r.message}`);
            const line = r.order.lines[0]!;
            expect(line.cartProductCode).toBe(expectedCode(item));
            // The option is the SKU管理番号 of a multi-SKU item only.
            const info = typeof sku.skuInfo === 'string' && sku.skuInfo.trim() && !f.noSkuList;
            const variant =
              typeof sku.variantId === 'string' && sku.variantId.trim() ? sku.variantId.trim() : null;
            expect(line.cartOptionCode).toBe(info ? variant : null);
            for (const v of Object.values(line.cartCodes ?? {})) expect(v.trim()).toBe(v);
          },
        ),
        { numRuns: RUNS },
      );
    },
    FUZZ_TIMEOUT,
  );
});
