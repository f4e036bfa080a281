// 商品マスタ: the product master, a page at a time with search; one product to add, edit, deactivate
// or reactivate, or delete while nothing uses it; a CSV import (checked whole first, with a dry run)
// and export; the cart codes orders wait on in マスタなし商品 (adding a product with that code lets
// them go on). Everyone reads; admins write (the master is configuration, like the mappings).
import type { Request } from 'express';
import { z } from 'zod';
import { allProducts, findProduct, listProducts, waitingCartCodes } from '../../db/product-master.js';
import { checkCode } from '../../domain/product-rules.js';
import { jstDate } from '../../domain/time.js';
import { importProductsCsv, productsCsvFile } from '../../uploads/products-csv.js';
import {
  createProduct,
  editProduct,
  type ProductDeps,
  removeProduct,
  setProductActive,
} from '../../usecases/save-product.js';
import { actorOf } from '../auth.js';
import { notFound, parse, queryOf, type RouteTable } from '../http.js';
import { runFileUpload } from '../upload-file.js';
import { enqueue, type RouteDeps } from './deps.js';

const fields = {
  name: z.string().max(1000).optional(),
  jan: z.string().max(100).nullable().optional(),
  taxRate: z.number().int().optional(),
  needsCheck: z.boolean().optional(),
  needsCheckNote: z.string().max(2000).nullable().optional(),
  active: z.boolean().optional(),
};
const createSchema = z.object({ code: z.string().max(100), ...fields });
const editSchema = z.object(fields);

/** The product code in the path: one the master could hold, else 404 (nothing to find). */
function codeParam(req: Request): string {
  const code = String(req.params.code ?? '');
  if (checkCode(code) !== null) throw notFound(`商品 ${code.slice(0, 64)} はありません`);
  return code;
}

export function registerProductRoutes(routes: RouteTable, { db, queues, config }: RouteDeps): void {
  // The use cases enqueue the re-check after their write; Redis not answering is then a 503.
  const deps: ProductDeps = {
    db,
    now: () => new Date(),
    queues: { add: ((...a) => enqueue(() => queues.add(...a))) as typeof queues.add },
  };

  routes.add('get', '/api/product-master', 'viewer', async (req) => {
    const q = parse(
      z.object({
        q: z.string().max(100).optional(),
        state: z.enum(['active', 'inactive', 'all']).default('active'),
        needsCheck: z.enum(['1']).optional(),
        after: z.string().max(100).optional(),
        size: z.coerce.number().int().min(1).max(500).optional(),
      }),
      queryOf(req),
    );
    const [page, waiting] = await Promise.all([
      listProducts(db, { ...q, needsCheck: q.needsCheck === '1' }),
      waitingCartCodes(db),
    ]);
    return { products: page.items, next: page.next, waiting };
  });

  routes.add('get', '/api/product-master/:code', 'viewer', async (req) => {
    const code = codeParam(req);
    const p = await findProduct(db, code);
    if (!p) throw notFound(`商品 ${code} はありません`);
    return p;
  });

  routes.add('post', '/api/product-master', 'admin', async (req, res) => {
    const b = parse(createSchema, req.body);
    const { product, recheck } = await createProduct(deps, { product: b, actor: actorOf(res) });
    return {
      product,
      jobId: recheck.jobId,
      message: `商品 ${product.code}（${product.name}）を登録しました。マスタなし商品で待っている注文を再確認します`,
    };
  });

  routes.add('put', '/api/product-master/:code', 'admin', async (req) => {
    const code = codeParam(req);
    const b = parse(editSchema, req.body);
    const { product, changed } = await editProduct(deps, { product: { ...b, code } });
    return {
      product,
      changed,
      message: changed.length
        ? `商品 ${code} を更新しました（${changed.join('、')}）`
        : `商品 ${code} は変わっていません`,
    };
  });

  for (const [action, active, done] of [
    ['deactivate', false, '無効にしました'],
    ['activate', true, '有効に戻しました'],
  ] as const)
    routes.add('post', `/api/product-master/:code/${action}`, 'admin', async (req) => {
      const code = codeParam(req);
      const product = await setProductActive(deps, { code, active });
      return { product, message: `商品 ${code} を${done}` };
    });

  routes.add('delete', '/api/product-master/:code', 'admin', async (req) => {
    const code = codeParam(req);
    await removeProduct(deps, { code });
    return { ok: true, message: `商品 ${code} を削除しました` };
  });

  routes.add(
    'post',
    '/api/product-import',
    'admin',
    async (req, res) => {
      const q = parse(z.object({ dryRun: z.enum(['1', '0']).default('0') }), queryOf(req));
      // Streamed to a temporary file (any size); a long import answers 202 with its upload id.
      const r = await runFileUpload(
        req,
        res,
        (src, onProgress) =>
          importProductsCsv(deps, src, {
            dryRun: q.dryRun === '1',
            actor: actorOf(res),
            file: src.name,
            onProgress,
          }),
        config.UPLOAD_ANSWER_WAIT_MS,
      );
      if ('message' in r) return r; // 202: /api/uploads/:id follows it
      // A bad row is the file's fault: 400, with every bad row listed.
      if (!r.ok) res.status(400);
      return {
        ok: r.ok,
        dryRun: r.dryRun,
        applied: r.applied,
        uploadId: r.uploadId,
        repeated: r.repeated,
        status: r.status,
        errors: r.errors,
        rows: r.rows,
        counts: r.counts,
        lines: r.lines,
        message: r.ok
          ? r.lines[r.lines.length - 1]
          : r.repeated
            ? r.lines[0]
            : 'ファイルにエラーがあるため、何も登録していません',
      };
    },
    { body: 'stream' },
  );

  routes.add('get', '/api/product-export', 'viewer', async (req, res) => {
    const q = parse(z.object({ encoding: z.enum(['utf8', 'sjis']).default('utf8') }), queryOf(req));
    const file = productsCsvFile(await allProducts(db), q.encoding);
    res
      .set('content-type', `text/csv; charset=${q.encoding === 'sjis' ? 'Shift_JIS' : 'utf-8'}`)
      .set(
        'content-disposition',
        `attachment; filename="products-${jstDate(new Date()).replace(/-/g, '')}.csv"`,
      )
      .send(file);
  });
}
