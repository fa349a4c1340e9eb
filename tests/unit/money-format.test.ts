/**
 * Rubles typed and shown in the admin, integer kopecks in data: the pure functions behind the money input
 * and the list cells (plugins/booking-desk/admin/src/custom-fields/money-format.ts).
 */
import {
  formatMoney,
  formatRubles,
  MAX_KOPECKS,
  parseRubles,
} from '../../plugins/booking-desk/admin/src/custom-fields/money-format';

// Intl separates groups and the currency with no-break spaces; compare them as plain spaces.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/gu, ' ');

describe('formatRubles (what the input shows)', () => {
  it.each([
    [70000, 'ru', '700,00'],
    [70000, 'en', '700.00'],
    [70050, 'ru', '700,50'],
    [1, 'ru', '0,01'],
    [0, 'en', '0.00'],
    [123456789, 'ru', '1 234 567,89'],
    [123456789, 'en', '1,234,567.89'],
  ])('shows %d kopecks in %s as %s', (kopecks, locale, text) => {
    expect(plain(formatRubles(kopecks, locale))).toBe(text);
  });
});

describe('formatMoney (list cells and pages)', () => {
  it.each([
    [70000, 'ru', '700,00 ₽'],
    [123450, 'ru', '1 234,50 ₽'],
    [123450, 'en', 'RUB 1,234.50'],
    [0, 'ru', '0,00 ₽'],
  ])('shows %d kopecks in %s as %s', (kopecks, locale, text) => {
    expect(plain(formatMoney(kopecks, locale))).toBe(text);
  });
});

describe('parseRubles (what staff type)', () => {
  it.each([
    ['700', 70000],
    ['700,00', 70000],
    ['700.00', 70000],
    ['700,5', 70050],
    ['700.05', 70005],
    ['0,01', 1],
    [',5', 50],
    ['700,', 70000],
    ['1 234,56', 123456],
    ['1\u00a0234,56', 123456],
    ['1\u202f234,56', 123456],
    ['1,234.56', 123456],
    ['1.234,56', 123456],
    ['1 234 567', 123456700],
    ['  700 ₽ ', 70000],
    ['700 руб.', 70000],
    ['700 р', 70000],
    ['₽700', 70000],
    ['RUB 700.00', 70000],
    ['007', 700],
    ['-5', -500],
    ['\u22125,50', -550],
  ])('reads %j as %d kopecks in both locales', (text, kopecks) => {
    expect(parseRubles(text, 'ru')).toEqual({ ok: true, kopecks });
    expect(parseRubles(text, 'en')).toEqual({ ok: true, kopecks });
  });

  it('reads an empty field as no amount', () => {
    expect(parseRubles('', 'ru')).toEqual({ ok: true, kopecks: null });
    expect(parseRubles('   ', 'en')).toEqual({ ok: true, kopecks: null });
  });

  it('reads one comma before three digits as the thousands separator in en and as a decimal comma in ru', () => {
    expect(parseRubles('1,234', 'en')).toEqual({ ok: true, kopecks: 123400 });
    expect(parseRubles('1,234', 'ru')).toEqual({ ok: false, error: 'tooManyDecimals' });
  });

  it.each(['700,005', '700.123', '0,001', '12.345'])('refuses %j: more than two decimals', (text) => {
    expect(parseRubles(text, 'ru')).toEqual({ ok: false, error: 'tooManyDecimals' });
  });

  it.each(['abc', '7OO', '-', '.', '1e5', '0x10', '1,2,3', '1.234.56', '12,34.56', '1.2,3.4', '5 000 р. 50', '12 34', '1 2 3', '1 234.567,89', '700, 50', '+-5', '--5', '5-', '7 ₽ 7'])(
    'refuses %j: not an amount',
    (text) => {
      expect(parseRubles(text, 'ru')).toEqual({ ok: false, error: 'invalid' });
      expect(parseRubles(text, 'en')).toEqual({ ok: false, error: 'invalid' });
    },
  );

  it('accepts up to the largest integer column value and refuses more', () => {
    expect(parseRubles('21 474 836,47', 'ru')).toEqual({ ok: true, kopecks: MAX_KOPECKS });
    expect(parseRubles('21 474 836,48', 'ru')).toEqual({ ok: false, error: 'tooLarge' });
    expect(parseRubles('99999999999999999999', 'en')).toEqual({ ok: false, error: 'tooLarge' });
  });

  it.each(['ru', 'en'])('reads back what it shows, in %s, for every kind of amount', (locale) => {
    for (const kopecks of [0, 1, 9, 10, 99, 100, 101, 999, 70000, 70050, 123456, 100000000, 987654321, MAX_KOPECKS]) {
      expect(parseRubles(formatRubles(kopecks, locale), locale)).toEqual({ ok: true, kopecks });
      expect(parseRubles(formatMoney(kopecks, locale), locale)).toEqual({ ok: true, kopecks });
    }
  });

  it('never goes through floating point (0.29 rubles is 29 kopecks, not 28.999…)', () => {
    expect(parseRubles('0,29', 'ru')).toEqual({ ok: true, kopecks: 29 });
    expect(parseRubles('1.15', 'en')).toEqual({ ok: true, kopecks: 115 });
    expect(parseRubles('4.35', 'en')).toEqual({ ok: true, kopecks: 435 });
  });
});
