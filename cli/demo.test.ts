// `npm run demo` as a person runs and stops it: in a process group of its own (a terminal's
// foreground job), stopped with Ctrl-C (SIGINT to the whole group) or SIGTERM, killed with SIGKILL
// (the keeper cleans up), and refused when the dashboard's port is taken or redis-server is missing.
// Each run gets its own JUCHU_TMPDIR, which must be empty afterwards, and no process that was started
// with that JUCHU_TMPDIR in its environment (servers, keeper, initdb) may be left.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { guardProcessGroup } from '../dev/keeper.js';
import { freePort, makePrivateDir } from '../dev/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY = 'juchu demo is running';

interface Demo {
  child: ChildProcess;
  dir: string;
  remove(): Promise<void>;
  port: number;
  output(): { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Demo[] = [];

async function startDemo(
  opts: { npm?: boolean; env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<Demo> {
  // Removed by the keeper too, should this test run be interrupted.
  const { dir, remove } = await makePrivateDir('juchu-demo-test-');
  await chmod(dir, 0o755); // the postgres account runs the private PostgreSQL in here
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, JUCHU_TMPDIR: dir, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  Object.assign(env, opts.env);
  const [command, args] = opts.npm
    ? ['npm', ['run', '--silent', 'demo']]
    : [process.execPath, ['bin/juchu.mjs', 'demo']];
  // detached: a process group of its own, like a job in a terminal.
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Out of our process group, it would outlive an interrupted test run: the keeper stops it then.
  if (child.pid) child.once('exit', guardProcessGroup(child.pid, 'SIGTERM'));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const demo = { child, dir, remove, port, output: () => ({ stdout, stderr }), exited };
  started.push(demo);
  return demo;
}

async function until<T>(what: string, ms: number, check: () => Promise<T | null | false> | T | null | false) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitUntilRunning(demo: Demo): Promise<void> {
  let exit: unknown = null;
  void demo.exited.then((e) => {
    exit = e;
  });
  await until('the demo to be running', 150_000, () => {
    if (exit) throw new Error(`the demo ended: ${JSON.stringify(exit)}\n${JSON.stringify(demo.output())}`);
    return demo.output().stdout.includes(READY);
  });
}

/** Processes started with this JUCHU_TMPDIR: the demo's children and whatever they started. */
async function processesOf(dir: string): Promise<Array<{ pid: number; pgid: number; cmd: string }>> {
  const found = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      // By environment; but redis-server writes its process title over it, and another account's
      // (PostgreSQL's) may be unreadable even to root in a container: by working folder and
      // command line too.
      const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
      const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
      const ours =
        environ.split('\0').includes(`JUCHU_TMPDIR=${dir}`) || cwd.startsWith(dir) || cmd.includes(dir);
      if (!ours) continue;
      const statLine = await readFile(`/proc/${name}/stat`, 'utf8');
      const [state, , pgid] = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // exited, waiting for its parent to notice
      found.push({ pid: Number(name), pgid: Number(pgid), cmd: cmd.slice(0, 160) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Within `ms`: no process and no file left. */
async function expectNothingLeft(demo: Demo, ms: number): Promise<void> {
  await until('no process and no folder left', ms, async () => {
    const left = [...(await processesOf(demo.dir)), ...(await readdir(demo.dir))];
    return left.length === 0;
  }).catch(async (e) => {
    throw new Error(
      `${(e as Error).message}: ${JSON.stringify({ processes: await processesOf(demo.dir), files: await readdir(demo.dir) })}`,
    );
  });
}

/** What the demo printed after being asked to stop: a line or two, no connection errors. */
function expectQuietStop(demo: Demo): void {
  const { stdout, stderr } = demo.output();
  const afterReady = stdout.slice(stdout.indexOf(READY)).split('\n');
  const afterBanner = afterReady.slice(afterReady.findIndex((l) => l.startsWith('Stores import')) + 1);
  expect(`${afterBanner.join('\n')}${stderr}`).not.toMatch(/ECONNREFUSED|Error|error/);
  expect(afterBanner.filter((l) => l.trim()).length).toBeLessThanOrEqual(2); // "stopping the demo…"
  expect(stderr.trim()).toBe('');
}

afterEach(async () => {
  for (const demo of started.splice(0)) {
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      try {
        process.kill(-demo.child.pid!, 'SIGKILL'); // the keeper then cleans up
      } catch {
        // gone
      }
    }
    await until(
      'the keeper to clean up',
      15_000,
      async () => (await processesOf(demo.dir)).length === 0,
    ).catch(() => undefined);
    await demo.remove();
  }
});

describe('npm run demo', () => {
  it('stops on Ctrl-C (SIGINT to its process group) within seconds, quietly, leaving no process, data, inbox or password file', async () => {
    const demo = await startDemo({ npm: true });
    await waitUntilRunning(demo);

    // The private servers are in sessions of their own: the terminal's Ctrl-C is not theirs.
    const running = await processesOf(demo.dir);
    const servers = running.filter((p) => /postgres -D|redis-server/.test(p.cmd));
    expect(servers.length, JSON.stringify(running)).toBeGreaterThanOrEqual(2);
    for (const s of servers) expect(s.pgid).not.toBe(demo.child.pid);
    // Their folders: the postgres account's (0750, group postgres, when root) and no password file.
    const folders = await readdir(demo.dir);
    expect(folders.map((f) => f.replace(/-[^-]+$/, '')).sort()).toEqual([
      'juchu-demo-inbox',
      'juchu-pg',
      'juchu-redis',
    ]);
    for (const f of folders) expect((await stat(path.join(demo.dir, f))).mode & 0o007).toBe(0);
    const pgDir = path.join(demo.dir, folders.find((f) => f.startsWith('juchu-pg-'))!);
    expect(await readdir(pgDir)).not.toContain('password');

    const asked = Date.now();
    process.kill(-demo.child.pid!, 'SIGINT');
    await demo.exited;
    expect(Date.now() - asked).toBeLessThan(10_000);
    await expectNothingLeft(demo, 5000);
    expectQuietStop(demo);
  }, 200_000);

  it('stops on SIGTERM the same way', async () => {
    const demo = await startDemo();
    await waitUntilRunning(demo);
    const asked = Date.now();
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - asked).toBeLessThan(10_000);
    await expectNothingLeft(demo, 5000);
    expectQuietStop(demo);
  }, 200_000);

  it('killed with SIGKILL, leaves its servers to the keeper, which stops them and deletes their folders', async () => {
    const demo = await startDemo();
    await waitUntilRunning(demo);
    expect((await processesOf(demo.dir)).length).toBeGreaterThan(0);
    process.kill(-demo.child.pid!, 'SIGKILL');
    await demo.exited;
    await expectNothingLeft(demo, 10_000);
  }, 200_000);

  it('refuses a taken port in one line naming it and PORT=, and starts nothing', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const demo = await startDemo({ port });
      const exit = await demo.exited;
      expect(exit.code).toBe(1);
      const { stdout, stderr } = demo.output();
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port}`);
      expect(lines[0]).toMatch(/already in use/);
      expect(lines[0]).toMatch(/PORT=\d+ npm run demo/);
      await expectNothingLeft(demo, 3000);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('without redis-server says what to install in one message, with no stack trace, and starts nothing', async () => {
    const emptyPath = await mkdtemp(path.join(tmpdir(), 'juchu-empty-path-'));
    try {
      const demo = await startDemo({ env: { PATH: emptyPath, JUCHU_INSTALL: 'no' } });
      const exit = await demo.exited;
      expect(exit.code).toBe(1);
      const { stdout, stderr } = demo.output();
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^juchu: redis-server is not installed/);
      expect(stderr).toMatch(/apt-get install -y redis-server/);
      expect(stderr).toMatch(/REDIS_URL/);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      await expectNothingLeft(demo, 3000);
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  }, 60_000);
});
