/**
 * The one rate limiter of the API (ARCHITECTURE §5): rate-limiter-flexible with a memory store, or a Redis store
 * shared by every instance when REDIS_URL is set (with the memory store as insurance while Redis is unreachable,
 * so an outage degrades to per-instance limits instead of refusing or admitting everything).
 *
 * Rules live in config/rate-limits.ts. Use `rateLimits(strapi).consume('bookingCreate', key)` in code, or the
 * route middleware `global::rate-limit` (src/middlewares/rate-limit.ts) on a route.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitRule, RateLimitRuleName, RateLimitSettings } from '../../config/rate-limits';

export type { RateLimitRuleName } from '../../config/rate-limits';

export interface LimitDecision {
  allowed: boolean;
  /** points left in the current window */
  remaining: number;
  /** whole seconds until the key may try again (≥ 1), meaningful when refused */
  retryAfterSeconds: number;
}

export interface RateLimits {
  /** Takes `points` from `key`'s allowance under `rule`. */
  consume(rule: RateLimitRuleName, key: string, points?: number): Promise<LimitDecision>;
  /** Where `key` stands without taking anything (allowed = it has points left and is not blocked). */
  peek(rule: RateLimitRuleName, key: string): Promise<LimitDecision>;
  /** Refuses `key` under `rule` for the rule's blockSeconds (its window when it has none), e.g. a locked account. */
  block(rule: RateLimitRuleName, key: string): Promise<LimitDecision>;
  /** Forgets `key` under `rule` (e.g. a successful login clears its failures). */
  reset(rule: RateLimitRuleName, key: string): Promise<void>;
  rule(rule: RateLimitRuleName): RateLimitRule;
  /** 'redis' when counters are shared across instances, 'memory' otherwise. */
  readonly store: 'memory' | 'redis';
  close(): Promise<void>;
}

const KEY_PREFIX = 'rl';
const FIRST_CONNECTION_WAIT_MS = 2000;
const registries = new WeakMap<Core.Strapi, RateLimits>();

const secondsFrom = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function decisionOf(res: RateLimiterRes, allowed: boolean): LimitDecision {
  return { allowed, remaining: Math.max(0, res.remainingPoints ?? 0), retryAfterSeconds: secondsFrom(res.msBeforeNext ?? 1000) };
}

export function createRateLimits(settings: RateLimitSettings, redisUrl?: string): RateLimits {
  const redis = redisUrl
    ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  // An unreachable Redis must not crash the process: the insurance limiter takes over meanwhile.
  redis?.on('error', () => undefined);
  // Requests that arrive while the first connection is still being made wait for it (briefly), or they would be
  // counted by this instance's insurance limiter alone. Later outages do not wait: the insurance answers at once.
  const firstConnection = redis
    ? new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FIRST_CONNECTION_WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        redis.once('ready', done);
        redis.once('end', done);
      })
    : Promise.resolve();
  const limiters = new Map<RateLimitRuleName, RateLimiterAbstract>();

  function limiterOf(name: RateLimitRuleName): RateLimiterAbstract {
    let found = limiters.get(name);
    if (found) return found;
    const rule = settings.rules[name];
    const options = {
      keyPrefix: `${KEY_PREFIX}:${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      blockDuration: rule.blockSeconds ?? 0,
    };
    found = redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
    limiters.set(name, found);
    return found;
  }

  async function limiter(name: RateLimitRuleName): Promise<RateLimiterAbstract> {
    await firstConnection;
    return limiterOf(name);
  }

  const unlimited: LimitDecision = { allowed: true, remaining: Number.MAX_SAFE_INTEGER, retryAfterSeconds: 1 };

  return {
    store: redis ? 'redis' : 'memory',
    rule: (name) => settings.rules[name],
    async consume(name, key, points = 1) {
      if (!settings.enabled) return unlimited;
      try {
        return decisionOf(await (await limiter(name)).consume(key, points), true);
      } catch (error) {
        if (error instanceof RateLimiterRes) return decisionOf(error, false);
        throw error;
      }
    },
    async peek(name, key) {
      if (!settings.enabled) return unlimited;
      const res = await (await limiter(name)).get(key);
      if (!res) return { allowed: true, remaining: settings.rules[name].points, retryAfterSeconds: 1 };
      // A key is refused once it has used more than its points (block() puts it there too).
      return decisionOf(res, res.consumedPoints <= settings.rules[name].points);
    },
    async block(name, key) {
      const rule = settings.rules[name];
      if (!settings.enabled) return unlimited;
      return decisionOf(await (await limiter(name)).block(key, rule.blockSeconds || rule.durationSeconds), false);
    },
    async reset(name, key) {
      await (await limiter(name)).delete(key);
    },
    async close() {
      limiters.clear();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The process's limiter registry, made on first use from config/rate-limits.ts and REDIS_URL. */
export function rateLimits(strapi: Core.Strapi): RateLimits {
  let found = registries.get(strapi);
  if (!found) {
    found = createRateLimits(strapi.config.get('rate-limits') as RateLimitSettings, process.env.REDIS_URL || undefined);
    registries.set(strapi, found);
  }
  return found;
}

/** Closes the registry's Redis connection (strapi destroy). */
export async function closeRateLimits(strapi: Core.Strapi): Promise<void> {
  const found = registries.get(strapi);
  registries.delete(strapi);
  await found?.close();
}

/** "45 seconds", "1 minute", "15 minutes": a wait as a person reads it (rounded up to whole minutes from 2 minutes). */
export function waitText(seconds: number): string {
  if (seconds < 120) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** Answers 429 in Strapi's error envelope with Retry-After. */
export function sendRateLimited(ctx: Context, decision: LimitDecision, message: string, details: Record<string, unknown> = {}): void {
  ctx.set('Retry-After', String(decision.retryAfterSeconds));
  ctx.set('X-RateLimit-Remaining', '0');
  ctx.status = 429;
  ctx.body = {
    data: null,
    error: { status: 429, name: 'RateLimitError', message, details: { retryAfterSeconds: decision.retryAfterSeconds, ...details } },
  };
}

export type AbuseReason = 'rate_limit' | 'failed_login';

interface IpBanService {
  recordAbuse?: (address: string, reason: AbuseReason) => unknown;
}

/**
 * Tells the IP-ban service (api::ip-ban.ip-ban, when the app has it) that `address` hit a limit or failed a login,
 * so repeated abuse can earn the address a temporary ban. Never fails the request it is reporting.
 */
export async function reportAbuse(strapi: Core.Strapi, address: string, reason: AbuseReason): Promise<void> {
  try {
    const service = (strapi.service as (uid: string) => IpBanService | undefined)('api::ip-ban.ip-ban');
    await service?.recordAbuse?.(address, reason);
  } catch (error) {
    strapi.log.warn(`rate-limit: could not record ${reason} of ${address}: ${(error as Error).message}`);
  }
}
