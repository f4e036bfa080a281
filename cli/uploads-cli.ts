// Upload history: each operator upload as stored (db/uploads.ts), its progress while it runs and
// its result after, and the rows it refused by line — the same as the screen's アップロード履歴.
import type { Command } from 'commander';
import { getUpload, listUploadErrors, listUploads } from '../db/uploads.js';
import { fail, out, withDb } from './runtime.js';

const STATE = { running: '処理中', succeeded: '完了', failed: '失敗' } as const;

export function registerUploadCommands(program: Command): void {
  const uploads = program
    .command('uploads')
    .description('Operator uploads (stock CSV): progress and results');
  uploads
    .command('list')
    .description('The latest uploads, newest first')
    .action(async () =>
      withDb(async ({ db }) => {
        for (const u of await listUploads(db, { limit: 20 }))
          out(
            `#${u.id} ${u.kind} ${u.fileName} ${STATE[u.status]} 反映 ${u.rowsApplied} エラー ${u.rowsFailed} ${u.actor} ${u.createdAt}`,
          );
      }),
    );
  uploads
    .command('show <id>')
    .description("One upload's progress or result, and the rows it refused")
    .action(async (id: string) =>
      withDb(async ({ db }) => {
        const u = /^\d+$/.test(id) ? await getUpload(db, Number(id)) : null;
        if (!u) fail(`アップロード #${id} はありません`);
        out(
          `#${u.id} ${u.kind} ${u.fileName}（${u.byteSize} bytes, sha256 ${u.sha256.slice(0, 12)}…）${STATE[u.status]}`,
        );
        out(
          `読込 ${u.rowsRead} 行・反映 ${u.rowsApplied}・エラー ${u.rowsFailed}（${u.actor}、${u.createdAt}）`,
        );
        if (u.error) out(u.error);
        for (const e of await listUploadErrors(db, u.id)) out(`✗ ${u.fileName} ${e.line} 行目: ${e.message}`);
        if (u.result) out(u.result.lines.at(-1) ?? '');
        if (u.status !== 'succeeded' || u.rowsFailed > 0) process.exitCode = 1;
      }),
    );
}
