// An ops engineer allows a cart's credentials to go to one more host (or takes it back): makeshop's
// next-generation API answers at an endpoint sent to each shop by e-mail and published nowhere, so
// the cart's list (`apiHosts`) cannot hold it. Only the CLI offers this (shell access to the
// deployment is the trust boundary): a dashboard login cannot widen where stored credentials go.
// A store already saved against a host that is taken back is refused at its next import
// (jobs/deps.ts checks before every import), as any store whose endpoint is not allowed.

import { cartModule } from '../carts/registry.js';
import { addedApiHosts, deleteApiHost, upsertApiHost } from '../db/cart-api-hosts.js';
import { CARTS } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { checkAddedHost, hostMatches } from '../domain/store-endpoint.js';
import type { UseCaseDeps } from './deps.js';

function knownCart(cart: string) {
  const c = CARTS.find((x) => x === cart);
  if (!c) throw new RuleRefusal(`カート ${cart} はありません（${CARTS.join('、')}）`, 'not_found');
  if (c === 'csv') throw new RuleRefusal('CSV 店舗は接続先を持ちません（フォルダーを読みます）', 'refused');
  return c;
}

export interface AllowedApiHost {
  cart: string;
  host: string;
  /** Already in the cart's own list: nothing was added. */
  alreadyPublished: boolean;
  /** The hosts added for the cart after the change. */
  added: string[];
}

export async function allowApiHost(
  deps: Pick<UseCaseDeps, 'db'>,
  input: { cart: string; host: string; source: string; actor: string },
): Promise<AllowedApiHost> {
  const cart = knownCart(input.cart);
  const checked = checkAddedHost(input.host);
  if (!checked.ok) throw new RuleRefusal(checked.message, 'invalid_host');
  const source = input.source.trim();
  if (!source)
    throw new RuleRefusal(
      '接続先の出どころ（--source、例: 「makeshop 開発申請完了メール 2026-12-05」）を書いてください',
      'invalid_host',
    );
  const published = cartModule(cart).apiHosts.some((p) => hostMatches(checked.host, p));
  if (!published) await upsertApiHost(deps.db, { cart, host: checked.host, source, addedBy: input.actor });
  return { cart, host: checked.host, alreadyPublished: published, added: await addedApiHosts(deps.db, cart) };
}

export async function disallowApiHost(
  deps: Pick<UseCaseDeps, 'db'>,
  input: { cart: string; host: string },
): Promise<{ removed: boolean }> {
  const cart = knownCart(input.cart);
  return { removed: await deleteApiHost(deps.db, cart, input.host.trim().toLowerCase()) };
}
