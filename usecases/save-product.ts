// Operations on the product master (商品マスタ): add, edit, deactivate / reactivate, and delete one
// that nothing uses. A product orders use (or a mapping, or stock on hand) is never deleted, only
// deactivated: its orders keep their product. After commit, adding a product re-checks the orders
// waiting in マスタなし商品 on that code in every store (the master resolves cart codes as they
// are): the `recheck-mapping` job with storeCode null when a queue is given (the dashboard), or at
// once (the CLI, the tests).
import {
  deleteProduct,
  findProduct,
  insertProduct,
  lockProduct,
  type ProductRecord,
  productCodesByJan,
  productUsage,
  updateProduct,
} from '../db/product-master.js';
import {
  changedFields,
  checkProduct,
  type FieldError,
  PRODUCT_FIELD_LABELS,
  type ProductFields,
  type TaxRate,
} from '../domain/product-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { Queues } from '../jobs/queues.js';
import type { UseCaseDeps } from './deps.js';
import { recheckMapping } from './recheck-mapping.js';

export interface ProductDeps extends UseCaseDeps {
  /** With queues the re-check runs as a job; without, at once. */
  queues?: Pick<Queues, 'add'>;
}

/** A product as a form or a command gives it: text as typed; absent fields keep their value. */
export interface ProductInput {
  code: string;
  name?: string;
  jan?: string | null;
  taxRate?: number;
  needsCheck?: boolean;
  needsCheckNote?: string | null;
  active?: boolean;
}

/** What became of the orders waiting on a code just added. */
export interface Recheck {
  /** The re-check job (dashboard), or null when it ran at once or was deduplicated. */
  jobId: string | null;
  /** Orders that took the product and moved on (known only when it ran at once). */
  ordersMovedOn: number | null;
  ordersUpdated: number | null;
}

const blank = (v: string | null | undefined) => {
  const t = v?.trim() ?? '';
  return t === '' ? null : t;
};

/** The row a write would store: the input over the stored product (or the defaults of a new one). */
export function mergeProduct(input: ProductInput, stored: ProductFields | null): ProductFields {
  return {
    code: input.code.trim(),
    name: input.name !== undefined ? input.name.trim() : (stored?.name ?? ''),
    jan: input.jan !== undefined ? blank(input.jan) : (stored?.jan ?? null),
    taxRate: (input.taxRate ?? stored?.taxRate ?? 10) as TaxRate,
    needsCheck: input.needsCheck ?? stored?.needsCheck ?? false,
    needsCheckNote:
      input.needsCheckNote !== undefined ? blank(input.needsCheckNote) : (stored?.needsCheckNote ?? null),
    active: input.active ?? stored?.active ?? true,
  };
}

/** One refusal naming every field at fault ("JAN: …／税率: …"). */
export function refusalOf(errors: readonly FieldError[]): RuleRefusal {
  return new RuleRefusal(
    errors.map((e) => `${PRODUCT_FIELD_LABELS[e.field]}: ${e.message}`).join('／'),
    'invalid_product',
  );
}

async function checkWrite(deps: ProductDeps, p: ProductFields): Promise<void> {
  const errors = checkProduct(p);
  if (errors.length) throw refusalOf(errors);
  if (p.jan !== null) {
    const holder = (await productCodesByJan(deps.db, [p.jan])).get(p.jan);
    if (holder !== undefined && holder !== p.code)
      throw new RuleRefusal(`JAN: ${p.jan} は商品 ${holder} に登録済みです`, 'duplicate_jan');
  }
}

/** Re-checks the orders waiting on these codes, after commit (a job each, or at once). */
export async function recheckProductCodes(
  deps: ProductDeps,
  codes: readonly string[],
  actor: string,
): Promise<Recheck[]> {
  const out: Recheck[] = [];
  for (const code of codes) {
    const job = { storeCode: null, cartProductCode: code, requestedBy: actor };
    if (deps.queues)
      out.push({
        jobId: (await deps.queues.add('recheck-mapping', job)) ?? null,
        ordersMovedOn: null,
        ordersUpdated: null,
      });
    else {
      const r = await recheckMapping(deps, job);
      out.push({ jobId: null, ordersMovedOn: r.ordersMovedOn, ordersUpdated: r.ordersUpdated });
    }
  }
  return out;
}

export async function createProduct(
  deps: ProductDeps,
  input: { product: ProductInput; actor: string },
): Promise<{ product: ProductRecord; recheck: Recheck }> {
  const p = mergeProduct(input.product, null);
  await checkWrite(deps, p);
  if (await findProduct(deps.db, p.code))
    throw new RuleRefusal(`商品コード ${p.code} はすでに登録されています`, 'duplicate_product');
  await insertProduct(deps.db, p);
  const [recheck] = await recheckProductCodes(deps, [p.code], input.actor);
  return { product: (await findProduct(deps.db, p.code))!, recheck: recheck! };
}

export async function editProduct(
  deps: ProductDeps,
  input: { product: ProductInput },
): Promise<{ product: ProductRecord; changed: string[] }> {
  const stored = await findProduct(deps.db, input.product.code.trim());
  if (!stored) throw new RuleRefusal(`商品 ${input.product.code} はありません`, 'not_found');
  const p = mergeProduct(input.product, stored);
  await checkWrite(deps, p);
  await updateProduct(deps.db, p);
  const changed = changedFields(stored, p).map((f) => PRODUCT_FIELD_LABELS[f]);
  return { product: (await findProduct(deps.db, p.code))!, changed };
}

/** 無効にする / 有効に戻す: an inactive product still converts its orders; it leaves the pickers. */
export async function setProductActive(
  deps: ProductDeps,
  input: { code: string; active: boolean },
): Promise<ProductRecord> {
  return (await editProduct(deps, { product: { code: input.code, active: input.active } })).product;
}

/** Deletes a product nothing refers to; one that orders use is refused (deactivate it instead). */
export async function removeProduct(deps: ProductDeps, input: { code: string }): Promise<void> {
  await withTransaction(deps.db, async (trx) => {
    if (!(await lockProduct(trx, input.code)))
      throw new RuleRefusal(`商品 ${input.code} はありません`, 'not_found');
    const used = await productUsage(trx, input.code);
    const why = [
      used.orderLines ? `受注明細 ${used.orderLines} 件` : '',
      used.mappings ? `店舗別商品マスタ ${used.mappings} 件` : '',
      used.stockedLevels ? `在庫のある倉庫 ${used.stockedLevels} 件` : '',
    ].filter(Boolean);
    if (why.length)
      throw new RuleRefusal(
        `商品 ${input.code} は使われているため削除できません（${why.join('、')}）。無効にしてください`,
        'product_in_use',
      );
    await deleteProduct(trx, input.code);
  });
}
