/**
 * `api::ticket.staff-replies`: a staff member's reply to a ticket, with up to five photos, for the booking
 * desk's support inbox (plugins/booking-desk, `POST /booking-desk/tickets/:documentId/reply`). The plugin cannot
 * import app code, so it calls this service by name.
 *
 * The photos are checked exactly as a member's ticket attachments are (domain/attachments.ts, the
 * `ticket-attachments` config): at most five, each at most 10 MB (or the upload plugin's smaller sizeLimit), the
 * type sniffed from the bytes (JPEG, PNG, WebP; not animated), the pixel count read from the header, then decoded
 * once by the upload plugin's image library; stored privately under a server-chosen `ticket_<random>` name and
 * handed out through signed links (services/attachment-urls.ts).
 *
 * The message is a ticket-message with `authorType: 'staff'` and `authorStaff` = the admin user, created through
 * the Document Service, so the staff-reply document middleware (ticket-message/document-middlewares/staff-reply.ts)
 * enqueues the `member.notify` job in the same transaction (and moves an open ticket to in_progress). The files
 * are uploaded before that transaction and deleted again, rows and bytes, if it fails. The request's temporary
 * files are deleted here whatever happens.
 *
 * A reply with photos and no text is stored with the body PHOTO_ONLY_BODY ("📷"): the content type requires a
 * body (1..4000 characters) for every message. The notifier and the inbox recognise it and show no text.
 */
import { createReadStream, promises as fs } from 'fs';
import type { Core } from '@strapi/strapi';
import type { TicketAttachmentSettings } from '../../../../config/ticket-attachments';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_FILES } from '../../../../types/contracts/ticket';
import {
  allRequestFiles,
  type AttachmentProblem,
  confirmDecodable,
  type IncomingFile,
  type InspectedFile,
  inspectAttachments,
} from '../domain/attachments';
import type { AttachmentStorageService, StoredAttachment } from './attachment-storage';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const LOG_LABEL = 'staff replies';

/** Multipart fields that carry a staff reply's photos. */
export const STAFF_REPLY_FILE_FIELDS = ['files', 'files[]'] as const;
/** Longest reply text: the ticket-message content type's limit (the member's too). */
export const STAFF_REPLY_MAX_CHARS = 4000;
/** The stored body of a reply that has photos and no text (the content type requires a body). */
export const PHOTO_ONLY_BODY = '📷';

/** Whether a stored message body is the stand-in of a photo-only reply (no text to show). */
export const isPhotoOnlyBody = (body: string | null | undefined, attachmentCount: number): boolean =>
  attachmentCount > 0 && (body ?? '').trim() === PHOTO_ONLY_BODY;

export interface StaffReplyRequest {
  /** The ticket's documentId. */
  ticket: string;
  /** The admin user writing. */
  staffId: number;
  /** The text, already trimmed; empty only with photos. */
  body: string;
  /** `ctx.request.files` as koa-body gives it (every field; anything but `files` is refused). */
  files: Record<string, unknown> | undefined;
}

export type StaffReplyRefusal =
  | { ok: false; status: 404 | 409; code: string; message: string }
  | { ok: false; status: 413 | 415 | 422; code: string; message: string; field: string };

export type StaffReplyOutcome = { ok: true; message: { id: number; documentId: string } } | StaffReplyRefusal;

