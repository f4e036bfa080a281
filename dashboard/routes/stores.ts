// 店舗: the stores with their schedule, next run, lag and cursor; a store's settings; creating and
// editing stores and their credentials (write-only: never shown again, only whether there are some)
// through usecases/save-store.ts, which holds the rules (where credentials may be sent, among them).
import cron from 'node-cron';
import { z } from 'zod';
import { cartModule, credentialFields } from '../../carts/registry.js';
import { outboxByStore, outboxDepth } from '../../db/cart-action-list.js';
import { openRejectCounts } from '../../db/import-rejects.js';
import { latestSkips } from '../../db/import-runs.js';
import { findSavedStore, findStore, listStores, type Store } from '../../db/stores.js';
import { cronInWords } from '../../domain/cron-words.js';
import { credentialProblemInWords } from '../../domain/import-skip.js';
import { CART_LABELS, CARTS } from '../../domain/order.js';
import { toJstIso } from '../../domain/time.js';
import { jobIds } from '../../jobs/catalogue.js';
import { saveStore, setStoreCredentials } from '../../usecases/save-store.js';
import { actorOf } from '../auth.js';
import { notFound, parse, type RouteTable } from '../http.js';
import { enqueue, type RouteDeps } from './deps.js';

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
    importCronWords: cronInWords(s.importCron),
    nextRun: s.enabled ? jstOrNull(nextRun(s.importCron)) : null,
    cursor: jstOrNull(s.importCursor),
    lagSeconds: s.importCursor
      ? Math.max(0, Math.round((now.getTime() - s.importCursor.getTime()) / 1000))
      : null,
    lastImportAt: jstOrNull(s.lastImportAt),
    lastImportOutcome: s.lastImportOutcome,
    credentialState: s.credentialState,
    credentialError: s.credentialError,
    credentialProblem:
      s.credentialState === 'needs_credentials' ? credentialProblemInWords(s.credentialError) : null,
    hasCredentials: s.hasCredentials,
    credentialFields: credentialFields(s.cart),
    baseUrl: s.baseUrl,
    testStore: s.testStore,
    // Which API/version the store speaks and what the operator must know about it (cart's own words).
    apiStatus: cartModule(s.cart).apiStatus?.(s.settings, now) ?? null,
  };
}

const storeBody = z.object({
  name: z.string().max(100),
  cart: z.enum(CARTS).optional(),
  importCron: z.string().trim().max(200),
  enabled: z.boolean(),
  baseUrl: z.string().trim().max(500).nullable().optional(),
  testStore: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  /** Move an existing store to another cart (its credentials are dropped): only when asked. */
  changeCart: z.boolean().optional(),
});

export function registerStoreRoutes(routes: RouteTable, { db, config, queues }: RouteDeps): void {
  const deps = { db, key: config.JUCHU_SECRET_KEY };

  routes.add('get', '/api/carts', 'viewer', () => ({
    carts: CARTS.map((c) => ({ cart: c, label: CART_LABELS[c], credentialFields: credentialFields(c) })),
  }));

  routes.add('get', '/api/stores', 'viewer', async () => {
    const now = new Date();
    const [stores, rejects, skips, depth] = await Promise.all([
      listStores(db),
      openRejectCounts(db),
      latestSkips(db),
      outboxDepth(db, now),
    ]);
    const open = new Map(rejects.map((r) => [r.storeId, r.open]));
    const outbox = outboxByStore(depth);
    return {
      stores: stores.map((s) => {
        const skip = skips.get(s.id);
        return {
          ...storeView(s, now),
          openRejects: open.get(s.id) ?? 0,
          // カート連携: actions waiting, failed (retries spent), refused (要対応), the oldest waiting one's age.
          cartActions: outbox.get(s.id) ?? {
            waiting: 0,
            failed: 0,
            refused: 0,
            oldestWaitingSeconds: null,
            oldestWaitingAt: null,
          },
          // The latest import job did not import: when, and why (domain/import-skip.ts).
          lastSkip: skip ? { at: toJstIso(skip.at), reason: skip.reason } : null,
        };
      }),
    };
  });

  routes.add('get', '/api/stores/:code', 'viewer', async (req) => {
    const code = String(req.params.code);
    const [s, saved] = await Promise.all([findStore(db, code), findSavedStore(db, code)]);
    if (!s || !saved) throw notFound(`店舗 ${code} はありません`);
    return { store: storeView(s, new Date()), settings: saved.settings };
  });

  // Credentials are not part of this form: they stay, unless the store now points at another server,
  // where they are dropped and must be entered again (usecases/save-store.ts says why).
  routes.add('put', '/api/stores/:code', 'admin', async (req) => {
    const b = parse(storeBody, req.body);
    const r = await saveStore(deps, { code: String(req.params.code), ...b });
    return {
      store: storeView(r.store, new Date()),
      created: r.created,
      credentialsDropped: r.credentialsDropped,
    };
  });

  routes.add('put', '/api/stores/:code/credentials', 'admin', async (req, res) => {
    const code = String(req.params.code);
    const b = parse(z.object({ credentials: z.record(z.string(), z.string().max(4000)) }), req.body);
    // The form sends the fields left empty as ''.
    const creds = Object.fromEntries(Object.entries(b.credentials).filter(([, v]) => v !== ''));
    // A store that is not there: the use case's not_found, a 404.
    const store = await setStoreCredentials(deps, { code, credentials: creds });
    // Prove them at once: an import now (a store stopped or without a schedule waits for its own).
    const jobId = store.enabled
      ? await enqueue(() =>
          queues.add(
            'import-store',
            { storeCode: store.code, trigger: 'manual', requestedBy: actorOf(res) },
            { deduplication: { id: jobIds.importDedup(store.code), keepLastIfActive: true } },
          ),
        )
      : null;
    // Never echo the values back: only that they were saved, and by whom.
    return {
      ok: true,
      jobId,
      message: `${store.code} の認証情報を更新しました（${actorOf(res)}）${jobId ? `。今の認証情報で取込を始めます（ジョブ ${jobId}）` : ''}`,
    };
  });
}
