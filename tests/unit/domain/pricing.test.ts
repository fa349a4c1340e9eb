import { formatRubles, PricingInputError, quotePrice, type PriceQuote, type QuoteInput } from '../../../src/domain/pricing';

// The original's tariffs (seed-behaviour §1.2, §2.4): 1 000 ₽/h meeting room, 12 000 ₽/month desk.
const meetingRoom = { price: 100000, durationDiscounts: [{ minUnits: 3, percent: 10 }] };
const deskMonth = {
  price: 1200000,
  durationDiscounts: [
    { minUnits: 6, percent: 10 },
    { minUnits: 12, percent: 15 },
  ],
};
const dayPass = { price: 70000, durationDiscounts: [] };

const amounts = (quote: PriceQuote) => quote.discounts.map((line) => line.amount);

describe('quotePrice: base and duration discounts', () => {
  it('charges unit price × units with no discount below the threshold', () => {
    // Given a 2-hour meeting room booking
    // When it is priced
    const quote = quotePrice({ tariff: meetingRoom, units: 2 });
    // Then the total is the base and there are no discount lines
    expect(quote).toEqual({ priceBase: 200000, discounts: [], discountTotal: 0, priceTotal: 200000, currency: 'RUB' });
  });

  it('takes 10 % off a 3-hour meeting room, as the original did', () => {
    // Given 3 hours (the threshold) When priced Then 10 % comes off, with a readable label
    expect(quotePrice({ tariff: meetingRoom, units: 3 })).toEqual({
      priceBase: 300000,
      discounts: [{ kind: 'duration', label: 'Duration discount 10 % (3+ units)', percent: 10, amount: 30000 }],
      discountTotal: 30000,
      priceTotal: 270000,
      currency: 'RUB',
    });
  });

  it('applies the monthly discounts: none below 6, 10 % from 6, 15 % from 12 months', () => {
    // Given monthly desks of 5, 6, 11, 12 and 24 months When priced Then the largest tier reached applies
    expect(quotePrice({ tariff: deskMonth, units: 5 }).discounts).toEqual([]);
    expect(quotePrice({ tariff: deskMonth, units: 6 })).toMatchObject({ discountTotal: 720000, priceTotal: 6480000 });
    expect(quotePrice({ tariff: deskMonth, units: 11 }).discounts[0]).toMatchObject({ percent: 10 });
    expect(quotePrice({ tariff: deskMonth, units: 12 })).toMatchObject({
      discounts: [{ kind: 'duration', label: 'Duration discount 15 % (12+ units)', percent: 15, amount: 2160000 }],
      priceTotal: 12240000,
    });
    expect(quotePrice({ tariff: deskMonth, units: 24 }).discounts[0]).toMatchObject({ percent: 15 });
  });

  it('picks the highest percent reached whatever the order of the tiers', () => {
    // Given tiers stored out of order, and a later tier with a lower percent (a misconfiguration)
    const tariff = {
      price: 1000,
      durationDiscounts: [
        { minUnits: 12, percent: 5 },
        { minUnits: 6, percent: 20 },
        { minUnits: 2, percent: 20 },
      ],
    };
    // When 12 units are priced Then the member gets 20 %, labelled with the lowest threshold that earns it
    expect(quotePrice({ tariff, units: 12 }).discounts).toEqual([
      { kind: 'duration', label: 'Duration discount 20 % (2+ units)', percent: 20, amount: 2400 },
    ]);
  });

  it('lists no line for a 0 % tier', () => {
    // Given a tier of 0 % When reached Then nothing is listed
    expect(quotePrice({ tariff: { price: 1000, durationDiscounts: [{ minUnits: 1, percent: 0 }] }, units: 3 }).discounts).toEqual([]);
  });
});

