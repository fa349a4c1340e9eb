/**
 * POST /booking-desk/bookings/:documentId/price `{ priceTotal, reason }` (an explicit new total in kopecks,
 * recorded as an override) or `{ reprice: true, reason }` (re-priced by the app's pricing service). The app's
 * service `api::booking.price-correction` applies the money rule, writes the booking, the audit log and the CRM
 * job in one transaction under the booking's lock; this controller validates the body and maps the answer.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';

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
const ERROR_NAMES = { 400: 'ValidationError', 404: 'NotFoundError', 409: 'ConflictError', 422: 'ValidationError' } as const;
// A body of the wrong shape is a 400; a well-formed one whose values break a rule is a 422 (docs/API.md).
const SHAPE_ISSUES = new Set<string>(['invalid_type', 'unrecognized_keys', 'invalid_literal', 'invalid_union']);

function sendError(ctx: Context, status: keyof typeof ERROR_NAMES, message: string, details: Record<string, unknown> = {}) {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name: ERROR_NAMES[status], message, details } };
}

interface AdminUser {
  id: number;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
}

const staffLabel = (user: AdminUser) => {
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || '';
  return `admin:${user.id} ${name}`.trim().slice(0, 100);
};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async correct(ctx: Context) {
    const { documentId } = ctx.params as { documentId: string };
    if (!DOCUMENT_ID.test(documentId)) return sendError(ctx, 400, 'This is not a valid booking id.');
    const parsed = body.safeParse((ctx.request as unknown as { body?: unknown }).body ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues;
      const errors = issues.map((issue) => ({
        path: issue.path.map(String),
        message: issue.code === 'unrecognized_keys' ? `Unknown field(s): ${issue.keys.join(', ')}` : issue.message,
        name: 'ValidationError',
      }));
      const status = issues.some((issue) => SHAPE_ISSUES.has(issue.code)) ? 400 : 422;
      return sendError(ctx, status, errors[0]?.message ?? 'Invalid request body', { errors });
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
      ip: (ctx.state.clientAddress as string | undefined) ?? ctx.request.ip,
      now: new Date(),
    });
    if (outcome.ok) {
      ctx.body = { data: outcome.data, meta: { correction: outcome.correction } };
      return;
    }
    sendError(ctx, outcome.status, outcome.message, { code: outcome.code });
  },
});
