// An order file → raw orders: one RawOrder per order number, its rows in file order. Pure (bytes in,
// objects out); used by the inbox adapter, the dashboard upload and `juchu parse --cart csv --file f`.
import { z } from 'zod';
import type { RawOrder } from '../contract.js';
import { CsvFormatError } from './format-error.js';
import { type ColumnMap, CSV_FIELDS, CSV_PRESETS, type CsvLayout, resolveLayout } from './layouts.js';
import { CSV_DELIMITERS, type CsvEncoding, encodingOf, readTable } from './table.js';
import { type ByteSource, openTable, type TableStream } from './table-stream.js';

const headerNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** A store's CSV settings (`AdapterOptions.settings`). */
export const csvSettingsSchema = z.object({
  /** The export layout. Without it (and without `columns`) the layout is detected from the headers. */
  preset: z.enum(CSV_PRESETS).optional(),
  /**
   * Field → header (or headers, first non-empty wins) for files of other layouts, or to override a
   * preset's column: `{ cartOrderNo: '受注番号', orderedAt: '注文日', sku: '品番', … }`. Fields not
   * given are found by the generic header synonyms.
   */
  columns: z.partialRecord(z.enum(CSV_FIELDS), headerNames).optional(),
  /** `auto` (BOM, else valid UTF-8, else CP932), or `utf-8`, `cp932` / `shift_jis` / `sjis`, `utf-16le`. */
  encoding: z
    .string()
    .default('auto')
    .refine((s) => encodingOf(s) !== null, { message: 'unknown encoding' })
    .transform((s) => encodingOf(s) as CsvEncoding),
  /** `auto` (the most frequent of , TAB ; in the header line), or one of them. `tab` means TAB. */
  delimiter: z
    .string()
    .default('auto')
    .transform((s) => (s === 'tab' || s === '\\t' ? '\t' : s))
    .pipe(z.enum(CSV_DELIMITERS)),
  /** Layout of date-times without an offset, e.g. `YYYY/MM/DD HH:mm` or `YYYYMMDDHHmmss`; default: detect. */
  dateFormat: z.string().min(2).optional(),
  /** Whether unit prices include tax when the file has no 税込別 column (default: per preset). */
  taxIncluded: z.boolean().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('JPY'),
  /** Folder the adapter reads order files from; read files move to `processed/` inside it. */
  inboxDir: z.string().min(1).optional(),
  /** File names the adapter reads (a regular expression, case-insensitive). */
  filePattern: z.string().default('\\.(csv|tsv|txt)$'),
  /** Files modified less than this long ago are left for the next run (an upload may still be writing). */
  minFileAgeMs: z.number().int().min(0).default(2000),
  /** Orders per page (one transaction each) when a file is read as a stream. */
  pageSize: z.number().int().min(1).max(5000).default(500),
});
export type CsvSettings = z.output<typeof csvSettingsSchema>;
export type CsvSettingsInput = z.input<typeof csvSettingsSchema>;

