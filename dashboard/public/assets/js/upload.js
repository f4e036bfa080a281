// An operator upload (mappings, shipment results, orders): the file is sent; a large one answers 202
// with its upload id and this follows its progress at /api/uploads/:id once a second, saying each
// step through `onRunning`. The work goes on on the server whether or not the screen stays open;
// its result is stored there (アップロード履歴, `juchu uploads show <id>`).
import { api, get } from './api.js';

const n = (v) => v.toLocaleString('ja-JP');

export async function sendUpload(url, file, onRunning) {
  let r = await api('POST', url, file);
  while (r.status === 'running' && r.uploadId) {
    onRunning(r.message);
    await new Promise((done) => setTimeout(done, 1000));
    const { upload } = await get(`/api/uploads/${r.uploadId}`);
    if (upload.status === 'running')
      r = {
        ...r,
        message: `${upload.fileName}: ${n(upload.rowsRead)} 行を処理（反映 ${n(upload.rowsApplied)}・エラー ${n(upload.rowsFailed)}）アップロード #${upload.id}`,
      };
    else
      return {
        ...(upload.result ?? {}),
        uploadId: upload.id,
        status: upload.status,
        failed: upload.rowsFailed,
        lines: upload.result?.lines ?? [upload.error ?? '失敗しました'],
      };
  }
  return r;
}
