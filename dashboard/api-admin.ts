// Stores (schedule, lag, next run, credentials), imports (runs, rejects, order CSV upload), the store
// product mapping, statuses and users. Jobs are enqueued after the database work commits.
import { sql } from 'kysely';
import cron from 'node-cron';
import { z } from 'zod';
import { csvCart, parseOrderFile } from '../carts/csv/index.js';
import { cartModule, credentialFields } from '../carts/registry.js';
import type { Db } from '../db/db.js';
import { finishRun, openRun } from '../db/import-runs.js';
import { upsertMapping } from '../db/products.js';
import { addStatus, loadStatuses, removeStatus, renameStatus } from '../db/statuses.js';
import { findStore, getStore, listStores, type Store, upsertStore } from '../db/stores.js';
import { createUser } from '../db/users.js';
import { CART_LABELS, CARTS, type CartName } from '../domain/order.js';
import { parseStoreSettings } from '../domain/store-settings.js';
import { toJstIso } from '../domain/time.js';
import type { Config } from '../infra/config.js';
import { jobIds } from '../jobs/catalogue.js';
import { importPage } from '../jobs/import-page.js';
import type { Queues } from '../jobs/queues.js';
import { readUpload } from '../uploads/columns.js';
import { actorOf, sessionOf, userOf } from './auth.js';
import {
  attempt,
  badRequest,
  HttpError,
  idParam,
  notFound,
  parse,
  queryOf,
  type RouteTable,
  uploadOf,
} from './http.js';

export const TIMEZONE = 'Asia/Tokyo';

/** The next time a cron expression fires in Japan time (null for an invalid expression). */
export function nextRun(expr: string): Date | null {
  if (!cron.validate(expr)) return null;
  // A stopped task is never scheduled; it only answers when it would fire next.
  const task = cron.createTask(expr, () => undefined, { timezone: TIMEZONE });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}

async function enqueue<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new HttpError(
      503,
      `ジョブを登録できませんでした（Redis に接続できません: ${e instanceof Error ? e.message : String(e)}）`,
      'queue_unavailable',
    );
  }
}

const jstOrNull = (d: Date | null) => (d ? toJstIso(d) : null);

function storeView(s: Store, now: Date) {
  return {
    code: s.code,
    name: s.name,
    cart: s.cart,
    cartLabel: CART_LABELS[s.cart],
    enabled: s.enabled,
    importCron: s.importCron,
    nextRun: s.enabled ? jstOrNull(nextRun(s.importCron)) : null,
    cursor: s.importCursor ? toJstIso(s.importCursor) : null,
    lagSeconds: s.importCursor
      ? Math.max(0, Math.round((now.getTime() - s.importCursor.getTime()) / 1000))
      : null,
    lastImportAt: s.lastImportAt ? toJstIso(s.lastImportAt) : null,
    lastImportOutcome: s.lastImportOutcome,
    credentialState: s.credentialState,
    credentialError: s.credentialError,
    hasCredentials: s.hasCredentials,
    credentialFields: credentialFields(s.cart),
    baseUrl: s.baseUrl,
  };
}

const storeCode = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, '店舗コードは英小文字・数字・- です');
const cronExpr = z
  .string()
  .trim()
  .refine((v) => cron.validate(v), 'cron 式が正しくありません');

