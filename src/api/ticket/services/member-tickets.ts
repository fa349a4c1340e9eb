/**
 * The member side of support tickets (ARCHITECTURE §4): open a ticket with its first message, reply, list and
 * read one's own tickets. Ownership comes from the signed-in account only, never from the request.
 *
 * Nothing half-written is left behind: files are uploaded (through the upload plugin) before the transaction
 * that writes the ticket and its message, and deleted again, rows and stored bytes, when that transaction or a
 * later upload fails. The request's temporary files are the controller's to delete.
 *
 * Attachments are private: stored under a server-chosen name (`ticket_<random>.<detected type>`), answered with
 * signed links that expire (services/attachment-urls.ts), the member's own file name kept only for display.
 */
import type { Core } from '@strapi/strapi';
import type {
  MyTicketsQuery,
  TicketAttachment,
  TicketAuthorType,
  TicketCreateRequest,
  TicketData,
  TicketMessageData,
  TicketPriority,
  TicketReplyData,
  TicketReplyRequest,
  TicketStatus,
  TicketSummary,
} from '../../../../types/contracts/ticket';
import type { InspectedFile } from '../domain/attachments';
import type { AttachmentStorageService, StoredAttachment } from './attachment-storage';
import type { AttachmentUrlsService } from './attachment-urls';
import type { StaffAlertsService } from '../../notification/services/staff-alerts';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const LOG_LABEL = 'tickets';
const DEFAULT_PAGE_SIZE = 10;

type StoredFile = StoredAttachment;

interface StoredMessage {
  id: number;
  documentId: string;
  authorType: TicketAuthorType;
  body: string;
  createdAt: Date | string;
  attachments?: StoredFile[] | null;
}

interface StoredTicket {
  id: number;
  documentId: string;
  subject: string;
  state: TicketStatus;
  priority: TicketPriority;
  createdAt: Date | string;
  updatedAt: Date | string;
  lastMessageAt: Date | string | null;
  member?: { id: number } | null;
  messages?: StoredMessage[] | { count: number } | null;
}

export interface TicketMember {
  id: number;
  documentId: string;
}

export type TicketOutcome<T> = { ok: true; data: T } | { ok: false; status: 403 | 404 | 409 | 415; message: string; code: string };

export interface MyTicketsPage {
  data: TicketSummary[];
  meta: { pagination: { page: number; pageSize: number; pageCount: number; total: number } };
}

const TICKET_FIELDS = ['id', 'documentId', 'subject', 'state', 'priority', 'createdAt', 'updatedAt', 'lastMessageAt'];
const FILE_FIELDS = ['id', 'documentId', 'name', 'url', 'mime', 'size', 'width', 'height', 'formats'];
const MESSAGE_FIELDS = ['id', 'documentId', 'authorType', 'body', 'createdAt'];
const MESSAGE_POPULATE = { attachments: { select: FILE_FIELDS } };

const iso = (value: Date | string | null | undefined): string => new Date(value ?? 0).toISOString();

/** Turns a stored URL into the link handed out (signed for private attachments). */
type SignUrl = (url: string) => string;

function toAttachment(file: StoredFile, sign: SignUrl): TicketAttachment {
  const formats: TicketAttachment['formats'] = {};
  for (const [name, format] of Object.entries(file.formats ?? {})) {
    formats[name] = { url: sign(format.url), width: format.width ?? null, height: format.height ?? null };
  }
  return {
    id: file.id,
    documentId: file.documentId,
    name: file.name,
    url: sign(file.url),
    mime: file.mime,
    // The upload plugin stores kilobytes (1000 bytes, two decimals).
    size: Math.round(Number(file.size) * 1000),
    width: file.width ?? null,
    height: file.height ?? null,
    formats,
  };
}

function toMessage(message: StoredMessage, sign: SignUrl): TicketMessageData {
  return {
    id: message.id,
    documentId: message.documentId,
    authorType: message.authorType,
    body: message.body,
    attachments: (message.attachments ?? []).map((file) => toAttachment(file, sign)),
    createdAt: iso(message.createdAt),
  };
}

