/**
 * Rate limits of the outbox worker (ARCHITECTURE §3.7), as spacing between handler starts: "1 request per 5 s"
 * (Rubitime) is one start every 5,000 ms, "25 messages per second" (Telegram overall) one every 40 ms, and
 * "1 message per second per chat" one start per key every 1,000 ms. Spacing never allows a burst, so no
 * window of any length holds more starts than the limit allows (plus the one at its very beginning).
 *
 * Pure and synchronous: the clock is an argument. A check and the start it allows happen in one synchronous
 * step of the worker, so concurrent jobs of one process cannot both take the same slot.
 */

export interface RateLimit {
  /** Starts per second, e.g. 25. */
  perSecond?: number;
  /** Or the least time between two starts, e.g. 5000. */
  intervalMs?: number;
}

export class RateLimitError extends RangeError {}

/** The spacing in ms a limit asks for. */
export function rateLimitInterval(limit: RateLimit): number {
  const { perSecond, intervalMs } = limit;
  if ((perSecond === undefined) === (intervalMs === undefined)) {
    throw new RateLimitError('a rate limit needs exactly one of perSecond and intervalMs');
  }
  if (perSecond !== undefined) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RateLimitError(`perSecond must be > 0, got ${perSecond}`);
    return 1000 / perSecond;
  }
  if (!Number.isFinite(intervalMs) || (intervalMs as number) <= 0) throw new RateLimitError(`intervalMs must be > 0, got ${intervalMs}`);
  return intervalMs as number;
}

/** Spacing of the starts of one kind of job. */
export class StartSpacing {
  private lastStart = Number.NEGATIVE_INFINITY;
  /** End of the slots already handed out by plan(); only sizes claims, never allows a start. */
  private plannedUntil = Number.NEGATIVE_INFINITY;

  constructor(readonly intervalMs: number) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RateLimitError(`intervalMs must be > 0, got ${intervalMs}`);
  }

  /** How long until a start is allowed (0: now). */
  waitMs(now: number): number {
    return Math.max(0, this.lastStart + this.intervalMs - now);
  }

  markStart(now: number): void {
    this.lastStart = now;
  }

  /**
   * How many jobs to claim now so that their starts fit within `horizonMs` (at most `max`). The slots are
   * remembered, so a second claim in the same process plans after the first; giveBack() returns unused ones.
   */
  plan(now: number, horizonMs: number, max: number): number {
    let slot = Math.max(now, this.plannedUntil, this.lastStart + this.intervalMs);
    let count = 0;
    while (count < max && slot <= now + horizonMs) {
      count += 1;
      slot += this.intervalMs;
    }
    if (count > 0) this.plannedUntil = slot;
    return count;
  }

  giveBack(slots: number): void {
    if (slots > 0) this.plannedUntil -= slots * this.intervalMs;
  }

  /** How long until plan(now + delay, horizonMs, …) can hand out a slot again (0: now). */
  nextPlanDelay(now: number, horizonMs: number): number {
    return Math.max(0, Math.max(this.plannedUntil, this.lastStart + this.intervalMs) - (now + horizonMs));
  }
}

/** Spacing of the starts per key (e.g. per Telegram chat), forgetting keys whose spacing has passed. */
export class KeyedStartSpacing {
  private readonly lastStart = new Map<string, number>();

  constructor(
    readonly intervalMs: number,
    private readonly maxKeys = 10_000,
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RateLimitError(`intervalMs must be > 0, got ${intervalMs}`);
  }

  waitMs(key: string, now: number): number {
    const last = this.lastStart.get(key);
    return last === undefined ? 0 : Math.max(0, last + this.intervalMs - now);
  }

  markStart(key: string, now: number): void {
    if (this.lastStart.size >= this.maxKeys) {
      for (const [k, at] of this.lastStart) if (at + this.intervalMs <= now) this.lastStart.delete(k);
    }
    // Re-inserting keeps the map in start order.
    this.lastStart.delete(key);
    this.lastStart.set(key, now);
  }

  get size(): number {
    return this.lastStart.size;
  }
}
