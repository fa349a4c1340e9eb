/**
 * Availability of a tariff's resource (issue 3): loads the tariff, its resource and the bookings that
 * occupy it, and asks the pure rules of src/domain/availability.ts. The quote and (later) the booking
 * transaction use the same loaders, so what is shown free is what they accept.
 */
import type { Core } from '@strapi/strapi';
import type { AvailabilityQuery } from '../../../../types/contracts/booking';
import {
  type BillingUnit,
  bookingWindowProblem,
  bufferedWindow,
  checkInterval,
  dayAvailability,
  DEFAULT_HORIZON_DAYS,
  hourlySlots,
  type Interval,
  type IntervalCheck,
  intervalForUnits,
} from '../../../domain/availability';
import { ACTIVE_STATES, type BookingState, occupiesCapacity } from '../../../domain/booking-state';
import { addDays, type DateKey, DEFAULT_SPACE_TIME_ZONE, localDateOf, MINUTE_MS, zonedInstant } from '../../../domain/space-time';
import type { FieldError } from '../../../utils/http-errors';

const TARIFF_UID = 'api::tariff.tariff';
const BOOKING_UID = 'api::booking.booking';

export interface BookingSettings {
  timeZone: string;
  horizonDays: number;
  minLeadMinutes: number;
}

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${raw}"`);
  return value;
}

/**
 * SPACE_TIMEZONE (default Europe/Moscow), BOOKING_HORIZON_DAYS (default 30) and BOOKING_MIN_LEAD_MINUTES
 * (default 0: a slot is bookable until it starts). Read per request, so a restart is not needed in tests.
 */
export const bookingSettings = (): BookingSettings => ({
  timeZone: process.env.SPACE_TIMEZONE?.trim() || DEFAULT_SPACE_TIME_ZONE,
  horizonDays: envCount('BOOKING_HORIZON_DAYS', DEFAULT_HORIZON_DAYS),
  minLeadMinutes: envCount('BOOKING_MIN_LEAD_MINUTES', 0),
});

export interface BookableResource {
  id: number;
  documentId: string;
  slug: string;
  capacity: number;
  openingHours: unknown;
  closedDates: unknown;
  bufferMinutes: number | null;
}

export interface BookableTariff {
  id: number;
  documentId: string;
  billingUnit: BillingUnit;
  price: number;
  minUnits: number;
  maxUnits: number;
  durationDiscounts: unknown;
  requiresApproval: boolean;
  trialOnce: boolean;
  /** Active resources only, in the tariff's relation order (as staff arranged them in the admin panel). */
  resources: BookableResource[];
}

export type AvailabilityData =
  | { date: DateKey; tariff: string; resource: string; slots: { startAt: string; endAt: string; free: boolean }[] }
  | { date: DateKey; tariff: string; resource: string; free: number; capacity: number; taken: number };

export type AvailabilityOutcome =
  | { ok: true; data: AvailabilityData }
  | { ok: false; status: 404; message: string }
  | { ok: false; status: 400; errors: FieldError[] };

/** The resource fields the availability rules read. */
export const BOOKABLE_RESOURCE_FIELDS = ['id', 'documentId', 'slug', 'capacity', 'openingHours', 'closedDates', 'bufferMinutes'] as const;

const fieldError = (field: string, message: string): FieldError => ({ path: [field], message, name: 'ValidationError' });

