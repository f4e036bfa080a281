// Operation: a store mapping file (EC店舗別商品マスタ, read by uploads/mappings-csv.ts) of any size,
// through the upload ledger (usecases/apply-upload.ts): a batch of rows per transaction, written in
// one statement, the same file again changes nothing and an interrupted one resumes. A row naming a
// store or product juchu does not know is refused by value and the rest of its batch goes on. After
// each batch commits, a re-check (job recheck-mapping) is enqueued only for the cart codes of the
// batch that orders are waiting on in マスタなし商品 (a million-row file must not mean a million jobs).
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { listStores } from '../db/stores.js';
import type { UploadFile } from '../db/uploads.js';
import {
  type ApplyUploadResult,
  applyUpload,
  type ParsedRow,
  type Refused,
  type UploadProgress,
} from './apply-upload.js';
import type { UseCaseDeps } from './deps.js';
import type { MappingDeps } from './save-mapping.js';

export interface MappingRow {
  storeCode: string;
  cartProductCode: string;
  /** '' for any option. */
  cartOptionCode: string;
  productCode: string;
  unitsPerCartUnit: number;
}

async function knownProducts(trx: Db, codes: Iterable<string>): Promise<Set<string>> {
  const list = [...new Set(codes)];
  if (list.length === 0) return new Set();
  const rows = await trx.selectFrom('products').select('code').where('code', 'in', list).execute();
  return new Set(rows.map((r) => r.code));
}

/** The cart codes, among these, that order lines of the store wait on (マスタなし商品). */
async function waitingCartCodes(trx: Db, storeId: number, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const r = await sql<{ code: string }>`
    SELECT DISTINCT l.cart_product_code AS code
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.product_code IS NULL AND l.cart_product_code = ANY(${codes}::text[]) AND o.store_id = ${storeId}`.execute(
    trx,
  );
  return r.rows.map((x) => x.code);
}

export async function applyMappingFile(
  deps: MappingDeps & Partial<UseCaseDeps>,
  input: {
    file: Omit<UploadFile, 'kind'>;
    openRows: () => Promise<AsyncIterable<ParsedRow<MappingRow>>>;
    batchSize?: number;
    onProgress?: (p: UploadProgress) => void;
  },
): Promise<ApplyUploadResult> {
  // Stores are few: read once for the whole file.
  const stores = new Map((await listStores(deps.db)).map((s) => [s.code, s]));
  return applyUpload(
    { db: deps.db, now: deps.now ?? (() => new Date()) },
    {
      file: { ...input.file, kind: 'mappings' },
      openRows: input.openRows,
      verb: '登録',
      followUp: (n) => `${n} 件のカート商品コードで待ち注文を再確認します`,
      ...(input.batchSize ? { batchSize: input.batchSize } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      apply: async (trx, rows) => {
        const products = await knownProducts(
          trx,
          rows.map((r) => r.row.productCode),
        );
        const refused: Refused[] = [];
        // One row per key (a key twice in a batch: the later row wins, as row by row would).
        const byKey = new Map<string, MappingRow & { storeId: number }>();
        for (const { rowNo, row } of rows) {
          const store = stores.get(row.storeCode);
          if (!store) refused.push({ line: rowNo, message: `店舗コード「${row.storeCode}」はありません` });
          else if (!products.has(row.productCode))
            refused.push({
              line: rowNo,
              message: `商品コード「${row.productCode}」は商品マスタにありません`,
            });
          else
            byKey.set(`${store.id}\u0000${row.cartProductCode}\u0000${row.cartOptionCode}`, {
              ...row,
              storeId: store.id,
            });
        }
        const list = [...byKey.values()];
        const recheck: Array<{ store: string; cartProductCode: string }> = [];
        if (list.length) {
          await sql`
            INSERT INTO store_product_mappings (store_id, cart_product_code, cart_option_code, product_code, units_per_cart_unit)
            SELECT s, c, o, p, u FROM unnest(${list.map((m) => m.storeId)}::int[], ${list.map((m) => m.cartProductCode)}::text[],
                                          ${list.map((m) => m.cartOptionCode)}::text[], ${list.map((m) => m.productCode)}::text[],
                                          ${list.map((m) => m.unitsPerCartUnit)}::int[]) AS t(s, c, o, p, u)
            ON CONFLICT (store_id, cart_product_code, cart_option_code)
              DO UPDATE SET product_code = EXCLUDED.product_code, units_per_cart_unit = EXCLUDED.units_per_cart_unit,
                            updated_at = now()`.execute(trx);
          const perStore = new Map<number, { code: string; cartCodes: Set<string> }>();
          for (const m of list) {
            const s = perStore.get(m.storeId) ?? { code: m.storeCode, cartCodes: new Set<string>() };
            s.cartCodes.add(m.cartProductCode);
            perStore.set(m.storeId, s);
          }
          for (const [storeId, s] of perStore)
            for (const c of await waitingCartCodes(trx, storeId, [...s.cartCodes]))
              recheck.push({ store: s.code, cartProductCode: c });
        }
        return {
          refused,
          after: async () => {
            for (const c of recheck)
              await deps.queues.add('recheck-mapping', {
                storeCode: c.store,
                cartProductCode: c.cartProductCode,
                requestedBy: input.file.actor,
              });
            return recheck.length; // the orders move on in the re-check jobs
          },
        };
      },
    },
  );
}
