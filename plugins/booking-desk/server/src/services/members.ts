/**
 * The member card of the booking desk (docs/ADMIN.md, Member card): search, the card itself (profile, totals,
 * bookings, payments and refunds, tickets, referrals, staff notes), ban / unban, a message through the bot and
 * staff notes. Every change writes an audit-log row in the same transaction; the message is an outbox job
 * (`member.notify`, event `staff_message`) written in that transaction too, so a rolled-back request sends nothing.
 *
 * A plugin cannot import app code: the app's content types are used through the query engine by uid, and the
 * outbox through `strapi.service('api::outbox-job.outbox')` with the narrow interface declared below.
 * Money is integer kopecks throughout.
 */
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';

const USER_UID = 'plugin::users-permissions.user';
const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const TICKET_UID = 'api::ticket.ticket';
const TICKET_MESSAGE_UID = 'api::ticket-message.ticket-message';
const NOTE_UID = 'api::member-note.member-note';
const AUDIT_UID = 'api::audit-log.audit-log';

export const BOOKING_STATES = ['pending_payment', 'awaiting_confirmation', 'confirmed', 'completed', 'rejected', 'cancelled', 'expired'] as const;

/** How many rows of each list the card carries (totals always cover everything). */
export const CARD_LIMITS = { bookings: 50, payments: 50, refunds: 50, tickets: 50, referrals: 50, notes: 100 } as const;

/** Members created on first Telegram contact carry a placeholder e-mail under this reserved domain. */
const PLACEHOLDER_EMAIL = /@telegram\.invalid$/i;

/** The part of the app's outbox service used here (src/api/outbox-job/services/outbox.ts). */
interface OutboxService {
  enqueue(input: { kind: string; payload: unknown; dedupeKey?: string | null }, trx?: unknown): Promise<{ job: { documentId: string } }>;
}

export interface StaffActor {
  id: number;
  /** `admin:<id> <name>`, as the booking desk labels staff in the audit log. */
  label: string;
  /** The person's name (or e-mail), as a note shows its author. */
  name: string;
}

export type Refusal = { ok: false; status: 404 | 409 | 422; code: string; message: string; field?: string };
type Outcome<T> = { ok: true; data: T } | Refusal;

const notFound = (): Refusal => ({ ok: false, status: 404, code: 'not_found', message: 'No member has this id.' });

// ---------------------------------------------------------------------------------------------------------------
// Rows as the query engine returns them

interface UserRow {
  id: number;
  documentId: string;
  username: string | null;
  email: string | null;
  fullName: string | null;
  phone: string | null;
  telegramId: string | null;
  telegramUsername: string | null;
  language: string | null;
  consentTerms: boolean | null;
  consentAt: string | Date | null;
  consentMarketing: boolean | null;
  referralCode: string | null;
  birthDate: string | null;
  isBanned: boolean | null;
  banReason: string | null;
  bannedAt: string | Date | null;
  botBlocked: boolean | null;
  botBlockedAt: string | Date | null;
  blocked: boolean | null;
  registeredAt: string | Date | null;
  createdAt: string | Date | null;
  successfulBookings: number | null;
  referrer?: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
}

const PROFILE_FIELDS = [
  'id',
  'documentId',
  'username',
  'email',
  'fullName',
  'phone',
  'telegramId',
  'telegramUsername',
  'language',
  'consentTerms',
  'consentAt',
  'consentMarketing',
  'referralCode',
  'birthDate',
  'isBanned',
  'banReason',
  'bannedAt',
  'botBlocked',
  'botBlockedAt',
  'blocked',
  'registeredAt',
  'createdAt',
  'successfulBookings',
];

const SEARCH_FIELDS = ['id', 'documentId', 'fullName', 'phone', 'telegramUsername', 'telegramId', 'isBanned'];

const iso = (value: string | Date | null | undefined): string | null => (value ? new Date(value).toISOString() : null);

/** The space's timezone (SPACE_TIMEZONE, as the app reads it): "today", dates and times as staff see them. */
export const spaceTimeZone = (env: NodeJS.ProcessEnv = process.env) => env.SPACE_TIMEZONE?.trim() || 'Europe/Moscow';

