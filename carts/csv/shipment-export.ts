// Shipment-upload files for stores without an API: the rows a cart's admin takes to mark orders
// shipped with their tracking numbers. Pure: a ShipInput (and the order's stored CSV record) → rows,
// rows → file bytes. The outbox side (actions.ts) appends them to a file in the store's outbox folder.
//
// Layouts (sources and what is unverified in README.md, checked 2026-12-02):
// - rakuten: RMS 発送完了報告データ（アップロード用）: 注文番号, 送付先ID, 発送明細ID, お荷物伝票番号,
//   配送会社 (code), 発送日 (yyyy-mm-dd) [T: a 2026 integration citing 店舗運営Navi 000038913]; CP932.
// - yahoo: ストアクリエイターPro 出荷情報: OrderId, ShipMethod, ShipCompanyCode, ShipInvoiceNumber1,
//   ShipDate, ShipStatus [T: a third-party exporter]; CP932 [I].
// - amazon: the shipment-confirmation flat file: order-id, order-item-id, quantity, ship-date,
//   carrier-code, carrier-name, tracking-number, ship-method [V: Seller Central help 641, start],
//   tab-separated UTF-8 [I].
import iconv from 'iconv-lite';
import { CARRIER_LABELS, type Carrier, type ShipInput, type ShipmentPackage } from '../actions.js';
import { AMAZON_CARRIER_CODES } from '../amazon/actions.js';
import { YAHOO_SHIP_COMPANY_CODES } from '../yahoo/actions.js';
import type { CsvOrderPayload } from './parse.js';

export const SHIPMENT_LAYOUTS = ['rakuten', 'yahoo', 'amazon'] as const;
export type ShipmentLayout = (typeof SHIPMENT_LAYOUTS)[number];

/** What the cart's admin calls the upload, for messages. */
export const SHIPMENT_LAYOUT_LABELS: Readonly<Record<ShipmentLayout, string>> = {
  rakuten: '楽天 発送完了報告CSV',
  yahoo: 'Yahoo! 出荷情報アップロードCSV',
  amazon: 'Amazon 出荷通知ファイル',
};

interface LayoutSpec {
  header: readonly string[];
  delimiter: ',' | '\t';
  encoding: 'cp932' | 'utf8';
  extension: 'csv' | 'txt';
  /** juchu's carriers → the layout's carrier code (a store may override them: `carrierCodes`). */
  carriers: Readonly<Partial<Record<Carrier, string>>>;
}

/** RMS deliveryCompany codes [V: updateOrderShipping's table, as rakuten/codes.ts keeps it]. */
const RAKUTEN_CARRIERS: Readonly<Record<Carrier, string>> = {
  yamato: '1001',
  sagawa: '1002',
  japanpost: '1003',
  seino: '1004',
  fukuyama: '1006',
  nittsu: '1021',
  other: '1000',
};

export const SHIPMENT_LAYOUT_SPECS: Readonly<Record<ShipmentLayout, LayoutSpec>> = {
  rakuten: {
    header: ['注文番号', '送付先ID', '発送明細ID', 'お荷物伝票番号', '配送会社', '発送日'],
    delimiter: ',',
    encoding: 'cp932',
    extension: 'csv',
    carriers: RAKUTEN_CARRIERS,
  },
  yahoo: {
    header: ['OrderId', 'ShipMethod', 'ShipCompanyCode', 'ShipInvoiceNumber1', 'ShipDate', 'ShipStatus'],
    delimiter: ',',
    encoding: 'cp932',
    extension: 'csv',
    carriers: YAHOO_SHIP_COMPANY_CODES,
  },
  amazon: {
    header: [
      'order-id',
      'order-item-id',
      'quantity',
      'ship-date',
      'carrier-code',
      'carrier-name',
      'tracking-number',
      'ship-method',
    ],
    delimiter: '\t',
    encoding: 'utf8',
    extension: 'txt',
    carriers: AMAZON_CARRIER_CODES,
  },
};

export type ShipmentRows = { ok: true; rows: string[][] } | { ok: false; code: string; message: string };

