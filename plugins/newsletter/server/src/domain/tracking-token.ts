/**
 * Signed tokens of the e-mail tracking and unsubscribe links (docs/NEWSLETTERS.md, E-mail). Pure: the secret is a
 * parameter (settings.trackingSecret), nothing is stored.
 *
 * A token is `<delivery id, base 36>.<MAC>`, the MAC being the first 16 bytes of HMAC-SHA256 (base64url) over the
 * purpose and what the link may do:
 * - open `o|<delivery>`: the open pixel of that delivery;
 * - click `c|<delivery>|<link number>`: the link number travels in the query (`?l=<n>`) and is covered by the MAC,
 *   so changing it (or the delivery) invalidates the token; the redirect target itself is never in the URL;
 * - unsubscribe `u|<delivery>`: clears the marketing consent of that delivery's member.
 * Delivery id 0 is used by test sends (no delivery row): it verifies, and the routes treat it as "a test e-mail".
 * Verification recomputes the MAC and compares in constant time.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export type TokenKind = 'open' | 'click' | 'unsubscribe';

const PREFIX: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const MAC_BYTES = 16;
/** Base 36 of a non-negative safe integer, 1..11 characters, no leading zeros (except "0" itself). */
const ID_PATTERN = /^(0|[1-9a-z][0-9a-z]{0,10})$/;
const MAC_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Largest link number a click token may carry. */
export const MAX_LINK_NUMBER = 9999;

function message(kind: TokenKind, deliveryId: number, link?: number): string {
  return kind === 'click' ? `${PREFIX[kind]}|${deliveryId}|${link}` : `${PREFIX[kind]}|${deliveryId}`;
}

function mac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(`newsletter-tracking:v1:${text}`).digest().subarray(0, MAC_BYTES);
}

function assertId(deliveryId: number): void {
  if (!Number.isSafeInteger(deliveryId) || deliveryId < 0) throw new RangeError(`deliveryId must be a non-negative integer, got ${deliveryId}`);
}

/** Whether `n` is a valid link number (1-based). */
export const isLinkNumber = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_LINK_NUMBER;

/** A token for `kind` of `deliveryId` (and link number `link`, 1-based, for clicks). */
export function signToken(secret: string, kind: TokenKind, deliveryId: number, link?: number): string {
  assertId(deliveryId);
  if (kind === 'click' && !isLinkNumber(link)) throw new RangeError(`link must be 1..${MAX_LINK_NUMBER}, got ${link}`);
  return `${deliveryId.toString(36)}.${mac(secret, message(kind, deliveryId, link)).toString('base64url')}`;
}

/**
 * The delivery id a token was signed for, or null when it is malformed or its MAC does not match `kind` (and
 * `link` for clicks). Never throws.
 */
export function verifyToken(secret: string, kind: TokenKind, token: unknown, link?: number): number | null {
  if (typeof token !== 'string' || token.length > 40) return null;
  const dot = token.indexOf('.');
  if (dot < 1) return null;
  const idPart = token.slice(0, dot);
  const macPart = token.slice(dot + 1);
  if (!ID_PATTERN.test(idPart) || !MAC_PATTERN.test(macPart)) return null;
  const deliveryId = parseInt(idPart, 36);
  if (!Number.isSafeInteger(deliveryId)) return null;
  if (kind === 'click' && !isLinkNumber(link)) return null;
  // Compared as text: base64url has several spellings of the same bytes (the last character's spare bits).
  const expected = Buffer.from(mac(secret, message(kind, deliveryId, link)).toString('base64url'));
  const given = Buffer.from(macPart);
  if (given.length !== expected.length) return null;
  return timingSafeEqual(given, expected) ? deliveryId : null;
}

/** Parses the `l` query parameter: a link number, or null when absent or malformed. */
export function parseLinkNumber(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,3}$/.test(raw)) return null;
  const n = Number(raw);
  return isLinkNumber(n) ? n : null;
}