function toSummary(ticket: StoredTicket): TicketSummary {
  const messages = ticket.messages;
  const messageCount = Array.isArray(messages) ? messages.length : Number(messages?.count ?? 0);
  return {
    id: ticket.id,
    documentId: ticket.documentId,
    subject: ticket.subject,
    status: ticket.state,
    priority: ticket.priority,
    createdAt: iso(ticket.createdAt),
    updatedAt: iso(ticket.updatedAt),
    lastMessageAt: iso(ticket.lastMessageAt ?? ticket.createdAt),
    messageCount,
  };
}

function toTicket(ticket: StoredTicket, sign: SignUrl): TicketData {
  const messages = Array.isArray(ticket.messages) ? ticket.messages : [];
  return { ...toSummary(ticket), messages: messages.map((message) => toMessage(message, sign)) };
}

/** Thrown inside a transaction to roll it back and answer with a refusal. */
class Refusal extends Error {
  constructor(
    readonly status: 409,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const memberTicketsService = ({ strapi }: { strapi: Core.Strapi }) => {
  // Uploads and deletions of attachments (services/attachment-storage.ts).
  const storage = () => strapi.service('api::ticket.attachment-storage') as AttachmentStorageService;
  // Staff alerts join the transaction of withUploads (docs/NOTIFICATIONS.md § Staff alerts).
  const staffAlerts = () => strapi.service('api::notification.staff-alerts') as StaffAlertsService;
  const sign: SignUrl = (url) => (strapi.service('api::ticket.attachment-urls') as AttachmentUrlsService).sign(url);

  /** The ticket with its owner and whole thread (oldest message first), or null. */
  async function load(documentId: string): Promise<StoredTicket | null> {
    return (await strapi.db.query(TICKET_UID).findOne({
      where: { documentId },
      select: TICKET_FIELDS,
      populate: {
        member: { select: ['id'] },
        messages: { select: MESSAGE_FIELDS, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: MESSAGE_POPULATE },
      },
    })) as StoredTicket | null;
  }

  /** Runs `write` in a transaction after uploading `files`; deletes the files again if anything fails. */
  async function withUploads<T>(
    files: InspectedFile[],
    write: (stored: StoredFile[]) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; status: 415 | 409; message: string; code: string }> {
    const uploaded = await storage().uploadAll(files, LOG_LABEL);
    if (!uploaded.ok) {
      return { ok: false, status: 415, message: `${uploaded.displayName ?? 'An attachment'} is not a readable image`, code: 'not_an_image' };
    }
    try {
      return { ok: true, value: await strapi.db.transaction(() => write(uploaded.files)) };
    } catch (error) {
      await storage().removeFiles(uploaded.files, LOG_LABEL);
      if (error instanceof Refusal) return { ok: false, status: error.status, message: error.message, code: error.code };
      throw error;
    }
  }

  const createMessage = async (ticket: { documentId: string }, member: TicketMember, body: string, files: StoredFile[]) =>
    (await strapi.documents(MESSAGE_UID).create({
      data: {
        ticket: ticket.documentId,
        authorType: 'member',
        authorMember: member.documentId,
        body,
        attachments: files.map((file) => file.id),
      } as never,
    })) as unknown as { id: number; documentId: string };

  /** The member's own ticket with its thread: 404 unknown, 403 someone else's. */
  async function owned(memberId: number, documentId: string): Promise<TicketOutcome<StoredTicket>> {
    const ticket = await load(documentId);
    if (!ticket) return { ok: false, status: 404, message: 'No such ticket.', code: 'not_found' };
    if (ticket.member?.id !== memberId) return { ok: false, status: 403, message: 'This ticket belongs to another account.', code: 'not_own' };
    return { ok: true, data: ticket };
  }

  return {
    owned,

    /** POST /api/tickets: the ticket (open) and its first message, with the attachments. */
    async create(member: TicketMember, input: TicketCreateRequest, files: InspectedFile[], now: Date): Promise<TicketOutcome<TicketData>> {
      const outcome = await withUploads(files, async (stored) => {
        const ticket = (await strapi.documents(TICKET_UID).create({
          data: { subject: input.subject, priority: input.priority ?? 'normal', state: 'open', member: member.documentId, lastMessageAt: now } as never,
        })) as unknown as { id: number; documentId: string };
        await createMessage(ticket, member, input.body, stored);
        await staffAlerts().enqueue({ event: 'ticket_new', ticket: ticket.documentId });
        return ticket.documentId;
      });
      if (!outcome.ok) return outcome;
      const ticket = await load(outcome.value);
      return { ok: true, data: toTicket(ticket!, sign) };
    },

    /** POST /api/tickets/:documentId/messages: a member's reply to their own ticket; re-opens a resolved one. */
    async reply(
      member: TicketMember,
      documentId: string,
      input: TicketReplyRequest,
      files: InspectedFile[],
      now: Date,
    ): Promise<TicketOutcome<TicketReplyData>> {
      const found = await owned(member.id, documentId);
      if (!found.ok) return found;
      if (found.data.state === 'closed') return { ok: false, status: 409, message: 'This ticket is closed; open a new one.', code: 'closed' };
      const ticketId = found.data.id;

      const outcome = await withUploads(files, async (stored) => {
        // The guard and the row lock (PostgreSQL) in one statement: a ticket closed meanwhile is refused.
        const touched = await strapi.db
          .query(TICKET_UID)
          .updateMany({ where: { id: ticketId, state: { $ne: 'closed' } }, data: { lastMessageAt: now, updatedAt: now } });
        if (Number(touched.count) !== 1) throw new Refusal(409, 'This ticket is closed; open a new one.', 'closed');
        await strapi.db.query(TICKET_UID).updateMany({ where: { id: ticketId, state: 'resolved' }, data: { state: 'open' } });
        const message = await createMessage({ documentId }, member, input.body, stored);
        await staffAlerts().enqueue({ event: 'ticket_reply', ticket: documentId, message: message.documentId });
        return message.id;
      });
      if (!outcome.ok) return outcome;

      const [message, ticket] = await Promise.all([
        strapi.db.query(MESSAGE_UID).findOne({ where: { id: outcome.value }, select: MESSAGE_FIELDS, populate: MESSAGE_POPULATE }) as Promise<StoredMessage>,
        strapi.db.query(TICKET_UID).findOne({ where: { id: ticketId }, select: ['documentId', 'state'] }) as Promise<StoredTicket>,
      ]);
      return { ok: true, data: { ...toMessage(message, sign), ticket: { documentId: ticket.documentId, status: ticket.state } } };
    },

    /** GET /api/tickets/:documentId (member). */
    async view(memberId: number, documentId: string): Promise<TicketOutcome<TicketData>> {
      const found = await owned(memberId, documentId);
      return found.ok ? { ok: true, data: toTicket(found.data, sign) } : found;
    },

    /** GET /api/tickets/mine: newest first, with the message count and the last message's time. */
    async list(memberId: number, query: MyTicketsQuery): Promise<MyTicketsPage> {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
      const where = { member: { id: memberId }, ...(query.status === undefined ? {} : { state: { $in: query.status } }) };
      const [rows, total] = await Promise.all([
        strapi.db.query(TICKET_UID).findMany({
          where,
          select: TICKET_FIELDS,
          populate: { messages: { count: true } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }) as Promise<StoredTicket[]>,
        strapi.db.query(TICKET_UID).count({ where }),
      ]);
      return {
        data: rows.map(toSummary),
        meta: { pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } },
      };
    },
  };
};

export type MemberTicketsService = ReturnType<typeof memberTicketsService>;
export default memberTicketsService;
