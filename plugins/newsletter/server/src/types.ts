/**
 * The shapes the plugin's parts agree on: states, the API's view of a newsletter, one recipient row, and what
 * a channel's sender answers. Pure types, no runtime code.
 */
import type { AudienceSpec } from './domain/audience';

export const CHANNELS = ['telegram', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export const NEWSLETTER_STATES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'failed', 'cancelled'] as const;
export type NewsletterState = (typeof NEWSLETTER_STATES)[number];

export const DELIVERY_STATES = ['queued', 'sending', 'sent', 'failed', 'blocked', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export type Language = 'ru' | 'en';

/** One inline URL button under a Telegram message (and a link in the e-mail's footer). */
export interface UrlButton {
  text: string;
  url: string;
}

export interface MediaView {
  /** The upload plugin's file id. */
  id: number;
  name: string;
  url: string;
  mime: string;
  /** Bytes. */
  size: number;
  width: number | null;
  height: number | null;
}

export interface Counters {
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  cancelled: number;
  /** E-mail only. */
  opened: number;
  clicked: number;
}

/** A newsletter as the admin API answers it (`data` of GET /newsletter/newsletters/:documentId). */
export interface NewsletterView {
  documentId: string;
  title: string;
  channels: Channel[];
  /** Telegram HTML, Russian (the default variant). */
  body: string | null;
  bodyEn: string | null;
  subject: string | null;
  subjectEn: string | null;
  /** E-mail HTML; when empty the e-mail is made from `body`. */
  emailHtml: string | null;
  emailHtmlEn: string | null;
  buttons: UrlButton[];
  media: MediaView[];
  audience: AudienceSpec;
  /** A service notice goes to members without marketing consent too. */
  serviceNotice: boolean;
  state: NewsletterState;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  pausedAt: string | null;
  lastError: string | null;
  counters: Counters;
  createdBy: string | null;
  sentBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `data` of GET /newsletter/newsletters/:documentId/progress (the contract). */
export interface ProgressView {
  status: NewsletterState;
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  remaining: number;
  /** Deliveries sent per second over the last PROGRESS_WINDOW_SECONDS (0 when none). */
  ratePerSecond: number;
  /** remaining ÷ ratePerSecond, rounded up; null while the rate is 0 or nothing remains. */
  etaSeconds: number | null;
  /** Extra: per channel, and e-mail opens and clicks. */
  cancelled: number;
  opened: number;
  clicked: number;
  byChannel: Record<Channel, { total: number; sent: number; failed: number; blocked: number; remaining: number }>;
}

/** A newsletter_deliveries row as the dispatcher and senders see it (plain columns, camelCase). */
export interface DeliveryRow {
  id: number;
  documentId: string;
  newsletterRef: number;
  memberRef: number;
  channel: Channel;
  telegramId: string | null;
  email: string | null;
  language: Language;
  state: DeliveryState;
  attempts: number;
  runAfter: Date | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  errorCode: string | null;
  error: string | null;
  sentAt: Date | null;
  telegramMessageId: string | null;
  providerMessageId: string | null;
}

/** What a newsletter carries into sending (read once per claim, not per recipient). */
export interface NewsletterContent {
  id: number;
  documentId: string;
  title: string;
  body: string | null;
  bodyEn: string | null;
  subject: string | null;
  subjectEn: string | null;
  emailHtml: string | null;
  emailHtmlEn: string | null;
  buttons: UrlButton[];
  media: MediaView[];
  /** file_id per media item, in media order, once Telegram has them (first send uploads, the rest reuse). */
  telegramFileIds: string[] | null;
  serviceNotice: boolean;
}

/** The member fields a message is personalised with ({{firstName}} …), read with the claim. */
export interface RecipientVars {
  firstName: string;
  lastName: string;
  fullName: string;
  email: string;
  phone: string;
  username: string;
  successfulBookings: number;
}

/**
 * What a channel's sender answers for one delivery. The dispatcher records it:
 * - `sent`: state sent, sentAt, the message id (Telegram's first message id, or the SMTP Message-ID);
 * - `blocked`: permanent, the recipient cannot be reached (Telegram 403: blocked / deactivated); state blocked,
 *   and for Telegram the member is marked botBlocked;
 * - `failed`: permanent failure (400 chat not found, bad request, SMTP 5xx); state failed with code and text;
 * - `retry`: transient (network, 5xx, SMTP 4xx); back to queued with runAfter = now + backoff (at least
 *   afterMs), or failed after NEWSLETTER_MAX_ATTEMPTS;
 * - `throttled`: 429 — every sender of the channel pauses for retryAfterMs (the shared limiter), and the delivery
 *   goes back to queued without spending an attempt.
 */
export type SendOutcome =
  | { kind: 'sent'; messageId: string | null; fileIds?: string[] }
  | { kind: 'blocked'; code: string; error: string }
  | { kind: 'failed'; code: string; error: string }
  | { kind: 'retry'; code: string; error: string; afterMs?: number }
  | { kind: 'throttled'; retryAfterMs: number; error: string };

/** Failure codes stored in deliveries.errorCode (the page translates them). */
export const FAILURE_CODES = [
  'bot_blocked',
  'user_deactivated',
  'chat_not_found',
  'bad_request',
  'telegram_unavailable',
  'network',
  'too_many_attempts',
  'smtp_rejected',
  'smtp_unavailable',
  'unsubscribed',
  'no_address',
  'channel_off',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];
