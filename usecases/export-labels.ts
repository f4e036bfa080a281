// Operation: one carrier's label file for a 出荷バッチ, in the layout the carrier's software imports
// (domain/labels/), Shift_JIS. Built from the batch's date and the orders' stored facts only — never
// the clock — so exporting the same batch twice gives the same bytes; each export is logged with its
// hash, and a file that differs from the last one says so (an order changed or was cancelled).
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { batchExports, batchOrderIds, findBatch, logExport } from '../db/shipping-batches.js';
import { carrierOf, loadShippingOrders, type ShippingOrder } from '../db/shipping-orders.js';
import { labelSender, readShippingSettings, type ShippingSettings } from '../db/shipping-settings.js';
import { isCod, type LabelCarrier, orderSizeClass } from '../domain/carrier-rules.js';
import { CARRIER_LABELS } from '../domain/carriers.js';
import {
  type LabelFile,
  type LabelPackage,
  type LabelWarning,
  postal,
  renderCsv,
} from '../domain/labels/common.js';
import { layoutFor } from '../domain/labels/index.js';
import { RuleRefusal } from '../domain/refusal.js';
import { S } from '../domain/statuses.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface LabelExport {
  fileName: string;
  bytes: Buffer;
  layout: { id: string; name: string };
  carrier: LabelCarrier;
  sha256: string;
  orders: number;
  rows: number;
  warnings: LabelWarning[];
  /** Packages of this carrier's orders that are not in the file, each with why. */
  refused: LabelWarning[];
  /** The batch's other orders: another carrier, none yet, or cancelled. */
  others: Array<{ orderNo: string; reason: string }>;
  /** True when an earlier export of this batch and carrier had other bytes. */
  changedSinceLast: boolean;
}

/**
 * Characters Shift_JIS (CP932) writes under another code point: the same mark in CP932's own form.
 * Anything else CP932 cannot hold becomes 〓 (the usual stand-in) with a warning.
 */
const CP932_FORMS: Readonly<Record<string, string>> = {
  '\u301c': '\uff5e', // 〜 wave dash → ～
  '\u2212': '\uff0d', // − minus → －
  '\u2016': '\u2225', // ‖ → ∥
  '\u00a2': '\uffe0',
  '\u00a3': '\uffe1',
  '\u00ac': '\uffe2',
  '\u2014': '\u2015', // — em dash → ―
  '\u00a0': ' ',
};

function encodable(ch: string): boolean {
  return iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') === ch;
}

/** CP932 bytes of the file; unwritable characters replaced, naming the order. */
function encodeFile(file: LabelFile, orderNos: readonly string[], warnings: LabelWarning[]): Buffer {
  const fixRow = (row: string[], orderNo: string | null) =>
    row.map((cell) => {
      let out = '';
      for (const raw of cell) {
        const ch = CP932_FORMS[raw] ?? raw;
        if (encodable(ch)) out += ch;
        else {
          out += '〓';
          if (orderNo)
            warnings.push({ orderNo, message: `Shift_JIS で書けない文字「${raw}」を「〓」にしました` });
        }
      }
      return out;
    });
  const text = renderCsv(file);
  if (iconv.decode(iconv.encode(text, 'cp932'), 'cp932') === text) return iconv.encode(text, 'cp932');
  return iconv.encode(
    renderCsv({
      header: file.header ? fixRow([...file.header], null) : null,
      rows: file.rows.map((r, i) => fixRow(r, orderNos[i] ?? null)),
    }),
    'cp932',
  );
}

function senderMissing(s: ShippingSettings): string | null {
  const missing = [
    !s.sender.postalCode && '郵便番号',
    !s.sender.phone && '電話番号',
    !s.sender.address1 && '住所',
  ].filter(Boolean);
  return missing.length
    ? `店舗「${s.storeName}」のご依頼主（${missing.join('・')}）が配送設定にありません。配送設定で登録してください`
    : null;
}

/** The label rows of one order: a package per 配送先; 代引 on the first. */
function packagesOf(
  o: ShippingOrder,
  method: string | null,
  cod: boolean,
  refused: LabelWarning[],
): LabelPackage[] {
  const out: LabelPackage[] = [];
  let codAmount: number | null = null;
  let codTax: number | null = null;
  if (cod) {
    if (!o.grandTotal || o.grandTotal <= 0) {
      refused.push({ orderNo: o.orderNo, message: '代引ですが請求金額（合計）がありません' });
      return [];
    }
    codAmount = o.grandTotal;
    // 内消費税: the order's tax when the cart gives it, else 10/110 of the amount.
    codTax = Math.min(codAmount, Math.max(0, o.taxTotal ?? Math.floor((codAmount * 10) / 110)));
  }
  for (const p of o.packages) {
    const to = p.shipTo;
    if (!to?.name || !to.address1 || !postal(to.postalCode ?? '').includes('-')) {
      refused.push({
        orderNo: o.orderNo,
        message: `荷物${p.packageNo}: 送付先の氏名・郵便番号・住所がそろっていません`,
      });
      continue;
    }
    out.push({
      orderId: o.id,
      orderNo: o.orderNo,
      cartOrderNo: o.cartOrderNo,
      packageNo: p.packageNo,
      shipTo: {
        name: to.name,
        phone: to.phone ?? '',
        postalCode: to.postalCode ?? '',
        prefecture: to.prefecture,
        address1: to.address1,
        address2: to.address2 ?? '',
      },
      items: p.lines.map((l) => ({ name: l.name, quantity: l.quantity })),
      parcels: o.parcels,
      method,
      requestedDate: o.requestedDate,
      timeSlot: o.timeSlot,
      codAmount: out.length === 0 ? codAmount : null,
      codTax: out.length === 0 ? codTax : null,
      sizeClass: orderSizeClass(p.lines.map((l) => l.sizeClass)),
    });
  }
  return out;
}

