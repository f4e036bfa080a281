// Operator CSV uploads (stock, shipment results, mappings) share the order-file reader: CP932 or
// UTF-8 (with or without BOM), comma or tab. Columns are found by any of their usual Japanese or
// English names. A file that cannot be read, or lacks a column, is a refusal naming what is wrong.
import { CsvFormatError } from '../carts/csv/format-error.js';
import { headerKey, readTable } from '../carts/csv/table.js';
import { RuleRefusal } from '../domain/refusal.js';

export interface UploadRow {
  rowNo: number;
  get(field: string): string;
  /** Whether the file has the field's column at all (an optional one may be missing). */
  has(field: string): boolean;
}

/** Reads the file and maps each wanted field to a column; a missing column is named in the error. */
export function readUpload(
  buf: Uint8Array,
  file: string,
  fields: Record<string, readonly string[]>,
  optional: readonly string[] = [],
): UploadRow[] {
  const table = readFile(buf, file);
  const keys = new Map(table.headers.map((h) => [headerKey(h), h]));
  const column: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const [field, names] of Object.entries(fields)) {
    const hit = names.map((n) => keys.get(headerKey(n))).find((h) => h !== undefined);
    column[field] = hit;
    if (!hit && !optional.includes(field)) missing.push(`${field} (${names.join(' / ')})`);
  }
  if (missing.length)
    throw new RuleRefusal(`${file}: missing columns: ${missing.join(', ')}`, 'missing_columns');
  return table.rows.map((row, i) => ({
    rowNo: table.rowNumbers[i]!,
    get: (field: string) => {
      const h = column[field];
      return h ? (row[h] ?? '').trim() : '';
    },
    has: (field: string) => column[field] !== undefined,
  }));
}

function readFile(buf: Uint8Array, file: string): ReturnType<typeof readTable> {
  try {
    return readTable(buf, file);
  } catch (e) {
    if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
    throw e;
  }
}
