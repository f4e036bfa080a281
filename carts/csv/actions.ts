// Writing to a CSV store: there is no API, so a shipment becomes rows of the cart's shipment-upload
// file (shipment-export.ts) appended to the day's file in the store's outbox folder, which an operator
// uploads in the cart's admin (RMS, ストアクリエイターPro, Seller Central). `done` means "in the file".
// A row already in one of the folder's files (an earlier attempt) is not written again: `already`.
// There is no cancel: no upload layout cancels an order.
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { jstDate } from '../../domain/time.js';
import {
  type ActionOutcome,
  type Carrier,
  type CartActions,
  carrierTable,
  refused,
  refuseUnknownCarriers,
  type ShipInput,
  type StockLevel,
  stockKey,
} from '../actions.js';
import type { AdapterOptions } from '../contract.js';
import { CartRequestError, CartUnavailableError } from '../errors.js';
import { type CsvCredentials, inboxDirOf } from './client.js';
import { parseCsvSettings } from './parse.js';
import {
  readShipmentFile,
  renderShipmentFile,
  rowLine,
  SHIPMENT_LAYOUT_LABELS,
  SHIPMENT_LAYOUT_SPECS,
  SHIPMENT_LAYOUTS,
  type ShipmentLayout,
  shipmentRows,
} from './shipment-export.js';
import { STOCK_LAYOUTS, writeStockFile } from './stock-export.js';

/** The write side's own settings of a CSV store (the rest are the inbox's, parse.ts). */
export const csvShipmentSettingsSchema = z.object({
  /** Which cart's upload file to write; default from `preset` (rakuten, yahoo). */
  shipmentLayout: z.enum(SHIPMENT_LAYOUTS).optional(),
  /** Where the files go; default `<inbox>/shipments` (the inbox reads only its own top level). */
  outboxDir: z.string().min(1).optional(),
  /** 在庫: which cart's stock upload file to write (default: the shipment layout); folder `<inbox>/stock` unless stockDir. */
  stockLayout: z.enum(STOCK_LAYOUTS).optional(),
  stockDir: z.string().min(1).optional(),
});

/** The layout a store's files use: its setting, else its order files' preset where one matches. */
export function shipmentLayoutOf(settings: Record<string, unknown> | undefined): ShipmentLayout | null {
  const own = csvShipmentSettingsSchema.safeParse(settings ?? {});
  if (own.success && own.data.shipmentLayout) return own.data.shipmentLayout;
  const preset = settings?.preset;
  return preset === 'rakuten' || preset === 'yahoo' ? preset : null;
}

/**
 * Appends shipment rows to the day's file of `layout` in `dir` (`<layout>-shipments-YYYYMMDD.csv`,
 * `.txt` for Amazon), writing the header when the file is new. Rows already in any of the folder's
 * files of this layout are skipped, so an attempt repeated after a lost answer writes nothing twice.
 * Returns the file name and how many rows were written. The outbox job may call it directly.
 */
export async function appendShipmentRows(
  dir: string,
  layout: ShipmentLayout,
  rows: readonly string[][],
  now: Date,
): Promise<{ file: string; written: number; skipped: number }> {
  const spec = SHIPMENT_LAYOUT_SPECS[layout];
  const file = `${layout}-shipments-${jstDate(now).replace(/-/g, '')}.${spec.extension}`;
  try {
    await mkdir(dir, { recursive: true });
    const existing = new Set<string>();
    for (const name of await readdir(dir))
      if (name.startsWith(`${layout}-shipments-`))
        for (const line of readShipmentFile(layout, await readFile(join(dir, name)))) existing.add(line);
    const fresh = rows.filter((r) => !existing.has(rowLine(layout, r)));
    if (fresh.length === 0) return { file, written: 0, skipped: rows.length };
    // The header goes with the first rows, in one write to a file created here (`wx`); later rows
    // are one O_APPEND write each, which concurrent workers cannot interleave within.
    let handle = await open(join(dir, file), 'wx').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return null;
      throw e;
    });
    const withHeader = handle !== null;
    handle ??= await open(join(dir, file), 'a');
    try {
      await handle.write(renderShipmentFile(layout, fresh, withHeader));
    } finally {
      await handle.close();
    }
    return { file, written: fresh.length, skipped: rows.length - fresh.length };
  } catch (e) {
    // An unmounted share or a full disk: worth trying again later, as an unreadable inbox is.
    throw new CartUnavailableError(
      `cannot write the shipment file in ${dir}: ${(e as Error).message}`,
      'csv',
      null,
      { cause: e },
    );
  }
}

