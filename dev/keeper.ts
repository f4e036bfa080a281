// A watchdog for the private services. They run in their own session (so Ctrl-C in the terminal
// reaches juchu alone, and juchu stops them after its workers), which also means they would outlive
// a juchu that dies without stopping them (SIGKILL, a crash, a closed terminal). The keeper is a
// small detached node process holding the read end of a pipe from us: the kernel closes the pipe
// however we die, and the keeper then kills the process groups and removes the folders we told it
// about and had not released yet.
//
// The limit: a keeper killed together with juchu (kill -9 of both, the OOM killer taking both, a
// container stopped) cannot clean up; what is left is named juchu-pg-… / juchu-redis-… in the temp
// folder and its processes run as `postgres -D …/juchu-pg-…` and `redis-server`.
import { type ChildProcess, spawn } from 'node:child_process';

/** CommonJS for `node -e`: a .ts file next to this one would need a TypeScript loader in the child. */
const KEEPER_SOURCE = String.raw`
const fs = require('node:fs');
const groups = new Map(); // process group id -> the signal that stops it cleanly
const paths = new Set();
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
    const m = JSON.parse(buffer.slice(0, i));
    buffer = buffer.slice(i + 1);
    if (m.group) m.add ? groups.set(m.group, m.signal) : groups.delete(m.group);
    if (m.path) m.add ? paths.add(m.path) : paths.delete(m.path);
  }
});
// A member of group g that has not exited. Not kill(-g, 0): it also finds zombies, which our dead
// parent no longer reaps and an init in a container may take its time over.
const alive = (g) => {
  let procs;
  try { procs = fs.readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)); } catch {
    try { process.kill(-g, 0); return true; } catch (e) { return e.code === 'EPERM'; }
  }
  return procs.some((p) => {
    try {
      const stat = fs.readFileSync('/proc/' + p + '/stat', 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === g && state !== 'Z';
    } catch { return false; }
  });
};
let started = false;
const cleanUp = () => {
  if (started) return;
  started = true;
  for (const [g, signal] of groups) try { process.kill(-g, signal); } catch {}
  const until = Date.now() + 5000;
  const removeWhenGone = () => {
    const left = [...groups.keys()].filter(alive);
    if (left.length > 0 && Date.now() < until) return setTimeout(removeWhenGone, 50);
    for (const g of left) try { process.kill(-g, 'SIGKILL'); } catch {}
    setTimeout(() => {
      // Retried: another keeper (a demo's, under a test's folder) may be emptying it too.
      for (const p of paths) try { fs.rmSync(p, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }); } catch {}
      process.exit(0);
    }, left.length > 0 ? 200 : 0);
  };
  removeWhenGone();
};
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
process.on('SIGINT', () => undefined);
`;

let keeper: ChildProcess | null = null;

function send(message: Record<string, unknown>): void {
  if (!keeper || keeper.exitCode !== null) {
    keeper = spawn(process.execPath, ['-e', KEEPER_SOURCE], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Not the checkout (it may be a folder the keeper should not pin); / always exists.
      cwd: '/',
    });
    keeper.unref();
    keeper.on('error', () => undefined);
    keeper.stdin?.on('error', () => undefined);
    (keeper.stdin as unknown as { unref?: () => void }).unref?.();
  }
  keeper.stdin?.write(`${JSON.stringify(message)}\n`);
}

/**
 * Until `release()`, the process group `pgid` is stopped with `signal` (then SIGKILL after 5 s) if
 * this process dies first.
 */
export function guardProcessGroup(pgid: number, signal: NodeJS.Signals): () => void {
  send({ add: true, group: pgid, signal });
  return () => send({ add: false, group: pgid });
}

/** Until `release()`, `dir` is removed (after the guarded processes are gone) if this process dies. */
export function guardPath(dir: string): () => void {
  send({ add: true, path: dir });
  return () => send({ add: false, path: dir });
}