/** The record's cell for a field: the first non-empty of its headers. */
function cell(row: Record<string, string>, headers: readonly string[]): string {
  for (const h of headers) {
    const v = row[h];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return '';
}

const isPayload = (v: unknown): v is CsvOrderPayload =>
  typeof v === 'object' && v !== null && Array.isArray((v as CsvOrderPayload).rows);

/**
 * The upload rows of one shipment. `code(carrier)` is the store's carrier code in this layout (null:
 * unknown, refused by the caller before this runs).
 */
export function shipmentRows(
  layout: ShipmentLayout,
  input: ShipInput,
  code: (carrier: Carrier) => string | null,
): ShipmentRows {
  const p = isPayload(input.cartPayload) ? input.cartPayload : null;
  const rows = p?.rows ?? [];
  const no = input.cartOrderNo;
  const out: string[][] = [];
  for (const pkg of input.packages) {
    const carrierCode = code(pkg.carrier) ?? '';
    const number = pkg.trackingNumber.trim();
    if (layout === 'rakuten') {
      out.push([no, rakutenBasketId(p, pkg.packageNo), '', number, carrierCode, pkg.shippedOn]);
    } else if (layout === 'yahoo') {
      // The order's own ShipMethod (the store's postage code) when the file has it [I].
      const method = rows[0] ? cell(rows[0], ['ShipMethod']) : '';
      out.push([no, method, carrierCode, number, pkg.shippedOn.replace(/-/g, ''), '3']);
    } else {
      const items = amazonItems(p, pkg);
      if (!items.ok) return items;
      const name =
        carrierCode === 'Other'
          ? pkg.carrierName?.trim() || (pkg.carrier === 'other' ? '' : CARRIER_LABELS[pkg.carrier])
          : pkg.carrierName?.trim() || '';
      if (carrierCode === 'Other' && !name)
        return {
          ok: false,
          code: 'CARRIER_NAME_REQUIRED',
          message: `注文 ${no}: 配送会社が「その他」のときは配送会社名が必要です。`,
        };
      for (const it of items.items)
        out.push([
          no,
          it.orderItemId,
          String(it.quantity),
          pkg.shippedOn,
          carrierCode,
          carrierCode === 'Other' ? name : '',
          number,
          '',
        ]);
    }
  }
  return { ok: true, rows: out };
}

/**
 * 送付先ID of a package: the n-th distinct 送付先ID of the order's rows (the packages' order in
 * normalize.ts); blank — "送付先1 に新規登録" [T] — when the file has no such column.
 */
function rakutenBasketId(p: CsvOrderPayload | null, packageNo: number): string {
  const headers = p?.columns.packageId ?? [];
  const seen: string[] = [];
  for (const row of p?.rows ?? []) {
    const id = cell(row, headers);
    if (id && !seen.includes(id)) seen.push(id);
  }
  return seen[packageNo - 1] ?? '';
}

/** Amazon's file wants order-item-id per row: from the package's lines, or the record's column. */
function amazonItems(
  p: CsvOrderPayload | null,
  pkg: ShipmentPackage,
):
  | { ok: true; items: Array<{ orderItemId: string; quantity: number }> }
  | { ok: false; code: string; message: string } {
  const rows = p?.rows ?? [];
  const itemOf = (sku: string) =>
    rows.find((r) => cell(r, p?.columns.sku ?? ['sku']) === sku && cell(r, ['order-item-id']) !== '');
  const wanted =
    pkg.lines ??
    rows.map((r) => ({
      cartLineId: cell(r, ['order-item-id']) || null,
      cartProductCode: cell(r, p?.columns.sku ?? ['sku']),
      quantity: Number(cell(r, p?.columns.quantity ?? ['quantity-purchased', 'quantity']) || '0'),
    }));
  const items: Array<{ orderItemId: string; quantity: number }> = [];
  for (const l of wanted) {
    const id =
      l.cartLineId ?? (itemOf(l.cartProductCode) ? cell(itemOf(l.cartProductCode)!, ['order-item-id']) : '');
    if (!id)
      return {
        ok: false,
        code: 'ORDER_ITEM_UNKNOWN',
        message: `商品「${l.cartProductCode}」の order-item-id が注文データにありません（Amazon の注文レポートの order-item-id 列が必要です）。`,
      };
    if (l.quantity > 0) items.push({ orderItemId: id, quantity: l.quantity });
  }
  if (items.length === 0)
    return { ok: false, code: 'ORDER_ITEMS_MISSING', message: '出荷する商品（order-item-id）がありません。' };
  return { ok: true, items };
}

function quote(value: string, delimiter: string): string {
  if (delimiter === '\t') return value.replace(/[\t\r\n]/g, ' ');
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows (and the header, for a new file) as the layout's bytes: CRLF lines, its delimiter and charset. */
export function renderShipmentFile(
  layout: ShipmentLayout,
  rows: readonly string[][],
  withHeader: boolean,
): Buffer {
  const spec = SHIPMENT_LAYOUT_SPECS[layout];
  const lines = [...(withHeader ? [spec.header] : []), ...rows].map(
    (r) => `${r.map((v) => quote(v, spec.delimiter)).join(spec.delimiter)}\r\n`,
  );
  const text = lines.join('');
  return spec.encoding === 'cp932' ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8');
}

/** The lines of a shipment file as text (to find rows already written). */
export function readShipmentFile(layout: ShipmentLayout, bytes: Buffer): string[] {
  const spec = SHIPMENT_LAYOUT_SPECS[layout];
  const text = spec.encoding === 'cp932' ? iconv.decode(bytes, 'cp932') : bytes.toString('utf8');
  return text.split(/\r?\n/).filter((l) => l !== '');
}

/** One row as the file holds it (for comparing with what is there). */
export function rowLine(layout: ShipmentLayout, row: readonly string[]): string {
  const d = SHIPMENT_LAYOUT_SPECS[layout].delimiter;
  return row.map((v) => quote(v, d)).join(d);
}
