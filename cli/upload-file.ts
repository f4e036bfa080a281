// The `… upload <file>` commands share one path: the file is read as a stream from disk (any size),
// a progress line is printed every two seconds while it runs (rows read, applied, refused, the
// upload's id), then the result's lines; the exit code is 1 when rows were refused or the upload did
// not finish, so a script notices.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type ByteSource, fileSource } from '../carts/csv/table-stream.js';
import type { UploadProgress } from '../usecases/apply-upload.js';
import { fail, out } from './runtime.js';

const n = (v: number) => v.toLocaleString('ja-JP');

export async function uploadFromDisk(
  file: string,
  work: (
    src: ByteSource,
    onProgress: (p: UploadProgress) => void,
  ) => Promise<{ lines: string[]; failed: number; status: string }>,
): Promise<void> {
  await stat(file).catch((e: NodeJS.ErrnoException) =>
    fail(`ファイル「${file}」を開けません（${e.code ?? e.message}）`),
  );
  let last = 0;
  const r = await work(fileSource(file, basename(file)), (p) => {
    if (Date.now() - last < 2000) return;
    last = Date.now();
    out(
      `… ${file}: ${n(p.rowsRead)} 行（反映 ${n(p.rowsApplied)}・エラー ${n(p.rowsFailed)}）アップロード #${p.uploadId}`,
    );
  }).catch((e: Error) => fail(e.message.startsWith(basename(file)) ? e.message : `${file}: ${e.message}`));
  for (const line of r.lines) out(line);
  if (r.failed > 0 || r.status !== 'succeeded') process.exitCode = 1;
}
