/**
 * Signed, expiring links to private ticket attachments (pure; the Strapi-bound service is services/attachment-urls.ts).
 *
 * A stored attachment's name carries 128 random bits (`ticket_<32 hex>…`, domain/attachments.ts) and the same
 * marker survives in the upload plugin's renditions (`thumbnail_ticket_…`). Such a file is served only with
 * `?expires=<unix seconds>&signature=<base64url HMAC-SHA256 of "<path>\n<expires>">`, keyed by a secret derived
 * from each of the server's APP_KEYS: the first key signs, any key verifies (so keys can be rotated).
 */
import { createHmac, timingSafeEqual } from 'crypto';
import path from 'path';

/** Stored ticket files start with this and 128 random bits (32 hex digits): what makes a stored file private. */
export const PRIVATE_NAME_PREFIX = 'ticket_';
// Also inside the upload plugin's rendition names (`thumbnail_ticket_…`).
const PRIVATE_MARKER = new RegExp(`(?:^|_)${PRIVATE_NAME_PREFIX}[0-9a-f]{32}`, 'i');
const UPLOADS_PREFIX = '/uploads/';

/** One HMAC secret per APP_KEYS entry, never the key itself. */
export function signingSecrets(appKeys: readonly string[]): Buffer[] {
  const secrets = appKeys.filter((key) => key !== '').map((key) => createHmac('sha256', key).update('ticket-attachment-url/v1').digest());
  if (secrets.length === 0) throw new Error('APP_KEYS is empty: ticket attachment links cannot be signed');
  return secrets;
}

/** The file name a request path resolves to once decoded and normalised the way the static server does it; null if undecodable. */
function requestedName(requestPath: string): { name: string; underUploads: boolean } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  const normalised = path.posix.normalize(decoded);
  return { name: path.posix.basename(normalised), underUploads: normalised.toLowerCase().startsWith(UPLOADS_PREFIX) };
}

/** Whether a request path is under /uploads/ (after decoding and normalising). */
export function isUploadsPath(requestPath: string): boolean {
  return requestedName(requestPath)?.underUploads ?? false;
}

/**
 * The canonical `/uploads/<name>` of a private attachment that `requestPath` would reach (whatever detour the
 * path takes: `/./uploads/…`, percent-encoding, another public prefix), or null for any other path.
 */
export function privateUploadPath(requestPath: string): string | null {
  const requested = requestedName(requestPath);
  return requested !== null && PRIVATE_MARKER.test(requested.name) ? `${UPLOADS_PREFIX}${requested.name}` : null;
}

const signatureOf = (secret: Buffer, canonicalPath: string, expires: number) =>
  createHmac('sha256', secret).update(`${canonicalPath}\n${expires}`).digest('base64url');

/**
 * `url` with `expires` and `signature` when it is a local private attachment; any other URL unchanged. The
 * expiry is rounded up to the next minute, so links made within one minute are identical (browser caching).
 */
export function signUploadUrl(url: string, secrets: readonly Buffer[], ttlSeconds: number, nowMs: number): string {
  if (!url.startsWith(UPLOADS_PREFIX) || url.includes('?')) return url;
  const canonical = privateUploadPath(url);
  if (canonical === null) return url;
  const expires = Math.ceil((nowMs / 1000 + ttlSeconds) / 60) * 60;
  return `${url}?expires=${expires}&signature=${signatureOf(secrets[0], canonical, expires)}`;
}

export type SignatureVerdict = { ok: true; expires: number } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/** Checks a request's `expires` and `signature` for the canonical path (signature first, then expiry). */
export function verifyUploadSignature(
  canonicalPath: string,
  query: Record<string, unknown>,
  secrets: readonly Buffer[],
  nowMs: number,
): SignatureVerdict {
  const { expires, signature } = query;
  if (expires === undefined && signature === undefined) return { ok: false, reason: 'missing' };
  if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(signature, 'base64url');
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(signatureOf(secret, canonicalPath, Number(expires)), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return { ok: false, reason: 'invalid' };
  if (Number(expires) * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, expires: Number(expires) };
}
