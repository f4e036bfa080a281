// Money is an integer in the currency's minor unit (yen have none). Carts send decimals as strings
// ("1234.50") or numbers; converting through strings avoids binary floating-point drift.

/** ISO 4217 minor-unit exponents that differ from 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  TWD: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency))
    throw new Error(`not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
  return EXPONENTS[currency] ?? 2;
}

/**
 * `"1234.5"` in USD → 123450; `"2200"` in JPY → 2200. Refuses more decimals than the currency has,
 * unless they are zeros ("2200.00" JPY is fine, "2200.5" JPY is not).
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const exp = currencyExponent(currency);
  const text = typeof amount === 'number' ? numberToPlain(amount) : amount.trim();
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not an amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, frac = ''] = m;
  const significant = frac.replace(/0+$/, '');
  if (significant.length > exp)
    throw new Error(`${JSON.stringify(amount)} has more decimals than ${currency} allows`);
  const minor = Number(whole! + frac.padEnd(exp, '0').slice(0, exp));
  if (!Number.isSafeInteger(minor)) throw new Error(`amount out of range: ${JSON.stringify(amount)}`);
  return sign === '-' ? -minor : minor;
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not an amount: ${n}`);
  // toFixed(6) keeps small decimals readable without exponent notation.
  return Number.isInteger(n) ? String(n) : n.toFixed(6);
}

/** For display: 2200 JPY → "¥2,200", 1050 USD → "$10.50". */
export function formatMoney(minor: number | null, currency: string): string {
  if (minor === null) return '—';
  const exp = currencyExponent(currency);
  return new Intl.NumberFormat('ja-JP', {
    style: 'currency',
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(minor / 10 ** exp);
}

/** Tax contained in a tax-included price: floor(price × rate / (100 + rate)), the usual 切り捨て. */
export function includedTax(priceIncludingTax: number, rate: number): number {
  return Math.floor((priceIncludingTax * rate) / (100 + rate));
}
