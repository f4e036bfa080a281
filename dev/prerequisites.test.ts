import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrerequisites, PrerequisiteError } from './prerequisites.js';

describe('ensurePrerequisites', () => {
  let emptyPath: string; // a PATH without redis-server
  beforeAll(async () => {
    emptyPath = await mkdtemp(path.join(tmpdir(), 'juchu-empty-path-'));
  });
  afterAll(async () => {
    await rm(emptyPath, { recursive: true, force: true });
  });

  function recorder() {
    const asked: string[] = [];
    const installed: string[][] = [];
    return {
      asked,
      installed,
      ask: (answer: string) => async (q: string) => {
        asked.push(q);
        return answer;
      },
      install: async (pkgs: string[]) => {
        installed.push(pkgs);
      },
    };
  }

  it('does nothing when redis-server is there, or not needed because REDIS_URL is set', async () => {
    const r = recorder();
    const opts = { ask: r.ask('y'), install: r.install, canInstall: true, say: () => undefined };
    await ensurePrerequisites('demo', { ...opts, env: { PATH: process.env.PATH } });
    await ensurePrerequisites('demo', { ...opts, env: { PATH: emptyPath, REDIS_URL: 'redis://h:1' } });
    expect(r.asked).toEqual([]);
    expect(r.installed).toEqual([]);
  });

  it('installs without asking under CI or with JUCHU_INSTALL=yes (root, apt-get)', async () => {
    for (const env of [{ CI: 'true' }, { JUCHU_INSTALL: 'yes' }]) {
      const r = recorder();
      await ensurePrerequisites('demo', {
        env: { PATH: emptyPath, ...env },
        ask: r.ask('n'),
        install: r.install,
        canInstall: true,
        say: () => undefined,
      });
      expect(r.asked).toEqual([]);
      expect(r.installed).toEqual([['redis-server']]);
    }
  });

  it('asks at a terminal, saying why and the command; Enter means yes', async () => {
    const r = recorder();
    await ensurePrerequisites('demo', {
      env: { PATH: emptyPath },
      ask: r.ask(''),
      install: r.install,
      canInstall: true,
      say: () => undefined,
    });
    expect(r.asked[0]).toMatch(/redis-server, for the private Redis/);
    expect(r.asked[0]).toMatch(/apt-get install -y --no-install-recommends redis-server.*\[Y\/n\]/);
    expect(r.installed).toEqual([['redis-server']]);
  });

  it('says what to do, and installs nothing, when told no, with JUCHU_INSTALL=no, or without root and apt-get', async () => {
    const cases = [
      { env: { PATH: emptyPath }, answer: 'n', canInstall: true, says: /JUCHU_INSTALL=yes/ },
      {
        env: { PATH: emptyPath, CI: 'true', JUCHU_INSTALL: 'no' },
        answer: 'y',
        canInstall: true,
        says: /apt-get/,
      },
      {
        env: { PATH: emptyPath, CI: 'true' },
        answer: 'y',
        canInstall: false,
        says: /sudo apt-get install -y redis-server/,
      },
    ];
    for (const c of cases) {
      const r = recorder();
      const run = ensurePrerequisites('demo', {
        env: c.env,
        ask: r.ask(c.answer),
        install: r.install,
        canInstall: c.canInstall,
        say: () => undefined,
      });
      await expect(run).rejects.toThrow(PrerequisiteError);
      await expect(run).rejects.toThrow(c.says);
      await expect(run).rejects.toThrow(/redis-server is not installed[\s\S]*REDIS_URL/);
      expect(r.installed).toEqual([]);
    }
  });
});
