/**
 * Price breakdown of a demo booking, in kopecks. Only the seed uses this: it exists so the stored
 * priceBase / discountTotal / priceTotal / discounts of demo rows agree with each other and with the
 * tariff. Live prices belong to the pricing service (ARCHITECTURE §3.3), not to this file.
 *
 * Rules (the original system's, kept by the booking engine): base = unit price × units; the largest
 * duration discount reached and a percent promo code add up, capped at 100 %, and come off the base;
 * a fixed promo code comes off what is left, capped at it, so the total is never negative.
 */
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

export type DiscountLine =
  | { type: 'duration'; minUnits: number; percent: number; amount: number }
  | { type: 'promocode'; code: string; kind: 'percent' | 'fixed'; value: number; amount: number };

export interface PriceBreakdown {
  priceBase: number;
  discountTotal: number;
  priceTotal: number;
  discounts: DiscountLine[];
}

const percentOf = (amount: number, percent: number) => Math.round((amount * percent) / 100);

export function priceBooking(tariff: PricedTariff, units: number, promo?: AppliedPromo): PriceBreakdown {
  const priceBase = tariff.price * units;
  const discounts: DiscountLine[] = [];
  let remaining = priceBase;

  const rule = tariff.durationDiscounts
    .filter((discount) => units >= discount.minUnits)
    .sort((a, b) => b.minUnits - a.minUnits)[0];
  if (rule && remaining > 0) {
    const amount = percentOf(priceBase, rule.percent);
    discounts.push({ type: 'duration', minUnits: rule.minUnits, percent: rule.percent, amount });
    remaining -= amount;
  }

  if (promo && remaining > 0) {
    // Percentages add up (duration + promo) and never pass 100 % of the base.
    const amount =
      promo.kind === 'percent'
        ? Math.min(percentOf(priceBase, Math.min(promo.value, 100 - (rule?.percent ?? 0))), remaining)
        : Math.min(promo.value, remaining);
    discounts.push({ type: 'promocode', code: promo.code, kind: promo.kind, value: promo.value, amount });
    remaining -= amount;
  }

  return { priceBase, discountTotal: priceBase - remaining, priceTotal: remaining, discounts };
}
