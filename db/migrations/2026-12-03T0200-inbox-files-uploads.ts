// Files of any size, and what happened to each (issue 15 item 2).
// - inbox_files: every file a CSV store's import takes from its inbox, recorded BEFORE it is read,
//   so a file that was being read when its worker died is known on the next attempt (and set aside
//   instead of crashing a second worker); the failed ones are listed with their reason.
// - uploads: an operator upload (stock, shipment results, mappings, products) as one unit: its key
//   (kind and the content's SHA-256: the same file again changes nothing), its progress
//   (applied_through: the last row whose effect is committed, in the same transaction as the
//   effect), its result, and the rows it refused by line (upload_errors).
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE inbox_files (
      id bigserial PRIMARY KEY,
      store_id integer NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
      name text NOT NULL,
      size_bytes bigint NOT NULL,
      mtime_ms double precision NOT NULL,
      -- reading: an attempt began and has not ended (a worker that dies leaves it so)
      state text NOT NULL CHECK (state IN ('reading', 'waiting', 'imported', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      import_run_id bigint REFERENCES import_runs(id) ON DELETE SET NULL,
      orders integer NOT NULL DEFAULT 0,
      error text,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      UNIQUE (store_id, name, size_bytes, mtime_ms)
    );
    CREATE INDEX inbox_files_failed_idx ON inbox_files (finished_at DESC) WHERE state = 'failed';

    CREATE TABLE uploads (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('stock', 'shipments', 'mappings', 'products')),
      file_name text NOT NULL,
      byte_size bigint NOT NULL DEFAULT 0,
      sha256 text NOT NULL,
      -- kind and content: the same file again finds this row (and changes nothing more)
      upload_key text NOT NULL UNIQUE,
      actor text NOT NULL,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      rows_read integer NOT NULL DEFAULT 0,
      rows_applied integer NOT NULL DEFAULT 0,
      rows_failed integer NOT NULL DEFAULT 0,
      -- the last row number whose effect is committed (written in the same transaction as it)
      applied_through integer NOT NULL DEFAULT 0,
      result jsonb,
      error text,
      attempts integer NOT NULL DEFAULT 1,
      -- a process that dies while applying leaves the row running; past this time a resend resumes it
      lease_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX uploads_recent_idx ON uploads (created_at DESC);

    CREATE TABLE upload_errors (
      id bigserial PRIMARY KEY,
      upload_id bigint NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
      line integer,
      column_name text,
      message text NOT NULL
    );
    CREATE INDEX upload_errors_upload_idx ON upload_errors (upload_id, line);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE upload_errors;
    DROP TABLE uploads;
    DROP TABLE inbox_files;
  `.execute(db);
}
