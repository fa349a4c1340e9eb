import { createReadStream, promises as fs } from 'fs';
import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import type { ZodIssue } from 'zod';
import {
  ATTACHMENT_MAX_BYTES,
  myTicketsQuerySchema,
  ticketCreateSchema,
  ticketIdSchema,
  ticketReplySchema,
} from '../../../../types/contracts/ticket';
import type { TicketAttachmentSettings } from '../../../../config/ticket-attachments';
import { bodyErrorStatus, fieldErrors, sendValidationError } from '../../../utils/http-errors';
import { assertMemberNotBlocked, signedInMember, type SignedInMember } from '../../../utils/member-access';
import { rateLimits, sendRateLimited, waitText } from '../../../utils/rate-limit';
import {
  allRequestFiles,
  type AttachmentProblem,
  collectAttachments,
  confirmDecodable,
  type IncomingFile,
  type InspectedFile,
  inspectAttachments,
} from '../domain/attachments';
import type { MemberTicketsService, TicketOutcome } from '../services/member-tickets';


const ERROR_NAMES = {
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  415: 'UnsupportedMediaTypeError',
} as const;

/**
 * Support tickets. For members (users-permissions JWT) POST /api/tickets and GET /api/tickets/:id are the
 * member endpoints of API.md (own tickets only); API tokens keep Strapi's generic create and findOne, as for
 * bookings (docs/API-CHANGES.md). GET /api/tickets/mine and POST /api/tickets/:documentId/messages are
 * custom routes (routes/01-custom.ts).
 */
