import { priceBooking } from '../../../database/seed/pricing';

const meetingRoom = { price: 100000, durationDiscounts: [{ minUnits: 3, percent: 10 }] };
const deskMonth = {
  price: 1200000,
  durationDiscounts: [
    { minUnits: 6, percent: 10 },
    { minUnits: 12, percent: 15 },
  ],
};

describe('seed price breakdown', () => {
  it('charges unit price × units below the discount threshold', () => {
    // Given a 2-hour meeting room booking, when priced, then no discount applies
    expect(priceBooking(meetingRoom, 2)).toEqual({ priceBase: 200000, discountTotal: 0, priceTotal: 200000, discounts: [] });
  });

  it('applies the duration discount from its threshold on', () => {
    // Given 3 hours (the threshold), when priced, then 10 % comes off the base
    expect(priceBooking(meetingRoom, 3)).toEqual({
      priceBase: 300000,
      discountTotal: 30000,
      priceTotal: 270000,
      discounts: [{ type: 'duration', minUnits: 3, percent: 10, amount: 30000 }],
    });
  });

  it('uses only the largest duration discount reached', () => {
    // Given monthly desks of 5, 6 and 12 months, when priced, then 0 %, 10 % and 15 % apply
    expect(priceBooking(deskMonth, 5).discountTotal).toBe(0);
    expect(priceBooking(deskMonth, 6).priceTotal).toBe(6 * 1200000 * 0.9);
    expect(priceBooking(deskMonth, 12).priceTotal).toBe(12 * 1200000 * 0.85);
  });

  it('adds a percent promo code to the duration discount, as the original did', () => {
    // Given 4 hours and a 20 % code, when priced
    const price = priceBooking(meetingRoom, 4, { code: 'MEET20', kind: 'percent', value: 20 });

    // Then 10 % + 20 % = 30 % comes off the 4 000 ₽ base
    expect(price.discounts.map((line) => line.amount)).toEqual([40000, 80000]);
    expect(price.priceTotal).toBe(280000);
    expect(price.discountTotal).toBe(price.priceBase - price.priceTotal);
  });

  it('caps the added percentages at 100 %', () => {
    // Given 12 months (15 %) and a 100 % code, when priced, then the promo line tops up to exactly 100 %
    const price = priceBooking(deskMonth, 12, { code: 'ALL', kind: 'percent', value: 100 });
    expect(price.discounts.map((line) => line.amount)).toEqual([2160000, 12240000]);
    expect(price.priceTotal).toBe(0);
  });

  it('caps a fixed promo code at the amount due and never goes below zero', () => {
    // Given a 700 ₽ day pass and a 1 000 ₽ fixed code, when priced, then the booking is free, not negative
    const price = priceBooking({ price: 70000, durationDiscounts: [] }, 1, { code: 'BIG', kind: 'fixed', value: 100000 });
    expect(price).toMatchObject({ priceBase: 70000, discountTotal: 70000, priceTotal: 0 });
  });

  it('makes a 100 % code free and leaves free tariffs without discount lines', () => {
    // Given a 100 % code on a day pass, and a free kids' room
    const freeDay = priceBooking({ price: 70000, durationDiscounts: [] }, 1, { code: 'FREEDAY', kind: 'percent', value: 100 });
    const kids = priceBooking({ price: 0, durationDiscounts: [] }, 3, { code: 'WELCOME10', kind: 'percent', value: 10 });

    // Then the day pass costs nothing, and nothing is "discounted" off a price of zero
    expect(freeDay.priceTotal).toBe(0);
    expect(kids).toEqual({ priceBase: 0, discountTotal: 0, priceTotal: 0, discounts: [] });
  });

  it('rounds percentages to whole kopecks', () => {
    // Given 15 % off 333.33 ₽, when priced, then the amounts are integers
    const price = priceBooking({ price: 33333, durationDiscounts: [] }, 1, { code: 'X', kind: 'percent', value: 15 });
    expect(price.discountTotal).toBe(5000);
    expect(Number.isInteger(price.priceTotal)).toBe(true);
  });
});
