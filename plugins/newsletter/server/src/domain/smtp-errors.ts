/**
 * What an SMTP send's error means for the delivery (docs/NEWSLETTERS.md, E-mail). Pure.
 *
 * - A 4xx reply (greylisting, mailbox busy, "try again later", 421 service closing) and connection problems
 *   (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ECONNREFUSED, ECONNRESET, TLS handshakes, a failed login) are transient:
 *   `retry` with code `smtp_unavailable`; the dispatcher backs off and gives up after NEWSLETTER_MAX_ATTEMPTS.
 * - A 5xx reply (no such mailbox, rejected as spam, message refused) is permanent: `failed` with code
 *   `smtp_rejected`, never retried.
 * - A send refused because no e-mail provider is configured: `failed` with code `channel_off`.
 * - Anything else (an unexpected exception) is retried: attempts are bounded, and a bug fixed by a restart then
 *   delivers instead of failing everybody.
 */
import type { SendOutcome } from '../types';

interface SmtpLikeError {
  name?: unknown;
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  command?: unknown;
}

const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ETLS',
  'EAUTH',
  'EPROTOCOL',
  'ESTREAM',
  'EMAXLIMIT',
  'ECLOSED',
]);

const MAX_ERROR_LENGTH = 2000;

const text = (value: unknown): string => (typeof value === 'string' ? value : value == null ? '' : String(value));

/** A readable one-line description of the error: the server's reply when there is one. */
export function describeSmtpError(error: unknown): string {
  const e = (error ?? {}) as SmtpLikeError;
  const response = text(e.response).trim();
  const message = text(e.message).trim();
  const command = text(e.command).trim();
  const base = response || message || text(error) || 'Unknown error';
  const described = command && response ? `${base} (after ${command})` : base;
  return described.replace(/\s+/g, ' ').slice(0, MAX_ERROR_LENGTH);
}

/** The reply code of an SMTP error (e.g. 450, 550), or null. */
export function smtpReplyCode(error: unknown): number | null {
  const e = (error ?? {}) as SmtpLikeError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : Number(text(e.responseCode));
  if (Number.isInteger(code) && code >= 200 && code <= 599) return code;
  // Some errors only carry the reply text ("550 5.1.1 No such user").
  const match = /^([245])\d\d[ -]/.exec(text(e.response));
  return match ? Number(text(e.response).slice(0, 3)) : null;
}

/** The outcome of a send that threw `error`. */
export function classifySmtpError(error: unknown): SendOutcome {
  const e = (error ?? {}) as SmtpLikeError;
  const description = describeSmtpError(error);
  if (text(e.name) === 'EmailNotConfiguredError') return { kind: 'failed', code: 'channel_off', error: description };
  const code = text(e.code).toUpperCase();
  // A refused login is this server's configuration, not the recipient: retried (and visible in the error).
  if (code === 'EAUTH') return { kind: 'retry', code: 'smtp_unavailable', error: description };
  const reply = smtpReplyCode(error);
  if (reply !== null && reply >= 500) return { kind: 'failed', code: 'smtp_rejected', error: description };
  if (reply !== null && reply >= 400) return { kind: 'retry', code: 'smtp_unavailable', error: description };
  if (TRANSIENT_CODES.has(code)) return { kind: 'retry', code: 'smtp_unavailable', error: description };
  // EENVELOPE / EMESSAGE without a reply: the message or its addresses cannot be sent as they are.
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { kind: 'failed', code: 'smtp_rejected', error: description };
  return { kind: 'retry', code: 'smtp_unavailable', error: description };
}
