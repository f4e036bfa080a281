// The streaming reader reads every file as readTable does (the same records, headers, row numbers,
// encoding and delimiter), whatever the chunk boundaries: a CP932 character or a CRLF split across
// two chunks, a BOM in a chunk of its own, non-UTF-8 bytes only past the first megabyte.
import { readdirSync, readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvFormatError } from './format-error.js';
import { readTable } from './table.js';
import { bufferSource, MAX_RECORD_CHARS, openTable, sniffEncoding } from './table-stream.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const files = readdirSync(FIXTURES).filter((f) => /\.(csv|tsv)$/.test(f));

async function streamed(buf: Uint8Array, chunk: number, name = 'f.csv') {
  const t = await openTable(bufferSource(buf, name, chunk));
  const rows: Array<Record<string, string>> = [];
  const rowNumbers: number[] = [];
  for await (const r of t.rows) {
    rows.push(r.row);
    rowNumbers.push(r.rowNo);
  }
  return { encoding: t.encoding, delimiter: t.delimiter, headers: t.headers, rows, rowNumbers };
}

describe('openTable (stream) reads as readTable does', () => {
  for (const f of files)
    it(`${f}, in chunks of 1, 7 and 65,536 bytes`, async () => {
      const buf = readFileSync(new URL(f, FIXTURES));
      const whole = readTable(buf, f);
      for (const chunk of [1, 7, 65_536]) expect(await streamed(buf, chunk, f)).toEqual(whole);
    });

  it('keeps blank rows out and their row numbers exact; quoted newlines stay in the cell', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n,,\r\n\r\n2,z\r\n';
    const s = await streamed(Buffer.from(text), 3);
    expect(s).toEqual(readTable(Buffer.from(text), 't'));
    expect(s.rowNumbers).toEqual([2, 5]);
    expect(s.rows[0]).toEqual({ a: '1', b: 'x\r\ny' });
  });

  it('decides CP932 from a byte past the first megabyte, like the whole-file rule', async () => {
    const ascii = `code,name\r\n${'A-1,plain\r\n'.repeat(120_000)}`;
    const buf = Buffer.concat([Buffer.from(ascii), iconv.encode('B-2,髙橋①\r\n', 'cp932')]);
    expect(buf.length).toBeGreaterThan(1_200_000);
    expect(await sniffEncoding(bufferSource(buf, 'x'))).toBe('cp932');
    const s = await streamed(buf, 65_536);
    expect(s.rows.at(-1)).toEqual({ code: 'B-2', name: '髙橋①' });
    expect(s.rows).toHaveLength(120_001);
  });

  it('strips a UTF-8 BOM that arrives in a chunk of its own', async () => {
    const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('商品コード,数量\nA,1\n')]);
    const s = await streamed(buf, 3);
    expect(s.headers).toEqual(['商品コード', '数量']);
    expect(s.encoding).toBe('utf-8');
  });

  it('refuses a file that is not CSV, one with no header and a record past the limit', async () => {
    await expect(streamed(Buffer.from('a,b\n"open,1\n'), 4, 'bad.csv')).rejects.toThrow(CsvFormatError);
    await expect(streamed(Buffer.from('a,b\n"open,1\n'), 4, 'bad.csv')).rejects.toThrow(
      /^bad\.csv: not readable as CSV/,
    );
    await expect(streamed(Buffer.from('\n\n'), 4, 'empty.csv')).rejects.toThrow('empty.csv: no header row');
    const long = Buffer.from(`a,b\n1,${'x'.repeat(MAX_RECORD_CHARS + 10)}\n`);
    await expect(streamed(long, 1 << 20, 'long.csv')).rejects.toThrow(/long\.csv: a record longer than/);
  });
});