export default factories.createCoreController('api::ticket.ticket', ({ strapi }) => {
  const tickets = () => strapi.service('api::ticket.member-tickets') as MemberTicketsService;
  const isMember = (ctx: Context) => ctx.state.auth?.strategy?.name === 'users-permissions';

  /**
   * The signed-in member, or null after answering 403 for a banned or blocked account (and, with
   * `registered`, for one that has not completed registration). The 403 is answered here rather than thrown:
   * Strapi's authorize step replaces the message of a ForbiddenError thrown by a controller with "Forbidden".
   */
  async function activeMember(ctx: Context, { registered = false } = {}): Promise<SignedInMember | null> {
    // An API token reaching a member-only route (a full-access token passes every permission check).
    if (!isMember(ctx) || !ctx.state.user) {
      sendError(ctx, 403, 'This endpoint is for members signed in with their own account.');
      return null;
    }
    const member = await signedInMember(strapi, ctx.state.user);
    if (!member) throw new errors.UnauthorizedError('Sign in again');
    try {
      assertMemberNotBlocked(member);
    } catch (error) {
      sendError(ctx, 403, (error as Error).message);
      return null;
    }
    if (registered && member.registeredAt === null) {
      sendError(ctx, 403, 'Please complete your registration before writing to support.', { code: 'not_registered' });
      return null;
    }
    return member;
  }

  const requestBody = (ctx: Context): unknown => (ctx.request as unknown as { body?: unknown }).body ?? {};
  const requestFiles = (ctx: Context) => (ctx.request as unknown as { files?: Record<string, unknown> }).files;

  /** The documentId in the path, or a 400 answered here (null). */
  function ticketIdOf(ctx: Context, param: string): string | null {
    const id = ticketIdSchema.safeParse(ctx.params[param]);
    if (id.success) return id.data;
    sendValidationError(ctx, 400, id.error.issues[0].message, fieldErrors(id.error.issues.map((issue) => ({ ...issue, path: ['documentId'] }))));
    return null;
  }

  function sendError(ctx: Context, status: keyof typeof ERROR_NAMES, message: string, details: Record<string, unknown> = {}) {
    ctx.status = status;
    ctx.body = { data: null, error: { status, name: ERROR_NAMES[status], message, details } };
  }

  function sendAttachmentProblem(ctx: Context, problem: AttachmentProblem) {
    const errorsList = [{ path: problem.field.split('.'), message: problem.message, name: 'ValidationError' as const }];
    if (problem.status === 422) return sendValidationError(ctx, 422, problem.message, errorsList);
    sendError(ctx, problem.status, problem.message, { errors: errorsList });
  }

  function sendOutcome<T>(ctx: Context, outcome: TicketOutcome<T>, status = 200) {
    if (outcome.ok) {
      ctx.status = status;
      ctx.body = { data: outcome.data };
      return;
    }
    sendError(ctx, outcome.status, outcome.message, { code: outcome.code });
  }

  /**
   * The text fields (JSON, or a multipart form's fields) against `schema`, then the attachments: too many or
   * under another field 422, too large in bytes or pixels 413, not an image 415, more files than the member's
   * `upload` rate allows 429. What decodes an image runs last. Answers and returns null when refused.
   */
  async function readMessage<T>(
    ctx: Context,
    member: SignedInMember,
    schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ZodIssue[] } } },
  ): Promise<{ input: T; files: InspectedFile[] } | null> {
    const parsed = schema.safeParse(requestBody(ctx));
    if (!parsed.success) {
      sendValidationError(ctx, bodyErrorStatus(parsed.error.issues), 'Invalid request body', fieldErrors(parsed.error.issues));
      return null;
    }
    const collected = collectAttachments(requestFiles(ctx));
    if (!collected.ok) {
      sendAttachmentProblem(ctx, collected.problem);
      return null;
    }
    const sizeLimit = Number((strapi.config.get('plugin::upload') as { sizeLimit?: number } | undefined)?.sizeLimit) || ATTACHMENT_MAX_BYTES;
    const { maxPixels } = strapi.config.get('ticket-attachments') as TicketAttachmentSettings;
    const inspected = await inspectAttachments(collected.files, { maxBytes: Math.min(ATTACHMENT_MAX_BYTES, sizeLimit), maxPixels });
    if (!inspected.ok) {
      sendAttachmentProblem(ctx, inspected.problem);
      return null;
    }
    if (inspected.files.length > 0 && !(await takeUploadAllowance(ctx, member, inspected.files.length))) return null;
    const problem = await confirmDecodable(inspected.files, decodableImage);
    if (problem) {
      sendAttachmentProblem(ctx, problem);
      return null;
    }
    return { input: parsed.data, files: inspected.files };
  }

  /** One point of the `upload` rule per file; answers 429 with Retry-After (and returns false) when they are used up. */
  async function takeUploadAllowance(ctx: Context, member: SignedInMember, files: number): Promise<boolean> {
    const limits = rateLimits(strapi);
    const decision = await limits.consume('upload', `member:${member.id}`, files);
    if (decision.allowed) return true;
    const { points, durationSeconds } = limits.rule('upload');
    sendRateLimited(
      ctx,
      decision,
      `Too many attachments: at most ${points} files per ${waitText(durationSeconds)}. Try again in ${waitText(decision.retryAfterSeconds)}, or send your message without attachments.`,
      { rule: 'upload' },
    );
    return false;
  }

  /** The upload plugin's image library can read the whole file (the same check it makes before storing). */
  async function decodableImage(file: IncomingFile): Promise<boolean> {
    const images = strapi.plugin('upload').service('image-manipulation');
    const candidate = { filepath: file.filepath, getStream: () => createReadStream(file.filepath) };
    return (await images.isImage(candidate)) && !(await images.isFaultyImage(candidate));
  }

  /** Deletes the request's temporary files (koa-body only cleans up a `files` field itself). */
  async function withTemporaryFiles(ctx: Context, handle: () => Promise<void>) {
    try {
      await handle();
    } finally {
      await Promise.all(allRequestFiles(requestFiles(ctx)).map((file) => fs.rm(file.filepath, { force: true }).catch(() => undefined)));
    }
  }

  return {
    /**
     * POST /api/tickets (member): JSON `{ subject, body, priority? }` or multipart with those fields and up to
     * five image `attachments`. 201 with the ticket and its first message.
     */
    async create(ctx: Context) {
      if (!isMember(ctx)) return super.create(ctx);
      await withTemporaryFiles(ctx, async () => {
        const member = await activeMember(ctx, { registered: true });
        if (member === null) return;
        const message = await readMessage(ctx, member, ticketCreateSchema);
        if (message === null) return;
        sendOutcome(ctx, await tickets().create(member, message.input, message.files, new Date()), 201);
      });
    },

    /** GET /api/tickets/:id (member, own): the ticket with its whole thread. API tokens: the generic findOne. */
    async findOne(ctx: Context) {
      if (!isMember(ctx)) return super.findOne(ctx);
      const member = await activeMember(ctx);
      if (member === null) return;
      const documentId = ticketIdOf(ctx, 'id');
      if (documentId === null) return;
      sendOutcome(ctx, await tickets().view(member.id, documentId));
    },

    /** GET /api/tickets/mine?status=&page=&pageSize= (member): own tickets, newest first. */
    async mine(ctx: Context) {
      const member = await activeMember(ctx);
      if (member === null) return;
      const parsed = myTicketsQuerySchema.safeParse(ctx.query);
      if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid query', fieldErrors(parsed.error.issues));
      ctx.body = await tickets().list(member.id, parsed.data);
    },

    /** POST /api/tickets/:documentId/messages (member, own): JSON `{ body }` or multipart with attachments. */
    async reply(ctx: Context) {
      await withTemporaryFiles(ctx, async () => {
        const member = await activeMember(ctx);
        if (member === null) return;
        const documentId = ticketIdOf(ctx, 'documentId');
        if (documentId === null) return;
        // Ownership before anything about the body, so another member's ticket tells nothing.
        const found = await tickets().owned(member.id, documentId);
        if (!found.ok) return sendOutcome(ctx, found);
        const message = await readMessage(ctx, member, ticketReplySchema);
        if (message === null) return;
        sendOutcome(ctx, await tickets().reply(member, documentId, message.input, message.files, new Date()), 201);
      });
    },
  };
});
