// 店舗: the stores with their schedule, next run, lag and cursor; a store's settings; creating and
// editing stores; credentials (write-only: never shown again, only whether there are some).
import cron from 'node-cron';
import { z } from 'zod';
import { cartModule, credentialFields } from '../../carts/registry.js';
import { openRejectCounts } from '../../db/import-rejects.js';
import { findSavedStore, findStore, listStores, type Store, upsertStore } from '../../db/stores.js';
import { CART_LABELS, CARTS } from '../../domain/order.js';
import { parseStoreSettings } from '../../domain/store-settings.js';
import { toJstIso } from '../../domain/time.js';
import { actorOf } from '../auth.js';
import { badRequest, notFound, parse, type RouteTable } from '../http.js';
import type { RouteDeps } from './deps.js';

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
    cursor: jstOrNull(s.importCursor),
    lagSeconds: s.importCursor
      ? Math.max(0, Math.round((now.getTime() - s.importCursor.getTime()) / 1000))
      : null,
    lastImportAt: jstOrNull(s.lastImportAt),
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
const storeBody = z.object({
  name: z.string().trim().min(1).max(100),
  cart: z.enum(CARTS).optional(),
  importCron: cronExpr,
  enabled: z.boolean(),
  baseUrl: z.string().trim().max(500).nullable().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export function registerStoreRoutes(routes: RouteTable, { db, config }: RouteDeps): void {
  routes.add('get', '/api/carts', 'viewer', () => ({
    carts: CARTS.map((c) => ({ cart: c, label: CART_LABELS[c], credentialFields: credentialFields(c) })),
  }));

  routes.add('get', '/api/stores', 'viewer', async () => {
    const now = new Date();
    const [stores, rejects] = await Promise.all([listStores(db), openRejectCounts(db)]);
    const open = new Map(rejects.map((r) => [r.storeId, r.open]));
    return { stores: stores.map((s) => ({ ...storeView(s, now), openRejects: open.get(s.id) ?? 0 })) };
  });

  routes.add('get', '/api/stores/:code', 'viewer', async (req) => {
    const code = String(req.params.code);
    const [s, saved] = await Promise.all([findStore(db, code), findSavedStore(db, code)]);
    if (!s || !saved) throw notFound(`店舗 ${code} はありません`);
    return { store: storeView(s, new Date()), settings: saved.settings };
  });

  routes.add('put', '/api/stores/:code', 'admin', async (req) => {
    const code = parse(storeCode, req.params.code);
    const b = parse(storeBody, req.body);
    const existing = await findSavedStore(db, code);
    const cart = existing?.cart ?? b.cart;
    if (!cart) throw badRequest('新しい店舗にはカートを選んでください');
    if (existing && b.cart && b.cart !== existing.cart) throw badRequest('店舗のカートは変更できません');
    const settings = b.settings ?? existing?.settings ?? {};
    try {
      parseStoreSettings(settings);
    } catch (e) {
      throw badRequest(`設定が正しくありません: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Credentials are not part of this form: upsertStore keeps them when none are given.
    const saved = await upsertStore(
      db,
      {
        code,
        cart,
        name: b.name,
        enabled: b.enabled,
        importCron: b.importCron,
        baseUrl: b.baseUrl === undefined ? (existing?.baseUrl ?? null) : b.baseUrl || null,
        settings,
      },
      config.JUCHU_SECRET_KEY,
    );
    return { store: storeView(saved, new Date()) };
  });

  routes.add('put', '/api/stores/:code/credentials', 'admin', async (req, res) => {
    const code = String(req.params.code);
    const [store, saved] = await Promise.all([findStore(db, code), findSavedStore(db, code)]);
    if (!store || !saved) throw notFound(`店舗 ${code} はありません`);
    const b = parse(z.object({ credentials: z.record(z.string(), z.string().max(4000)) }), req.body);
    const creds = Object.fromEntries(Object.entries(b.credentials).filter(([, v]) => v !== ''));
    const checked = cartModule(store.cart).credentialsSchema.safeParse(creds);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw badRequest(`認証情報が足りません: ${issue?.path.join('.') || ''} ${issue?.message ?? ''}`.trim());
    }
    await upsertStore(
      db,
      {
        code: store.code,
        cart: store.cart,
        name: store.name,
        enabled: store.enabled,
        importCron: store.importCron,
        baseUrl: store.baseUrl,
        settings: saved.settings,
        credentials: creds,
      },
      config.JUCHU_SECRET_KEY,
    );
    // Never echo the values back: only that they were saved, and by whom.
    return { ok: true, message: `${store.code} の認証情報を更新しました（${actorOf(res)}）` };
  });
}
