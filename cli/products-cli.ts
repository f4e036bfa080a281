// 商品マスタ commands: juchu products list, show, add, edit, deactivate / activate, delete, and the
// CSV import (checked whole first, --dry-run) and export. Each parses, calls a use case or a read
// model (usecases/save-product.ts, uploads/products-csv.ts, db/product-master.ts), and prints.
import { stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { fileSource } from '../carts/csv/table-stream.js';
import { allProducts, findProduct, listProducts, type ProductRecord } from '../db/product-master.js';
import { importProductsCsv, productsCsvFile } from '../uploads/products-csv.js';
import { depsOf } from '../usecases/deps.js';
import {
  createProduct,
  editProduct,
  type ProductInput,
  removeProduct,
  setProductActive,
} from '../usecases/save-product.js';
import { cliActor } from './orders-cli.js';
import { fail, out, refused, withDb } from './runtime.js';

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

export function registerProductCommands(program: Command): void {
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
        }).catch(refused);
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
      const r = await editProduct(depsOf(db), { product: inputOf(code, o) }).catch(refused);
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
          const p = await setProductActive(depsOf(db), { code, active }).catch(refused);
          out(`✓ ${productLine(p)}`);
        }),
      );
  products
    .command('delete <code>')
    .description('Delete a product nothing uses (one that orders, mappings or stock use: deactivate it)')
    .action(async (code: string) =>
      withDb(async ({ db }) => {
        await removeProduct(depsOf(db), { code }).catch(refused);
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
        await stat(file).catch(refused);
        // Any size: read from disk as a stream; a progress line every two seconds while it runs.
        let last = Date.now();
        const r = await importProductsCsv(depsOf(db), fileSource(file, basename(file)), {
          dryRun: !!o.dryRun,
          actor: cliActor(),
          file: basename(file),
          onProgress: (p) => {
            if (Date.now() - last < 2000) return;
            last = Date.now();
            out(
              `… ${file}: ${p.rowsRead.toLocaleString('ja-JP')} 行（登録 ${p.rowsApplied.toLocaleString('ja-JP')}）アップロード #${p.uploadId}`,
            );
          },
        }).catch(refused);
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
            return refused(e);
          }
        })();
        if (o.out) {
          await writeFile(o.out, buf);
          process.stderr.write(`${products.length} products → ${o.out}\n`);
        } else process.stdout.write(buf);
      }),
    );
}
