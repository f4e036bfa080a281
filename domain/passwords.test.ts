import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORDS, passwordProblem } from './passwords.js';

const admin = (password: string, login = 'tanaka') =>
  passwordProblem({ login, role: 'admin', password }, { production: false });

describe('passwordProblem', () => {
  it('asks 8 characters of everyone and 12 of admins', () => {
    expect(
      passwordProblem({ login: 'sato', role: 'viewer', password: 'short' }, { production: false }),
    ).toMatch(/8 文字以上/);
    expect(
      passwordProblem({ login: 'sato', role: 'operator', password: 'ochaocha' }, { production: false }),
    ).toBeNull();
    expect(admin('kuma-ocha1')).toMatch(/12 文字以上/);
    expect(
      passwordProblem({ login: 'sato', role: 'viewer', password: 'x'.repeat(201) }, { production: false }),
    ).toMatch(/200 文字以下/);
  });

  it('refuses an admin password anyone could guess', () => {
    for (const pw of [
      'password1234',
      'Password123!',
      'P@ssw0rd2024!',
      'Welcome2024!!',
      'administrator1',
      '123456789012',
      '098765432109',
      'qwertyuiop12',
      '1q2w3e4r5t6y',
      'aaaaaaaaaaaa',
      'abcabcabcabc',
      'passwordpassword',
      '121212121212',
      'admin-admin-2024',
      '!!Juchu2026!!',
      'zyxwvutsrqpo',
    ])
      expect(admin(pw), pw).toMatch(/よく使われる/);
    expect(admin('tanaka-2026-desk')).toMatch(/ログイン名/);
    expect(admin('TANAKA-shop-desk')).toMatch(/ログイン名/);
  });

  it('accepts a long, unguessable admin password', () => {
    for (const pw of [
      'kuma-to-ocha-2026',
      'correct horse battery staple',
      'Tz8#qL2m!vR9',
      'uH3kYw9_bQ1xZr0m',
    ])
      expect(admin(pw), pw).toBeNull();
  });

  it('lets the demo users keep their fixed passwords outside production only, and no one else have them', () => {
    expect(
      passwordProblem(
        { login: 'admin', role: 'admin', password: DEMO_PASSWORDS.admin },
        { production: false },
      ),
    ).toBeNull();
    expect(
      passwordProblem(
        { login: 'tanaka', role: 'admin', password: DEMO_PASSWORDS.admin },
        { production: false },
      ),
    ).not.toBeNull();
    for (const [login, password] of Object.entries(DEMO_PASSWORDS))
      expect(passwordProblem({ login, role: 'viewer', password }, { production: true })).toMatch(/本番環境/);
  });
});
