/**
 * The send-rate core of the newsletter dispatcher: a spacing (reservation) limiter. Pure, no timers, no I/O: the
 * caller passes "now" and waits for the slot it is given; the same arithmetic runs in Redis (services/limiter.ts)
 * so several processes share one rate.
 *
 * Why spacing and not a token bucket or fixed windows: Telegram's overall limit is "about 30 messages a second",
 * and a bucket (or a window counter) lets a burst of a whole second's worth go at once after an idle moment, or
 * 2× the rate across a window edge. With spacing, any two sends are at least 1000/rate ms apart, so no interval
 * of any length ever sees more than ⌈length × rate⌉ + 1 sends.
 *
 * - `reserve(now)`: the next free slot is `max(now, next)`; `next` moves one interval past it. The caller sends at
 *   that slot (waits `slot − now`). A slot nobody uses (the caller gave up) is simply lost: the rate can only go down.
 * - `pause(now, ms)`: nothing goes before now + ms (a 429's retry_after: every sender of the channel waits).
 * - `notePriority(now)`: another sender of the same bot (the bot's replies, notifications) has just sent a message
 *   outside this limiter; it takes the next slot, so together they stay at the rate and it never waits behind a
 *   newsletter.
 */

export interface SpacingState {
  /** Epoch ms of the next free slot (may lie in the past when idle). */
  next: number;
}

export const intervalOf = (perSecond: number): number => {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`rate must be > 0, got ${perSecond}`);
  return 1000 / perSecond;
};

/** Takes the next slot: answers when to send (≥ now) and the new state. */
export function reserve(state: SpacingState, now: number, intervalMs: number): { at: number; state: SpacingState } {
  const at = Math.max(now, state.next);
  return { at, state: { next: at + intervalMs } };
}

/** Nobody sends before now + ms. */
export function pause(state: SpacingState, now: number, ms: number): SpacingState {
  return { next: Math.max(state.next, now + Math.max(0, ms)) };
}

/** A message went out past the limiter just now: it uses up a slot. */
export function notePriority(state: SpacingState, now: number, intervalMs: number): SpacingState {
  return { next: Math.max(state.next, now) + intervalMs };
}

/** A mutable holder of one channel's state (the in-memory store). */
export class SpacingLimiter {
  private state: SpacingState = { next: 0 };
  private interval: number;

  constructor(perSecond: number) {
    this.interval = intervalOf(perSecond);
  }

  get intervalMs(): number {
    return this.interval;
  }

  setRate(perSecond: number): void {
    this.interval = intervalOf(perSecond);
  }

  /** The slot's time; the caller waits `at − now`. */
  reserve(now: number): number {
    const result = reserve(this.state, now, this.interval);
    this.state = result.state;
    return result.at;
  }

  pause(now: number, ms: number): void {
    this.state = pause(this.state, now, ms);
  }

  notePriority(now: number): void {
    this.state = notePriority(this.state, now, this.interval);
  }

  /** When the next slot is free (for "paused until" reports). */
  get nextFreeAt(): number {
    return this.state.next;
  }
}

/** Retry backoff of a transient failure: base × 2^(attempt−1), at most maxMs (10 minutes), never below afterMs. */
export function backoffMs(attempt: number, baseMs: number, afterMs = 0, maxMs = 600_000): number {
  const exponent = Math.max(0, Math.min(30, attempt - 1));
  return Math.max(afterMs, Math.min(maxMs, baseMs * 2 ** exponent));
}

/**
 * How many deliveries one claim should take: what the rate allows in `horizonMs` (about 2 s), at least 1, at most
 * `max`. Claiming more would only hold leases on rows that cannot be sent before the next claim anyway.
 */
export function claimSize(perSecond: number, horizonMs: number, max: number): number {
  return Math.max(1, Math.min(max, Math.ceil((perSecond * horizonMs) / 1000)));
}

/**
 * The Redis version of reserve/pause/notePriority: one atomic script per call, on Redis's own clock (TIME), so the
 * processes' clocks need not agree. KEYS[1] the channel's key; ARGV: op ('reserve' | 'pause' | 'priority'),
 * interval ms, pause ms. Answers the wait in ms (as a string, to keep the fraction).
 */
export const REDIS_SPACING_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local next = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local op = ARGV[1]
local interval = tonumber(ARGV[2])
local wait = 0
if op == 'reserve' then
  local at = math.max(now, next)
  next = at + interval
  wait = at - now
elseif op == 'pause' then
  next = math.max(next, now + tonumber(ARGV[3]))
elseif op == 'priority' then
  next = math.max(next, now) + interval
end
local ttl = math.ceil(next - now) + 60000
redis.call('SET', KEYS[1], string.format('%.3f', next), 'PX', ttl)
return string.format('%.3f', wait)
`;
