/**
 * Staff actions on one booking. Each validates its body, then hands the change to the app's booking lifecycle
 * service (src/api/booking/services/lifecycle.ts), which runs the state machine, writes the audit log and
 * answers what happened; this controller only maps that answer to HTTP.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import { clientIp, fieldErrors, issuesStatus, requestBody, sendError, sendRefusal, staffLabel } from '../http';

type StaffEvent = 'approve' | 'reject' | 'cancel' | 'mark_paid' | 'reschedule';

/** The part of the lifecycle service this plugin uses (the app owns the full type). */
interface LifecycleService {
  transition(request: {
    documentId: string;
    event: StaffEvent;
    actor: { type: 'staff'; id: number; label: string };
    now: Date;
    reason?: string;
    ip?: string;
    startAt?: Date;
    refund?: 'policy' | 'full' | 'none';
  }): Promise<
    | { ok: true; data: unknown; refund: unknown }
    | { ok: false; status: 403 | 404 | 409 | 422; code: string; message: string; field?: string }
  >;
}

const reason = z.string({ invalid_type_error: 'The reason must be a string' }).trim().max(500, 'The reason is at most 500 characters');
const DATE_TIME_MESSAGE =
  'The start time must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T10:00:00+03:00 (offsets from -23:59 to +23:59)';
const OFFSET = /([+-])(\d{2}):?(\d{2})$/;

/**
 * The rule of the app's shared contract (types/contracts/booking.ts `startAtSchema`), which a self-contained
 * plugin cannot import: an RFC 3339 date-time whose UTC offset is at most ±23:59, so `+99:00` names no instant.
 */
const startAt = z
  .string({ required_error: 'Give the new start time', invalid_type_error: 'The start time must be an ISO 8601 string' })
  .datetime({ offset: true, message: DATE_TIME_MESSAGE })
  .superRefine((value, ctx) => {
    const offset = OFFSET.exec(value);
    if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) {
      ctx.addIssue({ code: z.ZodIssueCode.invalid_string, validation: 'datetime', message: DATE_TIME_MESSAGE });
    }
  })
  .transform((value) => new Date(value));

const BODIES = {
  approve: z.object({ reason: reason.optional() }).strict(),
  reject: z.object({ reason: reason.min(1, 'Tell the member why').optional() }).strict(),
  cancel: z
    .object({
      reason: reason.min(1, 'Tell the member why').optional(),
      refund: z.enum(['policy', 'full', 'none'], { message: 'refund must be policy, full or none' }).optional(),
    })
    .strict(),
  mark_paid: z.object({ reason: reason.optional() }).strict(),
  reschedule: z.object({ startAt, reason: reason.optional() }).strict(),
} satisfies Record<StaffEvent, ZodTypeAny>;

const DOCUMENT_ID = /^[a-z0-9]{24}$/;

// docs/API.md, Conventions: a body of the wrong shape (missing or unknown fields, wrong types, a date-time that
// names no instant) is a 400; a well-formed one whose values break a rule is a 422.
const SHAPE_ISSUES = new Set<string>(['invalid_type', 'unrecognized_keys', 'invalid_union', 'invalid_date']);
const isShapeIssue = (issue: ZodIssue) =>
  SHAPE_ISSUES.has(issue.code) || (issue.code === 'invalid_string' && issue.validation === 'datetime');

const bookingsController = ({ strapi }: { strapi: Core.Strapi }) => {
  async function act(ctx: Context, event: StaffEvent) {
    const { documentId } = ctx.params as { documentId: string };
    if (!DOCUMENT_ID.test(documentId)) return sendError(ctx, 400, 'This is not a valid booking id.');
    const parsed = BODIES[event].safeParse(requestBody(ctx));
    if (!parsed.success) {
      return sendError(ctx, issuesStatus(parsed.error.issues, isShapeIssue), 'Invalid request body', { errors: fieldErrors(parsed.error.issues) });
    }
    const body = parsed.data as { reason?: string; startAt?: Date; refund?: 'policy' | 'full' | 'none' };

    const lifecycle = strapi.service('api::booking.lifecycle') as unknown as LifecycleService;
    const outcome = await lifecycle.transition({
      documentId,
      event,
      actor: { type: 'staff', id: ctx.state.user.id, label: staffLabel(ctx.state.user) },
      now: new Date(),
      reason: body.reason,
      startAt: body.startAt,
      refund: body.refund,
      ip: clientIp(ctx),
    });
    if (outcome.ok) {
      ctx.body = { data: outcome.data, meta: { refund: outcome.refund } };
      return;
    }
    sendRefusal(ctx, outcome);
  }

  return {
    confirm: (ctx: Context) => act(ctx, 'approve'),
    reject: (ctx: Context) => act(ctx, 'reject'),
    cancel: (ctx: Context) => act(ctx, 'cancel'),
    markPaid: (ctx: Context) => act(ctx, 'mark_paid'),
    reschedule: (ctx: Context) => act(ctx, 'reschedule'),
  };
};

export default bookingsController;
