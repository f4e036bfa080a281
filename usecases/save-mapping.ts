// Operations on the store mapping (EC店舗別商品マスタ): add or change a cart code → product, or
// remove one. After commit, adding or changing one enqueues the re-check of the orders waiting in
// マスタなし商品 on that cart code (job `recheck-mapping`, idempotent); removing one changes no
// order already converted — only future imports.
import { deleteMapping, type MappingInput, updateMapping, upsertMapping } from '../db/products.js';
import { listStores } from '../db/stores.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { Queues } from '../jobs/queues.js';
import type { UseCaseDeps } from './deps.js';

export interface MappingDeps extends Pick<UseCaseDeps, 'db'> {
  queues: Pick<Queues, 'add'>;
}

export interface SavedMapping {
  id: number;
  /** The re-check job (null when BullMQ deduplicated it into one already waiting). */
  jobId: string | null;
}

async function enqueueRecheck(deps: MappingDeps, storeCode: string, cartProductCode: string, by: string) {
  return (await deps.queues.add('recheck-mapping', { storeCode, cartProductCode, requestedBy: by })) ?? null;
}

export async function saveMapping(
  deps: MappingDeps,
  input: { storeCode: string; mapping: MappingInput; actor: string; id?: number },
): Promise<SavedMapping> {
  let id = input.id;
  if (id === undefined) id = await upsertMapping(deps.db, input.mapping);
  else if (!(await updateMapping(deps.db, id, input.mapping)))
    throw new RuleRefusal(`マッピング ${id} はありません`, 'not_found');
  const jobId = await enqueueRecheck(deps, input.storeCode, input.mapping.cartProductCode, input.actor);
  return { id, jobId };
}

export async function removeMapping(deps: Pick<UseCaseDeps, 'db'>, input: { id: number }): Promise<void> {
  if (!(await deleteMapping(deps.db, input.id)))
    throw new RuleRefusal(`マッピング ${input.id} はありません`, 'not_found');
}

export interface MappingRow {
  rowNo: number;
  storeCode: string;
  cartProductCode: string;
  cartOptionCode: string | null;
  productCode: string;
  unitsPerCartUnit: number;
}

/**
 * A mapping file's rows (uploads/mappings-csv.ts reads them): each row written on its own, a bad
 * one reported by its line and the rest going on; then one re-check per cart code that got a mapping.
 */
export async function saveMappings(deps: MappingDeps, rows: readonly MappingRow[], actor: string) {
  const stores = new Map((await listStores(deps.db)).map((s) => [s.code, s]));
  const lines: string[] = [];
  const recheck = new Map<string, { store: string; cartProductCode: string }>();
  let ok = 0;
  for (const r of rows) {
    try {
      const store = stores.get(r.storeCode);
      if (!store) throw new RuleRefusal(`店舗 "${r.storeCode}" はありません`, 'not_found');
      await upsertMapping(deps.db, { ...r, storeId: store.id });
      recheck.set(`${store.code}\u0000${r.cartProductCode}`, {
        store: store.code,
        cartProductCode: r.cartProductCode,
      });
      lines.push(
        `✓ ${r.rowNo} 行目: ${store.code} ${r.cartProductCode} → ${r.productCode} ×${r.unitsPerCartUnit}`,
      );
      ok++;
    } catch (e) {
      lines.push(`✗ ${r.rowNo} 行目: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const c of recheck.values()) await enqueueRecheck(deps, c.store, c.cartProductCode, actor);
  lines.push(
    `${ok} 行を登録、${rows.length - ok} 行はエラー。${recheck.size} 件のカート商品コードで待ち注文を再確認します`,
  );
  return { ok, failed: rows.length - ok, lines };
}
