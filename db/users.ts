// Dashboard users: viewer (read-only), operator (order actions), admin (jobs and configuration).
// Passwords are bcrypt hashes (bcryptjs: pure JS, no install scripts).
import bcrypt from 'bcryptjs';
import type { Db } from './db.js';

export type Role = 'viewer' | 'operator' | 'admin';

export interface User {
  id: number;
  login: string;
  displayName: string;
  role: Role;
}

const COST = 10;

export async function createUser(
  db: Db,
  input: { login: string; displayName: string; role: Role; password: string },
): Promise<User> {
  if (input.password.length < 8) throw new Error('a password needs at least 8 characters');
  const hash = await bcrypt.hash(input.password, COST);
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
