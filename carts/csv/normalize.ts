// CSV raw order (the rows of one order number) → CartOrder. Pure. Order-level columns repeat on every
// row, so they are read from the first; each item row is a line; rows are grouped into packages by
// 送付先ID / 出荷ID, or by their ship-to address where the file has no package column. A bad cell
// is a rejection naming the field, the column and the spreadsheet row.
import { z } from 'zod';
import { includedTax, toMinorUnits } from '../../domain/money.js';
import type { CartOrder, CartOrderLine, Package, Party, TaxRate } from '../../domain/order.js';
import { toJstIso } from '../../domain/time.js';
import type { NormalizeResult, RawOrder } from '../contract.js';
import { FieldError, MAX_QUANTITY, normalizeSafely, parseRecord } from '../normalize-kit.js';
import { LAYOUT_RULES, NO_STATUS, taxIncludedFlag } from './codes.js';
import { joinDateTime, parseCsvDate, parseCsvDateTime } from './dates.js';
import { CSV_FIELDS, CSV_PRESETS, type CsvField, type PartyRole } from './layouts.js';
import type { CsvOrderPayload } from './parse.js';

const PayloadSchema = z.object({
  file: z.string(),
  preset: z.enum([...CSV_PRESETS, 'custom', 'generic']),
  columns: z.partialRecord(z.enum(CSV_FIELDS), z.array(z.string())),
  rows: z.array(z.record(z.string(), z.string())).min(1),
  rowNumbers: z.array(z.number().int()),
  dateFormat: z.string().nullable(),
  taxIncluded: z.boolean().nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/),
}) satisfies z.ZodType<CsvOrderPayload>;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Cells of one order's rows by field: the first non-empty cell among the field's headers. */
class OrderRows {
  constructor(readonly p: CsvOrderPayload) {}

  cell(i: number, f: CsvField): { value: string; header: string } | null {
    for (const header of this.p.columns[f] ?? []) {
      const value = this.p.rows[i]?.[header];
      if (value !== undefined && value.trim() !== '') return { value, header };
    }
    return null;
  }

  text(i: number, f: CsvField): string | null {
    return this.cell(i, f)?.value.trim().replace(/\r\n?/g, '\n') ?? null;
  }

  has(f: CsvField): boolean {
    return (this.p.columns[f]?.length ?? 0) > 0;
  }

  where(i: number): string {
    return `row ${this.p.rowNumbers[i] ?? '?'} of ${this.p.file}`;
  }

  /**
   * Converts a cell; a failure names the field, the column (and the `also` columns the conversion
   * read, e.g. 注文時間 next to 注文日) and the row. Empty → null.
   */
  read<T>(
    i: number,
    f: CsvField,
    name: string,
    convert: (value: string) => T,
    also: CsvField[] = [],
  ): T | null {
    const c = this.cell(i, f);
    if (!c) return null;
    try {
      return convert(c.value);
    } catch (e) {
      const headers = [c.header, ...also.map((a) => this.cell(i, a)?.header)].filter(Boolean).join(' + ');
      throw new FieldError(`${name} (${headers})`, `${this.where(i)}: ${message(e)}`);
    }
  }

  need<T>(
    i: number,
    f: CsvField,
    name: string,
    convert: (value: string) => T,
    also: CsvField[] = [],
  ): NonNullable<T> {
    const v = this.read(i, f, name, convert, also);
    if (v === null || v === undefined)
      throw new FieldError(`${name} (${(this.p.columns[f] ?? [f]).join(' / ')})`, `${this.where(i)}: empty`);
    return v;
  }
}

function quantityOf(text: string): number {
  const v = text.normalize('NFKC').replace(/[,\s]/g, '');
  if (!/^\d+$/.test(v)) throw new Error(`not a whole number: ${JSON.stringify(text)}`);
  const n = Number(v);
  if (n <= 0 || n > MAX_QUANTITY) throw new Error(`quantity ${JSON.stringify(text)} is out of range`);
  return n;
}

