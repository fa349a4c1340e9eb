/**
 * Availability of one resource (issue 3, "Availability"): pure functions, no Strapi, no I/O, `now`
 * passed in. The booking transaction counts overlapping bookings with the same rule as `countOverlaps`
 * over `bufferedWindow`, so what is shown free here is what the transaction accepts.
 *
 * Rules and boundaries:
 * - Intervals are half-open, [startAt, endAt): a booking ending at 10:00 does not overlap one starting at 10:00.
 * - Opening hours are per weekday, in the space's timezone, on one local day (close ≤ 24:00). A booking
 *   must fit inside one opening interval; touching intervals (09–13, 13–18) are merged into one.
 * - Slots start at an opening time plus whole slot lengths of elapsed time, so on a DST day a slot is
 *   always `slotMinutes` long (Berlin's 00:00–24:00 on the spring-forward day has 23 hourly slots).
 * - Buffer: a slot is free while fewer than `capacity` occupancy intervals overlap
 *   [start − buffer, end + buffer). The same rule holds for pools (it is one count per booking, not a
 *   peak of concurrent seats), which is conservative for long slots in a pool but matches the SQL count.
 * - "Today" and the horizon are local dates: bookable dates run from today to today + horizonDays.
 *   An hourly slot must start at or after now + minLeadMinutes, so one already under way is gone.
 * - Day and month bookings occupy local midnight to local midnight. Today stays bookable until its
 *   last closing time; the lead time does not apply to them; only the first day's opening is checked.
 */
import { z } from 'zod';

import {
  addDays,
  addMonths,
  assertTimeZone,
  type DateKey,
  HOUR_MS,
  isDateKey,
  localDateOf,
  MINUTE_MS,
  type Weekday,
  weekdayOf,
  zonedInstant,
} from './space-time';

export const DEFAULT_HORIZON_DAYS = 30;
export const DEFAULT_SLOT_MINUTES = 60;

export type BillingUnit = 'hour' | 'day' | 'month';

export interface Interval {
  startAt: Date;
  endAt: Date;
}

export interface Slot extends Interval {
  free: boolean;
}

// ---------------------------------------------------------------------------------------------------
// The resource's JSON fields
// ---------------------------------------------------------------------------------------------------

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

const clockOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const CLOCK = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

const clock = z
  .string({ required_error: 'is missing', invalid_type_error: 'must be a time "HH:MM"' })
  .regex(CLOCK, 'must be a time "HH:MM" from 00:00 to 24:00');

const openingInterval = z
  .object(
    { open: clock, close: clock },
    { invalid_type_error: 'must be an interval { "open": "HH:MM", "close": "HH:MM" }' },
  )
  .strict()
  // A malformed clock is already reported; comparing it would add a second, misleading issue.
  .refine((i) => !CLOCK.test(i.open) || !CLOCK.test(i.close) || minutesOf(i.close) > minutesOf(i.open), {
    message: 'must be after open, on the same day',
    path: ['close'],
  });

/** Minutes after local midnight; `close` may be 1440 (24:00). */
export interface MinuteRange {
  open: number;
  close: number;
}

const dayHours = z
  .array(openingInterval, {
    required_error: 'is missing (use [] for a day the space is closed)',
    invalid_type_error: 'must be a list of { "open", "close" } intervals ([] when closed)',
  })
  .transform((intervals, ctx): MinuteRange[] => {
    const sorted = intervals
      .map((interval) => ({ open: minutesOf(interval.open), close: minutesOf(interval.close) }))
      .sort((a, b) => a.open - b.open);
    const merged: MinuteRange[] = [];
    for (const range of sorted) {
      const last = merged[merged.length - 1];
      if (last && range.open < last.close) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `intervals ${clockOf(last.open)}–${clockOf(last.close)} and ${clockOf(range.open)}–${clockOf(range.close)} overlap`,
        });
        return z.NEVER;
      }
      if (last && range.open === last.close) last.close = range.close;
      else merged.push(range);
    }
    return merged;
  });

const openingHoursSchema = z
  .object(
    { mon: dayHours, tue: dayHours, wed: dayHours, thu: dayHours, fri: dayHours, sat: dayHours, sun: dayHours },
    {
      required_error: 'is not set: give a list of intervals for each weekday, mon … sun',
      invalid_type_error: 'must be an object with a list of intervals for each weekday, mon … sun',
    },
  )
  .strict();