export class CsvShipmentActions implements CartActions {
  readonly cart = 'csv' as const;
  private readonly code: (carrier: Carrier) => string | null;

  constructor(
    private readonly layout: ShipmentLayout | null,
    private readonly dir: string,
    settings: Record<string, unknown> | undefined,
    private readonly now: () => Date,
  ) {
    this.code = carrierTable(layout ? SHIPMENT_LAYOUT_SPECS[layout].carriers : {}, settings);
  }

  carrierCode(carrier: Carrier): string | null {
    return this.code(carrier);
  }

  async ship(input: ShipInput): Promise<ActionOutcome> {
    if (!this.layout)
      return refused(
        'NO_SHIPMENT_LAYOUT',
        `注文 ${input.cartOrderNo}: このCSVストアの出荷ファイルの形式が決まっていません。ストア設定の shipmentLayout に rakuten、yahoo、amazon のいずれかを設定してください。`,
      );
    const unknown = refuseUnknownCarriers(this, input);
    if (unknown) return unknown;
    const built = shipmentRows(this.layout, input, this.code);
    if (!built.ok)
      return refused(
        built.code,
        built.message.startsWith('注文') ? built.message : `注文 ${input.cartOrderNo}: ${built.message}`,
      );
    const { file, written } = await appendShipmentRows(this.dir, this.layout, built.rows, this.now());
    const label = SHIPMENT_LAYOUT_LABELS[this.layout];
    if (written === 0)
      return { status: 'already', answer: `出荷ファイルに記載済み（${label}）`, cartRefs: { file } };
    return {
      status: 'done',
      answer: `${label} ${file} に ${written} 行を追記しました。カートの管理画面でアップロードしてください。`,
      cartRefs: { file },
    };
  }
}

export function createCsvActions(
  opts: AdapterOptions<CsvCredentials>,
): CsvShipmentActions & Required<Pick<CartActions, 'setStock' | 'stockBatch'>> {
  const settings = opts.settings ?? {};
  const parsed = csvShipmentSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CartRequestError(`csv settings: ${issue.path.join('.')}: ${issue.message}`, 'csv');
  }
  const own = parsed.data;
  const inbox = inboxDirOf(opts.baseUrl, parseCsvSettings(settings));
  const dir = own.outboxDir ?? join(inbox, 'shipments');
  const now = opts.now ?? (() => new Date());
  const actions = new CsvShipmentActions(shipmentLayoutOf(settings), dir, settings, now);
  const stockLayout = own.stockLayout ?? shipmentLayoutOf(settings);
  const stockDir = own.stockDir ?? join(inbox, 'stock');
  return Object.assign(actions, {
    stockBatch: 10_000,
    setStock: async (levels: StockLevel[]): Promise<Map<string, ActionOutcome>> => {
      if (!stockLayout)
        return new Map(
          levels.map((l) => [
            stockKey(l),
            refused(
              'NO_STOCK_LAYOUT',
              'このCSVストアの在庫ファイルの形式が決まっていません。ストア設定の stockLayout に rakuten、yahoo、amazon のいずれかを設定してください。',
            ),
          ]),
        );
      return writeStockFile(stockDir, stockLayout, levels, now());
    },
  });
}
