// What the route files need: the database, the queue producers and the configuration.
import type { Db } from '../../db/db.js';
import type { Config } from '../../infra/config.js';
import type { Queues } from '../../jobs/queues.js';
import { depsOf } from '../../usecases/deps.js';
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

/**
 * What an operation gets from the dashboard: the database, the clock and the queues, so that the cart
 * actions it records (発送完了, 在庫連携 …) have their delivery jobs enqueued right after its commit
 * (usecases/enqueue-cart-actions.ts; the outbox sweep is only the safety net).
 */
export function opsOf({ db, queues }: Pick<RouteDeps, 'db' | 'queues'>) {
  return { ...depsOf(db), queues };
}