const CANCELLED: ReadonlySet<string> = new Set([S.cancelRequested, S.cancelling, S.cancelled]);

export async function exportLabels(
  deps: UseCaseDeps,
  input: { batchId: number; carrier: LabelCarrier; actor: string },
): Promise<LabelExport> {
  const batch = await findBatch(deps.db, input.batchId);
  if (!batch) throw new RuleRefusal(`出荷バッチ ${input.batchId} はありません`, 'not_found');
  const orders = await loadShippingOrders(deps.db, await batchOrderIds(deps.db, batch.id));
  const settings = await readShippingSettings(deps.db, [...new Set(orders.map((o) => o.storeId))]);
  const others: LabelExport['others'] = [];
  const refused: LabelWarning[] = [];
  const mine: Array<{ o: ShippingOrder; method: string | null; cod: boolean }> = [];
  for (const o of orders) {
    const s = settings.get(o.storeId);
    const c = carrierOf(o, s);
    if (CANCELLED.has(o.status)) others.push({ orderNo: o.orderNo, reason: 'キャンセル中・キャンセル済み' });
    else if (!c.carrier) others.push({ orderNo: o.orderNo, reason: c.reason });
    else if (c.carrier !== input.carrier)
      others.push({ orderNo: o.orderNo, reason: CARRIER_LABELS[c.carrier] ?? c.carrier });
    else mine.push({ o, method: c.method, cod: isCod(o.paymentMethod, s?.codMethods ?? null) });
  }
  // One layout per file: the first store's codes choose it (e飛伝Ⅲ or Ⅱ); stores build their own rows.
  const firstStore = mine[0] ? settings.get(mine[0].o.storeId) : undefined;
  const layout = layoutFor(input.carrier, firstStore?.codes ?? {});
  const file: LabelFile = { header: null, rows: [], warnings: [], refused: [] };
  const rowOrders: string[] = [];
  const byStore = new Map<number, typeof mine>();
  for (const m of mine) byStore.set(m.o.storeId, [...(byStore.get(m.o.storeId) ?? []), m]);
  for (const [storeId, list] of [...byStore].sort(([a], [b]) => a - b)) {
    const s = settings.get(storeId)!;
    const missing = senderMissing(s);
    if (missing) {
      for (const m of list) refused.push({ orderNo: m.o.orderNo, message: missing });
      continue;
    }
    const packages = list.flatMap((m) => packagesOf(m.o, m.method, m.cod, refused));
    const built = layout.build({
      shipDate: batch.shipDate,
      sender: labelSender(s),
      codes: s.codes,
      packages,
    });
    file.header = built.header;
    file.rows.push(...built.rows);
    file.warnings.push(...built.warnings);
    refused.push(...built.refused);
    // Which order each row is (for the encoding's warnings): the packages that made it into rows.
    const refusedNos = new Set(built.refused.map((r) => r.orderNo));
    for (const p of packages) if (!refusedNos.has(p.orderNo)) rowOrders.push(p.orderNo);
  }
  if (!file.header)
    file.header = layout.build({
      shipDate: batch.shipDate,
      sender: emptySender,
      codes: {},
      packages: [],
    }).header;
  const warnings = [...file.warnings];
  const bytes = encodeFile(file, rowOrders, warnings);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const last = (await batchExports(deps.db, batch.id)).find((e) => e.carrier === input.carrier);
  const exportedOrders = new Set(rowOrders).size;
  await withTransaction(deps.db, (trx) =>
    logExport(trx, {
      batchId: batch.id,
      carrier: input.carrier,
      layout: layout.id,
      sha256,
      bytes: bytes.length,
      orders: exportedOrders,
      rows: file.rows.length,
      exportedBy: input.actor,
    }),
  );
  return {
    fileName: `${layout.stem}-batch${batch.id}-${batch.shipDate.replace(/-/g, '')}.csv`,
    bytes,
    layout: { id: layout.id, name: layout.name },
    carrier: input.carrier,
    sha256,
    orders: exportedOrders,
    rows: file.rows.length,
    warnings,
    refused,
    others,
    changedSinceLast: last !== undefined && last.sha256 !== sha256,
  };
}

const emptySender = { name: '', phone: '', postalCode: '', prefecture: null, address1: '', address2: '' };
