// makeshop's order API answers in XML. Pure helpers shared by the client, `juchu parse` and the simulator:
// decode the bytes in the charset the answer declares, parse to plain objects, and write XML back.
//
// Parsing mirrors how the only public integration reads these answers (XML → JSON with attributes and
// child elements merged, element text under `content`; file id 30512708660 [T]): `<paymethod type="B">
// 銀行振込</paymethod>` becomes `{ type: 'B', content: '銀行振込' }`. So normalize does not care whether
// a value arrives as an attribute or as a child element, which the reference cannot tell us.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';

/** Elements that may repeat: always arrays after parsing, even when one is present. */
const REPEATING = new Set(['order', 'delivery', 'commodity', 'usepoint', 'note']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: 'content',
  // Keep every value a string: codes such as `00000911246` and order numbers must not become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // `carriage` repeats inside a delivery (one per shipping method [V]) but is a plain amount in orderdetail.
  isArray: (name, jpath) =>
    REPEATING.has(name) || (name === 'carriage' && String(jpath).endsWith('delivery.carriage')),
});

/** Charset named in `Content-Type` or the XML declaration; UTF-8 when neither says. */
export function declaredCharset(bytes: Uint8Array, contentType?: string | null): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (fromHeader) return fromHeader;
  // The declaration is ASCII in every charset makeshop could use.
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  return /<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1] ?? 'UTF-8';
}

export function decodeXml(bytes: Uint8Array, contentType?: string | null): string {
  const charset = declaredCharset(bytes, contentType);
  const buf = Buffer.from(bytes);
  if (/^utf-?8$/i.test(charset) || !iconv.encodingExists(charset))
    return buf.toString('utf8').replace(/^\uFEFF/, '');
  return iconv.decode(buf, charset);
}

export function encodeXml(text: string, charset: string): Uint8Array {
  return /^utf-?8$/i.test(charset) ? Buffer.from(text, 'utf8') : iconv.encode(text, charset);
}

export class NotXmlError extends Error {}

/** Parses an XML document; throws NotXmlError for anything that is not well-formed XML. */
export function parseXml(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) throw new NotXmlError(`not XML: ${trimmed.slice(0, 60)}`);
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) throw new NotXmlError(`not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(trimmed) as Record<string, unknown>;
  delete doc['?xml'];
  return doc;
}

export type MakeshopAnswer =
  | { kind: 'orders'; orders: Record<string, unknown>[] }
  | { kind: 'response'; code: string | null; message: string | null; ordernum: string | null };

/**
 * `<orders><order>…</order>…</orders>` (order fetch) or `<response><code/><message/></response>` (status
 * changes [T], and — our assumption — errors). Anything else is not an answer we understand.
 */
export function readAnswer(doc: Record<string, unknown>): MakeshopAnswer | null {
  if ('orders' in doc) {
    const orders = doc.orders;
    // `<orders/>` (nothing found) parses to an empty string.
    if (orders === '' || orders === undefined || orders === null) return { kind: 'orders', orders: [] };
    if (typeof orders !== 'object') return null;
    const list = (orders as { order?: unknown }).order ?? [];
    if (!Array.isArray(list) || !list.every((o) => typeof o === 'object' && o !== null)) return null;
    return { kind: 'orders', orders: list as Record<string, unknown>[] };
  }
  if ('response' in doc && typeof doc.response === 'object' && doc.response !== null) {
    const r = doc.response as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return { kind: 'response', code: str(r.code), message: str(r.message), ordernum: str(r.ordernum) };
  }
  return null;
}

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** `<name a="1">text</name>`, `<name a="1"/>` or `<name>text</name>`; null/undefined attributes are left out. */
export function el(
  name: string,
  attrs: Record<string, string | number | null | undefined> | null,
  ...children: Array<string | null | undefined | false>
): string {
  const a = Object.entries(attrs ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = children.filter((c): c is string => typeof c === 'string').join('');
  return inner === '' && attrs ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`;
}

/** A text element, escaped. */
export function tx(name: string, value: string | number | null | undefined): string {
  return `<${name}>${value === null || value === undefined ? '' : escapeXml(String(value))}</${name}>`;
}

/**
 * Error answers. makeshop's documents we could read show only the success answer of status changes
 * (`<response><ordernum/><code/><message>OK</message></response>` [T]); the codes and messages below are
 * our assumption, shared by the simulator and the client's classifier.
 */
export const MAKESHOP_ERRORS = {
  badRequest: { code: '400', message: 'パラメータが正しくありません。' },
  auth: { code: '401', message: '認証に失敗しました。ショップIDまたは認証コードをご確認ください。' },
  notAllowed: { code: '403', message: '注文データ連携設定で注文情報参照が許可されていません。' },
  overLimit: { code: '429', message: 'リクエストは1秒間に1回までです。' },
  /** A status change the order cannot take (cancelled already, …) [I]. */
  conflict: { code: '409', message: 'この注文のステータスは変更できません。' },
} as const;
