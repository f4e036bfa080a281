// 送り状データ from the command line: shipping batches, each carrier's label file for a batch (the
// carrier's import layout, Shift_JIS), and the carrier's result file back (伝票番号 → 出荷完了).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { batchOrderIds, findBatch, listBatches } from '../db/shipping-batches.js';
import { ordersWithCarriers } from '../db/shipping-orders.js';
import { carrierLabel, isLabelCarrier, LABEL_CARRIERS, type LabelCarrier } from '../domain/carrier-rules.js';
import { applyTrackingFile } from '../uploads/tracking-file.js';
import { depsOf } from '../usecases/deps.js';
import { exportLabels } from '../usecases/export-labels.js';
import { createSelectionBatch } from '../usecases/record-shipping-batch.js';
import { registerDocumentCommands } from './documents-cli.js';
import { cliActor, orderIdOf } from './orders-cli.js';
import { fail, out, refused, withDb, withRuntime } from './runtime.js';
import { uploadFromDisk } from './upload-file.js';

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').filter(Boolean)];

function carrierOf(name: string): LabelCarrier {
  if (!isLabelCarrier(name)) fail(`--carrier must be one of ${LABEL_CARRIERS.join(', ')} (got "${name}")`);
  return name;
}

function batchOf(text: string): number {
  if (!/^\d+$/.test(text)) fail(`--batch must be a batch number (got "${text}")`);
  return Number(text);
}

export function registerLabelCommands(program: Command): void {
  const labels = program
    .command('labels')
    .description(
      '送り状データ: shipping batches, label files per carrier (B2クラウド, e飛伝, ゆうプリR), tracking numbers back',
    );

  labels
    .command('batches')
    .description('List shipping batches (one per 出荷指示 run, or a selection), newest first')
    .action(async () =>
      withDb(async ({ db }) => {
        for (const b of await listBatches(db, 50))
          out(
            `#${b.id}  ${b.shipDate}  ${b.source === 'instruction' ? '出荷指示' : '選択'}  ${b.orders} orders  ${b.createdBy}`,
          );
      }),
    );

  labels
    .command('show')
    .description("A batch's orders with their carriers and which rule chose each")
    .requiredOption('--batch <n>', 'batch number')
    .action(async (o: { batch: string }) =>
      withDb(async ({ db }) => {
        const id = batchOf(o.batch);
        const batch = (await findBatch(db, id)) ?? fail(`no batch #${id}`);
        out(`#${batch.id}  ${batch.shipDate}  ${batch.orders} orders`);
        const { orders, carriers } = await ordersWithCarriers(db, await batchOrderIds(db, id));
        for (const x of orders) {
          const c = carriers.get(x.id)!;
          out(`  ${x.orderNo}  ${c.carrier ? carrierLabel(c.carrier, c.method) : '未定'}  ${c.reason}`);
        }
      }),
    );

  labels
    .command('batch')
    .description('Make a batch of these 出荷作業中 orders (a selection)')
    .option('--order <ref...>', '受注No or store:cartOrderNo', collect, [])
    .action(async (o: { order: string[] }) =>
      withDb(async ({ db }) => {
        if (!o.order.length) fail('give at least one order: --order <受注No or store:cartOrderNo>');
        const ids = await Promise.all(o.order.map((r) => orderIdOf(db, r)));
        const r = await createSelectionBatch(depsOf(db), { orderIds: ids, actor: cliActor() }).catch(refused);
        out(`batch #${r.batchId}: ${r.orders} orders`);
      }),
    );

  labels
    .command('export')
    .description("Write one carrier's label file for a batch (the same batch gives the same bytes)")
    .requiredOption('--carrier <name>', LABEL_CARRIERS.join(' | '))
    .requiredOption('--batch <n>', 'batch number')
    .option('--out <file>', 'where to write it (default: its own name in this folder; - for stdout)')
    .action(async (o: { carrier: string; batch: string; out?: string }) =>
      withDb(async ({ db }) => {
        const f = await exportLabels(depsOf(db), {
          batchId: batchOf(o.batch),
          carrier: carrierOf(o.carrier),
          actor: cliActor(),
        }).catch(refused);
        if (o.out === '-') process.stdout.write(f.bytes);
        else await writeFile(o.out ?? f.fileName, f.bytes);
        const log = (line: string) => process.stderr.write(`${line}\n`);
        log(
          `${o.out && o.out !== '-' ? o.out : o.out === '-' ? 'stdout' : f.fileName}: ${f.orders} orders, ${f.rows} rows (${f.layout.name}, Shift_JIS, sha256 ${f.sha256.slice(0, 16)})`,
        );
        if (f.changedSinceLast) log('note: differs from the last export of this batch (an order changed)');
        for (const w of f.refused) log(`✗ ${w.orderNo}  ${w.message}`);
        for (const w of f.warnings) log(`! ${w.orderNo}  ${w.message}`);
        if (f.others.length) log(`${f.others.length} orders of the batch are not for this carrier`);
      }),
    );

  labels
    .command('import <file>')
    .description(
      "Read a carrier's result file (B2 発行済みデータ, e飛伝 出荷実績, ゆうプリR 発行済みデータ): 伝票番号 → 出荷完了",
    )
    .requiredOption('--carrier <name>', LABEL_CARRIERS.join(' | '))
    .action(async (file: string, o: { carrier: string }) => {
      const carrier = carrierOf(o.carrier);
      // Streamed from disk through the upload ledger: progress every 2 s, exit 1 when rows were refused.
      await withRuntime(({ db, queues }) =>
        uploadFromDisk(file, (src, onProgress) =>
          applyTrackingFile(
            { ...depsOf(db), queues },
            { carrier, file: src, fileName: src.name, actor: cliActor(), onProgress },
          ),
        ),
      );
    });

  registerDocumentCommands(labels);
}
