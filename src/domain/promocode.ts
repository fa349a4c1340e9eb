/**
 * Whether a promo code may be used for one order. Pure: the caller supplies the clock and the usage counts
 * (read inside the booking transaction, so the limits also hold under concurrency — issue 3).
 */
import { formatRubles } from './pricing';

export type PromoRefusal =
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
