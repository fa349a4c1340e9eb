/**
 * The newsletter send-rate core (plugins/newsletter/server/src/domain/rate.ts): a spacing limiter on a fake clock,
 * and the same reservation in Redis (the Lua script) shared by several clients.
 */
import {
  backoffMs,
  claimSize,
  intervalOf,
  notePriority,
  pause,
  REDIS_SPACING_SCRIPT,
  reserve,
  SpacingLimiter,
} from '../../plugins/newsletter/server/src/domain/rate';
import { redisAvailable, startRedis } from '../helpers/redis';

/** The most sends in any window of `windowMs` (sliding over the send times). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('spacing limiter (fake clock)', () => {
  it('never lets more than the rate through in any second, however many ask at once', () => {
    // Given a limiter at 25/s and 1,000 senders asking at the same instant
    const limiter = new SpacingLimiter(25);
    const now = 1_000_000;
    const slots = Array.from({ length: 1000 }, () => limiter.reserve(now));
    // Then every slot is at least 40 ms after the previous one
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeCloseTo(40, 6);
    // and no sliding second holds more than 25 sends
    expect(maxInWindow(slots, 1000)).toBe(25);
    // and the whole run takes what the rate says (sustained rate = configured rate)
    expect(slots[999] - slots[0]).toBeCloseTo(999 * 40, 6);
  });

  it('does not burst after an idle period (unlike a token bucket or fixed windows)', () => {
    // Given a limiter at 30/s that has been idle for a minute
    const limiter = new SpacingLimiter(30);
    limiter.reserve(0);
    const later = 60_000;
    // When 60 senders ask at once, and then 60 more arrive in the next instant at a window edge
    const slots = [...Array.from({ length: 60 }, () => limiter.reserve(later)), ...Array.from({ length: 60 }, () => limiter.reserve(later + 999))];
    // Then the first goes at once, and no second (sliding, so window edges included) sees more than 30
    expect(slots[0]).toBe(later);
    expect(maxInWindow(slots, 1000)).toBe(30);
  });

  it('keeps the sustained rate at the configured one when senders ask as they finish (closed loop)', () => {
    // Given 4 senders in a loop, each taking 30 ms per send after its slot, at 25/s for 60 simulated seconds
    const limiter = new SpacingLimiter(25);
    const freeAt = [0, 0, 0, 0];
    const sent: number[] = [];
    for (;;) {
      const sender = freeAt.indexOf(Math.min(...freeAt));
      const slot = limiter.reserve(freeAt[sender]);
      if (slot >= 60_000) break;
      sent.push(slot);
      freeAt[sender] = slot + 30;
    }
    // Then it sends 25/s on the dot: 1,500 in 60 s (≥ 96 % and ≤ 100 % of the rate)
    expect(sent.length).toBe(1500);
    expect(maxInWindow(sent, 1000)).toBeLessThanOrEqual(25);
  });

  it('honours a pause (a 429 retry_after): nothing goes before it ends, then the rate resumes', () => {
    const limiter = new SpacingLimiter(25);
    const t0 = 10_000;
    limiter.reserve(t0);
    // When Telegram says retry after 3 s
    limiter.pause(t0 + 10, 3000);
    // Then the next slots start at t0 + 3010 and keep the spacing
    const next = [limiter.reserve(t0 + 20), limiter.reserve(t0 + 20), limiter.reserve(t0 + 20)];
    expect(next[0]).toBe(t0 + 3010);
    expect(next[1]).toBe(t0 + 3050);
    expect(next[2]).toBe(t0 + 3090);
    // A shorter pause later does not shorten a longer one
    expect(pause({ next: 5000 }, 1000, 100)).toEqual({ next: 5000 });
  });

  it('gives a priority sender (the bot, notifications) a slot without a wait, counted in the rate', () => {
    const limiter = new SpacingLimiter(25);
    const t = 50_000;
    expect(limiter.reserve(t)).toBe(t);
    // When a notification goes out now, outside the limiter
    limiter.notePriority(t + 1);
    // Then the newsletter's next slot moves one interval further: together they stay at 25/s
    expect(limiter.reserve(t + 2)).toBe(t + 80);
    expect(notePriority({ next: 0 }, 1000, 40)).toEqual({ next: 1040 });
  });

  it('is pure: reserve returns the new state and leaves the old one alone', () => {
    const state = { next: 100 };
    const result = reserve(state, 50, 40);
    expect(result).toEqual({ at: 100, state: { next: 140 } });
    expect(state).toEqual({ next: 100 });
    expect(() => intervalOf(0)).toThrow(RangeError);
  });

  it('backs off 5 s doubling up to 10 minutes, and claims about two seconds of sends', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 5000))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(20, 5000)).toBe(600_000);
    expect(backoffMs(1, 5000, 30_000)).toBe(30_000);
    expect(claimSize(25, 2000, 200)).toBe(50);
    expect(claimSize(0.1, 2000, 200)).toBe(1);
    expect(claimSize(1000, 2000, 200)).toBe(200);
  });
});

const describeRedis = redisAvailable() ? describe : describe.skip;
if (!redisAvailable()) console.log('newsletter-rate: redis-server is not installed; the shared (Redis) limiter test is skipped');

describeRedis('spacing limiter in Redis (several processes share one rate)', () => {
  jest.setTimeout(30_000);
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('three clients reserving at once get slots 1000/rate apart, on Redis time', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Redis = require('ioredis');
    const clients = [new Redis(redis.url), new Redis(redis.url), new Redis(redis.url)];
    try {
      const interval = String(intervalOf(25));
      // When three "processes" each reserve 20 slots concurrently
      const waits = (
        await Promise.all(
          clients.map((client: { eval: (...args: unknown[]) => Promise<string> }) =>
            Promise.all(Array.from({ length: 20 }, () => client.eval(REDIS_SPACING_SCRIPT, 1, 'newsletter:rate:test', 'reserve', interval, '0'))),
          ),
        )
      )
        .flat()
        .map(Number)
        .sort((a, b) => a - b);
      // Then the 60 waits are spaced ≥ 40 ms apart (less the time between the calls, which is added to "now")
      expect(waits).toHaveLength(60);
      const span = waits[59] - waits[0];
      // 59 intervals of 40 ms, minus the few ms the calls themselves took
      expect(span).toBeGreaterThan(59 * 40 - 200);
      // And a pause pushes everyone
      await clients[0].eval(REDIS_SPACING_SCRIPT, 1, 'newsletter:rate:test2', 'pause', interval, '2000');
      const wait = Number(await clients[1].eval(REDIS_SPACING_SCRIPT, 1, 'newsletter:rate:test2', 'reserve', interval, '0'));
      expect(wait).toBeGreaterThan(1900);
    } finally {
      await Promise.all(clients.map((c: { quit: () => Promise<unknown> }) => c.quit()));
    }
  });
});