export function registerAdminRoutes(routes: RouteTable, db: Db, queues: Queues, config: Config): void {
  routes.add('get', '/api/me', 'viewer', (_req, res) => {
    const s = sessionOf(res)!;
    return { user: s.user, csrfToken: s.csrfToken };
  });

  routes.add('get', '/api/carts', 'viewer', () => ({
    carts: CARTS.map((c) => ({ cart: c, label: CART_LABELS[c], credentialFields: credentialFields(c) })),
  }));

  // ---------------------------------------------------------------------------------------------
  // Stores

  routes.add('get', '/api/stores', 'viewer', async () => {
    const now = new Date();
    const stores = await listStores(db);
    const rejects = await db
      .selectFrom('import_rejects')
      .select(['store_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('resolved_at', 'is', null)
      .groupBy('store_id')
      .execute();
    const open = new Map(rejects.map((r) => [r.store_id, Number(r.n)]));
    return { stores: stores.map((s) => ({ ...storeView(s, now), openRejects: open.get(s.id) ?? 0 })) };
  });

  routes.add('get', '/api/stores/:code', 'viewer', async (req) => {
    const s = await findStore(db, String(req.params.code));
    if (!s) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const raw = await db
      .selectFrom('stores')
      .select('settings')
      .where('id', '=', s.id)
      .executeTakeFirstOrThrow();
    return { store: storeView(s, new Date()), settings: raw.settings };
  });

  routes.add('put', '/api/stores/:code', 'admin', async (req) => {
    const code = parse(storeCode, req.params.code);
    const b = parse(
      z.object({
        name: z.string().trim().min(1).max(100),
        cart: z.enum(CARTS).optional(),
        importCron: cronExpr,
        enabled: z.boolean(),
        baseUrl: z.string().trim().max(500).nullable().optional(),
        settings: z.record(z.string(), z.unknown()).optional(),
      }),
      req.body,
    );
    const existing = await db.selectFrom('stores').selectAll().where('code', '=', code).executeTakeFirst();
    const cart = (existing?.cart as CartName | undefined) ?? b.cart;
    if (!cart) throw badRequest('新しい店舗にはカートを選んでください');
    if (existing && b.cart && b.cart !== existing.cart) throw badRequest('店舗のカートは変更できません');
    const settings = b.settings ?? (existing?.settings as Record<string, unknown> | undefined) ?? {};
    try {
      parseStoreSettings(settings);
    } catch (e) {
      throw badRequest(`設定が正しくありません: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Credentials are not part of this form: upsertStore keeps them when none are given.
    const saved = await attempt(() =>
      upsertStore(
        db,
        {
          code,
          cart,
          name: b.name,
          enabled: b.enabled,
          importCron: b.importCron,
          baseUrl: b.baseUrl === undefined ? (existing?.base_url ?? null) : b.baseUrl || null,
          settings,
        },
        config.JUCHU_SECRET_KEY,
      ),
    );
    return { store: storeView(saved, new Date()) };
  });

  routes.add('put', '/api/stores/:code/credentials', 'admin', async (req, res) => {
    const store = await findStore(db, String(req.params.code));
    if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const b = parse(z.object({ credentials: z.record(z.string(), z.string().max(4000)) }), req.body);
    const creds = Object.fromEntries(Object.entries(b.credentials).filter(([, v]) => v !== ''));
    const checked = cartModule(store.cart).credentialsSchema.safeParse(creds);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw badRequest(`認証情報が足りません: ${issue?.path.join('.') || ''} ${issue?.message ?? ''}`.trim());
    }
    const raw = await db
      .selectFrom('stores')
      .selectAll()
      .where('id', '=', store.id)
      .executeTakeFirstOrThrow();
    await upsertStore(
      db,
      {
        code: store.code,
        cart: store.cart,
        name: store.name,
        enabled: store.enabled,
        importCron: store.importCron,
        baseUrl: store.baseUrl,
        settings: raw.settings as Record<string, unknown>,
        credentials: creds,
      },
      config.JUCHU_SECRET_KEY,
    );
    // Never echo the values back: only that they were saved, and by whom.
    return { ok: true, message: `${store.code} の認証情報を更新しました（${actorOf(res)}）` };
  });

  routes.add('post', '/api/stores/:code/import', 'operator', async (req, res) => {
    const store = await findStore(db, String(req.params.code));
    if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const jobId = await enqueue(() =>
      queues.add(
        'import-store',
        { storeCode: store.code, trigger: 'manual', requestedBy: actorOf(res) },
        // One import waiting per store; a click while one runs becomes one follow-up, not many.
        { deduplication: { id: jobIds.importDedup(store.code), keepLastIfActive: true } },
      ),
    );
    return { jobId, message: `${store.name} の取込を登録しました（ジョブ ${jobId}）` };
  });

  routes.add('post', '/api/stores/:code/reimport', 'operator', async (req, res) => {
    const store = await findStore(db, String(req.params.code));
    if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
    const b = parse(
      z.object({ cartOrderNo: z.string().trim().min(1, '注文No を入力してください').max(100) }),
      req.body,
    );
    const jobId = await enqueue(() =>
      queues.add('reimport-order', {
        storeCode: store.code,
        cartOrderNo: b.cartOrderNo,
        requestedBy: actorOf(res),
      }),
    );
    return {
      jobId,
      message: `${store.name} の注文 ${b.cartOrderNo} の再取込を登録しました（ジョブ ${jobId}）`,
    };
  });

  routes.add(
    'post',
    '/api/stores/:code/orders-upload',
    'operator',
    async (req, res) => {
      const store = await findStore(db, String(req.params.code));
      if (!store) throw notFound(`店舗 ${String(req.params.code)} はありません`);
      if (store.cart !== 'csv') throw badRequest(`${store.name} は CSV 店舗ではありません`);
      const f = uploadOf(req);
      const parsed = await attempt(async () => parseOrderFile(f.buf, store.settings, f.name));
      const run = await openRun(db, {
        storeId: store.id,
        trigger: 'upload',
        jobId: null,
        slot: null,
        windowFrom: null,
        windowTo: null,
      });
      if (!run) throw new Error('could not open an import run');
      try {
        const counts = await importPage(db, store, csvCart, parsed.orders, {
          runId: run.id,
          actor: `upload:${userOf(res).login}`,
          now: new Date(),
        });
        await finishRun(db, run.id, store.id, 'succeeded', null);
        const rejects = await db
          .selectFrom('import_rejects')
          .select(['id', 'cart_order_no', 'field', 'error'])
          .where('import_run_id', '=', run.id)
          .orderBy('id')
          .limit(200)
          .execute();
        return {
          runId: run.id,
          file: { name: f.name, layout: parsed.layout, encoding: parsed.encoding, rows: parsed.rows },
          counts,
          rejects: rejects.map((r) => ({
            id: r.id,
            cartOrderNo: r.cart_order_no,
            field: r.field,
            error: r.error,
          })),
        };
      } catch (e) {
        await finishRun(db, run.id, store.id, 'failed', e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    { body: 'raw' },
  );

  // ---------------------------------------------------------------------------------------------
  // Import runs and rejects

  routes.add('get', '/api/import-runs', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        outcome: z.enum(['running', 'succeeded', 'failed']).optional(),
        before: z.coerce.number().int().positive().optional(),
      }),
      queryOf(req),
    );
    let query = db
      .selectFrom('import_runs as r')
      .innerJoin('stores as s', 's.id', 'r.store_id')
      .selectAll('r')
      .select(['s.code as store_code', 's.name as store_name']);
    if (q.store) query = query.where('s.code', '=', q.store);
    if (q.outcome) query = query.where('r.outcome', '=', q.outcome);
    if (q.before) query = query.where('r.id', '<', q.before);
    const rows = await query.orderBy('r.id', 'desc').limit(101).execute();
    return {
      runs: rows.slice(0, 100).map((r) => ({
        id: r.id,
        store: r.store_code,
        storeName: r.store_name,
        trigger: r.trigger,
        jobId: r.job_id,
        slot: r.slot ? toJstIso(r.slot) : null,
        windowFrom: r.window_from ? toJstIso(r.window_from) : null,
        windowTo: r.window_to ? toJstIso(r.window_to) : null,
        counts: {
          fetched: r.fetched,
          new: r.new,
          updated: r.updated,
          unchanged: r.unchanged,
          rejected: r.rejected,
          skipped: r.skipped,
          missingFound: r.missing_found,
        },
        outcome: r.outcome,
        error: r.error,
        startedAt: toJstIso(r.started_at),
        finishedAt: r.finished_at ? toJstIso(r.finished_at) : null,
        durationMs: r.duration_ms,
      })),
      next: rows.length > 100 ? rows[99]!.id : null,
    };
  });

  routes.add('get', '/api/import-rejects', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        state: z.enum(['open', 'resolved', 'all']).default('open'),
        before: z.coerce.number().int().positive().optional(),
      }),
      queryOf(req),
    );
    let query = db
      .selectFrom('import_rejects as r')
      .innerJoin('stores as s', 's.id', 'r.store_id')
      .select([
        'r.id',
        'r.cart_order_no',
        'r.field',
        'r.error',
        'r.created_at',
        'r.resolved_at',
        'r.resolution',
        'r.import_run_id',
        's.code as store_code',
        's.name as store_name',
      ]);
    if (q.store) query = query.where('s.code', '=', q.store);
    if (q.state === 'open') query = query.where('r.resolved_at', 'is', null);
    if (q.state === 'resolved') query = query.where('r.resolved_at', 'is not', null);
    if (q.before) query = query.where('r.id', '<', q.before);
    const rows = await query.orderBy('r.id', 'desc').limit(101).execute();
    return {
      rejects: rows.slice(0, 100).map((r) => ({
        id: r.id,
        store: r.store_code,
        storeName: r.store_name,
        cartOrderNo: r.cart_order_no,
        field: r.field,
        error: r.error,
        runId: r.import_run_id,
        createdAt: toJstIso(r.created_at),
        resolvedAt: r.resolved_at ? toJstIso(r.resolved_at) : null,
        resolution: r.resolution,
      })),
      next: rows.length > 100 ? rows[99]!.id : null,
    };
  });

  routes.add('get', '/api/import-rejects/:id', 'viewer', async (req) => {
    const id = parse(idParam, req.params.id);
    const r = await db
      .selectFrom('import_rejects as r')
      .innerJoin('stores as s', 's.id', 'r.store_id')
      .selectAll('r')
      .select(['s.code as store_code'])
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound(`取込エラー ${id} はありません`);
    return {
      id: r.id,
      store: r.store_code,
      cartOrderNo: r.cart_order_no,
      field: r.field,
      error: r.error,
      rawPayload: r.raw_payload,
      createdAt: toJstIso(r.created_at),
      resolvedAt: r.resolved_at ? toJstIso(r.resolved_at) : null,
      resolution: r.resolution,
    };
  });

  routes.add('post', '/api/import-rejects/:id/reprocess', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const r = await db
      .selectFrom('import_rejects')
      .select(['id', 'resolved_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound(`取込エラー ${id} はありません`);
    if (r.resolved_at) throw badRequest('この取込エラーは解決済みです');
    const jobId = await enqueue(() =>
      queues.add('reprocess-reject', { rejectId: id, requestedBy: actorOf(res) }),
    );
    return { jobId, message: `取込エラー ${id} の再処理を登録しました（ジョブ ${jobId}）` };
  });

  // ---------------------------------------------------------------------------------------------
  // EC店舗別商品マスタ

  const mappingSchema = z.object({
    store: z.string().min(1).max(64),
    cartProductCode: z.string().trim().min(1, 'カート商品コードを入力してください').max(100),
    cartOptionCode: z.string().trim().max(100).nullable().optional(),
    productCode: z.string().trim().min(1, '商品コードを入力してください').max(100),
    unitsPerCartUnit: z.number().int().min(1).max(1000).default(1),
  });

  const recheck = (store: string, cartProductCode: string, by: string) =>
    enqueue(() => queues.add('recheck-mapping', { storeCode: store, cartProductCode, requestedBy: by }));

  routes.add('get', '/api/mappings', 'viewer', async (req) => {
    const q = parse(
      z.object({
        store: z.string().max(64).optional(),
        q: z.string().max(100).optional(),
        before: z.coerce.number().int().positive().optional(),
      }),
      queryOf(req),
    );
    let query = db
      .selectFrom('store_product_mappings as m')
      .innerJoin('stores as s', 's.id', 'm.store_id')
      .leftJoin('products as p', 'p.code', 'm.product_code')
      .select([
        'm.id',
        'm.cart_product_code',
        'm.cart_option_code',
        'm.product_code',
        'm.units_per_cart_unit',
        'm.updated_at',
        's.code as store_code',
        's.name as store_name',
        'p.name as product_name',
      ]);
    if (q.store) query = query.where('s.code', '=', q.store);
    if (q.q)
      query = query.where((eb) =>
        eb.or([eb('m.cart_product_code', 'like', `%${q.q}%`), eb('m.product_code', 'like', `%${q.q}%`)]),
      );
    if (q.before) query = query.where('m.id', '<', q.before);
    const rows = await query.orderBy('m.id', 'desc').limit(201).execute();
    // Cart codes orders are waiting on (マスタなし商品): what is worth mapping next.
    const waiting = await sql<{
      store_code: string;
      cart_product_code: string;
      cart_option_code: string | null;
      lines: number;
    }>`
      SELECT s.code AS store_code, l.cart_product_code, l.cart_option_code, count(*)::int AS lines
      FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN stores s ON s.id = o.store_id
      WHERE l.product_code IS NULL ${q.store ? sql`AND s.code = ${q.store}` : sql``}
      GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 50`.execute(db);
    return {
      mappings: rows.slice(0, 200).map((m) => ({
        id: m.id,
        store: m.store_code,
        storeName: m.store_name,
        cartProductCode: m.cart_product_code,
        cartOptionCode: m.cart_option_code || null,
        productCode: m.product_code,
        productName: m.product_name,
        unitsPerCartUnit: m.units_per_cart_unit,
        updatedAt: toJstIso(m.updated_at),
      })),
      next: rows.length > 200 ? rows[199]!.id : null,
      unmapped: waiting.rows.map((w) => ({
        store: w.store_code,
        cartProductCode: w.cart_product_code,
        cartOptionCode: w.cart_option_code,
        lines: w.lines,
      })),
    };
  });

  routes.add('post', '/api/mappings', 'admin', async (req, res) => {
    const b = parse(mappingSchema, req.body);
    const store = await getStore(db, b.store).catch(() => {
      throw badRequest(`店舗 ${b.store} はありません`);
    });
    const id = await attempt(() =>
      upsertMapping(db, {
        storeId: store.id,
        cartProductCode: b.cartProductCode,
        cartOptionCode: b.cartOptionCode || null,
        productCode: b.productCode,
        unitsPerCartUnit: b.unitsPerCartUnit,
      }),
    );
    const jobId = await recheck(store.code, b.cartProductCode, actorOf(res));
    return {
      id,
      jobId,
      message: `${b.cartProductCode} → ${b.productCode} を登録し、待ち注文の再確認を登録しました`,
    };
  });

  routes.add('put', '/api/mappings/:id', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(mappingSchema, req.body);
    const store = await getStore(db, b.store).catch(() => {
      throw badRequest(`店舗 ${b.store} はありません`);
    });
    const old = await db
      .selectFrom('store_product_mappings')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!old) throw notFound(`マッピング ${id} はありません`);
    const product = await db
      .selectFrom('products')
      .select('code')
      .where('code', '=', b.productCode)
      .executeTakeFirst();
    if (!product) throw badRequest(`product "${b.productCode}" is not in the product master`);
    await attempt(() =>
      db
        .updateTable('store_product_mappings')
        .set({
          store_id: store.id,
          cart_product_code: b.cartProductCode,
          cart_option_code: b.cartOptionCode ?? '',
          product_code: b.productCode,
          units_per_cart_unit: b.unitsPerCartUnit,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute(),
    );
    const jobId = await recheck(store.code, b.cartProductCode, actorOf(res));
    return { id, jobId, message: `マッピング ${id} を更新しました` };
  });

  routes.add('delete', '/api/mappings/:id', 'admin', async (req) => {
    const id = parse(idParam, req.params.id);
    const r = await db.deleteFrom('store_product_mappings').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw notFound(`マッピング ${id} はありません`);
    // Orders already converted keep their product code; only future imports are affected.
    return { ok: true, message: `マッピング ${id} を削除しました` };
  });

  routes.add(
    'post',
    '/api/mappings/upload',
    'admin',
    async (req, res) => {
      const f = uploadOf(req);
      const rows = await attempt(async () =>
        readUpload(
          f.buf,
          f.name,
          {
            store: ['店舗コード', '店舗', 'store', 'store_code'],
            cartProductCode: ['カート商品コード', '店舗商品コード', 'cart_product_code', 'cart_code'],
            cartOptionCode: ['オプション', 'オプションコード', 'option', 'cart_option_code'],
            productCode: ['商品コード', 'product_code', 'product'],
            units: ['入数', '数量', 'units', 'units_per_cart_unit'],
          },
          ['cartOptionCode', 'units'],
        ),
      );
      const stores = new Map((await listStores(db)).map((s) => [s.code, s]));
      const lines: string[] = [];
      const toRecheck = new Set<string>();
      let ok = 0;
      for (const r of rows) {
        const store = stores.get(r.get('store'));
        const cartCode = r.get('cartProductCode');
        const units = r.get('units') === '' ? 1 : Number(r.get('units'));
        try {
          if (!store) throw new Error(`店舗 "${r.get('store')}" はありません`);
          await upsertMapping(db, {
            storeId: store.id,
            cartProductCode: cartCode,
            cartOptionCode: r.get('cartOptionCode') || null,
            productCode: r.get('productCode'),
            unitsPerCartUnit: units,
          });
          toRecheck.add(`${store.code}\u0000${cartCode}`);
          lines.push(`✓ ${r.rowNo} 行目: ${store.code} ${cartCode} → ${r.get('productCode')} ×${units}`);
          ok++;
        } catch (e) {
          lines.push(`✗ ${r.rowNo} 行目: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const k of toRecheck) {
        const [store, cartCode] = k.split('\u0000') as [string, string];
        await recheck(store, cartCode, actorOf(res));
      }
      lines.push(
        `${ok} 行を登録、${rows.length - ok} 行はエラー。${toRecheck.size} 件のカート商品コードで待ち注文を再確認します`,
      );
      return { ok, failed: rows.length - ok, lines };
    },
    { body: 'raw' },
  );

  // ---------------------------------------------------------------------------------------------
  // Statuses

  routes.add('post', '/api/statuses', 'admin', async (req) => {
    const b = parse(
      z.object({
        code: z.string().regex(/^[a-z0-9_]{1,40}$/, 'コードは英小文字・数字・_ です'),
        group: z.enum(['review', 'payment', 'fulfillment', 'cancellation']),
        label: z.string().trim().min(1).max(40),
      }),
      req.body,
    );
    return { status: await attempt(() => addStatus(db, b)) };
  });

  routes.add('put', '/api/statuses/:code', 'admin', async (req) => {
    const b = parse(
      z.object({ label: z.string().trim().min(1, '名前を入力してください').max(40) }),
      req.body,
    );
    return { status: await attempt(() => renameStatus(db, String(req.params.code), b.label)) };
  });

  routes.add('delete', '/api/statuses/:code', 'admin', async (req) => {
    await attempt(() => removeStatus(db, String(req.params.code)));
    return { ok: true, statuses: (await loadStatuses(db)).all };
  });

  // ---------------------------------------------------------------------------------------------
  // Users

  routes.add('get', '/api/users', 'admin', async () => ({
    users: (
      await db
        .selectFrom('users')
        .select(['id', 'login', 'display_name', 'role', 'enabled', 'created_at'])
        .orderBy('login')
        .execute()
    ).map((u) => ({
      id: u.id,
      login: u.login,
      displayName: u.display_name,
      role: u.role,
      enabled: u.enabled,
      createdAt: toJstIso(u.created_at),
    })),
  }));

  const role = z.enum(['viewer', 'operator', 'admin']);

  routes.add('post', '/api/users', 'admin', async (req) => {
    const b = parse(
      z.object({
        login: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9._@-]{2,64}$/, 'ログイン名は英数字と . _ @ - です'),
        displayName: z.string().trim().min(1).max(100),
        role,
        password: z.string().min(8, 'パスワードは 8 文字以上です').max(200),
      }),
      req.body,
    );
    const exists = await db.selectFrom('users').select('id').where('login', '=', b.login).executeTakeFirst();
    if (exists) throw badRequest(`ログイン名 ${b.login} は使われています`);
    const u = await attempt(() => createUser(db, b));
    return { user: u };
  });

  routes.add('put', '/api/users/:id', 'admin', async (req, res) => {
    const id = parse(idParam, req.params.id);
    const b = parse(
      z.object({
        displayName: z.string().trim().min(1).max(100).optional(),
        role: role.optional(),
        enabled: z.boolean().optional(),
        password: z.string().min(8, 'パスワードは 8 文字以上です').max(200).optional(),
      }),
      req.body,
    );
    const u = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!u) throw notFound(`ユーザー ${id} はありません`);
    if (id === userOf(res).id && (b.enabled === false || (b.role && b.role !== 'admin')))
      throw badRequest('自分自身の管理者権限は外せません');
    if (b.password)
      await createUser(db, {
        login: u.login,
        displayName: b.displayName ?? u.display_name,
        role: b.role ?? u.role,
        password: b.password,
      });
    const patch = {
      ...(b.displayName ? { display_name: b.displayName } : {}),
      ...(b.role ? { role: b.role } : {}),
      ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
    };
    if (Object.keys(patch).length) await db.updateTable('users').set(patch).where('id', '=', id).execute();
    // A disabled user or a new password ends the user's sessions at once.
    if (b.enabled === false || b.password)
      await db.deleteFrom('sessions').where('user_id', '=', id).execute();
    return { ok: true };
  });
}
