// Operation: the product master from a file of any size (uploads/products-csv.ts reads the columns
// as a stream). The file is read twice, a batch of rows at a time. The first pass checks every row —
// its fields by domain/product-rules.ts, a code twice in the file, a JAN held by another product or
// twice in the file — and when any row is bad nothing is applied: the answer lists each bad row by
// file, line and column, in Japanese. A dry run answers what would change (new / changed fields /
// unchanged) and writes nothing. Otherwise the file is an upload of the ledger (db/uploads.ts,
// usecases/apply-upload.ts): the second pass writes a batch per transaction, the upload's progress
// with it, so the same file again changes nothing and a sending whose process died resumes; after
// each batch the orders waiting in マスタなし商品 on its new codes are re-checked. What the check
// keeps for the whole file is a code → (line, JAN) index (a code twice, a JAN moving between rows).
import type { Db } from '../db/db.js';
import {
  findProducts,
  insertProduct,
  type ProductRecord,
  productCodesByJan,
  updateProduct,
} from '../db/product-master.js';
import type { UploadFile } from '../db/uploads.js';
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
import { applyUpload, type UploadProgress } from './apply-upload.js';
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
  /** The upload (not for a dry run), and whether the same file had been sent already. */
  uploadId: number | null;
  repeated: boolean;
  status: 'running' | 'succeeded' | 'failed' | null;
}

/** Rows read per batch (each pass); the changed rows and bad rows named in the answer. */
const BATCH = 1000;
const ROWS_SHOWN = 200;
const ERRORS_SHOWN = 1000;

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

interface Checked {
  rows: number;
  errors: RowError[];
  errorRows: number;
  planned: PlannedRow[];
  counts: ProductImportResult['counts'];
}

const changesOf = (before: ProductRecord, p: ProductFields) =>
  changedFields(before, p).map((f) => ({
    column: PRODUCT_FIELD_LABELS[f],
    before: show(f, before[f]),
    after: show(f, p[f]),
  }));

async function* batches<T>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The first pass: every row checked, a batch at a time against the stored master. */
async function checkFile(db: Db, rows: AsyncIterable<ProductImportRow>, batchSize: number): Promise<Checked> {
  const errors: RowError[] = [];
  const planned: PlannedRow[] = [];
  const counts = { new: 0, changed: 0, unchanged: 0 };
  const badLines = new Set<number>();
  // The whole file's codes and JANs, compactly: a code twice, a JAN twice, a JAN moving away.
  const byCode = new Map<string, { line: number; jan: string | null }>();
  const firstCodeOfJan = new Map<string, { code: string; line: number }>();
  // A JAN another product holds: fine if the file moves it away from that product (seen by the end).
  const heldJans: Array<{ line: number; code: string; jan: string; holder: string }> = [];
  let total = 0;
  const add = (line: number, field: ProductField, message: string) => {
    badLines.add(line);
    if (errors.length < ERRORS_SHOWN) errors.push({ line, column: PRODUCT_FIELD_LABELS[field], message });
  };
  for await (const batch of batches(rows, batchSize)) {
    total += batch.length;
    const codes = batch.map((r) => (r.cells.code ?? '').trim());
    const stored = await findProducts(db, codes.filter(Boolean));
    const parsed = batch.map((r) => ({ row: r, ...inputOf(r) }));
    const merged = parsed.map((x) => mergeProduct(x.input, stored.get(x.input.code.trim()) ?? null));
    const janHolders = await productCodesByJan(
      db,
      merged.flatMap((p) => (p.jan === null ? [] : [p.jan])),
    );
    parsed.forEach((x, i) => {
      const p = merged[i]!;
      const line = x.row.line;
      const fieldErrors = [...x.errors, ...checkProduct(p)];
      if (!stored.has(p.code) && x.row.cells.name === undefined)
        fieldErrors.push({ field: 'name', message: '新しい商品には商品名が要ります' });
      const seen = byCode.get(p.code);
      if (p.code !== '' && seen !== undefined)
        fieldErrors.push({ field: 'code', message: `${seen.line} 行目と同じ商品コードです` });
      else if (p.code !== '') byCode.set(p.code, { line, jan: p.jan });
      for (const e of fieldErrors) add(line, e.field, e.message);
      if (p.jan !== null) {
        const holder = janHolders.get(p.jan);
        const inFile = firstCodeOfJan.get(p.jan);
        if (inFile && inFile.code !== p.code)
          add(line, 'jan', `${inFile.line} 行目（${inFile.code}）と同じ JAN です`);
        else if (holder !== undefined && holder !== p.code)
          heldJans.push({ line, code: p.code, jan: p.jan, holder });
        if (!inFile) firstCodeOfJan.set(p.jan, { code: p.code, line });
      }
      const before = stored.get(p.code);
      const changes = before ? changesOf(before, p) : [];
      const kind = !before ? 'new' : changes.length ? 'changed' : 'unchanged';
      counts[kind]++;
      if (kind !== 'unchanged' && planned.length < ROWS_SHOWN)
        planned.push({ line, code: p.code, kind, changes });
    });
  }
  // A JAN moving from one product to another in the same file is fine once both rows apply.
  for (const h of heldJans) {
    const there = byCode.get(h.holder);
    if (!there || there.jan === h.jan) add(h.line, 'jan', `${h.jan} は商品 ${h.holder} に登録済みです`);
  }
  errors.sort((a, b) => a.line - b.line); // stable: a line's errors keep their order
  return { rows: total, errors, errorRows: badLines.size, planned, counts };
}

