/**
 * Flood control as the Bot FAQ describes it: about one message a second per chat with a short burst allowance,
 * about 30 a second overall. Token buckets on the stand-in's clock, so tests with a fake clock are exact.
 */

export interface BucketLimit {
  /** Sustained rate. */
  perSecond: number;
  /** How many sends may go at once after a quiet period. */
  burst: number;
}

export interface RateLimits {
  perChat: BucketLimit;
  global: BucketLimit;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perChat: { perSecond: 1, burst: 5 },
  global: { perSecond: 30, burst: 30 },
};

interface Bucket {
  tokens: number;
  at: number;
}

export class FloodControl {
  private readonly chats = new Map<number, Bucket>();
  private global: Bucket | undefined;

  constructor(
    private limits: RateLimits | false,
    private readonly now: () => number,
  ) {}

  configure(limits: RateLimits | false): void {
    this.limits = limits;
    this.chats.clear();
    this.global = undefined;
  }

  get enabled(): boolean {
    return this.limits !== false;
  }

  /**
   * Takes `count` sends for a chat (an album counts each item). A send needs one whole token in both buckets;
   * an album may then drive them below zero, which delays later sends, as Telegram does after a big album.
   * Answers the seconds to wait when refused.
   */
  take(chatId: number, count: number): { allowed: true } | { allowed: false; retryAfter: number } {
    if (this.limits === false) return { allowed: true };
    const { perChat, global } = this.limits;
    const chat = this.refill(this.chats.get(chatId), perChat);
    const all = this.refill(this.global, global);
    const waitSeconds = Math.max(this.secondsUntilOne(chat, perChat), this.secondsUntilOne(all, global));
    if (waitSeconds > 0) {
      this.chats.set(chatId, chat);
      this.global = all;
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(waitSeconds)) };
    }
    chat.tokens -= count;
    all.tokens -= count;
    this.chats.set(chatId, chat);
    this.global = all;
    return { allowed: true };
  }

  private refill(bucket: Bucket | undefined, limit: BucketLimit): Bucket {
    const now = this.now();
    if (!bucket) return { tokens: limit.burst, at: now };
    const tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    return { tokens, at: now };
  }

  private secondsUntilOne(bucket: Bucket, limit: BucketLimit): number {
    return bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / limit.perSecond;
  }
}
