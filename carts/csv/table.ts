// Bytes → a table of strings: detect the encoding (CP932, UTF-8 with or without BOM, Excel's UTF-16
// "Unicode text"), detect the delimiter (comma, tab, semicolon) and parse with csv-parse (quoted
// fields with newlines, CRLF). Pure: no I/O. Every cell stays a string — zip codes and phone numbers
// keep their leading zeros (carts.md §6).
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { CsvFormatError } from './format-error.js';

export const CSV_ENCODINGS = ['auto', 'utf-8', 'cp932', 'utf-16le'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];
export const CSV_DELIMITERS = ['auto', ',', '\t', ';'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** Names people write for the encodings we read; all Shift_JIS spellings decode as CP932 (carts.md §6). */
const ENCODING_ALIASES: Readonly<Record<string, Exclude<CsvEncoding, 'auto'> | 'auto'>> = {
  auto: 'auto',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf-8-sig': 'utf-8',
  cp932: 'cp932',
  ms932: 'cp932',
  'windows-31j': 'cp932',
  shift_jis: 'cp932',
  'shift-jis': 'cp932',
  sjis: 'cp932',
  'sjis-win': 'cp932',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
};

export function encodingOf(name: string): CsvEncoding | null {
  return (ENCODING_ALIASES[name.trim().toLowerCase()] as CsvEncoding | undefined) ?? null;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];

function startsWith(buf: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => buf[i] === b);
}

/**
 * Decodes the file. `auto`: a BOM decides (UTF-8 / UTF-16LE); otherwise bytes that are valid UTF-8 are
 * UTF-8 and anything else is CP932 — Japanese Shift_JIS text is practically never valid UTF-8, and
 * CP932 (not plain Shift_JIS) keeps ①, ㈱ and ～ (carts.md §6).
 */
export function decodeCsv(
  buf: Uint8Array,
  encoding: CsvEncoding = 'auto',
): { text: string; encoding: Exclude<CsvEncoding, 'auto'> } {
  let enc: Exclude<CsvEncoding, 'auto'>;
  if (encoding !== 'auto') enc = encoding;
  else if (startsWith(buf, UTF8_BOM)) enc = 'utf-8';
  else if (startsWith(buf, UTF16LE_BOM)) enc = 'utf-16le';
  else enc = isUtf8(buf) ? 'utf-8' : 'cp932';
  let text = enc === 'utf-8' ? Buffer.from(buf).toString('utf8') : iconv.decode(Buffer.from(buf), enc);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, encoding: enc };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(buf: Uint8Array): boolean {
  try {
    strictUtf8.decode(buf);
    return true;
  } catch {
    return false;
  }
}

/** The delimiter that occurs most often in the header line outside quotes (comma when none does). */
export function detectDelimiter(text: string): ',' | '\t' | ';' {
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  const best = (Object.keys(counts) as Array<keyof typeof counts>).reduce((a, b) =>
    counts[b] > counts[a] ? b : a,
  );
  return counts[best] > 0 ? best : ',';
}

export interface CsvTable {
  encoding: Exclude<CsvEncoding, 'auto'>;
  delimiter: ',' | '\t' | ';';
  /** Header names as keys of `rows`: trimmed; a repeated name gets `#2`, `#3` (EC-CUBE has two 送料). */
  headers: string[];
  /** One object per data record, header → cell (missing trailing cells are ''). */
  rows: Array<Record<string, string>>;
  /** Spreadsheet row number of each record (header = row 1). */
  rowNumbers: number[];
}

export function readTable(
  buf: Uint8Array,
  file: string,
  opts: { encoding?: CsvEncoding; delimiter?: CsvDelimiter } = {},
): CsvTable {
  const { text, encoding } = decodeCsv(buf, opts.encoding ?? 'auto');
  const delimiter = !opts.delimiter || opts.delimiter === 'auto' ? detectDelimiter(text) : opts.delimiter;
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new CsvFormatError(`not readable as CSV: ${e instanceof Error ? e.message : String(e)}`, file, [], {
      cause: e,
    });
  }
  const [head, ...body] = records;
  const headers = headerNames(head, file);
  const rows: Array<Record<string, string>> = [];
  const rowNumbers: number[] = [];
  body.forEach((cells, i) => {
    if (isBlankRecord(cells)) return;
    rows.push(rowOf(headers, cells));
    rowNumbers.push(i + 2);
  });
  return { encoding, delimiter, headers, rows, rowNumbers };
}

/** Header names as row keys: trimmed; a repeated name gets `#2`, `#3`. No header row is a format error. */
export function headerNames(head: readonly string[] | undefined, file: string): string[] {
  if (!head || head.every((h) => h.trim() === '')) throw new CsvFormatError('no header row', file);
  const seen = new Map<string, number>();
  return head.map((h) => {
    const name = h.trim();
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  });
}

/**
 * Spreadsheets leave rows of empty cells (",,,,") at the end of an edited export; blank lines come
 * back as one empty cell. Both are dropped, keeping the row numbers of the others exact.
 */
export function isBlankRecord(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/** One record as header → cell (missing trailing cells are ''). */
export function rowOf(headers: readonly string[], cells: readonly string[]): Record<string, string> {
  const row: Record<string, string> = {};
  headers.forEach((h, j) => {
    row[h] = cells[j] ?? '';
  });
  return row;
}

/** How headers are compared: NFKC (full-width ↔ half-width), no spaces, case-insensitive. */
export function headerKey(h: string): string {
  return h.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}
