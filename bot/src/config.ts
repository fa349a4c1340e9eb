/** The bot's settings, read once from the environment (see docs/BOT.md). */
export interface BotConfig {
  botToken: string;
  /** Bot API root, `https://api.telegram.org` unless pointed at a local server. */
  apiRoot: string;
  strapiUrl: string;
  serviceToken: string;
  /** Set: webhook mode (Telegram POSTs updates there); unset: long polling. */
  webhookUrl?: string;
  webhookPort: number;
  webhookSecret?: string;
  redisUrl?: string;
  /** Session TTL in Redis, seconds. */
  sessionTtlSeconds: number;
  timeZone: string;
  defaultLanguage: 'ru' | 'en';
  rulesUrl: string;
  info: { address: string; hours: string; contacts: string };
  /** Per-user spam guard: at most `max` updates per `windowMs`. */
  rateLimit: { max: number; windowMs: number };
  /** Days offered on the date step (today included). */
  bookingDays: number;
  /** Long polling: most updates handled at once (one chat's updates always run in order). */
  concurrency: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (see docs/BOT.md)`);
    return value;
  };
  return {
    botToken: required('BOT_TOKEN'),
    apiRoot: env.TELEGRAM_API_ROOT || 'https://api.telegram.org',
    strapiUrl: (env.STRAPI_URL || 'http://127.0.0.1:1337').replace(/\/+$/, ''),
    serviceToken: required('BOT_SERVICE_TOKEN'),
    webhookUrl: env.BOT_WEBHOOK_URL || undefined,
    webhookPort: Number(env.BOT_WEBHOOK_PORT || 8080),
    webhookSecret: env.BOT_WEBHOOK_SECRET || undefined,
    redisUrl: env.REDIS_URL || undefined,
    sessionTtlSeconds: Number(env.BOT_SESSION_TTL_SECONDS || 7 * 24 * 3600),
    timeZone: env.SPACE_TIMEZONE || 'Europe/Moscow',
    defaultLanguage: env.BOT_DEFAULT_LANGUAGE === 'en' ? 'en' : 'ru',
    rulesUrl: env.BOT_RULES_URL || 'https://example.com/rules',
    info: {
      address: env.BOT_INFO_ADDRESS || '—',
      hours: env.BOT_INFO_HOURS || '24/7',
      contacts: env.BOT_INFO_CONTACTS || '—',
    },
    rateLimit: { max: Number(env.BOT_RATE_LIMIT_MAX || 20), windowMs: Number(env.BOT_RATE_LIMIT_WINDOW_MS || 10_000) },
    bookingDays: 7,
    concurrency: Number(env.BOT_CONCURRENCY || 100),
  };
}
