import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { CartOrder } from '../../domain/order.js';
import type { NormalizeResult } from '../contract.js';
import { generateOrders, viewAt } from '../sim/generate.js';
import { parseCsvDateTime } from './dates.js';
import { CsvFormatError } from './format-error.js';
import { csvCart } from './index.js';
import { normalizeCsv } from './normalize.js';
import { parseOrderFile } from './parse.js';
import { csvText, encodeCp932, RAKUTEN_COLUMNS, rakutenCsvOrderNo, rakutenRows } from './render.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const FROM = new Date('2024-04-19T15:00:00Z');
const TO = new Date('2024-04-22T15:00:00Z');

/** Rakuten order rows of `count` generated orders (plain objects: tests edit cells before encoding). */
function rakutenSample(count: number, seed = 11) {
  return generateOrders({ seed, count, from: FROM, to: TO, multiPackageShare: 0.3 }).flatMap((o) =>
    rakutenRows(viewAt(o, TO), rakutenCsvOrderNo(o)),
  );
}

function normalizeAll(body: Uint8Array, settings: unknown = {}, name = 'orders.csv'): NormalizeResult[] {
  return parseOrderFile(body, settings, name).orders.map((raw) => normalizeCsv(raw, 'csv-main'));
}

function okOrders(results: NormalizeResult[]): CartOrder[] {
  return results.map((r) => {
    if (!r.ok) throw new Error(`${r.cartOrderNo}: ${r.message}`);
    return r.order;
  });
}

function formatError(f: () => unknown): CsvFormatError {
  try {
    f();
  } catch (e) {
    if (e instanceof CsvFormatError) return e;
    throw e;
  }
  throw new Error('no CsvFormatError');
}

describe('encodings and delimiters', () => {
  const rows = rakutenSample(6);
  const comma = csvText(RAKUTEN_COLUMNS, rows);
  const tab = csvText(RAKUTEN_COLUMNS, rows, { delimiter: '\t' });
  const expected = okOrders(normalizeAll(encodeCp932(comma)));

  it.each([
    ['CP932, comma, CRLF', encodeCp932(comma), 'cp932', ','],
    ['UTF-8 with BOM, comma, CRLF', Buffer.from(`\uFEFF${comma}`, 'utf8'), 'utf-8', ','],
    ['UTF-8 without BOM, comma, LF', Buffer.from(comma.replace(/\r\n/g, '\n'), 'utf8'), 'utf-8', ','],
    ['CP932, TSV', encodeCp932(tab), 'cp932', '\t'],
    ['UTF-8 with BOM, TSV', Buffer.from(`\uFEFF${tab}`, 'utf8'), 'utf-8', '\t'],
    [
      'Excel Unicode text (UTF-16LE with BOM, TSV)',
      iconv.encode(tab, 'utf-16le', { addBOM: true }),
      'utf-16le',
      '\t',
    ],
    [
      'UTF-8, semicolon',
      Buffer.from(csvText(RAKUTEN_COLUMNS, rows, { delimiter: ';' }), 'utf8'),
      'utf-8',
      ';',
    ],
  ])('%s gives the same orders', (_name, body, encoding, delimiter) => {
    const parsed = parseOrderFile(body, {}, 'f.csv');
    expect([parsed.layout, parsed.encoding, parsed.delimiter]).toEqual(['rakuten', encoding, delimiter]);
    expect(okOrders(normalizeAll(body))).toEqual(expected);
  });

  it('honours an explicit encoding and delimiter', () => {
    const parsed = parseOrderFile(encodeCp932(tab), { encoding: 'Shift_JIS', delimiter: 'tab' }, 'f.txt');
    expect([parsed.encoding, parsed.delimiter, parsed.orders.length]).toEqual(['cp932', '\t', 6]);
    // Read as UTF-8, CP932 headers are mojibake: no order column is found.
    expect(
      formatError(() => parseOrderFile(encodeCp932(comma), { encoding: 'utf-8' }, 'f.csv')).message,
    ).toMatch(/^f\.csv: 列がありません: 注文番号/);
  });

  it('keeps quotes, delimiters and CRLF newlines inside quoted fields', () => {
    const edited = rows.map((r, i) => (i === 0 ? { ...r, コメント: '一行目, "引用"\r\n二行目\r\n' } : r));
    const [first] = okOrders(normalizeAll(encodeCp932(csvText(RAKUTEN_COLUMNS, edited))));
    expect(first!.customerRemarks).toBe('一行目, "引用"\n二行目');
  });

  it('reads unquoted files, and machine-dependent characters only CP932 has', () => {
    const text =
      '注文番号,注文日時,商品コード,商品名,個数,単価,注文者氏名\r\nA-1,2024-04-22 10:00,X1,Ⅲ型 ①番 ㈱印 ～,1,100,髙橋 はしご\r\n';
    const [o] = okOrders(normalizeAll(iconv.encode(text, 'cp932')));
    expect(o!.lines[0]!.name).toBe('Ⅲ型 ①番 ㈱印 ～');
    expect(o!.orderer.name).toBe('髙橋 はしご');
  });
});

