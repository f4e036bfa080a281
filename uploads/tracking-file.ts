// A carrier's result file as uploaded (Shift_JIS or UTF-8, comma or tab): its records, read by the
// order files' reader, handed to usecases/import-tracking.ts, which finds the columns.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { decodeCsv, detectDelimiter } from '../carts/csv/table.js';
import type { LabelCarrier } from '../domain/carrier-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { CartActionDeps } from '../usecases/enqueue-cart-actions.js';
import { importTracking, type TrackingImport } from '../usecases/import-tracking.js';

export function readResultRecords(buf: Uint8Array, file: string): string[][] {
  const { text } = decodeCsv(buf, 'auto');
  try {
    return parse(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    }) as string[][];
  } catch (e) {
    throw new RuleRefusal(
      `${file}: CSV として読めません（${e instanceof Error ? e.message : String(e)}）`,
      'unreadable_file',
    );
  }
}

export async function applyTrackingFile(
  deps: CartActionDeps,
  input: { carrier: LabelCarrier; buf: Uint8Array; fileName: string; actor: string },
): Promise<TrackingImport> {
  const records = readResultRecords(input.buf, input.fileName);
  if (!records.length) throw new RuleRefusal(`${input.fileName}: 行がありません`, 'empty_file');
  return importTracking(deps, {
    carrier: input.carrier,
    records,
    fileName: input.fileName,
    sha256: createHash('sha256').update(input.buf).digest('hex'),
    actor: input.actor,
  });
}
