// Operation: an operator asks for a store's 在庫連携 full sync now (the stock screen's 全件照合,
// `juchu stock push --full`). The sync re-reads the cart, so it is not done in the request: it is
// queued as the push-stock job, which records what differs through request-stock-push. The job id is
// the store and the minute (jobIds.stockPush, as the scheduler's slot), so a double click, or a
// request in the minute of the scheduled sync, is one sync.
import { getStore } from '../db/stores.js';
import { jobIds } from '../jobs/catalogue.js';
import type { UseCaseDeps } from './deps.js';
import type { CartActionQueue } from './enqueue-cart-actions.js';

export async function requestFullStockSync(
  deps: UseCaseDeps & { queues: CartActionQueue },
  input: { storeCode: string },
): Promise<{ enabled: boolean; jobId: string | null; message: string }> {
  const store = await getStore(deps.db, input.storeCode);
  if (!store.settings.stockPush)
    return {
      enabled: false,
      jobId: null,
      message: `${store.name} は在庫連携がオフです（ストア設定 stockPush）。送信内容はドライランで確認できます`,
    };
  const jobId =
    (await deps.queues.add(
      'push-stock',
      { storeCode: store.code, full: true },
      { jobId: jobIds.stockPush(store.code, true, deps.now()) },
    )) ?? null;
  return { enabled: true, jobId, message: `${store.name} の在庫の全件照合を登録しました（ジョブ ${jobId}）` };
}
