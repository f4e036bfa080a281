// Stores: settings, encrypted credentials, cursor and the per-store import lease.
import { sql } from 'kysely';
import type { CartName } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { parseStoreSettings, type StoreSettings } from '../domain/store-settings.js';
import { decryptJson, encryptJson } from '../infra/crypto.js';
import type { Db } from './db.js';
import type { StoreRow } from './schema.js';

export interface Store {
  id: number;
  code: string;
  cart: CartName;
  name: string;
  enabled: boolean;
  importCron: string;
  baseUrl: string | null;
  /** テスト店舗: may point at this machine (a cart simulator); see domain/store-endpoint.ts. */
  testStore: boolean;
  settings: StoreSettings & Record<string, unknown>;
  credentialState: 'ok' | 'needs_credentials';
  credentialError: string | null;
  importCursor: Date | null;
  lastImportAt: Date | null;
  lastImportOutcome: string | null;
  hasCredentials: boolean;
}

export function toStore(r: StoreRow): Store {
  return {
    id: r.id,
    code: r.code,
    cart: r.cart as CartName,
    name: r.name,
    enabled: r.enabled,
    importCron: r.import_cron,
    baseUrl: r.base_url,
    testStore: r.test_store,
    settings: parseStoreSettings(r.settings),
    credentialState: r.credential_state,
    credentialError: r.credential_error,
    importCursor: r.import_cursor,
    lastImportAt: r.last_import_at,
    lastImportOutcome: r.last_import_outcome,
    hasCredentials: r.credentials_encrypted !== null,
  };
}

export async function listStores(db: Db): Promise<Store[]> {
  return (await db.selectFrom('stores').selectAll().orderBy('code').execute()).map(toStore);
}

export async function findStore(db: Db, code: string): Promise<Store | null> {
  const r = await db.selectFrom('stores').selectAll().where('code', '=', code).executeTakeFirst();
  return r ? toStore(r) : null;
}

export async function getStore(db: Db, code: string): Promise<Store> {
  const s = await findStore(db, code);
  if (!s) throw new RuleRefusal(`no store with code "${code}"`, 'not_found');
  return s;
}

export interface SavedStore {
  id: number;
  cart: CartName;
  baseUrl: string | null;
  testStore: boolean;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
}

/**
 * A store as saved, settings not filled in with defaults (the form shows and saves what the admin
 * wrote, and a store whose saved settings no longer parse can still be corrected).
 */
export async function findSavedStore(
  db: Db,
  code: string,
  opts: { lock?: boolean } = {},
): Promise<SavedStore | null> {
  const q = db
    .selectFrom('stores')
    .select(['id', 'cart', 'base_url', 'test_store', 'settings'])
    .select(sql<boolean>`credentials_encrypted IS NOT NULL`.as('has_credentials'))
    .where('code', '=', code);
  // Locked (in a transaction): a store change and a credentials change of one store go one at a time.
  const r = await (opts.lock ? q.forUpdate() : q).executeTakeFirst();
  return r
    ? {
        id: r.id,
        cart: r.cart as CartName,
        baseUrl: r.base_url,
        testStore: r.test_store,
        settings: (r.settings ?? {}) as Record<string, unknown>,
        hasCredentials: r.has_credentials,
      }
    : null;
}