describe('refused files name what is missing', () => {
  const rows = rakutenSample(2);

  it('a Rakuten export without 注文番号 and 商品管理番号', () => {
    const headers = RAKUTEN_COLUMNS.filter((h) => h !== '注文番号' && h !== '商品管理番号');
    const e = formatError(() =>
      parseOrderFile(encodeCp932(csvText(headers, rows)), { preset: 'rakuten' }, 'rms.csv'),
    );
    expect(e.message).toBe('rms.csv: 列がありません: 注文番号, 商品管理番号 (形式 rakuten)');
    expect(e.missingColumns).toEqual(['注文番号', '商品管理番号']);
    expect(e.retryable).toBe(false);
  });

  it('a Yahoo file read with the Rakuten preset', () => {
    const e = formatError(() =>
      parseOrderFile(fixture('yahoo-handwritten-cp932.csv'), { preset: 'rakuten' }, 'y.csv'),
    );
    expect(e.missingColumns).toEqual(['注文番号', '注文日時', '商品管理番号', '商品名', '個数', '単価']);
  });

  it('an unknown file (a Rakuten item CSV) with no settings', () => {
    const e = formatError(() =>
      parseOrderFile(fixture('rakuten-item-csv-not-orders-cp932.csv'), {}, 'items.csv'),
    );
    expect(e.message).toBe(
      'items.csv: 列がありません: 注文番号 / 受注番号 / 注文ID, 注文日時 / 受注日 / 注文日, 個数 / 数量 ' +
        '(どの形式の見出しとも合わないため、一般的な列名で探しました)',
    );
  });

  it('a columns mapping naming a header the file does not have', () => {
    const e = formatError(() =>
      parseOrderFile(
        fixture('custom-layout-utf8.tsv'),
        { columns: { cartOrderNo: '受注No', sku: '品番' } },
        'w.tsv',
      ),
    );
    // 注文日 and 品名 are found by the generic synonyms; 売価(税込) is not one.
    expect(e.message).toBe('w.tsv: 列がありません: 受注No, 単価 / 価格 / 販売価格 (列の指定 columns)');
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /no header row/],
    ['an unterminated quote', Buffer.from('注文番号,商品名\n"A-1,x\n', 'utf8'), /not readable as CSV/],
    ['bad settings', fixture('custom-layout-utf8.tsv'), /bad CSV settings: preset/],
  ])('%s', (_name, body, message) => {
    const settings = message.source.includes('settings') ? { preset: 'amazon' } : {};
    expect(formatError(() => parseOrderFile(body, settings, 'x.csv')).message).toMatch(message);
  });

  it('a header-only file is no orders, not an error', () => {
    expect(parseOrderFile(encodeCp932(csvText(RAKUTEN_COLUMNS, [])), {}, 'empty.csv').orders).toEqual([]);
  });
});

describe('a bad row rejects its order, the others come through', () => {
  const orders = generateOrders({ seed: 5, count: 8, from: FROM, to: TO }).map((o) => viewAt(o, TO));
  const nos = orders.map((v) => rakutenCsvOrderNo(v));
  const bad: Record<number, Record<string, string>> = {
    1: { 個数: '2個' },
    3: { 注文日時: '2024-02-30 10:00:00' },
    4: { 税率: '0.05' },
    5: { 商品名: '' },
    6: { 注文番号: '' },
  };
  const rows = orders.flatMap((v, i) =>
    rakutenRows(v, nos[i]!).map((r, j) => (j === 0 ? { ...r, ...bad[i] } : r)),
  );
  const results = normalizeAll(encodeCp932(csvText([...RAKUTEN_COLUMNS, '税率'], rows)), {}, 'day.csv');
  const rejected = results.filter((r) => !r.ok);

  it('good orders are normalized', () => {
    const good = results.filter((r) => r.ok).map((r) => (r.ok ? r.order.cartOrderNo : ''));
    // Order 6 lost the number on its first row only: its other rows (if any) still make an order.
    const sixRest = orders[6]!.lines.length > 1 ? [nos[6]] : [];
    expect(good).toEqual([nos[0], nos[2], ...sixRest, nos[7]]);
  });

  it.each([
    [1, 'lines[0].quantity (個数)', /row \d+ of day\.csv: not a whole number: "\d個"/],
    [3, 'orderedAt (注文日時)', /not a valid date-time: "2024-02-30 10:00:00"/],
    [4, 'lines[0].taxRate (税率)', /unsupported tax rate "0.05"/],
    [5, 'lines[0].name (商品名)', /empty/],
  ])('order %i: %s', (i, field, message) => {
    const r = rejected.find((x) => x.cartOrderNo === nos[i]);
    expect(r).toMatchObject({ ok: false, cartOrderNo: nos[i], field });
    expect(r && !r.ok && r.message).toMatch(message);
  });

  it('rows without an order number are a rejection of their own', () => {
    const orphans = rejected.filter((r) => r.cartOrderNo === null);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans[0]).toMatchObject({ field: 'cartOrderNo (注文番号)' });
  });
});

