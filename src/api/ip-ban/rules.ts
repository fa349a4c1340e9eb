/**
 * What an IP ban may hold, checked on every write path (content manager, REST, the automatic service):
 * an IPv4 / IPv6 address or CIDR range (stored in canonical form, a range by its network address), a reason,
 * and an expiry that is a real date (in the future when the ban is created; empty = permanent).
 */
import { isIP } from 'node:net';
import { normaliseAddress } from '../../utils/client-address';

/** Narrower ranges than these would block a large part of the internet, or everybody (0.0.0.0/0). */
export const MIN_PREFIX = { 4: 8, 6: 16 } as const;
export const REASON_MAX_LENGTH = 500;

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const ipv6Canonical = (address: string) => new URL(`http://[${address}]/`).hostname.slice(1, -1);

function ipv6ToBigInt(canonical: string): bigint {
  const [head, tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return ipv6Canonical(groups.join(':'));
}

/** The network address of `address/bits`. */
function networkOf(address: string, family: 4 | 6, bits: number): string {
  if (family === 4) {
    const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const network = bits === 0 ? 0 : (value - (value % 2 ** (32 - bits)));
    return [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
  }
  const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  return bigIntToIpv6(ipv6ToBigInt(address) & mask);
}

/** An address or CIDR range in canonical form: "203.0.113.7", "203.0.113.0/24", "2001:db8::/32". */
export function parseBanAddress(input: unknown): Checked<string> {
  const refuse = (message: string): Checked<string> => ({ ok: false, field: 'address', message });
  if (typeof input !== 'string' || input.trim() === '') {
    return refuse('Enter an IP address (203.0.113.7, 2001:db8::1) or a CIDR range (203.0.113.0/24).');
  }
  const text = input.trim();
  const [rawAddress, prefix, extra] = text.split('/');
  const address = normaliseAddress(rawAddress);
  const family = isIP(address) as 0 | 4 | 6;
  if (family === 0 || address.includes('%') || extra !== undefined) {
    return refuse(`"${text.slice(0, 64)}" is not an IP address or CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24).`);
  }
  const canonical = family === 6 ? ipv6Canonical(address) : address;
  if (prefix === undefined) return { ok: true, value: canonical };

  const maxBits = family === 4 ? 32 : 128;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(bits <= maxBits)) return refuse(`The range size after "/" must be a number from ${MIN_PREFIX[family]} to ${maxBits}.`);
  if (bits < MIN_PREFIX[family]) {
    return refuse(`/${bits} is too wide a range to block; the widest allowed is /${MIN_PREFIX[family]} for IPv${family}.`);
  }
  if (bits === maxBits) return { ok: true, value: canonical };
  return { ok: true, value: `${networkOf(canonical, family, bits)}/${bits}` };
}

export function parseReason(input: unknown): Checked<string> {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text === '') return { ok: false, field: 'reason', message: 'Say why the address is blocked (reason).' };
  if (text.length > REASON_MAX_LENGTH) {
    return { ok: false, field: 'reason', message: `The reason is too long: at most ${REASON_MAX_LENGTH} characters.` };
  }
  return { ok: true, value: text };
}

/** null = permanent. A new ban must end in the future; an existing one may be given a past date to end it now. */
export function parseExpiry(input: unknown, now: Date, mustBeFuture: boolean): Checked<Date | null> {
  if (input === null || input === '') return { ok: true, value: null };
  const date = typeof input === 'string' || input instanceof Date ? new Date(input) : null;
  if (date === null || Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999) {
    return { ok: false, field: 'expiresAt', message: 'expiresAt must be a date and time (e.g. 2030-01-31T18:00:00Z), or empty for a permanent ban.' };
  }
  if (mustBeFuture && date.getTime() <= now.getTime()) {
    return {
      ok: false,
      field: 'expiresAt',
      message: 'expiresAt has already passed: choose a time in the future, or leave it empty for a permanent ban.',
    };
  }
  return { ok: true, value: date };
}

/** "until 2030-01-31 18:00 UTC" / "permanently", as people read it in messages and the nginx export. */
export const untilText = (expiresAt: Date | null): string =>
  expiresAt === null ? 'permanently' : `until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