const availabilityService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** An active, public tariff by documentId or slug, with its active resources; null otherwise. */
  async function findBookableTariff(reference: string): Promise<BookableTariff | null> {
    return strapi.db.query(TARIFF_UID).findOne({
      select: [
        'id',
        'documentId',
        'billingUnit',
        'price',
        'minUnits',
        'maxUnits',
        'durationDiscounts',
        'requiresApproval',
        'trialOnce',
      ],
      where: { $or: [{ documentId: reference }, { slug: reference }], isActive: true, isPublic: true },
      populate: {
        resources: {
          select: [...BOOKABLE_RESOURCE_FIELDS],
          where: { isActive: true },
        },
      },
    }) as Promise<BookableTariff | null>;
  }

  /**
   * The resource a booking of this tariff takes: the one named (documentId or slug) when it is one of the
   * tariff's active resources, else the first of them. A tariff with several resources books them one at
   * a time; choosing among them by load is left to the booking transaction.
   */
  function resourceOf(tariff: BookableTariff, reference?: string): BookableResource | null {
    if (reference === undefined) return tariff.resources[0] ?? null;
    return tariff.resources.find((resource) => resource.documentId === reference || resource.slug === reference) ?? null;
  }

  /**
   * Bookings of the resource that take capacity at `now` and overlap `window`. The range and state
   * filters run in SQL (bookings_start_end_idx, bookings_state_hold_idx, the resource link index), so only
   * the window's bookings are read; occupiesCapacity stays the one definition of what holds a place.
   */
  async function occupancy(
    resource: BookableResource,
    window: Interval,
    now: Date,
    excludeBookingId?: number,
  ): Promise<Interval[]> {
    const rows = (await strapi.db.query(BOOKING_UID).findMany({
      // The relation filter makes the query DISTINCT: without the id, identical bookings would collapse into one.
      select: ['id', 'startAt', 'endAt', 'state', 'holdExpiresAt'],
      where: {
        ...(excludeBookingId === undefined ? {} : { id: { $ne: excludeBookingId } }),
        resource: { id: resource.id },
        startAt: { $lt: window.endAt },
        endAt: { $gt: window.startAt },
        state: { $in: [...ACTIVE_STATES] },
        $or: [{ state: { $ne: 'pending_payment' } }, { holdExpiresAt: { $gt: now } }],
      },
    })) as { startAt: string | Date; endAt: string | Date; state: BookingState; holdExpiresAt: string | Date | null }[];
    return rows
      .filter((row) => occupiesCapacity({ state: row.state, holdExpiresAt: row.holdExpiresAt ? new Date(row.holdExpiresAt) : null }, now))
      .map((row) => ({ startAt: new Date(row.startAt), endAt: new Date(row.endAt) }));
  }

  const rulesOf = (resource: BookableResource, booked: Interval[], now: Date, settings: BookingSettings) => ({
    timeZone: settings.timeZone,
    openingHours: resource.openingHours,
    closedDates: resource.closedDates,
    capacity: resource.capacity,
    bufferMinutes: resource.bufferMinutes ?? 0,
    minLeadMinutes: settings.minLeadMinutes,
    horizonDays: settings.horizonDays,
    occupancy: booked,
    now,
  });

  /**
   * checkInterval for `units` of the tariff from `startAt` (day and month: the local day containing it).
   * `excludeBookingId`: a booking being moved does not compete with itself for its new time.
   */
  async function checkBookable(
    tariff: Pick<BookableTariff, 'billingUnit'>,
    resource: BookableResource,
    startAt: Date,
    units: number,
    now: Date,
    excludeBookingId?: number,
  ): Promise<IntervalCheck> {
    const settings = bookingSettings();
    const outside = bookingWindowProblem({ startAt, now, timeZone: settings.timeZone, horizonDays: settings.horizonDays });
    if (outside) return outside;
    const wanted = intervalForUnits({ billingUnit: tariff.billingUnit, startAt, units, timeZone: settings.timeZone });
    const window =
      tariff.billingUnit === 'hour' ? bufferedWindow(wanted.startAt, wanted.endAt, resource.bufferMinutes ?? 0) : wanted;
    return checkInterval({
      ...rulesOf(resource, await occupancy(resource, window, now, excludeBookingId), now, settings),
      startAt: wanted.startAt,
      endAt: wanted.endAt,
      billingUnit: tariff.billingUnit,
    });
  }

  /**
   * GET /api/availability. Units default to the tariff's minUnits. A past date or one beyond the horizon
   * is refused (400); a closed date is a valid question answered with no slots (hourly) or free 0 (day, month).
   */
  async function forDate(query: AvailabilityQuery, now: Date): Promise<AvailabilityOutcome> {
    const tariff = await findBookableTariff(query.tariff);
    if (!tariff) return { ok: false, status: 404, message: `No active public tariff "${query.tariff}".` };
    const resource = resourceOf(tariff, query.resource);
    if (!resource) {
      const message = query.resource
        ? `The tariff has no active resource "${query.resource}".`
        : 'The tariff has no active resource to book.';
      return { ok: false, status: 404, message };
    }

    const settings = bookingSettings();
    const units = query.units ?? tariff.minUnits;
    const today = localDateOf(now, settings.timeZone);
    const lastDay = addDays(today, settings.horizonDays);
    const errors: FieldError[] = [];
    if (units < tariff.minUnits || units > tariff.maxUnits) {
      errors.push(fieldError('units', `This tariff is booked for ${tariff.minUnits} to ${tariff.maxUnits} ${tariff.billingUnit}(s).`));
    }
    if (query.date < today) errors.push(fieldError('date', `${query.date} has already passed (today is ${today}).`));
    if (query.date > lastDay) {
      errors.push(fieldError('date', `Bookings open at most ${settings.horizonDays} days ahead, up to ${lastDay}.`));
    }
    if (errors.length > 0) return { ok: false, status: 400, errors };

    const head = { date: query.date, tariff: tariff.documentId, resource: resource.documentId };
    if (tariff.billingUnit === 'hour') {
      // Slots lie within the local day (opening hours close by 24:00); the buffer reaches just outside it.
      const buffer = (resource.bufferMinutes ?? 0) * MINUTE_MS;
      const window = {
        startAt: new Date(zonedInstant(query.date, 0, settings.timeZone).getTime() - buffer),
        endAt: new Date(zonedInstant(addDays(query.date, 1), 0, settings.timeZone).getTime() + buffer),
      };
      const slots = hourlySlots({ ...rulesOf(resource, await occupancy(resource, window, now), now, settings), date: query.date, units });
      return {
        ok: true,
        data: {
          ...head,
          slots: slots.map((slot) => ({ startAt: slot.startAt.toISOString(), endAt: slot.endAt.toISOString(), free: slot.free })),
        },
      };
    }

    const span = intervalForUnits({ billingUnit: tariff.billingUnit, startDate: query.date, units, timeZone: settings.timeZone });
    const day = dayAvailability({
      ...rulesOf(resource, await occupancy(resource, span, now), now, settings),
      date: query.date,
      billingUnit: tariff.billingUnit,
      units,
    });
    return { ok: true, data: { ...head, free: day.free, capacity: day.capacity, taken: day.taken } };
  }

  return { findBookableTariff, resourceOf, checkBookable, forDate };
};

export type AvailabilityService = ReturnType<typeof availabilityService>;
export default availabilityService;
