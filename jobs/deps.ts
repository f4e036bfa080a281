// What a job processor gets: the database, configuration, producers to enqueue follow-ups (after
// commit), and a way to build a store's cart adapter (tests swap HTTP settings here).
import type { CartAdapter, HttpSettings } from '../carts/contract.js';
import { CartAuthError } from '../carts/errors.js';
import { cartModule } from '../carts/registry.js';
import type { Db } from '../db/db.js';
import { type Store, storeCredentials } from '../db/stores.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Queues } from './queues.js';

export interface JobDeps {
  db: Db;
  config: Config;
  queues: Queues;
  log: Logger;
  now: () => Date;
  adapterFor: (store: Store) => Promise<CartAdapter>;
  /** Identifies this process in leases (host-pid). */
  processId: string;
}

/** Builds the store's adapter with its decrypted credentials; bad credentials are an auth failure. */
export function storeAdapterFactory(db: Db, key: Buffer, http?: Partial<HttpSettings>) {
  return async (store: Store): Promise<CartAdapter> => {
    const mod = cartModule(store.cart);
    const raw = await storeCredentials(db, store.id, key);
    const parsed = mod.credentialsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CartAuthError(
        `store ${store.code}: credentials incomplete (${issue?.path.join('.') || 'credentials'}: ${issue?.message ?? 'invalid'})`,
        store.cart,
      );
    }
    return mod.createAdapter({
      storeCode: store.code,
      baseUrl: store.baseUrl ?? mod.defaultBaseUrl,
      credentials: parsed.data,
      settings: store.settings,
      http,
    });
  };
}
