// What a job processor gets: the database, configuration, producers to enqueue follow-ups (after
// commit), and a way to build a store's cart adapter (tests swap HTTP settings here).

import type { CartActions } from '../carts/actions.js';
import type { CartAdapter, CredentialStore, HttpSettings } from '../carts/contract.js';
import { CartAuthError, CartRequestError } from '../carts/errors.js';
import type { RequestLimiter } from '../carts/rate-limit.js';
import { cartModule, storeEndpoints } from '../carts/registry.js';
import { addedApiHosts } from '../db/cart-api-hosts.js';
import type { Db } from '../db/db.js';
import { type Store, storeCredentials } from '../db/stores.js';
import { checkEndpoint } from '../domain/store-endpoint.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { rotateStoreCredentials } from '../usecases/rotate-store-credentials.js';
import type { Queues } from './queues.js';

export interface JobDeps {
  db: Db;
  config: Config;
  queues: Queues;
  log: Logger;
  now: () => Date;
  adapterFor: (store: Store) => Promise<CartAdapter>;
  /** The store's write side (the cart-actions outbox delivers through it). */
  actionsFor: (store: Store) => Promise<CartActions>;
  /**
   * The request limiter every process shares (Redis): pass it to a cart's `createActions` too, so
   * that writes and imports of a store take from the same buckets. Absent in tests that build deps
   * without Redis (each adapter then paces itself).
   */
  limiter?: RequestLimiter;
  /** Identifies this process in leases (host-pid). */
  processId: string;
}

/**
 * The store points its credentials somewhere they may not go (a row changed by hand, or from before
 * the rule): like refused credentials, the import fails at once and the store is marked
 * needs_credentials with this message, and nothing is sent.
 */
export class StoreEndpointRefused extends CartAuthError {}

/**
 * Builds the store's adapter with its decrypted credentials; bad credentials are an auth failure. The
 * URLs the adapter would send them to are checked first with the rule the store form applies
 * (usecases/save-store.ts), so nothing ever goes to a host outside the cart's list.
 */
/** The store's decrypted credentials, after the endpoint rule, parsed by its cart's schema. */
async function checkedCredentials(db: Db, key: Buffer, store: Store): Promise<unknown> {
  const mod = cartModule(store.cart);
  const raw = await storeCredentials(db, store.id, key);
  for (const e of storeEndpoints(store, raw, await addedApiHosts(db, store.cart))) {
    const v = checkEndpoint(e.url, {
      label: e.label,
      hosts: e.hosts,
      testStore: store.testStore,
      file: e.file,
    });
    if (!v.ok) throw new StoreEndpointRefused(`store ${store.code}: ${v.message}`, store.cart);
  }
  const parsed = mod.credentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CartAuthError(
      `store ${store.code}: credentials incomplete (${issue?.path.join('.') || 'credentials'}: ${issue?.message ?? 'invalid'})`,
      store.cart,
    );
  }
  return parsed.data;
}

/**
 * `now` is the clock the adapter signs and reckons with: the worker passes the database's (issue 15),
 * so a machine clock off by 30 minutes does not sign makeshop's x-timestamp or Yahoo!'s signature
 * with a time the cart refuses. Absent: the process clock.
 */
export function storeAdapterFactory(
  db: Db,
  key: Buffer,
  http?: Partial<HttpSettings>,
  limiter?: RequestLimiter,
  now?: () => Date,
) {
  return async (store: Store): Promise<CartAdapter> => {
    const mod = cartModule(store.cart);
    return mod.createAdapter({
      storeCode: store.code,
      baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
      credentials: await checkedCredentials(db, key, store),
      settings: store.settings,
      http: storeHttp(store, http),
      limiter,
      credentialStore: credentialStoreOf(db, key, store),
      ...(now ? { now } : {}),
    });
  };
}

/** The store's write side (carts/actions.ts), built with the same checks as its adapter. */
export function storeActionsFactory(
  db: Db,
  key: Buffer,
  http?: Partial<HttpSettings>,
  limiter?: RequestLimiter,
  now?: () => Date,
) {
  return async (store: Store): Promise<CartActions> => {
    const mod = cartModule(store.cart);
    if (!mod.createActions)
      throw new CartRequestError(`${store.cart} has no write API juchu speaks`, store.cart);
    return mod.createActions({
      storeCode: store.code,
      baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
      credentials: await checkedCredentials(db, key, store),
      settings: store.settings,
      http: storeHttp(store, http),
      limiter,
      credentialStore: credentialStoreOf(db, key, store),
      ...(now ? { now } : {}),
    });
  };
}

/** The store's stored credentials, for an adapter to read again and to replace what the cart rotated. */
function credentialStoreOf(db: Db, key: Buffer, store: Store): CredentialStore {
  return {
    rotate: async (previous, next) =>
      (
        await rotateStoreCredentials(
          { db, key, now: () => new Date() },
          { storeId: store.id, previous, next },
        )
      ).stored,
    current: () => storeCredentials(db, store.id, key),
  };
}

/** The store's own HTTP settings (stores.settings.http, checked on save) over the process's. */
function storeHttp(store: Store, http: Partial<HttpSettings> | undefined): Partial<HttpSettings> {
  const own = Object.entries(store.settings.http ?? {}).filter(([, v]) => v !== undefined);
  return { ...http, ...(Object.fromEntries(own) as Partial<HttpSettings>) };
}