describe('a 2,000-row file', () => {
  const all = rakutenSample(1500, 2000);
  const rows = all.slice(0, 2000);
  const body = encodeCp932(csvText([...RAKUTEN_COLUMNS, '税率'], rows));

  it('yields each order exactly once with all its rows', () => {
    const started = performance.now();
    const parsed = parseOrderFile(body, {}, 'big.csv');
    const results = parsed.orders.map((raw) => normalizeCsv(raw, 'csv-main'));
    const ms = performance.now() - started;
    const distinct = new Set(rows.map((r) => r.注文番号));
    expect(parsed.rows).toBe(2000);
    expect(parsed.orders.length).toBe(distinct.size);
    expect(new Set(parsed.orders.map((o) => o.cartOrderNo)).size).toBe(distinct.size);
    expect(okOrders(results).reduce((s, o) => s + o.lines.length, 0)).toBe(2000);
    expect(ms).toBeLessThan(5000);
  });
});

describe('generic header synonyms (no preset, no mapping)', () => {
  it('reads a file of another shop system, 注文者名 alone being the whole name', () => {
    const text = [
      '受注番号,受注日時,商品コード,商品名,数量,販売価格,消費税率,注文者名,注文者郵便番号,注文者住所,お届け先名,お届け先郵便番号,お届け先住所,支払方法,備考',
      'S-1,2024/04/22 9:15,TSE-0013-9124,静岡深蒸し煎茶 100g,2,1296,8,中村 翔太,〒220-0012,神奈川県横浜市西区みなとみらい2-2-1,,,,クレジットカード,',
      'S-2,2024/04/22 9:20,00000940100,南部鉄器 急須 0.65L,1,8800,10,小林 陽菜,5300001,大阪府大阪市北区梅田3-1-3,小林 大輔,1000005,東京都千代田区丸の内1-9-1,銀行振込,午前中希望',
    ].join('\r\n');
    const parsed = parseOrderFile(iconv.encode(text, 'cp932'), {}, 'other.csv');
    expect(parsed.layout).toBe('generic');
    const [a, b] = okOrders(normalizeAll(iconv.encode(text, 'cp932')));
    expect(a!.orderer).toMatchObject({ name: '中村 翔太', postalCode: '220-0012', prefecture: '神奈川県' });
    expect(a!.shipTo).toEqual(a!.orderer);
    expect(a!.lines[0]).toMatchObject({ quantity: 2, unitPrice: 1296, taxRate: 8, taxAmount: 192 });
    expect(b!.shipTo).toMatchObject({ name: '小林 大輔', postalCode: '100-0005', prefecture: '東京都' });
    expect(b!.cartStatus).toBe('none');
    expect(b!.customerRemarks).toBe('午前中希望');
  });
});

describe('dates', () => {
  it.each([
    ['2024-04-22 10:03:12', null, '2024-04-22T01:03:12.000Z'],
    ['2024/4/22 9:05', null, '2024-04-22T00:05:00.000Z'],
    ['20240422100312', null, '2024-04-22T01:03:12.000Z'],
    ['2024年4月22日 10:03', null, '2024-04-22T01:03:00.000Z'],
    ['2024-04-22T10:03:12+09:00', null, '2024-04-22T01:03:12.000Z'],
    ['2024-04-22', null, '2024-04-21T15:00:00.000Z'],
    ['22.04.2024 10:03', 'DD.MM.YYYY HH:mm', '2024-04-22T01:03:00.000Z'],
    ['202404221003', 'YYYYMMDDHHmm', '2024-04-22T01:03:00.000Z'],
  ])('%s (format %s)', (text, format, iso) => {
    expect(parseCsvDateTime(text, format).toISOString()).toBe(iso);
  });

  it.each([['2024-13-01'], ['2024-02-30 10:00'], ['2024-04-22 24:00'], ['yesterday']])(
    '%s is refused',
    (text) => {
      expect(() => parseCsvDateTime(text)).toThrow();
    },
  );
});

describe('csvCart.rawOrdersFromRecorded', () => {
  it('reads a file with the settings given', () => {
    const raws = csvCart.rawOrdersFromRecorded(fixture('custom-layout-utf8.tsv'), {
      settings: {
        columns: { cartOrderNo: '受注番号', orderedAt: '注文日', unitPrice: '売価(税込)', sku: '品番' },
      },
    });
    expect(raws.map((r) => r.cartOrderNo)).toEqual(['W-0001', 'W-0002']);
    expect(raws[0]!.payload).toMatchObject({ preset: 'custom', rowNumbers: [2, 4] });
  });
});
