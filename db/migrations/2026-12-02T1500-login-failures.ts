// Login throttling by failures instead of fixed windows (dashboard/login-throttle.ts): one row per
// failed attempt, with the login, the client address and the device id of a browser that showed a
// valid device cookie for the login. Rows older than a day are pruned. Replaces login_attempts, whose
// per-login and per-address counters let anyone lock a login or a whole office out.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE login_failures (
      id bigserial PRIMARY KEY,
      -- lower case, as typed (the login need not exist)
      login text NOT NULL,
      address text NOT NULL,
      -- the device cookie's id when the browser showed one valid for this login, else NULL
      device text,
      failed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX login_failures_login_idx ON login_failures (login, failed_at) WHERE device IS NULL;
    CREATE INDEX login_failures_address_idx ON login_failures (address, failed_at) WHERE device IS NULL;
    CREATE INDEX login_failures_device_idx ON login_failures (device, failed_at) WHERE device IS NOT NULL;
    CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);
    DROP TABLE login_attempts;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE login_failures;
    CREATE TABLE login_attempts (
      key text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL
    );
  `.execute(db);
}
