// Commands an admin reaches for: the product master (juchu products …, CSV import and export),
// warehouses, import rejects (list, show, reprocess) and allocation now (or a full oldest-first
// re-plan). Each parses, calls a use case or a read model, and prints.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findImportReject, listImportRejects, type RejectState } from '../db/import-rejects.js';
import { allProducts, findProduct, listProducts, type ProductRecord } from '../db/product-master.js';
import { listWarehouses } from '../db/warehouses.js';
import { isRuleRefusal } from '../domain/refusal.js';
import { importProductsCsv, productsCsvFile } from '../uploads/products-csv.js';
import { allocateWaitingStock } from '../usecases/allocate-waiting-stock.js';
import { depsOf } from '../usecases/deps.js';
import { replanAllocation } from '../usecases/replan-allocation.js';
import { requestReprocess } from '../usecases/request-reprocess.js';
import {
  createProduct,
  editProduct,
  type ProductInput,
  removeProduct,
  setProductActive,
} from '../usecases/save-product.js';
import { cliActor } from './orders-cli.js';
import { fail, withDb, withRuntime } from './runtime.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
/** A rule's refusal or a file that cannot be read is the user's mistake: its message, exit 1. */
const failWith = (e: unknown): never => {
  if (isRuleRefusal(e) || (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e))
    fail(e.message);
  throw e;
};

function productLine(p: ProductRecord): string {
  return `${p.code.padEnd(16)} ${p.active ? 'active  ' : 'inactive'} ${String(p.taxRate).padStart(2)}%  JAN ${(p.jan ?? '—').padEnd(13)}  ${p.name}${p.needsCheck ? `  [要修正${p.needsCheckNote ? `: ${p.needsCheckNote}` : ''}]` : ''}`;
}

function taxOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/%$/, ''));
  return Number.isInteger(n) ? n : fail(`--tax must be 10 or 8 (got "${v}")`);
}

interface ProductOpts {
  name?: string;
  jan?: string;
  tax?: string;
  needsCheck?: boolean;
  note?: string;
  active?: boolean;
}

function inputOf(code: string, o: ProductOpts): ProductInput {
  return {
    code,
    name: o.name,
    jan: o.jan,
    taxRate: taxOf(o.tax),
    needsCheck: o.needsCheck,
    needsCheckNote: o.note,
    active: o.active,
  };
}

