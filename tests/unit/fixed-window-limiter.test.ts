import { createFixedWindowLimiter } from '../../src/utils/fixed-window-limiter';

describe('fixed-window limiter', () => {
  it('allows max hits per key and window, then refuses with the seconds left', () => {
    // Given a limit of 2 a minute and a clock we control
    let now = 0;
    const limiter = createFixedWindowLimiter({ max: 2, windowMs: 60_000, now: () => now });

    // When one address hits three times within the window
    const decisions = [limiter.hit('a'), limiter.hit('a'), ((now = 15_000), limiter.hit('a'))];

    // Then the third is refused, with 45 s to wait, and another address is unaffected
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions[2].retryAfterSeconds).toBe(45);
    expect(limiter.hit('b').allowed).toBe(true);
  });

  it('starts a fresh window once the old one is over', () => {
    let now = 0;
    const limiter = createFixedWindowLimiter({ max: 1, windowMs: 1000, now: () => now });
    expect(limiter.hit('a').allowed).toBe(true);
    expect(limiter.hit('a').allowed).toBe(false);

    now = 1000;

    expect(limiter.hit('a')).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 1 });
  });
});
