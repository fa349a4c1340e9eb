/**
 * POST /booking-desk/bookings/:documentId/price `{ priceTotal, reason }` (an explicit new total in kopecks,
 * recorded as an override) or `{ reprice: true, reason }` (re-priced by the app's pricing service). The app's
 * service `api::booking.price-correction` applies the money rule, writes the booking, the audit log and the CRM
 * job in one transaction under the booking's lock; this controller validates the body and maps the answer.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { clientIp, fieldErrors, issuesStatus, requestBody, SHAPE_ISSUES, sendError, staffLabel } from '../http';

/** The part of the app's service this plugin uses (the app owns the full type). */
interface PriceCorrectionService {
  correct(request: {
    documentId: string;
    priceTotal?: number;
    reprice?: boolean;
    reason: string;
    actor: { id: number; label: string };
    ip?: string;
    now: Date;
  }): Promise<{ ok: true; data: unknown; correction: unknown } | { ok: false; status: 404 | 409 | 422; code: string; message: string }>;
}

/** The integer column's limit: 21 474 836,47 ₽. */
const MAX_KOPECKS = 2_147_483_647;

const body = z
  .object({
    priceTotal: z
      .number({ invalid_type_error: 'priceTotal must be a whole number of kopecks' })
      .int('priceTotal must be a whole number of kopecks')
      .min(0, 'priceTotal cannot be negative')
      .max(MAX_KOPECKS, `priceTotal is at most ${MAX_KOPECKS} kopecks`)
      .optional(),
    reprice: z.literal(true, { errorMap: () => ({ message: 'reprice must be true' }) }).optional(),
    reason: z
      .string({ required_error: 'Give the reason for the correction', invalid_type_error: 'The reason must be a string' })
      .trim()
      .min(1, 'Give the reason for the correction')
      .max(500, 'The reason is at most 500 characters'),
  })
  .strict();

const DOCUMENT_ID = /^[a-z0-9]{24}$/;
// A body of the wrong shape (here also a `reprice` that is not `true`) is a 400; a well-formed one whose values
// break a rule is a 422 (docs/API.md).
const isShapeIssue = (issue: { code: string }) => SHAPE_ISSUES.has(issue.code) || issue.code === 'invalid_literal';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async correct(ctx: Context) {
    const { documentId } = ctx.params as { documentId: string };
    if (!DOCUMENT_ID.test(documentId)) return sendError(ctx, 400, 'This is not a valid booking id.');
    const parsed = body.safeParse(requestBody(ctx));
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error.issues);
      return sendError(ctx, issuesStatus(parsed.error.issues, isShapeIssue), errors[0]?.message ?? 'Invalid request body', { errors });
    }
    const { priceTotal, reprice, reason } = parsed.data;
    if ((priceTotal === undefined) === (reprice === undefined)) {
      const message = 'Give either priceTotal (the new total in kopecks) or reprice: true, not both.';
      return sendError(ctx, 400, message, { errors: [{ path: ['priceTotal'], message, name: 'ValidationError' }] });
    }

    const service = strapi.service('api::booking.price-correction') as unknown as PriceCorrectionService;
    const outcome = await service.correct({
      documentId,
      priceTotal,
      reprice,
      reason,
      actor: { id: ctx.state.user.id, label: staffLabel(ctx.state.user) },
      ip: clientIp(ctx),
      now: new Date(),
    });
    if (outcome.ok) {
      ctx.body = { data: outcome.data, meta: { correction: outcome.correction } };
      return;
    }
    sendError(ctx, outcome.status, outcome.message, { code: outcome.code });
  },
});
