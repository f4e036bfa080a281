// Order commands: list as the spec's JSON, change status (single, bulk, 自動確認), payments,
// cancels, reservation release (shipping stages: shipping-cli.ts).
import type { Command } from 'commander';
import { cartCancelOption } from '../carts/cancel-options.js';
import type { Db } from '../db/db.js';
import { findOrderId, listOrders } from '../db/order-list.js';
import { loadOrders, publicOrder } from '../db/orders.js';
import { loadStatuses } from '../db/statuses.js';
import { getStore, storeCredentials } from '../db/stores.js';
import { cancelOrders } from '../usecases/cancel-order.js';
import { changeStatuses } from '../usecases/change-status.js';
import { confirmOrdersAtCart } from '../usecases/confirm-orders-at-cart.js';
import { deleteOrder } from '../usecases/delete-order.js';
import { depsOf } from '../usecases/deps.js';
import type { CartActionQueue } from '../usecases/enqueue-cart-actions.js';
import { recordPayment } from '../usecases/record-payment.js';
import { releaseReservations } from '../usecases/release-reservations.js';
import type { ChangeResult } from '../usecases/results.js';
import { fail, withDb, withRuntime } from './runtime.js';

export const cliActor = () => `cli:${process.env.USER ?? 'admin'}`;

/** 受注No ("00000012" or "12") or store:cartOrderNo → order id. */
export async function orderIdOf(db: Db, ref: string): Promise<number> {
  const m = /^([a-z0-9-]+):(.+)$/.exec(ref);
  if (m) return (await findOrderId(db, { store: m[1]!, cartOrderNo: m[2]! })) ?? fail(`no order ${ref}`);
  if (!/^\d+$/.test(ref)) fail(`"${ref}" is neither a 受注No nor store:cartOrderNo`);
  return (await findOrderId(db, { orderNo: Number(ref) })) ?? fail(`no order with 受注No ${ref}`);
}

export function printResults(results: ChangeResult[]): void {
  for (const r of results) process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.orderNo}  ${r.message}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`${results.length - failed} done, ${failed} refused\n`);
}

export const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').filter(Boolean)];

/** A repeatable --order that came empty (`--order ''`, `--order ,`) is refused, not "0 done". */
function requireOrders(refs: readonly string[]): void {
  if (refs.length === 0) fail('give at least one order: --order <受注No or store:cartOrderNo>');
}