/** `10`, `8%`, `0.08` (the API's form), `１０％` → 10 / 8 / 0. */
function taxRateOf(text: string): TaxRate {
  const v = text.normalize('NFKC').replace(/[%\s]/g, '');
  if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`not a tax rate: ${JSON.stringify(text)}`);
  let n = Number(v);
  if (n > 0 && n < 1) n = Math.round(n * 100);
  if (n === 0 || n === 8 || n === 10) return n;
  throw new Error(`unsupported tax rate ${JSON.stringify(text)}`);
}

function postalCode(text: string): string {
  const v = text.normalize('NFKC').replace(/[〒\s]/g, '');
  return /^\d{7}$/.test(v) ? `${v.slice(0, 3)}-${v.slice(3)}` : v;
}

function joined(parts: Array<string | null>, sep: string): string | null {
  const present = parts.filter((p): p is string => p !== null);
  return present.length ? present.join(sep) : null;
}

function partyOf(r: OrderRows, i: number, role: PartyRole): Party {
  const t = (part: string) => r.text(i, `${role}${part}` as CsvField);
  const city = t('City');
  const street = t('Address1');
  // Three-part layouts (Yahoo: City, Address1, Address2) keep the building in address2; two-part
  // ones (Rakuten: 郡市区 + それ以降の住所) put the rest of the address there, like the Rakuten API.
  const [address1, address2] = r.has(`${role}Address2`)
    ? [joined([city, street], ''), t('Address2')]
    : city
      ? [city, street]
      : [street, null];
  const zip = t('PostalCode') ?? joined([t('PostalCode1'), t('PostalCode2')], '-');
  const phone = t('Phone') ?? joined([t('Phone1'), t('Phone2'), t('Phone3')], '-');
  return splitPrefecture({
    name: t('Name') ?? joined([t('FamilyName'), t('GivenName')], ' '),
    kana: t('Kana') ?? joined([t('FamilyKana'), t('GivenKana')], ' '),
    email: t('Email'),
    phone: phone === null ? null : phone.normalize('NFKC'),
    postalCode: zip === null ? null : postalCode(zip),
    prefecture: t('Prefecture'),
    address1,
    address2,
  });
}

const PREFECTURES =
  '北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県'.split(
    ' ',
  );

/** A layout with one address column (東京都千代田区…): the prefecture is split off its start. */
function splitPrefecture(p: Party): Party {
  if (p.prefecture !== null || p.address1 === null) return p;
  const pref = PREFECTURES.find((x) => p.address1!.startsWith(x));
  if (!pref) return p;
  return { ...p, prefecture: pref, address1: p.address1.slice(pref.length).trim() || null };
}

function isEmpty(p: Party): boolean {
  return Object.values(p).every((v) => v === null);
}

