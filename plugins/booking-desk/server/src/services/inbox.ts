/**
 * The support inbox of the booking desk (docs/ADMIN.md, Support inbox): the ticket list with its counters, one
 * ticket's thread, staff replies (through the app's `api::ticket.staff-replies`) and changes of state, priority
 * and assignee (audited).
 *
 * A plugin cannot import app code: the app's content types are read through the query engine (and, where an
 * ordering or a "last message" needs SQL, knex over the tables the metadata names), the app's services by name
 * with the narrow interfaces declared below.
 *
 * "Waiting" (a counter and a `state` filter value): an open or in-progress ticket whose newest message is from
 * staff, so the next move is the member's. "Unanswered": any ticket whose newest message is from the member.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const USER_UID = 'plugin::users-permissions.user';
const ADMIN_USER_UID = 'admin::user';
const AUDIT_UID = 'api::audit-log.audit-log';

export const TICKET_STATES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
/** The `state` filter: a stored state, or `waiting` (above). */
export const STATE_FILTERS = [...TICKET_STATES, 'waiting'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

/** The permission that makes an admin user a possible assignee (someone who can answer the ticket). */
const REPLY_PERMISSION = 'plugin::booking-desk.inbox.reply';
const SUPER_ADMIN_CODE = 'strapi-super-admin';
/** The body of a reply with photos and no text (src/api/ticket/services/staff-replies.ts). */
const PHOTO_ONLY_BODY = '📷';
const PREVIEW_CHARS = 140;

// ---------------------------------------------------------------------------------------------------------------
// App services used here (narrow interfaces)

interface AttachmentUrls {
  sign(url: string): string;
}

type StaffReplyOutcome =
  | { ok: true; message: { id: number; documentId: string } }
  | { ok: false; status: 404 | 409 | 413 | 415 | 422; code: string; message: string; field?: string };

interface StaffReplies {
  reply(request: { ticket: string; staffId: number; body: string; files: Record<string, unknown> | undefined }): Promise<StaffReplyOutcome>;
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

export interface StaffActor {
  id: number;
  /** `admin:<id> <name>`, as the booking desk labels staff in the audit log. */
  label: string;
  ip: string | null;
}

export interface ListQuery {
  state?: StateFilter;
  priority?: TicketPriority;
  /** `me`, `none` or an admin user id. */
  assignee?: 'me' | 'none' | number;
  q?: string;
  page: number;
  pageSize: number;
}

export interface Assignee {
  id: number;
  name: string;
}

export interface TicketListItem {
  documentId: string;
  subject: string;
  state: TicketState;
  priority: TicketPriority;
  member: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
  assignee: Assignee | null;
  createdAt: string;
  lastMessageAt: string;
  lastMessagePreview: string;
  lastAuthorType: 'member' | 'staff' | null;
  unanswered: boolean;
}

export interface AttachmentView {
  documentId: string;
  name: string;
  url: string;
  thumbnailUrl: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  size: number;
}

export interface MessageView {
  documentId: string;
  authorType: 'member' | 'staff';
  authorName: string;
  body: string;
  createdAt: string;
  attachments: AttachmentView[];
}

export interface TicketView extends TicketListItem {
  messages: MessageView[];
}

export type Refusal = { ok: false; status: 404 | 409 | 413 | 415 | 422; code: string; message: string; field?: string };
type Outcome<T> = { ok: true; data: T } | Refusal;

const notFound = (): Refusal => ({ ok: false, status: 404, code: 'not_found', message: 'No such ticket.' });

interface FileRow {
  documentId: string;
  name: string;
  url: string;
  mime: string;
  size: number | string;
  width: number | null;
  height: number | null;
  formats: Record<string, { url: string }> | null;
}

interface AdminRow {
  id: number;
  firstname: string | null;
  lastname: string | null;
  username?: string | null;
  email: string | null;
}

interface MemberRow {
  documentId: string;
  fullName: string | null;
  telegramUsername: string | null;
  username?: string | null;
}

interface MessageRow {
  id: number;
  documentId: string;
  authorType: 'member' | 'staff';
  body: string | null;
  createdAt: string | Date;
  authorStaff?: AdminRow | null;
  authorMember?: MemberRow | null;
  attachments?: FileRow[] | null;
}

interface TicketRow {
  id: number;
  documentId: string;
  subject: string;
  state: TicketState;
  priority: TicketPriority;
  createdAt: string | Date;
  lastMessageAt: string | Date | null;
  member?: MemberRow | null;
  assignee?: AdminRow | null;
  messages?: MessageRow[];
}

const iso = (value: string | Date | number | null | undefined): string => new Date(value ?? 0).toISOString();

export const adminName = (user: AdminRow | null | undefined): string =>
  user ? [user.firstname, user.lastname].filter(Boolean).join(' ') || user.username || user.email || `#${user.id}` : '';

const memberName = (member: MemberRow | null | undefined): string =>
  member ? member.fullName || (member.telegramUsername ? `@${member.telegramUsername}` : '') || member.username || '' : '';

/** The text to show for a message: none for a photo-only reply's stand-in body. */
const shownBody = (body: string | null, attachments: number): string => (attachments > 0 && (body ?? '').trim() === PHOTO_ONLY_BODY ? '' : (body ?? ''));

function preview(body: string | null): string {
  const flat = (body ?? '').replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length <= PREVIEW_CHARS ? flat : `${points.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}

const ADMIN_FIELDS = ['id', 'firstname', 'lastname', 'username', 'email'];
const MEMBER_FIELDS = ['documentId', 'fullName', 'telegramUsername', 'username'];
const FILE_FIELDS = ['documentId', 'name', 'url', 'mime', 'size', 'width', 'height', 'formats'];
const TICKET_FIELDS = ['id', 'documentId', 'subject', 'state', 'priority', 'createdAt', 'lastMessageAt'];

// ---------------------------------------------------------------------------------------------------------------

const inboxService = ({ strapi }: { strapi: Core.Strapi }) => {
  const sign = (url: string) => (strapi.service('api::ticket.attachment-urls') as unknown as AttachmentUrls).sign(url);
  const knex = (): Knex => strapi.db.connection as unknown as Knex;

  /** Table and column names from Strapi's metadata (as the outbox does), so the SQL follows the schema. */
  function layout() {
    type Meta = {
      tableName: string;
      attributes: Record<string, { columnName?: string; joinTable?: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }>;
    };
    const meta = (uid: string) => strapi.db.metadata.get(uid) as unknown as Meta;
    const ticket = meta(TICKET_UID);
    const message = meta(MESSAGE_UID);
    const user = meta(USER_UID);
    const col = (m: Meta, name: string, fallback: string) => m.attributes[name]?.columnName ?? fallback;
    const join = (m: Meta, name: string) => {
      const table = m.attributes[name]?.joinTable;
      if (!table) throw new Error(`inbox: ${name} has no join table`);
      return { table: table.name, own: table.joinColumn.name, other: table.inverseJoinColumn.name };
    };
    return {
      tickets: ticket.tableName,
      ticketCol: {
        id: col(ticket, 'id', 'id'),
        state: col(ticket, 'state', 'state'),
        priority: col(ticket, 'priority', 'priority'),
        subject: col(ticket, 'subject', 'subject'),
        createdAt: col(ticket, 'createdAt', 'created_at'),
        lastMessageAt: col(ticket, 'lastMessageAt', 'last_message_at'),
      },
      ticketMember: join(ticket, 'member'),
      ticketAssignee: join(ticket, 'assignee'),
      messages: message.tableName,
      messageCol: {
        id: col(message, 'id', 'id'),
        authorType: col(message, 'authorType', 'author_type'),
        createdAt: col(message, 'createdAt', 'created_at'),
      },
      messageTicket: join(message, 'ticket'),
      users: user.tableName,
      userCol: {
        id: col(user, 'id', 'id'),
        fullName: col(user, 'fullName', 'full_name'),
        telegramUsername: col(user, 'telegramUsername', 'telegram_username'),
        username: col(user, 'username', 'username'),
      },
    };
  }

  /**
   * The ticket rows matching the filters (all but `state` when `withState` is false), with `last_author` and
   * `last_message_id`: the newest message's author type and id, from correlated subqueries.
   */
  function filtered(query: Omit<ListQuery, 'page' | 'pageSize'>, staffId: number, { withState }: { withState: boolean }) {
    const L = layout();
    const k = knex();
    const newest = (column: string) =>
      k(`${L.messages} as m`)
        .join(`${L.messageTicket.table} as mt`, `mt.${L.messageTicket.own}`, `m.${L.messageCol.id}`)
        .whereRaw('?? = ??', [`mt.${L.messageTicket.other}`, `t.${L.ticketCol.id}`])
        .orderBy([
          { column: `m.${L.messageCol.createdAt}`, order: 'desc' },
          { column: `m.${L.messageCol.id}`, order: 'desc' },
        ])
        .limit(1)
        .select(column);
    const lastAuthor = newest(`m.${L.messageCol.authorType}`);
    const builder = k(`${L.tickets} as t`)
      .leftJoin(`${L.ticketMember.table} as tm`, `tm.${L.ticketMember.own}`, `t.${L.ticketCol.id}`)
      .leftJoin(`${L.users} as u`, `u.${L.userCol.id}`, `tm.${L.ticketMember.other}`)
      .leftJoin(`${L.ticketAssignee.table} as ta`, `ta.${L.ticketAssignee.own}`, `t.${L.ticketCol.id}`);
    if (query.priority) builder.where(`t.${L.ticketCol.priority}`, query.priority);
    if (query.assignee === 'none') builder.whereNull(`ta.${L.ticketAssignee.other}`);
    else if (query.assignee !== undefined) builder.where(`ta.${L.ticketAssignee.other}`, query.assignee === 'me' ? staffId : query.assignee);
    if (query.q) {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      builder.where((inner) => {
        for (const column of [`t.${L.ticketCol.subject}`, `u.${L.userCol.fullName}`, `u.${L.userCol.telegramUsername}`, `u.${L.userCol.username}`]) {
          inner.orWhereRaw(`LOWER(??) LIKE ? ESCAPE '\\'`, [column, pattern]);
        }
      });
    }
    if (withState && query.state === 'waiting') {
      builder.whereIn(`t.${L.ticketCol.state}`, ['open', 'in_progress']).whereRaw('(?) = ?', [lastAuthor.clone(), 'staff']);
    } else if (withState && query.state) {
      builder.where(`t.${L.ticketCol.state}`, query.state);
    }
    return { builder, L, k, lastAuthor, lastMessageId: newest(`m.${L.messageCol.id}`) };
  }

  async function counts(query: Omit<ListQuery, 'page' | 'pageSize'>, staffId: number) {
    const { builder, L, lastAuthor } = filtered(query, staffId, { withState: false });
    const rows = (await builder
      .clone()
      .select(`t.${L.ticketCol.state} as state`)
      .count({ n: '*' })
      .groupBy(`t.${L.ticketCol.state}`)) as Array<{ state: string; n: number | string }>;
    const result: Record<StateFilter, number> = { open: 0, in_progress: 0, waiting: 0, resolved: 0, closed: 0 };
    for (const row of rows) if (row.state in result) result[row.state as TicketState] = Number(row.n);
    const [waiting] = (await builder
      .clone()
      .whereIn(`t.${L.ticketCol.state}`, ['open', 'in_progress'])
      .whereRaw('(?) = ?', [lastAuthor, 'staff'])
      .count({ n: '*' })) as Array<{ n: number | string }>;
    result.waiting = Number(waiting?.n ?? 0);
    return result;
  }

  /** Members, assignees and newest messages of these tickets, in one query each. */
  async function listItems(ids: Array<{ id: number; lastMessageId: number | null; lastAuthor: string | null }>): Promise<TicketListItem[]> {
    if (ids.length === 0) return [];
    const [tickets, messages] = await Promise.all([
      strapi.db.query(TICKET_UID).findMany({
        where: { id: { $in: ids.map((row) => row.id) } },
        select: TICKET_FIELDS,
        populate: { member: { select: MEMBER_FIELDS }, assignee: { select: ADMIN_FIELDS } },
      }) as Promise<TicketRow[]>,
      strapi.db.query(MESSAGE_UID).findMany({
        where: { id: { $in: ids.map((row) => row.lastMessageId).filter((id): id is number => id !== null) } },
        select: ['id', 'documentId', 'authorType', 'body', 'createdAt'],
        populate: { attachments: { select: ['id'] } },
      }) as Promise<MessageRow[]>,
    ]);
    const ticketById = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    const messageById = new Map(messages.map((message) => [message.id, message]));
    return ids.flatMap(({ id, lastMessageId }) => {
      const ticket = ticketById.get(id);
      if (!ticket) return [];
      const last = lastMessageId === null ? undefined : messageById.get(Number(lastMessageId));
      return [toItem(ticket, last)];
    });
  }

  function toItem(ticket: TicketRow, last: MessageRow | undefined): TicketListItem {
    const lastAuthorType = last?.authorType ?? null;
    return {
      documentId: ticket.documentId,
      subject: ticket.subject,
      state: ticket.state,
      priority: ticket.priority,
      member: ticket.member
        ? { documentId: ticket.member.documentId, fullName: ticket.member.fullName ?? null, telegramUsername: ticket.member.telegramUsername ?? null }
        : null,
      assignee: ticket.assignee ? { id: ticket.assignee.id, name: adminName(ticket.assignee) } : null,
      createdAt: iso(ticket.createdAt),
      lastMessageAt: iso(ticket.lastMessageAt ?? last?.createdAt ?? ticket.createdAt),
      lastMessagePreview: last ? preview(shownBody(last.body, last.attachments?.length ?? 0) || (last.attachments?.length ? PHOTO_ONLY_BODY : '')) : '',
      lastAuthorType,
      unanswered: lastAuthorType === 'member',
    };
  }

  function toAttachment(file: FileRow): AttachmentView {
    const thumbnail = file.formats?.thumbnail?.url;
    return {
      documentId: file.documentId,
      name: file.name,
      url: sign(file.url),
      thumbnailUrl: thumbnail ? sign(thumbnail) : null,
      mime: file.mime,
      width: file.width ?? null,
      height: file.height ?? null,
      // The upload plugin stores kilobytes (1000 bytes, two decimals).
      size: Math.round(Number(file.size) * 1000),
    };
  }

  function toMessage(message: MessageRow): MessageView {
    const attachments = (message.attachments ?? []).map(toAttachment);
    return {
      documentId: message.documentId,
      authorType: message.authorType,
      authorName: message.authorType === 'staff' ? adminName(message.authorStaff) : memberName(message.authorMember),
      body: shownBody(message.body, attachments.length),
      createdAt: iso(message.createdAt),
      attachments,
    };
  }

  const MESSAGE_POPULATE = {
    authorStaff: { select: ADMIN_FIELDS },
    authorMember: { select: MEMBER_FIELDS },
    attachments: { select: FILE_FIELDS },
  };

  async function loadTicket(documentId: string): Promise<TicketRow | null> {
    return (await strapi.db.query(TICKET_UID).findOne({
      where: { documentId },
      select: TICKET_FIELDS,
      populate: {
        member: { select: MEMBER_FIELDS },
        assignee: { select: ADMIN_FIELDS },
        messages: {
          select: ['id', 'documentId', 'authorType', 'body', 'createdAt'],
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          populate: MESSAGE_POPULATE,
        },
      },
    })) as TicketRow | null;
  }

  /** Active admin users who may answer tickets: a role with `inbox.reply`, or the Super Admin. */
  async function assignees(): Promise<Assignee[]> {
    const permissions = (await strapi.db.query('admin::permission').findMany({
      where: { action: REPLY_PERMISSION },
      populate: { role: { select: ['id'] } },
    })) as Array<{ role: { id: number } | null }>;
    const superAdmin = (await strapi.db.query('admin::role').findOne({ where: { code: SUPER_ADMIN_CODE }, select: ['id'] })) as { id: number } | null;
    const roleIds = [...new Set([...permissions.map((p) => p.role?.id), superAdmin?.id].filter((id): id is number => typeof id === 'number'))];
    if (roleIds.length === 0) return [];
    const users = (await strapi.db.query(ADMIN_USER_UID).findMany({
      where: { isActive: true, roles: { id: { $in: roleIds } } },
      select: ADMIN_FIELDS,
      orderBy: [{ firstname: 'asc' }, { lastname: 'asc' }, { id: 'asc' }],
    })) as AdminRow[];
    return users.map((user) => ({ id: user.id, name: adminName(user) }));
  }

  async function view(documentId: string): Promise<Outcome<TicketView>> {
    const ticket = await loadTicket(documentId);
    if (!ticket) return notFound();
    const messages = ticket.messages ?? [];
    return { ok: true, data: { ...toItem(ticket, messages[messages.length - 1]), messages: messages.map(toMessage) } };
  }

  return {
    assignees,

    /** GET /booking-desk/tickets: by priority (urgent first), then the newest activity first. */
    async list(query: ListQuery, staffId: number) {
      const { builder, L, k, lastAuthor, lastMessageId } = filtered(query, staffId, { withState: true });
      const [totalRow] = (await builder.clone().countDistinct({ n: `t.${L.ticketCol.id}` })) as Array<{ n: number | string }>;
      const total = Number(totalRow?.n ?? 0);
      const rows = (await builder
        .clone()
        .select({ id: `t.${L.ticketCol.id}` })
        .select(k.raw('(?) as ??', [lastAuthor, 'lastAuthor']), k.raw('(?) as ??', [lastMessageId, 'lastMessageId']))
        .orderByRaw(
          `CASE ?? WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 WHEN 'low' THEN 3 ELSE 4 END ASC, COALESCE(??, ??) DESC, ?? DESC`,
          [`t.${L.ticketCol.priority}`, `t.${L.ticketCol.lastMessageAt}`, `t.${L.ticketCol.createdAt}`, `t.${L.ticketCol.id}`],
        )
        .offset((query.page - 1) * query.pageSize)
        .limit(query.pageSize)) as Array<{ id: number; lastAuthor: string | null; lastMessageId: number | null }>;
      const data = await listItems(rows.map((row) => ({ id: Number(row.id), lastAuthor: row.lastAuthor, lastMessageId: row.lastMessageId === null ? null : Number(row.lastMessageId) })));
      return {
        data,
        meta: {
          pagination: { page: query.page, pageSize: query.pageSize, pageCount: Math.ceil(total / query.pageSize), total },
          counts: await counts(query, staffId),
        },
      };
    },

    /** GET /booking-desk/tickets/:documentId: the ticket and its whole thread, oldest first, links signed. */
    view,

    /** POST /booking-desk/tickets/:documentId/reply: 201 with the stored message (its photos' links signed). */
    async reply(documentId: string, staffId: number, body: string, files: Record<string, unknown> | undefined): Promise<Outcome<MessageView>> {
      const outcome = await (strapi.service('api::ticket.staff-replies') as unknown as StaffReplies).reply({ ticket: documentId, staffId, body, files });
      if (!outcome.ok) return outcome;
      const message = (await strapi.db.query(MESSAGE_UID).findOne({
        where: { id: outcome.message.id },
        select: ['id', 'documentId', 'authorType', 'body', 'createdAt'],
        populate: MESSAGE_POPULATE,
      })) as MessageRow;
      return { ok: true, data: toMessage(message) };
    },

    /**
     * PATCH /booking-desk/tickets/:documentId: state, priority and assignee (an active staff user who may answer
     * tickets, or null). One audit-log row `ticket.update` with what changed, in the transaction of the change;
     * nothing is written when nothing changes.
     */
    async update(
      documentId: string,
      changes: { state?: TicketState; priority?: TicketPriority; assignee?: number | null },
      actor: StaffActor,
    ): Promise<Outcome<TicketView>> {
      const ticket = await loadTicket(documentId);
      if (!ticket) return notFound();
      if (changes.assignee !== undefined && changes.assignee !== null) {
        const allowed = await assignees();
        if (!allowed.some((user) => user.id === changes.assignee)) {
          return {
            ok: false,
            status: 422,
            code: 'not_an_assignee',
            field: 'assignee',
            message: 'The assignee must be an active staff user who may answer tickets.',
          };
        }
      }
      const before = { state: ticket.state, priority: ticket.priority, assignee: ticket.assignee?.id ?? null };
      const after = {
        state: changes.state ?? before.state,
        priority: changes.priority ?? before.priority,
        assignee: changes.assignee === undefined ? before.assignee : changes.assignee,
      };
      const changed = (Object.keys(after) as Array<keyof typeof after>).filter((key) => after[key] !== before[key]);
      if (changed.length > 0) {
        const now = new Date();
        await strapi.db.transaction(async () => {
          await strapi.db.query(TICKET_UID).update({
            where: { id: ticket.id },
            data: {
              ...(changed.includes('state') ? { state: after.state } : {}),
              ...(changed.includes('priority') ? { priority: after.priority } : {}),
              ...(changed.includes('assignee') ? { assignee: after.assignee } : {}),
              updatedAt: now,
            },
          });
          const pick = (values: typeof before) => Object.fromEntries(changed.map((key) => [key, values[key]]));
          await strapi.db.query(AUDIT_UID).create({
            data: {
              actorType: 'admin',
              actorId: String(actor.id),
              actorLabel: actor.label,
              action: 'ticket.update',
              subjectType: TICKET_UID,
              subjectId: ticket.documentId,
              before: pick(before),
              after: pick(after),
              ip: actor.ip,
              at: now,
            },
          });
        });
      }
      return view(documentId);
    },
  };
};

export type InboxService = ReturnType<typeof inboxService>;
export default inboxService;