export function parseCsvSettings(settings: unknown, file = 'settings'): CsvSettings {
  const r = csvSettingsSchema.safeParse(settings ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new CsvFormatError(
    `bad CSV settings: ${issue.path.join('.') || '(settings)'}: ${issue.message}`,
    file,
  );
}

/**
 * The payload of a CSV RawOrder: every row of the order as the file had it (header → cell), plus
 * how the file was read, so that normalize needs nothing else.
 */
export interface CsvOrderPayload {
  /** File name the order came from. */
  file: string;
  /** `rakuten` | `yahoo` | `ec-cube`, or `custom` (a columns mapping) / `generic` (header synonyms). */
  preset: CsvLayout;
  /** Field → the file's headers that hold it, in order of preference. */
  columns: ColumnMap;
  rows: Array<Record<string, string>>;
  /** Spreadsheet row number of each row (header = 1), for messages. */
  rowNumbers: number[];
  dateFormat: string | null;
  taxIncluded: boolean | null;
  currency: string;
}

export interface ParsedOrderFile {
  orders: RawOrder[];
  /** How the file was read (shown by the dashboard upload and `juchu parse`). */
  layout: CsvLayout;
  encoding: string;
  delimiter: string;
  rows: number;
}

/**
 * Reads one order file. Rows are grouped into orders by order number (in order of first appearance;
 * the rows of one order need not be adjacent). A row without an order number becomes its own raw
 * order with `cartOrderNo: null`, which normalize rejects. Throws CsvFormatError for a file that is
 * not an order file of the configured (or any known) layout.
 */
export function parseOrderFile(buffer: Uint8Array, settings: unknown, fileName: string): ParsedOrderFile {
  const s = parseCsvSettings(settings, fileName);
  const table = readTable(buffer, fileName, { encoding: s.encoding, delimiter: s.delimiter });
  const { layout, columns } = resolveLayout(table.headers, s, fileName);
  const groups = new Map<string, number[]>();
  const orphans: number[] = [];
  table.rows.forEach((row, i) => {
    const no = orderNoOf(columns, row);
    if (no === undefined) orphans.push(i);
    else {
      const g = groups.get(no);
      if (g) g.push(i);
      else groups.set(no, [i]);
    }
  });
  const rawOf = (cartOrderNo: string | null, indexes: number[]): RawOrder =>
    rawOrder(
      { file: fileName, layout, columns, settings: s },
      cartOrderNo,
      indexes.map((i) => ({ row: table.rows[i]!, rowNo: table.rowNumbers[i]! })),
    );
  const orders = [...groups].map(([no, indexes]) => rawOf(no, indexes));
  for (const i of orphans) orders.push(rawOf(null, [i]));
  return {
    orders,
    layout,
    encoding: table.encoding,
    delimiter: table.delimiter,
    rows: table.rows.length,
  };
}

interface FileLayout {
  file: string;
  layout: CsvLayout;
  columns: ColumnMap;
  settings: CsvSettings;
}

/** The order number of a row: the first non-empty cell of the order-number columns. */
function orderNoOf(columns: ColumnMap, row: Record<string, string>): string | undefined {
  return columns.cartOrderNo!.map((h) => row[h]?.trim() ?? '').find((v) => v !== '');
}

function rawOrder(
  f: FileLayout,
  cartOrderNo: string | null,
  rows: ReadonlyArray<{ row: Record<string, string>; rowNo: number }>,
): RawOrder {
  const payload: CsvOrderPayload = {
    file: f.file,
    preset: f.layout,
    columns: f.columns,
    rows: rows.map((r) => r.row),
    rowNumbers: rows.map((r) => r.rowNo),
    dateFormat: f.settings.dateFormat ?? null,
    taxIncluded: f.settings.taxIncluded ?? null,
    currency: f.settings.currency,
  };
  return { cartOrderNo, payload };
}

/** Opens a pass over the file and resolves its layout (a file that is not an order file throws). */
async function openOrderTable(
  src: ByteSource,
  s: CsvSettings,
): Promise<{ table: TableStream; layout: FileLayout }> {
  const table = await openTable(src, { encoding: s.encoding, delimiter: s.delimiter });
  try {
    const { layout, columns } = resolveLayout(table.headers, s, src.name);
    return { table, layout: { file: src.name, layout, columns, settings: s } };
  } catch (e) {
    await table.close();
    throw e;
  }
}

export interface StreamedOrderFile {
  layout: CsvLayout;
  encoding: string;
  delimiter: string;
  /** Data rows in the file. */
  rows: number;
  /** The orders, `pageSize` at a time (a page is written in one transaction upstream). */
  pages: AsyncGenerator<RawOrder[]>;
}

/**
 * Reads an order file of any size as a stream, in two passes. The first notes, for each order
 * number, the row where its last row is (the rows of one order need not be adjacent); the second
 * collects each order's rows and hands the order on as soon as its last row is read, so only the
 * orders still open are held (one, in a file written order by order) besides that index of order
 * numbers. Throws CsvFormatError, before any page, for a file that is not an order file.
 */
export async function streamOrderFile(
  src: ByteSource,
  settings: unknown,
  opts: { pageSize?: number } = {},
): Promise<StreamedOrderFile> {
  const s = parseCsvSettings(settings, src.name);
  const pageSize = opts.pageSize ?? s.pageSize;
  const first = await openOrderTable(src, s);
  const lastRow = new Map<string, number>();
  let count = 0;
  for await (const { row, rowNo } of first.table.rows) {
    count++;
    const no = orderNoOf(first.layout.columns, row);
    if (no !== undefined) lastRow.set(no, rowNo);
  }
  async function* pages(): AsyncGenerator<RawOrder[]> {
    const { table, layout } = await openOrderTable(src, s);
    const open = new Map<string, Array<{ row: Record<string, string>; rowNo: number }>>();
    let page: RawOrder[] = [];
    for await (const r of table.rows) {
      const no = orderNoOf(layout.columns, r.row);
      if (no === undefined) page.push(rawOrder(layout, null, [r]));
      else {
        const rows = open.get(no) ?? [];
        rows.push(r);
        // A row past the first pass's last one (the file grew meanwhile) closes its order too.
        if ((lastRow.get(no) ?? 0) <= r.rowNo) {
          open.delete(no);
          page.push(rawOrder(layout, no, rows));
        } else open.set(no, rows);
      }
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    // Rows the first pass did not see end (the file changed between the passes): still orders.
    for (const [no, rows] of open) page.push(rawOrder(layout, no, rows));
    if (page.length) yield page;
  }
  return {
    layout: first.layout.layout,
    encoding: first.table.encoding,
    delimiter: first.table.delimiter,
    rows: count,
    pages: pages(),
  };
}

/** One order of a file (re-import), read as a stream: only its rows are kept. Null when absent. */
export async function findOrderInFile(
  src: ByteSource,
  settings: unknown,
  cartOrderNo: string,
): Promise<RawOrder | null> {
  const s = parseCsvSettings(settings, src.name);
  const { table, layout } = await openOrderTable(src, s);
  const rows: Array<{ row: Record<string, string>; rowNo: number }> = [];
  for await (const r of table.rows) if (orderNoOf(layout.columns, r.row) === cartOrderNo) rows.push(r);
  return rows.length ? rawOrder(layout, cartOrderNo, rows) : null;
}
