import { createHmac, timingSafeEqual } from 'crypto';

/** The Telegram user a Mini App was opened by, as carried in its signed `initData`. */
export interface InitDataUser {
  id: number;
  username?: string;
  language_code?: string;
  first_name?: string;
  last_name?: string;
}

export type InitDataCheck =
  | { ok: true; user: InitDataUser; authDate: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' | 'no_user' };

const dataCheckString = (entries: Array<[string, string]>) =>
  entries
    .filter(([key]) => key !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

const signature = (entries: Array<[string, string]>, botToken: string) => {
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  return createHmac('sha256', secret).update(dataCheckString(entries)).digest();
};

/**
 * Verifies Telegram WebApp `initData` as Telegram specifies for Mini Apps: the data-check-string is every
 * field but `hash`, as `key=value` lines sorted by key; the secret key is HMAC-SHA256 of the bot token
 * keyed with "WebAppData"; the expected hash is the hex HMAC-SHA256 of the data-check-string with that key.
 * `auth_date` older than `maxAgeSeconds` is refused, so a leaked string cannot be replayed forever.
 */
export function verifyInitData(initData: string, botToken: string, now: Date, maxAgeSeconds: number): InitDataCheck {
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  const authDateSeconds = Number(params.get('auth_date'));
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || !Number.isInteger(authDateSeconds)) return { ok: false, reason: 'malformed' };

  if (!timingSafeEqual(signature([...params.entries()], botToken), Buffer.from(hash, 'hex'))) {
    return { ok: false, reason: 'bad_signature' };
  }

  const authDate = new Date(authDateSeconds * 1000);
  if (now.getTime() - authDate.getTime() > maxAgeSeconds * 1000) return { ok: false, reason: 'stale' };

  let user: unknown;
  try {
    user = JSON.parse(params.get('user') ?? 'null');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof user !== 'object' || user === null || !Number.isSafeInteger((user as InitDataUser).id)) {
    return { ok: false, reason: 'no_user' };
  }
  return { ok: true, user: user as InitDataUser, authDate };
}

/** Signs `fields` the way Telegram does; tests and local tooling use it to produce valid initData. */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const hash = signature(Object.entries(fields), botToken).toString('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}
