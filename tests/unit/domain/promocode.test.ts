import {
  checkPromocode,
  MAX_FIXED_DISCOUNT,
  normalisePromocode,
  PromocodeInputError,
  promocodeProblems,
  type PromoContext,
  type PromoRules,
} from '../../../src/domain/promocode';

const NOW = new Date('2026-11-25T09:00:00.000Z');

// A code with every rule set, and an order that passes all of them.
const promo: PromoRules = {
  isActive: true,
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil: new Date('2026-12-01T00:00:00.000Z'),
  maxUses: 5,
  maxUsesPerMember: 1,
  tariffIds: [3, 7],
  minOrderAmount: 100000,
};
const ctx: PromoContext = { now: NOW, tariffId: 7, orderAmount: 300000, usesTotal: 0, usesByMember: 0 };

const check = (rules: Partial<PromoRules>, context: Partial<PromoContext> = {}) =>
  checkPromocode({ ...promo, ...rules }, { ...ctx, ...context });
const reasonOf = (rules: Partial<PromoRules>, context: Partial<PromoContext> = {}) => {
  const result = check(rules, context);
  return result.ok ? 'ok' : result.reason;
};

describe('normalisePromocode', () => {
  it('trims and upper-cases what a member typed', () => {
    // Given lower- or mixed-case input with spaces (the original's lookup failed on it)
    // When normalised Then it matches the stored upper-case code
    expect(normalisePromocode('  welcome10 ')).toBe('WELCOME10');
    expect(normalisePromocode('Sale-500_x')).toBe('SALE-500_X');
    expect(normalisePromocode('\tMEET20\n')).toBe('MEET20');
  });
});

