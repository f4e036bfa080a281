// Every cart's simulator, by name: the demo, the tests and the benchmark start them from here.
import type { CartName } from '../../domain/order.js';
import { amazonSimulator } from '../amazon/simulator.js';
import { csvSimulator } from '../csv/simulator.js';
import { makeshopSimulator } from '../makeshop/simulator.js';
import { rakutenSimulator } from '../rakuten/simulator.js';
import { shopifySimulator } from '../shopify/simulator.js';
import { yahooSimulator } from '../yahoo/simulator.js';
import type { CartSimulator } from './contract.js';

const SIMULATORS: Readonly<Record<CartName, CartSimulator>> = {
  rakuten: rakutenSimulator,
  yahoo: yahooSimulator,
  amazon: amazonSimulator,
  makeshop: makeshopSimulator,
  shopify: shopifySimulator,
  csv: csvSimulator,
};

export function cartSimulator(cart: CartName): CartSimulator {
  const s = SIMULATORS[cart];
  if (!s) throw new Error(`unknown cart "${cart}"`);
  return s;
}
