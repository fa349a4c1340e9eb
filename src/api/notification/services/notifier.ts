/**
 * `api::notification.notifier`: the outbox handler of `member.notify` jobs (docs/NOTIFICATIONS.md). It finds the
 * member the job is about (through the booking or the ticket message), skips members it must not or cannot
 * write to, renders the message in the member's language and sends it with grammY's `Api`.
 *
 * Outcomes: sent → done; skipped (no Telegram id, banned, bot blocked, booking or message gone, reminder no longer
 * due) → done, logged; 403 from Telegram (bot blocked, user deactivated) → the member is marked `botBlocked`
 * and the job is done, not retried; 429 → retried after Telegram's `retry_after`; other 400s → dead at once with
 * Telegram's description as lastError; network errors, 5xx, 401 → retried with backoff. Message texts and the
 * token are never logged.
 */
import type { Core } from '@strapi/strapi';
import { Api, GrammyError, HttpError } from 'grammy';
import { DEFAULT_SPACE_TIME_ZONE } from '../../../domain/space-time';
import { type HandlerContext, type OutboxJob, OutboxJobError, type OutboxService } from '../../outbox-job/services/outbox';
import { isPhotoOnlyBody } from '../../ticket/services/staff-replies';
import { deliverWithPhotos, type StoredPhoto } from '../photo-delivery';
import { type BookingView, isNotificationEvent, type NotificationEvent, renderNotification, type RenderInput } from '../render';

export const NOTIFY_KIND = 'member.notify';
const BOOKING_UID = 'api::booking.booking';
const TICKET_MESSAGE_UID = 'api::ticket-message.ticket-message';
const USER_UID = 'plugin::users-permissions.user';

/** Telegram: about 30 messages a second overall; we stay below. */
export const GLOBAL_PER_SECOND = 25;
/** Telegram: at most one message a second in one chat. */
export const PER_CHAT_INTERVAL_MS = 1000;

export interface NotifyPayload {
  event: NotificationEvent | string;
  booking?: string;
  ticket?: string;
  message?: string;
  /** staff_message: the member's documentId and the plain text staff wrote. */
  member?: string;
  text?: string;
  state?: string | null;
  reason?: string | null;
  /** cancel: kopecks refunded. */
  refund?: number | null;
  /** payment_refunded: kopecks refunded. */
  amount?: number | null;
  /** reminder: the offset (hours before the start) that enqueued it. */
  hours?: number;
  /** Optional: the recipient's Telegram id, when the producer knows it (used for the per-chat limit). */
  chatId?: string | number;
}

interface MemberRow {
  id: number;
  telegramId: string | null;
  language: string | null;
  isBanned: boolean | null;
  botBlocked: boolean | null;
}

const MEMBER_SELECT = ['id', 'telegramId', 'language', 'isBanned', 'botBlocked'];

export type NotifyOutcome =
  | { status: 'sent'; messageId: number }
  | { status: 'skipped'; reason: string }
  | { status: 'blocked'; reason: string };

export interface NotifierSettings {
  token: string | null;
  apiRoot: string;
  timeZone: string;
}

export function notifierSettings(env: NodeJS.ProcessEnv = process.env): NotifierSettings {
  const token = env.BOT_TOKEN?.trim() || null;
  const apiRoot = (env.TELEGRAM_API_ROOT?.trim() || 'https://api.telegram.org').replace(/\/+$/, '');
  return { token, apiRoot, timeZone: env.SPACE_TIMEZONE?.trim() || DEFAULT_SPACE_TIME_ZONE };
}

/** The subject a job is about, for the per-chat key until the recipient's chat is known. */
const subjectOf = (payload: NotifyPayload): string | null =>
  payload.booking ? `booking:${payload.booking}` : payload.ticket ? `ticket:${payload.ticket}` : payload.message ? `ticket-message:${payload.message}` : payload.member ? `member:${payload.member}` : null;

const CACHE_MAX = 10_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

