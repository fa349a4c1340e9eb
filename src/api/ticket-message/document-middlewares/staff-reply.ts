/**
 * A staff reply to a ticket notifies its member: when a ticket-message with authorType `staff` is created
 * (from the content manager, an API token or any server code using the Document Service; a raw
 * `strapi.db.query` insert bypasses it and is not covered), an outbox job `member.notify` is written in the
 * same transaction as the message, so a rolled-back message leaves no job and a committed one is never without
 * its notification (docs/OUTBOX.md). The ticket also records the reply's time and moves from `open` to
 * `in_progress`.
 *
 * Why a Document Service middleware with its own transaction: the middleware chain runs outside the
 * repository's transaction (each action opens it inside `next()`), so the middleware opens
 * `strapi.db.transaction` around `next()`; the action's transaction joins it (nested calls share the
 * transaction of the async context), and so do the reads, the ticket update and `outbox.enqueue` below. A
 * database `afterCreate` lifecycle would also run inside the action's transaction, but it fires for raw
 * query-engine writes too, and before the action is finished; the middleware sees the finished document.
 *
 * An update that turns a message into a staff reply to a ticket (the ticket chosen after the first save) is
 * covered too; the dedupeKey `member.notify:ticket-message:<documentId>` keeps it to one job per message, so
 * editing a reply does not notify twice.
 */
import type { Core, Modules } from '@strapi/strapi';
import type { OutboxService } from '../../outbox-job/services/outbox';

const MESSAGE_UID = 'api::ticket-message.ticket-message';
const TICKET_UID = 'api::ticket.ticket';

export interface TicketReplyNotification {
  ticket: string;
  message: string;
  event: 'ticket_reply';
}

interface StoredMessage {
  id: number;
  documentId: string;
  authorType: string;
  createdAt: Date | string | null;
  ticket: { id: number; documentId: string; state: string } | null;
}

export const staffReplyNotification =
  (strapi: Core.Strapi): Modules.Documents.Middleware.Middleware =>
  async (context, next) => {
    if (context.uid !== MESSAGE_UID || (context.action !== 'create' && context.action !== 'update')) return next();

    return strapi.db.transaction(async () => {
      const result = await next();
      const documentId = result !== null && typeof result === 'object' && 'documentId' in result ? result.documentId : undefined;
      if (typeof documentId !== 'string') return result;

      const message = (await strapi.db.query(MESSAGE_UID).findOne({
        where: { documentId },
        select: ['id', 'documentId', 'authorType', 'createdAt'],
        populate: { ticket: { select: ['id', 'documentId', 'state'] } },
      })) as StoredMessage | null;
      if (!message || message.authorType !== 'staff' || !message.ticket) return result;

      const outbox = strapi.service('api::outbox-job.outbox') as OutboxService;
      const { created } = await outbox.enqueue<TicketReplyNotification>({
        kind: 'member.notify',
        payload: { ticket: message.ticket.documentId, message: message.documentId, event: 'ticket_reply' },
        dedupeKey: `member.notify:ticket-message:${message.documentId}`,
      });
      if (created) {
        const now = new Date();
        const repliedAt = message.createdAt ? new Date(message.createdAt) : now;
        await strapi.db.query(TICKET_UID).updateMany({ where: { id: message.ticket.id }, data: { lastMessageAt: repliedAt, updatedAt: now } });
        await strapi.db.query(TICKET_UID).updateMany({ where: { id: message.ticket.id, state: 'open' }, data: { state: 'in_progress' } });
      }
      return result;
    });
  };
