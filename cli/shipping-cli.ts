// Shipping commands: 出荷指示, 出荷完了 (one order, or a shipment-result CSV of any size).
import type { Command } from 'commander';
import { applyShipmentCsv } from '../uploads/shipment-csv.js';
import { confirmShipment } from '../usecases/confirm-shipment.js';
import { depsOf } from '../usecases/deps.js';
import { instructShipping } from '../usecases/shipping-instruction.js';
import { cliActor, collect, orderIdOf, printResults } from './orders-cli.js';
import { withDb, withRuntime } from './runtime.js';
import { uploadFromDisk } from './upload-file.js';

export function registerShipCommands(program: Command): void {
  const ship = program.command('ship').description('Shipping stages: instruction and confirmation');
  ship
    .command('instruct')
    .description('出荷指示: ready orders that are fully held → 出荷作業中; those that lost stock → 在庫なし')
    .option('--store <code...>', 'only these stores', collect, [])
    .option('--order <ref...>', 'only these orders', collect, [])
    .action(async (o: { store: string[]; order: string[] }) =>
      withDb(async ({ db }) => {
        const orderIds = o.order.length ? await Promise.all(o.order.map((r) => orderIdOf(db, r))) : undefined;
        const r = await instructShipping(depsOf(db), {
          orderIds,
          storeCodes: o.store.length ? o.store : undefined,
          actor: cliActor(),
        });
        printResults(r.results);
        if (r.batchId)
          process.stdout.write(
            `shipping batch #${r.batchId} (juchu labels export --batch ${r.batchId} --carrier …)\n`,
          );
      }),
    );
  ship
    .command('confirm')
    .description('出荷完了: the parcel left; stock is consumed')
    .requiredOption('--order <ref>', '受注No or store:cartOrderNo')
    .option('--tracking <no>', 'tracking number (伝票番号)')
    .option('--carrier <name>', 'carrier (運送会社)')
    .action(async (o: { order: string; tracking?: string; carrier?: string }) =>
      // With the queues: the ship actions' delivery jobs are enqueued as soon as it commits.
      withRuntime(async ({ db, queues }) => {
        const id = await orderIdOf(db, o.order);
        printResults([
          await confirmShipment(
            { ...depsOf(db), queues },
            {
              orderId: id,
              trackingNumber: o.tracking,
              carrier: o.carrier,
              actor: cliActor(),
            },
          ),
        ]);
      }),
    );

  ship
    .command('upload <file>')
    .description(
      '出荷完了 from a shipment-result CSV of any size (受注No or 店舗+注文番号, 伝票番号); ' +
        'the same file again changes nothing; exits 1 when rows were refused',
    )
    .action(async (file: string) =>
      withRuntime(({ db, queues }) =>
        uploadFromDisk(file, (src, onProgress) =>
          applyShipmentCsv({ ...depsOf(db), queues }, src, cliActor(), src.name, { onProgress }),
        ),
      ),
    );
}
