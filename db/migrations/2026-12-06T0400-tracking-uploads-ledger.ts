// A carrier's result file joins the upload ledger (issue 15 item 2): it is an upload of kind
// tracking (key: carrier and SHA-256), so the same file again changes nothing and its result is kept
// under the upload id. tracking_uploads is retired: each of its rows becomes a succeeded upload
// (the first of the same carrier and content; a repeat of it had added nothing), its unmatched rows
// the upload's refused rows by line, its per-order results lines of the stored result; each
// parcel's upload_id follows to the new row.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE order_parcels DROP CONSTRAINT order_parcels_upload_id_fkey;
    ALTER TABLE order_parcels ALTER COLUMN upload_id TYPE bigint;

    CREATE TEMP TABLE tracking_moved AS
      SELECT t.id AS old_id, 'tracking:' || t.carrier || ':' || t.sha256 AS upload_key,
             first_value(t.id) OVER (PARTITION BY t.carrier, t.sha256 ORDER BY t.id) AS first_id
      FROM tracking_uploads t;

    INSERT INTO uploads (kind, file_name, byte_size, sha256, upload_key, actor, status, rows_read,
                         rows_applied, rows_failed, applied_through, result, attempts, created_at,
                         finished_at, updated_at)
    SELECT 'tracking', t.file_name, 0, t.sha256, m.upload_key, t.uploaded_by, 'succeeded', t.rows,
           t.matched, jsonb_array_length(t.unmatched), t.rows,
           jsonb_build_object(
             'ok', t.matched,
             'failed', jsonb_array_length(t.unmatched),
             'ordersMoved', 0,
             'carrier', t.carrier,
             'counts', jsonb_build_object(
               'shipped', (SELECT count(*) FROM jsonb_array_elements(t.results) r WHERE r->>'state' = 'shipped'),
               'already', (SELECT count(*) FROM jsonb_array_elements(t.results) r WHERE r->>'state' = 'already'),
               'waiting', (SELECT count(*) FROM jsonb_array_elements(t.results) r WHERE r->>'state' = 'waiting'),
               'refused', (SELECT count(*) FROM jsonb_array_elements(t.results) r WHERE r->>'state' = 'refused'),
               'unmatched', jsonb_array_length(t.unmatched)),
             'lines', (
               SELECT coalesce(jsonb_agg(s.line ORDER BY s.g, s.o), '[]'::jsonb) FROM (
                 SELECT 1 AS g, (u->>'rowNo')::bigint AS o,
                        '✗ ' || t.file_name || ' ' || (u->>'rowNo') || ' 行目: お客様管理番号「' ||
                        (u->>'key') || '」: ' || (u->>'reason') AS line
                 FROM jsonb_array_elements(t.unmatched) u
                 UNION ALL
                 SELECT 2, x.n, CASE WHEN (x.r->>'ok')::boolean THEN '✓' ELSE '✗' END || ' 受注No ' ||
                        (x.r->>'orderNo') || ': ' || (x.r->>'message')
                 FROM jsonb_array_elements(t.results) WITH ORDINALITY AS x(r, n)
                 UNION ALL
                 SELECT 3, 0, t.file_name || ': ' || t.matched || ' 行を取込、' ||
                        jsonb_array_length(t.unmatched) || ' 行はエラー（' || t.uploaded_by ||
                        '、移行前の伝票番号取込 #' || t.id || '）'
               ) s)),
           1, t.uploaded_at, t.uploaded_at, t.uploaded_at
    FROM tracking_uploads t JOIN tracking_moved m ON m.old_id = t.id AND m.old_id = m.first_id
    ORDER BY t.id
    ON CONFLICT (upload_key) DO NOTHING;

    INSERT INTO upload_errors (upload_id, line, message)
    SELECT u.id, (e->>'rowNo')::int,
           'お客様管理番号「' || (e->>'key') || '」 伝票番号「' || (e->>'trackingNumber') || '」: ' || (e->>'reason')
    FROM tracking_uploads t
    JOIN tracking_moved m ON m.old_id = t.id AND m.old_id = m.first_id
    JOIN uploads u ON u.upload_key = m.upload_key
    CROSS JOIN jsonb_array_elements(t.unmatched) e
    WHERE NOT EXISTS (SELECT 1 FROM upload_errors x WHERE x.upload_id = u.id);

    UPDATE order_parcels p SET upload_id = u.id
    FROM tracking_moved m JOIN uploads u ON u.upload_key = m.upload_key
    WHERE p.upload_id = m.old_id;

    ALTER TABLE order_parcels ADD CONSTRAINT order_parcels_upload_id_fkey
      FOREIGN KEY (upload_id) REFERENCES uploads(id) ON DELETE SET NULL;
    DROP TABLE tracking_moved;
    DROP TABLE tracking_uploads;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tracking_uploads (
      id serial PRIMARY KEY,
      carrier text NOT NULL,
      file_name text NOT NULL,
      sha256 text NOT NULL,
      rows integer NOT NULL,
      matched integer NOT NULL,
      unmatched jsonb NOT NULL DEFAULT '[]'::jsonb,
      results jsonb NOT NULL DEFAULT '[]'::jsonb,
      uploaded_by text NOT NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE order_parcels DROP CONSTRAINT order_parcels_upload_id_fkey;
    INSERT INTO tracking_uploads (id, carrier, file_name, sha256, rows, matched, unmatched, uploaded_by, uploaded_at)
    SELECT u.id, coalesce(u.result->>'carrier', split_part(u.upload_key, ':', 2)), u.file_name, u.sha256,
           u.rows_read, u.rows_applied,
           coalesce((SELECT jsonb_agg(jsonb_build_object('rowNo', e.line, 'key', '', 'trackingNumber', '',
                                                         'reason', e.message) ORDER BY e.line)
                     FROM upload_errors e WHERE e.upload_id = u.id), '[]'::jsonb),
           u.actor, u.created_at
    FROM uploads u WHERE u.kind = 'tracking';
    SELECT setval(pg_get_serial_sequence('tracking_uploads', 'id'), coalesce(max(id), 0) + 1, false)
    FROM tracking_uploads;
    UPDATE order_parcels SET upload_id = NULL
    WHERE upload_id IS NOT NULL AND upload_id NOT IN (SELECT id FROM tracking_uploads);
    ALTER TABLE order_parcels ALTER COLUMN upload_id TYPE integer;
    ALTER TABLE order_parcels ADD CONSTRAINT order_parcels_upload_id_fkey
      FOREIGN KEY (upload_id) REFERENCES tracking_uploads(id) ON DELETE SET NULL;
    DELETE FROM uploads WHERE kind = 'tracking';
  `.execute(db);
}
