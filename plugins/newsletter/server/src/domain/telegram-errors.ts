/**
 * What a failed Bot API call means for one newsletter delivery (pure; recognises grammY's errors by their fields,
 * so it needs no grammY at run time and works with copies from another bundle).
 *
 * - 403 (bot blocked by the user, user deactivated, bot can't initiate conversation …) → blocked: permanent, the
 *   member is marked botBlocked (cleared when they /start again).
 * - 400 "chat not found" → failed `chat_not_found`; any other 400 → failed `bad_request` (the content or the
 *   request is wrong: trying again cannot help).
 * - 429 → throttled for `retry_after` seconds (every sender of the channel pauses).
 * - 5xx, 401/404 (token or API root wrong: an operator can fix it), other codes and network errors → retry with backoff.
 */
import type { SendOutcome } from '../types';

const TEXT_MAX = 500;

interface ApiErrorLike {
  error_code: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

const isApiError = (error: unknown): error is ApiErrorLike =>
  typeof error === 'object' && error !== null && typeof (error as { error_code?: unknown }).error_code === 'number';

const clip = (text: string): string => (text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text);

/** Removes a bot token from a text (grammY's HttpError messages may carry the URL). */
export const redactToken = (text: string): string => text.replace(/\d{5,}:[A-Za-z0-9_-]{30,}/g, '<redacted>');

export function telegramOutcome(error: unknown): Exclude<SendOutcome, { kind: 'sent' }> {
  if (isApiError(error)) {
    const code = error.error_code;
    const description = clip(String(error.description ?? `error ${code}`));
    const text = `Telegram ${code}: ${description}`;
    if (code === 429) {
      const seconds = Number(error.parameters?.retry_after ?? 1);
      return { kind: 'throttled', retryAfterMs: Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000, error: text };
    }
    if (code === 403) {
      const deactivated = /deactivated/i.test(description);
      return { kind: 'blocked', code: deactivated ? 'user_deactivated' : 'bot_blocked', error: text };
    }
    if (code === 400) {
      if (/chat not found/i.test(description)) return { kind: 'failed', code: 'chat_not_found', error: text };
      return { kind: 'failed', code: 'bad_request', error: text };
    }
    return { kind: 'retry', code: 'telegram_unavailable', error: text };
  }
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return { kind: 'retry', code: 'network', error: clip(redactToken(`network error talking to Telegram: ${message}`)) };
}