/** The second pass, one batch in its transaction: a JAN the file moves away is freed first. */
async function applyBatch(trx: Db, rows: ReadonlyArray<{ rowNo: number; row: ProductImportRow }>) {
  const codes = rows.map((r) => (r.row.cells.code ?? '').trim());
  const stored = await findProducts(trx, codes);
  const merged = rows.map((r, i) => mergeProduct(inputOf(r.row).input, stored.get(codes[i]!) ?? null));
  const holders = await productCodesByJan(
    trx,
    merged.flatMap((p) => (p.jan === null ? [] : [p.jan])),
  );
  const leaving = [
    ...new Set(
      merged.flatMap((p) => {
        const h = p.jan === null ? undefined : holders.get(p.jan);
        return h !== undefined && h !== p.code ? [h] : [];
      }),
    ),
  ];
  // The check saw each of these products' rows give the JAN up (their own row sets the new one).
  for (const h of (await findProducts(trx, leaving)).values()) await updateProduct(trx, { ...h, jan: null });
  const added: string[] = [];
  for (const p of merged) {
    const before = stored.get(p.code);
    if (!before) {
      await insertProduct(trx, p);
      added.push(p.code);
    } else if (changedFields(before, p).length) await updateProduct(trx, p);
  }
  return added;
}

export async function importProducts(
  deps: ProductDeps,
  input: {
    file: Omit<UploadFile, 'kind' | 'actor' | 'scope'>;
    /** Opens the file's rows (once per pass). */
    openRows: () => Promise<AsyncIterable<ProductImportRow>>;
    dryRun: boolean;
    actor: string;
    batchSize?: number;
    onProgress?: (p: UploadProgress) => void;
  },
): Promise<ProductImportResult> {
  const batchSize = input.batchSize ?? BATCH;
  const name = input.file.fileName;
  const summaryOf = (c: Checked['counts']) =>
    `新規 ${c.new} 件、変更 ${c.changed} 件、変更なし ${c.unchanged} 件`;
  const rowLinesOf = (rows: PlannedRow[], c: Checked['counts']) => [
    ...rows.map((r) =>
      r.kind === 'new'
        ? `+ ${r.line} 行目 ${r.code}: 新規`
        : `~ ${r.line} 行目 ${r.code}: ${r.changes.map((x) => `${x.column} ${x.before} → ${x.after}`).join('、')}`,
    ),
    ...(c.new + c.changed > rows.length
      ? [`…ほか ${c.new + c.changed - rows.length} 行が新規・変更です`]
      : []),
  ];
  const refusedLines = (c: Checked) => [
    ...c.errors.map((e) => `✗ ${name} ${e.line} 行目 ${e.column}: ${e.message}`),
    ...(c.errors.length >= ERRORS_SHOWN ? [`…エラーは最初の ${ERRORS_SHOWN} 件だけ示しています`] : []),
    `${c.errorRows} 行にエラーがあるため、何も登録していません（全 ${c.rows} 行）`,
  ];
  const check = async () => {
    const c = await checkFile(deps.db, await input.openRows(), batchSize);
    if (c.rows === 0) throw new RuleRefusal(`${name}: ファイルに商品の行がありません`, 'empty_file');
    return c;
  };
  const base = (c: Checked) => ({
    dryRun: input.dryRun,
    rows: c.planned,
    counts: c.counts,
    errors: c.errors,
  });

  if (input.dryRun) {
    const c = await check();
    const none = { rechecks: [], uploadId: null, repeated: false, status: null, applied: false };
    return c.errors.length
      ? { ...base(c), ...none, ok: false, lines: refusedLines(c) }
      : {
          ...base(c),
          ...none,
          ok: true,
          lines: [
            ...rowLinesOf(c.planned, c.counts),
            `確認のみ（まだ登録していません）: ${summaryOf(c.counts)}`,
          ],
        };
  }

  let checked: Checked | null = null;
  const rechecks: Recheck[] = [];
  let added = 0;
  const r = await applyUpload(deps, {
    file: { ...input.file, kind: 'products', actor: input.actor },
    check: async () => {
      const c = await check();
      checked = c;
      return c.errors.length ? { errors: c.errors, rows: c.rows, lines: refusedLines(c) } : null;
    },
    openRows: async () =>
      (async function* () {
        for await (const row of await input.openRows()) yield { rowNo: row.line, row };
      })(),
    batchSize,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    verb: '登録',
    followUp: (n) =>
      deps.queues
        ? '新しい商品コードの注文は再確認のジョブで進みます'
        : `マスタなし商品の注文 ${n} 件が次へ進みました`,
    apply: async (trx, rows) => {
      const codes = await applyBatch(trx, rows);
      added += codes.length;
      return {
        refused: [],
        after: async () => {
          const done = await recheckProductCodes(deps, codes, input.actor);
          rechecks.push(...done);
          return done.reduce((n, x) => n + (x.ordersMovedOn ?? 0), 0);
        },
      };
    },
  });
  const c = checked as Checked | null;
  const empty = { new: 0, changed: 0, unchanged: 0 };
  const common = {
    dryRun: false,
    uploadId: r.uploadId,
    repeated: r.repeated,
    status: r.status,
    rechecks,
    rows: c?.planned ?? [],
    counts: c?.counts ?? empty,
    errors: c?.errors ?? [],
  };
  if (!c || r.repeated) return { ...common, ok: r.status === 'succeeded', applied: false, lines: r.lines };
  if (c.errors.length) return { ...common, ok: false, applied: false, lines: r.lines };
  return {
    ...common,
    ok: true,
    applied: true,
    lines: [
      ...rowLinesOf(c.planned, c.counts),
      `登録しました: ${summaryOf(c.counts)}`,
      ...(added
        ? [
            deps.queues
              ? `新しい商品コード ${added} 件で、マスタなし商品の注文を再確認します`
              : `新しい商品コード ${added} 件で、マスタなし商品の注文 ${rechecks.reduce((n, x) => n + (x.ordersMovedOn ?? 0), 0)} 件が次へ進みました`,
          ]
        : []),
      ...r.lines,
    ],
  };
}
