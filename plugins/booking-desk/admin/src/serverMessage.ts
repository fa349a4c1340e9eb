/** The words of a failed admin request, as the booking desk's pages and panels show them. */
import { isFetchError } from '@strapi/strapi/admin';

/** Strapi's error envelope as our routes fill it. */
interface ErrorEnvelope {
  error?: { status?: number; message?: string; details?: { code?: string; errors?: { path?: string[]; message?: string }[] } };
}

/** The server's own words for a failed request: its message plus the field messages of a 4xx (null: no words). */
export function serverMessage(error: unknown): string | null {
  if (!isFetchError(error)) return error instanceof Error ? error.message : null;
  const body = error.response?.data as ErrorEnvelope | undefined;
  const message = body?.error?.message ?? error.message;
  const fields = (body?.error?.details?.errors ?? []).map((item) => item.message).filter((text): text is string => Boolean(text) && text !== message);
  return [message, ...fields].filter(Boolean).join(' ');
}
