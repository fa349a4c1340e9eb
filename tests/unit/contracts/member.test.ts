import { normaliseRussianPhone, profileSchema, telegramServiceAuthSchema } from '../../../types/contracts/member';

describe('normaliseRussianPhone', () => {
  it.each([
    ['+79001234567', '+79001234567'],
    ['89001234567', '+79001234567'],
    ['79001234567', '+79001234567'],
    ['9001234567', '+79001234567'],
    ['+7 (900) 123-45-67', '+79001234567'],
    ['8 812 123.45.67', '+78121234567'],
  ])('turns %s into %s', (input, expected) => {
    expect(normaliseRussianPhone(input)).toBe(expected);
  });

  it.each(['12345', '+19001234567', '+7900123456', '+790012345678', 'phone', '+7 900 abc 45 67'])('refuses %s', (input) => {
    expect(normaliseRussianPhone(input)).toBeNull();
  });
});

describe('profileSchema', () => {
  const valid = { fullName: 'Иван Петров', phone: '+79001234567', email: 'ivan@example.com', consentTerms: true };

  it('accepts names in any alphabet with hyphens and apostrophes', () => {
    for (const fullName of ['Иван Петров', "D'Artagnan", 'Jean-Luc Picard', 'Ли']) {
      expect(profileSchema.safeParse({ ...valid, fullName }).success).toBe(true);
    }
  });

  it.each(['A', 'R2-D2', 'Ivan!', ' -Ivan', 'x'.repeat(101)])('refuses the name %j', (fullName) => {
    const result = profileSchema.safeParse({ ...valid, fullName });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['fullName']);
  });

  it('requires consent to the rules', () => {
    const result = profileSchema.safeParse({ ...valid, consentTerms: false });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['You must accept the rules of the space to register']);
  });
});

describe('telegramServiceAuthSchema', () => {
  it('accepts a numeric or string Telegram id and gives it back as a string', () => {
    expect(telegramServiceAuthSchema.parse({ telegramId: 42 }).telegramId).toBe('42');
  });

  it.each([0, -5, '007', '1e5', 'x'])('refuses the id %j', (telegramId) => {
    expect(telegramServiceAuthSchema.safeParse({ telegramId }).success).toBe(false);
  });
});
