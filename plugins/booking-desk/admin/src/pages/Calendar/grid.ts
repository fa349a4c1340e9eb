/**
 * The calendar grid's arithmetic, pure (no React, no DOM), so the unit tests import it
 * (tests/unit/booking-desk-calendar.test.ts): which days a view shows, the hours of the time axis, the hourly
 * cells of a resource with whether the space is open then, and where each booking's block goes (top, height and
 * the lane it takes when bookings overlap). Everything is in the space's time zone, as the server's rules are.
 */
import { addDays, localDateOf, weekdayOf, zonedInstant, type DateKey } from '../../../../../../src/domain/space-time';
import { parseClosedDates, parseOpeningHours, type MinuteRange } from '../../../../../../src/domain/availability';

export type CalendarView = 'day' | 'week';

export interface GridResource {
  documentId: string;
  openingHours: unknown;
  closedDates: unknown;
}

export interface GridBlock {
  documentId: string;
  resource: string | null;
  startAt: string;
  endAt: string;
}

const MINUTE_MS = 60_000;
const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** The view's days: the date itself, or Monday to Sunday of its week. */
export function viewDays(view: CalendarView, date: DateKey): DateKey[] {
  if (view === 'day') return [date];
  const weekday = weekdayOf(date);
  const fromMonday = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).indexOf(weekday as 'mon');
  const monday = addDays(date, -fromMonday);
  return Array.from({ length: 7 }, (_, index) => addDays(monday, index));
}

/** The date the "previous" / "next" buttons go to. */
export function shiftDate(view: CalendarView, date: DateKey, direction: -1 | 1): DateKey {
  return addDays(date, direction * (view === 'day' ? 1 : 7));
}

/** A valid `?date=` or today (in the space's time zone). */
export function dateOrToday(value: string | null, now: Date, timeZone: string): DateKey {
  if (value && DATE_KEY.test(value)) {
    const [year, month, day] = value.split('-').map(Number);
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day) return value;
  }
  return localDateOf(now, timeZone);
}

/** Opening minutes of a resource on a day ([] when closed that day, or when its hours cannot be read). */
export function openRanges(resource: GridResource, date: DateKey): MinuteRange[] {
  try {
    if (parseClosedDates(resource.closedDates).has(date)) return [];
    return parseOpeningHours(resource.openingHours)[weekdayOf(date)];
  } catch {
    return [];
  }
}

/** Whether a resource's hours are readable at all (unreadable ones are shown unshaded, with a note). */
export function hoursReadable(resource: GridResource): boolean {
  try {
    parseOpeningHours(resource.openingHours);
    return true;
  } catch {
    return false;
  }
}

/**
 * The hours of the time axis: from the earliest opening to the latest closing of the shown resources on the
 * shown days, widened to any booking shown, in whole hours; 08–20 when nothing is open.
 */
export function hourSpan(
  resources: readonly GridResource[],
  days: readonly DateKey[],
  blocks: readonly GridBlock[],
  timeZone: string,
): { startHour: number; endHour: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const resource of resources) {
    for (const day of days) {
      for (const range of openRanges(resource, day)) {
        first = Math.min(first, range.open);
        last = Math.max(last, range.close);
      }
    }
  }
  for (const block of blocks) {
    for (const day of days) {
      const placed = placeOnDay(block, day, timeZone);
      if (!placed) continue;
      first = Math.min(first, placed.startMinute);
      last = Math.max(last, placed.endMinute);
    }
  }
  if (!Number.isFinite(first) || !Number.isFinite(last)) return { startHour: 8, endHour: 20 };
  return { startHour: Math.floor(first / 60), endHour: Math.min(24, Math.ceil(last / 60)) };
}

/** Minutes since local midnight of `date` at `instant` (may be < 0 or > 1440 outside that day). */
export function minuteOfDay(instant: Date, date: DateKey, timeZone: string): number {
  return (instant.getTime() - zonedInstant(date, 0, timeZone).getTime()) / MINUTE_MS;
}

