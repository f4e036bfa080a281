// EC店舗別商品マスタ: the store product mapping (cart code and option → our product, units per cart
// unit), one at a time or by CSV; the cart codes orders wait on. Every write enqueues a re-check of
// the orders waiting on that cart code.
import { z } from 'zod';
import { listMappings, unmappedCartCodes } from '../../db/mapping-list.js';
import { findStore } from '../../db/stores.js';
import { applyMappingsCsv } from '../../uploads/mappings-csv.js';
import { removeMapping, saveMapping } from '../../usecases/save-mapping.js';
import { actorOf } from '../auth.js';
import { badRequest, idParam, parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { enqueue, type RouteDeps } from './deps.js';

const mappingSchema = z.object({
  store: z.string().min(1).max(64),
  cartProductCode: z.string().trim().min(1, 'カート商品コードを入力してください').max(100),
  cartOptionCode: z.string().trim().max(100).nullable().optional(),
  productCode: z.string().trim().min(1, '商品コードを入力してください').max(100),
  unitsPerCartUnit: z.number().int().min(1).max(1000).default(1),
});

export function registerMappingRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  // The use case enqueues the re-check after its write; Redis not answering is then a 503.
  const deps = { db, queues: { add: ((...a) => enqueue(() => queues.add(...a))) as typeof queues.add } };

  /** The mapping as the repository takes it, for a store that must exist. */
  const mappingOf = async (b: z.output<typeof mappingSchema>) => {
    const store = await findStore(db, b.store);
    if (!store) throw badRequest(`店舗 ${b.store} はありません`);
    return {
      store,
      mapping: {
        storeId: store.id,
        cartProductCode: b.cartProductCode,
        cartOptionCode: b.cartOptionCode || null,
        productCode: b.productCode,
        unitsPerCartUnit: b.unitsPerCartUnit,
      },
    };
  };

  routes.add('get', '/api/mappings', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        q: z.string().max(100).optional(),
        before: z.string().max(40).optional(),
      }),
      queryOf(req),
    );
    const [page, unmapped] = await Promise.all([listMappings(db, q), unmappedCartCodes(db, q.store)]);
    return { mappings: page.items, next: page.next, unmapped };
  });

  routes.add('post', '/api/mappings', 'admin', async (req, res) => {
    const b = parse(mappingSchema, req.body);
    const { store, mapping } = await mappingOf(b);
    const { id, jobId } = await saveMapping(deps, { storeCode: store.code, mapping, actor: actorOf(res) });
    return {
      id,
      jobId,
      message: `${b.cartProductCode} → ${b.productCode} を登録し、待ち注文の再確認を登録しました`,
    };
  });

  routes.add('put', '/api/mappings/:id', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(mappingSchema, req.body);
    const { store, mapping } = await mappingOf(b);
    const { jobId } = await saveMapping(deps, {
      storeCode: store.code,
      mapping,
      actor: actorOf(res),
      id,
    });
    return { id, jobId, message: `マッピング ${id} を更新しました` };
  });

  routes.add('delete', '/api/mappings/:id', 'admin', async (req) => {
    const id = parse(idParam, req.params.id);
    await removeMapping(deps, { id });
    // Orders already converted keep their product code; only future imports are affected.
    return { ok: true, message: `マッピング ${id} を削除しました` };
  });

  // A file of any size: streamed to a temporary file, applied in batches through the upload ledger;
  // a long one answers 202 and the screen follows /api/uploads/:id.
  routes.add(
    'post',
    '/api/mappings/upload',
    'admin',
    (req, res) =>
      runFileUpload(
        req,
        res,
        (src, onProgress) => applyMappingsCsv(deps, src, actorOf(res), src.name, { onProgress }),
        config.UPLOAD_ANSWER_WAIT_MS,
      ),
    { body: 'stream' },
  );
}