/** YYYY-MM-DD of an instant in the space's timezone (the calendar page's `date` parameter). */
export function localDateOf(value: string | Date | null | undefined, timeZone: string): string | null {
  if (!value) return null;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(value));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
const int = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0)) || 0;

// ---------------------------------------------------------------------------------------------------------------
// Search

export interface SearchInput {
  q: string;
  page: number;
  pageSize: number;
}

export interface MemberListItem {
  documentId: string;
  id: number;
  fullName: string | null;
  phone: string | null;
  telegramUsername: string | null;
  telegramId: string | null;
  isBanned: boolean;
}

/**
 * Case variants of a search term. SQLite's LIKE folds ASCII letters only, so "анна" would not find "Анна";
 * PostgreSQL's ILIKE folds everything. Searching the term as typed, lower case, upper case and capitalised
 * words finds names however staff type them on both.
 */
export function caseVariants(term: string): string[] {
  const lower = term.toLocaleLowerCase('ru-RU');
  const capitalised = lower.replace(/(^|[\s\-'’])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toLocaleUpperCase('ru-RU'));
  return [...new Set([term, lower, term.toLocaleUpperCase('ru-RU'), capitalised])];
}

/** The digits of a phone-like term, in the stored form's terms: "8 (900) 123-45-67" → "79001234567". */
export function phoneDigits(term: string): string | null {
  if (!/^[\d\s()+\-.]+$/.test(term)) return null;
  let digits = term.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  return digits.length >= 3 ? digits : null;
}

export function searchWhere(q: string): Record<string, unknown> {
  const term = q.trim();
  if (term === '') return {};
  const username = term.replace(/^@/, '');
  const or: Record<string, unknown>[] = [];
  for (const variant of caseVariants(term)) {
    or.push({ fullName: { $containsi: variant } }, { email: { $containsi: variant } });
  }
  for (const variant of caseVariants(username)) or.push({ telegramUsername: { $containsi: variant } });
  or.push({ phone: { $contains: term } });
  const digits = phoneDigits(term);
  if (digits) or.push({ phone: { $contains: digits } }, { telegramId: { $contains: digits } });
  if (/^\d+$/.test(term)) or.push({ telegramId: { $contains: term } });
  return { $or: or };
}

// ---------------------------------------------------------------------------------------------------------------
// The card

export interface MemberCard {
  profile: {
    documentId: string;
    id: number;
    username: string | null;
    fullName: string | null;
    phone: string | null;
    email: string | null;
    telegramUsername: string | null;
    telegramId: string | null;
    language: string | null;
    consentTerms: boolean;
    consentAt: string | null;
    consentMarketing: boolean;
    birthDate: string | null;
    registeredAt: string | null;
    createdAt: string | null;
    referralCode: string | null;
    referrer: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
    isBanned: boolean;
    banReason: string | null;
    bannedAt: string | null;
    botBlocked: boolean;
    botBlockedAt: string | null;
    /** users-permissions' own switch (set by a Super Admin), refused like a ban. */
    blocked: boolean;
    successfulBookings: number;
  };
  totals: {
    bookings: { total: number; byState: Record<(typeof BOOKING_STATES)[number], number> };
    /** Kopecks of succeeded payments. */
    paidTotal: number;
    /** Kopecks of succeeded refunds. */
    refundedTotal: number;
    /** Kopecks of refunds recorded and not yet executed. */
    refundPendingTotal: number;
    /** paidTotal less every refund made or under way. */
    netSpend: number;
    currency: 'RUB';
    /** The start of the latest confirmed or completed booking that has begun. */
    lastVisitAt: string | null;
    referralsCount: number;
    ticketsCount: number;
    notesCount: number;
  };
  bookings: {
    documentId: string;
    id: number;
    state: string;
    startAt: string | null;
    endAt: string | null;
    /** The start's date in the space's timezone, YYYY-MM-DD (for the calendar link). */
    localDate: string | null;
    units: number;
    priceTotal: number;
    currency: string;
    source: string | null;
    createdAt: string | null;
    tariff: { documentId: string; name: string } | null;
    resource: { documentId: string; name: string } | null;
  }[];
  payments: {
    documentId: string;
    booking: string | null;
    provider: string | null;
    amount: number;
    currency: string;
    state: string;
    paidAt: string | null;
    cancellationReason: string | null;
    createdAt: string | null;
  }[];
  refunds: {
    documentId: string;
    payment: string | null;
    booking: string | null;
    amount: number;
    currency: string;
    state: string;
    reason: string | null;
    createdAt: string | null;
  }[];
  tickets: {
    documentId: string;
    subject: string;
    state: string;
    priority: string | null;
    createdAt: string | null;
    lastMessageAt: string | null;
    lastMessage: { authorType: string; body: string; createdAt: string | null } | null;
  }[];
  referrals: { documentId: string; fullName: string | null; telegramUsername: string | null; registeredAt: string | null }[];
  notes: NoteData[];
}

export interface NoteData {
  documentId: string;
  body: string;
  authorLabel: string | null;
  createdAt: string | null;
}

interface BookingRow {
  id: number;
  documentId: string;
  state: string;
  startAt: string | Date | null;
  endAt: string | Date | null;
  units: number | null;
  priceTotal: number | null;
  currency: string | null;
  source: string | null;
  createdAt: string | Date | null;
  tariff?: { documentId: string; name: string } | null;
  resource?: { documentId: string; name: string } | null;
}

interface PaymentRow {
  id: number;
  documentId: string;
  provider: string | null;
  amount: number | null;
  currency: string | null;
  state: string;
  paidAt: string | Date | null;
  cancellationReason: string | null;
  createdAt: string | Date | null;
  booking?: { documentId: string } | null;
}

interface RefundRow {
  documentId: string;
  amount: number | null;
  currency: string | null;
  state: string;
  reason: string | null;
  createdAt: string | Date | null;
  payment?: { documentId: string; booking?: { documentId: string } | null } | null;
}

interface TicketRow {
  id: number;
  documentId: string;
  subject: string;
  state: string;
  priority: string | null;
  createdAt: string | Date | null;
  lastMessageAt: string | Date | null;
}

interface NoteRow {
  documentId: string;
  body: string;
  authorLabel: string | null;
  createdAt: string | Date | null;
}

const toNote = (row: NoteRow): NoteData => ({ documentId: row.documentId, body: row.body, authorLabel: row.authorLabel, createdAt: iso(row.createdAt) });

const membersService = ({ strapi }: { strapi: Core.Strapi }) => {
  const users = () => strapi.db.query(USER_UID);

  const findMember = async (documentId: string): Promise<UserRow | null> =>
    (await users().findOne({
      where: { documentId },
      select: PROFILE_FIELDS,
      populate: { referrer: { select: ['documentId', 'fullName', 'telegramUsername'] } },
    })) as UserRow | null;

  async function audit(
    trx: unknown,
    entry: { actor: StaffActor; action: string; member: UserRow; before?: unknown; after?: unknown; ip?: string | null; at: Date },
  ) {
    void trx; // the query engine joins the surrounding strapi.db.transaction on its own
    await strapi.db.query(AUDIT_UID).create({
      data: {
        actorType: 'admin',
        actorId: String(entry.actor.id),
        actorLabel: entry.actor.label,
        action: entry.action,
        subjectType: USER_UID,
        subjectId: entry.member.documentId,
        before: entry.before ?? null,
        after: entry.after ?? null,
        ip: entry.ip ?? null,
        at: entry.at,
      },
    });
  }

  return {
    async search({ q, page, pageSize }: SearchInput) {
      const where = searchWhere(q);
      const [rows, total] = await Promise.all([
        users().findMany({ where, select: SEARCH_FIELDS, orderBy: [{ id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize }),
        users().count({ where }),
      ]);
      const data: MemberListItem[] = (rows as MemberListItem[]).map((row) => ({
        documentId: row.documentId,
        id: row.id,
        fullName: row.fullName ?? null,
        phone: row.phone ?? null,
        telegramUsername: row.telegramUsername ?? null,
        telegramId: row.telegramId ?? null,
        isBanned: Boolean(row.isBanned),
      }));
      return { data, meta: { pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } } };
    },

    async card(documentId: string, now = new Date()): Promise<Outcome<MemberCard>> {
      const member = await findMember(documentId);
      if (!member) return notFound();
      const memberId = member.id;
      const timeZone = spaceTimeZone();

      const [allBookings, recentBookings, allPayments, allRefunds, tickets, ticketsCount, referrals, referralsCount, notes, notesCount] =
        await Promise.all([
          strapi.db.query(BOOKING_UID).findMany({ where: { member: memberId }, select: ['id', 'state', 'startAt'] }) as Promise<BookingRow[]>,
          strapi.db.query(BOOKING_UID).findMany({
            where: { member: memberId },
            select: ['id', 'documentId', 'state', 'startAt', 'endAt', 'units', 'priceTotal', 'currency', 'source', 'createdAt'],
            populate: { tariff: { select: ['documentId', 'name'] }, resource: { select: ['documentId', 'name'] } },
            orderBy: [{ startAt: 'desc' }, { id: 'desc' }],
            limit: CARD_LIMITS.bookings,
          }) as Promise<BookingRow[]>,
          strapi.db.query(PAYMENT_UID).findMany({
            where: { $or: [{ member: memberId }, { booking: { member: memberId } }] },
            select: ['id', 'documentId', 'provider', 'amount', 'currency', 'state', 'paidAt', 'cancellationReason', 'createdAt'],
            populate: { booking: { select: ['documentId'] } },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          }) as Promise<PaymentRow[]>,
          strapi.db.query(REFUND_UID).findMany({
            where: { payment: { $or: [{ member: memberId }, { booking: { member: memberId } }] } },
            select: ['id', 'documentId', 'amount', 'currency', 'state', 'reason', 'createdAt'],
            populate: { payment: { select: ['documentId'], populate: { booking: { select: ['documentId'] } } } },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          }) as Promise<RefundRow[]>,
          strapi.db.query(TICKET_UID).findMany({
            where: { member: memberId },
            select: ['id', 'documentId', 'subject', 'state', 'priority', 'createdAt', 'lastMessageAt'],
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            limit: CARD_LIMITS.tickets,
          }) as Promise<TicketRow[]>,
          strapi.db.query(TICKET_UID).count({ where: { member: memberId } }),
          users().findMany({
            where: { referrer: memberId },
            select: ['documentId', 'fullName', 'telegramUsername', 'registeredAt'],
            orderBy: [{ id: 'desc' }],
            limit: CARD_LIMITS.referrals,
          }) as Promise<{ documentId: string; fullName: string | null; telegramUsername: string | null; registeredAt: string | Date | null }[]>,
          users().count({ where: { referrer: memberId } }),
          strapi.db.query(NOTE_UID).findMany({
            where: { member: memberId },
            select: ['documentId', 'body', 'authorLabel', 'createdAt'],
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            limit: CARD_LIMITS.notes,
          }) as Promise<NoteRow[]>,
          strapi.db.query(NOTE_UID).count({ where: { member: memberId } }),
        ]);

      const byState = Object.fromEntries(BOOKING_STATES.map((state) => [state, 0])) as MemberCard['totals']['bookings']['byState'];
      let lastVisit: number | null = null;
      for (const booking of allBookings) {
        if (booking.state in byState) byState[booking.state as keyof typeof byState] += 1;
        const start = booking.startAt ? new Date(booking.startAt).getTime() : NaN;
        if ((booking.state === 'completed' || booking.state === 'confirmed') && start <= now.getTime() && (lastVisit === null || start > lastVisit)) {
          lastVisit = start;
        }
      }
      const paidTotal = allPayments.filter((p) => p.state === 'succeeded').reduce((sum, p) => sum + int(p.amount), 0);
      const refundedTotal = allRefunds.filter((r) => r.state === 'succeeded').reduce((sum, r) => sum + int(r.amount), 0);
      const refundPendingTotal = allRefunds.filter((r) => r.state === 'pending').reduce((sum, r) => sum + int(r.amount), 0);

      // The latest message of each ticket shown: one query, newest first, first hit per ticket wins.
      const lastMessages = new Map<number, { authorType: string; body: string; createdAt: string | null }>();
      if (tickets.length > 0) {
        const messages = (await strapi.db.query(TICKET_MESSAGE_UID).findMany({
          where: { ticket: { id: { $in: tickets.map((t) => t.id) } } },
          select: ['id', 'authorType', 'body', 'createdAt'],
          populate: { ticket: { select: ['id'] } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        })) as { authorType: string; body: string | null; createdAt: string | Date | null; ticket: { id: number } | null }[];
        for (const message of messages) {
          if (!message.ticket || lastMessages.has(message.ticket.id)) continue;
          const body = Array.from(message.body ?? '');
          lastMessages.set(message.ticket.id, {
            authorType: message.authorType,
            body: body.length > 200 ? `${body.slice(0, 199).join('')}…` : body.join(''),
            createdAt: iso(message.createdAt),
          });
        }
      }

      const card: MemberCard = {
        profile: {
          documentId: member.documentId,
          id: member.id,
          username: member.username,
          fullName: member.fullName,
          phone: member.phone,
          email: member.email && !PLACEHOLDER_EMAIL.test(member.email) ? member.email : null,
          telegramUsername: member.telegramUsername,
          telegramId: member.telegramId,
          language: member.language,
          consentTerms: Boolean(member.consentTerms),
          consentAt: iso(member.consentAt),
          consentMarketing: Boolean(member.consentMarketing),
          birthDate: member.birthDate ?? null,
          registeredAt: iso(member.registeredAt),
          createdAt: iso(member.createdAt),
          referralCode: member.referralCode,
          referrer: member.referrer
            ? { documentId: member.referrer.documentId, fullName: member.referrer.fullName, telegramUsername: member.referrer.telegramUsername }
            : null,
          isBanned: Boolean(member.isBanned),
          banReason: member.banReason ?? null,
          bannedAt: iso(member.bannedAt),
          botBlocked: Boolean(member.botBlocked),
          botBlockedAt: iso(member.botBlockedAt),
          blocked: Boolean(member.blocked),
          successfulBookings: int(member.successfulBookings),
        },
        totals: {
          bookings: { total: allBookings.length, byState },
          paidTotal,
          refundedTotal,
          refundPendingTotal,
          netSpend: paidTotal - refundedTotal - refundPendingTotal,
          currency: 'RUB',
          lastVisitAt: lastVisit === null ? null : new Date(lastVisit).toISOString(),
          referralsCount: int(referralsCount),
          ticketsCount: int(ticketsCount),
          notesCount: int(notesCount),
        },
        bookings: recentBookings.map((b) => ({
          documentId: b.documentId,
          id: b.id,
          state: b.state,
          startAt: iso(b.startAt),
          endAt: iso(b.endAt),
          localDate: localDateOf(b.startAt, timeZone),
          units: int(b.units),
          priceTotal: int(b.priceTotal),
          currency: b.currency ?? 'RUB',
          source: b.source,
          createdAt: iso(b.createdAt),
          tariff: b.tariff ? { documentId: b.tariff.documentId, name: b.tariff.name } : null,
          resource: b.resource ? { documentId: b.resource.documentId, name: b.resource.name } : null,
        })),
        payments: allPayments.slice(0, CARD_LIMITS.payments).map((p) => ({
          documentId: p.documentId,
          booking: p.booking?.documentId ?? null,
          provider: p.provider,
          amount: int(p.amount),
          currency: p.currency ?? 'RUB',
          state: p.state,
          paidAt: iso(p.paidAt),
          cancellationReason: p.cancellationReason ?? null,
          createdAt: iso(p.createdAt),
        })),
        refunds: allRefunds.slice(0, CARD_LIMITS.refunds).map((r) => ({
          documentId: r.documentId,
          payment: r.payment?.documentId ?? null,
          booking: r.payment?.booking?.documentId ?? null,
          amount: int(r.amount),
          currency: r.currency ?? 'RUB',
          state: r.state,
          reason: r.reason ?? null,
          createdAt: iso(r.createdAt),
        })),
        tickets: tickets.map((t) => ({
          documentId: t.documentId,
          subject: t.subject,
          state: t.state,
          priority: t.priority,
          createdAt: iso(t.createdAt),
          lastMessageAt: iso(t.lastMessageAt),
          lastMessage: lastMessages.get(t.id) ?? null,
        })),
        referrals: referrals.map((r) => ({
          documentId: r.documentId,
          fullName: r.fullName,
          telegramUsername: r.telegramUsername,
          registeredAt: iso(r.registeredAt),
        })),
        notes: notes.map(toNote),
      };
      return { ok: true, data: card };
    },

    /** Bans (`banned: true`) or lets back in a member, with the staff's reason; audited. */
    async setBanned(request: {
      documentId: string;
      banned: boolean;
      reason: string;
      actor: StaffActor;
      ip?: string | null;
      now?: Date;
    }): Promise<Outcome<{ documentId: string; isBanned: boolean; banReason: string | null; bannedAt: string | null }>> {
      const now = request.now ?? new Date();
      return strapi.db.transaction(async ({ trx }) => {
        const member = await findMember(request.documentId);
        if (!member) return notFound();
        if (Boolean(member.isBanned) === request.banned) {
          return {
            ok: false as const,
            status: 409 as const,
            code: request.banned ? 'already_banned' : 'not_banned',
            message: request.banned ? 'This member is already banned.' : 'This member is not banned.',
          };
        }
        const changes = request.banned
          ? { isBanned: true, banReason: request.reason, bannedAt: now }
          : { isBanned: false, banReason: null, bannedAt: null };
        await users().update({ where: { id: member.id }, data: changes });
        await audit(trx, {
          actor: request.actor,
          action: request.banned ? 'member.banned' : 'member.unbanned',
          member,
          before: { isBanned: Boolean(member.isBanned), banReason: member.banReason ?? null, bannedAt: iso(member.bannedAt) },
          after: { isBanned: request.banned, reason: request.reason },
          ip: request.ip,
          at: now,
        });
        return {
          ok: true as const,
          data: { documentId: member.documentId, isBanned: request.banned, banReason: changes.banReason, bannedAt: iso(changes.bannedAt) },
        };
      });
    },

    /** Queues a plain-text message from staff to the member's Telegram chat (outbox), audited. */
    async message(request: {
      documentId: string;
      text: string;
      actor: StaffActor;
      ip?: string | null;
      now?: Date;
    }): Promise<Outcome<{ queued: true; job: string }>> {
      const now = request.now ?? new Date();
      return strapi.db.transaction(async ({ trx }) => {
        const member = await findMember(request.documentId);
        if (!member) return notFound();
        const unreachable = (code: string, message: string): Refusal => ({ ok: false, status: 422, code, message });
        if (!member.telegramId) return unreachable('no_telegram', 'This member has no Telegram account linked, so the bot cannot write to them.');
        if (member.botBlocked) return unreachable('bot_blocked', 'This member has blocked the bot, so the message cannot be delivered.');
        if (member.isBanned || member.blocked) {
          return unreachable('member_banned', 'This member is banned: the bot does not write to banned members. Unban them first.');
        }
        const outbox = strapi.service('api::outbox-job.outbox') as unknown as OutboxService;
        const { job } = await outbox.enqueue(
          {
            kind: 'member.notify',
            payload: { event: 'staff_message', member: member.documentId, text: request.text, chatId: member.telegramId },
            dedupeKey: `member.notify:staff_message:${member.documentId}:${randomUUID()}`,
          },
          trx,
        );
        await audit(trx, {
          actor: request.actor,
          action: 'member.messaged',
          member,
          after: { text: request.text, job: job.documentId },
          ip: request.ip,
          at: now,
        });
        return { ok: true as const, data: { queued: true as const, job: job.documentId } };
      });
    },

    /** Adds a staff note to the member; audited. */
    async addNote(request: { documentId: string; body: string; actor: StaffActor; ip?: string | null; now?: Date }): Promise<Outcome<NoteData>> {
      const now = request.now ?? new Date();
      return strapi.db.transaction(async ({ trx }) => {
        const member = await findMember(request.documentId);
        if (!member) return notFound();
        const note = (await strapi.db.query(NOTE_UID).create({
          data: {
            member: member.id,
            body: request.body,
            authorLabel: request.actor.name.slice(0, 200),
            author: request.actor.id,
            // The query engine does not stamp these (the Document Service would); without publishedAt the
            // content manager would not list a note of this type without draft and publish.
            createdAt: now,
            updatedAt: now,
            publishedAt: now,
          },
        })) as NoteRow;
        await audit(trx, {
          actor: request.actor,
          action: 'member.note_added',
          member,
          after: { note: note.documentId, body: request.body },
          ip: request.ip,
          at: now,
        });
        return { ok: true as const, data: toNote(note) };
      });
    },
  };
};

export type MembersService = ReturnType<typeof membersService>;
export default membersService;
