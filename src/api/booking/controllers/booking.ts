import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import { availabilityQuerySchema, quoteRequestSchema } from '../../../../types/contracts/booking';
import { fieldErrors, sendValidationError } from '../../../utils/http-errors';
import type { AvailabilityService } from '../services/availability';
import type { QuoteService } from '../services/quote';

const USER_UID = 'plugin::users-permissions.user';

export default factories.createCoreController('api::booking.booking', ({ strapi }) => ({
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
    const member = await strapi.db.query(USER_UID).findOne({ where: { id: ctx.state.user.id }, select: ['id', 'isBanned', 'blocked'] });
    if (!member) throw new errors.UnauthorizedError('Sign in again');
    if (member.isBanned || member.blocked) throw new errors.ForbiddenError('This account is blocked. Contact the space staff.');

    const parsed = quoteRequestSchema.safeParse((ctx.request as unknown as { body?: unknown }).body ?? {});
    if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid request body', fieldErrors(parsed.error.issues));
    const outcome = await (strapi.service('api::booking.quote') as QuoteService).quote(member.id, parsed.data, new Date());
    if (outcome.ok) {
      ctx.body = { data: outcome.data };
    } else if (outcome.problem === 'tariff') {
      throw new errors.NotFoundError(outcome.message);
    } else if (outcome.problem === 'units') {
      sendValidationError(ctx, 422, outcome.message, [{ path: ['units'], message: outcome.message, name: 'ValidationError' }]);
    } else {
      sendValidationError(ctx, 422, outcome.message, [{ path: ['promocode'], message: outcome.message, name: 'ValidationError' }], {
        reason: outcome.reason,
      });
    }
  },
}));
