// What the route files need: the database, the queue producers and the configuration.
import type { Db } from '../../db/db.js';
import type { Config } from '../../infra/config.js';
import type { Queues } from '../../jobs/queues.js';
import { HttpError } from '../http.js';

export interface RouteDeps {
  db: Db;
  queues: Queues;
  config: Config;
}

/** Adds a job; Redis not answering is a 503 the screen can show (the database work is already done). */
export async function enqueue<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new HttpError(
      503,
      `ジョブを登録できませんでした（Redis に接続できません: ${e instanceof Error ? e.message : String(e)}）`,
      'queue_unavailable',
    );
  }
}
