// Quantities typed by people (stock files, shipment files, mapping 入数, the CLI): decimal digits
// only. `Number()` would take `1e3` as 1000, ` 0x10` as 16, `1.5`, `-0` and `Infinity`; a stock file
// holding any of those is a typing or export mistake, never what was meant. Full-width digits
// (１２), which Japanese spreadsheets often hold, read as the same digits. Spaces around the
// number are ignored; inside it they are not.
export const QUANTITY_MAX = 1_000_000_000;

export type QuantityResult = { ok: true; value: number } | { ok: false; message: string };

export function parseQuantity(cell: string, opts: { min?: number; max?: number } = {}): QuantityResult {
  const min = opts.min ?? 0;
  const max = opts.max ?? QUANTITY_MAX;
  const s = cell.normalize('NFKC').trim();
  if (!/^[0-9]+$/.test(s))
    return {
      ok: false,
      message: `"${cell.slice(0, 40)}" は数量として読めません（0〜9 の数字だけで書いてください）`,
    };
  const value = Number(s);
  if (value < min) return { ok: false, message: `"${cell.trim()}" は ${min} 以上にしてください` };
  if (value > max)
    return { ok: false, message: `"${cell.trim()}" は大きすぎます（${max.toLocaleString('ja-JP')} まで）` };
  return { ok: true, value };
}
