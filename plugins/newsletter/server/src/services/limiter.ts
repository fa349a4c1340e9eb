/**
 * Per-channel send rates of the newsletter dispatcher (docs/NEWSLETTERS.md, Operators).
 *
 * Without REDIS_URL each process keeps its own spacing (domain/rate.ts): run the dispatcher in one process
 * (NEWSLETTER_WORKER=false on the others). With REDIS_URL the same reservation is one Lua script on Redis's clock,
 * so every process together stays at the rate. If Redis cannot be reached, a process falls back to its own
 * spacing for that send (logged, at most once a minute): one process alone still keeps the rate.
 */
import type { Core } from '@strapi/strapi';
import { readSettings } from '../config';
import { REDIS_SPACING_SCRIPT, SpacingLimiter } from '../domain/rate';
import type { Channel } from '../types';

interface RedisLike {
  eval(script: string, keys: number, ...args: Array<string | number>): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

const KEY_PREFIX = 'newsletter:rate:';

const abortError = (signal?: AbortSignal): Error =>
  signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' });

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const limiterService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const rates: Record<Channel, number> = { telegram: settings.telegramRate, email: settings.emailRate };
  const local: Record<Channel, SpacingLimiter> = {
    telegram: new SpacingLimiter(rates.telegram),
    email: new SpacingLimiter(rates.email),
  };
  let redis: RedisLike | null = null;
  let redisTried = false;
  let lastRedisWarning = 0;

  const client = (): RedisLike | null => {
    if (redisTried) return redis;
    redisTried = true;
    if (!settings.redisUrl) return null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const Redis = require('ioredis') as new (url: string, options: Record<string, unknown>) => RedisLike;
      redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
      (redis as unknown as { on(event: string, cb: (e: Error) => void): void }).on('error', (error) => warn(error));
    } catch (error) {
      warn(error);
      redis = null;
    }
    return redis;
  };

  const warn = (error: unknown) => {
    const now = Date.now();
    if (now - lastRedisWarning < 60_000) return;
    lastRedisWarning = now;
    strapi.log.warn(`newsletter: the shared rate limiter (Redis) is unavailable, this process keeps its own rate: ${(error as Error)?.message ?? String(error)}`);
  };

  /** Runs the spacing script in Redis; null when Redis is not configured or failed (the caller uses its own). */
  const shared = async (channel: Channel, op: 'reserve' | 'pause' | 'priority', ms = 0): Promise<number | null> => {
    const r = client();
    if (!r) return null;
    try {
      const answer = await r.eval(REDIS_SPACING_SCRIPT, 1, `${KEY_PREFIX}${channel}`, op, String(local[channel].intervalMs), String(ms));
      return Number(answer);
    } catch (error) {
      warn(error);
      return null;
    }
  };

  return {
    /** Messages per second of the channel, all processes together. */
    rate(channel: Channel): number {
      return rates[channel];
    },

    /** true when the rate is shared through Redis. */
    isShared(): boolean {
      return settings.redisUrl !== null;
    },

    /** For tests and the benchmark: another rate from now on (this process). */
    setRate(channel: Channel, perSecond: number): void {
      rates[channel] = perSecond;
      local[channel].setRate(perSecond);
    },

    /** Waits for the channel's next slot; rejects when `signal` aborts (the slot is then lost, never reused). */
    async acquire(channel: Channel, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) throw abortError(signal);
      const wait = await shared(channel, 'reserve');
      if (wait !== null) return sleep(wait, signal);
      const now = Date.now();
      return sleep(local[channel].reserve(now) - now, signal);
    },

    /** Nobody sends on the channel for `ms` (Telegram's 429 retry_after). */
    async pause(channel: Channel, ms: number): Promise<void> {
      local[channel].pause(Date.now(), ms);
      await shared(channel, 'pause', ms);
    },

    /**
     * Another sender of the same bot (the bot's own replies, notifications) sends now, past this limiter: it takes
     * the next slot, so it never waits behind a newsletter and the total stays at the rate. Never throws.
     */
    notePriority(channel: Channel = 'telegram'): void {
      local[channel].notePriority(Date.now());
      void shared(channel, 'priority').catch(() => undefined);
    },

    async close(): Promise<void> {
      const r = redis;
      redis = null;
      if (r) await r.quit().catch(() => r.disconnect());
    },
  };
};

export type LimiterService = ReturnType<typeof limiterService>;
export default limiterService;
