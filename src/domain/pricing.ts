/**
 * The one place that does arithmetic on prices (ARCHITECTURE §3.3). Pure: no Strapi, no I/O, no clock.
 * Money is integer kopecks (§3.1).
 *
 * Rules, kept from the original system (seed-behaviour §2.4 step 5) but single-sourced and rounded:
 * 1. base = unit price × units;
 * 2. the tariff's best duration discount reached (highest percent among tiers with minUnits ≤ units) and a
 *    percent promo code ADD UP, capped at 100 % of the base; the combined amount is rounded once (half up,
 *    in the member's favour) and split between the lines, so there is no rounding drift;
 * 3. a fixed promo code comes off what is left and is capped at it, so the total is never negative.
 * A line is listed only when it takes something off (a free tariff has no lines).
 */

export type Currency = 'RUB';

export interface DurationDiscount {
  minUnits: number;
  percent: number;
}

export interface PricedTariff {
  price: number;
  durationDiscounts: readonly DurationDiscount[];
}

export interface AppliedPromo {
  code: string;
  kind: 'percent' | 'fixed';
  value: number;
}

export interface QuoteInput {
  tariff: PricedTariff;
  units: number;
  promo?: AppliedPromo;
}

export interface DiscountLine {
  /** Clients localise by kind; the label is an English fallback. */
  kind: 'duration' | 'promocode';
  label: string;
  /** The percent actually applied by this line (absent for a fixed promo code). */
  percent?: number;
  amount: number;
}

export interface PriceQuote {
  priceBase: number;
  discounts: DiscountLine[];
  /** Always priceBase − priceTotal, and always the exact sum of the discount lines. */
  discountTotal: number;
  priceTotal: number;
  currency: Currency;
}

/** Thrown for inputs no tariff or promo code should ever produce; callers map it to a 4xx or a 500. */
export class PricingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PricingInputError';
  }
}

/** Non-negative kopecks as "500 ₽" or "123.45 ₽": an English fallback; clients format money themselves. */
export function formatRubles(kopecks: number): string {
  const rubles = Math.floor(kopecks / 100);
  const rest = kopecks % 100;
  return `${rubles}${rest === 0 ? '' : `.${String(rest).padStart(2, '0')}`} ₽`;
}

const percentOf = (amount: number, percent: number) => Math.round((amount * percent) / 100);

function requireInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
    throw new PricingInputError(field, `${field} must be an integer ${range}, got ${String(value)}`);
  }
  return value;
}

function validate({ tariff, units, promo }: QuoteInput): void {
  const price = requireInteger('tariff.price', tariff.price, 0);
  requireInteger('units', units, 1);
  // price × units × percent must stay exact in a double.
  if (!Number.isSafeInteger(price * units * 100)) {
    throw new PricingInputError('units', `price × units is too large to compute exactly (${price} × ${units})`);
  }
  // durationDiscounts is a JSON column: its shape is checked here, not trusted.
  if (!Array.isArray(tariff.durationDiscounts)) {
    throw new PricingInputError('tariff.durationDiscounts', 'tariff.durationDiscounts must be an array of { minUnits, percent }');
  }
  tariff.durationDiscounts.forEach((tier: unknown, i) => {
    if (typeof tier !== 'object' || tier === null) {
      throw new PricingInputError(`tariff.durationDiscounts[${i}]`, `tariff.durationDiscounts[${i}] must be { minUnits, percent }`);
    }
    const { minUnits, percent } = tier as Record<string, unknown>;
    requireInteger(`tariff.durationDiscounts[${i}].minUnits`, minUnits, 1);
    requireInteger(`tariff.durationDiscounts[${i}].percent`, percent, 0, 100);
  });
  if (promo) {
    if (typeof promo.code !== 'string' || promo.code.trim() === '') {
      throw new PricingInputError('promo.code', 'promo.code must be a non-empty string');
    }
    if (promo.kind !== 'percent' && promo.kind !== 'fixed') {
      throw new PricingInputError('promo.kind', `promo.kind must be "percent" or "fixed", got ${String(promo.kind)}`);
    }
    requireInteger('promo.value', promo.value, 1, promo.kind === 'percent' ? 100 : Number.MAX_SAFE_INTEGER);
  }
}

/** Highest percent reached; on a tie the lowest threshold, the one that earned it. */
function bestDurationDiscount(tiers: readonly DurationDiscount[], units: number): DurationDiscount | undefined {
  let best: DurationDiscount | undefined;
  for (const tier of tiers) {
    if (tier.minUnits > units) continue;
    if (!best || tier.percent > best.percent || (tier.percent === best.percent && tier.minUnits < best.minUnits)) {
      best = tier;
    }
  }
  return best;
}

export function quotePrice(input: QuoteInput): PriceQuote {
  validate(input);
  const { tariff, units, promo } = input;
  const priceBase = tariff.price * units;
  const discounts: DiscountLine[] = [];

  if (priceBase > 0) {
    const tier = bestDurationDiscount(tariff.durationDiscounts, units);
    const durationPercent = tier?.percent ?? 0;
    const promoPercent = promo?.kind === 'percent' ? Math.min(promo.value, 100 - durationPercent) : 0;

    // Rounded once for the combined percentage, as the original computed base × (1 − total %); the promo
    // line takes the remainder, so the lines add up to the combined amount to the kopeck.
    const percentAmount = percentOf(priceBase, durationPercent + promoPercent);
    const durationAmount = percentOf(priceBase, durationPercent);
    const promoPercentAmount = percentAmount - durationAmount;

    if (tier && durationAmount > 0) {
      discounts.push({
        kind: 'duration',
        label: `Duration discount ${tier.percent} % (${tier.minUnits}+ units)`,
        percent: tier.percent,
        amount: durationAmount,
      });
    }
    if (promo?.kind === 'percent' && promoPercentAmount > 0) {
      const capped = promoPercent < promo.value ? ' (discounts capped at 100 %)' : '';
      discounts.push({
        kind: 'promocode',
        label: `Promo code ${promo.code} −${promoPercent} %${capped}`,
        percent: promoPercent,
        amount: promoPercentAmount,
      });
    }

    const fixedAmount = promo?.kind === 'fixed' ? Math.min(promo.value, priceBase - percentAmount) : 0;
    if (promo?.kind === 'fixed' && fixedAmount > 0) {
      const capped = fixedAmount < promo.value ? ' (limited to the amount due)' : '';
      discounts.push({
        kind: 'promocode',
        label: `Promo code ${promo.code} −${formatRubles(promo.value)}${capped}`,
        amount: fixedAmount,
      });
    }
  }

  const discountTotal = discounts.reduce((sum, line) => sum + line.amount, 0);
  return { priceBase, discounts, discountTotal, priceTotal: priceBase - discountTotal, currency: 'RUB' };
}
