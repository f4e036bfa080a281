// Stock commands: levels, arrivals (入荷), corrections, CSV uploads.
import type { Command } from 'commander';
import { listStockLevels } from '../db/stock-levels.js';
import { applyStockCsv } from '../uploads/stock-csv.js';
import { correctStock } from '../usecases/correct-stock.js';
import { depsOf } from '../usecases/deps.js';
import { receiveStock } from '../usecases/receive-stock.js';
import { fail, withDb, withRuntime } from './runtime.js';
import { registerStockPushCommands } from './stock-push-cli.js';
import { uploadFromDisk } from './upload-file.js';

export function registerStockCommands(program: Command): void {
  const stock = program.command('stock').description('Stock per product and warehouse');
  registerStockPushCommands(stock);
  stock
    .command('list')
    .description('On hand, reserved and available per product × warehouse')
    .option('--product <code>', 'only this product')
    .action(async (o: { product?: string }) =>
      withDb(async ({ db }) => {
        for (const r of await listStockLevels(db, { productCode: o.product, limit: null }))
          process.stdout.write(
            `${r.productCode}  ${r.warehouse.padEnd(8)} on hand ${String(r.onHand).padStart(5)}  reserved ${String(r.reserved).padStart(5)}  available ${String(r.onHand - r.reserved).padStart(5)}  ${r.name}\n`,
          );
      }),
    );
  stock
    .command('receive')
    .description('入荷: stock arrived; waiting orders are re-allocated oldest first')
    .requiredOption('--product <code>', 'product code')
    .requiredOption('--warehouse <code>', 'warehouse code')
    .requiredOption('--quantity <n>', 'units received')
    .action(async (o: { product: string; warehouse: string; quantity: string }) =>
      // With the queues: the 在庫連携 actions the change records are delivered right after commit.
      withRuntime(async ({ db, queues }) => {
        const r = await receiveStock(
          { ...depsOf(db), queues },
          {
            productCode: o.product,
            warehouse: o.warehouse,
            quantity: Number(o.quantity),
          },
        ).catch((e: Error) => fail(e.message));
        const reserved = r.settled.allocated.reduce((n, a) => n + a.reserved, 0);
        process.stdout.write(
          `✓ ${o.product} @ ${o.warehouse}: on hand ${r.onHand}; ${reserved} units reserved for waiting orders; ${r.settled.moved.length} orders moved on\n`,
        );
      }),
    );
  stock
    .command('correct')
    .description('Stock count correction: set on hand to what was counted')
    .requiredOption('--product <code>', 'product code')
    .requiredOption('--warehouse <code>', 'warehouse code')
    .requiredOption('--counted <n>', 'units counted')
    .action(async (o: { product: string; warehouse: string; counted: string }) =>
      withRuntime(async ({ db, queues }) => {
        const r = await correctStock(
          { ...depsOf(db), queues },
          {
            productCode: o.product,
            warehouse: o.warehouse,
            counted: Number(o.counted),
          },
        ).catch((e: Error) => fail(e.message));
        process.stdout.write(
          `✓ ${o.product} @ ${o.warehouse}: on hand ${r.onHand}; ${r.releasedOrderIds.length} orders gave stock back\n`,
        );
      }),
    );
  stock
    .command('upload <file>')
    .description(
      'Arrivals or counts from a CSV of any size (columns: product_code, warehouse, quantity | counted); ' +
        'the same file again changes nothing; exits 1 when rows were refused',
    )
    .action(async (file: string) =>
      // With the queues, as receive/correct: each batch's 在庫連携 actions are delivered after its commit.
      withRuntime(({ db, queues }) =>
        uploadFromDisk(file, (src, onProgress) =>
          applyStockCsv({ ...depsOf(db), queues }, src, 'cli', src.name, { onProgress }),
        ),
      ),
    );
}
