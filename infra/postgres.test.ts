// The pool survives its server going away: a client lent out when PostgreSQL restarts makes its
// statement fail, not the process die, and the pool serves fresh connections once the server is back.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startPrivatePostgres } from '../dev/services.js';
import { createKysely, createPool } from './postgres.js';

describe('postgres pool across a server restart', () => {
  let server: RunningService;
  beforeAll(async () => {
    server = await startPrivatePostgres({ unsafeFast: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('fails the work of a client in use instead of crashing, then reconnects', async () => {
    const pool = createPool(server.url, { max: 2 });
    const lent = await pool.connect();
    await lent.query('BEGIN');
    await server.restart!(200); // terminates every connection, this one mid-transaction
    await expect(lent.query('SELECT 1')).rejects.toThrow();
    lent.release();
    const r = await pool.query('SELECT 2 AS two');
    expect(r.rows[0].two).toBe(2);
    await pool.end();
  });

  it('lets a Kysely transaction that loses its server fail with an error', async () => {
    const db = createKysely<Record<string, never>>(server.url, { max: 2 });
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await server.restart!(200);
        await sql`SELECT 2`.execute(trx);
      }),
    ).rejects.toThrow();
    expect((await sql<{ n: number }>`SELECT 3 AS n`.execute(db)).rows[0]!.n).toBe(3);
    await db.destroy();
  });
});
