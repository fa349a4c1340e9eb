/**
 * Pure parts of the bookings calendar: the request's date range (plugins/booking-desk/server/src/services/
 * calendar-range.ts) and the grid's layout (plugins/booking-desk/admin/src/pages/Calendar/grid.ts).
 */
import {
  addDays as serverAddDays,
  localDateOf as serverLocalDateOf,
  longestBookingMs,
  parseBound,
  resolveRange,
  zonedInstant as serverZonedInstant,
} from '../../plugins/booking-desk/server/src/services/calendar-range';
import {
  dateOrToday,
  hourSpan,
  layoutColumn,
  nowMinute,
  placeOnDay,
  shiftDate,
  slotCells,
  viewDays,
} from '../../plugins/booking-desk/admin/src/pages/Calendar/grid';
import { localDateOf, zonedInstant } from '../../src/domain/space-time';
import { renderNotification } from '../../src/api/notification/render';

const MSK = 'Europe/Moscow';
const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const hours = (open: string, close: string) => {
  const day = [{ open, close }];
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] };
};

describe('calendar range (server)', () => {
  it('reads dates and date-times with an offset, and nothing else', () => {
    expect(parseBound('2026-06-01')).toEqual({ kind: 'date', date: '2026-06-01' });
    expect(parseBound('2026-06-01T10:00:00+03:00')).toEqual({ kind: 'instant', instant: new Date('2026-06-01T07:00:00Z') });
    expect(parseBound('2026-06-01T07:00Z')).toEqual({ kind: 'instant', instant: new Date('2026-06-01T07:00:00Z') });
    for (const bad of ['2026-02-30', '2026-06-01T10:00:00', '2026-06-01T10:00:00+24:00', 'tomorrow', '', '2026-6-1']) {
      expect(parseBound(bad)).toBeNull();
    }
  });

  it('takes a date `to` whole, so one date is one local day', () => {
    const range = resolveRange({ kind: 'date', date: '2026-06-01' }, { kind: 'date', date: '2026-06-01' }, MSK);
    expect(range).toEqual({ ok: true, from: new Date('2026-05-31T21:00:00Z'), to: new Date('2026-06-01T21:00:00Z') });
  });

  it('allows 31 days, across a daylight-saving change too, and refuses 32 or a backwards range', () => {
    expect(resolveRange({ kind: 'date', date: '2026-03-01' }, { kind: 'date', date: '2026-03-31' }, BERLIN).ok).toBe(true);
    expect(resolveRange({ kind: 'date', date: '2026-10-01' }, { kind: 'date', date: '2026-10-31' }, BERLIN).ok).toBe(true);
    expect(resolveRange({ kind: 'date', date: '2026-03-01' }, { kind: 'date', date: '2026-04-01' }, MSK)).toMatchObject({ ok: false, field: 'to' });
    expect(resolveRange({ kind: 'date', date: '2026-03-02' }, { kind: 'date', date: '2026-03-01' }, MSK).ok).toBe(false);
    const instant = { kind: 'instant', instant: new Date('2026-03-01T10:00:00Z') } as const;
    expect(resolveRange(instant, instant, MSK).ok).toBe(false);
  });

  it('does wall-clock arithmetic as the app does (src/domain/space-time.ts)', () => {
    for (const zone of [MSK, BERLIN, 'America/New_York']) {
      for (const date of ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01', '2026-12-31']) {
        for (const minutes of [0, 90, 150, 600, 1439]) {
          expect(serverZonedInstant(date, minutes, zone)).toEqual(zonedInstant(date, minutes, zone));
        }
        const noon = zonedInstant(date, 720, zone);
        expect(serverLocalDateOf(noon, zone)).toBe(localDateOf(noon, zone));
      }
    }
    expect(serverAddDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(serverAddDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('looks back as far as the longest booking a tariff allows, at least a day', () => {
    expect(longestBookingMs([])).toBe(2 * DAY);
    expect(longestBookingMs([{ billingUnit: 'hour', maxUnits: 8 }])).toBe(2 * DAY);
    expect(longestBookingMs([{ billingUnit: 'day', maxUnits: 5 }, { billingUnit: 'hour', maxUnits: 12 }])).toBe(6 * DAY);
    expect(longestBookingMs([{ billingUnit: 'month', maxUnits: 2 }])).toBe(63 * DAY);
  });
});

describe('calendar grid (admin page)', () => {
  const room = { documentId: 'room', openingHours: hours('09:00', '18:00'), closedDates: ['2026-06-03'] };
  const late = { documentId: 'late', openingHours: hours('12:00', '22:30'), closedDates: [] };

  it('shows a day, or Monday to Sunday of its week, and moves by a day or a week', () => {
    expect(viewDays('day', '2026-06-03')).toEqual(['2026-06-03']);
    // 2026-06-03 is a Wednesday; 2026-06-07 a Sunday
    expect(viewDays('week', '2026-06-03')).toEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07']);
    expect(viewDays('week', '2026-06-07')[0]).toBe('2026-06-01');
    expect(shiftDate('week', '2026-06-03', -1)).toBe('2026-05-27');
    expect(shiftDate('day', '2026-06-30', 1)).toBe('2026-07-01');
  });

  it('takes a valid ?date= and today otherwise', () => {
    const now = new Date('2026-06-01T22:30:00Z'); // already 2 June in Moscow
    expect(dateOrToday('2026-06-10', now, MSK)).toBe('2026-06-10');
    expect(dateOrToday('2026-02-30', now, MSK)).toBe('2026-06-02');
    expect(dateOrToday(null, now, MSK)).toBe('2026-06-02');
  });

  it('spans the axis from the earliest opening to the latest closing, widened to bookings', () => {
    expect(hourSpan([room, late], ['2026-06-01'], [], MSK)).toEqual({ startHour: 9, endHour: 23 });
    const early = { documentId: 'b', resource: 'room', startAt: '2026-06-01T04:30:00Z', endAt: '2026-06-01T05:30:00Z' }; // 07:30–08:30 MSK
    expect(hourSpan([room], ['2026-06-01'], [early], MSK)).toEqual({ startHour: 7, endHour: 18 });
    // Saturday: nothing open
    expect(hourSpan([room], ['2026-06-06'], [], MSK)).toEqual({ startHour: 8, endHour: 20 });
  });

  it('marks hourly cells open only inside opening hours and not on closed dates, with their UTC start', () => {
    const now = new Date('2026-06-01T07:30:00Z'); // 10:30 MSK
    const cells = slotCells(room, '2026-06-01', { startHour: 8, endHour: 19 }, MSK, now);
    expect(cells[0]).toEqual({ startAt: '2026-06-01T05:00:00.000Z', hour: 8, open: false, past: true });
    expect(cells[1]).toMatchObject({ startAt: '2026-06-01T06:00:00.000Z', hour: 9, open: true, past: true });
    expect(cells[2]).toMatchObject({ hour: 10, open: true, past: false }); // under way: not over yet
    expect(cells.at(-1)).toMatchObject({ hour: 18, open: false });
    expect(slotCells(room, '2026-06-03', { startHour: 9, endHour: 18 }, MSK, now).every((cell) => !cell.open)).toBe(true);
    // Half-hour closing: the 22:00 hour is not whole, so not offered
    expect(slotCells(late, '2026-06-01', { startHour: 21, endHour: 23 }, MSK, now).map((cell) => cell.open)).toEqual([true, false]);
  });

  it('clips blocks to the day and puts overlapping ones side by side', () => {
    const block = (documentId: string, from: string, to: string) => ({
      documentId,
      resource: 'room',
      startAt: zonedInstant('2026-06-01', Number(from.slice(0, 2)) * 60 + Number(from.slice(3)), MSK).toISOString(),
      endAt: zonedInstant('2026-06-01', Number(to.slice(0, 2)) * 60 + Number(to.slice(3)), MSK).toISOString(),
    });
    const placed = layoutColumn(
      [block('a', '10:00', '12:00'), block('b', '11:00', '13:00'), block('c', '12:00', '14:00'), block('d', '15:00', '16:00')],
      '2026-06-01',
      MSK,
    );
    const byId = Object.fromEntries(placed.map((entry) => [entry.block.documentId, entry]));
    expect(byId.a).toMatchObject({ startMinute: 600, endMinute: 720, lane: 0, lanes: 2 });
    expect(byId.b).toMatchObject({ lane: 1, lanes: 2 });
    expect(byId.c).toMatchObject({ lane: 0, lanes: 2 }); // a's lane is free again at 12:00
    expect(byId.d).toMatchObject({ lane: 0, lanes: 1 });

    const overnight = { documentId: 'n', startAt: '2026-06-01T18:00:00Z', endAt: '2026-06-02T03:00:00Z' }; // 21:00–06:00 MSK
    expect(placeOnDay(overnight, '2026-06-01', MSK)).toEqual({ startMinute: 1260, endMinute: 1440, continuesBefore: false, continuesAfter: true });
    expect(placeOnDay(overnight, '2026-06-02', MSK)).toEqual({ startMinute: 0, endMinute: 360, continuesBefore: true, continuesAfter: false });
    expect(placeOnDay(overnight, '2026-06-03', MSK)).toBeNull();
  });

  it('puts "now" on today only', () => {
    const now = new Date('2026-06-01T07:15:00Z');
    expect(nowMinute(now, '2026-06-01', MSK)).toBe(615);
    expect(nowMinute(now, '2026-06-02', MSK)).toBeNull();
  });
});

describe('payment_link notification (a staff booking with a payment link)', () => {
  const input = {
    kind: 'booking' as const,
    event: 'payment_link' as const,
    booking: {
      startAt: new Date('2026-06-01T07:00:00Z'),
      endAt: new Date('2026-06-01T09:00:00Z'),
      priceTotal: 150050,
      resourceName: 'Room <A>',
      tariffName: 'Hour',
      cancelReason: null,
    },
    payment: { url: 'https://pay.example/checkout?id=1&x="2"', until: new Date('2026-05-31T07:15:00Z') },
  };

  it('gives the amount, the escaped link and the time to pay by, in the member’s language', () => {
    const ru = renderNotification(input, { language: 'ru', timeZone: MSK, now: new Date('2026-05-31T07:00:00Z') });
    expect(ru).toContain('Администратор забронировал для вас время');
    expect(ru).toContain('К оплате: 1 500,50 ₽');
    expect(ru).toContain('<a href="https://pay.example/checkout?id=1&amp;x=&quot;2&quot;">Оплатить онлайн</a> до 10:15');
    expect(ru).toContain('<b>Room &lt;A&gt;</b> · Hour');
    const en = renderNotification(input, { language: 'en', timeZone: MSK, now: new Date('2026-05-31T07:00:00Z') });
    expect(en).toContain('Pay online</a> by 10:15');
  });
});
