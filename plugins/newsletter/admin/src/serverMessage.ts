/** The words of a failed admin request, as the Newsletters page shows them (copied from the booking desk). */
import { isFetchError } from '@strapi/strapi/admin';

/** Strapi's error envelope as our routes fill it. */
export interface ErrorEnvelope {
  error?: { status?: number; message?: string; details?: { code?: string; errors?: { path?: (string | number)[]; message?: string }[] } };
}

const envelopeOf = (error: unknown): ErrorEnvelope | undefined =>
  isFetchError(error) ? (error.response?.data as ErrorEnvelope | undefined) : undefined;

/** The HTTP status of a failed request (null: no answer). */
export function statusOf(error: unknown): number | null {
  return isFetchError(error) ? (error.status ?? null) : null;
}

/** The server's own words for a failed request: its message plus the field messages of a 4xx (null: no words). */
export function serverMessage(error: unknown): string | null {
  if (!isFetchError(error)) return error instanceof Error ? error.message : null;
  const body = envelopeOf(error);
  const message = body?.error?.message ?? error.message;
  const fields = (body?.error?.details?.errors ?? []).map((item) => item.message).filter((text): text is string => Boolean(text) && text !== message);
  return [message, ...fields].filter(Boolean).join(' ');
}

/**
 * The field messages of a 400/422 by the first part of their path (`body`, `audience`, `buttons` …), and the
 * message of the error itself (shown above the form when no field claims it).
 */
export function fieldErrors(error: unknown): { message: string | null; fields: Record<string, string> } {
  const body = envelopeOf(error);
  const fields: Record<string, string> = {};
  for (const item of body?.error?.details?.errors ?? []) {
    const key = item.path && item.path.length > 0 ? String(item.path[0]) : '';
    if (!key || !item.message) continue;
    fields[key] = fields[key] ? `${fields[key]} ${item.message}` : item.message;
  }
  return { message: serverMessage(error), fields };
}
