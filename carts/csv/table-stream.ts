// The CSV reader as a stream, for files of any size in constant memory: bytes come from a source
// that can be opened again (a file, an upload's stored chunks), are decoded with iconv-lite's
// streaming decoder and parsed with csv-parse's stream API, a record at a time. It reads a file
// exactly as `readTable` does (same encoding rule, delimiter rule, headers, blank rows and row
// numbers); only the whole-file `auto` encoding check is a pass of its own over the bytes.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { CsvFormatError } from './format-error.js';
import {
  type CsvDelimiter,
  type CsvEncoding,
  detectDelimiter,
  headerNames,
  isBlankRecord,
  rowOf,
} from './table.js';

/** Bytes that can be read again from the start (each pass opens them anew). */
export interface ByteSource {
  /** The file name messages give. */
  readonly name: string;
  open(): AsyncIterable<Uint8Array>;
}

const CHUNK = 64 * 1024;

export function fileSource(path: string, name = path): ByteSource {
  return { name, open: () => createReadStream(path, { highWaterMark: CHUNK }) };
}

export function bufferSource(buf: Uint8Array, name: string, chunkSize = CHUNK): ByteSource {
  return {
    name,
    async *open() {
      for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
    },
  };
}

/**
 * The longest record read (characters). A 15,000,000-character remark is still a record (normalize
 * rejects it naming the field); beyond this the file is not read as CSV, so one line can never
 * take a worker's heap.
 */
export const MAX_RECORD_CHARS = 20_000_000;

type Encoding = Exclude<CsvEncoding, 'auto'>;

/**
 * `auto` as `decodeCsv` decides it: a BOM (UTF-8, UTF-16LE), else UTF-8 when every byte of the file
 * is valid UTF-8 (checked in one streaming pass that stops at the first bad byte), else CP932.
 */
export async function sniffEncoding(src: ByteSource, requested: CsvEncoding = 'auto'): Promise<Encoding> {
  if (requested !== 'auto') return requested;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of src.open()) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return 'utf-8';
        if (chunk[0] === 0xff && chunk[1] === 0xfe) return 'utf-16le';
      }
      decoder.decode(chunk, { stream: true });
    }
    decoder.decode();
    return 'utf-8';
  } catch (e) {
    if (e instanceof TypeError) return 'cp932'; // not UTF-8 (the fatal decoder's error)
    throw e;
  }
}

/** The decoded text, a chunk at a time (a BOM dropped, as `decodeCsv` does). */
async function* decodedText(src: ByteSource, encoding: Encoding): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding === 'utf-8' ? 'utf8' : encoding, { stripBOM: true });
  for await (const chunk of src.open()) {
    const s = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Text up to the end of the header line (or 1 MB): enough to tell the delimiter. */
async function headerText(text: AsyncIterator<string>): Promise<{ head: string; done: boolean }> {
  let head = '';
  for (;;) {
    const next = await text.next();
    if (next.done) return { head, done: true };
    head += next.value;
    if (/[\r\n]/.test(head.replace(/"[^"]*"/g, '')) || head.length > 1_000_000) return { head, done: false };
  }
}

export interface StreamedRow {
  /** Spreadsheet row number (header = row 1), as readTable's rowNumbers. */
  rowNo: number;
  row: Record<string, string>;
}

export interface TableStream {
  encoding: Encoding;
  delimiter: ',' | '\t' | ';';
  headers: string[];
  /** The data records, one at a time; iterate once. Stopping early closes the source. */
  rows: AsyncGenerator<StreamedRow>;
  /** Closes the source without reading the rows (a caller that refuses the headers). */
  close(): Promise<void>;
}

function formatError(e: unknown, file: string): unknown {
  if (e instanceof CsvError)
    return new CsvFormatError(
      e.code === 'CSV_MAX_RECORD_SIZE'
        ? `a record longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (line ${String((e as { lines?: number }).lines ?? '?')})`
        : `not readable as CSV: ${e.message}`,
      file,
      [],
      { cause: e },
    );
  return e;
}

/** Opens the file for reading: its encoding and delimiter decided, its header row read. */
export async function openTable(
  src: ByteSource,
  opts: { encoding?: CsvEncoding; delimiter?: CsvDelimiter } = {},
): Promise<TableStream> {
  const encoding = await sniffEncoding(src, opts.encoding ?? 'auto');
  const text = decodedText(src, encoding);
  const { head, done } = await headerText(text);
  const delimiter = !opts.delimiter || opts.delimiter === 'auto' ? detectDelimiter(head) : opts.delimiter;
  const parser = parse({ delimiter, relax_column_count: true, max_record_size: MAX_RECORD_CHARS });
  const input = Readable.from(
    (async function* () {
      if (head) yield head;
      if (!done) yield* text;
    })(),
  );
  // Errors of either side surface in the iteration below; the promise only must not go unhandled.
  const piped = pipeline(input, parser).catch(() => undefined);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let first: IteratorResult<string[]>;
  try {
    first = await records.next();
  } catch (e) {
    throw formatError(e, src.name);
  }
  let headers: string[];
  try {
    headers = headerNames(first.done ? undefined : first.value, src.name);
  } catch (e) {
    parser.destroy();
    throw e;
  }
  async function* rows(): AsyncGenerator<StreamedRow> {
    let i = 0;
    try {
      for (;;) {
        let next: IteratorResult<string[]>;
        try {
          next = await records.next();
        } catch (e) {
          throw formatError(e, src.name);
        }
        if (next.done) break;
        const cells = next.value;
        i++;
        if (!isBlankRecord(cells)) yield { rowNo: i + 1, row: rowOf(headers, cells) };
      }
    } finally {
      parser.destroy();
      await piped;
    }
  }
  return {
    encoding,
    delimiter,
    headers,
    rows: rows(),
    async close() {
      parser.destroy();
      await piped;
    },
  };
}

export interface StreamedRecord {
  /** Spreadsheet row number (the first record = row 1). */
  rowNo: number;
  cells: string[];
}

/**
 * The file's records as they are, without taking the first as headers (a carrier's result file may
 * have no title row, or one after a line or two): encoding and delimiter decided as openTable does,
 * blank records dropped with the row numbers of the others kept exact. `relaxQuotes` reads a stray
 * quote inside a field as text (the carriers' software writes some).
 */
export async function openRecords(
  src: ByteSource,
  opts: { relaxQuotes?: boolean } = {},
): Promise<AsyncGenerator<StreamedRecord>> {
  const encoding = await sniffEncoding(src, 'auto');
  const text = decodedText(src, encoding);
  const { head, done } = await headerText(text);
  const parser = parse({
    delimiter: detectDelimiter(head),
    relax_column_count: true,
    relax_quotes: opts.relaxQuotes ?? false,
    max_record_size: MAX_RECORD_CHARS,
  });
  const input = Readable.from(
    (async function* () {
      if (head) yield head;
      if (!done) yield* text;
    })(),
  );
  const piped = pipeline(input, parser).catch(() => undefined);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  return (async function* () {
    let i = 0;
    try {
      for (;;) {
        let next: IteratorResult<string[]>;
        try {
          next = await records.next();
        } catch (e) {
          throw formatError(e, src.name);
        }
        if (next.done) break;
        i++;
        if (!isBlankRecord(next.value)) yield { rowNo: i, cells: next.value };
      }
    } finally {
      parser.destroy();
      await piped;
    }
  })();
}
