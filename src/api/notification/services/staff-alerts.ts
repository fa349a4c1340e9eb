/**
 * `api::notification.staff-alerts`: alerts for staff in one Telegram chat (docs/NOTIFICATIONS.md § Staff alerts).
 *
 * With STAFF_CHAT_ID set, the code that makes a change worth a look writes a `staff.alert` outbox job in the
 * same transaction (`enqueue`): a booking request awaiting approval (create-booking.ts), a new ticket and a
 * member's reply (member-tickets.ts), a payment or refund YooKassa cancelled (plugins/yookassa payments.ts), and
 * any outbox job gone dead (the outbox's dead-job listener; never for this kind, so an alert that cannot be sent
 * does not alert about itself). Each job has a dedupeKey per event and record, so a retried webhook or a re-run
 * writes nothing new. Without STAFF_CHAT_ID nothing is written (said once at boot).
 *
 * The handler reads the record when it runs (member names, money, the link into the admin), renders the text in
 * STAFF_ALERTS_LANGUAGE (ru by default; src/locales/staff-alerts*.ts) as Telegram HTML and posts it with the
 * bot (BOT_TOKEN). Telegram allows about 20 messages a minute into one group: starts of this kind are spaced by
 * STAFF_ALERTS_PER_MINUTE (default 20). Telegram answers as for member notifications: 429 → retried after
 * retry_after; 403 (the bot was removed from the chat) and 400 (chat not found, …) → dead at once with
 * Telegram's description; 401/404, 5xx and network errors → retried with backoff.
 */
import type { Core } from '@strapi/strapi';
import { Api, GrammyError, HttpError } from 'grammy';
import type { Knex } from 'knex';
import { DEFAULT_SPACE_TIME_ZONE, localDateOf } from '../../../domain/space-time';
import { STAFF_ALERT_LANGUAGES, type StaffAlertLanguage, staffAlertTexts, type StaffAlertTexts } from '../../../locales/staff-alerts';
import { type DeadJob, type HandlerContext, type OutboxJob, OutboxJobError, type OutboxService } from '../../outbox-job/services/outbox';
import { escapeHtml, formatInterval, truncateText } from '../render';

export const STAFF_ALERT_KIND = 'staff.alert';
const DEFAULT_PER_MINUTE = 20;
/** Longest quote of a member's message in an alert. */
const QUOTE_MAX_CHARS = 600;
const ERROR_MAX_CHARS = 500;

const BOOKING_UID = 'api::booking.booking';
const TICKET_UID = 'api::ticket.ticket';
const MESSAGE_UID = 'api::ticket-message.ticket-message';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const OUTBOX_UID = 'api::outbox-job.outbox-job';

/** YooKassa cancellation reasons that are not a failure staff must see: our own cancel, an abandoned checkout. */
const QUIET_PAYMENT_REASONS = new Set(['canceled_by_merchant', 'expired_on_confirmation']);

export type StaffAlert =
  | { event: 'booking_awaiting'; booking: string }
  | { event: 'ticket_new'; ticket: string }
  | { event: 'ticket_reply'; ticket: string; message: string }
  | { event: 'payment_failed'; payment: string; reason?: string | null }
  | { event: 'refund_failed'; refund: string }
  | { event: 'job_dead'; job: string; kind: string; attempts: number; error: string | null };

export type StaffAlertEvent = StaffAlert['event'];
const EVENTS: readonly StaffAlertEvent[] = ['booking_awaiting', 'ticket_new', 'ticket_reply', 'payment_failed', 'refund_failed', 'job_dead'];

export interface StaffAlertSettings {
  /** The staff chat (a group's id is negative), or null: alerts off. */
  chatId: string | null;
  language: StaffAlertLanguage;
  perMinute: number;
  token: string | null;
  apiRoot: string;
  timeZone: string;
}

