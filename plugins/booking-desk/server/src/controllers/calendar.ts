/**
 * The bookings calendar (docs/ADMIN.md, Bookings calendar): the grid's data, one booking for the side sheet, and
 * bookings made by staff for members (with a price preview). Validates, calls one service, maps its answer.
 * A body or query of the wrong shape is a 400; well-formed values that break a rule are a 422.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z, type ZodIssue } from 'zod';
import { permissionOf } from '../actions';
import { type AdminUser, clientIp, fieldErrors, issuesStatus, requestBody, sendError, sendRefusal, staffLabel } from '../http';
import { parseBound, resolveRange, type RangeBound } from '../services/calendar-range';
import { BOOKING_STATES, type BookingState, type CalendarService, DEFAULT_STATES } from '../services/calendar';
import type { StaffBookingService } from '../services/staff-booking';

const DOCUMENT_ID = /^[a-z0-9]{24}$/;
const DATE_TIME_MESSAGE =
  'The start time must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T10:00:00+03:00 (offsets from -23:59 to +23:59)';

const documentId = (what: string) =>
  z
    .string({ required_error: `Give the ${what} (its documentId)`, invalid_type_error: `The ${what} must be a documentId string` })
    .regex(DOCUMENT_ID, `The ${what} must be a documentId (24 lower-case letters and digits)`);

const bound = (name: 'from' | 'to') =>
  z
    .string({
      required_error: `Give \`${name}\` as a date (YYYY-MM-DD) or a date-time with a time zone`,
      invalid_type_error: `Give \`${name}\` once`,
    })
    .transform((value, ctx): RangeBound => {
      const parsed = parseBound(value);
      if (parsed === null) {
        ctx.addIssue({
          code: z.ZodIssueCode.invalid_string,
          validation: 'datetime',
          message: `\`${name}\` must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a time zone`,
        });
        return z.NEVER;
      }
      return parsed;
    });

const calendarQuery = z
  .object({
    from: bound('from'),
    to: bound('to'),
    resource: documentId('resource').optional(),
    tariff: documentId('tariff').optional(),
    member: documentId('member').optional(),
    state: z
      .string({ invalid_type_error: 'Give `state` once, as a comma-separated list' })
      .transform((value, ctx) => {
        const states = value.split(',').map((item) => item.trim()).filter(Boolean);
        const unknown = states.filter((item) => !(BOOKING_STATES as readonly string[]).includes(item));
        if (states.length === 0 || unknown.length > 0) {
          ctx.addIssue({ code: z.ZodIssueCode.invalid_enum_value, options: [...BOOKING_STATES], received: unknown.join(','), message: `state must be a comma-separated list of ${BOOKING_STATES.join(', ')}` });
          return z.NEVER;
        }
        return [...new Set(states)] as BookingState[];
      })
      .optional(),
  })
  .strict();

const startAt = z
  .string({ required_error: 'Give the start time', invalid_type_error: 'The start time must be an ISO 8601 string' })
  .transform((value, ctx) => {
    const range = parseBound(value);
    if (range === null || range.kind !== 'instant') {
      ctx.addIssue({ code: z.ZodIssueCode.invalid_string, validation: 'datetime', message: DATE_TIME_MESSAGE });
      return z.NEVER;
    }
    return range.instant;
  });

const units = z
  .number({ required_error: 'Give the number of units', invalid_type_error: 'units must be a whole number' })
  .int('units must be a whole number')
  .min(1, 'units must be at least 1')
  .max(1000, 'units must be at most 1000');

const quoteBody = z
  .object({ member: documentId('member').optional(), tariff: documentId('tariff'), startAt, units, resource: documentId('resource').optional() })
  .strict();

const createBody = z
  .object({
    member: documentId('member'),
    tariff: documentId('tariff'),
    startAt,
    units,
    resource: documentId('resource').optional(),
    markPaid: z.boolean({ invalid_type_error: 'markPaid must be true or false' }).optional(),
    sendPaymentLink: z.boolean({ invalid_type_error: 'sendPaymentLink must be true or false' }).optional(),
    comment: z.string({ invalid_type_error: 'The comment must be a string' }).trim().max(1000, 'The comment is at most 1000 characters').optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.markPaid && body.sendPaymentLink) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['sendPaymentLink'],
        message: 'Choose one: mark the booking paid at the desk, or send the member a payment link.',
      });
    }
  });

// Malformed values (wrong type, unknown field, an id or date that is not one) are the request's shape: 400.
const SHAPE_ISSUES = new Set<string>(['invalid_type', 'unrecognized_keys', 'invalid_union', 'invalid_date', 'invalid_string', 'invalid_enum_value']);
const isShapeIssue = (issue: ZodIssue) => SHAPE_ISSUES.has(issue.code);

function sendIssues(ctx: Context, issues: ZodIssue[], message: string) {
  sendError(ctx, issuesStatus(issues, isShapeIssue), message, { errors: fieldErrors(issues) });
}

const timeZone = () => process.env.SPACE_TIMEZONE?.trim() || 'Europe/Moscow';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const calendar = () => strapi.plugin('booking-desk').service('calendar') as CalendarService;
  const staffBookings = () => strapi.plugin('booking-desk').service('staff-booking') as StaffBookingService;

  return {
    /** GET /booking-desk/calendar?from=&to=&resource=&tariff=&member=&state= */
    async find(ctx: Context) {
      const parsed = calendarQuery.safeParse(ctx.query);
      if (!parsed.success) return sendIssues(ctx, parsed.error.issues, 'Invalid query');
      const zone = timeZone();
      const range = resolveRange(parsed.data.from, parsed.data.to, zone);
      if (!range.ok) return sendError(ctx, 422, range.message, { errors: [{ path: [range.field], message: range.message, name: 'ValidationError' }] });
      const { data, truncated } = await calendar().read({
        from: range.from,
        to: range.to,
        resource: parsed.data.resource,
        tariff: parsed.data.tariff,
        member: parsed.data.member,
        states: parsed.data.state ?? DEFAULT_STATES,
      });
      ctx.body = { data, meta: { from: range.from.toISOString(), to: range.to.toISOString(), timeZone: zone, ...(truncated ? { truncated } : {}) } };
    },

    /** GET /booking-desk/calendar/bookings/:documentId: the side sheet's booking with payments and refunds. */
    async findBooking(ctx: Context) {
      const { documentId: id } = ctx.params as { documentId: string };
      if (!DOCUMENT_ID.test(id)) return sendError(ctx, 400, 'This is not a valid booking id.');
      const booking = await calendar().booking(id);
      if (!booking) return sendError(ctx, 404, 'No such booking.');
      ctx.body = { data: booking };
    },

    /** POST /booking-desk/bookings/quote: the price of a staff booking, and whether its time is free now. */
    async quote(ctx: Context) {
      const parsed = quoteBody.safeParse(requestBody(ctx));
      if (!parsed.success) return sendIssues(ctx, parsed.error.issues, 'Invalid request body');
      const outcome = await staffBookings().quote(parsed.data, new Date());
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.body = { data: outcome.data };
    },

    /** POST /booking-desk/bookings: a booking for a member, made by staff. */
    async create(ctx: Context) {
      const parsed = createBody.safeParse(requestBody(ctx));
      if (!parsed.success) return sendIssues(ctx, parsed.error.issues, 'Invalid request body');
      // Marking paid is its own staff action: a role that may book but not take money cannot do it here either.
      const ability = ctx.state.userAbility as { can(action: string): boolean } | undefined;
      if (parsed.data.markPaid && !ability?.can(permissionOf('markPaid'))) {
        return sendError(ctx, 403, 'Your role may not mark bookings as paid.', { code: 'not_allowed' });
      }
      const user = ctx.state.user as AdminUser;
      const outcome = await staffBookings().create(
        parsed.data,
        { id: user.id, label: staffLabel(user), ip: clientIp(ctx) },
        new Date(),
      );
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.status = 201;
      ctx.body = { data: outcome.data, meta: outcome.meta };
    },
  };
};
