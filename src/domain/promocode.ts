/**
 * Whether a promo code may be used for one order. Pure: the caller supplies the clock and the usage counts
 * (read inside the booking transaction, so the limits also hold under concurrency — issue 3).
 */
import { formatRubles } from './pricing';

export type PromoRefusal =
  | 'misconfigured'
  | 'inactive'
  | 'not_started'
  | 'expired'
  | 'exhausted'
  | 'member_limit'
  | 'wrong_tariff'
  | 'below_minimum';

export interface PromoRules {
  isActive: boolean;
  validFrom?: Date | string | null;
  validUntil?: Date | string | null;
  maxUses?: number | null;
  maxUsesPerMember?: number | null;
  /** Tariffs the code is limited to; empty = every tariff. */
  tariffIds: readonly (number | string)[];
  minOrderAmount: number;
}

export interface PromoContext {
  now: Date;
  tariffId: number | string;
  /** priceBase in kopecks: the minimum is checked before any discount. */
  orderAmount: number;
  /** Redemptions already counted (reserved or used), not including this one. */
  usesTotal: number;
  usesByMember: number;
}

export type PromoCheck = { ok: true } | { ok: false; reason: PromoRefusal; message: string };

/** Thrown for a malformed date or count: a data or programming error, never the member's fault. */
export class PromocodeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromocodeInputError';
  }
}

/** Codes are stored upper-case, so what a member types matches whatever its case or surrounding spaces. */
export function normalisePromocode(code: string): string {
  return code.trim().toUpperCase();
}

function toTime(field: string, value: Date | string): number {
  const time = (value instanceof Date ? value : new Date(value)).getTime();
  if (Number.isNaN(time)) throw new PromocodeInputError(`${field} is not a valid date: ${String(value)}`);
  return time;
}

function requireCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new PromocodeInputError(`${field} must be an integer ≥ 0, got ${String(value)}`);
  }
}

const refuse = (reason: PromoRefusal, message: string): PromoCheck => ({ ok: false, reason, message });

/**
 * Checks run in this order, and the first failure is the answer: first what makes the code unusable for
 * anyone (switched off, outside its window, used up), then this member's own limit, then this order
 * (tariff, amount) — so a member is never told to change the order when no order would help.
 *
 * The validity window is half-open, [validFrom, validUntil): usable from the validFrom instant, refused from
 * the validUntil instant, so one campaign can end exactly when the next starts without overlapping.
 * Limits count earlier redemptions: with maxUses = 5, five earlier uses refuse the sixth.
 */
export function checkPromocode(promo: PromoRules, ctx: PromoContext): PromoCheck {
  const now = toTime('now', ctx.now);
  requireCount('orderAmount', ctx.orderAmount);
  requireCount('usesTotal', ctx.usesTotal);
  requireCount('usesByMember', ctx.usesByMember);

  if (!promo.isActive) {
    return refuse('inactive', 'This promo code is not active.');
  }
  if (promo.validFrom != null && now < toTime('validFrom', promo.validFrom)) {
    return refuse('not_started', 'This promo code is not valid yet.');
  }
  if (promo.validUntil != null && now >= toTime('validUntil', promo.validUntil)) {
    return refuse('expired', 'This promo code has expired.');
  }
  if (promo.maxUses != null && ctx.usesTotal >= promo.maxUses) {
    return refuse('exhausted', 'This promo code has already been used the maximum number of times.');
  }
  if (promo.maxUsesPerMember != null && ctx.usesByMember >= promo.maxUsesPerMember) {
    const times = promo.maxUsesPerMember === 1 ? 'once' : `${promo.maxUsesPerMember} times`;
    return refuse('member_limit', `You have already used this promo code; it can be used ${times} per member.`);
  }
  // Ids may arrive as numbers or strings (route params, JSON): compare them as strings.
  if (promo.tariffIds.length > 0 && !promo.tariffIds.some((id) => String(id) === String(ctx.tariffId))) {
    return refuse('wrong_tariff', 'This promo code does not apply to the selected tariff.');
  }
  if (ctx.orderAmount < promo.minOrderAmount) {
    return refuse('below_minimum', `This promo code applies to orders of ${formatRubles(promo.minOrderAmount)} or more.`);
  }
  return { ok: true };
}

/** The stored settings of a code, as written by staff or an integrator; unknown until checked. */
export interface PromocodeSettings {
  kind?: unknown;
  value?: unknown;
  validFrom?: unknown;
  validUntil?: unknown;
  maxUses?: unknown;
  maxUsesPerMember?: unknown;
  minOrderAmount?: unknown;
}

export interface PromocodeProblem {
  field: keyof PromocodeSettings;
  message: string;
}

/** Largest fixed discount, as the content type allows (1 000 000 ₽ in kopecks). */
export const MAX_FIXED_DISCOUNT = 100_000_000;

/** A whole number, also written as digits (form posts and query-string writers send strings); else null. */
function wholeNumberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  return typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : null;
}
const inRange = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
  const number = wholeNumberOf(value);
  return number !== null && number >= min && number <= max;
};
const isUnset = (value: unknown) => value === null || value === undefined;

function instantOf(value: unknown): number | null {
  if (!(value instanceof Date) && typeof value !== 'string' && typeof value !== 'number') return null;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? null : time;
}

/**
 * What is wrong with a code's settings, one entry per field (empty when it can be saved): every write path
 * refuses a code with problems, and pricing refuses to apply one that got into the database anyway.
 * A percent discount is 1–100, a fixed one 1 kopeck to MAX_FIXED_DISCOUNT; the validity window, when both
 * ends are set, must start before it ends; the use limits, when set, are at least 1; the minimum order is ≥ 0.
 */
export function promocodeProblems(settings: PromocodeSettings): PromocodeProblem[] {
  const problems: PromocodeProblem[] = [];
  const { kind, value } = settings;
  if (kind !== 'percent' && kind !== 'fixed') {
    problems.push({ field: 'kind', message: 'The kind must be percent or fixed.' });
  } else if (kind === 'percent' && !inRange(value, 1, 100)) {
    problems.push({ field: 'value', message: `A percent discount must be a whole number from 1 to 100, not ${String(value)}.` });
  } else if (kind === 'fixed' && !inRange(value, 1, MAX_FIXED_DISCOUNT)) {
    problems.push({
      field: 'value',
      message: `A fixed discount must be a whole number of kopecks from 1 to ${MAX_FIXED_DISCOUNT}, not ${String(value)}.`,
    });
  }

  const from = isUnset(settings.validFrom) ? undefined : instantOf(settings.validFrom);
  const until = isUnset(settings.validUntil) ? undefined : instantOf(settings.validUntil);
  if (from === null) problems.push({ field: 'validFrom', message: 'validFrom must be a date and time.' });
  if (until === null) problems.push({ field: 'validUntil', message: 'validUntil must be a date and time.' });
  if (typeof from === 'number' && typeof until === 'number' && from >= until) {
    problems.push({ field: 'validUntil', message: 'validUntil must be later than validFrom.' });
  }

  for (const field of ['maxUses', 'maxUsesPerMember'] as const) {
    const limit = settings[field];
    if (!isUnset(limit) && !inRange(limit, 1)) {
      problems.push({ field, message: `${field} must be a whole number of at least 1, or empty for no limit.` });
    }
  }
  const minimum = settings.minOrderAmount;
  if (!isUnset(minimum) && !inRange(minimum, 0)) {
    problems.push({ field: 'minOrderAmount', message: 'minOrderAmount must be a whole number of kopecks, 0 or more.' });
  }
  return problems;
}