/** Reads STAFF_CHAT_ID, STAFF_ALERTS_LANGUAGE and STAFF_ALERTS_PER_MINUTE; an invalid value throws, naming it. */
export function staffAlertSettings(env: NodeJS.ProcessEnv = process.env): StaffAlertSettings {
  const chatId = env.STAFF_CHAT_ID?.trim() || null;
  if (chatId !== null && !/^-?\d{1,20}$/.test(chatId) && !/^@[A-Za-z][A-Za-z0-9_]{4,31}$/.test(chatId)) {
    throw new Error(`STAFF_CHAT_ID must be a Telegram chat id (digits, negative for a group) or a @channel name, got "${chatId}"`);
  }
  const language = (env.STAFF_ALERTS_LANGUAGE?.trim() || 'ru') as StaffAlertLanguage;
  if (!STAFF_ALERT_LANGUAGES.includes(language)) throw new Error(`STAFF_ALERTS_LANGUAGE must be ru or en, got "${language}"`);
  const rawRate = env.STAFF_ALERTS_PER_MINUTE?.trim();
  const perMinute = rawRate ? Number(rawRate) : DEFAULT_PER_MINUTE;
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 6000) {
    throw new Error(`STAFF_ALERTS_PER_MINUTE must be a whole number 1..6000, got "${rawRate}"`);
  }
  return {
    chatId,
    language,
    perMinute,
    token: env.BOT_TOKEN?.trim() || null,
    apiRoot: (env.TELEGRAM_API_ROOT?.trim() || 'https://api.telegram.org').replace(/\/+$/, ''),
    timeZone: env.SPACE_TIMEZONE?.trim() || DEFAULT_SPACE_TIME_ZONE,
  };
}

/** The dedupeKey of an alert: one job per event and record. A dead job may die again after a retry: its time counts. */
export function staffAlertKey(alert: StaffAlert, at: Date = new Date()): string {
  switch (alert.event) {
    case 'booking_awaiting':
      return `${STAFF_ALERT_KIND}:booking:${alert.booking}:awaiting`;
    case 'ticket_new':
      return `${STAFF_ALERT_KIND}:ticket:${alert.ticket}:new`;
    case 'ticket_reply':
      return `${STAFF_ALERT_KIND}:ticket-message:${alert.message}`;
    case 'payment_failed':
      return `${STAFF_ALERT_KIND}:payment:${alert.payment}:failed`;
    case 'refund_failed':
      return `${STAFF_ALERT_KIND}:refund:${alert.refund}:failed`;
    case 'job_dead':
      return `${STAFF_ALERT_KIND}:outbox-job:${alert.job}:dead:${at.getTime()}`;
  }
}

interface MemberRow {
  id: number;
  fullName?: string | null;
  username?: string | null;
  telegramUsername?: string | null;
  phone?: string | null;
}
const MEMBER_SELECT = ['id', 'fullName', 'username', 'telegramUsername', 'phone'];

interface BookingRow {
  id: number;
  documentId: string;
  startAt: string | Date;
  endAt: string | Date;
  priceTotal: number | null;
  member: MemberRow | null;
  tariff: { name: string } | null;
  resource: { name: string } | null;
}
const BOOKING_QUERY = {
  select: ['id', 'documentId', 'startAt', 'endAt', 'priceTotal'],
  populate: { member: { select: MEMBER_SELECT }, tariff: { select: ['name'] }, resource: { select: ['name'] } },
};

export interface RenderedAlert {
  text: string;
  link: string;
}

const staffAlertsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let settings: StaffAlertSettings | null = null;
  let api: Api | null = null;
  let handlerRegistered = false;
  let listenerRegistered = false;

  const current = (): StaffAlertSettings => (settings ??= staffAlertSettings());
  const outbox = () => strapi.service('api::outbox-job.outbox') as OutboxService;

  /** The public origin of this server: PUBLIC_URL (server.url), else http://localhost:PORT. */
  function adminUrl(path: string): string {
    const configured = String(strapi.config.get('server.url', '') ?? '').replace(/\/+$/, '');
    const base = configured || `http://localhost:${strapi.config.get('server.port', 1337)}`;
    const admin = String(strapi.config.get('admin.url', '/admin') ?? '/admin').replace(/\/+$/, '');
    const root = /^https?:\/\//.test(admin) ? admin : `${base}${admin.startsWith('/') ? admin : `/${admin}`}`;
    return `${root}${path}`;
  }

  const links = {
    booking: (booking: { documentId: string; startAt: string | Date }) =>
      adminUrl(
        `/plugins/booking-desk/calendar?date=${localDateOf(new Date(booking.startAt), current().timeZone)}&booking=${encodeURIComponent(booking.documentId)}`,
      ),
    ticket: (documentId: string) => adminUrl(`/plugins/booking-desk/inbox/${encodeURIComponent(documentId)}`),
    entry: (uid: string, documentId: string) => adminUrl(`/content-manager/collection-types/${uid}/${encodeURIComponent(documentId)}`),
  };

  function memberName(member: MemberRow | null | undefined, texts: StaffAlertTexts): string {
    if (!member) return escapeHtml(texts.unknownMember);
    const name = member.fullName?.trim() || member.username?.trim() || `#${member.id}`;
    const handle = member.telegramUsername?.trim() ? ` (@${member.telegramUsername.trim()})` : '';
    const phone = member.phone?.trim() ? `, ${member.phone.trim()}` : '';
    return `👤 ${escapeHtml(`${name}${handle}${phone}`)}`;
  }

  const when = (booking: BookingRow, texts: StaffAlertTexts) =>
    escapeHtml(formatInterval(new Date(booking.startAt), new Date(booking.endAt), texts.dateLocale, current().timeZone));

  const loadBooking = async (where: Record<string, unknown>) => (await strapi.db.query(BOOKING_UID).findOne({ where, ...BOOKING_QUERY })) as BookingRow | null;

  const quote = (text: string | null | undefined) => {
    const cut = truncateText(String(text ?? ''), QUOTE_MAX_CHARS).text;
    return cut ? `<blockquote>${escapeHtml(cut)}</blockquote>` : '';
  };

  /** The payment alerts' line about the booking, and the link (the booking, else the payment's edit view). */
  async function paymentContext(payment: { documentId: string; booking: { id: number } | null }, texts: StaffAlertTexts) {
    const booking = payment.booking ? await loadBooking({ id: payment.booking.id }) : null;
    return {
      booking,
      line: booking ? escapeHtml(texts.bookingRef({ id: String(booking.id), when: formatInterval(new Date(booking.startAt), new Date(booking.endAt), texts.dateLocale, current().timeZone) })) : null,
      link: booking ? links.booking(booking) : links.entry(PAYMENT_UID, payment.documentId),
    };
  }

  /** The text and link of an alert as the records are now, or null when its record is gone. */
  async function render(alert: StaffAlert): Promise<RenderedAlert | null> {
    const texts = staffAlertTexts(current().language);
    switch (alert.event) {
      case 'booking_awaiting': {
        const booking = await loadBooking({ documentId: alert.booking });
        if (!booking) return null;
        const link = links.booking(booking);
        const text = texts.bookingAwaiting({
          member: memberName(booking.member, texts),
          tariff: escapeHtml(booking.tariff?.name ?? ''),
          resource: escapeHtml(booking.resource?.name ?? ''),
          when: when(booking, texts),
          amount: escapeHtml(texts.money(Number(booking.priceTotal ?? 0))),
          link: escapeHtml(link),
        });
        return { text, link };
      }
      case 'ticket_new':
      case 'ticket_reply': {
        const ticket = (await strapi.db.query(TICKET_UID).findOne({
          where: { documentId: alert.ticket },
          select: ['id', 'documentId', 'subject', 'priority'],
          populate: { member: { select: MEMBER_SELECT } },
        })) as { documentId: string; subject: string; priority: string | null; member: MemberRow | null } | null;
        if (!ticket) return null;
        const link = links.ticket(ticket.documentId);
        const message = (await strapi.db.query(MESSAGE_UID).findOne({
          where: alert.event === 'ticket_reply' ? { documentId: alert.message } : { ticket: { documentId: ticket.documentId } },
          select: ['id', 'body'],
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        })) as { body: string | null } | null;
        if (alert.event === 'ticket_reply' && !message) return null;
        const common = { member: memberName(ticket.member, texts), subject: escapeHtml(ticket.subject), text: quote(message?.body), link: escapeHtml(link) };
        const text =
          alert.event === 'ticket_new' ? texts.ticketNew({ ...common, priority: escapeHtml(texts.priority(ticket.priority ?? 'normal')) }) : texts.ticketReply(common);
        return { text, link };
      }
      case 'payment_failed': {
        const payment = (await strapi.db.query(PAYMENT_UID).findOne({
          where: { documentId: alert.payment },
          select: ['id', 'documentId', 'amount', 'cancellationReason'],
          populate: { booking: { select: ['id'] }, member: { select: MEMBER_SELECT } },
        })) as { documentId: string; amount: number; cancellationReason: string | null; booking: { id: number } | null; member: MemberRow | null } | null;
        if (!payment) return null;
        const context = await paymentContext(payment, texts);
        const text = texts.paymentFailed({
          member: memberName(payment.member ?? context.booking?.member, texts),
          amount: escapeHtml(texts.money(Number(payment.amount ?? 0))),
          reason: escapeHtml(payment.cancellationReason || alert.reason || texts.noReason),
          booking: context.line,
          link: escapeHtml(context.link),
        });
        return { text, link: context.link };
      }
      case 'refund_failed': {
        const refund = (await strapi.db.query(REFUND_UID).findOne({
          where: { documentId: alert.refund },
          select: ['id', 'documentId', 'amount', 'reason'],
          populate: { payment: { select: ['id', 'documentId'], populate: { booking: { select: ['id'] }, member: { select: MEMBER_SELECT } } } },
        })) as {
          documentId: string;
          amount: number;
          reason: string | null;
          payment: { documentId: string; booking: { id: number } | null; member: MemberRow | null } | null;
        } | null;
        if (!refund) return null;
        const context = refund.payment ? await paymentContext(refund.payment, texts) : null;
        const link = context?.link ?? links.entry(REFUND_UID, refund.documentId);
        const text = texts.refundFailed({
          member: memberName(refund.payment?.member ?? context?.booking?.member, texts),
          amount: escapeHtml(texts.money(Number(refund.amount ?? 0))),
          booking: context?.line ?? null,
          link: escapeHtml(link),
        });
        return { text, link };
      }
      case 'job_dead': {
        const link = links.entry(OUTBOX_UID, alert.job);
        const text = texts.jobDead({
          kind: escapeHtml(alert.kind),
          attempts: String(alert.attempts),
          error: escapeHtml(truncateText(alert.error ?? '', ERROR_MAX_CHARS).text || '—'),
          link: escapeHtml(link),
        });
        return { text, link };
      }
    }
  }

  const service = {
    settings: current,

    /** Whether alerts are on in this process (STAFF_CHAT_ID set). */
    enabled: (): boolean => current().chatId !== null,

    /**
     * Writes the alert's job, joining the caller's transaction (inside `strapi.db.transaction`, or pass `trx`).
     * Nothing when alerts are off; `created: false` when the same event of the same record was enqueued before.
     */
    async enqueue(alert: StaffAlert, trx?: Knex.Transaction): Promise<{ created: boolean } | null> {
      if (!service.enabled()) return null;
      const { created } = await outbox().enqueue<StaffAlert>({ kind: STAFF_ALERT_KIND, payload: alert, dedupeKey: staffAlertKey(alert) }, trx);
      return { created };
    },

    /**
     * Reads the settings (an invalid value stops the boot), says once when alerts are off, and otherwise
     * registers the dead-job listener and, with BOT_TOKEN, the `staff.alert` handler. Called at bootstrap
     * (src/api/notification/index.ts); calling it again only re-reads the settings (tests switch alerts off).
     */
    register(env: NodeJS.ProcessEnv = process.env): boolean {
      const next = staffAlertSettings(env);
      settings = next;
      if (next.chatId === null) {
        strapi.log.info('staff alerts: off (STAFF_CHAT_ID is not set)');
        return false;
      }
      if (!listenerRegistered) {
        listenerRegistered = true;
        outbox().onDead(async (jobs: DeadJob[], trx: Knex.Transaction) => {
          if (!service.enabled()) return;
          for (const job of jobs) {
            if (job.kind === STAFF_ALERT_KIND) continue; // an alert that cannot be sent must not alert about itself
            const alert: StaffAlert = { event: 'job_dead', job: job.documentId, kind: job.kind, attempts: job.attempts, error: job.lastError };
            await outbox().enqueue<StaffAlert>({ kind: STAFF_ALERT_KIND, payload: alert, dedupeKey: staffAlertKey(alert, job.finishedAt) }, trx);
          }
        });
      }
      if (!next.token) {
        strapi.log.warn('staff alerts: BOT_TOKEN is not set, staff.alert jobs stay queued until an instance with the token runs them');
        return false;
      }
      api = new Api(next.token, { apiRoot: next.apiRoot, timeoutSeconds: 20 });
      if (!handlerRegistered) {
        handlerRegistered = true;
        outbox().registerHandler<StaffAlert>(STAFF_ALERT_KIND, (job, context) => service.handle(job, context).then(() => undefined), {
          // Telegram: about 20 messages a minute into one group.
          rateLimit: { intervalMs: Math.ceil(60_000 / next.perMinute) },
          timeoutMs: 30_000,
        });
      }
      strapi.log.info(`staff alerts: on, to chat ${next.chatId} (${next.language}, at most ${next.perMinute} a minute)`);
      return true;
    },

    render,

    /** Runs one `staff.alert` job (the outbox calls it). Throws OutboxJobError to steer retries. */
    async handle(job: OutboxJob<StaffAlert>, context: HandlerContext): Promise<{ status: 'sent'; messageId: number } | { status: 'skipped'; reason: string }> {
      const { chatId } = current();
      if (!api) throw new OutboxJobError('staff alerts are not configured (BOT_TOKEN)');
      if (!chatId) throw new OutboxJobError('staff alerts are off (STAFF_CHAT_ID is not set)', { permanent: true });
      const alert = (job.payload ?? {}) as StaffAlert;
      if (!EVENTS.includes(alert.event)) {
        throw new OutboxJobError(`unknown staff.alert event ${JSON.stringify(String(alert.event).slice(0, 40))}`, { permanent: true });
      }
      const label = `staff alerts: job ${job.documentId} (${alert.event})`;
      const rendered = await render(alert);
      if (!rendered) {
        strapi.log.info(`${label} skipped: its record no longer exists`);
        return { status: 'skipped', reason: 'the record no longer exists' };
      }
      try {
        const sent = await api.sendMessage(
          chatId,
          rendered.text,
          { parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
          context.signal as unknown as Parameters<Api['sendMessage']>[3],
        );
        return { status: 'sent', messageId: sent.message_id };
      } catch (error) {
        if (error instanceof GrammyError) {
          const description = String(error.description ?? '').slice(0, 300);
          if (error.error_code === 429) {
            const seconds = Number(error.parameters?.retry_after ?? 1);
            throw new OutboxJobError(`Telegram 429: ${description}`, { retryAfterMs: Math.max(1, seconds) * 1000 });
          }
          if (error.error_code === 403 || error.error_code === 400) {
            // The bot is not in the chat, or the chat id is wrong: a retry cannot help until staff fix the setup.
            throw new OutboxJobError(`Telegram refused the staff alert (${error.error_code}: ${description}); check STAFF_CHAT_ID and that the bot is in the chat`, {
              permanent: true,
            });
          }
          if (error.error_code === 401 || error.error_code === 404) {
            throw new OutboxJobError(`Telegram refused the bot token (${error.error_code}: ${description}); check BOT_TOKEN and TELEGRAM_API_ROOT`);
          }
          throw new OutboxJobError(`Telegram error ${error.error_code}: ${description}`);
        }
        if (error instanceof HttpError) throw new OutboxJobError(`network error talking to Telegram: ${error.message}`);
        throw error;
      }
    },

    /** Whether a YooKassa cancellation reason is a failure staff should hear about. */
    isFailedPayment(reason: string | null | undefined): boolean {
      return !QUIET_PAYMENT_REASONS.has(String(reason ?? ''));
    },
  };
  return service;
};

export type StaffAlertsService = ReturnType<typeof staffAlertsService>;
export default staffAlertsService;
