import { afterEach, describe, expect, it } from 'vitest';
import { Shutdown } from './shutdown.js';

const never = () => new Promise<void>(() => undefined);

describe('Shutdown', () => {
  it('runs the steps once, in order, even when one fails', async () => {
    const ran: string[] = [];
    const s = new Shutdown()
      .add('a', async () => ran.push('a'))
      .add('b', async () => {
        ran.push('b');
        throw new Error('b failed');
      })
      .cleanUp('c', async () => ran.push('c'));
    await Promise.all([s.run(), s.run()]);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('at the deadline stops waiting and skips the waiting steps left, but never a clean-up step', async () => {
    const ran: string[] = [];
    const s = new Shutdown()
      .add('workers', never) // a worker whose Redis went away (bullmq#4656)
      .add('queues', async () => ran.push('queues'))
      .cleanUp('inbox', async () => ran.push('inbox'))
      .add('postgres', async () => ran.push('postgres'))
      .cleanUp('services', async () => ran.push('services'));
    const started = Date.now();
    await s.run(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ran).toEqual(['inbox', 'services']);
  });

  it('hurryUp() is the deadline now', async () => {
    const ran: string[] = [];
    const s = new Shutdown().add('workers', never).cleanUp('services', async () => ran.push('services'));
    const done = s.run(60_000);
    setTimeout(() => s.hurryUp(), 50);
    await done;
    expect(ran).toEqual(['services']);
  });

  describe('on signals', () => {
    const before = new Map(
      (['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, new Set(process.listeners(sig))]),
    );
    afterEach(() => {
      for (const [sig, had] of before)
        for (const l of process.listeners(sig)) if (!had.has(l)) process.removeListener(sig, l);
    });

    it("takes npm's forwarded copy of a Ctrl-C as the same one; a later one skips the waiting, never the clean-up", async () => {
      const ran: string[] = [];
      const exits: number[] = [];
      let releaseWorkers: () => void = () => undefined;
      const s = new Shutdown()
        .add('workers', () => new Promise<void>((r) => (releaseWorkers = r)))
        .add('queues', async () => ran.push('queues'))
        .cleanUp('services', async () => ran.push('services'));
      s.onSignals((code) => exits.push(code));
      process.emit('SIGINT', 'SIGINT'); // the terminal's
      process.emit('SIGINT', 'SIGINT'); // npm run forwarding it
      await new Promise((r) => setTimeout(r, 100));
      expect(exits).toEqual([]); // still waiting for the workers: not hurried
      await new Promise((r) => setTimeout(r, 1000));
      process.emit('SIGINT', 'SIGINT'); // a second Ctrl-C
      await new Promise((r) => setTimeout(r, 100));
      expect(ran).toEqual(['services']);
      expect(exits).toEqual([0]);
      releaseWorkers();
    });

    it('lets the steps finish on SIGTERM, then exits 0', async () => {
      const ran: string[] = [];
      const exits: number[] = [];
      const s = new Shutdown()
        .add('workers', async () => ran.push('workers'))
        .cleanUp('services', async () => ran.push('services'));
      s.onSignals((code) => exits.push(code));
      process.emit('SIGTERM', 'SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      expect(ran).toEqual(['workers', 'services']);
      expect(exits).toEqual([0]);
    });
  });
});
