// Ordered, idempotent shutdown with a deadline: close workers first (in-flight jobs finish and may
// still enqueue), then producers, then our own Redis and Postgres clients. A worker whose Redis is
// gone can hang in close() forever (bullmq#4656), so the deadline wins.
import { logger } from './logger.js';

type Step = { name: string; run: () => Promise<unknown> };

export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | null = null;

  /** Steps run in the order they were added. */
  add(name: string, run: () => Promise<unknown>): this {
    this.steps.push({ name, run });
    return this;
  }

  run(deadlineMs = 20_000): Promise<void> {
    this.running ??= (async () => {
      const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadlineMs).unref());
      for (const s of this.steps) {
        const res = await Promise.race([
          s.run().then(
            () => 'ok' as const,
            (e: unknown) => e,
          ),
          deadline,
        ]);
        if (res === 'timeout') {
          logger.warn({ step: s.name }, 'shutdown deadline reached');
          return;
        }
        if (res !== 'ok') logger.warn({ step: s.name, err: String(res) }, 'shutdown step failed');
      }
    })();
    return this.running;
  }

  /** SIGINT / SIGTERM run the steps then exit; a second signal exits at once. */
  onSignals(exit = (code: number) => process.exit(code)): void {
    let signalled = false;
    const handler = (sig: NodeJS.Signals) => {
      if (signalled) return exit(130);
      signalled = true;
      logger.info({ sig }, 'shutting down');
      void this.run().then(() => exit(0));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
}
