/**
 * Rubles on screen, integer kopecks in data (ARCHITECTURE §3.1). Pure functions, no React, no DOM: the money
 * input and list cells use them, and tests/unit/money-format.test.ts imports this file directly.
 *
 * - `formatRubles(70000, 'ru')` → "700,00" (what the input shows; grouped, two decimals, no currency sign)
 * - `formatMoney(70000, 'ru')` → "700,00 ₽", `formatMoney(70000, 'en')` → "RUB 700.00" (list cells, pages)
 * - `parseRubles('1 234,5', 'ru')` → { ok: true, kopecks: 123450 }; never goes through floating point.
 */

/** The largest amount an integer column holds everywhere we run (PostgreSQL `integer` is 32-bit signed). */
export const MAX_KOPECKS = 2_147_483_647;

export type MoneyParseError = 'invalid' | 'tooManyDecimals' | 'tooLarge';

export type MoneyParseResult =
  | { ok: true; kopecks: number | null }
  | { ok: false; error: MoneyParseError };

const groupSeparatorCache = new Map<string, string>();

/** The character the locale groups thousands with: a (narrow) no-break space in ru, "," in en, "." in de. */
export function groupSeparatorOf(locale: string): string {
  let separator = groupSeparatorCache.get(locale);
  if (separator === undefined) {
    separator = new Intl.NumberFormat(locale).formatToParts(1234567).find((part) => part.type === 'group')?.value ?? '';
    groupSeparatorCache.set(locale, separator);
  }
  return separator;
}

const LEADING_CURRENCY = /^(₽|руб\.?|р\.|rub)\s*/iu;
const TRAILING_CURRENCY = /\s*(₽|руб\.?|р\.?|rub)$/iu;

/**
 * Reads what a person typed as rubles and gives back kopecks. Accepts "700", "700,5", "700.50",
 * "1 234,56", "1,234.56", "1.234,56", a "₽"/"руб."/"RUB" mark before or after and a leading minus; an empty
 * text is `null`. Spaces, like "." and ",", may only group thousands ("1 234", not "12 34").
 * A single "." or "," is the decimal point unless it is the locale's own thousands separator followed by
 * exactly three digits ("1,234" is 1 234 ₽ in en, and 1,234 — three decimals, refused — in ru).
 */
export function parseRubles(input: string, locale: string): MoneyParseResult {
  const text = input
    .trim()
    .replace(LEADING_CURRENCY, '')
    .replace(TRAILING_CURRENCY, '')
    .replace(/\u2212/gu, '-')
    .replace(/\s+/gu, ' ');
  if (text === '') return { ok: true, kopecks: null };

  const match = /^(-?)([\d.,](?:[\d., ]*[\d.,])?)$/u.exec(text);
  if (!match) return { ok: false, error: 'invalid' };
  const [, sign, body] = match;

  let integerPart = body;
  let fractionPart = '';
  const separators = body.replace(/[\d ]/gu, '');
  if (separators !== '') {
    const decimalAt = Math.max(body.lastIndexOf('.'), body.lastIndexOf(','));
    const decimalChar = body[decimalAt];
    let decimal: boolean;
    if (new Set(separators).size === 2) {
      // "1,234.56" / "1.234,56": the last separator is the decimal point; it may appear only once.
      if (separators.indexOf(decimalChar) !== separators.length - 1) return { ok: false, error: 'invalid' };
      decimal = true;
    } else if (separators.length > 1) {
      // "1,234,567" / "1.234.567": grouping only.
      decimal = false;
    } else {
      const digitsAfter = body.length - decimalAt - 1;
      const groupLead = /^[1-9]\d{0,2}$/u.test(body.slice(0, decimalAt));
      decimal = !(decimalChar === groupSeparatorOf(locale) && digitsAfter === 3 && groupLead);
    }
    integerPart = decimal ? body.slice(0, decimalAt) : body;
    fractionPart = decimal ? body.slice(decimalAt + 1) : '';
  }
  if (/[., ]/u.test(integerPart)) {
    // Thousands groups, one kind of separator: 1-3 digits, then groups of exactly three.
    const kinds = new Set(integerPart.replace(/\d/gu, ''));
    if (kinds.size !== 1 || !/^[1-9]\d{0,2}([., ]\d{3})+$/u.test(integerPart)) return { ok: false, error: 'invalid' };
    integerPart = integerPart.replace(/[., ]/gu, '');
  }

  if (integerPart === '' && fractionPart === '') return { ok: false, error: 'invalid' };
  if (!/^\d*$/u.test(fractionPart)) return { ok: false, error: 'invalid' };
  if (fractionPart.length > 2) return { ok: false, error: 'tooManyDecimals' };

  const rubles = integerPart.replace(/^0+(?=\d)/u, '');
  if (rubles.length > 10) return { ok: false, error: 'tooLarge' };
  const kopecks = Number(rubles || '0') * 100 + Number(fractionPart.padEnd(2, '0'));
  if (kopecks > MAX_KOPECKS) return { ok: false, error: 'tooLarge' };
  return { ok: true, kopecks: sign === '-' && kopecks !== 0 ? -kopecks : kopecks };
}

const formatterCache = new Map<string, Intl.NumberFormat>();

function formatterOf(locale: string, currency: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatterCache.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(
      locale,
      currency
        ? { style: 'currency', currency: 'RUB' }
        : { minimumFractionDigits: 2, maximumFractionDigits: 2 },
    );
    formatterCache.set(key, formatter);
  }
  return formatter;
}

/** Kopecks as rubles with two decimals in the locale, for an input: 123450 → "1 234,50" (ru) / "1,234.50" (en). */
export function formatRubles(kopecks: number, locale: string): string {
  return formatterOf(locale, false).format(kopecks / 100);
}

/** Kopecks as an amount of money in the locale: 70000 → "700,00 ₽" (ru) / "RUB 700.00" (en). */
export function formatMoney(kopecks: number, locale: string): string {
  return formatterOf(locale, true).format(kopecks / 100);
}

/** Whether a value from the API is an amount we can show (integer kopecks). */
export function isKopecks(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
