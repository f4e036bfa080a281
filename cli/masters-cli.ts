// Commands an admin reaches for: import rejects (list, show, reprocess) and allocation now (or a
// full oldest-first re-plan). Each parses, calls a use case or a read model, and prints. The
// masters have their own files: products-cli.ts, warehouses-cli.ts, sets-cli.ts.
import type { Command } from 'commander';
import { findImportReject, listImportRejects, type RejectState } from '../db/import-rejects.js';
import { allocateWaitingStock } from '../usecases/allocate-waiting-stock.js';
import { depsOf } from '../usecases/deps.js';
import { replanAllocation } from '../usecases/replan-allocation.js';
import { requestReprocess } from '../usecases/request-reprocess.js';
import { cliActor } from './orders-cli.js';
import { fail, out, refused, withDb, withRuntime } from './runtime.js';

function registerRejectCommands(program: Command): void {
  const rejects = program
    .command('rejects')
    .description('Import rejects (取込エラー): list, show, reprocess');
  rejects
    .command('list')
    .description('Records a cart sent that could not be read, newest first')
    .option('--store <code>', 'only this store')
    .option('--state <state>', 'open, resolved or all', 'open')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (o: { store?: string; state: string; limit: string }) =>
      withDb(async ({ db }) => {
        if (!['open', 'resolved', 'all'].includes(o.state)) fail('--state must be open, resolved or all');
        const size = Number(o.limit);
        if (!Number.isInteger(size) || size < 1 || size > 1000) fail('--limit must be 1 to 1000');
        const page = await listImportRejects(db, { store: o.store, state: o.state as RejectState, size });
        for (const r of page.items)
          out(
            `#${r.id}  ${r.createdAt}  ${r.store.padEnd(16)} ${(r.cartOrderNo ?? '(no order no)').padEnd(26)} ${r.field ? `[${r.field}] ` : ''}${r.error}${r.resolvedAt ? `  resolved: ${r.resolution ?? ''}` : ''}`,
          );
        out(`${page.items.length} rejects${page.next ? ' (more: raise --limit)' : ''}`);
      }),
    );
  rejects
    .command('show <id>')
    .description('One reject with the payload the cart sent')
    .action(async (id: string) =>
      withDb(async ({ db }) => {
        if (!/^\d{1,9}$/.test(id)) fail(`"${id}" is not a reject id`);
        const r = await findImportReject(db, Number(id));
        if (!r) fail(`no reject ${id}`);
        out(JSON.stringify(r, null, 2));
      }),
    );
  rejects
    .command('reprocess <id>')
    .description('Read a reject again (job reprocess-reject) once its cause is fixed')
    .action(async (id: string) =>
      withRuntime(async (rt) => {
        if (!/^\d{1,9}$/.test(id)) fail(`"${id}" is not a reject id`);
        const r = await requestReprocess(rt, { rejectId: Number(id), actor: cliActor() }).catch(refused);
        out(`reprocess of reject ${id} enqueued (job ${r.jobId})`);
      }),
    );
}

function registerAllocateCommand(program: Command): void {
  program
    .command('allocate')
    .description(
      'Allocate stock now to orders waiting for it, oldest first; --full re-plans every order not yet given a shipping instruction',
    )
    .option('--product <code>', 'only this product')
    .option('--full', 'give every order without a shipping instruction its oldest-first share, across stores')
    .option('--dry-run', 'with --full: list what would move, write nothing')
    .action(async (o: { product?: string; full?: boolean; dryRun?: boolean }) =>
      withDb(async ({ db }) => {
        const deps = depsOf(db);
        if (!o.full) {
          if (o.dryRun) fail('--dry-run lists what a full re-plan would move: add --full');
          const r = await allocateWaitingStock(deps, { productCodes: o.product ? [o.product] : undefined });
          out(
            `✓ ${r.products} products looked at: ${r.reserved} units reserved, ${r.ordersMoved} orders moved on`,
          );
          return;
        }
        const r = await replanAllocation(deps, {
          productCode: o.product,
          dryRun: !!o.dryRun,
          actor: cliActor(),
        });
        for (const m of r.moves)
          out(
            `${m.planned > m.held ? '+' : '-'} ${m.orderNo}  ${m.store.padEnd(16)} ${m.cartOrderNo.padEnd(26)} ${m.productCode}  held ${m.held} → ${m.planned} of ${m.needed}`,
          );
        const orders = new Set(r.moves.map((m) => m.orderId)).size;
        out(
          r.dryRun
            ? `${r.moves.length} lines of ${orders} orders would move (of ${r.lines} lines looked at); nothing written (--dry-run)`
            : `✓ ${r.moves.length} lines of ${orders} orders re-planned (of ${r.lines} lines looked at); ${r.ordersMoved} orders changed status`,
        );
      }),
    );
}

export function registerMasterCommands(program: Command): void {
  registerRejectCommands(program);
  registerAllocateCommand(program);
}
