// Operation: an operator upload as one unit (issue 15 item 2), for files of any size. The file is
// known by its kind and SHA-256 (db/uploads.ts): sending the same file again returns what the first
// sending did and changes nothing; a sending whose process died (browser gone is no matter: the
// work never depended on it) resumes after the last row whose batch committed. Rows come as a
// stream and are applied `batchSize` at a time, each batch in one transaction together with the
// upload's progress, then its after-commit follow-up (the stock settle). The result is stored, so
// the screen or `juchu uploads show <id>` shows it whoever asks and whenever.
import type { Db } from '../db/db.js';
import {
  claimUpload,
  failUpload,
  finishUpload,
  getUpload,
  recordUploadBatch,
  refuseUpload,
  type UploadFile,
  type UploadResult,
  type UploadView,
} from '../db/uploads.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

/** A row as the upload's reader parsed it: the values, or why the row cannot be used. */
export type ParsedRow<R> = { rowNo: number; row: R; error?: undefined } | { rowNo: number; error: string };

export interface Refused {
  line: number;
  message: string;
}

export interface BatchEffect {
  refused: Refused[];
  /** After commit (e.g. settling the stock the batch changed); returns the orders moved on. */
  after?: () => Promise<number>;
  /** Lines for the result about what the batch did besides its rows (e.g. an order it could not ship). */
  notes?: string[];
}

export interface UploadProgress {
  uploadId: number;
  rowsRead: number;
  rowsApplied: number;
  rowsFailed: number;
}

export interface ApplyUploadInput<R> {
  file: UploadFile;
  /**
   * Checks the whole file before any row is applied (once claimed): refused rows mean nothing is
   * applied, and the upload is recorded failed with them (a file that applies whole or not at all).
   */
  check?: () => Promise<{
    errors: ReadonlyArray<{ line: number; column?: string; message: string }>;
    rows: number;
    lines: string[];
  } | null>;
  /** Opens the file's rows (only once the upload is claimed: a repeated file is never read). */
  openRows: () => Promise<AsyncIterable<ParsedRow<R>>>;
  /** Applies the good rows of a batch in its transaction; a rule's refusal of a row is returned, not thrown. */
  apply: (
    trx: Db,
    rows: ReadonlyArray<{ rowNo: number; row: R }>,
    upload: { id: number },
  ) => Promise<BatchEffect>;
  batchSize?: number;
  onProgress?: (p: UploadProgress) => void;
  /** What the summary line calls the effect (e.g. 反映). */
  verb?: string;
  /** The summary's words for the total the batches' follow-ups returned (default: orders moved on). */
  followUp?: (n: number) => string;
  /** Lines once every row is applied, before the summary (e.g. what still waits for a later file). */
  finish?: () => string[];
  /** What the stored result keeps besides the lines (e.g. a result file's carrier and counts). */
  resultExtra?: () => Partial<UploadResult>;
}

export interface ApplyUploadResult extends UploadResult {
  uploadId: number;
  /** The same file was applied already (or is being applied now elsewhere): nothing was done. */
  repeated: boolean;
  status: UploadView['status'];
}

/** Refused rows named in the result's lines (all of them are kept by line in upload_errors). */
const LINES_KEPT = 200;

function resultOf(u: UploadView, repeated: boolean): ApplyUploadResult {
  const r = u.result ?? { ok: u.rowsApplied, failed: u.rowsFailed, ordersMoved: 0, lines: [] };
  const lines =
    repeated && u.status === 'succeeded'
      ? [
          `${u.fileName}: 同じ内容のファイルはアップロード #${u.id}（${u.createdAt}）で反映済みです。今回は何も変えていません`,
          ...r.lines,
        ]
      : repeated
        ? [
            `${u.fileName}: 同じ内容のファイルをアップロード #${u.id} として処理中です（${u.rowsRead} 行まで）`,
          ]
        : r.lines;
  return { ...r, lines, uploadId: u.id, repeated, status: u.status };
}

