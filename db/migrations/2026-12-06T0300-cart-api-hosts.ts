// Hosts an ops engineer allowed a cart's credentials to go to, beyond the cart's published ones
// (`juchu stores allow-host`): makeshop's next-generation endpoint is sent to each shop by e-mail and
// published nowhere, so no code can list it. Frozen in time: this file must never import app types or code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE cart_api_hosts (
      cart text NOT NULL,
      host text NOT NULL CHECK (host = lower(host) AND host ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
      source text NOT NULL CHECK (length(btrim(source)) > 0),
      added_by text NOT NULL,
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (cart, host)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE cart_api_hosts;`.execute(db);
}
