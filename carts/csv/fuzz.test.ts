// Malformed order files (issue 7 item 3): fast-check mutates the cells of orders read from a
// simulator export and from the recorded Rakuten, Yahoo, EC-CUBE and custom-layout fixtures, and
// breaks whole files (stray quotes and delimiters, rows cut short, CP932 bytes cut anywhere). normalize
// must answer each order with an order or a rejection naming the column, and a broken file must be
// a clear error or orders that normalize. Helpers and properties: test/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { it } from 'vitest';
import {
  assertBrokenBodies,
  type CartFuzzSpec,
  DROP,
  describeCartFuzz,
  FUZZ_TIMEOUT,
  isRecord,
  type Path,
  simViews,
} from '../../test/fuzz.js';
import type { RawOrder } from '../contract.js';
import { LAYOUT_RULES } from './codes.js';
import { csvCart } from './index.js';
import type { CsvField } from './layouts.js';
import type { CsvOrderPayload } from './parse.js';
import { rakutenCsvOrderNo, renderRakutenCsv } from './render.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const CUSTOM_SETTINGS = JSON.parse(readFileSync(join(FIXTURES, 'custom-layout-utf8.settings.json'), 'utf8'));
const ordersOf = (bytes: Uint8Array, settings: Record<string, unknown> = {}) =>
  csvCart.rawOrdersFromRecorded(Buffer.from(bytes), { settings }).map((r) => r.payload);

const simCsv = renderRakutenCsv(simViews({ seed: 9, count: 30, multiPackageShare: 0.3 }), (v) =>
  rakutenCsvOrderNo(v),
);
const bases = [
  ...ordersOf(simCsv),
  ...[
    'rakuten-handwritten-cp932.csv',
    'rakuten-generated-seed7-cp932.csv',
    'yahoo-handwritten-cp932.csv',
    'ec-cube-handwritten-utf8bom.csv',
  ].flatMap((f) => ordersOf(readFileSync(join(FIXTURES, f)))),
  ...ordersOf(readFileSync(join(FIXTURES, 'custom-layout-utf8.tsv')), CUSTOM_SETTINGS),
] as CsvOrderPayload[];

/** The order number as the file reader groups rows by it: the first non-empty number cell. */
function rawOf(payload: unknown): RawOrder {
  const p = payload as Partial<CsvOrderPayload>;
  const row = Array.isArray(p?.rows) && isRecord(p.rows[0]) ? p.rows[0] : null;
  const headers = isRecord(p?.columns) && Array.isArray(p.columns.cartOrderNo) ? p.columns.cartOrderNo : [];
  const no = headers
    .map((h) => row?.[h])
    .map((v) => (typeof v === 'string' ? v.trim() : ''))
    .find((v) => v !== '');
  return { cartOrderNo: no ?? null, payload };
}

/** Cells of a field in the order's item rows (or its first row, for order-level fields). */
const cells =
  (field: CsvField, itemRowsOnly = true) =>
  (payload: unknown): Path[] => {
    const p = payload as CsvOrderPayload;
    const rules = LAYOUT_RULES[p.preset];
    const kindOf = (row: Record<string, string>) =>
      (p.columns.lineKind ?? []).map((h) => row[h]?.trim() ?? '').find((v) => v !== '') ?? null;
    return p.rows.flatMap((row, i) => {
      if (itemRowsOnly ? !rules.isItemRow(kindOf(row)) : i > 0) return [];
      // Where a field has several columns (商品番号 / 商品管理番号), the one cell that holds it.
      const filled = (p.columns[field] ?? []).filter((h) => (row[h] ?? '').trim() !== '');
      const header =
        filled.length === 0 ? p.columns[field]?.[0] : filled.length === 1 ? filled[0] : undefined;
      return header === undefined ? [] : [['rows', i, header]];
    });
  };

const spec: CartFuzzSpec = {
  cart: 'csv',
  normalize: csvCart.normalize,
  bases,
  rawOf,
  orderNoOf: (p) => rawOf(p).cartOrderNo,
  readsOrderNo: false,
  // Cells only: the rest of the payload is how juchu read the file, not what the shop sent.
  skip: (path) => path[0] !== 'rows',
  // A bad cell is named by its column header. A row whose kind (明細区分) is lost reads as an item
  // row, and the rejection names that row and what the item lacks.
  aliases: (path, payload) => {
    // A whole row (or every row) replaced: the rejection names the row and what it lacks.
    if (path[0] === 'rows' && path.length <= 2) return ['rows', 'row '];
    if (path.length !== 3 || typeof path[2] !== 'string') return [];
    const p = payload as CsvOrderPayload | null;
    const kind = p?.columns?.lineKind?.includes(path[2])
      ? [`row ${p?.rowNumbers?.[path[1] as number]} of`]
      : [];
    return [path[2], ...kind];
  },
  mustReject: [
    {
      why: 'quantity is not a positive whole number that fits',
      paths: cells('quantity'),
      values: ['0', '-1', '1.5', 'x', '2147483648', '', '１個', DROP],
    },
    {
      why: 'price is not an amount',
      paths: cells('unitPrice'),
      values: ['abc', '1.5', '1e3', '--1', '', '99999999999999999999'],
    },
    { why: 'no product code', paths: cells('sku'), values: ['', ' '] },
    { why: 'no product name', paths: cells('itemName'), values: ['', '　'] },
    { why: 'unsupported tax rate', paths: cells('taxRate'), values: ['5', '0.05', 'x', '15%'] },
    {
      why: 'not a date-time',
      paths: cells('orderedAt', false),
      values: ['2024-02-30 10:00:00', 'yesterday', '2024/13/01 10:00', '2024-05-01 25:00'],
    },
    {
      why: 'not a date',
      paths: cells('requestedDate', false),
      values: ['2024-02-30', 'あした', '2024/13/01'],
    },
  ],
};

describeCartFuzz(spec, () => {
  it(
    'a broken file is a clear error or orders that normalize, never a crash (text, and CP932 bytes cut anywhere)',
    () => {
      assertBrokenBodies({
        cart: 'csv',
        normalize: csvCart.normalize,
        parse: (body) => csvCart.rawOrdersFromRecorded(Buffer.from(body)),
        texts: [iconv.decode(simCsv, 'cp932')],
        junk: [
          '"',
          '""',
          ',',
          ';',
          '\t',
          '\n',
          '\r\n',
          '\r',
          '"\n"',
          '\u0000',
          '=HYPERLINK("x")',
          'ｶﾀｶﾅ',
          '🍵',
          '\ufeff',
        ],
        bytes: [simCsv],
      });
    },
    FUZZ_TIMEOUT,
  );
});
