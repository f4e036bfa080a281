// セット商品: the sets with their components, each component's free stock and the whole sets that
// stock makes (the minimum over the components); admins say what a set is made of, or make it a
// plain product again, through usecases/save-product-set.ts (the CLI's `juchu sets` calls it too).
import { z } from 'zod';
import { listSets } from '../../db/product-sets.js';
import { checkCode } from '../../domain/product-rules.js';
import { clearProductSet, setProductComponents } from '../../usecases/save-product-set.js';
import { notFound, parse, type RouteTable } from '../http.js';
import { opsOf, type RouteDeps } from './deps.js';

const componentsBody = z.object({
  components: z
    .array(
      z.object({
        productCode: z.string().trim().min(1, '構成品の商品コードを入力してください').max(100),
        quantity: z.number().int().min(1, '数量は 1 以上です').max(9999, '数量は 9999 までです'),
      }),
    )
    .min(1, '構成品を 1 つ以上入力してください')
    .max(50, '構成品は 50 までです'),
});

export function registerSetRoutes(routes: RouteTable, { db, queues }: RouteDeps): void {
  const ops = opsOf({ db, queues });
  const codeOf = (raw: unknown) => {
    const code = String(raw ?? '');
    if (checkCode(code) !== null) throw notFound(`商品 ${code.slice(0, 64)} はありません`);
    return code;
  };

  routes.add('get', '/api/sets', 'viewer', async () => ({ sets: await listSets(db) }));

  routes.add('get', '/api/sets/:code', 'viewer', async (req) => {
    const code = codeOf(req.params.code);
    const [set] = await listSets(db, { code });
    if (!set) throw notFound(`${code} はセット商品ではありません`);
    return set;
  });

  routes.add('put', '/api/sets/:code', 'admin', async (req) => {
    const code = codeOf(req.params.code);
    const b = parse(componentsBody, req.body);
    const r = await setProductComponents(ops, { setCode: code, components: b.components });
    const [set] = await listSets(db, { code });
    return { set: set ?? null, message: r.message };
  });

  routes.add('delete', '/api/sets/:code', 'admin', async (req) => {
    const code = codeOf(req.params.code);
    const r = await clearProductSet(ops, { setCode: code });
    return { ok: true, message: r.message };
  });
}
