// The rules of a product master row (商品マスタ), pure: what a code, a name, a JAN/barcode, a tax rate
// and the 要修正 flag with its note may be. The screen, the CLI, the admin API and the CSV import all
// check through here, so a row refused in one is refused in all, with the same Japanese words.

export const TAX_RATES = [10, 8] as const;
export type TaxRate = (typeof TAX_RATES)[number];

export interface ProductFields {
  code: string;
  name: string;
  /** JAN / barcode digits, or null. */
  jan: string | null;
  taxRate: TaxRate;
  needsCheck: boolean;
  needsCheckNote: string | null;
  active: boolean;
}

export type ProductField = keyof ProductFields;

/** The column names operators read (screens, CSV headers, error lines). */
export const PRODUCT_FIELD_LABELS: Readonly<Record<ProductField, string>> = {
  code: '商品コード',
  name: '商品名',
  jan: 'JAN',
  taxRate: '税率',
  needsCheck: '要修正',
  needsCheckNote: '要修正メモ',
  active: '有効',
};

export interface FieldError {
  field: ProductField;
  message: string;
}

// Cart codes are resolved against the master as they are (db/products.ts resolveProducts), so a
// code may look like a cart's: letters, digits, '-', '_' and '.', no spaces.
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_MAX = 200;
export const NOTE_MAX = 500;
/** Control characters (tabs and newlines too, unless `newlines`) do not belong in a name or a note. */
function hasControl(text: string, newlines = false): boolean {
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if ((c < 0x20 || c === 0x7f) && !(newlines && c === 0x0a)) return true;
  }
  return false;
}

export function checkCode(code: string): string | null {
  if (code === '') return '入力してください';
  if (!CODE.test(code))
    return '英数字と - _ . だけで、64 文字以内にしてください（先頭は英数字、空白は使えません）';
  return null;
}

/** The GS1 check digit (mod 10, weights 3 and 1 from the right) of the digits before it. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A JAN (8 or 13 digits) or another GS1 barcode (UPC-A 12, GTIN-14): digits only, the last one the
 * check digit. Null when it is good, else why not.
 */
export function checkJan(jan: string): string | null {
  if (/^\d(\.\d+)?E\+\d+$/i.test(jan))
    return '指数表記になっています（表計算ソフトで列を文字列にして保存し直してください）';
  if (!/^\d+$/.test(jan)) return '数字だけで入力してください';
  if (![8, 12, 13, 14].includes(jan.length))
    return `桁数が違います（JAN は 8 桁か 13 桁。入力は ${jan.length} 桁）`;
  const want = gs1CheckDigit(jan.slice(0, -1));
  if (Number(jan.slice(-1)) !== want) return `チェックデジットが違います（最後の桁は ${want} のはずです）`;
  return null;
}

export function isTaxRate(n: unknown): n is TaxRate {
  return n === 10 || n === 8;
}

/** Checks a whole row; the errors name each field at fault (empty when the row is good). */
export function checkProduct(p: ProductFields): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: ProductField, message: string | null) => {
    if (message) errors.push({ field, message });
  };
  add('code', checkCode(p.code));
  if (p.name.trim() === '') add('name', '入力してください');
  else if (p.name.length > NAME_MAX) add('name', `${NAME_MAX} 文字以内にしてください`);
  else if (hasControl(p.name)) add('name', '改行やタブなどの制御文字は使えません');
  if (p.jan !== null) add('jan', checkJan(p.jan));
  if (!isTaxRate(p.taxRate)) add('taxRate', '10 か 8 にしてください');
  if (p.needsCheckNote !== null && p.needsCheckNote.length > NOTE_MAX)
    add('needsCheckNote', `${NOTE_MAX} 文字以内にしてください`);
  else if (p.needsCheckNote !== null && hasControl(p.needsCheckNote, true))
    add('needsCheckNote', '制御文字は使えません');
  return errors;
}

/** "10", "10%", "１０％" → 10; "8" → 8; anything else → null. */
export function parseTaxRate(text: string): TaxRate | null {
  const t = toHalfWidth(text).replace(/\s|%/g, '');
  const n = /^\d+$/.test(t) ? Number(t) : Number.NaN;
  return isTaxRate(n) ? n : null;
}

const YES = new Set(['1', 'true', 'yes', 'y', 'on', 'はい', '○', '〇', '要修正', '有効', 'する']);
const NO = new Set(['0', 'false', 'no', 'n', 'off', 'いいえ', '×', '-', '無効', 'しない', 'なし']);

/** A yes/no cell of a CSV: 1/0, true/false, はい/いいえ, ○/×, … ; null when it is neither. */
export function parseFlag(text: string): boolean | null {
  const t = toHalfWidth(text).trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return null;
}

/** Full-width digits and ％ (typed with the Japanese IME) as ASCII. */
export function toHalfWidth(text: string): string {
  return text.replace(/[０-９％]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();
}

/** What changed between a product as stored and as asked for (the import's dry run shows it). */
export function changedFields(before: ProductFields, after: ProductFields): ProductField[] {
  return (Object.keys(PRODUCT_FIELD_LABELS) as ProductField[]).filter((f) => before[f] !== after[f]);
}