export function registerOrderCommands(program: Command): void {
  program
    .command('orders')
    .description('List orders (newest first) as a table, or as the spec JSON with --json')
    .option('--status <code>', 'only this status code')
    .option('--store <code>', 'only this store')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print the order JSON (spec §6), one array')
    .action(async (o: { status?: string; store?: string; limit: string; json?: boolean }) =>
      withDb(async ({ db }) => {
        const statuses = await loadStatuses(db);
        const page = await listOrders(db, statuses, {
          status: o.status,
          store: o.store,
          sort: 'orderedAt',
          dir: 'desc',
          size: Number(o.limit),
        });
        const orders = await loadOrders(
          db,
          page.rows.map((r) => r.id),
          statuses,
        );
        if (o.json) {
          process.stdout.write(`${JSON.stringify(orders.map(publicOrder), null, 2)}\n`);
          return;
        }
        for (const x of orders)
          process.stdout.write(
            `${x.orderNo}  ${x.store.padEnd(14)} ${x.cartOrderNo.padEnd(28)} ${x.orderedAt}  ${x.status.label}${x.status.reason ? `（${x.status.reason}）` : ''}\n`,
          );
        process.stdout.write(`${orders.length} orders\n`);
      }),
    );

  program
    .command('set-status')
    .description('Change the status of orders (use "auto" for 自動確認); a result per order')
    .requiredOption('--to <status>', 'target status code, or auto')
    .requiredOption('--order <ref...>', '受注No or store:cartOrderNo (repeatable)', collect, [])
    .option('--reason <text>', 'why (kept in the order history)')
    .action(async (o: { to: string; order: string[]; reason?: string }) =>
      // With the queues: a move to 出荷完了 records ship actions, delivered right after commit as
      // from the dashboard (opsOf), not a minute later by the sweep.
      withRuntime(async ({ db, queues }) => {
        requireOrders(o.order);
        const ids = await Promise.all(o.order.map((r) => orderIdOf(db, r)));
        printResults(
          await changeStatuses(
            { ...depsOf(db), queues },
            {
              orderIds: ids,
              target: o.to,
              actor: cliActor(),
              reason: o.reason,
            },
          ),
        );
      }),
    );

  program
    .command('payment')
    .description('Record a payment received (入金); 入金待ち orders move on')
    .requiredOption('--order <ref>', '受注No or store:cartOrderNo')
    .option('--at <iso>', 'when the money arrived (default now)')
    .action(async (o: { order: string; at?: string }) =>
      withDb(async ({ db }) => {
        const id = await orderIdOf(db, o.order);
        printResults([
          await recordPayment(depsOf(db), {
            orderId: id,
            paidAt: o.at ? new Date(o.at) : new Date(),
            actor: cliActor(),
          }),
        ]);
      }),
    );

  program
    .command('cancel')
    .description(
      'Cancel an order (キャンセル指示待ち → 済み, or → 対応中 after the shipping instruction); --at-cart tells the cart too where its API allows',
    )
    .requiredOption('--order <ref...>', '受注No or store:cartOrderNo', collect, [])
    .option('--reason <text>', 'why', 'オペレーターによるキャンセル')
    .option('--complete', 'the warehouse confirmed it stopped the parcel (キャンセル対応中 → 済み)')
    .option('--too-late', 'the warehouse shipped it anyway (キャンセル対応中 → 出荷完了, flagged)')
    .option(
      '--at-cart',
      'cancel at the cart too (Rakuten cancelOrder, Yahoo! status change, Shopify orderCancel, makeshop); other carts: by hand',
    )
    .option('--cart-reason <code>', "the cart's cancel reason code (juchu cancel-reasons <store> lists them)")
    .action(
      async (o: {
        order: string[];
        reason: string;
        complete?: boolean;
        tooLate?: boolean;
        atCart?: boolean;
        cartReason?: string;
      }) => {
        const step = o.complete ? 'complete' : o.tooLate ? 'too-late' : 'request';
        if ((o.atCart || o.cartReason) && step !== 'request')
          fail('--at-cart and --cart-reason go with the cancel request, not with --complete or --too-late');
        if (o.cartReason && !o.atCart) fail('--cart-reason needs --at-cart');
        const run = async (db: Db, key: Buffer, queues?: CartActionQueue) => {
          requireOrders(o.order);
          const ids = await Promise.all(o.order.map((r) => orderIdOf(db, r)));
          printResults(
            await cancelOrders(
              { ...depsOf(db), queues, key },
              {
                orderIds: ids,
                step,
                actor: cliActor(),
                reason: o.reason,
                atCart: o.atCart === true,
                cartReason: o.cartReason ?? null,
              },
            ),
          );
        };
        // At the cart: with the queues, so the cancel's delivery job is enqueued as soon as it commits.
        return o.atCart
          ? withRuntime(({ db, queues, config }) => run(db, config.JUCHU_SECRET_KEY, queues))
          : withDb(({ db, config }) => run(db, config.JUCHU_SECRET_KEY));
      },
    );

  program
    .command('confirm-at-cart')
    .description(
      '注文確認: tell Rakuten the shop confirmed these 100 注文確認待ち orders (confirmOrder, ≤ 100 a call)',
    )
    .requiredOption('--order <ref...>', '受注No or store:cartOrderNo (repeatable)', collect, [])
    .action(async (o: { order: string[] }) =>
      withRuntime(async ({ db, queues }) => {
        requireOrders(o.order);
        const ids = await Promise.all(o.order.map((r) => orderIdOf(db, r)));
        printResults(
          await confirmOrdersAtCart({ ...depsOf(db), queues }, { orderIds: ids, actor: cliActor() }),
        );
      }),
    );

  program
    .command('cancel-reasons <store>')
    .description("Whether a store's cart can be told of a cancel, and the reason codes it takes")
    .action(async (code: string) =>
      withDb(async ({ db, config }) => {
        const store = await getStore(db, code).catch(() => fail(`no store ${code}`));
        const credentials = await storeCredentials(db, store.id, config.JUCHU_SECRET_KEY);
        const option = cartCancelOption(store.cart, store.settings, credentials);
        process.stdout.write(`${store.code} (${store.cart}): ${option.note}\n`);
        for (const r of option.reasons)
          process.stdout.write(
            `  ${r.code.padEnd(10)} ${r.label}${r.code === option.defaultReason ? '  (default)' : ''}\n`,
          );
        if (!option.supported) process.exitCode = 1;
      }),
    );

  program
    .command('delete-order')
    .description('Delete a キャンセル済み order (the history stays)')
    .requiredOption('--order <ref>', '受注No or store:cartOrderNo')
    .action(async (o: { order: string }) =>
      withDb(async ({ db }) =>
        printResults([
          await deleteOrder(depsOf(db), { orderId: await orderIdOf(db, o.order), actor: cliActor() }),
        ]),
      ),
    );

  program
    .command('release')
    .description('受注在庫予約解除: release held stock from the selected orders')
    .option('--store <code...>', 'channel (store code)', collect, [])
    .option('--order <no...>', '受注No', collect, [])
    .option('--status <code...>', 'status code', collect, [])
    .option('--warehouse <code>', 'only stock held in this warehouse')
    .option('--product <code>', 'only this product')
    .requiredOption('--reason <text>', 'why (kept in each order history)')
    .action(
      async (o: {
        store: string[];
        order: string[];
        status: string[];
        warehouse?: string;
        product?: string;
        reason: string;
      }) =>
        withDb(async ({ db }) => {
          if (!o.store.length && !o.order.length && !o.status.length && !o.warehouse && !o.product)
            fail('select something: --store, --order, --status, --warehouse or --product');
          printResults(
            await releaseReservations(depsOf(db), {
              selection: {
                storeCodes: o.store,
                orderNos: o.order,
                statuses: o.status,
                warehouse: o.warehouse,
                productCode: o.product,
              },
              actor: cliActor(),
              why: o.reason,
            }),
          );
        }),
    );
}
