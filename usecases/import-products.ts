// Operation: the product master from a file (uploads/products-csv.ts reads the columns). Every row is
// checked first — its fields by domain/product-rules.ts, a code twice in the file, a JAN held by
// another product or twice in the file — and when any row is bad nothing is applied: the answer
// lists each bad row by line number and column, in Japanese. A dry run answers what would change
// (new / changed fields / unchanged) and writes nothing. Otherwise every row is written in ONE
// transaction, and after commit the orders waiting in マスタなし商品 on each new code are re-checked.
import { findProducts, insertProduct, productCodesByJan, updateProduct } from '../db/product-master.js';
import {
  changedFields,
  checkProduct,
  type FieldError,
  PRODUCT_FIELD_LABELS,
  type ProductField,
  type ProductFields,
  parseFlag,
  parseTaxRate,
} from '../domain/product-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import {
  mergeProduct,
  type ProductDeps,
  type ProductInput,
  type Recheck,
  recheckProductCodes,
} from './save-product.js';

/** One row of the file: its line number and the cells of the columns the file has. */
export interface ProductImportRow {
  line: number;
  cells: Partial<Record<ProductField, string>>;
}

export interface RowError {
  line: number;
  /** The column's name as operators read it (商品コード, JAN, …). */
  column: string;
  message: string;
}

export interface PlannedRow {
  line: number;
  code: string;
  kind: 'new' | 'changed' | 'unchanged';
  changes: Array<{ column: string; before: string; after: string }>;
}

export interface ProductImportResult {
  /** False when a row is bad: nothing was applied. */
  ok: boolean;
  dryRun: boolean;
  applied: boolean;
  errors: RowError[];
  rows: PlannedRow[];
  counts: { new: number; changed: number; unchanged: number };
  rechecks: Recheck[];
  /** The answer as lines for the CLI and the screen. */
  lines: string[];
}

const show = (f: ProductField, v: ProductFields[ProductField]): string => {
  if (v === null) return '（なし）';
  if (typeof v === 'boolean') return f === 'active' ? (v ? '有効' : '無効') : v ? 'あり' : 'なし';
  return f === 'taxRate' ? `${v}%` : String(v);
};

/** A row's cells as a product input; cells that cannot be read become errors. */
function inputOf(row: ProductImportRow): { input: ProductInput; errors: FieldError[] } {
  const c = row.cells;
  const errors: FieldError[] = [];
  const input: ProductInput = { code: c.code ?? '' };
  if (c.name !== undefined) input.name = c.name;
  if (c.jan !== undefined) input.jan = c.jan;
  if (c.needsCheckNote !== undefined) input.needsCheckNote = c.needsCheckNote;
  if (c.taxRate !== undefined && c.taxRate.trim() !== '') {
    const rate = parseTaxRate(c.taxRate);
    if (rate === null) errors.push({ field: 'taxRate', message: `"${c.taxRate}" は 10 か 8 にしてください` });
    else input.taxRate = rate;
  }
  for (const f of ['needsCheck', 'active'] as const) {
    const cell = c[f];
    if (cell === undefined || cell.trim() === '') continue;
    const flag = parseFlag(cell);
    if (flag === null) errors.push({ field: f, message: `"${cell}" は 1 か 0 にしてください` });
    else input[f] = flag;
  }
  return { input, errors };
}

