// @grammyjs/storage-redis ships its types as mod.d.cts / mod.d.mts only, which moduleResolution "Node" (the
// repo's setting) cannot find; this repeats the one class we use (see node_modules/@grammyjs/storage-redis/dist/mod.d.cts).
declare module '@grammyjs/storage-redis' {
  import type { Redis } from 'ioredis';
  import type { StorageAdapter } from 'grammy';
  export class RedisAdapter<T> implements StorageAdapter<T> {
    constructor(options: { instance?: Redis; ttl?: number; autoParseDates?: boolean });
    read(key: string): Promise<T | undefined>;
    write(key: string, value: T): Promise<void>;
    delete(key: string): Promise<void>;
  }
}
