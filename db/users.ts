// Dashboard users: viewer (read-only), operator (order actions), admin (jobs and configuration).
// Passwords are bcrypt hashes (bcryptjs: pure JS, no install scripts).
import bcrypt from 'bcryptjs';
import { passwordProblem } from '../domain/passwords.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { Db } from './db.js';

export type Role = 'viewer' | 'operator' | 'admin';

export interface User {
  id: number;
  login: string;
  displayName: string;
  role: Role;
}

export interface UserAccount extends User {
  enabled: boolean;
  createdAt: Date;
}

const COST = 10;

export interface PasswordPolicy {
  /** NODE_ENV=production: the demo's fixed passwords are refused too. */
  production?: boolean;
}

/** The hash of a password the rules allow this user (domain/passwords.ts); else a RuleRefusal. */
async function hashPassword(
  user: { login: string; role: Role; password: string },
  policy: PasswordPolicy,
): Promise<string> {
  const problem = passwordProblem(user, { production: policy.production ?? false });
  if (problem) throw new RuleRefusal(problem, 'weak_password');
  return bcrypt.hash(user.password, COST);
}

export async function createUser(
  db: Db,
  input: { login: string; displayName: string; role: Role; password: string },
  policy: PasswordPolicy = {},
): Promise<User> {
  const hash = await hashPassword(input, policy);
  const r = await db
    .insertInto('users')
    .values({ login: input.login, display_name: input.displayName, role: input.role, password_hash: hash })
    .onConflict((oc) =>
      oc
        .column('login')
        .doUpdateSet({ display_name: input.displayName, role: input.role, password_hash: hash }),
    )
    .returning(['id', 'login', 'display_name', 'role'])
    .executeTakeFirstOrThrow();
  return { id: r.id, login: r.login, displayName: r.display_name, role: r.role };
}

/** The user if the password matches (constant work whether or not the login exists). */
export async function verifyPassword(db: Db, login: string, password: string): Promise<User | null> {
  const r = await db
    .selectFrom('users')
    .selectAll()
    .where('login', '=', login)
    .where('enabled', '=', true)
    .executeTakeFirst();
  const ok = await bcrypt.compare(
    password,
    r?.password_hash ?? '$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva',
  );
  return r && ok ? { id: r.id, login: r.login, displayName: r.display_name, role: r.role } : null;
}

export async function listUsers(db: Db): Promise<UserAccount[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'login', 'display_name', 'role', 'enabled', 'created_at'])
    .orderBy('login')
    .execute();
  return rows.map((u) => ({
    id: u.id,
    login: u.login,
    displayName: u.display_name,
    role: u.role,
    enabled: u.enabled,
    createdAt: u.created_at,
  }));
}

export async function findUser(db: Db, id: number): Promise<UserAccount | null> {
  const u = await db
    .selectFrom('users')
    .select(['id', 'login', 'display_name', 'role', 'enabled', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return u
    ? {
        id: u.id,
        login: u.login,
        displayName: u.display_name,
        role: u.role,
        enabled: u.enabled,
        createdAt: u.created_at,
      }
    : null;
}

export async function loginTaken(db: Db, login: string): Promise<boolean> {
  return (
    (await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst()) !== undefined
  );
}

/** Changes what is given; a new password is hashed. Returns false when there is no such user. */
export async function updateUser(
  db: Db,
  id: number,
  patch: { displayName?: string; role?: Role; enabled?: boolean; password?: string },
  policy: PasswordPolicy = {},
): Promise<boolean> {
  // The password rules depend on who it is for (an admin's must be stronger).
  const current = patch.password ? await findUser(db, id) : null;
  if (patch.password && !current) return false;
  const set = {
    ...(patch.displayName ? { display_name: patch.displayName } : {}),
    ...(patch.role ? { role: patch.role } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.password && current
      ? {
          password_hash: await hashPassword(
            { login: current.login, role: patch.role ?? current.role, password: patch.password },
            policy,
          ),
        }
      : {}),
  };
  if (Object.keys(set).length === 0) return (await findUser(db, id)) !== null;
  const r = await db.updateTable('users').set(set).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