export function buildOrder(payload: unknown, store: string): CartOrder {
  const p = parseRecord(PayloadSchema, payload, 'payload');
  const r = new OrderRows(p);
  const rules = LAYOUT_RULES[p.preset];
  const money = (text: string): number | null => {
    const n = toMinorUnits(text.normalize('NFKC').replace(/[,\s¥円]/g, ''), p.currency);
    return n === rules.unknownMoney ? null : n;
  };
  const dateTime = (text: string) => parseCsvDateTime(text, p.dateFormat);
  const instant = (f: CsvField, name: string) => {
    const d = r.read(0, f, name, dateTime);
    return d ? toJstIso(d) : null;
  };

  const cartOrderNo = r.need(0, 'cartOrderNo', 'cartOrderNo', (s) => s.trim());
  // 注文日時, or Rakuten's separate 注文日 + 注文時間.
  const orderedAt = r.has('orderDate')
    ? (r.read(0, 'orderedAt', 'orderedAt', dateTime) ??
      r.need(0, 'orderDate', 'orderedAt', (d) => dateTime(joinDateTime(d, r.text(0, 'orderTime'))), [
        'orderTime',
      ]))
    : r.need(0, 'orderedAt', 'orderedAt', dateTime);
  const status = r.text(0, 'status');
  const statusCode = r.text(0, 'statusCode');

  const orderer = partyOf(r, 0, 'orderer');
  const packages: Package[] = [];
  const packageNos = new Map<string, number>();
  const lines: CartOrderLine[] = [];
  p.rows.forEach((_, i) => {
    if (!rules.isItemRow(r.text(i, 'lineKind'))) return;
    const at = `lines[${lines.length}]`;
    // A row without any ship-to cells (or a file without ship-to columns) ships to the orderer.
    const given = partyOf(r, i, 'shipTo');
    const shipTo = isEmpty(given) ? orderer : given;
    const key = r.text(i, 'packageId') ?? JSON.stringify(shipTo);
    let packageNo = packageNos.get(key);
    if (packageNo === undefined) {
      packageNo = packages.length + 1;
      packageNos.set(key, packageNo);
      packages.push({ packageNo, shipTo });
    }
    const quantity = r.need(i, 'quantity', `${at}.quantity`, quantityOf);
    const unitPrice = r.need(i, 'unitPrice', `${at}.unitPrice`, money);
    const taxRate = r.read(i, 'taxRate', `${at}.taxRate`, taxRateOf);
    const taxIncluded =
      r.read(i, 'taxIncluded', `${at}.taxIncluded`, taxIncludedFlag) ??
      p.taxIncluded ??
      rules.taxIncludedByDefault;
    lines.push({
      packageNo,
      cartProductCode: r.need(i, 'sku', `${at}.cartProductCode`, (s) => s.trim()),
      cartOptionCode: joined([r.text(i, 'optionCode'), r.text(i, 'optionCode2')], '/'),
      name: r.need(i, 'itemName', `${at}.name`, (s) => s.trim()),
      quantity,
      unitPrice,
      taxIncluded,
      taxRate,
      // Tax inside a tax-included price is the usual 切り捨て; for tax-excluded prices the shop's own
      // rounding rule decides and the file does not say it, so the amount is left unknown.
      taxAmount: taxRate !== null && taxIncluded ? includedTax(unitPrice * quantity, taxRate) : null,
    });
  });
  if (lines.length === 0) throw new FieldError('lines', `no item rows for the order in ${p.file}`);

  const paymentFee = r.read(0, 'paymentFee', 'payment.fee', money);
  const shippingFee = r.read(0, 'shippingFee', 'delivery.fee', money);
  return {
    store,
    cart: 'csv',
    cartOrderNo,
    cartStatus: status ?? statusCode ?? NO_STATUS,
    cancelledInCart: rules.cancelled(status, statusCode),
    orderedAt: toJstIso(orderedAt),
    cartUpdatedAt: instant('updatedAt', 'cartUpdatedAt'),
    currency: p.currency,
    customerRemarks: r.text(0, 'remarks'),
    internalComment: r.text(0, 'internalComment'),
    orderer,
    shipTo: packages[0]!.shipTo,
    packages,
    lines,
    delivery: {
      requestedDate: r.read(0, 'requestedDate', 'delivery.requestedDate', (s) =>
        parseCsvDate(s, p.dateFormat),
      ),
      timeSlot: r.read(0, 'timeSlot', 'delivery.timeSlot', rules.timeSlot),
      carrier: r.text(0, 'carrier'),
      method: r.text(0, 'deliveryMethod'),
      fee: shippingFee,
    },
    payment: {
      method: r.text(0, 'paymentMethod'),
      cardType: r.text(0, 'cardType'),
      fee: paymentFee,
      paidAt: instant('paidAt', 'payment.paidAt'),
    },
    totals: {
      goods: r.read(0, 'goodsTotal', 'totals.goods', money),
      shipping: shippingFee,
      fees: paymentFee,
      discount: r.read(0, 'discount', 'totals.discount', money),
      points: r.read(0, 'points', 'totals.points', money),
      tax: r.read(0, 'taxTotal', 'totals.tax', money),
      total: r.read(0, 'total', 'totals.total', money),
    },
  };
}

export function normalizeCsv(raw: RawOrder, store: string): NormalizeResult {
  return normalizeSafely(raw.cartOrderNo, () => buildOrder(raw.payload, store));
}