function registerProductCommands(program: Command): void {
  const products = program
    .command('products')
    .description('Product master (商品マスタ): list, show, add, edit, deactivate, delete, CSV import/export');
  products
    .command('list')
    .description('Products by code (active ones unless --state says otherwise)')
    .option('--q <text>', 'part of the code, name or JAN')
    .option('--state <state>', 'active, inactive or all', 'active')
    .option('--needs-check', 'only products flagged 要修正')
    .option('--limit <n>', 'at most this many', '1000')
    .option('--json', 'as JSON')
    .action(async (o: { q?: string; state: string; needsCheck?: boolean; limit: string; json?: boolean }) =>
      withDb(async ({ db }) => {
        if (!['active', 'inactive', 'all'].includes(o.state)) fail('--state must be active, inactive or all');
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) fail('--limit must be a positive whole number');
        const rows: ProductRecord[] = [];
        let after: string | undefined;
        do {
          const page = await listProducts(db, {
            q: o.q,
            state: o.state as 'active',
            needsCheck: o.needsCheck,
            after,
            size: Math.min(500, limit - rows.length),
          });
          rows.push(...page.items);
          after = page.next ?? undefined;
        } while (after && rows.length < limit);
        if (o.json) {
          out(JSON.stringify(rows, null, 2));
          return;
        }
        for (const p of rows) out(productLine(p));
        out(`${rows.length} products${after ? ' (more: raise --limit)' : ''}`);
      }),
    );
  products
    .command('show <code>')
    .description('One product with every field')
    .action(async (code: string) =>
      withDb(async ({ db }) => {
        const p = await findProduct(db, code);
        if (!p) fail(`no product ${code}`);
        out(JSON.stringify(p, null, 2));
      }),
    );

  const fields = (c: Command) =>
    c
      .option('--jan <digits>', 'JAN / barcode (8 or 13 digits, check digit checked)')
      .option('--tax <rate>', 'tax rate: 10, or 8 (reduced rate, food)')
      .option('--needs-check', 'flag 要修正: its orders wait in 確認が必要な商品')
      .option('--no-needs-check', 'clear the 要修正 flag')
      .option('--note <text>', 'why it is 要修正 (read by whoever checks its orders)');
  fields(
    products
      .command('add')
      .description('Add a product; orders waiting in マスタなし商品 on its code are re-checked at once')
      .requiredOption('--code <code>', 'product code (letters, digits, - _ .)')
      .requiredOption('--name <name>', 'product name'),
  )
    .option('--inactive', 'add it deactivated')
    .action(async (o: ProductOpts & { code: string; inactive?: boolean }) =>
      withDb(async ({ db }) => {
        const r = await createProduct(depsOf(db), {
          product: { ...inputOf(o.code, o), active: o.inactive ? false : undefined },
          actor: cliActor(),
        }).catch(failWith);
        out(`✓ ${productLine(r.product)}`);
        out(
          `  マスタなし商品: ${r.recheck.ordersUpdated ?? 0} orders took the product, ${r.recheck.ordersMovedOn ?? 0} moved on`,
        );
      }),
    );
  fields(
    products
      .command('edit <code>')
      .description('Change a product (the code stays); only the options given change')
      .option('--name <name>', 'product name'),
  ).action(async (code: string, o: ProductOpts) =>
    withDb(async ({ db }) => {
      const r = await editProduct(depsOf(db), { product: inputOf(code, o) }).catch(failWith);
      out(`✓ ${productLine(r.product)}`);
      out(r.changed.length ? `  changed: ${r.changed.join(', ')}` : '  nothing changed');
    }),
  );
  for (const [name, active, what] of [
    ['deactivate', false, 'Deactivate a product (its orders keep it; it leaves the pickers)'],
    ['activate', true, 'Make a deactivated product active again'],
  ] as const)
    products
      .command(`${name} <code>`)
      .description(what)
      .action(async (code: string) =>
        withDb(async ({ db }) => {
          const p = await setProductActive(depsOf(db), { code, active }).catch(failWith);
          out(`✓ ${productLine(p)}`);
        }),
      );
  products
    .command('delete <code>')
    .description('Delete a product nothing uses (one that orders, mappings or stock use: deactivate it)')
    .action(async (code: string) =>
      withDb(async ({ db }) => {
        await removeProduct(depsOf(db), { code }).catch(failWith);
        out(`✓ deleted ${code}`);
      }),
    );
  products
    .command('import <file>')
    .description(
      'Products from a CSV (商品コード, 商品名, JAN, 税率, 要修正, 要修正メモ, 有効; UTF-8 or Shift_JIS): every row is checked first and nothing is applied when one is bad',
    )
    .option('--dry-run', 'only show what would change')
    .action(async (file: string, o: { dryRun?: boolean }) =>
      withDb(async ({ db }) => {
        const buf = await readFile(file).catch(failWith);
        const r = await importProductsCsv(depsOf(db), buf, {
          dryRun: !!o.dryRun,
          actor: cliActor(),
          file,
        }).catch(failWith);
        for (const line of r.lines) (r.ok ? process.stdout : process.stderr).write(`${line}\n`);
        if (!r.ok) process.exitCode = 1;
      }),
    );
  products
    .command('export')
    .description('Every product as CSV (the import reads it back), to stdout or --out')
    .option('--encoding <enc>', 'utf8 (with BOM) or sjis (Shift_JIS)', 'utf8')
    .option('--out <file>', 'write to this file')
    .action(async (o: { encoding: string; out?: string }) =>
      withDb(async ({ db }) => {
        if (o.encoding !== 'utf8' && o.encoding !== 'sjis') fail('--encoding must be utf8 or sjis');
        const products = await allProducts(db);
        const buf = (() => {
          try {
            return productsCsvFile(products, o.encoding as 'utf8');
          } catch (e) {
            return failWith(e);
          }
        })();
        if (o.out) {
          await writeFile(o.out, buf);
          process.stderr.write(`${products.length} products → ${o.out}\n`);
        } else process.stdout.write(buf);
      }),
    );
}

function registerWarehouseCommands(program: Command): void {
  const warehouses = program.command('warehouses').description('Warehouses (倉庫)');
  warehouses
    .command('list')
    .description('Warehouses in the order stock is taken from them (priority)')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const all = await listWarehouses(db);
        if (o.json) {
          out(JSON.stringify(all, null, 2));
          return;
        }
        for (const w of all)
          out(
            `${w.code.padEnd(12)} priority ${String(w.priority).padStart(3)}  ${w.enabled ? 'enabled ' : 'disabled'}  ${w.name}`,
          );
        if (all.length === 0) out('no warehouses');
      }),
    );
}

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
        const r = await requestReprocess(rt, { rejectId: Number(id), actor: cliActor() }).catch(failWith);
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
  registerProductCommands(program);
  registerWarehouseCommands(program);
  registerRejectCommands(program);
  registerAllocateCommand(program);
}