describe('quotePrice: promo codes', () => {
  it('adds a percent promo code to the duration discount instead of compounding', () => {
    // Given 4 hours (10 %) and a 20 % code
    const quote = quotePrice({ tariff: meetingRoom, units: 4, promo: { code: 'MEET20', kind: 'percent', value: 20 } });
    // Then 30 % of the 4 000 ₽ base comes off (compounding would give 28 %)
    expect(quote.discounts).toEqual([
      { kind: 'duration', label: 'Duration discount 10 % (3+ units)', percent: 10, amount: 40000 },
      { kind: 'promocode', label: 'Promo code MEET20 −20 %', percent: 20, amount: 80000 },
    ]);
    expect(quote).toMatchObject({ priceBase: 400000, discountTotal: 120000, priceTotal: 280000 });
  });

  it('applies a percent promo code alone', () => {
    // Given a day pass and WELCOME10 When priced Then 10 % comes off
    const quote = quotePrice({ tariff: dayPass, units: 1, promo: { code: 'WELCOME10', kind: 'percent', value: 10 } });
    expect(quote.discounts).toEqual([{ kind: 'promocode', label: 'Promo code WELCOME10 −10 %', percent: 10, amount: 7000 }]);
    expect(quote.priceTotal).toBe(63000);
  });

  it('caps the added percentages at 100 % of the base', () => {
    // Given 12 months (15 %) and a 90 % code
    const quote = quotePrice({ tariff: deskMonth, units: 12, promo: { code: 'ALMOST', kind: 'percent', value: 90 } });
    // Then the promo line tops up to exactly 100 % and says it was capped
    expect(quote.discounts[1]).toEqual({
      kind: 'promocode',
      label: 'Promo code ALMOST −85 % (discounts capped at 100 %)',
      percent: 85,
      amount: 12240000,
    });
    expect(quote).toMatchObject({ discountTotal: 14400000, priceTotal: 0 });
  });

  it('makes a booking free with a 100 % code', () => {
    // Given a day pass and a 100 % code When priced Then it costs nothing
    const quote = quotePrice({ tariff: dayPass, units: 1, promo: { code: 'FREEDAY', kind: 'percent', value: 100 } });
    expect(quote).toMatchObject({ discountTotal: 70000, priceTotal: 0 });
    expect(quote.discounts).toHaveLength(1);
  });

  it('takes a fixed amount off after the percentages', () => {
    // Given 3 hours (10 % of 3 000 ₽ = 300 ₽) and a 500 ₽ fixed code
    const quote = quotePrice({ tariff: meetingRoom, units: 3, promo: { code: 'SALE500', kind: 'fixed', value: 50000 } });
    // Then 300 ₽ and then 500 ₽ come off: 2 200 ₽ (not 10 % of 2 500 ₽ = 2 250 ₽)
    expect(quote.discounts).toEqual([
      { kind: 'duration', label: 'Duration discount 10 % (3+ units)', percent: 10, amount: 30000 },
      { kind: 'promocode', label: 'Promo code SALE500 −500 ₽', amount: 50000 },
    ]);
    expect(quote.priceTotal).toBe(220000);
  });

  it('never goes negative with a fixed amount larger than the price', () => {
    // Given a 700 ₽ day pass and a 1 000 ₽ code
    const quote = quotePrice({ tariff: dayPass, units: 1, promo: { code: 'BIG', kind: 'fixed', value: 100000 } });
    // Then only 700 ₽ comes off, the label keeps the face value and says it was limited, and the total is 0
    expect(quote.discounts).toEqual([
      { kind: 'promocode', label: 'Promo code BIG −1000 ₽ (limited to the amount due)', amount: 70000 },
    ]);
    expect(quote).toMatchObject({ discountTotal: 70000, priceTotal: 0 });
  });

  it('limits a fixed amount to what the duration discount left', () => {
    // Given a 100 ₽ tariff, 3 units at 50 % off (150 ₽ left) and a 200 ₽ code
    const tariff = { price: 10000, durationDiscounts: [{ minUnits: 3, percent: 50 }] };
    const quote = quotePrice({ tariff, units: 3, promo: { code: 'TWO', kind: 'fixed', value: 20000 } });
    // Then the code takes the remaining 150 ₽ and the total is 0
    expect(amounts(quote)).toEqual([15000, 15000]);
    expect(quote.priceTotal).toBe(0);
  });

  it('shows kopecks in a fixed code label when there are any', () => {
    // Given a fixed code of 123.45 ₽ When priced Then the label shows 123.45 ₽
    const quote = quotePrice({ tariff: dayPass, units: 1, promo: { code: 'ODD', kind: 'fixed', value: 12345 } });
    expect(quote.discounts[0]!.label).toBe('Promo code ODD −123.45 ₽');
    expect(formatRubles(5)).toBe('0.05 ₽');
    expect(formatRubles(0)).toBe('0 ₽');
  });

  it('lists no promo line when a 100 % duration discount leaves nothing to take off', () => {
    // Given a tier of 100 % and a percent or a fixed code When priced Then only the duration line is listed
    const tariff = { price: 1000, durationDiscounts: [{ minUnits: 1, percent: 100 }] };
    for (const promo of [{ code: 'P', kind: 'percent', value: 10 }, { code: 'F', kind: 'fixed', value: 100 }] as const) {
      expect(quotePrice({ tariff, units: 2, promo }).discounts.map((line) => line.kind)).toEqual(['duration']);
    }
  });
});

