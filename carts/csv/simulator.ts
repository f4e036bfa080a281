// A CSV "cart" to import from: there is no API, so the simulator plays the shop that downloads order
// exports into the store's inbox. It writes Rakuten order CSVs (CP932, CRLF) of seeded orders, one file
// per order day at start, a new small file for every order placed later (trickle, POST /__sim/orders)
// and for every cart-side change (POST /__sim/orders/:no/cancel …: a re-export showing the new state).
// The kit's HTTP server serves the /__sim control API; the simulator's `url` is the inbox (file://).
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jstDate, toJstIso } from '../../domain/time.js';
import type { CartSimulator, SimulatorOptions } from '../sim/contract.js';
import {
  type SimEventKind,
  type SimLine,
  type SimOrder,
  type SimOrderView,
  viewAt,
} from '../sim/generate.js';
import {
  type CartBehaviour,
  createSimState,
  OrderBook,
  type RunningSimulator,
  type SimState,
  startSimulator,
  takeMalformed,
} from '../sim/kit.js';
import { rakutenCsvOrderNo, renderRakutenCsv } from './render.js';

const DAY_MS = 86_400_000;

export interface RunningCsvSimulator extends RunningSimulator {
  /** The folder the order files are written to (also `url`, as a file:// URL). */
  inboxDir: string;
  /** The /__sim control API of the kit's HTTP server. */
  controlUrl: string;
  /** Writes one more export file with the current state of these orders (default: all visible). */
  exportNow(cartOrderNos?: readonly string[]): string | null;
}

/** An order book whose new orders and cart-side changes are exported at once. */
class ExportingOrderBook extends OrderBook {
  onChange: ((views: SimOrderView[]) => void) | null = null;

  override placeNow(lines?: SimLine[]): SimOrder {
    const o = super.placeNow(lines);
    this.onChange?.([viewAt(o, this.clock())]);
    return o;
  }

  override happen(
    cartOrderNo: string,
    kind: SimEventKind,
    detail?: Parameters<OrderBook['happen']>[2],
  ): SimOrderView | null {
    const view = super.happen(cartOrderNo, kind, detail);
    if (view) this.onChange?.([view]);
    return view;
  }
}

/** Writes export files atomically (a dot-file renamed into place), named and dated by export time. */
class InboxWriter {
  private count = 0;
  constructor(
    readonly dir: string,
    private readonly state: SimState,
    private readonly cartOrderNoOf: (o: SimOrder) => string,
  ) {}

  write(views: readonly SimOrderView[], exportedAt: Date): string | null {
    if (views.length === 0) return null;
    const stamp = toJstIso(exportedAt).slice(0, 19).replace(/\D/g, '');
    const name = `rakuten-orders-${stamp}-${String(++this.count).padStart(4, '0')}.csv`;
    const body = renderRakutenCsv(views, this.cartOrderNoOf, () => takeMalformed(this.state));
    const tmp = join(this.dir, `.${name}.tmp`);
    writeFileSync(tmp, body);
    // The adapter reads oldest first by modification time: date the file by its export time.
    utimesSync(tmp, exportedAt, exportedAt);
    renameSync(tmp, join(this.dir, name));
    this.state.stats.byRoute.export = (this.state.stats.byRoute.export ?? 0) + 1;
    return name;
  }
}

const behaviour: CartBehaviour = {
  cart: 'csv',
  // There are no cart routes to fail; the kit only calls these for routes.
  serverErrorReply: (status) => ({ status, body: { error: 'not an API' } }),
  rateLimitReply: () => ({ status: 429, body: { error: 'not an API' } }),
  cartOrderNo: (o) => rakutenCsvOrderNo(o),
};

export interface CsvSimulator extends CartSimulator {
  start(opts: SimulatorOptions & { port?: number; host?: string }): Promise<RunningCsvSimulator>;
}

export const csvSimulator: CsvSimulator = {
  cart: 'csv',
  async start(opts: SimulatorOptions & { port?: number; host?: string }): Promise<RunningCsvSimulator> {
    const clock = opts.clock ?? (() => new Date());
    const ownDir = !opts.fixturesDir;
    const inboxDir = opts.fixturesDir ?? (await mkdtemp(join(tmpdir(), 'juchu-csv-inbox-')));
    await mkdir(inboxDir, { recursive: true });
    const state = createSimState();
    const book = new ExportingOrderBook(opts.seed ?? 1, rakutenCsvOrderNo, { multiPackageShare: 0.1 }, clock);
    const writer = new InboxWriter(inboxDir, state, rakutenCsvOrderNo);
    const to = opts.to ?? clock();
    book.load(opts.orders ?? 30, opts.from ?? new Date(to.getTime() - 3 * DAY_MS), to);

    // One export per order day, as a shop downloading each day's orders would have.
    const byDay = new Map<string, SimOrderView[]>();
    for (const v of book.visible()) {
      const day = jstDate(v.orderedAt);
      byDay.set(day, [...(byDay.get(day) ?? []), v]);
    }
    for (const views of byDay.values()) writer.write(views, views[views.length - 1]!.orderedAt);
    book.onChange = (views) => writer.write(views, clock());

    const running = await startSimulator({
      state,
      routes: [],
      behaviour,
      book,
      port: opts.port ?? 0,
      host: opts.host,
      trickleMs: opts.trickleMs,
    });
    return {
      ...running,
      url: pathToFileURL(inboxDir).href,
      inboxDir,
      controlUrl: running.url,
      exportNow(cartOrderNos) {
        const wanted = cartOrderNos ? new Set(cartOrderNos) : null;
        const views = book.visible().filter((v) => !wanted || wanted.has(book.cartOrderNo(v)));
        return writer.write(views, clock());
      },
      async stop() {
        book.onChange = null;
        await running.stop();
        if (ownDir) await rm(inboxDir, { recursive: true, force: true });
      },
    };
  },
};
