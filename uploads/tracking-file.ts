// A carrier's result file as uploaded (Shift_JIS or UTF-8, comma or tab), of any size: its records
// read as a stream (carts/csv/table-stream.ts openRecords), the columns found by name in a title row
// among the first records or else by the carrier's positions (domain/labels/results.ts), each row
// handed to usecases/import-tracking.ts, which applies them in batches through the upload ledger.
import { CsvFormatError } from '../carts/csv/format-error.js';
import { type ByteSource, openRecords, type StreamedRecord } from '../carts/csv/table-stream.js';
import type { LabelCarrier } from '../domain/carrier-rules.js';
import {
  HEADER_SEARCH_ROWS,
  type ResultLayout,
  type ResultRow,
  resultLayout,
  resultRowOf,
} from '../domain/labels/results.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { ParsedRow, UploadProgress } from '../usecases/apply-upload.js';
import type { CartActionDeps } from '../usecases/enqueue-cart-actions.js';
import { importTracking, type TrackingImport } from '../usecases/import-tracking.js';
import { sourceOf } from './columns.js';

const unreadable = (file: string, e: unknown) =>
  new RuleRefusal(
    `${file}: CSV として読めません（${e instanceof CsvFormatError ? e.message : e instanceof Error ? e.message : String(e)}）`,
    'unreadable_file',
  );

/** The rows of a result file, one at a time; `layout` is known once the first records are read. */
async function* resultRows(
  src: ByteSource,
  carrier: LabelCarrier,
  onLayout: (l: ResultLayout) => void,
): AsyncGenerator<ParsedRow<ResultRow>> {
  let records: AsyncGenerator<StreamedRecord>;
  try {
    records = await openRecords(src, { relaxQuotes: true });
  } catch (e) {
    throw e instanceof CsvFormatError ? unreadable(src.name, e) : e;
  }
  const first: StreamedRecord[] = [];
  let layout: ResultLayout | null = null;
  let any = false;
  const rowOf = (r: StreamedRecord): ParsedRow<ResultRow> => {
    const got = resultRowOf(layout!, r.cells, r.rowNo);
    return 'row' in got ? { rowNo: r.rowNo, row: got.row } : { rowNo: r.rowNo, error: got.error.message };
  };
  try {
    for await (const r of records) {
      any = true;
      if (!layout) {
        first.push(r);
        if (first.length < HEADER_SEARCH_ROWS) continue;
        layout = resultLayout(
          carrier,
          first.map((x) => x.cells),
        );
        onLayout(layout);
        for (const [i, x] of first.entries()) if (i > layout.headerAt) yield rowOf(x);
        continue;
      }
      yield rowOf(r);
    }
  } catch (e) {
    throw e instanceof CsvFormatError ? unreadable(src.name, e) : e;
  }
  if (!any) throw new RuleRefusal(`${src.name}: 行がありません`, 'empty_file');
  if (!layout) {
    layout = resultLayout(
      carrier,
      first.map((x) => x.cells),
    );
    onLayout(layout);
    for (const [i, x] of first.entries()) if (i > layout.headerAt) yield rowOf(x);
  }
}

/** A result file from any source (a file on disk, a request stored to a temporary file, bytes in hand). */
export async function applyTrackingFile(
  deps: CartActionDeps,
  input: {
    carrier: LabelCarrier;
    file: Uint8Array | ByteSource;
    fileName: string;
    actor: string;
    onProgress?: (p: UploadProgress) => void;
    batchSize?: number;
  },
): Promise<TrackingImport> {
  const { src, sha256, byteSize } = await sourceOf(input.file, input.fileName);
  let read: ResultLayout['read'] | null = null;
  return importTracking(deps, {
    carrier: input.carrier,
    file: { fileName: src.name, sha256, byteSize, actor: input.actor },
    openRows: async () =>
      resultRows(src, input.carrier, (l) => {
        read = l.read;
      }),
    read: () => read,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.batchSize ? { batchSize: input.batchSize } : {}),
  });
}
