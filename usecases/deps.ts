// What an operation needs from the world: the database and a clock (tests fix it). Imports need a
// little more (see run-import.ts). Job deps and the dashboard's deps both satisfy these shapes.
import type { Db } from '../db/db.js';

export interface UseCaseDeps {
  db: Db;
  now: () => Date;
}

/** Deps for a caller that has a database and maybe a fixed time. */
export function depsOf(db: Db, now?: Date): UseCaseDeps {
  return { db, now: () => now ?? new Date() };
}
