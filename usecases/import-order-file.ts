// Operation: an order file uploaded for a CSV store, of any size, as one unit of the upload ledger
// (db/uploads.ts; issue 15 item 2). The file is known by store, kind and SHA-256: the same file
// again returns what the first sending did and imports nothing; a sending whose process died is
// taken up again once its lease runs out, and its pages already stored change nothing (orders are
// unique by store and 注文No). The import itself runs like any import — under the store's import
// lease (never overlapping the scheduled import), with its own run row, a page per transaction —
// and its progress and result are stored with the upload, so the screen shows them even after the
// browser that sent the file went away. A file that cannot be read is recorded as failed with why.
import type { RawOrder } from '../carts/contract.js';
import { CsvFormatError } from '../carts/csv/format-error.js';
import { csvCart } from '../carts/csv/index.js';
import { streamOrderFile } from '../carts/csv/parse.js';
import type { ByteSource } from '../carts/csv/table-stream.js';
import { rejectsOfRun } from '../db/import-rejects.js';
import type { Store } from '../db/stores.js';
import {
  claimUpload,
  failUpload,
  finishUpload,
  getUpload,
  noteUploadProgress,
  type UploadFile,
  type UploadView,
} from '../db/uploads.js';
import type { PageCounts } from '../domain/import-counts.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { UploadProgress } from './apply-upload.js';
import { type ImportDeps, runImport } from './run-import.js';

/** The store's order file, read in pages; one that is not an order file is the uploader's to fix. */
async function openOrderFile(
  src: ByteSource,
  settings: unknown,
  pageSize?: number,
): Promise<{ pages: AsyncIterable<readonly RawOrder[]>; rows: number }> {
  try {
    const f = await streamOrderFile(src, settings, pageSize ? { pageSize } : {});
    return { pages: readable(f.pages), rows: f.rows };
  } catch (e) {
    if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
    throw e;
  }
}

/** A file that turns out not to be CSV part way is a refusal too, like one that never was. */
async function* readable<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    for await (const p of pages) yield p;
  } catch (e) {
    if (e instanceof CsvFormatError) throw new RuleRefusal(e.message, 'unreadable_file');
    throw e;
  }
}

export interface OrderFileResult {
  uploadId: number;
  /** The same file was imported already (or is being imported now elsewhere): nothing was done. */
  repeated: boolean;
  status: UploadView['status'];
  runId: number | null;
  counts: Partial<PageCounts>;
  rejects: Array<{ id: number; cartOrderNo: string | null; field: string | null; error: string }>;
  lines: string[];
  /** Orders refused (kept in 取込エラー). */
  failed: number;
}

async function resultOf(deps: ImportDeps, u: UploadView, repeated: boolean): Promise<OrderFileResult> {
  const runId = u.result?.runId ?? null;
  const head = !repeated
    ? []
    : u.status === 'succeeded'
      ? [
          `${u.fileName}: 同じ内容のファイルはアップロード #${u.id}（${u.createdAt}）で取込済みです。今回は何も取り込んでいません`,
        ]
      : [`${u.fileName}: 同じ内容のファイルをアップロード #${u.id} として取込中です（${u.rowsRead} 件まで）`];
  return {
    uploadId: u.id,
    repeated,
    status: u.status,
    runId,
    counts: u.result?.counts ?? {},
    rejects: runId === null ? [] : await rejectsOfRun(deps.db, runId),
    lines: [...head, ...(repeated && u.status !== 'succeeded' ? [] : (u.result?.lines ?? []))],
    failed: u.result?.failed ?? u.rowsFailed,
  };
}

export async function importOrderFile(
  deps: ImportDeps,
  input: {
    store: Store;
    /** The bytes (read only once the upload is claimed: a repeated file is never read) and their identity. */
    src: ByteSource;
    file: Omit<UploadFile, 'kind' | 'scope' | 'actor'>;
    actor: string;
    onProgress?: (p: UploadProgress) => void;
    pageSize?: number;
  },
): Promise<OrderFileResult> {
  const { store, file } = input;
  const claim = await claimUpload(deps.db, {
    ...file,
    kind: 'orders',
    scope: store.code,
    actor: input.actor,
  });
  if (!claim.claimed) return resultOf(deps, claim.upload, true);
  const uploadId = claim.upload.id;
  const progress: UploadProgress = { uploadId, rowsRead: 0, rowsApplied: 0, rowsFailed: 0 };
  input.onProgress?.({ ...progress }); // claimed: the caller learns the upload's id at once
  try {
    const opened = await openOrderFile(input.src, store.settings, input.pageSize);
    const r = await runImport(deps, {
      store,
      trigger: 'upload',
      source: { kind: 'pages', pages: opened.pages, adapter: csvCart },
      actor: input.actor,
      onPage: async (c) => {
        progress.rowsRead = c.fetched;
        progress.rowsApplied = c.fetched - c.rejected;
        progress.rowsFailed = c.rejected;
        await noteUploadProgress(deps.db, uploadId, {
          read: progress.rowsRead,
          applied: progress.rowsApplied,
          failed: progress.rowsFailed,
        });
        input.onProgress?.({ ...progress });
      },
    });
    if (r.outcome === 'busy')
      throw new RuleRefusal(
        `${store.name} の取込が実行中です。終わってからもう一度アップロードしてください`,
        'import_running',
      );
    if (r.outcome !== 'succeeded') throw new Error(`${file.fileName}: 取込が ${r.outcome} で終わりました`);
    const c = r.counts;
    const rejects = await rejectsOfRun(deps.db, r.runId);
    const lines = [
      ...rejects.map(
        (x) =>
          `✗ ${file.fileName} 注文No ${x.cartOrderNo ?? '（なし）'}${x.field ? ` ${x.field}` : ''}: ${x.error}`,
      ),
      ...(c.rejected > rejects.length
        ? [`…ほか ${c.rejected - rejects.length} 件は取込エラー（取込 #${r.runId}）にあります`]
        : []),
      `${file.fileName}（${opened.rows} 行）: 新規 ${c.new} 件、更新 ${c.updated} 件、変更なし ${c.unchanged} 件、` +
        `エラー ${c.rejected} 件（${input.actor}、アップロード #${uploadId}、取込 #${r.runId}）`,
    ];
    await finishUpload(deps.db, uploadId, {
      ok: c.fetched - c.rejected,
      failed: c.rejected,
      ordersMoved: 0,
      lines,
      runId: r.runId,
      counts: { ...c, rows: opened.rows },
    });
  } catch (e) {
    await failUpload(deps.db, uploadId, e instanceof Error ? e.message : String(e)).catch(() => undefined);
    throw e;
  }
  return resultOf(deps, (await getUpload(deps.db, uploadId))!, false);
}
