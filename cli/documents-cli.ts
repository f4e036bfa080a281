// 帳票 from the command line, under `juchu labels`: a batch's picking list and 納品書 (every order of
// the batch, or one order) as PDF (A4, the font embedded; the same batch gives the same bytes).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { depsOf } from '../usecases/deps.js';
import {
  type PrintedDocument,
  printBatchDeliveryNotes,
  printDeliveryNote,
  printPickingList,
} from '../usecases/print-documents.js';
import { orderIdOf } from './orders-cli.js';
import { fail, refused, withDb } from './runtime.js';

function batchOf(text: string): number {
  if (!/^\d+$/.test(text)) fail(`--batch must be a batch number (got "${text}")`);
  return Number(text);
}

async function save(d: PrintedDocument, out: string | undefined): Promise<void> {
  if (out === '-') process.stdout.write(d.bytes);
  else await writeFile(out ?? d.fileName, d.bytes);
  process.stderr.write(
    `${out && out !== '-' ? out : out === '-' ? 'stdout' : d.fileName}: ${d.orders} orders, ${d.bytes.length} bytes (PDF, A4)\n`,
  );
  for (const s of d.skipped) process.stderr.write(`- ${s.orderNo}  ${s.reason}\n`);
}

/** `labels picking` and `labels delivery-note`, added to the `labels` command. */
export function registerDocumentCommands(labels: Command): void {
  labels
    .command('picking')
    .description('The picking list of a batch as PDF: by warehouse and product, with the orders each goes to')
    .requiredOption('--batch <n>', 'batch number')
    .option('--out <file>', 'where to write it (default: its own name in this folder; - for stdout)')
    .action(async (o: { batch: string; out?: string }) =>
      withDb(async ({ db }) => {
        const d = await printPickingList(depsOf(db), { batchId: batchOf(o.batch) }).catch(refused);
        await save(d, o.out);
      }),
    );

  labels
    .command('delivery-note')
    .description(
      "納品書 as PDF: every order of a batch (--batch), or one order (--order); with the store's 登録番号 when it has one",
    )
    .option('--batch <n>', 'batch number')
    .option('--order <ref>', '受注No or store:cartOrderNo')
    .option('--out <file>', 'where to write it (default: its own name in this folder; - for stdout)')
    .action(async (o: { batch?: string; order?: string; out?: string }) =>
      withDb(async ({ db }) => {
        if (!o.batch === !o.order) fail('give either --batch <n> or --order <受注No or store:cartOrderNo>');
        const d = o.batch
          ? await printBatchDeliveryNotes(depsOf(db), { batchId: batchOf(o.batch) }).catch(refused)
          : await printDeliveryNote(depsOf(db), { orderId: await orderIdOf(db, o.order!) }).catch(refused);
        await save(d, o.out);
      }),
    );
}
