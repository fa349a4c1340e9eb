import { KeyedStartSpacing, RateLimitError, rateLimitInterval, StartSpacing } from '../../../src/domain/outbox-rate-limit';

describe('rateLimitInterval', () => {
  it('given 25 per second or one every 5 s, when converted, then the spacing is 40 ms or 5000 ms', () => {
    expect(rateLimitInterval({ perSecond: 25 })).toBe(40);
    expect(rateLimitInterval({ intervalMs: 5000 })).toBe(5000);
  });

  it('given neither, both, zero or a negative value, when converted, then it refuses', () => {
    expect(() => rateLimitInterval({})).toThrow(RateLimitError);
    expect(() => rateLimitInterval({ perSecond: 1, intervalMs: 1000 })).toThrow(RateLimitError);
    expect(() => rateLimitInterval({ perSecond: 0 })).toThrow(RateLimitError);
    expect(() => rateLimitInterval({ intervalMs: -5 })).toThrow(RateLimitError);
  });
});

describe('StartSpacing', () => {
  it('given a start at t=1000 with 5 s spacing, when asked at 1000, 4000 and 6000, then it says wait 5000, 2000, 0', () => {
    const spacing = new StartSpacing(5000);
    expect(spacing.waitMs(1000)).toBe(0);
    spacing.markStart(1000);
    expect([spacing.waitMs(1000), spacing.waitMs(4000), spacing.waitMs(6000)]).toEqual([5000, 2000, 0]);
  });

  it('given 40 ms spacing and a 1 s horizon, when a claim is planned, then it sizes 26 slots (0, 40, …, 1000), capped by the batch', () => {
    expect(new StartSpacing(40).plan(0, 1000, 100)).toBe(26);
    expect(new StartSpacing(40).plan(0, 1000, 20)).toBe(20);
  });

  it('given 5 s spacing and a 1 s horizon, when two claims are planned in a row, then the first gets 1 slot and the second none', () => {
    const spacing = new StartSpacing(5000);
    expect(spacing.plan(0, 1000, 20)).toBe(1);
    expect(spacing.plan(10, 1000, 20)).toBe(0);
    // The next slot is at 5000, 4 s beyond the horizon of a plan made at 10 ms.
    expect(spacing.nextPlanDelay(10, 1000)).toBe(3990);
  });

  it('given a plan whose claim found fewer jobs, when the unused slots are given back, then the next plan reuses them', () => {
    const spacing = new StartSpacing(100);
    expect(spacing.plan(0, 1000, 5)).toBe(5);
    spacing.giveBack(3);
    expect(spacing.plan(0, 1000, 100)).toBe(9);
  });

  it('given a recent start, when a claim is planned, then its first slot comes after that start plus the spacing', () => {
    const spacing = new StartSpacing(600);
    spacing.markStart(0);
    expect(spacing.plan(100, 1000, 10)).toBe(1);
  });
});

describe('KeyedStartSpacing', () => {
  it('given chat A started at t=0 with 1 s per key, when chats A and B ask at 300, then A waits 700 ms and B may start', () => {
    const keyed = new KeyedStartSpacing(1000);
    keyed.markStart('A', 0);
    expect(keyed.waitMs('A', 300)).toBe(700);
    expect(keyed.waitMs('B', 300)).toBe(0);
  });

  it('given the key limit is reached, when another key starts, then keys whose spacing has passed are forgotten', () => {
    const keyed = new KeyedStartSpacing(1000, 3);
    keyed.markStart('a', 0);
    keyed.markStart('b', 0);
    keyed.markStart('c', 500);
    keyed.markStart('d', 1200);
    expect(keyed.size).toBe(2);
    expect(keyed.waitMs('c', 1200)).toBe(300);
  });
});
