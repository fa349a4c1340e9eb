/**
 * Settings of the newsletter plugin, read from the environment at boot (docs/NEWSLETTERS.md, Operators;
 * .env.example). `readSettings(process.env)` is pure, so tests can check the rules.
 */
export interface NewsletterSettings {
  /** NEWSLETTER_WORKER (default on; `false` turns it off): run the dispatcher in this process. */
  worker: boolean;
  /** NEWSLETTER_RATE (default 25, at most 30): Telegram messages per second, all processes together. */
  telegramRate: number;
  /** EMAIL_RATE (default 10): e-mails per second, all processes together. */
  emailRate: number;
  /** NEWSLETTER_MAX_ATTEMPTS (default 5): attempts of one delivery before it is failed for good. */
  maxAttempts: number;
  /** NEWSLETTER_LEASE_MS (default 60000): how long a claimed delivery is reserved for its sender. */
  leaseMs: number;
  /** NEWSLETTER_POLL_MS (default 1000): pause of the dispatcher when there is nothing to do. */
  pollMs: number;
  /** NEWSLETTER_MATERIALISE_BATCH (default 1000): recipients written per transaction when a newsletter starts. */
  materialiseBatch: number;
  /** NEWSLETTER_CONCURRENCY (default 4): sends of one channel in flight at once in this process. */
  concurrency: number;
  /** NEWSLETTER_RETRY_BASE_MS (default 5000): first backoff of a transient failure, doubling up to 10 minutes. */
  retryBaseMs: number;
  /** NEWSLETTER_IMAGE_MAX_BYTES (default 10 MB, Telegram's sendPhoto limit). */
  imageMaxBytes: number;
  /** Telegram: BOT_TOKEN and TELEGRAM_API_ROOT (the channel is off without a token). */
  telegram: { token: string | null; apiRoot: string };
  /** E-mail: on when SMTP_HOST (or EMAIL_PROVIDER) is set; SMTP_FROM is the sender. */
  email: { enabled: boolean; from: string | null };
  /** PUBLIC_URL: the server's public address, for tracking and unsubscribe links in e-mails. */
  publicUrl: string;
  /** NEWSLETTER_TRACKING_SECRET (default: derived from APP_KEYS): signs tracking and unsubscribe tokens. */
  trackingSecret: string;
  /** REDIS_URL: when set, the send rates are shared through Redis by every process. */
  redisUrl: string | null;
  /** SPACE_TIMEZONE (default Europe/Moscow): schedules, "today" and segment dates. */
  timeZone: string;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, whole = true): number {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${whole ? 'a whole number' : 'a number'} within ${min}..${max}, got "${raw}"`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): NewsletterSettings {
  const token = env.BOT_TOKEN?.trim() || null;
  const smtpHost = env.SMTP_HOST?.trim() || '';
  const provider = env.EMAIL_PROVIDER?.trim() || '';
  const appKeys = env.APP_KEYS?.trim() || '';
  return {
    worker: (env.NEWSLETTER_WORKER ?? 'true').trim().toLowerCase() !== 'false',
    telegramRate: number(env, 'NEWSLETTER_RATE', 25, 0.1, 30, false),
    emailRate: number(env, 'EMAIL_RATE', 10, 0.1, 1000, false),
    maxAttempts: number(env, 'NEWSLETTER_MAX_ATTEMPTS', 5, 1, 50),
    leaseMs: number(env, 'NEWSLETTER_LEASE_MS', 60_000, 1000, 3_600_000),
    pollMs: number(env, 'NEWSLETTER_POLL_MS', 1000, 10, 60_000),
    materialiseBatch: number(env, 'NEWSLETTER_MATERIALISE_BATCH', 1000, 10, 10_000),
    concurrency: number(env, 'NEWSLETTER_CONCURRENCY', 4, 1, 32),
    retryBaseMs: number(env, 'NEWSLETTER_RETRY_BASE_MS', 5000, 0, 600_000),
    imageMaxBytes: number(env, 'NEWSLETTER_IMAGE_MAX_BYTES', 10 * 1024 * 1024, 1024, 10 * 1024 * 1024),
    telegram: { token, apiRoot: (env.TELEGRAM_API_ROOT?.trim() || 'https://api.telegram.org').replace(/\/+$/, '') },
    email: { enabled: smtpHost !== '' || provider !== '', from: env.SMTP_FROM?.trim() || env.EMAIL_FROM?.trim() || null },
    publicUrl: (env.PUBLIC_URL?.trim() || `http://localhost:${env.PORT?.trim() || '1337'}`).replace(/\/+$/, ''),
    trackingSecret: env.NEWSLETTER_TRACKING_SECRET?.trim() || `newsletter-tracking:${appKeys}`,
    redisUrl: env.REDIS_URL?.trim() || null,
    timeZone: env.SPACE_TIMEZONE?.trim() || 'Europe/Moscow',
  };
}
