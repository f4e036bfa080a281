// The product master (商品マスタ) is kept on screens, the CLI and CSV files now, not only by the demo
// seed: each product gets its JAN/barcode (JAN-8/13 or another GS1 code, check digit checked by
// domain/product-rules.ts; one product per barcode), the note that says why it is 要修正, and an
// active flag (a product orders use is deactivated, never deleted). Existing products are active.
// Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE products
      ADD COLUMN jan text CHECK (jan ~ '^[0-9]{8,14}$'),
      ADD COLUMN needs_check_note text,
      ADD COLUMN active boolean NOT NULL DEFAULT true;
    CREATE UNIQUE INDEX products_jan_key ON products (jan) WHERE jan IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX products_jan_key;
    ALTER TABLE products DROP COLUMN jan, DROP COLUMN needs_check_note, DROP COLUMN active;
  `.execute(db);
}
