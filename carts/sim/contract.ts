// The contract every cart simulator keeps: a local server that behaves like the cart's API, for the
// demo, the tests and the benchmark. Simulators are dev tools: no production module imports them.
import type { CartName } from '../../domain/order.js';
import type { RateLimits } from '../contract.js';
import type { RunningSimulator } from './kit.js';

export interface SimulatorOptions {
  /** Orders to generate (ignored with `fixturesDir`). */
  orders?: number;
  seed?: number;
  /** Orders are spread over [from, to] (default: the last 3 days). */
  from?: Date;
  to?: Date;
  /** Serve the cart's own response bodies from this folder instead of generated orders. */
  fixturesDir?: string;
  /** Credentials the simulator accepts (defaults: the cart's demo credentials). */
  credentials?: Record<string, string>;
  /** Enforce rate limits (default true) — the cart's documented ones unless `limits` overrides them. */
  rateLimits?: boolean;
  limits?: RateLimits;
  /** Clock of the simulated cart (tests); defaults to the real one. */
  clock?: () => Date;
  /** Add one new order every this many ms (demo: orders keep arriving). */
  trickleMs?: number;
}

export interface CartSimulator {
  cart: CartName;
  start(opts: SimulatorOptions & { port?: number; host?: string }): Promise<RunningSimulator>;
}
