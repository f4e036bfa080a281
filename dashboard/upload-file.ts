// A file upload of any size: the request body goes to a temporary file as it arrives (constant
// memory), then the upload's work runs detached from the request. The answer waits a little for it
// (a small file's result comes back at once); a longer one answers 202 with the upload's id and the
// screen follows its progress at /api/uploads/:id. A browser that goes away changes nothing: the
// work goes on and its result is stored (db/uploads.ts).
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { type ByteSource, fileSource } from '../carts/csv/table-stream.js';
import { logger } from '../infra/logger.js';
import type { UploadProgress } from '../usecases/apply-upload.js';
import { badRequest, HttpError, uploadNameOf } from './http.js';

/** The largest file a screen may send (a million stock rows is about 30 MB). */
export const UPLOAD_MAX_BYTES = 512 * 1024 * 1024;
/** How long the answer waits for the result before it says 202 (the work goes on). */
export const UPLOAD_WAIT_MS = 10_000;

/** The request body in a temporary file (constant memory); `dispose` removes it. */
export async function receiveFile(req: Request): Promise<{ src: ByteSource; dispose: () => Promise<void> }> {
  const base = join(tmpdir(), 'juchu-uploads');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'u-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'body');
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > UPLOAD_MAX_BYTES)
        done(
          new HttpError(
            413,
            `ファイルが大きすぎます（${UPLOAD_MAX_BYTES / 1024 / 1024} MB まで）`,
            'too_large',
          ),
        );
      else done(null, chunk);
    },
  });
  try {
    await pipeline(req, limit, createWriteStream(path));
  } catch (e) {
    await dispose();
    throw e instanceof HttpError ? e : badRequest('ファイルを受け取れませんでした（接続が切れました）');
  }
  if (size === 0) {
    await dispose();
    throw badRequest('ファイルが空です');
  }
  return { src: fileSource(path, uploadNameOf(req)), dispose };
}

export interface UploadRunning {
  status: 'running';
  uploadId: number | null;
  message: string;
}

/**
 * Receives the file, starts `work` on it and answers with its result, or with 202 and the upload's
 * id when it takes longer than UPLOAD_WAIT_MS.
 */
export async function runFileUpload<T>(
  req: Request,
  res: Response,
  work: (src: ByteSource, onProgress: (p: UploadProgress) => void) => Promise<T>,
  waitMs = UPLOAD_WAIT_MS,
): Promise<T | UploadRunning> {
  const { src, dispose } = await receiveFile(req);
  let uploadId: number | null = null;
  let claimed!: () => void;
  const known = new Promise<void>((resolve) => {
    claimed = resolve;
  });
  const job = work(src, (p) => {
    uploadId = p.uploadId;
    claimed();
  }).finally(() => dispose().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  // Late: the wait is over AND the upload is recorded, so a 202 always carries the id to follow.
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  })
    .then(() => known)
    .then(() => 'late' as const);
  const first = await Promise.race([job, late]).finally(() => clearTimeout(timer));
  if (first !== 'late') return first;
  // Nobody awaits it any more: its failure is stored with the upload and logged here.
  job.catch((e: unknown) =>
    logger.error({ err: String(e), file: src.name }, 'upload failed after its answer'),
  );
  res.status(202);
  return {
    status: 'running',
    uploadId,
    message: `${src.name} を処理しています（アップロード #${uploadId ?? '?'}）。この画面を閉じても処理は続きます`,
  };
}
