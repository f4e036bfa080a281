// Dashboard sessions (`sessions`: the sha256 of the cookie token, never the token itself).
import type { Db } from './db.js';

/** Ends every session of a user at once (disabled, or a new password). */
export async function endUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
