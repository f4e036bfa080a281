// Operator CSV uploads (stock, shipment results, mappings) share the order-file reader: CP932 or
// UTF-8 (with or without BOM), comma or tab. Columns are found by any of their usual Japanese or
// English names. A file that cannot be read, or lacks a column, is a refusal naming what is wrong.
import { createHash } from 'node:crypto';
import { CsvFormatError } from '../carts/csv/format-error.js';
import { headerKey, readTable } from '../carts/csv/table.js';
import { type ByteSource, bufferSource, openTable } from '../carts/csv/table-stream.js';
import { RuleRefusal } from '../domain/refusal.js';

export interface UploadRow {
  rowNo: number;
  get(field: string): string;
  /** Whether the file has the field's column at all (an optional one may be missing). */
  has(field: string): boolean;
}

/** Maps each wanted field to a column of the headers; a missing column is named in the error. */
function columnsOf(
  headers: readonly string[],
  file: string,
  fields: Record<string, readonly string[]>,
  optional: readonly string[],
): Record<string, string | undefined> {
  const keys = new Map(headers.map((h) => [headerKey(h), h]));
  const column: Record<string, string | undefined> = {};
  const missing: string[] = [];
  for (const [field, names] of Object.entries(fields)) {
    const hit = names.map((n) => keys.get(headerKey(n))).find((h) => h !== undefined);
    column[field] = hit;
    if (!hit && !optional.includes(field)) missing.push(`${field} (${names.join(' / ')})`);
  }
  if (missing.length)
    throw new RuleRefusal(`${file}: 列がありません: ${missing.join(', ')}`, 'missing_columns');
  return column;
}

function uploadRow(
  rowNo: number,
  row: Record<string, string>,
  column: Record<string, string | undefined>,
): UploadRow {
  return {
    rowNo,
    get: (field: string) => {
      const h = column[field];
      return h ? (row[h] ?? '').trim() : '';
    },
    has: (field: string) => column[field] !== undefined,
  };
}

/** Reads the file and maps each wanted field to a column; a missing column is named in the error. */
export function readUpload(
  buf: Uint8Array,
  file: string,
  fields: Record<string, readonly string[]>,
  optional: readonly string[] = [],
): UploadRow[] {
  const table = readFile(buf, file);
  const column = columnsOf(table.headers, file, fields, optional);
  return table.rows.map((row, i) => uploadRow(table.rowNumbers[i]!, row, column));
}

/**
 * The same, as a stream for files of any size: the headers are checked when the file is opened
 * (before any row), then the rows come one at a time. A file that turns out not to be CSV part way
 * is a refusal naming it.
 */
export async function streamUpload(
  src: ByteSource,
  fields: Record<string, readonly string[]>,
  optional: readonly string[] = [],
): Promise<AsyncGenerator<UploadRow>> {
  let table: Awaited<ReturnType<typeof openTable>>;
  try {
    table = await openTable(src);
  } catch (e) {
    if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
    throw e;
  }
  let column: Record<string, string | undefined>;
  try {
    column = columnsOf(table.headers, src.name, fields, optional);
  } catch (e) {
    await table.close();
    throw e;
  }
  return (async function* () {
    try {
      for await (const r of table.rows) yield uploadRow(r.rowNo, r.row, column);
    } catch (e) {
      if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
      throw e;
    }
  })();
}

/** The upload's identity: SHA-256 and size of its bytes (one streaming pass). */
export async function fingerprint(src: ByteSource): Promise<{ sha256: string; byteSize: number }> {
  const hash = createHash('sha256');
  let byteSize = 0;
  for await (const chunk of src.open()) {
    hash.update(chunk);
    byteSize += chunk.length;
  }
  return { sha256: hash.digest('hex'), byteSize };
}

/** An upload's bytes as a source that can be read again, and its identity (the ledger's key). */
export async function sourceOf(
  input: Uint8Array | ByteSource,
  file: string,
): Promise<{ src: ByteSource; sha256: string; byteSize: number }> {
  const src = input instanceof Uint8Array ? bufferSource(input, file) : input;
  return { src, ...(await fingerprint(src)) };
}

function readFile(buf: Uint8Array, file: string): ReturnType<typeof readTable> {
  try {
    return readTable(buf, file);
  } catch (e) {
    if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
    throw e;
  }
}
