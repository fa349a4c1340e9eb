/**
 * Contracts of the member support-ticket endpoints (POST /api/tickets, GET /api/tickets/mine,
 * GET /api/tickets/:documentId, POST /api/tickets/:documentId/messages), shared by the API (validation) and
 * its clients (what they send and get back). Messages are written for the person who sent the value.
 */
import { z } from 'zod';
import { pagingQueryFields, statusListSchema } from './list-query';

/** The ticket's lifecycle, stored as `state` and answered as `status` (docs/API-CHANGES.md). */
export const TICKET_STATES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_AUTHOR_TYPES = ['member', 'staff'] as const;
export type TicketAuthorType = (typeof TICKET_AUTHOR_TYPES)[number];

/**
 * Attachments: images only, checked on their bytes (magic numbers), not on the declared type or name, and stored
 * under a server-chosen name with the extension of the detected type.
 */
export const ATTACHMENT_MAX_FILES = 5;
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type AttachmentMimeType = (typeof ATTACHMENT_MIME_TYPES)[number];
export const ATTACHMENT_EXTENSIONS: Record<AttachmentMimeType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
/** Multipart field names that carry the files (`attachments` and the bracketed form some clients send). */
export const ATTACHMENT_FIELDS = ['attachments', 'attachments[]'] as const;

const subjectSchema = z
  .string({ required_error: 'Give the subject of your request', invalid_type_error: 'The subject must be text' })
  .trim()
  .min(3, 'The subject is at least 3 characters')
  .max(200, 'The subject is at most 200 characters');

const bodySchema = z
  .string({ required_error: 'Write your message', invalid_type_error: 'The message must be text' })
  .trim()
  .min(1, 'Write your message')
  .max(4000, 'The message is at most 4000 characters');

/**
 * POST /api/tickets body (JSON, or the text fields of a multipart form). Strict: a member cannot set the
 * state, the assignee or the owner.
 */
export const ticketCreateSchema = z
  .object({
    subject: subjectSchema,
    body: bodySchema,
    priority: z.enum(TICKET_PRIORITIES, { message: `priority must be one of: ${TICKET_PRIORITIES.join(', ')}` }).optional(),
  })
  .strict();

export type TicketCreateRequest = z.infer<typeof ticketCreateSchema>;

/** POST /api/tickets/:documentId/messages body (JSON, or the text fields of a multipart form). */
export const ticketReplySchema = z.object({ body: bodySchema }).strict();

export type TicketReplyRequest = z.infer<typeof ticketReplySchema>;

/** GET /api/tickets/mine query: filters and paging of the member's own tickets. */
export const myTicketsQuerySchema = z
  .object({ status: statusListSchema(TICKET_STATES), ...pagingQueryFields })
  .partial()
  .strict();

export type MyTicketsQuery = z.infer<typeof myTicketsQuerySchema>;

/** A ticket's documentId in a path: Strapi's ids are 24 lower-case letters and digits. */
export const ticketIdSchema = z.string().regex(/^[a-z0-9]{24}$/, 'This is not a valid ticket id');

// ---- Response shapes -------------------------------------------------------------------------------------

export interface TicketAttachment {
  id: number;
  documentId: string;
  /** The member's file name, cleaned, with the extension of the detected type (display only). */
  name: string;
  /**
   * Where the image is served: with the local provider a signed link that expires
   * (`/uploads/ticket_….png?expires=…&signature=…`, TICKET_ATTACHMENT_URL_TTL_SECONDS); fetch the ticket again
   * for fresh links.
   */
  url: string;
  mime: string;
  /** Bytes. */
  size: number;
  width: number | null;
  height: number | null;
  /** Smaller renditions made by the upload plugin (thumbnail, small, …), by name; their URLs are signed too. */
  formats: Record<string, { url: string; width: number | null; height: number | null }>;
}

export interface TicketMessageData {
  id: number;
  documentId: string;
  authorType: TicketAuthorType;
  body: string;
  attachments: TicketAttachment[];
  createdAt: string;
}

/** One ticket in GET /api/tickets/mine. */
export interface TicketSummary {
  id: number;
  documentId: string;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  createdAt: string;
  updatedAt: string;
  /** The newest message's time (the creation time for a ticket without messages). */
  lastMessageAt: string;
  messageCount: number;
}

/** POST /api/tickets and GET /api/tickets/:documentId: the ticket with its whole thread, oldest first. */
export interface TicketData extends TicketSummary {
  messages: TicketMessageData[];
}

/** POST /api/tickets/:documentId/messages: the new message and the ticket's status after it. */
export interface TicketReplyData extends TicketMessageData {
  ticket: { documentId: string; status: TicketStatus };
}
