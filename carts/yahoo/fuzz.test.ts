// Malformed orderInfo records (issue 7 item 3): fast-check mutates `OrderInfo` elements rendered by
// the simulator and read from the recorded fixtures, and breaks whole orderInfo bodies; normalize must
// answer each record with an order or a rejection naming the field and the order number, and a broken
// body must be a clear error. Helpers and properties: test/fuzz.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  assertBrokenBodies,
  type CartFuzzSpec,
  DROP,
  describeCartFuzz,
  FUZZ_TIMEOUT,
  getAt,
  like,
  malformedOf,
  RUNS,
  simViews,
} from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { rowWithin, type TimeField } from './client.js';
import { yahooCart } from './index.js';
import { yahooOrderNoOf } from './normalize.js';
import { renderOrder } from './render.js';
import { buildXml } from './xml.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const recorded = readdirSync(FIXTURES)
  .filter((f) => f.startsWith('yahoo-orderInfo-200-'))
  .flatMap((f) => yahooCart.rawOrdersFromRecorded(readFileSync(join(FIXTURES, f))).map((r) => r.payload));
const rendered = simViews({ seed: 11, count: 40 }).map((view) => renderOrder(view, 'fuzzstore').info);

/** orderList rows (issue 13: OrderTime, PublicationTime and LastUpdateTime passes): rendered and recorded. */
const rows = [
  ...simViews({ seed: 17, count: 40 }).map((view) => renderOrder(view, 'fuzzstore').row),
  ...readdirSync(FIXTURES)
    .filter((f) => f.startsWith('yahoo-orderList-200-'))
    .flatMap((f) => yahooCart.rawOrdersFromRecorded(readFileSync(join(FIXTURES, f))).map((r) => r.payload)),
];
const FIELDS: readonly TimeField[] = ['OrderTime', 'PublicationTime', 'LastUpdateTime'];

const rawOf = (payload: unknown): RawOrder => ({ cartOrderNo: yahooOrderNoOf(payload), payload });
const ITEM = ['Item', '*'] as const;

const spec: CartFuzzSpec = {
  cart: 'yahoo',
  normalize: yahooCart.normalize,
  bases: [...rendered, ...recorded],
  rawOf,
  orderNoOf: yahooOrderNoOf,
  readsOrderNo: true,
  mustReject: [
    {
      why: 'a required element is missing',
      paths: like(
        ['OrderId'],
        ['OrderTime'],
        ['OrderStatus'],
        ['Item'],
        [...ITEM, 'ItemId'],
        [...ITEM, 'Title'],
        [...ITEM, 'UnitPrice'],
        [...ITEM, 'Quantity'],
      ),
      values: [DROP, null, ''],
    },
    {
      why: 'quantity is not a positive whole number that fits',
      paths: like([...ITEM, 'Quantity']),
      values: ['0', '-1', '1.5', '二個', '2147483648', '１', 3, ' '],
    },
    {
      why: 'price is not whole yen',
      paths: like([...ITEM, 'UnitPrice']),
      values: ['1.5', '¥100', 'abc', '1e3', 1000],
    },
    {
      why: 'not a time',
      paths: like(['OrderTime'], ['LastUpdateTime']),
      values: [
        '2024-02-30T10:00:00+09:00',
        '2024-13-01T10:00:00+09:00',
        '20241301100000',
        '2024-05-01T25:00:00',
        'yesterday',
        20240501100000,
      ],
    },
    {
      why: 'unsupported tax rate',
      // A non-taxable item (IsTaxable false) has rate 0 whatever its ratio says.
      paths: (p) =>
        like([...ITEM, 'ItemTaxRatio'])(p).filter(
          (path) => getAt(p, [...path.slice(0, -1), 'IsTaxable']) !== 'false',
        ),
      values: ['5', '0.1', '10%', 'x', '-8'],
    },
    {
      why: 'not a date',
      paths: like(['Ship', 'ShipRequestDate']),
      values: ['2024-02-30', 'yesterday', '2024-13-01'],
    },
    {
      why: 'money is not whole yen',
      paths: like(['Detail', 'TotalPrice'], ['Detail', 'ShipCharge']),
      values: ['1.5', 'abc', '¥0'],
    },
    { why: 'status is not a code', paths: like(['OrderStatus']), values: ['x', '2.0', 2] },
  ],
};

describeCartFuzz(spec, () => {
  it(
    'orderList rows of every pass, malformed: the window check never throws, and keeps what it cannot read',
    () => {
      let tried = 0;
      fc.assert(
        fc.property(
          malformedOf(rows, { maxMutations: 2 }),
          fc.constantFrom(...FIELDS),
          fc.date({
            min: new Date('2024-01-01T00:00:00Z'),
            max: new Date('2027-01-01T00:00:00Z'),
            noInvalidDate: true,
          }),
          fc.integer({ min: 1, max: 30 * 86_400_000 }),
          ({ record }, field, from, length) => {
            tried++;
            const w = { from, to: new Date(from.getTime() + length) };
            const row = (
              record !== null && typeof record === 'object' && !Array.isArray(record) ? record : {}
            ) as Record<string, unknown>;
            let kept: boolean;
            try {
              kept = rowWithin(row as never, field, w);
            } catch (e) {
              throw new Error(`rowWithin threw on ${JSON.stringify(row[field])}: ${String(e)}`);
            }
            expect(typeof kept).toBe('boolean');
            const t = row[field];
            if (typeof t !== 'string' || !t.trim()) expect(kept).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
      expect(tried).toBeGreaterThanOrEqual(1000);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'a broken orderInfo body is a clear error, never a crash',
    () => {
      assertBrokenBodies({
        cart: 'yahoo',
        normalize: yahooCart.normalize,
        parse: (body) => yahooCart.rawOrdersFromRecorded(Buffer.from(body)),
        texts: rendered
          .slice(0, 8)
          .map((info) => buildXml({ ResultSet: { Result: { Status: 'OK', OrderInfo: info } } })),
      });
    },
    FUZZ_TIMEOUT,
  );
});
