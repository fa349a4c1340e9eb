/// <reference path="./storage-redis.d.ts" />
import { MemorySessionStorage, type StorageAdapter } from 'grammy';
import { RedisAdapter } from '@grammyjs/storage-redis';
import Redis from 'ioredis';
import type { SessionData } from './context';

export interface SessionStorage {
  storage: StorageAdapter<SessionData>;
  close(): Promise<void>;
}

/** Redis (`@grammyjs/storage-redis` + ioredis) when a URL is given, memory otherwise. */
export function createSessionStorage(redisUrl: string | undefined, ttlSeconds: number): SessionStorage {
  if (!redisUrl) return { storage: new MemorySessionStorage<SessionData>(), close: async () => undefined };
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  return {
    storage: new RedisAdapter<SessionData>({ instance: redis, ttl: ttlSeconds }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
