import type { Core } from '@strapi/strapi';

/**
 * Every rate limit of the API in one place (docs/SECURITY.md lists them). Each rule is `points` per
 * `durationSeconds`; `blockSeconds` keeps a key refused for that long once it has used its points. Read through
 * `strapi.config.get('rate-limits')`; limits are enforced by src/utils/rate-limit.ts (memory, or Redis with REDIS_URL).
 * Each value can be set by its environment variable: RATE_LIMIT_<NAME>=points/seconds, e.g. RATE_LIMIT_BOOKING_CREATE=20/60.
 */
export interface RateLimitRule {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

export interface RateLimitSettings {
  /** RATE_LIMITS_ENABLED (default true): false turns every limit off (load tests only). */
  enabled: boolean;
  rules: Record<RateLimitRuleName, RateLimitRule>;
}

const DEFAULTS = {
  /** anonymous POST /api/auth/telegram per address (the bot's service credential is exempt); AUTH_TELEGRAM_RATE_LIMIT per minute still works */
  signIn: { points: 30, durationSeconds: 60 },
  /** every member endpoint (profile, quote, create, my bookings and their actions, tickets), per member */
  member: { points: 120, durationSeconds: 60 },
  /** POST /api/bookings/quote per member (a booking flow in the bot quotes once or twice) */
  bookingQuote: { points: 40, durationSeconds: 60 },
  /** POST /api/bookings per member (with at most BOOKING_MAX_UNPAID_HOLDS unpaid holds at a time) */
  bookingCreate: { points: 20, durationSeconds: 600 },
  /** POST /api/tickets per member */
  ticketCreate: { points: 15, durationSeconds: 600 },
  /** POST /api/tickets/:id/messages per member */
  ticketReply: { points: 30, durationSeconds: 600 },
  /** ticket attachment files per member (each file is one point, taken before anything is decoded or stored): six full messages of 5 photos an hour */
  upload: { points: 30, durationSeconds: 3600 },
  /** POST /api/yookassa/webhook per sending address */
  paymentWebhook: { points: 300, durationSeconds: 60 },
  /** e-mail tracking (open pixel, click redirect, unsubscribe: /api/newsletter/o|c|u/:token) per address */
  newsletterTracking: { points: 600, durationSeconds: 60 },
  /** POST /booking-desk/members/:documentId/message per staff member (messages to members through the bot) */
  staffMessage: { points: 30, durationSeconds: 600 },
  /** failed POST /admin/login per address, any e-mails: the address is then refused for blockSeconds */
  adminLoginAddress: { points: 10, durationSeconds: 900, blockSeconds: 900 },
  /** failed POST /admin/login per account e-mail, any address: the account is then locked for blockSeconds */
  adminLoginAccount: { points: 5, durationSeconds: 900, blockSeconds: 900 },
  /** abuse events per address (429s, failed logins and sign-ins, spoofed webhooks): over it, an automatic IP ban of IP_BAN_AUTO_MINUTES */
  ipAbuse: { points: 20, durationSeconds: 600 },
} satisfies Record<string, RateLimitRule>;

export type RateLimitRuleName = keyof typeof DEFAULTS;

type Env = Core.Config.Shared.ConfigParams['env'];

const envName = (name: string) => `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** "points/seconds" or "points/seconds/blockSeconds". */
function parseRule(name: string, raw: string, fallback: RateLimitRule): RateLimitRule {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new Error(`${name} must be "points/seconds" (e.g. 10/60) or "points/seconds/blockSeconds", got "${raw}"`);
  }
  return {
    points: Number(match[1]),
    durationSeconds: Number(match[2]),
    ...(match[3] !== undefined ? { blockSeconds: Number(match[3]) } : fallback.blockSeconds ? { blockSeconds: fallback.blockSeconds } : {}),
  };
}

export default ({ env }: Core.Config.Shared.ConfigParams): RateLimitSettings => {
  const rules = {} as Record<RateLimitRuleName, RateLimitRule>;
  for (const [name, fallback] of Object.entries(DEFAULTS) as [RateLimitRuleName, RateLimitRule][]) {
    const raw = env(envName(name), '');
    rules[name] = raw.trim() === '' ? { ...fallback } : parseRule(envName(name), raw, fallback);
  }
  // Kept from before this module: the per-minute anonymous sign-in limit.
  const legacySignIn = (env as Env)('AUTH_TELEGRAM_RATE_LIMIT', '');
  if (legacySignIn.trim() !== '' && env(envName('signIn'), '').trim() === '') {
    rules.signIn = parseRule('AUTH_TELEGRAM_RATE_LIMIT', `${legacySignIn}/60`, DEFAULTS.signIn);
  }
  return { enabled: env.bool('RATE_LIMITS_ENABLED', true), rules };
};