describe('checkPromocode', () => {
  it('accepts a code that passes every rule', () => {
    // Given a valid, active code in its window, under its limits, for its tariff and above its minimum
    // When checked Then it may be used
    expect(check({})).toEqual({ ok: true });
  });

  it('accepts a code with no optional rules at all', () => {
    // Given no window, no limits, no tariff scope and no minimum
    const bare: PromoRules = { isActive: true, tariffIds: [], minOrderAmount: 0 };
    // When checked with large counts and a free order Then it may be used
    expect(checkPromocode(bare, { ...ctx, orderAmount: 0, usesTotal: 10000, usesByMember: 50 })).toEqual({ ok: true });
    expect(check({ validFrom: null, validUntil: null, maxUses: null, maxUsesPerMember: null })).toEqual({ ok: true });
  });

  it('refuses an inactive code', () => {
    // Given a switched-off code When checked Then it is refused with a readable message
    expect(check({ isActive: false })).toEqual({ ok: false, reason: 'inactive', message: 'This promo code is not active.' });
  });

  describe('validity window [validFrom, validUntil)', () => {
    it('accepts the code from the validFrom instant on', () => {
      // Given validFrom equal to now When checked Then it is usable
      expect(reasonOf({ validFrom: NOW })).toBe('ok');
      expect(reasonOf({ validFrom: NOW.toISOString() })).toBe('ok');
    });

    it('refuses it one millisecond before validFrom', () => {
      // Given validFrom just after now When checked Then it has not started
      expect(check({ validFrom: new Date(NOW.getTime() + 1) })).toEqual({
        ok: false,
        reason: 'not_started',
        message: 'This promo code is not valid yet.',
      });
    });

    it('accepts it one millisecond before validUntil', () => {
      // Given validUntil just after now When checked Then it is still usable
      expect(reasonOf({ validUntil: new Date(NOW.getTime() + 1) })).toBe('ok');
    });

    it('refuses it from the validUntil instant on, so back-to-back campaigns never overlap', () => {
      // Given validUntil equal to now, or in the past When checked Then it has expired
      expect(check({ validUntil: NOW })).toEqual({ ok: false, reason: 'expired', message: 'This promo code has expired.' });
      expect(reasonOf({ validUntil: '2026-11-25T08:59:59.999Z' })).toBe('expired');
    });
  });

  describe('usage limits count earlier redemptions', () => {
    it('accepts the last allowed use and refuses the one after it (total)', () => {
      // Given maxUses 5 When 4 earlier uses exist Then the fifth is allowed; When 5 exist Then the sixth is refused
      expect(reasonOf({}, { usesTotal: 4 })).toBe('ok');
      const refused = check({}, { usesTotal: 5 });
      expect(refused).toMatchObject({ ok: false, reason: 'exhausted' });
      expect(refused.ok || refused.message).toBe('This promo code has already been used the maximum number of times.');
      expect(reasonOf({}, { usesTotal: 6 })).toBe('exhausted');
    });

    it('accepts the last allowed use and refuses the one after it (per member)', () => {
      // Given maxUsesPerMember 1 When the member has used it once Then they are refused, saying how often it may be used
      expect(check({}, { usesByMember: 1 })).toEqual({
        ok: false,
        reason: 'member_limit',
        message: 'You have already used this promo code; it can be used once per member.',
      });
      // Given maxUsesPerMember 3 When used twice Then allowed; When used three times Then refused
      expect(reasonOf({ maxUsesPerMember: 3 }, { usesByMember: 2 })).toBe('ok');
      const refused = check({ maxUsesPerMember: 3 }, { usesByMember: 3 });
      expect(refused.ok || refused.message).toBe('You have already used this promo code; it can be used 3 times per member.');
    });
  });

  describe('tariff scope', () => {
    it('accepts a tariff in scope, whether ids are numbers or strings', () => {
      // Given scope [3, 7] When the order is for tariff 3, 7 or "7" Then it applies
      expect(reasonOf({}, { tariffId: 3 })).toBe('ok');
      expect(reasonOf({}, { tariffId: '7' })).toBe('ok');
      expect(reasonOf({ tariffIds: ['abc123'] }, { tariffId: 'abc123' })).toBe('ok');
    });

    it('refuses a tariff out of scope', () => {
      // Given scope [3, 7] When the order is for tariff 4 Then it does not apply
      expect(check({}, { tariffId: 4 })).toEqual({
        ok: false,
        reason: 'wrong_tariff',
        message: 'This promo code does not apply to the selected tariff.',
      });
    });

    it('applies to every tariff when the scope is empty', () => {
      // Given no tariff scope When the order is for any tariff Then it applies
      expect(reasonOf({ tariffIds: [] }, { tariffId: 999 })).toBe('ok');
    });
  });

  describe('minimum order', () => {
    it('accepts an order of exactly the minimum', () => {
      // Given a 1 000 ₽ minimum When the base is exactly 1 000 ₽ Then it applies
      expect(reasonOf({}, { orderAmount: 100000 })).toBe('ok');
    });

    it('refuses an order one kopeck below it, naming the minimum', () => {
      // Given a 1 000 ₽ minimum When the base is 999.99 ₽ Then it is refused
      expect(check({}, { orderAmount: 99999 })).toEqual({
        ok: false,
        reason: 'below_minimum',
        message: 'This promo code applies to orders of 1000 ₽ or more.',
      });
    });
  });

  it('reports the first failing rule in the documented order', () => {
    // Given an order that breaks every rule at once
    const everything: Partial<PromoRules> = { isActive: false, validFrom: '2027-01-01T00:00:00Z', validUntil: NOW };
    const order: Partial<PromoContext> = { usesTotal: 5, usesByMember: 1, tariffId: 4, orderAmount: 1 };
    // When the rules are fixed one by one Then the reasons come in order:
    // inactive → not_started → expired → exhausted → member_limit → wrong_tariff → below_minimum
    const steps: [Partial<PromoRules>, Partial<PromoContext>][] = [
      [everything, order],
      [{ ...everything, isActive: true }, order],
      [{ ...everything, isActive: true, validFrom: null }, order],
      [{ isActive: true, validFrom: null }, order],
      [{ isActive: true }, { ...order, usesTotal: 0 }],
      [{}, { ...order, usesTotal: 0, usesByMember: 0 }],
      [{}, { ...order, usesTotal: 0, usesByMember: 0, tariffId: 3 }],
      [{}, { ...order, usesTotal: 0, usesByMember: 0, tariffId: 3, orderAmount: 100000 }],
    ];
    expect(steps.map(([rules, context]) => reasonOf(rules, context))).toEqual([
      'inactive',
      'not_started',
      'expired',
      'exhausted',
      'member_limit',
      'wrong_tariff',
      'below_minimum',
      'ok',
    ]);
  });

  it('throws PromocodeInputError for malformed dates or counts', () => {
    // Given a stored date that does not parse, or counts that cannot be When checked Then a typed error is thrown
    expect(() => check({ validUntil: 'next Tuesday' })).toThrow(PromocodeInputError);
    expect(() => check({ validFrom: 'soon' })).toThrow('validFrom is not a valid date: soon');
    expect(() => check({}, { now: new Date('nope') })).toThrow(PromocodeInputError);
    expect(() => check({}, { usesTotal: -1 })).toThrow('usesTotal must be an integer ≥ 0, got -1');
    expect(() => check({}, { usesByMember: 0.5 })).toThrow(PromocodeInputError);
    expect(() => check({}, { orderAmount: NaN })).toThrow(PromocodeInputError);
  });
});

