// カート連携 from a terminal: `juchu actions list` reads the outbox through the read model the order
// screen and the stores screen use (db/cart-action-list.ts); `juchu actions retry <id>` is 再送, the
// same use case as the order screen's button (usecases/resend-cart-action.ts), which enqueues the
// delivery job. Exit 1 when nothing matched a filter naming a store or order that is not there, or
// when the action cannot be sent again.
import type { Command } from 'commander';
import { type CartActionView, listCartActions } from '../db/cart-action-list.js';
import { findStore } from '../db/stores.js';
import { parseStateFilter } from '../domain/cart-action-view.js';
import { depsOf } from '../usecases/deps.js';
import { resendCartAction } from '../usecases/resend-cart-action.js';
import { cliActor, orderIdOf } from './orders-cli.js';
import { fail, out, withDb, withRuntime } from './runtime.js';

function line(a: CartActionView): string {
  const order = a.orderNo
    ? `受注No ${a.orderNo}（${a.cartOrderNo ?? ''}）`
    : a.cartOrderNo
      ? `注文 ${a.cartOrderNo}`
      : '—';
  const refs = a.cartRefs.map((r) => `${r.label}=${r.value}`).join(' ');
  const said = a.state === 'done' ? a.answer : a.state === 'refused' ? a.answer : a.error;
  return [
    `#${a.id}`,
    a.storeCode,
    a.kindLabel,
    a.stateLabel,
    order,
    a.summary || null,
    `試行 ${a.attempts}${a.resent ? `（再送 ${a.resent.count}、最後 ${a.resent.byLabel} ${a.resent.at}）` : ''}`,
    a.createdAt,
    said ? `— ${said}` : null,
    refs || null,
  ]
    .filter(Boolean)
    .join('  ');
}

export function registerActionCommands(program: Command): void {
  const actions = program
    .command('actions')
    .description(
      'カート連携: the cart actions (確認・出荷・キャンセル・在庫) and 再送 of a failed or 要対応 one',
    );
  actions
    .command('list')
    .description('Cart actions, newest first: state, the cart’s answer, cart-side ids, the error')
    .option('--store <code>', 'only this store')
    .option('--state <state>', 'waiting|done|failed|refused (送信待ち|完了|失敗|要対応)')
    .option('--order <ref>', '受注No or store:cartOrderNo')
    .option('--limit <n>', 'at most this many (default 100)', '100')
    .action(async (o: { store?: string; state?: string; order?: string; limit: string }) =>
      withDb(async ({ db }) => {
        const state = o.state === undefined ? undefined : parseStateFilter(o.state);
        if (state === null)
          fail(
            `--state "${o.state}": waiting, done, failed, refused（送信待ち・完了・失敗・要対応）のどれかです`,
          );
        if (!/^\d+$/.test(o.limit) || Number(o.limit) < 1 || Number(o.limit) > 10_000)
          fail(`--limit "${o.limit}": 1 から 10000 までの数です`);
        if (o.store && !(await findStore(db, o.store))) fail(`店舗 ${o.store} はありません`);
        const orderId = o.order ? await orderIdOf(db, o.order) : undefined;
        const rows = await listCartActions(db, {
          storeCode: o.store,
          state,
          orderId,
          limit: Number(o.limit),
        });
        for (const a of rows) out(line(a));
        out(`${rows.length} 件`);
      }),
    );
  actions
    .command('retry <id>')
    .description('再送: send a failed (失敗) or refused (要対応) cart action again (a new delivery job)')
    .action(async (id: string) =>
      withRuntime(async ({ db, queues }) => {
        if (!/^\d+$/.test(id) || Number(id) < 1 || Number(id) > 2_147_483_647)
          fail(`"${id}" はカート連携の番号ではありません`);
        const r = await resendCartAction(
          { ...depsOf(db), queues },
          { actionId: Number(id), actor: cliActor() },
        );
        if (!r.ok) fail(r.message);
        out(`✓ ${r.message}`);
      }),
    );
}
