// Step of an import (run-import.ts) for a cart whose orders arrive as files (CSV): the inbox's files
// one at a time, oldest first, each read as a stream a page at a time (each page its own
// transaction, as every import page). Every file is recorded before it is read (db/inbox-files.ts),
// so a file that was being read when its worker died is set aside on the next attempt instead of
// crashing a second worker; a file that is not an order file is set aside too, with its reason. A
// file whose orders are all in moves to processed/ at once. The files set aside are returned: the
// import then ends as failed, naming them.
import type { FileInbox, RawOrder } from '../carts/contract.js';
import { isCartError } from '../carts/errors.js';
import { beginInboxFile, inboxFileFailed, inboxFileImported, inboxFileWaiting } from '../db/inbox-files.js';
import type { UseCaseDeps } from './deps.js';

export interface SetAsideFile {
  name: string;
  reason: string;
}

function crashReason(dir: string, attempts: number): string {
  return (
    `前回の取込がこのファイルを読んでいる途中で終わりませんでした（ワーカーの停止・メモリ不足など、${attempts} 回目）。` +
    `もう一度読むとまたワーカーを止めるおそれがあるため、${dir}/failed/ に移しました。` +
    '内容を確かめて受信フォルダーに戻すと、次の取込でもう一度読みます'
  );
}

export async function importInboxFiles(
  deps: UseCaseDeps,
  input: {
    storeId: number;
    runId: number;
    inbox: FileInbox;
    /** Imports one page (the run's page step: its transaction, counts and lease renewal). */
    page: (orders: readonly RawOrder[]) => Promise<void>;
  },
): Promise<{ imported: number; setAside: SetAsideFile[] }> {
  const { inbox } = input;
  const setAside: SetAsideFile[] = [];
  let imported = 0;
  const putAside = async (
    id: number,
    name: string,
    reason: string,
    file: Parameters<FileInbox['done']>[0],
  ) => {
    await inbox.setAside(file, reason);
    await inboxFileFailed(deps.db, id, reason);
    setAside.push({ name, reason });
  };
  for (const file of await inbox.files()) {
    const begun = await beginInboxFile(deps.db, { storeId: input.storeId, runId: input.runId, file });
    if (begun.before === 'imported') {
      // Its orders were stored; only the move to processed/ was lost.
      await inbox.done(file);
      continue;
    }
    if (begun.before === 'reading') {
      await putAside(begun.id, file.name, crashReason(inbox.dir, begun.attempts), file);
      continue;
    }
    let orders = 0;
    try {
      for await (const p of inbox.pages(file)) {
        await input.page(p.orders);
        orders += p.orders.length;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // Not an order file, or not CSV at all: reading it again cannot help.
      if (isCartError(e) && !e.retryable) {
        await putAside(begun.id, file.name, `取り込めないファイルです: ${message}`, file);
        continue;
      }
      await inboxFileWaiting(deps.db, begun.id, message).catch(() => undefined);
      throw e;
    }
    await inboxFileImported(deps.db, begun.id, orders);
    await inbox.done(file);
    imported++;
  }
  return { imported, setAside };
}
