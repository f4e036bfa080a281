// The programs `npm run demo` and `npm test` need from the system rather than from npm, and what to
// do when one is missing. On Debian or Ubuntu as root they can be installed there and then: without
// asking under CI (CI=true) or with JUCHU_INSTALL=yes, after a yes at a terminal otherwise; never
// with JUCHU_INSTALL=no. Everyone else gets one message with the command to run, and nothing starts.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';

export interface Prerequisite {
  /** The Debian package. */
  pkg: string;
  /** Why juchu needs it, for the question and the message. */
  why: string;
  /** Without it the task cannot run at all (else it runs with less, e.g. the browser test skipped). */
  required: boolean;
  present(env: NodeJS.ProcessEnv): boolean;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';

export function onPath(program: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export const REDIS_SERVER: Prerequisite = {
  pkg: 'redis-server',
  why: 'for the private Redis that holds the job queues, as REDIS_URL is not set',
  required: true,
  present: (env) => Boolean(env.REDIS_URL) || onPath('redis-server', env) !== null,
};

const CHROMIUM_BROWSER: Prerequisite = {
  pkg: 'chromium',
  why: 'for the browser test of the dashboard, which is skipped without it',
  required: false,
  present: () => existsSync(CHROMIUM_PATH),
};

export const PREREQUISITES = { demo: [REDIS_SERVER], test: [REDIS_SERVER, CHROMIUM_BROWSER] } as const;

export type Task = keyof typeof PREREQUISITES;

/** A reason not to start, worded for the person at the terminal; printed without a stack trace. */
export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (default stderr). */
  say?: (line: string) => void;
  /** For tests: the answer a person would type (default: ask on a terminal). */
  ask?: (question: string) => Promise<string>;
  /** For tests: whether this machine can install with apt-get as root. */
  canInstall?: boolean;
  /** For tests: instead of apt-get. */
  install?: (pkgs: string[]) => Promise<void>;
}

/**
 * Resolves when every required program is there (installing it when allowed); otherwise rejects
 * with a PrerequisiteError saying what to run. A missing optional one is installed along when
 * installing is allowed, and otherwise left for its test to report.
 */
export async function ensurePrerequisites(task: Task, opts: EnsureOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const missing = PREREQUISITES[task].filter((p) => !p.present(env));
  if (missing.length === 0) return;
  const required = missing.filter((p) => p.required);
  const pkgs = missing.map((p) => p.pkg);
  const command = `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const canInstall = opts.canInstall ?? (isRoot() && existsSync(APT_GET));
  const choice = (env.JUCHU_INSTALL ?? '').toLowerCase();
  const never = ['no', '0', 'false'].includes(choice);

  let install = false;
  if (canInstall && !never) {
    if (['yes', '1', 'true'].includes(choice) || isCi(env)) install = true;
    else if (opts.ask || (process.stdin.isTTY && process.stdout.isTTY)) {
      const question = [
        `juchu needs ${describe(missing)}.`,
        `Install ${pkgs.length > 1 ? 'them' : 'it'} now with \`${command}\`? [Y/n] `,
      ].join('\n');
      const answer = (await (opts.ask ?? askAtTerminal)(question)).trim().toLowerCase();
      install = answer === '' || answer === 'y' || answer === 'yes';
    }
  }
  if (install) {
    say(`installing ${pkgs.join(', ')} (apt-get)…`);
    await (opts.install ?? aptGetInstall)(pkgs);
    return;
  }
  if (required.length === 0) return; // the optional ones say so where they are needed
  throw new PrerequisiteError(instructions(required, canInstall));
}

function describe(ps: readonly Prerequisite[]): string {
  return ps.map((p) => `${p.pkg}, ${p.why}`).join('; and ');
}

/** What to do about missing required programs, as one message. */
export function instructions(missing: readonly Prerequisite[], canInstall = false): string {
  const pkgs = missing.map((p) => p.pkg).join(' ');
  const lines = [`${pkgs} is not installed. juchu needs ${describe(missing)}. Either:`];
  if (canInstall)
    lines.push(
      `  - install it: apt-get install -y ${pkgs}   (or run again with JUCHU_INSTALL=yes, and juchu does it)`,
    );
  else
    lines.push(
      `  - install it: Debian/Ubuntu \`sudo apt-get install -y ${pkgs}\`, macOS \`brew install redis\``,
    );
  lines.push(
    '  - or point REDIS_URL at a running Redis (e.g. `docker compose up -d redis` and REDIS_URL=redis://localhost:6379).',
  );
  return lines.join('\n');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
}

async function askAtTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

async function aptGetInstall(pkgs: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      let output = '';
      const child = spawn(APT_GET, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => {
        output = (output + c.toString()).slice(-4000);
      });
      child.stderr.on('data', (c: Buffer) => {
        output = (output + c.toString()).slice(-4000);
      });
      child.on('error', (e) => reject(new PrerequisiteError(`apt-get could not run: ${e.message}`)));
      child.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new PrerequisiteError(
                `\`apt-get ${args.join(' ')}\` failed (exit ${code}):\n${output.trim().split('\n').slice(-8).join('\n')}`,
              ),
            ),
      );
    });
  await run(['update', '-qq']);
  await run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
}
