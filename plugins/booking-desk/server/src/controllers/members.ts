/**
 * Admin controller of the member card (docs/ADMIN.md, Member card). Validates the query or body with zod
 * (400 wrong shape, 422 a value that breaks a rule), hands the work to the plugin's `members` service and maps
 * its answer to HTTP in Strapi's error envelope.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z, type ZodTypeAny } from 'zod';
import { type AdminUser, clientIp, fieldErrors, issuesStatus, requestBody, sendError, sendRefusal } from '../http';
import { type MembersService, spaceTimeZone, type StaffActor } from '../services/members';

const DOCUMENT_ID = /^[a-z0-9]{24}$/;
export const MESSAGE_MAX_CHARS = 4096;
export const NOTE_MAX_CHARS = 2000;
export const REASON_MAX_CHARS = 500;
export const PAGE_SIZE_MAX = 50;

/** Length in characters as people count them (code points), so an emoji is one. */
const chars = (value: string) => Array.from(value).length;

const text = (field: string, max: number) =>
  z
    .string({ required_error: `Give the ${field}`, invalid_type_error: `The ${field} must be a string` })
    .trim()
    .refine((value) => value.length > 0, { message: `The ${field} must not be empty` })
    .refine((value) => chars(value) <= max, { message: `The ${field} is at most ${max} characters` });

const BODIES = {
  ban: z.object({ reason: text('reason', REASON_MAX_CHARS) }).strict(),
  message: z.object({ text: text('text', MESSAGE_MAX_CHARS) }).strict(),
  note: z.object({ body: text('note', NOTE_MAX_CHARS) }).strict(),
} satisfies Record<string, ZodTypeAny>;

const positiveInt = (field: string, max: number, fallback: number) =>
  z
    .string({ invalid_type_error: `${field} must be given once` })
    .regex(/^\d{1,6}$/, `${field} must be a whole number`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, { message: `${field} must be between 1 and ${max}` })
    .optional()
    .transform((value) => value ?? fallback);

const SEARCH_QUERY = z.object({
  q: z
    .string({ invalid_type_error: 'q must be given once' })
    .max(100, 'q is at most 100 characters')
    .optional()
    .transform((value) => value?.trim() ?? ''),
  page: positiveInt('page', 100_000, 1),
  pageSize: positiveInt('pageSize', PAGE_SIZE_MAX, 20),
});

/** How the audit log and notes name the staff member (the same label as the booking actions). */
const staffActor = (user: AdminUser): StaffActor => {
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || `admin ${user.id}`;
  return { id: user.id, name, label: `admin:${user.id} ${name}`.trim().slice(0, 200) };
};

const membersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('booking-desk').service('members') as MembersService;

  /** The documentId of the path, or a 400 sent (null). */
  const memberId = (ctx: Context): string | null => {
    const { documentId } = ctx.params as { documentId: string };
    if (DOCUMENT_ID.test(documentId)) return documentId;
    sendError(ctx, 400, 'This is not a valid member id.');
    return null;
  };

  function parseBody<S extends ZodTypeAny>(ctx: Context, schema: S): z.infer<S> | null {
    const parsed = schema.safeParse(requestBody(ctx));
    if (parsed.success) return parsed.data;
    sendError(ctx, issuesStatus(parsed.error.issues), 'Invalid request body', { errors: fieldErrors(parsed.error.issues) });
    return null;
  }

  async function setBanned(ctx: Context, banned: boolean) {
    const documentId = memberId(ctx);
    if (!documentId) return;
    const body = parseBody(ctx, BODIES.ban);
    if (!body) return;
    const outcome = await service().setBanned({ documentId, banned, reason: body.reason, actor: staffActor(ctx.state.user), ip: clientIp(ctx) });
    if (!outcome.ok) return sendRefusal(ctx, outcome);
    ctx.body = { data: outcome.data };
  }

  return {
    /** GET /booking-desk/members?q=&page=&pageSize= */
    async find(ctx: Context) {
      const parsed = SEARCH_QUERY.safeParse(ctx.query ?? {});
      if (!parsed.success) return sendError(ctx, 400, 'Invalid query', { errors: fieldErrors(parsed.error.issues) });
      ctx.body = await service().search(parsed.data);
    },

    /** GET /booking-desk/members/:documentId — the member card. */
    async findOne(ctx: Context) {
      const documentId = memberId(ctx);
      if (!documentId) return;
      const outcome = await service().card(documentId);
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.body = { data: outcome.data, meta: { timeZone: spaceTimeZone() } };
    },

    ban: (ctx: Context) => setBanned(ctx, true),
    unban: (ctx: Context) => setBanned(ctx, false),

    /** POST /booking-desk/members/:documentId/message — 202: queued for the bot. */
    async message(ctx: Context) {
      const documentId = memberId(ctx);
      if (!documentId) return;
      const body = parseBody(ctx, BODIES.message);
      if (!body) return;
      const outcome = await service().message({ documentId, text: body.text, actor: staffActor(ctx.state.user), ip: clientIp(ctx) });
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.status = 202;
      ctx.body = { data: { queued: true, job: outcome.data.job } };
    },

    /** POST /booking-desk/members/:documentId/notes — 201 with the note. */
    async addNote(ctx: Context) {
      const documentId = memberId(ctx);
      if (!documentId) return;
      const body = parseBody(ctx, BODIES.note);
      if (!body) return;
      const outcome = await service().addNote({ documentId, body: body.body, actor: staffActor(ctx.state.user), ip: clientIp(ctx) });
      if (!outcome.ok) return sendRefusal(ctx, outcome);
      ctx.status = 201;
      ctx.body = { data: outcome.data };
    },
  };
};

export default membersController;
