/** POST /yookassa/payments/:documentId/refund (admin, `plugin::yookassa.refund`): a staff refund, whole or in part. */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z, type ZodIssue } from 'zod';
import type { PaymentsService } from '../services/payments';

const refundSchema = z
  .object({
    amount: z.number({ invalid_type_error: 'amount must be a whole number of kopecks' }).int('amount must be a whole number of kopecks').positive('amount must be at least 1 kopeck').optional(),
    reason: z.string({ required_error: 'Give the reason', invalid_type_error: 'The reason must be a string' }).trim().min(1, 'Give the reason').max(500),
  })
  .strict();

const ERROR_NAMES = { 400: 'ValidationError', 404: 'NotFoundError', 409: 'ConflictError', 422: 'ValidationError' } as const;

// docs/API.md, Conventions: a body of the wrong shape (missing or unknown fields, wrong types) is a 400; a
// well-formed one whose values break a rule is a 422.
const SHAPE_ISSUES = new Set<string>(['invalid_type', 'unrecognized_keys']);
const bodyErrorStatus = (issues: ZodIssue[]): 400 | 422 => (issues.some((issue) => SHAPE_ISSUES.has(issue.code)) ? 400 : 422);

const refundsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async create(ctx: Context) {
    const fail = (status: keyof typeof ERROR_NAMES, message: string, details: Record<string, unknown> = {}) => {
      ctx.status = status;
      ctx.body = { data: null, error: { status, name: ERROR_NAMES[status], message, details } };
    };
    const { documentId } = ctx.params as { documentId: string };
    if (!/^[a-z0-9]{24}$/.test(documentId)) return fail(400, 'This is not a valid payment id.');
    const parsed = refundSchema.safeParse((ctx.request as unknown as { body?: unknown }).body ?? {});
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message, name: 'ValidationError' }));
      return fail(bodyErrorStatus(parsed.error.issues), 'Invalid request body', { errors });
    }
    const user = ctx.state.user as { id: number; firstname?: string; lastname?: string; email?: string };
    const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || '';
    const outcome = await (strapi.plugin('yookassa').service('payments') as PaymentsService).staffRefund(documentId, parsed.data, {
      id: user.id,
      label: `admin:${user.id} ${name}`.trim().slice(0, 100),
      // The client address as the app's ip-ban middleware worked it out (TRUSTED_PROXIES honoured).
      ip: (ctx.state.clientAddress as string | undefined) ?? ctx.request.ip,
    });
    if (outcome.ok) ctx.body = { data: outcome.refund };
    else fail(outcome.status, outcome.message);
  },
});

export default refundsController;