describe('quotePrice: free tariffs and rounding', () => {
  it('produces no discount lines for a zero-price tariff', () => {
    // Given a free kids' room with a duration tier, and any promo code
    const kids = { price: 0, durationDiscounts: [{ minUnits: 1, percent: 10 }] };
    for (const promo of [undefined, { code: 'WELCOME10', kind: 'percent', value: 10 }, { code: 'SALE500', kind: 'fixed', value: 50000 }] as const) {
      // When priced Then nothing is "discounted" off a price of zero
      expect(quotePrice({ tariff: kids, units: 3, promo })).toEqual({
        priceBase: 0,
        discounts: [],
        discountTotal: 0,
        priceTotal: 0,
        currency: 'RUB',
      });
    }
  });

  it('rounds the combined percentage once, half up, and splits it without drift', () => {
    // Given a base of 3.33 ₽ (3 × 1.11 ₽), 15 % for duration and a 15 % code
    const tariff = { price: 111, durationDiscounts: [{ minUnits: 3, percent: 15 }] };
    const quote = quotePrice({ tariff, units: 3, promo: { code: 'X', kind: 'percent', value: 15 } });
    // When priced Then 30 % of 333 = 99.9 → 100 kopecks in all; 15 % = 49.95 → 50, the promo line the other 50
    expect(amounts(quote)).toEqual([50, 50]);
    expect(quote).toMatchObject({ priceBase: 333, discountTotal: 100, priceTotal: 233 });
    // And half a kopeck rounds up, in the member's favour: 10 % of 0.05 ₽ = 0.5 → 1 kopeck
    expect(quotePrice({ tariff: { price: 5, durationDiscounts: [{ minUnits: 1, percent: 10 }] }, units: 1 }).discountTotal).toBe(1);
  });

  it('splits the combined amount where rounding each line alone would drift', () => {
    // Given a base of 10.05 ₽ (3 × 3.35 ₽), 10 % for duration and a 10 % code
    const tariff = { price: 335, durationDiscounts: [{ minUnits: 3, percent: 10 }] };
    const quote = quotePrice({ tariff, units: 3, promo: { code: 'Z', kind: 'percent', value: 10 } });
    // When priced Then 20 % of 1005 = 201 kopecks comes off in all, split 101 + 100
    // (each 10 % alone is 100.5 → 101, and 101 + 101 would overshoot the combined 20 %)
    expect(amounts(quote)).toEqual([101, 100]);
    expect(quote).toMatchObject({ priceBase: 1005, discountTotal: 201, priceTotal: 804 });
  });

  it('gives the kopeck to the promo line when the combined amount rounds up and the duration part does not', () => {
    // Given a base of 0.04 ₽, 10 % + 10 %: each alone is 0.4 → 0, together 0.8 → 1 kopeck
    const tariff = { price: 4, durationDiscounts: [{ minUnits: 1, percent: 10 }] };
    const quote = quotePrice({ tariff, units: 1, promo: { code: 'Y', kind: 'percent', value: 10 } });
    // When priced Then only the promo line is listed, with the single kopeck
    expect(quote.discounts).toEqual([{ kind: 'promocode', label: 'Promo code Y −10 %', percent: 10, amount: 1 }]);
    expect(quote.priceTotal).toBe(3);
  });

  it('omits a discount that rounds to zero kopecks', () => {
    // Given a base of 0.04 ₽ and 10 % (0.4 kopeck) When priced Then no line is listed
    expect(quotePrice({ tariff: { price: 4, durationDiscounts: [{ minUnits: 1, percent: 10 }] }, units: 1 }).discounts).toEqual([]);
  });
});

