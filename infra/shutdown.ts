// Ordered, idempotent shutdown with a deadline: close workers first (in-flight jobs finish and may
// still enqueue), then producers, then our own Redis and Postgres clients, then clean up (stop the
// private servers, delete their folders). A worker whose Redis is gone can hang in close() forever
// (bullmq#4656), so the deadline ends the waiting; it never skips a clean-up step.
import { logger } from './logger.js';

type Step = { name: string; run: () => Promise<unknown>; cleanUp: boolean };

/** Signals closer together than this are one: `npm run` forwards the terminal's Ctrl-C again. */
const SAME_SIGNAL_MS = 1000;

export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | null = null;
  private hurry: (() => void) | null = null;
  private hurried = false;
  private readonly stop = new AbortController();

  /** A step that waits for something to finish; skipped once the deadline has passed. Run in order. */
  add(name: string, run: () => Promise<unknown>): this {
    this.steps.push({ name, run, cleanUp: false });
    return this;
  }

  /**
   * A step that removes what we made (processes, folders): run in order like the others, and run
   * even after the deadline. It must end by itself.
   */
  cleanUp(name: string, run: () => Promise<unknown>): this {
    this.steps.push({ name, run, cleanUp: true });
    return this;
  }

  /** True once run() was called: what is starting up should give up quietly. */
  get stopping(): boolean {
    return this.running !== null;
  }

  /**
   * Aborted when run() is called, before the first step: waiting that can be given up without harm
   * (a request's rate-limiter token: nothing was sent yet) ends at once, so the steps that wait for
   * running work do not wait it out.
   */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  run(deadlineMs = 20_000): Promise<void> {
    this.running ??= (async () => {
      this.stop.abort();
      let late = this.hurried;
      const deadline = new Promise<'late'>((resolve) => {
        const timer = setTimeout(() => resolve('late'), deadlineMs);
        timer.unref();
        this.hurry = () => {
          clearTimeout(timer);
          resolve('late');
        };
        if (late) resolve('late');
      });
      for (const s of this.steps) {
        if (late && !s.cleanUp) continue;
        const done = s.run().then(
          () => 'ok' as const,
          (e: unknown) => e,
        );
        const res = s.cleanUp ? await done : await Promise.race([done, deadline]);
        if (res === 'late') {
          late = true;
          logger.warn({ step: s.name }, 'shutdown deadline reached: not waiting any longer, cleaning up');
        } else if (res !== 'ok') logger.warn({ step: s.name, err: String(res) }, 'shutdown step failed');
      }
    })();
    return this.running;
  }

  /** The deadline now: the waiting steps left are skipped, the clean-up steps still run. */
  hurryUp(): void {
    this.hurried = true;
    this.hurry?.();
  }

  /**
   * SIGINT / SIGTERM run the steps then exit. Another signal (a second Ctrl-C) skips the waiting;
   * a third exits at once, with what is not cleaned up left to the keeper (dev/keeper.ts).
   */
  onSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    let count = 0;
    let last = 0;
    const handler = (sig: NodeJS.Signals) => {
      const now = Date.now();
      if (count > 0 && now - last < SAME_SIGNAL_MS) return;
      last = now;
      count += 1;
      if (count === 1) {
        logger.info({ sig }, 'shutting down');
        void this.run().then(() => exit(0));
      } else if (count === 2) {
        logger.warn({ sig }, 'shutting down now: not waiting for running work');
        this.hurryUp();
      } else exit(130);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
}
