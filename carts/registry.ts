// Every cart juchu speaks, by name. A store's `cart` picks its module; the demo and tests start the
// simulators from here.
import type { CartName } from '../domain/order.js';
import { amazonCart, amazonSimulator } from './amazon/index.js';
import type { CartModule, CartSimulator } from './contract.js';
import { csvCart, csvSimulator } from './csv/index.js';
import { makeshopCart, makeshopSimulator } from './makeshop/index.js';
import { rakutenCart, rakutenSimulator } from './rakuten/index.js';
import { shopifyCart, shopifySimulator } from './shopify/index.js';
import { yahooCart, yahooSimulator } from './yahoo/index.js';

// biome-ignore lint/suspicious/noExplicitAny: each module has its own credential type; stores give unknown
const MODULES: Readonly<Record<CartName, CartModule<any>>> = {
  rakuten: rakutenCart,
  yahoo: yahooCart,
  amazon: amazonCart,
  makeshop: makeshopCart,
  shopify: shopifyCart,
  csv: csvCart,
};

const SIMULATORS: Readonly<Record<CartName, CartSimulator>> = {
  rakuten: rakutenSimulator,
  yahoo: yahooSimulator,
  amazon: amazonSimulator,
  makeshop: makeshopSimulator,
  shopify: shopifySimulator,
  csv: csvSimulator,
};

// biome-ignore lint/suspicious/noExplicitAny: see above
export function cartModule(cart: CartName): CartModule<any> {
  const m = MODULES[cart];
  if (!m) throw new Error(`unknown cart "${cart}"`);
  return m;
}

export function cartSimulator(cart: CartName): CartSimulator {
  const s = SIMULATORS[cart];
  if (!s) throw new Error(`unknown cart "${cart}"`);
  return s;
}
