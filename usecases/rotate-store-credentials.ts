// Operation: a cart replaced a store's credentials (Shopify rotates the refresh token of an expiring
// offline token on every refresh). The new ones are stored only if the stored ones are still those the
// adapter used: of two processes that refreshed at once, the first to store wins, and the other's
// replacement is never used (Shopify keeps the old token working until one replacement is used).
import { lockedStoreCredentials, setCredentials } from '../db/stores.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface CredentialsRotation {
  storeId: number;
  /** The fields as the adapter used them (compared with what is stored). */
  previous: Record<string, unknown>;
  /** The fields the cart replaced (merged over the stored credentials). */
  next: Record<string, unknown>;
}

export type RotationResult =
  | { stored: true }
  | { stored: false; reason: 'store-missing' | 'changed-meanwhile' };

export async function rotateStoreCredentials(
  deps: UseCaseDeps & { key: Buffer },
  input: CredentialsRotation,
): Promise<RotationResult> {
  return withTransaction(deps.db, async (trx) => {
    const stored = await lockedStoreCredentials(trx, input.storeId, deps.key);
    if (!stored) return { stored: false, reason: 'store-missing' } as const;
    for (const [field, value] of Object.entries(input.previous))
      if (stored[field] !== value) return { stored: false, reason: 'changed-meanwhile' } as const;
    // The cart just accepted them: the store's credential state is ok again, as after any new entry.
    await setCredentials(trx, input.storeId, { ...stored, ...input.next }, deps.key);
    return { stored: true } as const;
  });
}