export async function getStoreById(db: Db, id: number): Promise<Store> {
  return toStore(await db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** Decrypted credentials, for the adapter only; never logged, never put in a job payload. */
export async function storeCredentials(
  db: Db,
  storeId: number,
  key: Buffer,
): Promise<Record<string, unknown>> {
  const r = await db
    .selectFrom('stores')
    .select('credentials_encrypted')
    .where('id', '=', storeId)
    .executeTakeFirstOrThrow();
  return r.credentials_encrypted ? decryptJson<Record<string, unknown>>(r.credentials_encrypted, key) : {};
}

/**
 * The store's credentials, its row locked until the transaction ends (a credentials rotation reads,
 * compares and writes them as one step).
 */
export async function lockedStoreCredentials(
  trx: Db,
  storeId: number,
  key: Buffer,
): Promise<Record<string, unknown> | null> {
  const r = await trx
    .selectFrom('stores')
    .select('credentials_encrypted')
    .where('id', '=', storeId)
    .forUpdate()
    .executeTakeFirst();
  if (!r) return null;
  return r.credentials_encrypted ? decryptJson<Record<string, unknown>>(r.credentials_encrypted, key) : {};
}

export interface StoreInput {
  code: string;
  cart: CartName;
  name: string;
  enabled?: boolean;
  importCron?: string;
  baseUrl?: string | null;
  /** テスト店舗 (default false for a new store; unchanged when not given). */
  testStore?: boolean;
  settings?: Record<string, unknown>;
  /** Plain credentials; encrypted before they reach the database. */
  credentials?: Record<string, unknown> | null;
}

/**
 * Creates or updates a store by code. New credentials reset the credential state to ok. Whether the
 * base URL may be used is the use case's rule (usecases/save-store.ts: this layer does not know the
 * carts' hosts); the adapter factory checks it again before anything is sent (jobs/deps.ts).
 */
export async function upsertStore(db: Db, input: StoreInput, key: Buffer): Promise<Store> {
  parseStoreSettings(input.settings ?? {}); // refuse bad settings before writing
  const sealed = input.credentials ? encryptJson(input.credentials, key) : undefined;
  const values = {
    code: input.code,
    cart: input.cart,
    name: input.name,
    enabled: input.enabled ?? true,
    import_cron: input.importCron ?? '*/10 * * * *',
    base_url: input.baseUrl ?? null,
    ...(input.testStore === undefined ? {} : { test_store: input.testStore }),
    settings: JSON.stringify(input.settings ?? {}),
    ...(sealed
      ? { credentials_encrypted: sealed, credential_state: 'ok' as const, credential_error: null }
      : {}),
  };
  const row = await db
    .insertInto('stores')
    .values(values)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({
        ...values,
        updated_at: sql`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStore(row);
}

/** New credentials for a store (encrypted here); its credential state is ok again. */
export async function setCredentials(
  db: Db,
  storeId: number,
  credentials: Record<string, unknown>,
  key: Buffer,
): Promise<Store> {
  const row = await db
    .updateTable('stores')
    .set({
      credentials_encrypted: encryptJson(credentials, key),
      credential_state: 'ok',
      credential_error: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', storeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStore(row);
}

/**
 * Forgets a store's credentials and says why (their endpoint changed: they must be entered again for
 * the new one). The store stays; an import fails with "credentials incomplete" until they are.
 */
export async function dropCredentials(db: Db, storeId: number, reason: string): Promise<void> {
  await db
    .updateTable('stores')
    .set({
      credentials_encrypted: null,
      credential_state: 'needs_credentials',
      credential_error: reason.slice(0, 500),
      updated_at: sql`now()`,
    })
    .where('id', '=', storeId)
    .execute();
}

export async function markNeedsCredentials(db: Db, storeId: number, error: string): Promise<void> {
  await db
    .updateTable('stores')
    .set({
      credential_state: 'needs_credentials',
      credential_error: error.slice(0, 500),
      updated_at: sql`now()`,
    })
    .where('id', '=', storeId)
    .execute();
}

/**
 * Takes the store's import lease (one import at a time per store). Guarded: succeeds only when free,
 * expired, or already ours. A worker that dies simply lets it expire.
 */
export async function acquireImportLease(
  db: Db,
  storeId: number,
  owner: string,
  ttlSeconds = 120,
): Promise<boolean> {
  const r = await db
    .updateTable('stores')
    .set({
      import_lease_owner: owner,
      import_lease_until: sql`now() + make_interval(secs => ${ttlSeconds})`,
    })
    .where('id', '=', storeId)
    .where((eb) =>
      eb.or([
        eb('import_lease_until', 'is', null),
        eb('import_lease_until', '<', sql<Date>`now()`),
        eb('import_lease_owner', '=', owner),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseImportLease(db: Db, storeId: number, owner: string): Promise<void> {
  await db
    .updateTable('stores')
    .set({ import_lease_owner: null, import_lease_until: null })
    .where('id', '=', storeId)
    .where('import_lease_owner', '=', owner)
    .execute();
}

/** The cart accepted the store's credentials (a re-import, a reconciliation): 要再登録 clears. */
export async function credentialsWorked(db: Db, storeId: number): Promise<void> {
  await db
    .updateTable('stores')
    .set({ credential_state: 'ok', credential_error: null })
    .where('id', '=', storeId)
    .where('credential_state', '=', 'needs_credentials')
    .where('credentials_encrypted', 'is not', null)
    .execute();
}

/**
 * A window completed: the cursor moves to its end (forward only, never beyond the database's time),
 * the window in progress is done, and the credentials proved good. False when the end was refused.
 */
export async function advanceCursor(db: Db, storeId: number, to: Date): Promise<boolean> {
  const r = await db
    .updateTable('stores')
    .set({ import_cursor: to, import_window_to: null, credential_state: 'ok', credential_error: null })
    .where('id', '=', storeId)
    .where(sql<boolean>`${to}::timestamptz <= now()`)
    .where((eb) => eb.or([eb('import_cursor', 'is', null), eb('import_cursor', '<=', to)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