/** The part of a block that falls on `date`, in minutes since its local midnight; null when none does. */
export function placeOnDay(block: Pick<GridBlock, 'startAt' | 'endAt'>, date: DateKey, timeZone: string) {
  const dayStart = zonedInstant(date, 0, timeZone).getTime();
  const dayEnd = zonedInstant(addDays(date, 1), 0, timeZone).getTime();
  const start = new Date(block.startAt).getTime();
  const end = new Date(block.endAt).getTime();
  if (end <= dayStart || start >= dayEnd) return null;
  return {
    startMinute: (Math.max(start, dayStart) - dayStart) / MINUTE_MS,
    endMinute: (Math.min(end, dayEnd) - dayStart) / MINUTE_MS,
    continuesBefore: start < dayStart,
    continuesAfter: end > dayEnd,
  };
}

export interface SlotCell {
  /** ISO UTC instant of the cell's start (the `data-start` of the free-slot cell). */
  startAt: string;
  hour: number;
  /** The space is open for this resource during the whole hour. */
  open: boolean;
  /** The hour has already begun. */
  past: boolean;
}

/** One cell per hour of the axis for a resource on a day. */
export function slotCells(
  resource: GridResource,
  date: DateKey,
  span: { startHour: number; endHour: number },
  timeZone: string,
  now: Date,
): SlotCell[] {
  const ranges = openRanges(resource, date);
  const cells: SlotCell[] = [];
  for (let hour = span.startHour; hour < span.endHour; hour += 1) {
    const start = zonedInstant(date, hour * 60, timeZone);
    const open = ranges.some((range) => range.open <= hour * 60 && range.close >= hour * 60 + 60);
    cells.push({ startAt: start.toISOString(), hour, open, past: start.getTime() + 60 * MINUTE_MS <= now.getTime() });
  }
  return cells;
}

export interface PlacedBlock<B extends GridBlock> {
  block: B;
  startMinute: number;
  endMinute: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
  /** 0-based lane among the bookings it overlaps, and how many lanes that group needs. */
  lane: number;
  lanes: number;
}

/**
 * Places a column's blocks (one resource, one day) side by side where they overlap: each block takes the first
 * lane free at its start; a group of transitively overlapping blocks shares one lane count, so their widths match.
 */
export function layoutColumn<B extends GridBlock>(blocks: readonly B[], date: DateKey, timeZone: string): PlacedBlock<B>[] {
  const placed = blocks
    .map((block) => {
      const day = placeOnDay(block, date, timeZone);
      return day ? { block, ...day, lane: 0, lanes: 1 } : null;
    })
    .filter((entry): entry is PlacedBlock<B> => entry !== null)
    .sort((a, b) => a.startMinute - b.startMinute || b.endMinute - a.endMinute || a.block.documentId.localeCompare(b.block.documentId));

  let group: PlacedBlock<B>[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -Infinity;
  const closeGroup = () => {
    for (const entry of group) entry.lanes = laneEnds.length;
    group = [];
    laneEnds = [];
  };
  for (const entry of placed) {
    if (entry.startMinute >= groupEnd) {
      closeGroup();
      groupEnd = -Infinity;
    }
    let lane = laneEnds.findIndex((end) => end <= entry.startMinute);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(entry.endMinute);
    } else {
      laneEnds[lane] = entry.endMinute;
    }
    entry.lane = lane;
    group.push(entry);
    groupEnd = Math.max(groupEnd, entry.endMinute);
  }
  closeGroup();
  return placed;
}

/** Where "now" is on a day's axis, in minutes since its local midnight; null when now is not on that day. */
export function nowMinute(now: Date, date: DateKey, timeZone: string): number | null {
  if (localDateOf(now, timeZone) !== date) return null;
  return minuteOfDay(now, date, timeZone);
}

/** The `from` / `to` of the calendar request for the view (whole local days; the server includes `to`). */
export function rangeOf(days: readonly DateKey[]): { from: DateKey; to: DateKey } {
  return { from: days[0], to: days[days.length - 1] };
}
