/**
 * Request parsing and validation for the stand-in. Every rule here mirrors a limit from
 * integrations.md §1.3–1.6; failures throw ApiError, which the server turns into YooKassa's
 * error body `{ type: "error", id, code, description, parameter }`.
 */
import type { Amount, Receipt } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly parameter?: string,
    /** Stand-in-only explanation, recorded with the request but never sent (the real API is terse). */
    readonly detail?: string,
  ) {
    super(description);
  }
}

export const invalid = (parameter: string, description: string, detail?: string): ApiError =>
  new ApiError(400, 'invalid_request', description, parameter, detail);

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// "1500", "1500.5" and "1500.00" are accepted, as the API does; numbers are not, since the doc
// says value is a string and our client must send one.
const MONEY_RE = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;

export interface Money {
  /** Integer minor units (kopecks), so sums are exact. */
  minor: number;
  currency: string;
}

export function parseAmount(input: unknown, parameter: string): Money {
  if (input === undefined || input === null) throw invalid(parameter, `Parameter ${parameter} is missing`);
  if (!isObject(input)) throw invalid(parameter, `Parameter ${parameter} must be an object`);
  const { value, currency } = input;
  if (typeof value !== 'string' || !MONEY_RE.test(value)) {
    throw invalid(`${parameter}.value`, `Invalid ${parameter}.value: expected a decimal string such as "100.00"`);
  }
  const [whole, fraction = ''] = value.split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor) || minor <= 0) {
    throw invalid(`${parameter}.value`, `Invalid ${parameter}.value: must be greater than zero`);
  }
  if (typeof currency !== 'string' || !CURRENCY_RE.test(currency)) {
    throw invalid(`${parameter}.currency`, `Invalid ${parameter}.currency: expected an ISO 4217 code such as "RUB"`);
  }
  return { minor, currency };
}

