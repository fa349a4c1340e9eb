import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import {
  availabilityQuerySchema,
  bookingRequestSchema,
  cancelRequestSchema,
  documentIdSchema,
  idempotencyKeySchema,
  myBookingsQuerySchema,
  quoteRequestSchema,
  rescheduleRequestSchema,
} from '../../../../types/contracts/booking';
import { clientAddress } from '../../../utils/client-address';
import { bodyErrorStatus, fieldErrors, sendValidationError } from '../../../utils/http-errors';
import { assertMemberNotBlocked, MemberForbiddenError, signedInMember, type SignedInMember } from '../../../utils/member-access';
import type { AvailabilityService } from '../services/availability';
import type { CreateBookingService } from '../services/create-booking';
import type { LifecycleService, TransitionOutcome } from '../services/lifecycle';
import type { MyBookingsService } from '../services/my-bookings';
import type { PaymentGateway } from '../services/payment-gateway';
import type { QuoteService } from '../services/quote';


export default factories.createCoreController('api::booking.booking', ({ strapi }) => {
  /** The signed-in member; refused when the account is banned or blocked. */
  async function activeMember(ctx: Context): Promise<SignedInMember> {
    const user = ctx.state.user as Partial<SignedInMember> | undefined;
    if (!user || typeof user.id !== 'number') throw new MemberForbiddenError('This endpoint is for signed-in members.');
    const member = await signedInMember(strapi, user as SignedInMember);
    if (!member) throw new errors.UnauthorizedError('Sign in again');
    assertMemberNotBlocked(member);
    return member;
  }

  const requestBody = (ctx: Context): unknown => (ctx.request as unknown as { body?: unknown }).body ?? {};

  /** The documentId in the path, or a 400 answered here (null). */
  function bookingIdOf(ctx: Context): string | null {
    const id = documentIdSchema.safeParse(ctx.params.documentId);
    if (id.success) return id.data;
    sendValidationError(ctx, 400, id.error.issues[0].message, fieldErrors(id.error.issues.map((issue) => ({ ...issue, path: ['documentId'] }))));
    return null;
  }

  function sendTransition(ctx: Context, outcome: TransitionOutcome) {
    if (outcome.ok) {
      ctx.body = { data: { ...outcome.data, refund: outcome.refund } };
      return;
    }
    if (outcome.status === 422) {
      const problem = { path: [outcome.field ?? 'startAt'], message: outcome.message, name: 'ValidationError' as const };
      return sendValidationError(ctx, 422, outcome.message, [problem], { code: outcome.code });
    }
    const name = { 403: 'ForbiddenError', 404: 'NotFoundError', 409: 'ConflictError' }[outcome.status];
    ctx.status = outcome.status;
    ctx.body = { data: null, error: { status: outcome.status, name, message: outcome.message, details: { code: outcome.code } } };
  }

  const MEMBER_EVENT_BODIES = { cancel: cancelRequestSchema, reschedule: rescheduleRequestSchema };

  /** A member's own change to one booking: validate, then let the lifecycle service decide. */
  async function memberTransition(ctx: Context, event: keyof typeof MEMBER_EVENT_BODIES) {
    const member = await activeMember(ctx);
    const documentId = bookingIdOf(ctx);
    if (documentId === null) return;
    const parsed = MEMBER_EVENT_BODIES[event].safeParse(requestBody(ctx));
    if (!parsed.success) return sendValidationError(ctx, bodyErrorStatus(parsed.error.issues), 'Invalid request body', fieldErrors(parsed.error.issues));
    const outcome = await (strapi.service('api::booking.lifecycle') as LifecycleService).transition({
      documentId,
      event,
      actor: { type: 'member', id: member.id },
      now: new Date(),
      ip: clientAddress(ctx),
      ...parsed.data,
    });
    sendTransition(ctx, outcome);
  }

  return {
    /** GET /api/availability?tariff=&date=&units=&resource= (public). */
    async availability(ctx: Context) {
      const parsed = availabilityQuerySchema.safeParse(ctx.query);
      if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid query', fieldErrors(parsed.error.issues));
      const outcome = await (strapi.service('api::booking.availability') as AvailabilityService).forDate(parsed.data, new Date());
      if (outcome.ok) {
        ctx.body = { data: outcome.data };
      } else if (outcome.status === 404) {
        throw new errors.NotFoundError(outcome.message);
      } else {
        sendValidationError(ctx, 400, 'Invalid query', outcome.errors);
      }
    },

    /** POST /api/bookings/quote (member): the price and whether the interval is free, without booking it. */
    async quote(ctx: Context) {
      const member = await activeMember(ctx);
      const parsed = quoteRequestSchema.safeParse(requestBody(ctx));
      if (!parsed.success) return sendValidationError(ctx, bodyErrorStatus(parsed.error.issues), 'Invalid request body', fieldErrors(parsed.error.issues));
      const outcome = await (strapi.service('api::booking.quote') as QuoteService).quote(member.id, parsed.data, new Date());
      if (outcome.ok) {
        ctx.body = { data: outcome.data };
      } else if (outcome.problem === 'tariff') {
        throw new errors.NotFoundError(outcome.message);
      } else if (outcome.problem === 'units') {
        sendValidationError(ctx, 422, outcome.message, [{ path: ['units'], message: outcome.message, name: 'ValidationError' }]);
      } else {
        sendValidationError(
          ctx,
          422,
          outcome.message,
          [{ path: ['promocode'], message: outcome.message, name: 'ValidationError' }],
          {
            reason: outcome.reason,
          },
        );
      }
    },

    /**
     * POST /api/bookings. For a member (users-permissions JWT) this is the booking endpoint of API.md; API
     * tokens keep Strapi's generic create, which integrators use (docs/API-CHANGES.md).
     * 201 with the new booking; a retry with the same Idempotency-Key answers 200 with that booking as it is
     * now. The payment of a pending_payment booking (payment.confirmationUrl) comes with the payments issue.
     */
    async create(ctx: Context) {
      if (ctx.state.auth?.strategy?.name !== 'users-permissions') return super.create(ctx);
      const member = await activeMember(ctx);
      if (member.registeredAt === null) throw new MemberForbiddenError('Please complete your registration before booking.');

      const key = idempotencyKeySchema.safeParse(ctx.get('Idempotency-Key') || undefined);
      if (!key.success) {
        const problems = key.error.issues.map((issue) => ({
          path: ['Idempotency-Key'],
          message: issue.message,
          name: 'ValidationError' as const,
        }));
        return sendValidationError(ctx, 400, 'Invalid Idempotency-Key header', problems);
      }
      const parsed = bookingRequestSchema.safeParse(requestBody(ctx));
      if (!parsed.success) return sendValidationError(ctx, bodyErrorStatus(parsed.error.issues), 'Invalid request body', fieldErrors(parsed.error.issues));

      const service = strapi.service('api::booking.create-booking') as CreateBookingService;
      const outcome = await service.create(member, parsed.data, key.data, new Date());
      if (outcome.ok) {
        ctx.status = outcome.replayed ? 200 : 201;
        ctx.body = { data: outcome.data };
      } else if (outcome.status === 404) {
        throw new errors.NotFoundError(outcome.message);
      } else if (outcome.status === 409) {
        ctx.status = 409;
        // `code` as on the other booking endpoints; `reason` is kept for clients written before it.
        const details = { code: outcome.reason, reason: outcome.reason, ...(outcome.limit === undefined ? {} : { limit: outcome.limit }) };
        ctx.body = { data: null, error: { status: 409, name: 'ConflictError', message: outcome.message, details } };
      } else {
        const reason = outcome.reason === undefined ? {} : { reason: outcome.reason };
        const problem = { path: [outcome.field], message: outcome.message, name: 'ValidationError' as const };
        sendValidationError(ctx, 422, outcome.message, [problem], reason);
      }
    },

    /** GET /api/bookings/mine?status=&when=upcoming|past&page=&pageSize= (member): own bookings only. */
    async mine(ctx: Context) {
      const member = await activeMember(ctx);
      const parsed = myBookingsQuerySchema.safeParse(ctx.query);
      if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid query', fieldErrors(parsed.error.issues));
      ctx.body = await (strapi.service('api::booking.my-bookings') as MyBookingsService).list(member.id, parsed.data, new Date());
    },

    /** POST /api/bookings/:documentId/cancel (member, own): 200 with the cancelled booking and the refund due. */
    cancel: (ctx: Context) => memberTransition(ctx, 'cancel'),

    /** POST /api/bookings/:documentId/pay (member, own): 200 { confirmationUrl } for a booking waiting for payment. */
    async pay(ctx: Context) {
      const member = await activeMember(ctx);
      const documentId = bookingIdOf(ctx);
      if (documentId === null) return;
      const gateway = strapi.plugin('yookassa')?.service('payments') as PaymentGateway | undefined;
      if (!gateway) throw new errors.ApplicationError('Payments are not available.');
      const outcome = await gateway.payLink(member.id, documentId);
      if (outcome.ok) {
        ctx.body = { data: { confirmationUrl: outcome.confirmationUrl, payment: outcome.payment } };
        return;
      }
      const names = { 403: 'ForbiddenError', 404: 'NotFoundError', 409: 'ConflictError', 502: 'BadGatewayError', 503: 'ServiceUnavailableError' };
      ctx.status = outcome.status;
      ctx.body = { data: null, error: { status: outcome.status, name: names[outcome.status], message: outcome.message, details: {} } };
    },

    /** POST /api/bookings/:documentId/reschedule (member, own): the same booking at another free time. */
    reschedule: (ctx: Context) => memberTransition(ctx, 'reschedule'),
  };
});
