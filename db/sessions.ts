// Dashboard sessions (`sessions`: the sha256 of the cookie token, never the token itself).
import { sql } from 'kysely';
import type { Db } from './db.js';

/** Ends every session of a user at once (disabled, or a new password). */
export async function endUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export interface SessionRow {
  id: string;
  csrfToken: string;
  user: { id: number; login: string; displayName: string; role: 'viewer' | 'operator' | 'admin' };
}

/** The live session of this id (the token's hash), its user still enabled; null otherwise. */
export async function findLiveSession(db: Db, id: string): Promise<SessionRow | null> {
  const r = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.csrf_token', 'u.id as user_id', 'u.login', 'u.display_name', 'u.role'])
    .where('s.id', '=', id)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('u.enabled', '=', true)
    .executeTakeFirst();
  return r
    ? {
        id: r.id,
        csrfToken: r.csrf_token,
        user: { id: r.user_id, login: r.login, displayName: r.display_name, role: r.role },
      }
    : null;
}

/** A new session for `hours`; expired sessions are pruned on the way. */
export async function openSession(
  db: Db,
  s: { id: string; userId: number; csrfToken: string; hours: number },
): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).execute();
  await db
    .insertInto('sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      expires_at: sql<Date>`now() + make_interval(hours => ${s.hours})`,
    })
    .execute();
}

export async function endSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}