const asList = (value: unknown): IncomingFile[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? (value as IncomingFile[]) : [value as IncomingFile];

const problemOf = (problem: AttachmentProblem, code: string): StaffReplyRefusal => ({
  ok: false,
  status: problem.status,
  code,
  // The shared checks name the field `attachments.<n>`; here the field is `files`.
  field: problem.field.replace(/^attachments/, 'files'),
  message: problem.message,
});

const staffRepliesService = ({ strapi }: { strapi: Core.Strapi }) => {
  const storage = () => strapi.service('api::ticket.attachment-storage') as AttachmentStorageService;

  /** The upload plugin's image library reads the whole file (the check it makes itself before storing). */
  async function decodableImage(file: IncomingFile): Promise<boolean> {
    const images = strapi.plugin('upload').service('image-manipulation');
    const candidate = { filepath: file.filepath, getStream: () => createReadStream(file.filepath) };
    return (await images.isImage(candidate)) && !(await images.isFaultyImage(candidate));
  }

  /** Count, field names, bytes, type, pixels, then decoding: the member attachments' checks, in the same order. */
  async function checkFiles(files: Record<string, unknown> | undefined): Promise<{ ok: true; files: InspectedFile[] } | StaffReplyRefusal> {
    const fields = Object.keys(files ?? {});
    const unknown = fields.filter((field) => !(STAFF_REPLY_FILE_FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) {
      return { ok: false, status: 422, code: 'file_field', field: unknown[0], message: `Send photos as "files"; unexpected file field(s): ${unknown.join(', ')}` };
    }
    const list = STAFF_REPLY_FILE_FIELDS.flatMap((field) => asList(files?.[field]));
    if (list.length > ATTACHMENT_MAX_FILES) {
      return { ok: false, status: 422, code: 'too_many_files', field: 'files', message: `At most ${ATTACHMENT_MAX_FILES} photos per reply (got ${list.length})` };
    }
    const sizeLimit = Number((strapi.config.get('plugin::upload') as { sizeLimit?: number } | undefined)?.sizeLimit) || ATTACHMENT_MAX_BYTES;
    const { maxPixels } = strapi.config.get('ticket-attachments') as TicketAttachmentSettings;
    const inspected = await inspectAttachments(list, { maxBytes: Math.min(ATTACHMENT_MAX_BYTES, sizeLimit), maxPixels });
    if (!inspected.ok) return problemOf(inspected.problem, inspected.problem.status === 415 ? 'not_an_image' : 'too_large');
    const undecodable = await confirmDecodable(inspected.files, decodableImage);
    if (undecodable) return problemOf(undecodable, 'not_an_image');
    return { ok: true, files: inspected.files };
  }

  /** Stores the photos under server-chosen private names (services/attachment-storage.ts); an unreadable one is a 415. */
  async function uploadAll(files: InspectedFile[]): Promise<{ ok: true; files: StoredAttachment[] } | StaffReplyRefusal> {
    const uploaded = await storage().uploadAll(files, LOG_LABEL);
    if (uploaded.ok) return uploaded;
    return { ok: false, status: 415, code: 'not_an_image', field: `files.${uploaded.index}`, message: `${uploaded.displayName ?? 'A photo'} is not a readable image` };
  }

  async function reply(request: StaffReplyRequest): Promise<StaffReplyOutcome> {
    const ticket = (await strapi.db.query(TICKET_UID).findOne({ where: { documentId: request.ticket }, select: ['id', 'documentId', 'state'] })) as {
      id: number;
      documentId: string;
      state: string;
    } | null;
    if (!ticket) return { ok: false, status: 404, code: 'not_found', message: 'No such ticket.' };
    if (ticket.state === 'closed') {
      return { ok: false, status: 409, code: 'closed', message: 'This ticket is closed: reopen it (set its state) before replying.' };
    }
    const checked = await checkFiles(request.files);
    if (!checked.ok) return checked;
    const body = request.body.trim();
    if (body === '' && checked.files.length === 0) {
      return { ok: false, status: 422, code: 'empty', field: 'body', message: 'Write a reply or attach at least one photo.' };
    }
    if (Array.from(body).length > STAFF_REPLY_MAX_CHARS) {
      return { ok: false, status: 422, code: 'too_long', field: 'body', message: `The reply is at most ${STAFF_REPLY_MAX_CHARS} characters.` };
    }

    const uploaded = await uploadAll(checked.files);
    if (!uploaded.ok) return uploaded;
    try {
      const message = await strapi.db.transaction(async () => {
        // The guard and the row lock (PostgreSQL) in one statement: a ticket closed meanwhile is refused.
        const touched = await strapi.db.query(TICKET_UID).updateMany({ where: { id: ticket.id, state: { $ne: 'closed' } }, data: { updatedAt: new Date() } });
        if (Number(touched.count) !== 1) throw new ClosedMeanwhile();
        return (await strapi.documents(MESSAGE_UID).create({
          data: {
            ticket: ticket.documentId,
            authorType: 'staff',
            authorStaff: request.staffId,
            body: body === '' ? PHOTO_ONLY_BODY : body,
            attachments: uploaded.files.map((file) => file.id),
          } as never,
        })) as unknown as { id: number; documentId: string };
      });
      return { ok: true, message: { id: message.id, documentId: message.documentId } };
    } catch (error) {
      await storage().removeFiles(uploaded.files, LOG_LABEL);
      if (error instanceof ClosedMeanwhile) return { ok: false, status: 409, code: 'closed', message: 'This ticket was closed meanwhile: reopen it before replying.' };
      throw error;
    }
  }

  /** Deletes a request's temporary files (koa-body only cleans up a `files` field itself). */
  const discard = async (files: Record<string, unknown> | undefined): Promise<void> => {
    await Promise.all(allRequestFiles(files).map((file) => fs.rm(file.filepath, { force: true }).catch(() => undefined)));
  };

  return {
    discard,

    /**
     * Validates and stores the reply; deletes the request's temporary files in every case. Refusals leave
     * nothing behind (no message, no file row, no stored bytes, no outbox job).
     */
    async reply(request: StaffReplyRequest): Promise<StaffReplyOutcome> {
      try {
        return await reply(request);
      } finally {
        await discard(request.files);
      }
    },
  };
};

class ClosedMeanwhile extends Error {}

export type StaffRepliesService = ReturnType<typeof staffRepliesService>;
export default staffRepliesService;
