// 在庫 for a CSV store (issue 17): there is no API, so each push is a file in the cart's stock upload
// layout, written to the store's outbox folder (`<inbox>/stock` by default) for an operator (or a
// transfer tool) to upload in RMS, ストアクリエイターPro or Seller Central. `done` means "in the file".
// Layouts (column names dated 2026-12-02, none read on the carts' own pages — unverified [I]):
//  - rakuten: 商品管理番号（商品URL）, SKU管理番号, 在庫数 (the SKU-era item CSV's stock columns), cp932;
//  - yahoo: code, sub-code, quantity (quantity.csv of ストアクリエイターPro), cp932;
//  - amazon: sku, quantity (the inventory loader's two columns), tab-separated UTF-8.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { type ActionOutcome, type StockLevel, stockKey } from '../actions.js';
import { CartUnavailableError } from '../errors.js';

export const STOCK_LAYOUTS = ['rakuten', 'yahoo', 'amazon'] as const;
export type StockLayout = (typeof STOCK_LAYOUTS)[number];

const SPECS: Record<
  StockLayout,
  { header: string[]; row: (l: StockLevel) => string[]; sep: string; cp932: boolean; ext: string }
> = {
  rakuten: {
    header: ['商品管理番号（商品URL）', 'SKU管理番号', '在庫数'],
    row: (l) => [
      l.cartProductCode.toLowerCase(),
      (l.cartOptionCode ?? 'normal-inventory').toLowerCase(),
      String(l.quantity),
    ],
    sep: ',',
    cp932: true,
    ext: 'csv',
  },
  yahoo: {
    header: ['code', 'sub-code', 'quantity'],
    row: (l) => [
      l.cartProductCode,
      l.cartOptionCode ? `${l.cartProductCode}:${l.cartOptionCode}` : '',
      String(l.quantity),
    ],
    sep: ',',
    cp932: true,
    ext: 'csv',
  },
  amazon: {
    header: ['sku', 'quantity'],
    row: (l) => [
      l.cartOptionCode ? `${l.cartProductCode}-${l.cartOptionCode}` : l.cartProductCode,
      String(l.quantity),
    ],
    sep: '\t',
    cp932: false,
    ext: 'txt',
  },
};

const quote = (v: string, sep: string) =>
  sep === ',' && /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** The file's bytes: header and one row per item, CRLF. Pure. */
export function renderStockFile(layout: StockLayout, levels: readonly StockLevel[]): Buffer {
  const spec = SPECS[layout];
  const lines = [
    spec.header,
    ...levels.map((l) => spec.row({ ...l, quantity: Math.max(0, l.quantity) })),
  ].map((r) => r.map((v) => quote(v, spec.sep)).join(spec.sep));
  const text = `${lines.join('\r\n')}\r\n`;
  return spec.cp932 ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8');
}

/** Writes one push as its own file (written beside, then renamed: a reader never sees half a file). */
export async function writeStockFile(
  dir: string,
  layout: StockLayout,
  levels: readonly StockLevel[],
  now: Date,
): Promise<Map<string, ActionOutcome>> {
  const stamp = new Date(now.getTime() + 9 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const file = `${layout}-stock-${stamp}-${now.getTime() % 1000}.${SPECS[layout].ext}`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `.${file}`), renderStockFile(layout, levels));
    await rename(join(dir, `.${file}`), join(dir, file));
  } catch (e) {
    throw new CartUnavailableError(
      `cannot write the stock file in ${dir}: ${(e as Error).message}`,
      'csv',
      null,
      { cause: e },
    );
  }
  return new Map(
    levels.map((l) => [
      stockKey(l),
      {
        status: 'done',
        answer: `在庫ファイル ${file} に記載（${Math.max(0, l.quantity)}）。カートの管理画面でアップロードしてください。`,
        cartRefs: { file },
      },
    ]),
  );
}
