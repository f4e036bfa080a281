// 在庫連携 commands: `juchu stock push` (each store's free quantity to its cart; --dry-run shows what
// would go and sends nothing), `juchu stock pushes` (the last push per store × item, drift, failures)
// and `juchu stock safety set|list` (安全在庫 per store × product, through usecases/save-stock-safety.ts).
import type { Command } from 'commander';
import type { Db } from '../db/db.js';
import { pushStateOf } from '../db/stock-push.js';
import { listStores } from '../db/stores.js';
import type { Queues } from '../jobs/queues.js';
import { depsOf } from '../usecases/deps.js';
import { planStockPush } from '../usecases/push-stock.js';
import { requestFullStockSync } from '../usecases/request-full-stock-sync.js';
import { requestStockPush } from '../usecases/request-stock-push.js';
import { listStockSafety, setStockSafety } from '../usecases/save-stock-safety.js';
import { cliActor } from './orders-cli.js';
import { fail, out, withDb, withRuntime } from './runtime.js';

const jst = (d: Date | null) =>
  d ? new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') : '-';

export function registerStockPushCommands(stock: Command): void {
  stock
    .command('push')
    .description(
      '在庫連携: push each store its free quantity (absolute); --dry-run shows what would be pushed',
    )
    .option('--store <code>', 'only this store (default: every store)')
    .option('--product <code...>', 'only these products (and the sets made of them)')
    .option('--dry-run', 'show what would be pushed; send nothing, write nothing')
    .option('--full', 'full sync: re-read the cart where it can, record drift, send what differs')
    .option('--retry-refused', 'send items the cart refused again')
    .action(
      async (o: {
        store?: string;
        product?: string[];
        dryRun?: boolean;
        full?: boolean;
        retryRefused?: boolean;
      }) =>
        // The dry run needs PostgreSQL only; a push records in the outbox and enqueues (Redis too).
        (o.dryRun ? withDb : withRuntime)(async (rt: { db: Db; queues?: Queues }) => {
          const { db, queues } = rt;
          const stores = (await listStores(db)).filter((s) => !o.store || s.code === o.store);
          if (o.store && stores.length === 0) fail(`店舗 ${o.store} はありません`);
          for (const s of stores) {
            if (o.dryRun) {
              const plan = await planStockPush(depsOf(db), { storeCode: s.code, productCodes: o.product });
              const changes = plan.items.filter((i) => i.changes);
              out(
                `${s.code} (${s.cart}) 在庫連携 ${plan.enabled ? 'オン' : 'オフ（送信しません）'}: ${plan.items.length} 商品, 送信対象 ${changes.length}`,
              );
              for (const i of plan.items)
                out(
                  `  ${i.changes ? '→' : ' '} ${(i.cartOptionCode ? `${i.cartProductCode}:${i.cartOptionCode}` : i.cartProductCode).padEnd(28)} ${String(i.quantity).padStart(6)}  (商品 ${i.productCode}: 引当可能 ${i.free} − 安全在庫 ${i.safety}${i.unitsPerCartUnit > 1 ? ` ÷ ${i.unitsPerCartUnit}` : ''})  前回 ${i.lastPushed ?? '-'}${i.lastOutcome ? ` ${i.lastOutcome}` : ''}`,
                );
              continue;
            }
            // Recorded in the outbox, delivered by the worker's job (its shared limiter); the full
            // sync reads the cart, so it is queued as the push-stock job.
            if (o.full) {
              const r = await requestFullStockSync({ ...depsOf(db), queues: queues! }, { storeCode: s.code });
              out(`${r.enabled ? '✓' : '-'} ${s.code}: ${r.message}`);
              continue;
            }
            const r = await requestStockPush(
              { ...depsOf(db), queues },
              {
                storeCode: s.code,
                productCodes: o.product,
                retryRefused: o.retryRefused,
                actor: cliActor(),
              },
            ).catch((e: Error) => fail(`${s.code}: ${e.message}`));
            out(
              r.enabled
                ? `✓ ${s.code}: ${r.message}`
                : `- ${s.code}: 在庫連携がオフです（stockPush）。送信していません（--dry-run で内容を確認できます）`,
            );
          }
        }),
    );
  stock
    .command('pushes')
    .description('在庫連携: the last push per store × item (quantity, when, the cart answer, drift)')
    .option('--store <code>', 'only this store')
    .option('--product <code>', 'only this product')
    .option('--problems', 'only failures, refusals and drift')
    .action(async (o: { store?: string; product?: string; problems?: boolean }) =>
      withDb(async ({ db }) => {
        const stores = await listStores(db);
        const code = new Map(stores.map((s) => [s.id, s.code]));
        const storeId = o.store ? stores.find((s) => s.code === o.store)?.id : undefined;
        if (o.store && storeId === undefined) fail(`店舗 ${o.store} はありません`);
        for (const r of await pushStateOf(db, { storeId, productCode: o.product, onlyProblems: o.problems }))
          out(
            `${(code.get(r.storeId) ?? '?').padEnd(14)} ${(r.cartOptionCode ? `${r.cartProductCode}:${r.cartOptionCode}` : r.cartProductCode).padEnd(28)} 目標 ${String(r.wantedQuantity).padStart(5)}  送信 ${String(r.pushedQuantity ?? '-').padStart(5)} ${jst(r.pushedAt)} ${r.outcome ?? '未送信'}${r.failures ? ` (失敗 ${r.failures} 回)` : ''}${r.drift ? `  差異 ${r.drift > 0 ? '+' : ''}${r.drift}（カート ${r.cartQuantity}）` : ''}${r.outcome && r.outcome !== 'accepted' && r.answer ? `  ${r.answer}` : ''}`,
          );
      }),
    );

  const safety = stock
    .command('safety')
    .description(
      '安全在庫: units a store keeps back of a product (its cart shows the free quantity minus these)',
    );
  safety
    .command('set')
    .description("Set one product's safety stock at one store (--clear: back to the store default)")
    .requiredOption('--store <code>', 'the store')
    .requiredOption('--product <code>', 'the product (master code)')
    .option('--quantity <n>', 'units to keep back: a whole number 0–1,000,000')
    .option('--clear', "remove the product's own value (the store default stockSafety applies)")
    .action(async (o: { store: string; product: string; quantity?: string; clear?: boolean }) =>
      withDb(async ({ db }) => {
        if (o.clear === (o.quantity !== undefined))
          fail('--quantity <n> か --clear のどちらかを指定してください');
        const r = await setStockSafety(depsOf(db), {
          storeCode: o.store,
          productCode: o.product,
          quantity: o.clear ? null : o.quantity,
          actor: cliActor(),
        });
        out(`✓ ${r.message}`);
      }),
    );
  safety
    .command('list')
    .description('The safety stock of every product that has its own at a store, and the store default')
    .requiredOption('--store <code>', 'the store')
    .action(async (o: { store: string }) =>
      withDb(async ({ db }) => {
        const l = await listStockSafety(depsOf(db), { storeCode: o.store });
        out(
          `${l.store.code} (${l.store.cart}) 在庫連携 ${l.enabled ? 'オン' : 'オフ'}: 既定の安全在庫 ${l.defaultQuantity} 個, 個別 ${l.items.length} 商品`,
        );
        for (const i of l.items)
          out(`  ${i.productCode.padEnd(20)} ${String(i.quantity).padStart(8)}  ${i.productName ?? ''}`);
      }),
    );
}