export async function applyUpload<R>(
  deps: UseCaseDeps,
  input: ApplyUploadInput<R>,
): Promise<ApplyUploadResult> {
  const { file } = input;
  const batchSize = input.batchSize ?? 1000;
  const claim = await claimUpload(deps.db, file);
  if (!claim.claimed) return resultOf(claim.upload, true);
  const upload = claim.upload;
  const skipThrough = upload.appliedThrough; // rows of an earlier, interrupted sending
  const progress: UploadProgress = {
    uploadId: upload.id,
    rowsRead: upload.rowsRead,
    rowsApplied: upload.rowsApplied,
    rowsFailed: upload.rowsFailed,
  };
  const lines: string[] =
    skipThrough > 0
      ? [
          `${file.fileName}: 前回中断したアップロード #${upload.id} を ${skipThrough} 行目の次から再開しました`,
        ]
      : [];
  input.onProgress?.({ ...progress }); // claimed: the caller learns the upload's id at once
  let refusedLines = 0;
  let noteLines = 0;
  let ordersMoved = 0;
  let batch: ParsedRow<R>[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const good = rows.filter((r): r is { rowNo: number; row: R } => r.error === undefined);
    const parseRefused: Refused[] = rows.flatMap((r) =>
      r.error === undefined ? [] : [{ line: r.rowNo, message: r.error }],
    );
    const effect = await withTransaction(deps.db, async (trx) => {
      const e: BatchEffect = good.length ? await input.apply(trx, good, { id: upload.id }) : { refused: [] };
      const refused = [...parseRefused, ...e.refused].sort((a, b) => a.line - b.line);
      await recordUploadBatch(trx, upload.id, {
        through: rows.at(-1)!.rowNo,
        read: rows.length,
        applied: good.length - e.refused.length,
        refused,
      });
      return { ...e, refused };
    });
    if (effect.after) ordersMoved += await effect.after();
    progress.rowsRead += rows.length;
    progress.rowsApplied += good.length - (effect.refused.length - parseRefused.length);
    progress.rowsFailed += effect.refused.length;
    for (const r of effect.refused) {
      if (refusedLines++ < LINES_KEPT) lines.push(`✗ ${file.fileName} ${r.line} 行目: ${r.message}`);
    }
    for (const note of effect.notes ?? []) if (noteLines++ < LINES_KEPT) lines.push(note);
    input.onProgress?.({ ...progress });
  };

  try {
    const refusal = input.check ? await input.check() : null;
    if (refusal?.errors.length) {
      await refuseUpload(deps.db, upload.id, refusal);
      return resultOf((await getUpload(deps.db, upload.id))!, false);
    }
    for await (const r of await input.openRows()) {
      if (r.rowNo <= skipThrough) continue;
      batch.push(r);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (e) {
    await failUpload(deps.db, upload.id, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    throw e;
  }
  if (refusedLines > LINES_KEPT)
    lines.push(`…ほか ${refusedLines - LINES_KEPT} 行のエラーはアップロード #${upload.id} の詳細にあります`);
  if (noteLines > LINES_KEPT) lines.push(`…ほか ${noteLines - LINES_KEPT} 件は省略しました`);
  lines.push(...(input.finish?.() ?? []));
  lines.push(
    `${file.fileName}: ${progress.rowsApplied} 行を${input.verb ?? '反映'}、${progress.rowsFailed} 行はエラー。` +
      `${input.followUp ? input.followUp(ordersMoved) : `${ordersMoved} 件の注文が次のステータスへ`}（${file.actor}、アップロード #${upload.id}）`,
  );
  const result: UploadResult = {
    ...input.resultExtra?.(),
    ok: progress.rowsApplied,
    failed: progress.rowsFailed,
    ordersMoved,
    lines,
  };
  await finishUpload(deps.db, upload.id, result);
  return resultOf((await getUpload(deps.db, upload.id))!, false);
}
