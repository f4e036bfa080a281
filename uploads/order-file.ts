// An order file for a CSV store (the store's export layout, CP932 or UTF-8) from any source: its
// identity (SHA-256 and size, one streaming pass), then usecases/import-order-file.ts imports it
// as one upload, a page at a time (the same file twice imports nothing).
import type { ByteSource } from '../carts/csv/table-stream.js';
import type { Store } from '../db/stores.js';
import type { UploadProgress } from '../usecases/apply-upload.js';
import { importOrderFile, type OrderFileResult } from '../usecases/import-order-file.js';
import type { ImportDeps } from '../usecases/run-import.js';
import { sourceOf } from './columns.js';

export async function importOrderCsv(
  deps: ImportDeps,
  store: Store,
  input: Uint8Array | ByteSource,
  actor: string,
  opts: { file?: string; onProgress?: (p: UploadProgress) => void; pageSize?: number } = {},
): Promise<OrderFileResult> {
  const { src, sha256, byteSize } = await sourceOf(input, opts.file ?? 'orders.csv');
  return importOrderFile(deps, {
    store,
    src,
    file: { fileName: src.name, sha256, byteSize },
    actor,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
}
