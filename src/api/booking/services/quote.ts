/**
 * POST /api/bookings/quote: prices a booking with the one pricing service (src/domain/pricing.ts), checks
 * the promo code with src/domain/promocode.ts and says whether the interval can be booked right now.
 * Reads only: nothing is reserved until the booking is created.
 */
import type { Core } from '@strapi/strapi';
import type { QuoteRequest } from '../../../../types/contracts/booking';
import { type DurationDiscount, type PriceQuote, quotePrice } from '../../../domain/pricing';
import { checkPromocode, normalisePromocode, promocodeProblems, type PromoRefusal } from '../../../domain/promocode';
import type { AvailabilityService, BookableTariff } from './availability';

const PROMOCODE_UID = 'api::promocode.promocode';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
// Released redemptions gave their use back (booking expired, rejected or cancelled before use).
const COUNTED_REDEMPTION_STATES = ['reserved', 'used'];

export interface PromocodeRow {
  id: number;
  documentId: string;
  code: string;
  kind: 'percent' | 'fixed';
  value: number;
  isActive: boolean;
  validFrom: string | null;
  validUntil: string | null;
  maxUses: number | null;
  maxUsesPerMember: number | null;
  minOrderAmount: number | null;
  tariffs: { id: number }[];
}

export interface QuoteData {
  priceBase: number;
  discounts: { kind: PriceQuote['discounts'][number]['kind']; label: string; amount: number }[];
  priceTotal: number;
  currency: PriceQuote['currency'];
  available: boolean;
}

type PriceRefusal =
  | { ok: false; problem: 'units'; message: string }
  | { ok: false; problem: 'promocode'; reason: PromoRefusal | 'not_found'; message: string };

/** The server's price of an order, and the promo code row it applied (null without a code). */
export type PriceOutcome = { ok: true; price: PriceQuote; promocode: PromocodeRow | null } | PriceRefusal;

export type QuoteOutcome = { ok: true; data: QuoteData } | { ok: false; problem: 'tariff'; message: string } | PriceRefusal;

// durationDiscounts is a JSON column; quotePrice checks its shape and refuses a malformed one.
const pricedTariff = (tariff: BookableTariff) => ({
  price: tariff.price,
  durationDiscounts: (tariff.durationDiscounts ?? []) as DurationDiscount[],
});

const quoteService = ({ strapi }: { strapi: Core.Strapi }) => {
  const availability = () => strapi.service('api::booking.availability') as AvailabilityService;

  const countRedemptions = (promocodeId: number, memberId?: number) =>
    strapi.db.query(REDEMPTION_UID).count({
      where: {
        promocode: { id: promocodeId },
        state: { $in: COUNTED_REDEMPTION_STATES },
        ...(memberId === undefined ? {} : { member: { id: memberId } }),
      },
    });

  /**
   * Units range, promo code rules and price of an order of `tariff`. The booking transaction calls it too,
   * so the redemption counts it reads are the transaction's own (after the promo code row is locked).
   */
  async function price(memberId: number, tariff: BookableTariff, input: QuoteRequest, now: Date): Promise<PriceOutcome> {
    if (input.units < tariff.minUnits || input.units > tariff.maxUnits) {
      return {
        ok: false,
        problem: 'units',
        message: `This tariff is booked for ${tariff.minUnits} to ${tariff.maxUnits} ${tariff.billingUnit}(s).`,
      };
    }

    const base = quotePrice({ tariff: pricedTariff(tariff), units: input.units });
    if (input.promocode === undefined) return { ok: true, price: base, promocode: null };
    const promo = (await strapi.db.query(PROMOCODE_UID).findOne({
      where: { code: normalisePromocode(input.promocode) },
      populate: { tariffs: { select: ['id'] } },
    })) as PromocodeRow | null;
    if (!promo) return { ok: false, problem: 'promocode', reason: 'not_found', message: 'There is no such promo code.' };
    // Every write path validates codes (src/document-middlewares/validate-promocode.ts); one stored before that,
    // or written around it, is refused here rather than priced.
    const problems = promocodeProblems(promo);
    if (problems.length > 0) {
      strapi.log.warn(`Promo code ${promo.code} cannot be applied until staff correct it: ${problems.map((p) => p.message).join(' ')}`);
      return { ok: false, problem: 'promocode', reason: 'misconfigured', message: 'This promo code cannot be used at the moment. Please contact the staff.' };
    }
    const [usesTotal, usesByMember] = await Promise.all([countRedemptions(promo.id), countRedemptions(promo.id, memberId)]);
    const check = checkPromocode(
      {
        isActive: promo.isActive,
        validFrom: promo.validFrom,
        validUntil: promo.validUntil,
        maxUses: promo.maxUses,
        maxUsesPerMember: promo.maxUsesPerMember,
        tariffIds: promo.tariffs.map((t) => t.id),
        minOrderAmount: promo.minOrderAmount ?? 0,
      },
      // The minimum order applies to the price before any discount.
      { now, tariffId: tariff.id, orderAmount: base.priceBase, usesTotal, usesByMember },
    );
    if (!check.ok) return { ok: false, problem: 'promocode', reason: check.reason, message: check.message };
    return {
      ok: true,
      price: quotePrice({
        tariff: pricedTariff(tariff),
        units: input.units,
        promo: { code: promo.code, kind: promo.kind, value: promo.value },
      }),
      promocode: promo,
    };
  }

  return {
    price,

    async quote(memberId: number, input: QuoteRequest, now: Date): Promise<QuoteOutcome> {
      const tariff = await availability().findBookableTariff(input.tariff);
      const resource = tariff && availability().resourceOf(tariff);
      if (!tariff || !resource) return { ok: false, problem: 'tariff', message: `No bookable tariff "${input.tariff}".` };
      const priced = await price(memberId, tariff, input, now);
      if (!priced.ok) return priced;

      const bookable = await availability().checkBookable(tariff, resource, input.startAt, input.units, now);
      return {
        ok: true,
        data: {
          priceBase: priced.price.priceBase,
          discounts: priced.price.discounts.map(({ kind, label, amount }) => ({ kind, label, amount })),
          priceTotal: priced.price.priceTotal,
          currency: priced.price.currency,
          available: bookable.ok,
        },
      };
    },
  };
};

export type QuoteService = ReturnType<typeof quoteService>;
export default quoteService;
