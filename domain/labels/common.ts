// What every label layout shares: the package to print (one row per 配送先), the sender, the
// management number that brings the tracking number back, text fitted to a field's size, and the
// CSV text (every field quoted, CRLF). Pure: the use case encodes the text to Shift_JIS.
import type { SizeClass } from '../carrier-rules.js';
import { prefectureOf } from '../prefectures.js';

export interface LabelParty {
  name: string;
  phone: string;
  postalCode: string;
  prefecture: string | null;
  address1: string;
  address2: string;
}

/** ご依頼主: the store. */
export type LabelSender = LabelParty;

/** One label row: an order's package (配送先), printed as `parcels` labels (個口). */
export interface LabelPackage {
  orderId: number;
  orderNo: string;
  cartOrderNo: string;
  packageNo: number;
  shipTo: LabelParty;
  /** Item names of the package's lines, in line order (with quantities). */
  items: ReadonlyArray<{ name: string; quantity: number }>;
  parcels: number;
  method: string | null;
  /** YYYY-MM-DD or null. */
  requestedDate: string | null;
  timeSlot: string | null;
  /** The amount to collect (代引), on the order's first package only; null when not 代引. */
  codAmount: number | null;
  /** 内消費税 of the amount to collect. */
  codTax: number | null;
  sizeClass: SizeClass | null;
}

export interface LabelBatch {
  /** 出荷予定日 of every row: the batch's date (YYYY-MM-DD), never the clock, so re-exports agree. */
  shipDate: string;
  sender: LabelSender;
  /** The store's codes at the carrier (B2 請求先顧客コード, 佐川 お客様コード, …). */
  codes: Readonly<Record<string, string>>;
  packages: readonly LabelPackage[];
}

export interface LabelWarning {
  orderNo: string;
  message: string;
}

/** A layout's answer: the rows (header first when the layout has one), and what did not fit. */
export interface LabelFile {
  header: readonly string[] | null;
  rows: string[][];
  warnings: LabelWarning[];
  /** Packages left out (a method the carrier cannot do, no address): never silently. */
  refused: LabelWarning[];
}

/**
 * お客様管理番号: 受注No and a two-digit package number, digits only (every carrier's field takes
 * 半角数字; the shortest, ゆうプリR, takes 15). 受注No 00000123, package 2 → "0000012302".
 */
export function managementKey(orderNo: string, packageNo: number): string {
  return `${orderNo}${String(packageNo).padStart(2, '0')}`;
}

/** The 受注No (its sequence) and package a management number names, or null. */
export function parseManagementKey(key: string): { orderSeq: number; packageNo: number } | null {
  const d = key.normalize('NFKC').trim();
  if (!/^\d{3,20}$/.test(d)) return null;
  const orderSeq = Number(d.slice(0, -2));
  const packageNo = Number(d.slice(-2));
  return orderSeq > 0 && packageNo > 0 ? { orderSeq, packageNo } : null;
}

/** Shift_JIS bytes of a character: ASCII and half-width katakana 1, the rest 2. */
function sjisWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  return c < 0x80 || (c >= 0xff61 && c <= 0xff9f) ? 1 : 2;
}

export function sjisBytes(text: string): number {
  let n = 0;
  for (const ch of text) n += sjisWidth(ch);
  return n;
}

/** The longest start of `text` that fits in `bytes` Shift_JIS bytes, and the rest. */
export function cut(text: string, bytes: number): [string, string] {
  let n = 0;
  let i = 0;
  const chars = [...text];
  for (; i < chars.length; i++) {
    const w = sjisWidth(chars[i]!);
    if (n + w > bytes) break;
    n += w;
  }
  return [chars.slice(0, i).join(''), chars.slice(i).join('')];
}

/**
 * Text spread over `fields` fields of `bytes` each (e飛伝's three address lines). What does not fit
 * is dropped with a warning through `warn`.
 */
export function spread(text: string, bytes: number, fields: number, warn: (m: string) => void, what: string) {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < fields; i++) {
    const [head, tail] = cut(rest, bytes);
    out.push(head);
    rest = tail;
  }
  if (rest) warn(`${what}が長すぎるため「${rest}」を省きました`);
  return out;
}

/** One field: cut to size with a warning. */
export function fitText(text: string, bytes: number, warn: (m: string) => void, what: string): string {
  const [head, tail] = cut(text, bytes);
  if (tail) warn(`${what}が長すぎるため「${tail}」を省きました`);
  return head;
}

/** Digits and hyphens, half-width ("０３−１２３４−５６７８" → "03-1234-5678"). */
export function phone(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[‐−–—ー－]/g, '-')
    .replace(/[^\d-]/g, '');
}

/** "1000001" / "100-0001" / "〒100−0001" → "100-0001" (what every layout writes); else as given. */
export function postal(text: string): string {
  const d = text.normalize('NFKC').replace(/\D/g, '');
  return d.length === 7 ? `${d.slice(0, 3)}-${d.slice(3)}` : text.trim();
}

/** The address with its prefecture in front (some carts keep it apart, some inside address1). */
export function fullAddress(p: LabelParty): string {
  const a1 = p.address1.trim();
  const pref = p.prefecture && !prefectureOf(a1) ? p.prefecture : '';
  return `${pref}${a1}`;
}

export const ymd = (iso: string) => iso.replace(/-/g, '');
export const ymdSlash = (iso: string) => iso.replace(/-/g, '/');

/** 品名: the first item, "ほか n 点" when there are more. */
export function itemSummary(items: LabelPackage['items']): string {
  if (!items.length) return '';
  const first = items[0]!.name;
  return items.length > 1 ? `${first} ほか${items.length - 1}点` : first;
}

function quote(v: string): string {
  // Line breaks inside a field break every carrier's importer: they become spaces.
  return `"${v.replace(/[\r\n]+/g, ' ').replace(/"/g, '""')}"`;
}

/** The file's text: every field quoted, CRLF after every row (as the carriers' own exports are). */
export function renderCsv(file: Pick<LabelFile, 'header' | 'rows'>): string {
  const all = file.header ? [file.header, ...file.rows] : file.rows;
  return all.map((r) => `${r.map(quote).join(',')}\r\n`).join('');
}

/** A row of `width` empty fields, filled by column name. */
export function rowOf(columns: readonly string[], values: Readonly<Record<string, string>>): string[] {
  const known = new Set(columns);
  for (const k of Object.keys(values)) if (!known.has(k)) throw new Error(`no column ${k}`);
  return columns.map((c) => values[c] ?? '');
}
