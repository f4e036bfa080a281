// The scheduler process: node-cron fires each store's own cron (Asia/Tokyo) and only enqueues.
// The job id is made from the store and the scheduled slot, so two or three schedulers running at
// once enqueue each slot once; the import run row per slot guards it again in Postgres. Stores
// added, changed or disabled are picked up by re-reading them every SCHEDULER_REFRESH_SECONDS.
// Missed slots are not replayed: the next import starts from the store's cursor.
import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from '../db/db.js';
import { listStores, type Store } from '../db/stores.js';
import { logger } from '../infra/logger.js';
import { jobIds } from '../jobs/catalogue.js';
import type { Queues } from '../jobs/queues.js';

export const TIMEZONE = 'Asia/Tokyo';

/** The slot a fire belongs to: its scheduled time to the second, the same in every process. */
export function slotOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

interface Entry {
  key: string;
  task: ScheduledTask;
}

export interface SchedulerOptions {
  db: Db;
  queues: Queues;
  refreshSeconds: number;
  /** Global sweeps (cron, Asia/Tokyo). */
  allocationSweepCron?: string;
  deliveryHoldSweepCron?: string;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  /** Slots this process enqueued (for tests and logs). */
  readonly enqueued: Array<{ name: string; jobId: string }> = [];

  constructor(private readonly opts: SchedulerOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((e) => logger.error({ err: String(e) }, 'scheduler refresh failed'));
    }, this.opts.refreshSeconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.entries.values()].map((e) => e.task.destroy()));
    this.entries.clear();
  }

  /** Re-reads the stores and makes the cron tasks match them. */
  async refresh(): Promise<void> {
    const stores = await listStores(this.opts.db);
    const wanted = new Map<string, { key: string; expr: string; fire: (slot: Date) => Promise<void> }>();
    const add = (id: string, expr: string, fire: (slot: Date) => Promise<void>) => {
      if (!cron.validate(expr)) {
        logger.error({ id, expr }, 'invalid cron expression; schedule skipped');
        return;
      }
      wanted.set(id, { key: `${id}|${expr}`, expr, fire });
    };
    for (const s of stores.filter((x) => x.enabled)) {
      add(`import:${s.code}`, s.importCron, (slot) => this.enqueueImport(s, slot));
      add(`reconcile:${s.code}`, s.settings.reconcileCron, (slot) => this.enqueueReconcile(s, slot));
      if (s.settings.shippingInstructionCron)
        add(`ship:${s.code}`, s.settings.shippingInstructionCron, (slot) => this.enqueueShipping(s, slot));
      // 在庫連携 (off by default): the changed quantities often, the full sync daily.
      if (s.settings.stockPush) {
        add(`stock-push:${s.code}`, s.settings.stockPushCron, (slot) =>
          this.enqueue(
            'push-stock',
            { storeCode: s.code, slot: slot.toISOString() },
            jobIds.stockPush(s.code, false, slot),
          ),
        );
        add(`stock-full:${s.code}`, s.settings.stockFullSyncCron, (slot) =>
          this.enqueue(
            'push-stock',
            { storeCode: s.code, full: true, slot: slot.toISOString() },
            jobIds.stockPush(s.code, true, slot),
          ),
        );
      }
    }
    add('sweep:allocate', this.opts.allocationSweepCron ?? '*/5 * * * *', (slot) =>
      this.enqueue(
        'allocate-stock',
        { productCodes: null, reason: 'scheduled sweep', slot: slot.toISOString() },
        jobIds.sweep('allocate', slot),
      ),
    );
    add('sweep:cart-actions', '* * * * *', (slot) =>
      this.enqueue('sweep-cart-actions', { slot: slot.toISOString() }, jobIds.sweep('cart-actions', slot)),
    );
    add('sweep:status-counts', '* * * * *', (slot) =>
      this.enqueue('compact-status-counts', { slot: slot.toISOString() }, jobIds.sweep('counts', slot)),
    );
    add('sweep:delivery-holds', this.opts.deliveryHoldSweepCron ?? '5 * * * *', (slot) =>
      this.enqueue(
        'refresh-delivery-holds',
        { slot: slot.toISOString() },
        jobIds.sweep('delivery-holds', slot),
      ),
    );
    for (const [id, e] of this.entries) {
      const w = wanted.get(id);
      if (!w || w.key !== e.key) {
        await e.task.destroy();
        this.entries.delete(id);
      }
    }
    for (const [id, w] of wanted) {
      if (this.entries.has(id)) continue;
      const task = cron.schedule(
        w.expr,
        async (ctx) => {
          try {
            await w.fire(slotOf(ctx.date));
          } catch (e) {
            logger.error({ id, err: String(e) }, 'could not enqueue a scheduled job');
          }
        },
        { timezone: TIMEZONE, name: id, noOverlap: false },
      );
      this.entries.set(id, { key: w.key, task });
    }
  }

  get scheduleIds(): string[] {
    return [...this.entries.keys()].sort();
  }

  async enqueueImport(store: Store, slot: Date): Promise<void> {
    const jobId = jobIds.scheduledImport(store.code, slot);
    await this.opts.queues.add(
      'import-store',
      { storeCode: store.code, trigger: 'schedule', slot: slot.toISOString() },
      // A slot firing while the store's import runs becomes one follow-up, not a parallel run.
      { jobId, deduplication: { id: jobIds.importDedup(store.code), keepLastIfActive: true } },
    );
    this.enqueued.push({ name: 'import-store', jobId });
  }

  private async enqueueReconcile(store: Store, slot: Date): Promise<void> {
    await this.enqueue(
      'reconcile-store',
      { storeCode: store.code, slot: slot.toISOString() },
      jobIds.reconcile(store.code, slot),
    );
  }

  private async enqueueShipping(store: Store, slot: Date): Promise<void> {
    await this.enqueue(
      'shipping-instruction',
      { storeCode: store.code, slot: slot.toISOString(), requestedBy: 'schedule' },
      jobIds.shippingInstruction(store.code, slot),
    );
  }

  private async enqueue<N extends Parameters<Queues['add']>[0]>(
    name: N,
    data: Parameters<Queues['add']>[1],
    jobId: string,
  ) {
    await this.opts.queues.add(name, data as never, { jobId });
    this.enqueued.push({ name, jobId });
  }
}