const closedDatesSchema = z
  .array(z.string({ invalid_type_error: 'must be a date "YYYY-MM-DD"' }).refine(isDateKey, 'must be a real date "YYYY-MM-DD"'), {
    invalid_type_error: 'must be a list of dates "YYYY-MM-DD"',
  })
  .nullish()
  .transform((dates) => new Set(dates ?? []));

/** The JSON shape of `resource.openingHours`, in the space's local time. */
export type OpeningHours = z.input<typeof openingHoursSchema>;
export type WeeklyHours = Record<Weekday, MinuteRange[]>;

/** A resource's openingHours or closedDates JSON has the wrong shape; `issues` has one line per problem. */
export class ScheduleError extends Error {
  constructor(
    readonly field: 'openingHours' | 'closedDates',
    readonly issues: string[],
  ) {
    super(`Invalid ${field}: ${issues.join('; ')}`);
    this.name = 'ScheduleError';
  }
}

function parseWith<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, field: ScheduleError['field'], value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ScheduleError(
    field,
    result.error.issues.map((issue) => {
      const path = issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${key}`), field);
      return `${path} ${issue.message}`;
    }),
  );
}

/** Validates `resource.openingHours`; overlapping intervals are an error, touching ones are merged. */
export function parseOpeningHours(value: unknown): WeeklyHours {
  return parseWith(openingHoursSchema, 'openingHours', value);
}

/** Validates `resource.closedDates`; null or absent means no closed dates. */
export function parseClosedDates(value: unknown): ReadonlySet<DateKey> {
  return parseWith(closedDatesSchema, 'closedDates', value);
}

// ---------------------------------------------------------------------------------------------------
// Overlaps and capacity
// ---------------------------------------------------------------------------------------------------

/** How many intervals overlap [startAt, endAt). An empty interval occupies nothing. */
export function countOverlaps(intervals: readonly Interval[], startAt: Date, endAt: Date): number {
  const start = startAt.getTime();
  const end = endAt.getTime();
  let count = 0;
  for (const interval of intervals) {
    const from = interval.startAt.getTime();
    const to = interval.endAt.getTime();
    if (from < to && from < end && start < to) count++;
  }
  return count;
}

/** The capacity rule: there is room while fewer intervals overlap than the resource has places. */
export function hasRoom(overlapping: number, capacity: number): boolean {
  return overlapping < capacity;
}

/** The window whose overlaps count against a booking: the booking widened by the buffer on both sides. */
export function bufferedWindow(startAt: Date, endAt: Date, bufferMinutes: number): Interval {
  const buffer = bufferMinutes * MINUTE_MS;
  return { startAt: new Date(startAt.getTime() - buffer), endAt: new Date(endAt.getTime() + buffer) };
}

/** Number of sorted values strictly below `limit` (`orEqual`: at or below). */
function countBelow(sorted: Float64Array, limit: number, orEqual: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < limit || (orEqual && sorted[middle] === limit)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Answers countOverlaps for many windows inside [from, to) in O(log n) each: an interval overlaps
 * [a, b) when it starts before b and does not end at or before a, and the second set is inside the first.
 */
function overlapCounter(intervals: readonly Interval[], from: number, to: number): (start: number, end: number) => number {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const interval of intervals) {
    const start = interval.startAt.getTime();
    const end = interval.endAt.getTime();
    if (start < end && start < to && from < end) {
      starts.push(start);
      ends.push(end);
    }
  }
  const sortedStarts = Float64Array.from(starts).sort();
  const sortedEnds = Float64Array.from(ends).sort();
  return (start, end) => countBelow(sortedStarts, end, false) - countBelow(sortedEnds, start, true);
}

// ---------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------

/** What every availability question needs to know about one resource. */
export interface ResourceSchedule {
  /** IANA name, SPACE_TIMEZONE (default Europe/Moscow). */
  timeZone: string;
  /** `resource.openingHours` as stored, validated here: { mon: [{ open: "09:00", close: "21:00" }], …, sun: [] }. */
  openingHours: unknown;
  /** `resource.closedDates` as stored: ["YYYY-MM-DD", …] in local time; null means none. */
  closedDates: unknown;
  capacity: number;
  /** Active bookings and unexpired holds of this resource: the caller filters by state and hold expiry. */
  occupancy: readonly Interval[];
  now: Date;
  /** The last bookable local date is today + horizonDays. Default 30. */
  horizonDays?: number;
}

export interface HourlyRules extends ResourceSchedule {
  /** Kept clear around every booking. Default 0. */
  bufferMinutes?: number;
  /** How long before its start a slot stops being bookable. Default 0. */
  minLeadMinutes?: number;
  /** Default 60. */
  slotMinutes?: number;
}

export interface HourlySlotsInput extends HourlyRules {
  date: DateKey;
  /** Length of the wanted booking in slots. Default 1. */
  units?: number;
}

export interface CheckIntervalInput extends HourlyRules {
  startAt: Date;
  endAt: Date;
  /** 'day' and 'month' intervals run from local midnight to local midnight. Default 'hour'. */
  billingUnit?: BillingUnit;
}

export interface DayAvailabilityInput extends ResourceSchedule {
  date: DateKey;
  /** A month booking occupies the calendar months from `date`. Default 'day'. */
  billingUnit?: 'day' | 'month';
  /** Default 1. */
  units?: number;
}

interface Context {
  timeZone: string;
  hours: WeeklyHours;
  closedDates: ReadonlySet<DateKey>;
  capacity: number;
  occupancy: readonly Interval[];
  now: number;
  today: DateKey;
  horizonDays: number;
  lastDay: DateKey;
}

interface HourlyContext extends Context {
  bufferMinutes: number;
  minLeadMinutes: number;
  slotMinutes: number;
}

function requireInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  return value;
}

function requireInstant(name: string, value: Date): number {
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new RangeError(`${name} must be a valid Date`);
  return time;
}

function requireDateKey(name: string, value: DateKey): DateKey {
  if (!isDateKey(value)) throw new RangeError(`${name} must be a date "YYYY-MM-DD", got "${value}"`);
  return value;
}

type WindowContext = Pick<Context, 'timeZone' | 'now' | 'today' | 'horizonDays' | 'lastDay'>;

function resolveWindow(input: { timeZone: string; now: Date; horizonDays?: number }): WindowContext {
  assertTimeZone(input.timeZone);
  const now = requireInstant('now', input.now);
  const today = localDateOf(input.now, input.timeZone);
  const horizonDays = requireInt('horizonDays', input.horizonDays ?? DEFAULT_HORIZON_DAYS, 0);
  return { timeZone: input.timeZone, now, today, horizonDays, lastDay: addDays(today, horizonDays) };
}

function resolve(input: ResourceSchedule): Context {
  return {
    ...resolveWindow(input),
    hours: parseOpeningHours(input.openingHours),
    closedDates: parseClosedDates(input.closedDates),
    capacity: requireInt('capacity', input.capacity, 1),
    occupancy: input.occupancy,
  };
}

function resolveHourly(input: HourlyRules): HourlyContext {
  return {
    ...resolve(input),
    bufferMinutes: requireInt('bufferMinutes', input.bufferMinutes ?? 0, 0),
    minLeadMinutes: requireInt('minLeadMinutes', input.minLeadMinutes ?? 0, 0),
    slotMinutes: requireInt('slotMinutes', input.slotMinutes ?? DEFAULT_SLOT_MINUTES, 1),
  };
}

// ---------------------------------------------------------------------------------------------------
// Rejections, with messages a member can read
// ---------------------------------------------------------------------------------------------------

export type RejectionReason =
  | 'in_the_past'
  | 'too_soon'
  | 'beyond_horizon'
  | 'closed_date'
  | 'outside_opening_hours'
  | 'full'
  | 'misaligned';

export type Rejection = { ok: false; reason: RejectionReason; message: string };
export type IntervalCheck = { ok: true } | Rejection;

const reject = (reason: RejectionReason, message: string): Rejection => ({ ok: false, reason, message });

const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
const duration = (minutes: number) => (minutes % 60 === 0 ? plural(minutes / 60, 'hour') : plural(minutes, 'minute'));

/** Why nothing can be booked on a local date, whatever the time: past, beyond the horizon or closed. */
function dateProblem(date: DateKey, ctx: Context): Rejection | null {
  if (date < ctx.today) return reject('in_the_past', `${date} has already passed.`);
  if (date > ctx.lastDay) {
    return reject('beyond_horizon', `Bookings open at most ${plural(ctx.horizonDays, 'day')} ahead, up to ${ctx.lastDay}.`);
  }
  if (ctx.closedDates.has(date)) return reject('closed_date', `The space is closed on ${date}.`);
  const weekday = weekdayOf(date);
  if (ctx.hours[weekday].length === 0) return reject('outside_opening_hours', `The space is closed on ${WEEKDAY_NAMES[weekday]}s.`);
  return null;
}

/**
 * Whether a start lies before today or after the horizon, decided on instants rather than on date keys, so a
 * start far outside the window (the year 9999, whose local date may be in the year 10000) is refused for the
 * right reason before any calendar arithmetic runs on it.
 */
function windowProblem(start: number, ctx: WindowContext): Rejection | null {
  if (start < zonedInstant(ctx.today, 0, ctx.timeZone).getTime()) return reject('in_the_past', 'This time has already passed.');
  if (start >= zonedInstant(addDays(ctx.lastDay, 1), 0, ctx.timeZone).getTime()) {
    return reject('beyond_horizon', `Bookings open at most ${plural(ctx.horizonDays, 'day')} ahead, up to ${ctx.lastDay}.`);
  }
  return null;
}

export interface BookingWindowInput {
  startAt: Date;
  now: Date;
  timeZone: string;
  /** Default 30. */
  horizonDays?: number;
}

/** `windowProblem` for callers that must know before turning `startAt` into a booking's interval. */
export function bookingWindowProblem(input: BookingWindowInput): Rejection | null {
  return windowProblem(requireInstant('startAt', input.startAt), resolveWindow(input));
}

/** A whole-day booking additionally needs the day not to be over: today counts until its last closing time. */
function wholeDayProblem(date: DateKey, ctx: Context): Rejection | null {
  const problem = dateProblem(date, ctx);
  if (problem || date !== ctx.today) return problem;
  const ranges = ctx.hours[weekdayOf(date)];
  const lastClose = zonedInstant(date, ranges[ranges.length - 1].close, ctx.timeZone).getTime();
  return ctx.now >= lastClose ? reject('in_the_past', "Today's opening hours are over.") : null;
}

interface OpeningRange extends MinuteRange {
  start: number;
  end: number;
}

function openingRanges(date: DateKey, ctx: Context): OpeningRange[] {
  return ctx.hours[weekdayOf(date)].map((range) => ({
    ...range,
    start: zonedInstant(date, range.open, ctx.timeZone).getTime(),
    end: zonedInstant(date, range.close, ctx.timeZone).getTime(),
  }));
}

// ---------------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------------

/**
 * The bookable slots of `units` × `slotMinutes` on a local date, each marked free or not. Slots in the
 * past, inside the lead time, beyond the horizon or on a closed date are left out, not marked taken.
 */
export function hourlySlots(input: HourlySlotsInput): Slot[] {
  const ctx = resolveHourly(input);
  const date = requireDateKey('date', input.date);
  const units = requireInt('units', input.units ?? 1, 1);
  if (dateProblem(date, ctx)) return [];

  const step = ctx.slotMinutes * MINUTE_MS;
  const length = units * step;
  const earliest = ctx.now + ctx.minLeadMinutes * MINUTE_MS;
  const starts: number[] = [];
  for (const range of openingRanges(date, ctx)) {
    for (let start = range.start; start + length <= range.end; start += step) {
      if (start >= earliest) starts.push(start);
    }
  }
  if (starts.length === 0) return [];

  const buffer = ctx.bufferMinutes * MINUTE_MS;
  const overlaps = overlapCounter(ctx.occupancy, starts[0] - buffer, starts[starts.length - 1] + length + buffer);
  return starts.map((start) => ({
    startAt: new Date(start),
    endAt: new Date(start + length),
    free: hasRoom(overlaps(start - buffer, start + length + buffer), ctx.capacity),
  }));
}

/** Validates one requested interval for booking creation; the first problem found is reported. */
export function checkInterval(input: CheckIntervalInput): IntervalCheck {
  const ctx = resolveHourly(input);
  const start = requireInstant('startAt', input.startAt);
  const end = requireInstant('endAt', input.endAt);
  if (end <= start) return reject('misaligned', 'A booking must end after it starts.');
  const outside = windowProblem(start, ctx);
  if (outside) return outside;
  return (input.billingUnit ?? 'hour') === 'hour' ? checkHours(start, end, ctx) : checkWholeDays(start, end, ctx);
}

function checkHours(start: number, end: number, ctx: HourlyContext): IntervalCheck {
  if (start < ctx.now) return reject('in_the_past', 'This time has already passed.');
  if (start < ctx.now + ctx.minLeadMinutes * MINUTE_MS) {
    return reject('too_soon', `Bookings must be made at least ${duration(ctx.minLeadMinutes)} in advance.`);
  }
  const date = localDateOf(new Date(start), ctx.timeZone);
  const problem = dateProblem(date, ctx);
  if (problem) return problem;

  const ranges = openingRanges(date, ctx);
  const range = ranges.find((candidate) => candidate.start <= start && end <= candidate.end);
  if (!range) {
    const hours = ranges.map((r) => `${clockOf(r.open)}–${clockOf(r.close)}`).join(', ');
    return reject(
      'outside_opening_hours',
      `On ${WEEKDAY_NAMES[weekdayOf(date)]}s the space is open ${hours}; a booking must fit within those hours.`,
    );
  }
  const step = ctx.slotMinutes * MINUTE_MS;
  if ((start - range.start) % step !== 0 || (end - start) % step !== 0) {
    return reject(
      'misaligned',
      `Bookings start at ${clockOf(range.open)} or a multiple of ${duration(ctx.slotMinutes)} later, and last a multiple of ${duration(ctx.slotMinutes)}.`,
    );
  }
  const window = bufferedWindow(new Date(start), new Date(end), ctx.bufferMinutes);
  if (!hasRoom(countOverlaps(ctx.occupancy, window.startAt, window.endAt), ctx.capacity)) {
    const gap = ctx.bufferMinutes > 0 ? `, counting the ${duration(ctx.bufferMinutes)} kept free between bookings` : '';
    return reject('full', `This time is already fully booked${gap}.`);
  }
  return { ok: true };
}

function checkWholeDays(start: number, end: number, ctx: Context): IntervalCheck {
  const date = localDateOf(new Date(start), ctx.timeZone);
  const endDate = localDateOf(new Date(end), ctx.timeZone);
  if (zonedInstant(date, 0, ctx.timeZone).getTime() !== start || zonedInstant(endDate, 0, ctx.timeZone).getTime() !== end) {
    return reject('misaligned', 'Day and month bookings run from midnight to midnight, local time.');
  }
  const problem = wholeDayProblem(date, ctx);
  if (problem) return problem;
  if (!hasRoom(countOverlaps(ctx.occupancy, new Date(start), new Date(end)), ctx.capacity)) {
    return reject('full', 'There are no free places for these dates.');
  }
  return { ok: true };
}

export interface DayAvailability {
  free: number;
  capacity: number;
  taken: number;
  /** Whether the date can be booked at all: not past, within the horizon, not closed, open that weekday. */
  open: boolean;
}

/** Places left for a day (or month) booking starting on a local date; `free` is 0 when it cannot be booked. */
export function dayAvailability(input: DayAvailabilityInput): DayAvailability {
  const ctx = resolve(input);
  const date = requireDateKey('date', input.date);
  const span = intervalForUnits({
    billingUnit: input.billingUnit ?? 'day',
    startDate: date,
    units: input.units ?? 1,
    timeZone: ctx.timeZone,
  });
  const taken = countOverlaps(ctx.occupancy, span.startAt, span.endAt);
  const open = wholeDayProblem(date, ctx) === null;
  return { free: open ? Math.max(0, ctx.capacity - taken) : 0, capacity: ctx.capacity, taken, open };
}

export type IntervalForUnitsInput =
  | { billingUnit: BillingUnit; startAt: Date; units: number; timeZone: string }
  | { billingUnit: 'day' | 'month'; startDate: DateKey; units: number; timeZone: string };

/**
 * The interval a booking of `units` occupies. hour: startAt + units hours; day: local midnight to local
 * midnight, `units` days (23 or 25 hours on a DST day); month: calendar months from the local start date,
 * clamped to the month's end (31 Jan + 1 month ends at the start of 28/29 Feb). For day and month a
 * `startAt` stands for the local day that contains it.
 */
export function intervalForUnits(input: IntervalForUnitsInput): Interval {
  const units = requireInt('units', input.units, 1);
  assertTimeZone(input.timeZone);
  if ('startAt' in input) {
    const start = requireInstant('startAt', input.startAt);
    if (input.billingUnit === 'hour') return { startAt: new Date(start), endAt: new Date(start + units * HOUR_MS) };
  }
  const date = 'startDate' in input ? requireDateKey('startDate', input.startDate) : localDateOf(input.startAt, input.timeZone);
  const endDate = input.billingUnit === 'day' ? addDays(date, units) : addMonths(date, units);
  return { startAt: zonedInstant(date, 0, input.timeZone), endAt: zonedInstant(endDate, 0, input.timeZone) };
}