const notifierService = ({ strapi }: { strapi: Core.Strapi }) => {
  let api: Api | null = null;
  let settings: NotifierSettings = notifierSettings();
  /** subject (booking / ticket) → chat id, learnt when a job is resolved; feeds keyOf. */
  const chatOfSubject = new Map<string, string>();
  /** chat id → earliest time the next message may go (this process). */
  const chatFreeAt = new Map<string, number>();

  const remember = (subject: string | null, chat: string) => {
    if (!subject) return;
    chatOfSubject.delete(subject);
    chatOfSubject.set(subject, chat);
    if (chatOfSubject.size > CACHE_MAX) chatOfSubject.delete(chatOfSubject.keys().next().value as string);
  };

  /**
   * Waits for the chat's next free second. The outbox's per-key spacing covers jobs whose chat is known from
   * the payload or from an earlier job of the same subject; this covers the rest (e.g. two bookings of one
   * member cancelled together). A wait longer than the time left is handed back as a retry.
   */
  async function waitForChat(chat: string, context: HandlerContext): Promise<void> {
    const now = Date.now();
    if (chatFreeAt.size > CACHE_MAX) for (const [key, at] of chatFreeAt) if (at < now) chatFreeAt.delete(key);
    const at = Math.max(now, chatFreeAt.get(chat) ?? 0);
    const wait = at - now;
    if (wait > 0 && now + wait > context.deadline.getTime() - 2000) {
      throw new OutboxJobError('per-chat limit: the chat is busy, trying again shortly', { retryAfterMs: wait });
    }
    chatFreeAt.set(chat, at + PER_CHAT_INTERVAL_MS);
    if (wait > 0) await sleep(wait, context.signal);
  }

  async function loadBooking(documentId: string) {
    return (await strapi.db.query(BOOKING_UID).findOne({
      where: { documentId },
      select: ['id', 'documentId', 'state', 'startAt', 'endAt', 'priceTotal', 'cancelReason', 'holdExpiresAt'],
      populate: {
        tariff: { select: ['name'] },
        resource: { select: ['name'] },
        member: { select: MEMBER_SELECT },
      },
    })) as {
      id: number;
      state: string;
      startAt: string | Date;
      endAt: string | Date;
      priceTotal: number;
      cancelReason: string | null;
      holdExpiresAt: string | Date | null;
      tariff: { name: string } | null;
      resource: { name: string } | null;
      member: MemberRow | null;
    } | null;
  }

  async function loadTicketMessage(documentId: string) {
    return (await strapi.db.query(TICKET_MESSAGE_UID).findOne({
      where: { documentId },
      select: ['id', 'documentId', 'authorType', 'body'],
      populate: {
        ticket: { select: ['id', 'documentId', 'subject'], populate: { member: { select: MEMBER_SELECT } } },
        // A staff reply's photos go as photos (../photo-delivery.ts).
        attachments: { select: ['id', 'name', 'url', 'hash', 'ext', 'mime', 'provider'] },
      },
    })) as {
      authorType: string;
      body: string;
      attachments?: StoredPhoto[] | null;
      ticket: { documentId: string; subject: string; member: MemberRow | null } | null;
    } | null;
  }

  /** What to send and to whom, or why nothing is sent. */
  async function resolve(
    payload: NotifyPayload,
    event: NotificationEvent,
    now: Date,
  ): Promise<{ skip: string } | { member: MemberRow; input: RenderInput; photos?: StoredPhoto[] }> {
    if (event === 'staff_message') {
      if (typeof payload.member !== 'string' || typeof payload.text !== 'string' || payload.text.trim() === '') {
        throw new OutboxJobError('staff_message job without a member id or text', { permanent: true });
      }
      const member = (await strapi.db.query(USER_UID).findOne({ where: { documentId: payload.member }, select: MEMBER_SELECT })) as MemberRow | null;
      if (!member) return { skip: 'the member no longer exists' };
      return { member, input: { kind: 'staff', text: payload.text } };
    }
    if (event === 'ticket_reply') {
      if (typeof payload.message !== 'string') throw new OutboxJobError('ticket_reply job without a message id', { permanent: true });
      const message = await loadTicketMessage(payload.message);
      if (!message || !message.ticket) return { skip: 'the ticket message no longer exists' };
      if (payload.ticket && message.ticket.documentId !== payload.ticket) {
        throw new OutboxJobError('the message does not belong to the ticket named in the job', { permanent: true });
      }
      if (message.authorType !== 'staff') return { skip: 'the message is not a staff reply' };
      if (!message.ticket.member) return { skip: 'the ticket has no member' };
      const photos = message.attachments ?? [];
      const body = isPhotoOnlyBody(message.body, photos.length) ? '' : message.body;
      return { member: message.ticket.member, input: { kind: 'ticket', subject: message.ticket.subject, body }, photos };
    }
    if (typeof payload.booking !== 'string') throw new OutboxJobError(`${event} job without a booking id`, { permanent: true });
    const booking = await loadBooking(payload.booking);
    if (!booking) return { skip: 'the booking no longer exists' };
    if (!booking.member) return { skip: 'the booking has no member' };
    const view: BookingView = {
      startAt: new Date(booking.startAt),
      endAt: new Date(booking.endAt),
      priceTotal: Number(booking.priceTotal ?? 0),
      resourceName: booking.resource?.name ?? null,
      tariffName: booking.tariff?.name ?? null,
      cancelReason: booking.cancelReason,
    };
    if (event === 'reminder' && (booking.state !== 'confirmed' || view.startAt <= now)) {
      return { skip: `the reminder is no longer due (booking ${booking.state})` };
    }
    if (event === 'payment_link') {
      // Sent after the commit that created the payment row; the provider's link arrives a moment later.
      const hold = booking.holdExpiresAt ? new Date(booking.holdExpiresAt) : null;
      if (booking.state !== 'pending_payment' || !hold || hold <= now) return { skip: `the booking no longer waits for payment (${booking.state})` };
      const payment = (await strapi.db.query('api::payment.payment').findOne({
        where: { booking: { id: booking.id }, provider: 'yookassa' },
        select: ['state', 'confirmationUrl'],
        orderBy: { id: 'desc' },
      })) as { state: string; confirmationUrl: string | null } | null;
      if (!payment || payment.state !== 'pending') return { skip: 'the booking has no pending online payment' };
      if (!payment.confirmationUrl) throw new OutboxJobError('the payment link is not known yet', { retryAfterMs: 10_000 });
      return {
        member: booking.member,
        input: { kind: 'booking', event, booking: view, payment: { url: payment.confirmationUrl, until: hold } },
      };
    }
    const amount = event === 'cancel' ? payload.refund : event === 'payment_refunded' ? payload.amount : null;
    return {
      member: booking.member,
      input: { kind: 'booking', event, booking: view, reason: payload.reason ?? null, amount: typeof amount === 'number' ? amount : null },
    };
  }

  /** Notifications keep priority over newsletters: this send takes the newsletter limiter's next slot. */
  function notePriority() {
    try {
      const limiter = strapi.plugin('newsletter')?.service('limiter') as { notePriority?: (channel: 'telegram') => void } | undefined;
      limiter?.notePriority?.('telegram');
    } catch {
      // No newsletter plugin: nothing to share the rate with.
    }
  }

  async function markBlocked(member: MemberRow, now: Date) {
    await strapi.db.query(USER_UID).update({ where: { id: member.id }, data: { botBlocked: true, botBlockedAt: now } });
  }

  const service = {
    /** BOT_TOKEN, TELEGRAM_API_ROOT and SPACE_TIMEZONE as read at registration. */
    settings: () => settings,

    /**
     * Registers the `member.notify` handler, if BOT_TOKEN is set. Without it nothing is registered: the jobs
     * stay queued until an instance with the token runs them (docs/NOTIFICATIONS.md).
     */
    register(env: NodeJS.ProcessEnv = process.env): boolean {
      const next = notifierSettings(env);
      if (!next.token) {
        strapi.log.warn('notifications: BOT_TOKEN is not set, member.notify jobs stay queued until an instance with the token runs them');
        return false;
      }
      const outbox = strapi.service('api::outbox-job.outbox') as OutboxService;
      settings = next;
      api = new Api(next.token, { apiRoot: next.apiRoot, timeoutSeconds: 20 });
      outbox.registerHandler<NotifyPayload>(NOTIFY_KIND, (job, context) => service.handle(job, context).then(() => undefined), {
        rateLimit: { perSecond: GLOBAL_PER_SECOND },
        keyOf: (payload) => {
          if (payload?.chatId !== undefined && payload.chatId !== null) return String(payload.chatId);
          const subject = payload ? subjectOf(payload) : null;
          return (subject && chatOfSubject.get(subject)) ?? subject;
        },
        perKeyIntervalMs: PER_CHAT_INTERVAL_MS,
        timeoutMs: 30_000,
      });
      return true;
    },

    /** Runs one `member.notify` job (the outbox calls it; tests may too). Throws OutboxJobError to steer retries. */
    async handle(job: OutboxJob<NotifyPayload>, context: HandlerContext): Promise<NotifyOutcome> {
      if (!api) throw new OutboxJobError('notifications are not configured (BOT_TOKEN)');
      const payload = (job.payload ?? {}) as NotifyPayload;
      const label = `notifications: job ${job.documentId} (${String(payload.event).slice(0, 40)})`;
      if (!isNotificationEvent(payload.event)) {
        throw new OutboxJobError(`unknown member.notify event ${JSON.stringify(String(payload.event).slice(0, 40))}`, { permanent: true });
      }
      const now = new Date();
      const resolved = await resolve(payload, payload.event, now);
      if ('skip' in resolved) {
        strapi.log.info(`${label} skipped: ${resolved.skip}`);
        return { status: 'skipped', reason: resolved.skip };
      }
      const { member, input, photos } = resolved;
      const chat = member.telegramId?.trim();
      let skip: string | null = null;
      if (!chat) skip = `member ${member.id} has no Telegram id`;
      else if (member.isBanned) skip = `member ${member.id} is banned`;
      else if (member.botBlocked) skip = `member ${member.id} has blocked the bot`;
      if (skip !== null || !chat) {
        strapi.log.info(`${label} skipped: ${skip}`);
        return { status: 'skipped', reason: skip ?? 'no chat' };
      }
      remember(subjectOf(payload), chat);

      const text = renderNotification(input, { language: member.language, timeZone: settings.timeZone, now });
      await waitForChat(chat, context);
      notePriority();
      try {
        const sent = photos?.length
          ? await deliverWithPhotos({ strapi, api, chat, html: text, photos, job, context, label, waitForChat: () => waitForChat(chat, context) })
          : await api.sendMessage(
          chat,
          text,
          { parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
          // grammY types its signal with the abort-controller shim; the runtime takes Node's own.
          context.signal as unknown as Parameters<Api['sendMessage']>[3],
        );
        strapi.log.debug(`${label} sent to member ${member.id}`);
        return { status: 'sent', messageId: sent.message_id };
      } catch (error) {
        if (error instanceof GrammyError) {
          const description = String(error.description ?? '').slice(0, 300);
          if (error.error_code === 429) {
            const seconds = Number(error.parameters?.retry_after ?? 1);
            throw new OutboxJobError(`Telegram 429: ${description}`, { retryAfterMs: Math.max(1, seconds) * 1000 });
          }
          if (error.error_code === 403) {
            // Blocked, deactivated, or never started the bot: nobody can fix that from here, so no retry.
            // The flag is cleared when the member comes back to the bot (its sign-in).
            await markBlocked(member, new Date());
            strapi.log.info(`${label}: member ${member.id} cannot be written to (${description}); marked botBlocked`);
            return { status: 'blocked', reason: description };
          }
          if (error.error_code === 400) {
            throw new OutboxJobError(`Telegram refused the message (400: ${description})`, { permanent: true });
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
  };
  return service;
};

export type NotifierService = ReturnType<typeof notifierService>;
export default notifierService;
