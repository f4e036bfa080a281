// Cart tools: run a simulator, parse a recorded response.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cartModule } from '../carts/registry.js';
import { cartSimulator } from '../carts/sim/simulators.js';
import { CARTS, type CartName } from '../domain/order.js';
import { fail } from './runtime.js';

function cartArg(v: string): CartName {
  if (!(CARTS as readonly string[]).includes(v)) fail(`unknown cart "${v}" (${CARTS.join(', ')})`);
  return v as CartName;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerCartCommands(program: Command): void {
  program
    .command('simulate')
    .description(
      "Run a cart's local simulator: same paths, auth, paging, errors and rate limits as the real API",
    )
    .requiredOption('--cart <name>', CARTS.join(' | '))
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--fixtures <dir>', "serve the cart's own response bodies from this folder")
    .option('--orders <n>', 'orders to generate', '200')
    .option('--seed <s>', 'random seed', '1')
    .option('--days <n>', 'spread the orders over the last n days', '3')
    .option('--trickle-ms <ms>', 'add a new order every ms (0 = off)', '0')
    .action(
      async (o: {
        cart: string;
        port: string;
        host: string;
        fixtures?: string;
        orders: string;
        seed: string;
        days: string;
        trickleMs: string;
      }) => {
        const cart = cartArg(o.cart);
        const now = Date.now();
        const sim = await cartSimulator(cart).start({
          port: Number(o.port),
          host: o.host,
          fixturesDir: o.fixtures,
          orders: Number(o.orders),
          seed: Number(o.seed),
          from: new Date(now - Number(o.days) * 86_400_000),
          to: new Date(now),
          trickleMs: Number(o.trickleMs) || undefined,
        });
        const creds = cartModule(cart).demoCredentials;
        process.stdout.write(
          `${cart} simulator on ${sim.url}\n  orders: ${sim.book.size}${o.fixtures ? ` (from ${o.fixtures})` : ''}\n  accepts credentials: ${JSON.stringify(creds)}\n  control: GET ${sim.url}/__sim/stats, POST ${sim.url}/__sim/faults\n`,
        );
        const stop = async () => {
          await sim.stop();
          process.exit(0);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      },
    );

  program
    .command('parse')
    .description(
      'Print the normalized orders (spec JSON) of one recorded cart response, and rejections with reasons',
    )
    .requiredOption('--cart <name>', CARTS.join(' | '))
    .requiredOption(
      '--file <f>',
      'a recorded response body (getOrder, getOrders, searchOrders, orders.json or a Shopify GraphQL orders answer, orderInfo, or an order CSV)',
    )
    .option(
      '--items <f>',
      'Amazon Orders v0: a getOrderItems body (repeatable); a 2026-01-01 searchOrders body has its items inline',
      collect,
      [],
    )
    .option('--store <code>', 'store code to put on the orders', 'parsed')
    .option('--preset <name>', 'CSV: rakuten | yahoo | ec-cube')
    .action(async (o: { cart: string; file: string; items: string[]; store: string; preset?: string }) => {
      const mod = cartModule(cartArg(o.cart));
      const body = await readFile(o.file).catch(() => fail(`cannot read ${o.file}`));
      const items = await Promise.all(o.items.map((f) => readFile(f)));
      let raws: ReturnType<typeof mod.rawOrdersFromRecorded>;
      try {
        raws = mod.rawOrdersFromRecorded(body, {
          items,
          settings: o.preset ? { preset: o.preset } : undefined,
        });
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
      const orders: unknown[] = [];
      const rejections: unknown[] = [];
      for (const raw of raws) {
        const r = mod.normalize(raw, o.store);
        if (r.ok) orders.push(r.order);
        else rejections.push({ cartOrderNo: r.cartOrderNo, field: r.field, reason: r.message });
      }
      process.stdout.write(`${JSON.stringify({ orders, rejections }, null, 2)}\n`);
      if (rejections.length && !orders.length) process.exitCode = 2;
    });
}