describe('quotePrice: bad input', () => {
  const ok: QuoteInput = { tariff: meetingRoom, units: 3, promo: { code: 'OK', kind: 'percent', value: 10 } };
  const cases: [string, QuoteInput, string][] = [
    ['a fractional price', { ...ok, tariff: { ...meetingRoom, price: 1000.5 } }, 'tariff.price'],
    ['a negative price', { ...ok, tariff: { ...meetingRoom, price: -1 } }, 'tariff.price'],
    ['a price that is not a number', { ...ok, tariff: { ...meetingRoom, price: NaN } }, 'tariff.price'],
    ['zero units', { ...ok, units: 0 }, 'units'],
    ['fractional units', { ...ok, units: 1.5 }, 'units'],
    ['a base too large to compute exactly', { ...ok, tariff: { ...meetingRoom, price: 2 ** 50 }, units: 100 }, 'units'],
    ['durationDiscounts that is not an array', { ...ok, tariff: { price: 1, durationDiscounts: null as never } }, 'tariff.durationDiscounts'],
    ['a tier that is not an object', { ...ok, tariff: { price: 1, durationDiscounts: [5 as never] } }, 'tariff.durationDiscounts[0]'],
    ['a tier over 100 %', { ...ok, tariff: { price: 1, durationDiscounts: [{ minUnits: 3, percent: 101 }] } }, 'tariff.durationDiscounts[0].percent'],
    ['a negative tier', { ...ok, tariff: { price: 1, durationDiscounts: [{ minUnits: 3, percent: -5 }] } }, 'tariff.durationDiscounts[0].percent'],
    ['a tier from 0 units', { ...ok, tariff: { price: 1, durationDiscounts: [{ minUnits: 0, percent: 5 }] } }, 'tariff.durationDiscounts[0].minUnits'],
    ['an empty promo code', { ...ok, promo: { code: '  ', kind: 'percent', value: 10 } }, 'promo.code'],
    ['an unknown promo kind', { ...ok, promo: { code: 'X', kind: 'gift' as never, value: 10 } }, 'promo.kind'],
    ['a 0 promo value', { ...ok, promo: { code: 'X', kind: 'fixed', value: 0 } }, 'promo.value'],
    ['a fractional promo value', { ...ok, promo: { code: 'X', kind: 'fixed', value: 9.99 } }, 'promo.value'],
    ['a percent promo over 100', { ...ok, promo: { code: 'X', kind: 'percent', value: 101 } }, 'promo.value'],
  ];

  it.each(cases)('throws PricingInputError for %s', (_name, input, field) => {
    // Given an input no stored tariff or promo code should produce When priced Then a typed error names the field
    let thrown: unknown;
    try {
      quotePrice(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PricingInputError);
    expect(thrown).toMatchObject({ name: 'PricingInputError', field });
    expect((thrown as Error).message).toContain(field);
  });

  it('accepts the edges of every range', () => {
    // Given a zero price, one unit, a 0 % and a 100 % tier, and a 1-kopeck code When priced Then nothing throws
    const tariff = { price: 0, durationDiscounts: [{ minUnits: 1, percent: 0 }, { minUnits: 1, percent: 100 }] };
    expect(() => quotePrice({ tariff, units: 1, promo: { code: 'X', kind: 'fixed', value: 1 } })).not.toThrow();
    expect(() => quotePrice({ ...ok, promo: { code: 'X', kind: 'percent', value: 100 } })).not.toThrow();
  });
});

describe('quotePrice: invariants over generated inputs', () => {
  // mulberry32: a tiny seeded PRNG, so a failure reproduces from the seed.
  function prng(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('keeps 0 ≤ total ≤ base, lines summing to the discount, all in whole kopecks', () => {
    const random = prng(20261125);
    const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

    for (let i = 0; i < 5000; i += 1) {
      // Given a random tariff (odd prices included), units, tiers and maybe a promo code
      const price = random() < 0.1 ? 0 : int(1, random() < 0.5 ? 999 : 5000000);
      const durationDiscounts = Array.from({ length: int(0, 3) }, () => ({ minUnits: int(1, 24), percent: int(0, 100) }));
      const units = int(1, 48);
      const roll = random();
      const promo =
        roll < 0.33
          ? undefined
          : roll < 0.66
            ? { code: 'P', kind: 'percent' as const, value: int(1, 100) }
            : { code: 'F', kind: 'fixed' as const, value: int(1, 10000000) };

      // When priced
      const quote = quotePrice({ tariff: { price, durationDiscounts }, units, promo });

      // Then the invariants hold
      const context = JSON.stringify({ i, price, durationDiscounts, units, promo });
      const lineSum = quote.discounts.reduce((sum, line) => sum + line.amount, 0);
      const numbers = [quote.priceBase, quote.priceTotal, quote.discountTotal, ...amounts(quote)];
      expect({ context, ok: numbers.every(Number.isInteger) }).toEqual({ context, ok: true });
      expect({ context, base: quote.priceBase }).toEqual({ context, base: price * units });
      expect({ context, ok: quote.priceTotal >= 0 && quote.priceTotal <= quote.priceBase }).toEqual({ context, ok: true });
      expect({ context, lineSum }).toEqual({ context, lineSum: quote.discountTotal });
      expect({ context, diff: quote.priceBase - quote.priceTotal }).toEqual({ context, diff: quote.discountTotal });
      expect({ context, ok: quote.discounts.every((line) => line.amount > 0) }).toEqual({ context, ok: true });
      // The percentages applied never pass 100 %
      const percents = quote.discounts.reduce((sum, line) => sum + (line.percent ?? 0), 0);
      expect({ context, ok: percents <= 100 }).toEqual({ context, ok: true });
      if (price === 0) expect(quote.discounts).toEqual([]);
    }
  });
});
