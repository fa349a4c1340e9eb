import {
  bookingWindowProblem,
  checkInterval,
  countOverlaps,
  dayAvailability,
  DEFAULT_HORIZON_DAYS,
  hasRoom,
  hourlySlots,
  type HourlyRules,
  type Interval,
  intervalForUnits,
  type OpeningHours,
  parseClosedDates,
  parseOpeningHours,
  ScheduleError,
} from '../../../src/domain/availability';
import { addDays, localDateOf, zonedInstant } from '../../../src/domain/space-time';

const MOSCOW = 'Europe/Moscow';
const BERLIN = 'Europe/Berlin';

const day = (open: string, close: string) => [{ open, close }];
const week = (weekday: OpeningHours['mon'], sat: OpeningHours['sat'], sun: OpeningHours['sun']): OpeningHours => ({
  mon: weekday,
  tue: weekday,
  wed: weekday,
  thu: weekday,
  fri: weekday,
  sat,
  sun,
});
const ALWAYS = day('00:00', '24:00');

// 2026-03-02 is a Monday, 2026-03-07 a Saturday, 2026-03-08 a Sunday. Moscow is UTC+3 all year.
const MONDAY = '2026-03-02';
const SATURDAY = '2026-03-07';
const SUNDAY = '2026-03-08';
const iso = (text: string) => new Date(text);
const msk = (date: string, clock: string) => new Date(`${date}T${clock}:00+03:00`);
const booking = (startAt: Date, endAt: Date): Interval => ({ startAt, endAt });
const times = (slots: Interval[]) => slots.map((slot) => slot.startAt.toISOString());

/** A meeting room open 09–21 on weekdays, 10–18 on Saturdays, closed on Sundays; "now" is the Sunday before. */
const room = (overrides: Partial<HourlyRules> = {}): HourlyRules => ({
  timeZone: MOSCOW,
  openingHours: week(day('09:00', '21:00'), day('10:00', '18:00'), []),
  closedDates: ['2026-03-09'],
  capacity: 1,
  occupancy: [],
  now: msk('2026-03-01', '12:00'),
  ...overrides,
});

describe('hourlySlots: opening hours', () => {
  it('gives one slot per opening hour of that weekday', () => {
    // Given a room open 09–21 on Mondays, when Monday's slots are asked for
    const slots = hourlySlots({ ...room(), date: MONDAY });
    // Then there are 12 free hourly slots from 09:00 to 21:00 Moscow time
    expect(slots).toHaveLength(12);
    expect(slots[0]).toEqual({ startAt: msk(MONDAY, '09:00'), endAt: msk(MONDAY, '10:00'), free: true });
    expect(slots[11].endAt).toEqual(msk(MONDAY, '21:00'));
  });

  it('follows the hours of each weekday, and a closed weekday has no slots', () => {
    // Given Saturday 10–18 and Sunday closed, then Saturday has 8 slots from 10:00 and Sunday none
    const saturday = hourlySlots({ ...room(), date: SATURDAY });
    expect(saturday).toHaveLength(8);
    expect(saturday[0].startAt).toEqual(msk(SATURDAY, '10:00'));
    expect(hourlySlots({ ...room(), date: SUNDAY })).toEqual([]);
  });

  it('keeps a lunch break free of slots and merges touching intervals', () => {
    // Given Monday hours 09–13 and 14–18, with 13–14 a break
    const openingHours = week([{ open: '14:00', close: '18:00' }, { open: '09:00', close: '13:00' }], [], []);
    const slots = hourlySlots({ ...room({ openingHours }), date: MONDAY });
    // Then 13:00 is not offered, and slots come in time order although the JSON was not
    expect(times(slots)).not.toContain(msk(MONDAY, '13:00').toISOString());
    expect(slots).toHaveLength(8);
    expect(slots[0].startAt).toEqual(msk(MONDAY, '09:00'));
    // And given 09–13 and 13–18 written separately, then they are one continuous interval
    expect(parseOpeningHours(week([...day('09:00', '13:00'), ...day('13:00', '18:00')], [], [])).mon).toEqual([
      { open: 540, close: 1080 },
    ]);
  });

  it('uses the slot length it is given', () => {
    // Given 30-minute slots, then a 09–21 day has 24 of them
    expect(hourlySlots({ ...room({ slotMinutes: 30 }), date: MONDAY })).toHaveLength(24);
  });
});

