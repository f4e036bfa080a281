// `juchu users` (in-process) and `juchu seed-demo` (its own process): an admin password anyone could guess is
// refused with the rule's message, and with NODE_ENV=production the demo's fixed passwords are refused and
// seed-demo gives the demo users random ones (printed once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../db/users.js';
import { DEMO_PASSWORDS } from '../domain/passwords.js';
import {
  childEnv,
  createTestDb,
  runJuchu,
  runJuchuInProcess,
  type TestDb,
  uniquePrefix,
} from '../test/harness.js';

const juchu = runJuchuInProcess;

describe('juchu users and seed-demo: password rules', () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createTestDb('users-cli');
    env = childEnv(t.url, uniquePrefix('users-cli'), { NODE_ENV: 'development' });
  });
  afterAll(async () => t?.drop());

  it('refuses a weak admin password with the rule, and takes a strong one', async () => {
    const weak = await juchu(['users', '--login', 'tanaka', '--role', 'admin'], {
      ...env,
      JUCHU_NEW_PASSWORD: 'Password123!',
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('よく使われるパスワード');
    expect(weak.stderr).not.toContain('    at ');
    const short = await juchu(['users', '--login', 'tanaka', '--role', 'admin'], {
      ...env,
      JUCHU_NEW_PASSWORD: 'ocha-kuma',
    });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('12 文字以上');
    const ok = await juchu(['users', '--login', 'tanaka', '--role', 'admin'], {
      ...env,
      JUCHU_NEW_PASSWORD: 'kuma-to-ocha-2026',
    });
    expect(ok.code).toBe(0);
    expect(await verifyPassword(t.db, 'tanaka', 'kuma-to-ocha-2026')).toMatchObject({ role: 'admin' });
    // A viewer needs 8 characters, nothing more.
    expect(
      (
        await juchu(['users', '--login', 'sato', '--role', 'viewer'], {
          ...env,
          JUCHU_NEW_PASSWORD: 'ochaocha',
        })
      ).code,
    ).toBe(0);
  });

  it('with NODE_ENV=production: refuses the demo passwords, and seed-demo makes random ones', async () => {
    const production = { ...env, NODE_ENV: 'production' };
    const demo = await juchu(['users', '--login', 'sato', '--role', 'viewer'], {
      ...production,
      JUCHU_NEW_PASSWORD: DEMO_PASSWORDS.viewer,
    });
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('本番環境');

    const seeded = await runJuchu(['seed-demo', '--csv-inbox', '/nonexistent'], production);
    expect(seeded.code, seeded.stderr).toBe(0);
    const logins = [...seeded.stdout.matchAll(/login {2}(\w+) \/ (\S+) {2}\((\w+)\)/g)].map((m) => ({
      login: m[1]!,
      password: m[2]!,
    }));
    expect(logins.map((l) => l.login)).toEqual(['admin', 'operator', 'viewer']);
    expect(seeded.stdout).toContain('NODE_ENV=production');
    for (const { login, password } of logins) {
      expect(password).not.toBe(DEMO_PASSWORDS[login as keyof typeof DEMO_PASSWORDS]);
      expect(await verifyPassword(t.db, login, password), login).not.toBeNull();
      expect(
        await verifyPassword(t.db, login, DEMO_PASSWORDS[login as keyof typeof DEMO_PASSWORDS]),
      ).toBeNull();
    }
  });
});