export const formatMinor = (minor: number): string =>
  `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

export const toAmount = (money: Money): Amount => ({ value: formatMinor(money.minor), currency: money.currency });

export function optionalString(body: JsonObject, field: string, max: number, parameter = field): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(parameter, `Parameter ${parameter} must be a string`);
  if (value.length > max) throw invalid(parameter, `Parameter ${parameter} is longer than ${max} characters`);
  return value;
}

/** metadata: at most 16 keys, key ≤ 32 chars, value ≤ 512 chars, string values. */
export function parseMetadata(input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (!isObject(input)) throw invalid('metadata', 'Parameter metadata must be an object');
  const entries = Object.entries(input);
  if (entries.length > 16) throw invalid('metadata', 'Metadata may contain at most 16 keys');
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length > 32) throw invalid('metadata', `Metadata key "${key.slice(0, 40)}" is longer than 32 characters`);
    if (typeof value !== 'string') throw invalid('metadata', `Metadata value of "${key}" must be a string`);
    if (value.length > 512) throw invalid('metadata', `Metadata value of "${key}" is longer than 512 characters`);
    out[key] = value;
  }
  return out;
}

export const PAYMENT_MODES = new Set([
  'full_prepayment',
  'partial_prepayment',
  'advance',
  'full_payment',
  'partial_payment',
  'credit',
  'credit_payment',
]);

export const PAYMENT_SUBJECTS = new Set([
  'commodity',
  'excise',
  'job',
  'service',
  'gambling_bet',
  'gambling_prize',
  'lottery',
  'lottery_prize',
  'intellectual_activity',
  'payment',
  'agent_commission',
  'composite',
  'another',
  // FFD 1.2 additions that the SDKs list.
  'property_right',
  'non_operating_gain',
  'insurance_premium',
  'sales_tax',
  'resort_fee',
  'marked',
  'non_marked',
  'fine',
  'tax',
  'lien',
  'cost',
  'pension_insurance_without_payouts',
  'pension_insurance_with_payouts',
  'health_insurance_without_payouts',
  'health_insurance_with_payouts',
  'health_insurance',
  'casino',
  'agent_withdrawals',
  'non_marked_excise',
  'marked_excise',
  'marked_non_excise',
  'other',
]);

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?\d{10,15}$/;
const QUANTITY_RE = /^(0|[1-9]\d*)(\.\d{1,3})?$/;

// The real API answers every receipt problem with the same terse body (seen in production logs);
// the specific reason is kept as `detail` for the stand-in's request log only.
const RECEIPT_ERROR = 'Receipt is missing or illegal';
const receiptError = (detail: string): ApiError => invalid('receipt', RECEIPT_ERROR, detail);

/** Quantity in thousandths, so price × quantity stays an exact integer. */
function parseQuantity(input: unknown): number | undefined {
  const text = typeof input === 'number' && Number.isFinite(input) ? String(input) : input;
  if (typeof text !== 'string' || !QUANTITY_RE.test(text)) return undefined;
  const [whole, fraction = ''] = text.split('.');
  const milli = Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
  return milli > 0 ? milli : undefined;
}

/**
 * 54-FZ receipt check: a customer contact, well-formed items whose Σ(unit price × quantity)
 * equals the amount being paid, captured or refunded.
 */
export function parseReceipt(input: unknown, expected: Money): Receipt {
  if (!isObject(input)) throw receiptError('receipt must be an object');
  const customer = input.customer;
  if (!isObject(customer)) throw receiptError('receipt.customer is required');
  const email = customer.email;
  const phone = customer.phone;
  if (email === undefined && phone === undefined) throw receiptError('receipt.customer needs an email or a phone');
  if (email !== undefined && (typeof email !== 'string' || !EMAIL_RE.test(email))) {
    throw receiptError('receipt.customer.email is not an email address');
  }
  if (phone !== undefined && (typeof phone !== 'string' || !PHONE_RE.test(phone))) {
    throw receiptError('receipt.customer.phone must be digits in international format, e.g. 79001234567');
  }
  const tax = input.tax_system_code;
  if (tax !== undefined && !(Number.isInteger(tax) && (tax as number) >= 1 && (tax as number) <= 6)) {
    throw receiptError('receipt.tax_system_code must be an integer from 1 to 6');
  }
  const items = input.items;
  if (!Array.isArray(items) || items.length === 0) throw receiptError('receipt.items must be a non-empty array');
  if (items.length > 100) throw receiptError('receipt.items may hold at most 100 items');

  // Sum in (kopecks × thousandths) to compare without rounding.
  let totalMilliMinor = 0;
  items.forEach((item: unknown, index) => {
    const at = `receipt.items[${index}]`;
    if (!isObject(item)) throw receiptError(`${at} must be an object`);
    const description = item.description;
    if (typeof description !== 'string' || description.length < 1 || description.length > 128) {
      throw receiptError(`${at}.description must be 1–128 characters`);
    }
    const quantity = parseQuantity(item.quantity);
    if (quantity === undefined) throw receiptError(`${at}.quantity must be a positive number with up to 3 decimals`);
    let price: Money;
    try {
      price = parseAmount(item.amount, `${at}.amount`);
    } catch (error) {
      throw receiptError(error instanceof ApiError ? error.description : `${at}.amount is invalid`);
    }
    if (price.currency !== expected.currency) throw receiptError(`${at}.amount.currency differs from the amount`);
    const vat = item.vat_code;
    if (!Number.isInteger(vat) || (vat as number) < 1 || (vat as number) > 12) {
      throw receiptError(`${at}.vat_code must be an integer from 1 to 12`);
    }
    if (typeof item.payment_subject !== 'string' || !PAYMENT_SUBJECTS.has(item.payment_subject)) {
      throw receiptError(`${at}.payment_subject is missing or unknown`);
    }
    if (typeof item.payment_mode !== 'string' || !PAYMENT_MODES.has(item.payment_mode)) {
      throw receiptError(`${at}.payment_mode is missing or unknown`);
    }
    if (item.measure !== undefined && typeof item.measure !== 'string') {
      throw receiptError(`${at}.measure must be a string`);
    }
    totalMilliMinor += price.minor * quantity;
  });
  if (totalMilliMinor !== expected.minor * 1000) {
    const itemsTotal = formatMinor(Math.round(totalMilliMinor / 1000));
    throw receiptError(
      `the sum of receipt items (${itemsTotal}) differs from the amount (${formatMinor(expected.minor)})`,
    );
  }
  return structuredClone(input) as unknown as Receipt;
}