export async function importProducts(
  deps: ProductDeps,
  input: { rows: readonly ProductImportRow[]; dryRun: boolean; actor: string },
): Promise<ProductImportResult> {
  if (input.rows.length === 0) throw new RuleRefusal('ファイルに商品の行がありません', 'empty_file');
  const codes = input.rows.map((r) => (r.cells.code ?? '').trim());
  const stored = await findProducts(deps.db, codes.filter(Boolean));
  const parsed = input.rows.map((r) => ({ row: r, ...inputOf(r) }));
  const planned = parsed.map((x) => mergeProduct(x.input, stored.get(x.input.code.trim()) ?? null));
  const janHolders = await productCodesByJan(
    deps.db,
    planned.flatMap((p) => (p.jan === null ? [] : [p.jan])),
  );

  const errors: RowError[] = [];
  const firstLineOfCode = new Map<string, number>();
  const firstCodeOfJan = new Map<string, { code: string; line: number }>();
  parsed.forEach((x, i) => {
    const p = planned[i]!;
    const line = x.row.line;
    const fieldErrors = [...x.errors, ...checkProduct(p)];
    if (!stored.has(p.code) && x.row.cells.name === undefined)
      fieldErrors.push({ field: 'name', message: '新しい商品には商品名が要ります' });
    const seen = firstLineOfCode.get(p.code);
    if (p.code !== '' && seen !== undefined)
      fieldErrors.push({ field: 'code', message: `${seen} 行目と同じ商品コードです` });
    else if (p.code !== '') firstLineOfCode.set(p.code, line);
    if (p.jan !== null) {
      const holder = janHolders.get(p.jan);
      const inFile = firstCodeOfJan.get(p.jan);
      // A JAN moving from one product to another in the same file is fine once both rows apply.
      const movesAway = holder !== undefined && planned.some((q) => q.code === holder && q.jan !== p.jan);
      if (inFile && inFile.code !== p.code)
        fieldErrors.push({ field: 'jan', message: `${inFile.line} 行目（${inFile.code}）と同じ JAN です` });
      else if (holder !== undefined && holder !== p.code && !movesAway)
        fieldErrors.push({ field: 'jan', message: `${p.jan} は商品 ${holder} に登録済みです` });
      if (!inFile) firstCodeOfJan.set(p.jan, { code: p.code, line });
    }
    for (const e of fieldErrors)
      errors.push({ line, column: PRODUCT_FIELD_LABELS[e.field], message: e.message });
  });

  const rows: PlannedRow[] = planned.map((p, i) => {
    const before = stored.get(p.code);
    const line = parsed[i]!.row.line;
    if (!before) return { line, code: p.code, kind: 'new', changes: [] };
    const changes = changedFields(before, p).map((f) => ({
      column: PRODUCT_FIELD_LABELS[f],
      before: show(f, before[f]),
      after: show(f, p[f]),
    }));
    return { line, code: p.code, kind: changes.length ? 'changed' : 'unchanged', changes };
  });
  const counts = {
    new: rows.filter((r) => r.kind === 'new').length,
    changed: rows.filter((r) => r.kind === 'changed').length,
    unchanged: rows.filter((r) => r.kind === 'unchanged').length,
  };
  const base = { dryRun: input.dryRun, rows, counts, errors };
  if (errors.length)
    return {
      ...base,
      ok: false,
      applied: false,
      rechecks: [],
      lines: [
        ...errors.map((e) => `✗ ${e.line} 行目 ${e.column}: ${e.message}`),
        `${new Set(errors.map((e) => e.line)).size} 行にエラーがあるため、何も登録していません（全 ${input.rows.length} 行）`,
      ],
    };

  const summary = `新規 ${counts.new} 件、変更 ${counts.changed} 件、変更なし ${counts.unchanged} 件`;
  const rowLines = rows
    .filter((r) => r.kind !== 'unchanged')
    .map((r) =>
      r.kind === 'new'
        ? `+ ${r.line} 行目 ${r.code}: 新規`
        : `~ ${r.line} 行目 ${r.code}: ${r.changes.map((c) => `${c.column} ${c.before} → ${c.after}`).join('、')}`,
    );
  if (input.dryRun)
    return {
      ...base,
      ok: true,
      applied: false,
      rechecks: [],
      lines: [...rowLines, `確認のみ（まだ登録していません）: ${summary}`],
    };

  await withTransaction(deps.db, async (trx) => {
    for (const [i, p] of planned.entries()) {
      const kind = rows[i]!.kind;
      // JANs leaving a product first, so one moving between two rows never meets itself.
      if (kind === 'changed' && p.jan !== stored.get(p.code)!.jan)
        await updateProduct(trx, { ...p, jan: null });
    }
    for (const [i, p] of planned.entries()) {
      const kind = rows[i]!.kind;
      if (kind === 'new') await insertProduct(trx, p);
      else if (kind === 'changed') await updateProduct(trx, p);
    }
  });
  const added = rows.filter((r) => r.kind === 'new').map((r) => r.code);
  const rechecks = await recheckProductCodes(deps, added, input.actor);
  const moved = rechecks.reduce((n, r) => n + (r.ordersMovedOn ?? 0), 0);
  return {
    ...base,
    ok: true,
    applied: true,
    rechecks,
    lines: [
      ...rowLines,
      `登録しました: ${summary}`,
      ...(added.length
        ? [
            deps.queues
              ? `新しい商品コード ${added.length} 件で、マスタなし商品の注文を再確認します`
              : `新しい商品コード ${added.length} 件で、マスタなし商品の注文 ${moved} 件が次へ進みました`,
          ]
        : []),
    ],
  };
}
