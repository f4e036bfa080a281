// /healthz (the process answers), /readyz (Postgres and Redis answer) and /metrics (Prometheus text).
// Every metric is computed when scraped, from the same sources the screens use: BullMQ job counts,
// the stores' import cursors and order_status_totals (kept by triggers, so no scan of orders).
import { Gauge, Registry } from 'prom-client';
import { outboxDepth } from '../db/cart-action-list.js';
import type { Db } from '../db/db.js';
import { openRejectCounts } from '../db/import-rejects.js';
import {
  autoCancelRiskCounts,
  credentialStates,
  importLagSeconds,
  ordersByStatus,
  pingDatabase,
} from '../db/metrics.js';
import { pushLagByStore } from '../db/stock-push.js';
import { CART_ACTION_KINDS } from '../domain/cart-action-view.js';
import type { RedisConnection } from '../infra/redis.js';
import { QUEUES, type QueueKey } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';

export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Ready when PostgreSQL answers and Redis answers for the queues' own key: on a cluster a PING goes to
 * whichever node, while EXISTS on a queue key goes to the node holding the queues' slot (and follows
 * it when the slot moves), so a cluster that lost that slot is not ready.
 */
export async function readiness(
  db: Db,
  redis: RedisConnection,
  queueKey: string,
): Promise<{ ok: boolean; database: string; redis: string }> {
  const check = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await withTimeout(fn(), 2000, what);
      return 'ok';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  const [database, r] = await Promise.all([
    check('database', () => pingDatabase(db)),
    check('redis', () => redis.exists(queueKey)),
  ]);
  return { ok: database === 'ok' && r === 'ok', database, redis: r };
}

/** A registry of our own (several dashboards may live in one test process). */
export function createMetrics(db: Db, queues: Queues): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'juchu_queue_jobs',
    help: 'Jobs per queue and state (queue depth)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const k of Object.keys(QUEUES) as QueueKey[]) {
        const counts = await queues[k].getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: QUEUES[k].name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'juchu_queue_failed_jobs',
    help: 'Failed jobs kept per queue (an admin can retry them on Bull Board)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const k of Object.keys(QUEUES) as QueueKey[])
        this.set({ queue: QUEUES[k].name }, await queues[k].getFailedCount());
    },
  });
  new Gauge({
    name: 'juchu_import_lag_seconds',
    help: "Seconds between now and the end of the store's last completed import window (cursor)",
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await importLagSeconds(db))
        if (row.lag !== null) this.set({ store: row.store }, row.lag);
    },
  });
  new Gauge({
    name: 'juchu_store_needs_credentials',
    help: '1 when the cart refused the store’s credentials and an admin must enter new ones',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await credentialStates(db)) this.set({ store: s.store }, s.needsCredentials ? 1 : 0);
    },
  });
  new Gauge({
    name: 'juchu_import_rejects_open',
    help: 'Records a cart sent that could not be read and still wait for a human',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await openRejectCounts(db)) this.set({ store: r.store }, r.open);
    },
  });
  new Gauge({
    name: 'juchu_orders',
    help: 'Orders per store and status (from order_status_totals)',
    labelNames: ['store', 'status', 'group'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await ordersByStatus(db))
        this.set({ store: r.store, status: r.status, group: r.group }, r.n);
    },
  });
  // 在庫連携: per store, the oldest quantity the cart does not show yet (push lag) and the items waiting.
  const pushRows = async () => {
    const codes = new Map(
      (await db.selectFrom('stores').select(['id', 'code']).execute()).map((r) => [r.id, r.code]),
    );
    return (await pushLagByStore(db, new Date())).map((r) => ({
      ...r,
      store: codes.get(r.storeId) ?? String(r.storeId),
    }));
  };
  new Gauge({
    name: 'juchu_stock_push_lag_seconds',
    help: 'Seconds since the oldest free-quantity change the cart has not accepted yet (0: the cart shows every number)',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await pushRows()) this.set({ store: r.store }, r.lagSeconds);
    },
  });
  new Gauge({
    name: 'juchu_stock_push_items',
    help: 'Cart items per store whose stock push is pending, failed (retried) or refused (waits for a human)',
    labelNames: ['store', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await pushRows()) {
        this.set({ store: r.store, state: 'pending' }, r.pending);
        this.set({ store: r.store, state: 'failed' }, r.failed);
        this.set({ store: r.store, state: 'refused' }, r.refused);
      }
    },
  });
  // The cart-actions outbox per store and kind: depth by state and the oldest waiting action's age.
  // Every store × kind appears, 0 when nothing waits (a series that vanishes cannot be alerted on).
  const outboxRows = async () => {
    const [stores, depth] = await Promise.all([
      db.selectFrom('stores').select('code').orderBy('code').execute(),
      outboxDepth(db, new Date()),
    ]);
    const got = new Map(depth.map((d) => [`${d.store}\u0000${d.kind}`, d]));
    return stores.flatMap((s) =>
      CART_ACTION_KINDS.map(
        (kind) =>
          got.get(`${s.code}\u0000${kind}`) ?? {
            store: s.code,
            kind,
            waiting: 0,
            failed: 0,
            refused: 0,
            oldestWaitingSeconds: 0,
          },
      ),
    );
  };
  new Gauge({
    name: 'juchu_cart_actions',
    help: 'Cart actions not done per store and kind: waiting (pending or being sent), failed (retries spent), refused (waits for a human)',
    labelNames: ['store', 'kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await outboxRows()) {
        this.set({ store: r.store, kind: r.kind, state: 'waiting' }, r.waiting);
        this.set({ store: r.store, kind: r.kind, state: 'failed' }, r.failed);
        this.set({ store: r.store, kind: r.kind, state: 'refused' }, r.refused);
      }
    },
  });
  new Gauge({
    name: 'juchu_cart_actions_oldest_waiting_seconds',
    help: 'Seconds since the oldest cart action still waiting to be delivered was recorded (0: none waits)',
    labelNames: ['store', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await outboxRows()) this.set({ store: r.store, kind: r.kind }, r.oldestWaitingSeconds);
    },
  });
  new Gauge({
    name: 'juchu_orders_auto_cancel_risk',
    help: 'Rakuten orders unconfirmed at the cart (100 注文確認待ち) for 10 days or more: Rakuten cancels them at 14',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await autoCancelRiskCounts(db, new Date())) this.set({ store: r.store }, r.n);
    },
  });
  return registry;
}
