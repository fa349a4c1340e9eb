import { addDays, addMonths, atLocal, localDateKey, minutesOf, timelineAt, weekdayOf } from '../../../database/seed/calendar';

describe('seed calendar (Europe/Moscow, UTC+3)', () => {
  it('turns a local day and time into the UTC instant', () => {
    // Given 09:30 on 1 March in Moscow, then it is 06:30 UTC
    expect(atLocal('2026-03-01', minutesOf('09:30')).toISOString()).toBe('2026-03-01T06:30:00.000Z');
    // And local midnight is 21:00 UTC the day before
    expect(atLocal('2026-03-01').toISOString()).toBe('2026-02-28T21:00:00.000Z');
  });

  it('gives the local date of an instant', () => {
    // Given 22:30 UTC, when asked for the Moscow date, then it is already the next day
    expect(localDateKey(new Date('2026-12-31T22:30:00Z'))).toBe('2027-01-01');
  });

  it('adds days and months across month ends', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    // Given 31 January plus one month, then it ends on the last day of February
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('names the weekday', () => {
    expect(weekdayOf('2026-11-23')).toBe('mon');
    expect(weekdayOf('2026-11-29')).toBe('sun');
  });

  it('spans six months back and two weeks ahead of the anchor', () => {
    // Given an anchor, when the timeline is built, then it covers 182 days back and 14 ahead
    const timeline = timelineAt(new Date('2026-11-25T10:00:00Z'));
    expect(timeline).toMatchObject({ today: '2026-11-25', firstDay: '2026-05-27', lastDay: '2026-12-09' });
  });
});