describe('promocodeProblems: settings every write path refuses', () => {
  const valid = { kind: 'percent', value: 10, validFrom: null, validUntil: null, maxUses: null, maxUsesPerMember: null, minOrderAmount: 0 };
  const fields = (settings: Record<string, unknown>) => promocodeProblems({ ...valid, ...settings }).map((problem) => problem.field);

  it('Given sensible settings, then there is nothing to correct', () => {
    expect(promocodeProblems(valid)).toEqual([]);
    expect(promocodeProblems({ ...valid, kind: 'fixed', value: MAX_FIXED_DISCOUNT, maxUses: 1, maxUsesPerMember: 1 })).toEqual([]);
    expect(promocodeProblems({ ...valid, value: 100, validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' })).toEqual([]);
  });

  it('Given a percent discount above 100 or below 1, then the value is named with the allowed range', () => {
    expect(promocodeProblems({ ...valid, value: 150 })).toEqual([
      { field: 'value', message: 'A percent discount must be a whole number from 1 to 100, not 150.' },
    ]);
    expect(fields({ value: 0 })).toEqual(['value']);
    expect(fields({ value: 12.5 })).toEqual(['value']);
    expect(fields({ value: null })).toEqual(['value']);
  });

  it('Given a fixed discount of nothing or of more than the maximum, then the value is refused', () => {
    expect(fields({ kind: 'fixed', value: 0 })).toEqual(['value']);
    expect(fields({ kind: 'fixed', value: -500 })).toEqual(['value']);
    expect(fields({ kind: 'fixed', value: MAX_FIXED_DISCOUNT + 1 })).toEqual(['value']);
    // A fixed discount above 100 is fine: it is kopecks, not percent.
    expect(fields({ kind: 'fixed', value: 150 })).toEqual([]);
  });

  it('Given a value written as digits, then it is read as the number', () => {
    expect(fields({ value: '50' })).toEqual([]);
    expect(fields({ value: '150' })).toEqual(['value']);
  });

  it('Given a window that ends before or when it starts, then validUntil is refused', () => {
    expect(fields({ validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' })).toEqual(['validUntil']);
    expect(fields({ validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' })).toEqual(['validUntil']);
    expect(fields({ validFrom: 'soon' })).toEqual(['validFrom']);
    // One end alone is an open window.
    expect(fields({ validUntil: '2020-01-01T00:00:00Z' })).toEqual([]);
  });

  it('Given use limits below 1 or a negative minimum order, then each is named', () => {
    expect(fields({ maxUses: 0, maxUsesPerMember: -1, minOrderAmount: -1 })).toEqual(['maxUses', 'maxUsesPerMember', 'minOrderAmount']);
  });

  it('Given an unknown kind, then the kind is refused and the value is not judged', () => {
    expect(fields({ kind: 'bogus', value: 150 })).toEqual(['kind']);
  });
});