describe('hourlySlots: closed dates', () => {
  it('offers nothing on a closed date, and checkInterval says why', () => {
    // Given 2026-03-09 (a Monday) in closedDates, then it has no slots
    expect(hourlySlots({ ...room(), date: '2026-03-09' })).toEqual([]);
    // And a request for it is refused as a closed date
    const check = checkInterval({ ...room(), startAt: msk('2026-03-09', '10:00'), endAt: msk('2026-03-09', '11:00') });
    expect(check).toEqual({ ok: false, reason: 'closed_date', message: 'The space is closed on 2026-03-09.' });
  });

  it('treats missing closedDates as none', () => {
    // Given closedDates null, then the Monday is open
    expect(hourlySlots({ ...room({ closedDates: null }), date: '2026-03-09' })).toHaveLength(12);
  });
});

describe('buffer between bookings', () => {
  const taken = [booking(msk(MONDAY, '12:00'), msk(MONDAY, '13:00'))];
  const freeAt = (rules: Partial<HourlyRules>) =>
    hourlySlots({ ...room({ occupancy: taken, ...rules }), date: MONDAY })
      .filter((slot) => slot.free)
      .map((slot) => slot.startAt.getUTCHours() + 3);

  it('without a buffer, the hours either side of a booking are free', () => {
    // Given a booking 12–13 and no buffer, then only 12:00 is taken
    expect(freeAt({})).toEqual([9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('with a buffer, the adjacent slots are blocked too', () => {
    // Given a 15-minute buffer, then 11:00 (ends 12:00, within 15 minutes) and 13:00 are not free either
    expect(freeAt({ bufferMinutes: 15 })).toEqual([9, 10, 14, 15, 16, 17, 18, 19, 20]);
    // And checkInterval refuses 13–14 and mentions the buffer
    const check = checkInterval({ ...room({ occupancy: taken, bufferMinutes: 15 }), startAt: msk(MONDAY, '13:00'), endAt: msk(MONDAY, '14:00') });
    expect(check).toEqual({
      ok: false,
      reason: 'full',
      message: 'This time is already fully booked, counting the 15 minutes kept free between bookings.',
    });
  });

  it('in a pool, the buffer widens each booking too: it counts as one place in the neighbouring slots', () => {
    // Given a 2-seat pool, a 15-minute buffer, and one booking 12–13
    const pool = room({ capacity: 2, bufferMinutes: 15, occupancy: [...taken, booking(msk(MONDAY, '13:00'), msk(MONDAY, '14:00'))] });
    // When the 13:00 slot is looked at, then the 12–13 booking (via the buffer) and the 13–14 booking fill both seats
    const slot = hourlySlots({ ...pool, date: MONDAY }).find((s) => s.startAt.getTime() === msk(MONDAY, '13:00').getTime());
    expect(slot?.free).toBe(false);
    // And 11:00 still has one seat left
    expect(checkInterval({ ...pool, startAt: msk(MONDAY, '11:00'), endAt: msk(MONDAY, '12:00') })).toEqual({ ok: true });
  });
});

describe('capacity: exclusive room and 30-seat pool', () => {
  const seats = (count: number) => Array.from({ length: count }, () => booking(msk(MONDAY, '10:00'), msk(MONDAY, '11:00')));
  const slotAtTen = (rules: HourlyRules) =>
    hourlySlots({ ...rules, date: MONDAY }).find((s) => s.startAt.getTime() === msk(MONDAY, '10:00').getTime());

  it('an exclusive room is full with one booking', () => {
    // Given capacity 1 and one booking 10–11, then 10:00 is taken and the next hour free
    const rules = room({ occupancy: seats(1) });
    expect(slotAtTen(rules)?.free).toBe(false);
    expect(checkInterval({ ...rules, startAt: msk(MONDAY, '11:00'), endAt: msk(MONDAY, '12:00') })).toEqual({ ok: true });
  });

  it('a 30-seat pool is full with 30 bookings and free with 29', () => {
    // Given 30 bookings 10–11, then the slot is full
    expect(slotAtTen(room({ capacity: 30, occupancy: seats(30) }))?.free).toBe(false);
    // Given 29, then it is free
    expect(slotAtTen(room({ capacity: 30, occupancy: seats(29) }))?.free).toBe(true);
    expect(checkInterval({ ...room({ capacity: 30, occupancy: seats(30) }), startAt: msk(MONDAY, '10:00'), endAt: msk(MONDAY, '11:00') })).toMatchObject({
      ok: false,
      reason: 'full',
      message: 'This time is already fully booked.',
    });
  });

  it('states the rule in small helpers: half-open overlaps and "fewer than capacity"', () => {
    const intervals = [
      booking(iso('2026-03-02T10:00:00Z'), iso('2026-03-02T11:00:00Z')),
      booking(iso('2026-03-02T11:00:00Z'), iso('2026-03-02T12:00:00Z')),
      booking(iso('2026-03-02T10:30:00Z'), iso('2026-03-02T10:30:00Z')), // empty: occupies nothing
    ];
    // Given [11:00, 12:00), then the booking ending at 11:00 does not overlap it
    expect(countOverlaps(intervals, iso('2026-03-02T11:00:00Z'), iso('2026-03-02T12:00:00Z'))).toBe(1);
    expect(countOverlaps(intervals, iso('2026-03-02T10:00:00Z'), iso('2026-03-02T12:00:00Z'))).toBe(2);
    expect(hasRoom(29, 30)).toBe(true);
    expect(hasRoom(30, 30)).toBe(false);
  });
});

describe('time: past, lead time, horizon', () => {
  it('shows no past slots for today, not even the one under way', () => {
    // Given it is Monday 14:30 in Moscow, then Monday's slots start at 15:00
    const slots = hourlySlots({ ...room({ now: msk(MONDAY, '14:30') }), date: MONDAY });
    expect(slots[0].startAt).toEqual(msk(MONDAY, '15:00'));
    expect(slots).toHaveLength(6);
    // And the hour under way is refused as past
    const check = checkInterval({ ...room({ now: msk(MONDAY, '14:30') }), startAt: msk(MONDAY, '14:00'), endAt: msk(MONDAY, '15:00') });
    expect(check).toMatchObject({ ok: false, reason: 'in_the_past' });
    // And a past date has no slots at all
    expect(hourlySlots({ ...room({ now: msk(MONDAY, '14:30') }), date: '2026-03-01' })).toEqual([]);
  });

  it('leaves out slots inside the lead time', () => {
    // Given it is 09:10 and bookings need 60 minutes' notice, then 10:00 is too soon and 11:00 is first
    const rules = room({ now: msk(MONDAY, '09:10'), minLeadMinutes: 60 });
    expect(hourlySlots({ ...rules, date: MONDAY })[0].startAt).toEqual(msk(MONDAY, '11:00'));
    expect(checkInterval({ ...rules, startAt: msk(MONDAY, '10:00'), endAt: msk(MONDAY, '11:00') })).toEqual({
      ok: false,
      reason: 'too_soon',
      message: 'Bookings must be made at least 1 hour in advance.',
    });
    expect(checkInterval({ ...rules, startAt: msk(MONDAY, '11:00'), endAt: msk(MONDAY, '12:00') })).toEqual({ ok: true });
  });

  it('offers dates up to 30 days ahead by default', () => {
    // Given today is Monday 2 March, then 1 April (today + 30) has slots and 2 April does not
    const rules = room({ now: msk(MONDAY, '08:00') });
    expect(DEFAULT_HORIZON_DAYS).toBe(30);
    expect(hourlySlots({ ...rules, date: addDays(MONDAY, 30) }).length).toBeGreaterThan(0);
    expect(hourlySlots({ ...rules, date: addDays(MONDAY, 31) })).toEqual([]);
    expect(checkInterval({ ...rules, startAt: msk('2026-04-02', '10:00'), endAt: msk('2026-04-02', '11:00') })).toEqual({
      ok: false,
      reason: 'beyond_horizon',
      message: 'Bookings open at most 30 days ahead, up to 2026-04-01.',
    });
    // And with a 7-day horizon, the Tuesday after next is out of reach
    expect(hourlySlots({ ...rules, horizonDays: 7, date: addDays(MONDAY, 8) })).toEqual([]);
  });
});

describe('multi-unit slots', () => {
  it('never crosses closing time', () => {
    // Given a 3-hour booking on a 09–21 Monday, then it can start from 09:00 to 18:00 and the last ends at 21:00
    const slots = hourlySlots({ ...room(), date: MONDAY, units: 3 });
    expect(slots).toHaveLength(10);
    expect(slots[9]).toMatchObject({ startAt: msk(MONDAY, '18:00'), endAt: msk(MONDAY, '21:00') });
  });

  it('fits inside one opening interval, not across a break', () => {
    // Given 09–13 and 14–18, when 2 hours are wanted, then no slot spans the break
    const rules = room({ openingHours: week([...day('09:00', '13:00'), ...day('14:00', '18:00')], [], []) });
    const starts = hourlySlots({ ...rules, date: MONDAY, units: 2 }).map((s) => s.startAt.getUTCHours() + 3);
    expect(starts).toEqual([9, 10, 11, 14, 15, 16]);
    expect(checkInterval({ ...rules, startAt: msk(MONDAY, '12:00'), endAt: msk(MONDAY, '14:00') })).toEqual({
      ok: false,
      reason: 'outside_opening_hours',
      message: 'On Mondays the space is open 09:00–13:00, 14:00–18:00; a booking must fit within those hours.',
    });
  });

  it('is taken when any of its hours is taken', () => {
    // Given a booking 12–13, then 2-hour slots starting 11:00 and 12:00 are taken
    const rules = room({ occupancy: [booking(msk(MONDAY, '12:00'), msk(MONDAY, '13:00'))] });
    const taken = hourlySlots({ ...rules, date: MONDAY, units: 2 }).filter((s) => !s.free);
    expect(taken.map((s) => s.startAt.getUTCHours() + 3)).toEqual([11, 12]);
  });
});

describe('checkInterval: shape of the request', () => {
  it('refuses times off the slot grid and partial hours', () => {
    // Given a start at 09:30 or a 90-minute booking, then both are misaligned
    const halfPast = checkInterval({ ...room(), startAt: msk(MONDAY, '09:30'), endAt: msk(MONDAY, '10:30') });
    expect(halfPast).toEqual({
      ok: false,
      reason: 'misaligned',
      message: 'Bookings start at 09:00 or a multiple of 1 hour later, and last a multiple of 1 hour.',
    });
    expect(checkInterval({ ...room(), startAt: msk(MONDAY, '09:00'), endAt: msk(MONDAY, '10:30') })).toMatchObject({ reason: 'misaligned' });
    // And an end before the start is refused
    expect(checkInterval({ ...room(), startAt: msk(MONDAY, '10:00'), endAt: msk(MONDAY, '09:00') })).toMatchObject({ reason: 'misaligned' });
  });

  it('names the weekday when the space is closed then', () => {
    expect(checkInterval({ ...room(), startAt: msk(SUNDAY, '10:00'), endAt: msk(SUNDAY, '11:00') })).toEqual({
      ok: false,
      reason: 'outside_opening_hours',
      message: 'The space is closed on Sundays.',
    });
    expect(checkInterval({ ...room(), startAt: msk(MONDAY, '20:00'), endAt: msk(MONDAY, '22:00') })).toMatchObject({
      reason: 'outside_opening_hours',
    });
  });

  it('agrees with hourlySlots on every slot', () => {
    // Given a busy pool, when every offered slot is checked, then checkInterval accepts exactly the free ones
    const at = (hour: number) => new Date(msk(MONDAY, '00:00').getTime() + hour * 3600_000);
    const occupancy = [9, 14, 19, 13, 18, 12, 17, 11].map((hour, i) => booking(at(hour), at(hour + 1 + (i % 2))));
    const rules = room({ capacity: 3, bufferMinutes: 15, occupancy, now: msk(MONDAY, '08:00') });
    const verdicts = new Set<boolean>();
    for (const units of [1, 2, 4]) {
      for (const slot of hourlySlots({ ...rules, date: MONDAY, units })) {
        expect(checkInterval({ ...rules, ...slot }).ok).toBe(slot.free);
        verdicts.add(slot.free);
      }
    }
    expect(verdicts.size).toBe(2);
  });
});

describe('DST in Europe/Berlin', () => {
  const berlin = (overrides: Partial<HourlyRules> = {}) =>
    room({ timeZone: BERLIN, openingHours: week(ALWAYS, ALWAYS, ALWAYS), closedDates: [], now: iso('2026-03-01T00:00:00Z'), horizonDays: 365, ...overrides });

  it('the spring-forward day has 23 hourly slots, the fall-back day 25', () => {
    // Given 00:00–24:00 on Sunday 29 March 2026 (02:00 CET → 03:00 CEST)
    const spring = hourlySlots({ ...berlin(), date: '2026-03-29' });
    expect(spring).toHaveLength(23);
    expect(spring[0].startAt.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(spring[22].endAt.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // And every slot lasts one real hour, the third starting at 03:00 CEST
    expect(spring[2].startAt.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // Given Sunday 25 October 2026 (03:00 CEST → 02:00 CET), then 25 slots
    const autumn = hourlySlots({ ...berlin(), date: '2026-10-25' });
    expect(autumn).toHaveLength(25);
    expect(autumn[0].startAt.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(autumn[24].endAt.toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('opening hours keep their local time on both sides of the change', () => {
    // Given 09–21 every day, then 09:00 is 08:00 UTC on Saturday (CET) and 07:00 UTC on Monday (CEST)
    const rules = berlin({ openingHours: week(day('09:00', '21:00'), day('09:00', '21:00'), day('09:00', '21:00')) });
    expect(hourlySlots({ ...rules, date: '2026-03-28' })[0].startAt.toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(hourlySlots({ ...rules, date: '2026-03-29' })).toHaveLength(12);
    expect(hourlySlots({ ...rules, date: '2026-03-30' })[0].startAt.toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('resolves local times that do not exist or happen twice', () => {
    // Given 02:30 on the spring day, which does not exist, then it is moved to 03:30 CEST
    expect(zonedInstant('2026-03-29', 150, BERLIN).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // Given 02:30 on the autumn day, which happens twice, then the first (CEST) is taken
    expect(zonedInstant('2026-10-25', 150, BERLIN).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // And hours opening inside the gap start at the first real instant after it
    const rules = berlin({ openingHours: week(ALWAYS, ALWAYS, day('02:30', '05:00')) });
    expect(times(hourlySlots({ ...rules, date: '2026-03-29', slotMinutes: 30 }))).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T02:30:00.000Z',
    ]);
  });

  it('a day booking on the spring day lasts 23 hours, and day checks accept its midnights', () => {
    // Given a day tariff on 29 March, then the interval is local midnight to local midnight
    const span = intervalForUnits({ billingUnit: 'day', startDate: '2026-03-29', units: 1, timeZone: BERLIN });
    expect(span.startAt.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(span.endAt.getTime() - span.startAt.getTime()).toBe(23 * 3600 * 1000);
    expect(checkInterval({ ...berlin(), ...span, billingUnit: 'day' })).toEqual({ ok: true });
  });
});

describe('Moscow midnight boundaries', () => {
  const allDay = (overrides: Partial<HourlyRules> = {}) => room({ openingHours: week(ALWAYS, ALWAYS, ALWAYS), closedDates: [], ...overrides });

  it('the local date changes at 21:00 UTC', () => {
    // Given 20:59 UTC on 2 March, then it is still Monday in Moscow; at 21:00 UTC it is Tuesday
    expect(localDateOf(iso('2026-03-02T20:59:59Z'), MOSCOW)).toBe(MONDAY);
    expect(localDateOf(iso('2026-03-02T21:00:00Z'), MOSCOW)).toBe('2026-03-03');
  });

  it('"today" has no slots left at 23:59 and tomorrow starts at local midnight', () => {
    // Given it is 23:59 on Monday in Moscow
    const rules = allDay({ now: iso('2026-03-02T20:59:00Z') });
    // Then Monday has no slots left (23:00 is under way) and Tuesday's first slot is 21:00 UTC
    expect(hourlySlots({ ...rules, date: MONDAY })).toEqual([]);
    const tuesday = hourlySlots({ ...rules, date: '2026-03-03' });
    expect(tuesday).toHaveLength(24);
    expect(tuesday[0].startAt.toISOString()).toBe('2026-03-02T21:00:00.000Z');
  });

  it('a booking just after local midnight belongs to the next day', () => {
    // Given a 00:30–01:30 Tuesday booking in a 1-place room (21:30 UTC on Monday)
    const rules = allDay({ occupancy: [booking(iso('2026-03-02T21:30:00Z'), iso('2026-03-02T22:30:00Z'))] });
    // Then Monday's day availability is untouched and Tuesday's is taken
    expect(dayAvailability({ ...rules, date: MONDAY })).toEqual({ free: 1, capacity: 1, taken: 0, open: true });
    expect(dayAvailability({ ...rules, date: '2026-03-03' })).toEqual({ free: 0, capacity: 1, taken: 1, open: true });
    // And Monday's last hourly slot (23:00–24:00) is still free
    const last = hourlySlots({ ...rules, date: MONDAY }).at(-1);
    expect(last).toEqual({ startAt: iso('2026-03-02T20:00:00Z'), endAt: iso('2026-03-02T21:00:00Z'), free: true });
  });
});

describe('dayAvailability', () => {
  const openSpace = (overrides: Partial<HourlyRules> = {}) =>
    room({ capacity: 30, openingHours: week(day('08:00', '22:00'), day('10:00', '20:00'), []), ...overrides });
  const dayPass = (date: string) => intervalForUnits({ billingUnit: 'day', startDate: date, units: 1, timeZone: MOSCOW });

  it('counts everything that overlaps the local day', () => {
    // Given 5 day passes for Monday, one hourly booking on Monday and 2 passes on Tuesday
    const occupancy = [
      ...Array.from({ length: 5 }, () => dayPass(MONDAY)),
      booking(msk(MONDAY, '10:00'), msk(MONDAY, '12:00')),
      dayPass('2026-03-03'),
      dayPass('2026-03-03'),
    ];
    // Then Monday has 6 taken and 24 free
    expect(dayAvailability({ ...openSpace({ occupancy }), date: MONDAY })).toEqual({ free: 24, capacity: 30, taken: 6, open: true });
    // And 30 day passes leave nothing
    const full = Array.from({ length: 30 }, () => dayPass(MONDAY));
    expect(dayAvailability({ ...openSpace({ occupancy: full }), date: MONDAY })).toEqual({ free: 0, capacity: 30, taken: 30, open: true });
  });

  it('is not open on closed dates, closed weekdays, past dates, beyond the horizon, or after today closes', () => {
    const closed = (rules: HourlyRules, date: string) => dayAvailability({ ...rules, date });
    expect(closed(openSpace(), '2026-03-09')).toEqual({ free: 0, capacity: 30, taken: 0, open: false });
    expect(closed(openSpace(), SUNDAY).open).toBe(false);
    expect(closed(openSpace(), '2026-02-28').open).toBe(false);
    expect(closed(openSpace(), addDays('2026-03-01', 31)).open).toBe(false);
    // Given it is Monday 21:59, then Monday can still be booked; at 22:00 it cannot
    expect(closed(openSpace({ now: msk(MONDAY, '21:59') }), MONDAY).open).toBe(true);
    expect(closed(openSpace({ now: msk(MONDAY, '22:00') }), MONDAY).open).toBe(false);
  });

  it('for a month, counts bookings anywhere in the month', () => {
    // Given a desk taken from 15 March for a month, when a month from 1 March is asked for, then it counts
    const occupancy = [intervalForUnits({ billingUnit: 'month', startDate: '2026-03-15', units: 1, timeZone: MOSCOW })];
    expect(dayAvailability({ ...openSpace({ occupancy }), date: MONDAY, billingUnit: 'month' })).toMatchObject({ taken: 1, free: 29 });
    expect(dayAvailability({ ...openSpace({ occupancy }), date: MONDAY }).taken).toBe(0);
  });

  it('checkInterval applies the same rules to day bookings', () => {
    const rules = openSpace({ occupancy: Array.from({ length: 30 }, () => dayPass('2026-03-03')) });
    expect(checkInterval({ ...rules, ...dayPass(MONDAY), billingUnit: 'day' })).toEqual({ ok: true });
    expect(checkInterval({ ...rules, ...dayPass('2026-03-03'), billingUnit: 'day' })).toEqual({
      ok: false,
      reason: 'full',
      message: 'There are no free places for these dates.',
    });
    expect(checkInterval({ ...rules, startAt: msk(MONDAY, '09:00'), endAt: msk('2026-03-03', '09:00'), billingUnit: 'day' })).toMatchObject({
      reason: 'misaligned',
    });
    expect(checkInterval({ ...openSpace({ now: msk(MONDAY, '23:00') }), ...dayPass(MONDAY), billingUnit: 'day' })).toEqual({
      ok: false,
      reason: 'in_the_past',
      message: "Today's opening hours are over.",
    });
  });
});

describe('intervalForUnits', () => {
  it('hour: start plus whole hours', () => {
    const start = msk(MONDAY, '10:00');
    expect(intervalForUnits({ billingUnit: 'hour', startAt: start, units: 3, timeZone: MOSCOW })).toEqual({
      startAt: start,
      endAt: msk(MONDAY, '13:00'),
    });
  });

  it('day: local midnight to local midnight, across the year end', () => {
    expect(intervalForUnits({ billingUnit: 'day', startDate: '2026-12-31', units: 2, timeZone: MOSCOW })).toEqual({
      startAt: iso('2026-12-30T21:00:00Z'),
      endAt: iso('2027-01-01T21:00:00Z'),
    });
    // Given a startAt at 01:00 Moscow time (22:00 UTC the day before), then it stands for that Moscow day
    expect(intervalForUnits({ billingUnit: 'day', startAt: iso('2026-03-02T22:00:00Z'), units: 1, timeZone: MOSCOW }).startAt).toEqual(
      iso('2026-03-02T21:00:00Z'),
    );
  });

  it('month: calendar months, clamped to shorter months, across the year end', () => {
    const month = (startDate: string, units: number) =>
      localDateOf(intervalForUnits({ billingUnit: 'month', startDate, units, timeZone: MOSCOW }).endAt, MOSCOW);
    expect(month('2026-01-31', 1)).toBe('2026-02-28');
    expect(month('2028-01-31', 1)).toBe('2028-02-29');
    expect(month('2026-01-31', 2)).toBe('2026-03-31');
    expect(month('2026-11-15', 3)).toBe('2027-02-15');
    expect(month('2026-12-31', 1)).toBe('2027-01-31');
    expect(intervalForUnits({ billingUnit: 'month', startDate: '2026-12-01', units: 1, timeZone: MOSCOW })).toEqual({
      startAt: iso('2026-11-30T21:00:00Z'),
      endAt: iso('2026-12-31T21:00:00Z'),
    });
  });
});

describe('validation', () => {
  const openingHoursError = (value: unknown) => {
    try {
      parseOpeningHours(value);
    } catch (error) {
      expect(error).toBeInstanceOf(ScheduleError);
      return (error as ScheduleError).message;
    }
    throw new Error('expected a ScheduleError');
  };
  const valid = week(day('09:00', '21:00'), [], []);

  it('explains bad openingHours shapes, with the path to the problem', () => {
    expect(openingHoursError(null)).toBe('Invalid openingHours: openingHours must be an object with a list of intervals for each weekday, mon … sun');
    expect(openingHoursError(undefined)).toMatch(/openingHours is not set/);
    const { sat: _omitted, ...withoutSaturday } = valid;
    expect(openingHoursError(withoutSaturday)).toBe('Invalid openingHours: openingHours.sat is missing (use [] for a day the space is closed)');
    expect(openingHoursError({ ...valid, monday: [] })).toMatch(/Unrecognized key\(s\) in object: 'monday'/);
    expect(openingHoursError({ ...valid, mon: day('9:00', '21:00') })).toBe(
      'Invalid openingHours: openingHours.mon[0].open must be a time "HH:MM" from 00:00 to 24:00',
    );
    expect(openingHoursError({ ...valid, tue: day('21:00', '09:00') })).toBe(
      'Invalid openingHours: openingHours.tue[0].close must be after open, on the same day',
    );
    expect(openingHoursError({ ...valid, wed: [...day('09:00', '13:00'), ...day('12:00', '18:00')] })).toBe(
      'Invalid openingHours: openingHours.wed intervals 09:00–13:00 and 12:00–18:00 overlap',
    );
    expect(openingHoursError({ ...valid, thu: { open: '09:00', close: '21:00' } })).toMatch(/openingHours\.thu must be a list/);
  });

  it('explains bad closedDates and lists every problem', () => {
    expect(() => parseClosedDates('2026-01-01')).toThrow('Invalid closedDates: closedDates must be a list of dates "YYYY-MM-DD"');
    let issues: string[] = [];
    try {
      parseClosedDates(['2026-01-01', '2026-02-30', 20260101]);
    } catch (error) {
      issues = (error as ScheduleError).issues;
    }
    expect(issues).toEqual(['closedDates[1] must be a real date "YYYY-MM-DD"', 'closedDates[2] must be a date "YYYY-MM-DD"']);
    expect(parseClosedDates(undefined).size).toBe(0);
  });

  it('refuses bad arguments and bad resource JSON when asked for slots', () => {
    expect(() => hourlySlots({ ...room({ openingHours: { mon: [] } }), date: MONDAY })).toThrow(ScheduleError);
    expect(() => hourlySlots({ ...room(), date: '2026-3-2' })).toThrow('date must be a date "YYYY-MM-DD", got "2026-3-2"');
    expect(() => hourlySlots({ ...room(), date: MONDAY, units: 0 })).toThrow('units must be an integer of at least 1, got 0');
    expect(() => hourlySlots({ ...room({ timeZone: 'Mars/Olympus' }), date: MONDAY })).toThrow('Unknown time zone "Mars/Olympus"');
    expect(() => dayAvailability({ ...room({ capacity: 0 }), date: MONDAY })).toThrow('capacity must be an integer of at least 1');
  });
});

describe('performance sanity', () => {
  it('handles 10,000 occupancy intervals and agrees with a plain count', () => {
    // Given 10,000 bookings of 1–3 hours scattered over 60 days in a 30-seat pool, from a fixed pseudo-random sequence
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const from = msk('2026-03-01', '00:00').getTime();
    const occupancy = Array.from({ length: 10_000 }, () => {
      const start = from + Math.floor(next() * 60 * 24) * 3600_000;
      return booking(new Date(start), new Date(start + (1 + Math.floor(next() * 3)) * 3600_000));
    });
    const rules = room({ capacity: 30, bufferMinutes: 15, occupancy, openingHours: week(ALWAYS, ALWAYS, ALWAYS), closedDates: [] });
    const verdicts = new Set<boolean>();
    // When every day of the horizon is asked for 2-hour slots
    for (let offset = 1; offset <= 30; offset++) {
      const slots = hourlySlots({ ...rules, date: addDays('2026-03-01', offset), units: 2 });
      // Then each day has 23 slots and each verdict matches a plain count over the buffered window
      expect(slots).toHaveLength(23);
      for (const slot of slots) {
        const overlapping = countOverlaps(occupancy, new Date(slot.startAt.getTime() - 15 * 60_000), new Date(slot.endAt.getTime() + 15 * 60_000));
        expect(slot.free).toBe(overlapping < 30);
        verdicts.add(slot.free);
      }
    }
    // And the data is busy enough that both verdicts occur
    expect([...verdicts].sort()).toEqual([false, true]);
  });
});

describe('bookingWindowProblem: starts far outside the bookable window', () => {
  const window = { now: msk(MONDAY, '08:00'), timeZone: MOSCOW, horizonDays: 30 };

  it('Given the last second of the year 9999, then it is beyond the horizon, not in the past', () => {
    // Its local date in Moscow is in the year 10000, which no date key can hold.
    expect(bookingWindowProblem({ ...window, startAt: iso('9999-12-31T23:59:59Z') })).toEqual({
      ok: false,
      reason: 'beyond_horizon',
      message: 'Bookings open at most 30 days ahead, up to 2026-04-01.',
    });
  });

  it('Given a start in the year 1, then it has already passed', () => {
    expect(bookingWindowProblem({ ...window, startAt: iso('0001-01-01T00:00:00Z') })).toMatchObject({ reason: 'in_the_past' });
  });

  it('Given the first and last bookable days, then neither is refused', () => {
    // Today from its local midnight (a day booking may start then), the last day until its end.
    expect(bookingWindowProblem({ ...window, startAt: msk(MONDAY, '00:00') })).toBeNull();
    expect(bookingWindowProblem({ ...window, startAt: msk('2026-04-01', '23:59') })).toBeNull();
    expect(bookingWindowProblem({ ...window, startAt: msk('2026-04-02', '00:00') })).toMatchObject({ reason: 'beyond_horizon' });
  });

  it('Given a day booking in the year 9999, then checkInterval refuses it as beyond the horizon', () => {
    const startAt = iso('9999-12-30T21:00:00Z');
    const endAt = iso('9999-12-31T21:00:00Z');
    expect(checkInterval({ ...room({ capacity: 30, now: msk(MONDAY, '08:00') }), startAt, endAt, billingUnit: 'day' })).toMatchObject({
      ok: false,
      reason: 'beyond_horizon',
    });
  });
});
