/**
 * Request contracts of the booking endpoints (GET /api/availability, POST /api/bookings/quote, POST /api/bookings),
 * shared by the API (validation) and its clients (what they send). Messages are written for the person who sent the value.
 */
import { z } from 'zod';
import { BOOKING_STATES } from '../../src/domain/booking-state';
import { parseDateTime } from '../../src/domain/date-time';
import { isDateKey } from '../../src/domain/space-time';
import { pagingQueryFields, statusListSchema } from './list-query';

/** A tariff or resource reference: its documentId or its slug (both are URL-safe). */
const reference = (what: string) =>
  z
    .string({ required_error: `Give the ${what} (its documentId or slug)`, invalid_type_error: `The ${what} must be a string` })
    .trim()
    .min(1, `Give the ${what} (its documentId or slug)`)
    .max(100, `The ${what} reference is too long`)
    .regex(/^[A-Za-z0-9_-]+$/, `The ${what} must be a documentId or a slug`);

const DATE_TIME_MESSAGE =
  'The start time must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T10:00:00+03:00 (offsets from -23:59 to +23:59)';

/**
 * A start time: an RFC 3339 date-time with a real UTC offset (src/domain/date-time.ts), as the instant it names.
 * Shared by every path that takes one (quote, create, reschedule), so all refuse the same texts the same way.
 * The issue is zod's own `invalid_string` / `datetime`: a text that names no instant is a malformed request (400).
 */
export const startAtSchema = (requiredMessage: string) =>
  z
    .string({ required_error: requiredMessage, invalid_type_error: 'The start time must be an ISO 8601 string' })
    .transform((value, ctx) => {
      const instant = parseDateTime(value);
      if (instant === null) {
        ctx.addIssue({ code: z.ZodIssueCode.invalid_string, validation: 'datetime', message: DATE_TIME_MESSAGE });
        return z.NEVER;
      }
      return instant;
    });

// The schema's own bound (booking.units max 1000); the tariff's minUnits / maxUnits are checked by the service.
const UNITS_MAX = 1000;

/** GET /api/availability query. Query values arrive as strings, so `units` is parsed from its digits. */
export const availabilityQuerySchema = z
  .object({
    tariff: reference('tariff'),
    date: z
      .string({ required_error: 'Give the date as YYYY-MM-DD', invalid_type_error: 'Give one date as YYYY-MM-DD' })
      .refine(isDateKey, 'The date must be a real date written YYYY-MM-DD'),
    units: z
      .string({ invalid_type_error: 'Give units once, as a whole number' })
      .regex(/^[1-9][0-9]{0,3}$/, `units must be a whole number from 1 to ${UNITS_MAX}`)
      .transform(Number)
      .pipe(z.number().max(UNITS_MAX, `units must be a whole number from 1 to ${UNITS_MAX}`))
      .optional(),
    resource: reference('resource').optional(),
  })
  .strict();

export type AvailabilityQuery = z.infer<typeof availabilityQuerySchema>;

/**
 * POST /api/bookings/quote body. Strict: a client cannot send a price, discount or any other field the
 * server computes (ARCHITECTURE §3.3).
 */
export const quoteRequestSchema = z
  .object({
    tariff: reference('tariff'),
    startAt: startAtSchema('Give the start time'),
    units: z
      .number({ required_error: 'Give the number of units', invalid_type_error: 'units must be a whole number' })
      .int('units must be a whole number')
      .min(1, 'units must be at least 1')
      .max(UNITS_MAX, `units must be at most ${UNITS_MAX}`),
    promocode: z
      .string({ invalid_type_error: 'The promo code must be a string' })
      .trim()
      .min(1, 'The promo code is empty')
      .max(64, 'The promo code is too long')
      .optional(),
  })
  .strict();

export type QuoteRequest = z.infer<typeof quoteRequestSchema>;

/** POST /api/bookings takes the quote's body; a retry is recognised by the optional Idempotency-Key header. */
export const bookingRequestSchema = quoteRequestSchema;

/** The Idempotency-Key header: 1–100 visible ASCII characters (a UUID fits). */
export const idempotencyKeySchema = z
  .string({ invalid_type_error: 'Send one Idempotency-Key header' })
  .min(1, 'The Idempotency-Key header is empty')
  .max(100, 'The Idempotency-Key header is at most 100 characters')
  .regex(/^[\x21-\x7E]+$/, 'The Idempotency-Key header must be visible ASCII characters without spaces')
  .optional();

/** GET /api/bookings/mine query: filters and paging of the member's own bookings. */
export const myBookingsQuerySchema = z
  .object({
    status: statusListSchema(BOOKING_STATES),
    when: z.enum(['upcoming', 'past'], { message: 'when must be upcoming or past' }),
    ...pagingQueryFields,
  })
  .partial()
  .strict();

export type MyBookingsQuery = z.infer<typeof myBookingsQuerySchema>;

const reasonSchema = z
  .string({ invalid_type_error: 'The reason must be a string' })
  .trim()
  .max(500, 'The reason is at most 500 characters');

/** POST /api/bookings/:documentId/cancel body (member). */
export const cancelRequestSchema = z.object({ reason: reasonSchema.optional() }).strict();

/** POST /api/bookings/:documentId/reschedule body (member): the new start; tariff, resource and units stay. */
export const rescheduleRequestSchema = z
  .object({
    startAt: startAtSchema('Give the new start time'),
  })
  .strict();

/** A documentId in a path: Strapi's ids are 24 lower-case letters and digits. */
export const documentIdSchema = z.string().regex(/^[a-z0-9]{24}$/, 'This is not a valid booking id');
