import { parseDateTime } from '../../../src/domain/date-time';

describe('parseDateTime: the date-times clients send', () => {
  it.each([
    ['2026-12-11T10:00:00+03:00', '2026-12-11T07:00:00.000Z'],
    ['2026-12-11T07:00:00Z', '2026-12-11T07:00:00.000Z'],
    ['2026-12-11T10:00+03:00', '2026-12-11T07:00:00.000Z'],
    ['2026-12-11T10:00:00+0300', '2026-12-11T07:00:00.000Z'],
    ['2026-12-11T10:00:00.1239+03:00', '2026-12-11T07:00:00.123Z'],
    ['2026-12-11T10:00:00-00:00', '2026-12-11T10:00:00.000Z'],
    // The extremes of RFC 3339's grammar still name one instant.
    ['2026-12-11T10:00:00+23:59', '2026-12-10T10:01:00.000Z'],
    ['2026-12-11T10:00:00-23:59', '2026-12-12T09:59:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('Given %s, then it names %s', (text, instant) => {
    expect(parseDateTime(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['an offset of 99 hours', '2026-12-11T10:00:00+99:00'],
    ['an offset of 24 hours', '2026-12-11T10:00:00-24:00'],
    ['an offset of 60 minutes', '2026-12-11T10:00:00+03:60'],
    ['no offset at all', '2026-12-11T10:00:00'],
    ['an hour-only offset', '2026-12-11T10:00:00+03'],
    ['30 February', '2026-02-30T10:00:00Z'],
    ['29 February of a common year', '2026-02-29T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['hour 24', '2026-12-11T24:00:00Z'],
    ['minute 60', '2026-12-11T10:60:00Z'],
    ['second 60', '2026-12-11T10:00:60Z'],
    ['a date only', '2026-12-11'],
    ['words', 'tomorrow at ten'],
    ['an extended year', '+010000-01-01T00:00:00Z'],
  ])('Given %s, then it names no instant', (_case, text) => {
    expect(parseDateTime(text)).toBeNull();
  });
});
