/**
 * Admin controller of the support inbox (docs/ADMIN.md, Support inbox). Validates the query, path and body with
 * zod (400 wrong shape, 422 a value that breaks a rule), hands the work to services/inbox.ts and maps its
 * answer to HTTP in Strapi's error envelope.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { clientIp, fieldErrors, issuesStatus, requestBody, sendError, sendRefusal as sendRefusalAt, staffLabel } from '../http';
import { STATE_FILTERS, TICKET_PRIORITIES, TICKET_STATES, type InboxService, type Refusal } from '../services/inbox';

const DOCUMENT_ID = /^[a-z0-9]{24}$/;
const MAX_REPLY_CHARS = 4000;

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string({ invalid_type_error: `${name} must be given once` })
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${name} must be within ${min}..${max}`);

const listQuerySchema = z
  .object({
    state: z.enum(STATE_FILTERS, { message: `state must be one of: ${STATE_FILTERS.join(', ')}` }).optional(),
    priority: z.enum(TICKET_PRIORITIES, { message: `priority must be one of: ${TICKET_PRIORITIES.join(', ')}` }).optional(),
    assignee: z
      .string({ invalid_type_error: 'assignee must be given once' })
      .regex(/^(me|none|[1-9]\d{0,8})$/, 'assignee must be me, none or an admin user id')
      .transform((value) => (value === 'me' || value === 'none' ? value : Number(value)))
      .optional(),
    q: z.string({ invalid_type_error: 'q must be given once' }).trim().max(100, 'q is at most 100 characters').optional(),
    page: wholeNumber('page', 1, 100_000).optional(),
    pageSize: wholeNumber('pageSize', 1, 100).optional(),
  })
  .strict();

const replySchema = z
  .object({
    body: z
      .string({ invalid_type_error: 'The reply must be text' })
      .trim()
      .max(MAX_REPLY_CHARS, `The reply is at most ${MAX_REPLY_CHARS} characters`)
      .optional(),
  })
  .strict();

const updateSchema = z
  .object({
    state: z.enum(TICKET_STATES, { message: `state must be one of: ${TICKET_STATES.join(', ')}` }).optional(),
    priority: z.enum(TICKET_PRIORITIES, { message: `priority must be one of: ${TICKET_PRIORITIES.join(', ')}` }).optional(),
    assignee: z.number({ invalid_type_error: 'assignee must be an admin user id or null' }).int('assignee must be an admin user id').positive('assignee must be an admin user id').nullable().optional(),
  })
  .strict();

/** A refusal's field such as `files.0` is the path `['files', '0']`. */
const sendRefusal = (ctx: Context, refusal: Refusal) => sendRefusalAt(ctx, refusal, (field) => field.split('.'));
const requestFiles = (ctx: Context) => (ctx.request as unknown as { files?: Record<string, unknown> }).files;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const inbox = () => strapi.plugin('booking-desk').service('inbox') as InboxService;

  /** The documentId in the path, or null after answering 400. */
  function documentIdOf(ctx: Context): string | null {
    const { documentId } = ctx.params as { documentId?: string };
    if (typeof documentId === 'string' && DOCUMENT_ID.test(documentId)) return documentId;
    sendError(ctx, 400, 'This is not a valid ticket id.', { errors: [{ path: ['documentId'], message: 'This is not a valid ticket id', name: 'ValidationError' }] });
    return null;
  }

  return {
    /** GET /booking-desk/tickets */
    async find(ctx: Context) {
      const parsed = listQuerySchema.safeParse(ctx.query);
      if (!parsed.success) return sendError(ctx, 400, 'Invalid query', { errors: fieldErrors(parsed.error.issues) });
      const { page = 1, pageSize = 20, q, ...filters } = parsed.data;
      ctx.body = await inbox().list({ ...filters, q: q || undefined, page, pageSize }, ctx.state.user.id);
    },

    /** GET /booking-desk/tickets/assignees */
    async assignees(ctx: Context) {
      ctx.body = { data: await inbox().assignees() };
    },

    /** GET /booking-desk/tickets/:documentId */
    async findOne(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (documentId === null) return;
      const outcome = await inbox().view(documentId);
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.body = { data: outcome.data };
    },

    /** POST /booking-desk/tickets/:documentId/reply (multipart: body, files) */
    async reply(ctx: Context) {
      const files = requestFiles(ctx);
      const documentId = documentIdOf(ctx);
      const parsed = documentId === null ? null : replySchema.safeParse(requestBody(ctx));
      if (documentId === null || parsed === null || !parsed.success) {
        // The request's temporary files go whatever the refusal (the service deletes them on every other path).
        await (strapi.service('api::ticket.staff-replies') as unknown as { discard(files: unknown): Promise<void> }).discard(files);
        if (parsed && !parsed.success) return sendError(ctx, issuesStatus(parsed.error.issues), 'Invalid request body', { errors: fieldErrors(parsed.error.issues) });
        return;
      }
      const outcome = await inbox().reply(documentId, ctx.state.user.id, parsed.data.body ?? '', files);
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.status = 201;
      ctx.body = { data: outcome.data };
    },

    /** PATCH /booking-desk/tickets/:documentId { state?, priority?, assignee? } */
    async update(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (documentId === null) return;
      const parsed = updateSchema.safeParse(requestBody(ctx));
      if (!parsed.success) return sendError(ctx, issuesStatus(parsed.error.issues), 'Invalid request body', { errors: fieldErrors(parsed.error.issues) });
      if (Object.keys(parsed.data).length === 0) {
        return sendError(ctx, 400, 'Nothing to change: give state, priority or assignee', { errors: [{ path: [], message: 'Give state, priority or assignee', name: 'ValidationError' }] });
      }
      const outcome = await inbox().update(documentId, parsed.data, {
        id: ctx.state.user.id,
        label: staffLabel(ctx.state.user),
        ip: clientIp(ctx) ?? null,
      });
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.body = { data: outcome.data };
    },
  };
};
