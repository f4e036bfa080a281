// The scheduler process: each store's own cron (Asia/Tokyo, node-cron's expressions) decides its
// slots, and the scheduler only enqueues. Slots are read off the database's clock, not the
// process's (issue 15): a tick every second of database time asks node-cron's matcher whether each
// schedule is due at that second, so a scheduler whose machine runs 30 minutes ahead (or behind)
// enqueues the same slots at the same moments as every other one. (node-cron's own timers fire on
// the local clock: such a scheduler would enqueue the 10:30 slot at 10:00, and with job ids made
// from that slot two schedulers with different clocks would enqueue different slots.) The offset to
// the database is measured at start and every CLOCK_SYNC_MS; seconds a stalled event loop or a
// corrected offset jumped over are fired late rather than skipped (up to CATCH_UP_MS), seconds
// already passed are not fired again when the offset moves back.
// The job id is made from the store and the slot, so two or three schedulers running at once
// enqueue each slot once; the import run row per slot guards it again in Postgres. Jobs carry the
// database time as their BullMQ timestamp. Stores added, changed or disabled are picked up by
// re-reading them every SCHEDULER_REFRESH_SECONDS. Slots missed while no scheduler ran are not
// replayed: the next import starts from the store's cursor.
import cron, { type ScheduledTask } from 'node-cron';
import { type DatabaseClock, databaseClock } from '../db/clock.js';
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

/** How often the scheduler measures its offset to the database clock. */
export const CLOCK_SYNC_MS = 60_000;
/** Seconds jumped over (event loop stalled, offset corrected forward) are fired up to this far back. */
export const CATCH_UP_MS = 120_000;

/** The clock slots are read off: the database's (db/clock.ts) unless a test gives its own. */
export type SchedulerClock = Pick<DatabaseClock, 'now'> & Partial<Pick<DatabaseClock, 'stop' | 'offsetMs'>>;

interface Entry {
  key: string;
  /** node-cron's task, never started: only its matcher (`match`) is used, in Asia/Tokyo. */
  task: ScheduledTask;
  /** The seconds of the minute the expression can fire at (0 for five-field crons). */
  seconds: ReadonlySet<number>;
  fire: (slot: Date) => Promise<void>;
}

export interface SchedulerOptions {
  db: Db;
  queues: Queues;
  refreshSeconds: number;
  /** Global sweeps (cron, Asia/Tokyo). */
  allocationSweepCron?: string;
  deliveryHoldSweepCron?: string;
  /** Default: the database clock, measured at start and every CLOCK_SYNC_MS. */
  clock?: SchedulerClock;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private clock: SchedulerClock | null = null;
  private ownClock = false;
  /** The last second (database time, ms) whose slots were fired. */
  private last = 0;
  private stopped = false;
  /** Slots this process enqueued (for tests and logs). */
  readonly enqueued: Array<{ name: string; jobId: string; slot: Date }> = [];

  constructor(private readonly opts: SchedulerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.opts.clock) this.clock = this.opts.clock;
    else {
      this.clock = await databaseClock(this.opts.db, CLOCK_SYNC_MS);
      this.ownClock = true;
    }
    const offset = this.clock.offsetMs?.() ?? 0;
    if (Math.abs(offset) > 5_000)
      logger.warn(
        { offsetMs: Math.round(offset) },
        'this machine clock differs from the database clock; the scheduler fires slots on the database clock',
      );
    await this.refresh();
    this.last = slotOf(this.clock.now()).getTime();
    this.scheduleTick();
    this.timer = setInterval(() => {
      this.refresh().catch((e) => logger.error({ err: String(e) }, 'scheduler refresh failed'));
    }, this.opts.refreshSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.ticker) clearTimeout(this.ticker);
    this.timer = null;
    this.ticker = null;
    await this.ticking;
    if (this.ownClock) this.clock?.stop?.();
    await Promise.all([...this.entries.values()].map((e) => e.task.destroy()));
    this.entries.clear();
  }

  /** The database time now (what slots are read off). */
  now(): Date {
    return this.clock ? this.clock.now() : new Date();
  }

  /** Next tick just after the next whole second of database time. */
  private scheduleTick(): void {
    if (this.stopped) return;
    const ms = 1000 - (this.now().getTime() % 1000) + 5;
    this.ticker = setTimeout(() => {
      this.ticking = this.tick()
        .catch((e) => logger.error({ err: String(e) }, 'scheduler tick failed'))
        .finally(() => {
          this.ticking = null;
          this.scheduleTick();
        });
    }, ms);
  }

  /**
   * Fires every schedule due in the seconds since the last tick, up to the database's now. Public
   * for tests: `tick(at)` fires the seconds up to `at` instead.
   */
  async tick(at: Date = this.now()): Promise<void> {
    const now = slotOf(at).getTime();
    let from = this.last + 1000;
    if (now - from > CATCH_UP_MS) {
      logger.warn(
        { from: new Date(from).toISOString(), to: new Date(now).toISOString() },
        'scheduler fell behind; slots older than the catch-up window are not fired',
      );
      from = now - CATCH_UP_MS;
    }
    if (now < from) return; // the clock moved back: those seconds were fired already
    this.last = now;
    const due: Array<Promise<void>> = [];
    for (let t = from; t <= now; t += 1000) {
      const slot = new Date(t);
      const second = slot.getUTCSeconds(); // Asia/Tokyo's offset is whole hours
      for (const [id, e] of this.entries) {
        if (!e.seconds.has(second) || !e.task.match(slot)) continue;
        due.push(
          e
            .fire(slot)
            .catch((err) =>
              logger.error(
                { id, slot: slot.toISOString(), err: String(err) },
                'could not enqueue a scheduled job',
              ),
            ),
        );
      }
    }
    await Promise.all(due);
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
      // 在庫連携 (off by default): a changed quantity goes through the cart-actions outbox (each
      // stock-moving operation records it; the outbox's minute sweep re-enqueues a lost job), so no
      // poll; the full sync daily re-reads the cart and repairs drift.
      if (s.settings.stockPush) {
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
      const had = this.entries.get(id);
      if (had) {
        had.fire = w.fire; // the store's settings as read now
        continue;
      }
      // Created, never started: the ticks above ask its matcher, on the database's clock.
      const task = cron.createTask(w.expr, () => undefined, { timezone: TIMEZONE, name: id });
      this.entries.set(id, { key: w.key, task, seconds: new Set(cron.parse(w.expr).second), fire: w.fire });
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
      {
        jobId,
        deduplication: { id: jobIds.importDedup(store.code), keepLastIfActive: true },
        timestamp: this.now().getTime(),
      },
    );
    this.enqueued.push({ name: 'import-store', jobId, slot });
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
    await this.opts.queues.add(name, data as never, { jobId, timestamp: this.now().getTime() });
    this.enqueued.push({ name, jobId, slot: new Date((data as { slot: string }).slot) });
  }
}
