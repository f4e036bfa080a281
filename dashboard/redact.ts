// Job data and return values shown on Bull Board pass through here. Our payloads carry codes and ids
// only (jobs/catalogue.ts), but a board is read by many people: anything that looks like a person's
// name, e-mail, phone or address is masked all the same, by key and by value.

const PERSONAL_KEY =
  /(^|[_-])(name|kana|email|e_?mail|mail|phone|tel|telephone|mobile|address\d*|addr\d*|postal_?code|zip(_?code)?|prefecture|city|street|buyer|customer|recipient|orderer|ship_?to|billing|shipping_?address)$/i;
const PERSONAL_KEY_CAMEL =
  /(Name|Kana|Email|Mail|Phone|Tel|Address\d*|PostalCode|Zip|Prefecture)$|^(name|kana|email|mail|phone|tel|address\d*|postalCode|zip|prefecture|buyer|customer|recipient|orderer|shipTo|billing)$/;
const JAPANESE_KEY = /(氏名|名前|住所|電話|メール|郵便|カナ|かな|お届け先|注文者|送付先)/;

/** Identifiers that are safe to show even when their value looks like a number with hyphens. */
const SAFE_KEYS = new Set([
  'storeCode',
  'cartOrderNo',
  'orderNo',
  'trigger',
  'slot',
  'day',
  'requestedBy',
  'rejectId',
  'runId',
  'productCodes',
  'cartProductCode',
  'reason',
  'store',
  'outcome',
  'window',
  'from',
  'to',
  'jobId',
]);

const EMAIL = /[^\s@<>"']+@[^\s@<>"']+\.[a-z]{2,}/i;
// Japanese phone numbers (0X-XXXX-XXXX, 090…, +81…) with 10–11 digits.
const PHONE = /^(?:\+81[-\s]?|0)\d{1,4}[-\s(]?\d{1,4}[-\s)]?\d{3,4}$/;
const POSTAL = /^〒?\d{3}-\d{4}$/;

export const REDACTED = '[redacted]';

/** `…Name` keys that name things, not people. */
const THING_NAME =
  /^(job|queue|display|file|product|item|goods|store|shop|cart|status|warehouse|carrier|method|payment|user|host|event|step|task|key|field|column|layout|preset|sheet|brand|option|variant|sku)_?name$/i;

export function isPersonalKey(key: string): boolean {
  if (SAFE_KEYS.has(key) || THING_NAME.test(key)) return false;
  return PERSONAL_KEY.test(key) || PERSONAL_KEY_CAMEL.test(key) || JAPANESE_KEY.test(key);
}

function looksPersonal(value: string): boolean {
  const v = value.trim();
  if (EMAIL.test(v) || POSTAL.test(v)) return true;
  const digits = v.replace(/\D/g, '').length;
  return PHONE.test(v) && digits >= 10 && digits <= 11;
}

/** A deep copy with personal data masked. Never throws; cycles and depth are cut off. */
export function redactPersonal(value: unknown, key = '', depth = 0): unknown {
  if (depth > 12) return '[…]';
  if (value === null || value === undefined) return value;
  if (key && isPersonalKey(key) && (typeof value === 'string' || typeof value === 'number')) return REDACTED;
  if (typeof value === 'string') return !SAFE_KEYS.has(key) && looksPersonal(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redactPersonal(v, key, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] =
        isPersonalKey(k) && v !== null && typeof v === 'object' ? REDACTED : redactPersonal(v, k, depth + 1);
    }
    return out;
  }
  return value;
}
