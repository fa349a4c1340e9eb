import {
  afterFailure,
  backoffDelay,
  type BackoffPolicy,
  BackoffPolicyError,
  checkBackoffPolicy,
  DEFAULT_BACKOFF,
} from '../../../src/domain/outbox-backoff';

const exact: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, jitter: 0 };
const NOW = new Date('2026-03-02T10:00:00.000Z');

describe('backoffDelay', () => {
  it('given no jitter, when attempts 1..6 fail, then the delay doubles from the base: 1, 2, 4, 8, 16, 32 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => backoffDelay(attempts, exact))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000]);
  });

  it('given a 60 s cap, when the 7th and the 50th attempt fail, then the delay is the cap', () => {
    expect(backoffDelay(7, exact)).toBe(60_000);
    expect(backoffDelay(50, exact)).toBe(60_000);
  });

  it('given an absurd attempt count, when 2^n overflows to Infinity, then the delay is still the cap', () => {
    expect(backoffDelay(5000, exact)).toBe(60_000);
  });

  it('given ±20 % jitter, when random() is 0, 0.5 and just below 1, then the delay is 80 %, 100 % and just below 120 %', () => {
    const policy = { ...exact, jitter: 0.2 };
    expect(backoffDelay(3, policy, () => 0)).toBe(3200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(4800);
  });

  it('given jitter at the cap, when random() asks for more, then the delay never exceeds maxMs', () => {
    const policy = { baseMs: 1000, maxMs: 5000, jitter: 0.5 };
    expect(backoffDelay(10, policy, () => 0.999)).toBe(5000);
    expect(backoffDelay(10, policy, () => 0)).toBe(2500);
  });

  it('given jitter and Math.random, when 1,000 delays are drawn, then all stay within the band and they are not all equal', () => {
    const policy = { baseMs: 1000, maxMs: 60_000, jitter: 0.25 };
    const delays = Array.from({ length: 1000 }, () => backoffDelay(2, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2500);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('given a base of 0, when any attempt fails, then the job may run again at once', () => {
    expect(backoffDelay(4, { baseMs: 0, maxMs: 0, jitter: 0.3 }, () => 0.9)).toBe(0);
  });

  it('given attempts below 1 or not whole, when the delay is asked for, then it refuses', () => {
    expect(() => backoffDelay(0, exact)).toThrow(BackoffPolicyError);
    expect(() => backoffDelay(1.5, exact)).toThrow(BackoffPolicyError);
  });

  it('given an invalid policy, when it is checked, then it names the field', () => {
    expect(() => checkBackoffPolicy({ baseMs: -1, maxMs: 10, jitter: 0 })).toThrow(/baseMs/);
    expect(() => checkBackoffPolicy({ baseMs: 10, maxMs: 5, jitter: 0 })).toThrow(/maxMs/);
    expect(() => checkBackoffPolicy({ baseMs: 10, maxMs: 50, jitter: 1.5 })).toThrow(/jitter/);
    expect(checkBackoffPolicy(DEFAULT_BACKOFF)).toBe(DEFAULT_BACKOFF);
  });
});

describe('afterFailure', () => {
  it('given attempts left, when an attempt fails, then the job is failed and runs again after the backoff', () => {
    const outcome = afterFailure({ attempts: 2, maxAttempts: 5, now: NOW, policy: exact });
    expect(outcome).toEqual({ state: 'failed', delayMs: 2000, runAfter: new Date('2026-03-02T10:00:02.000Z') });
  });

  it('given the last attempt, when it fails, then the job is dead for lack of attempts', () => {
    expect(afterFailure({ attempts: 5, maxAttempts: 5, now: NOW, policy: exact })).toEqual({ state: 'dead', reason: 'max_attempts' });
  });

  it('given more attempts than allowed (maxAttempts lowered by hand), when one fails, then the job is dead', () => {
    expect(afterFailure({ attempts: 9, maxAttempts: 3, now: NOW, policy: exact }).state).toBe('dead');
  });

  it('given a permanent error, when the first attempt fails, then the job is dead at once', () => {
    expect(afterFailure({ attempts: 1, maxAttempts: 8, now: NOW, policy: exact, permanent: true })).toEqual({ state: 'dead', reason: 'permanent' });
  });

  it('given the remote side asks for 30 s, when the backoff is 1 s, then the job waits 30 s', () => {
    const outcome = afterFailure({ attempts: 1, maxAttempts: 8, now: NOW, policy: exact, retryAfterMs: 30_000 });
    expect(outcome).toMatchObject({ state: 'failed', delayMs: 30_000 });
  });

  it('given the remote side asks for less than the backoff, when the job fails, then the backoff wins', () => {
    const outcome = afterFailure({ attempts: 4, maxAttempts: 8, now: NOW, policy: exact, retryAfterMs: 500 });
    expect(outcome).toMatchObject({ state: 'failed', delayMs: 8000 });
  });

  it('given the retry-after hint on the last attempt, when it fails, then the job is dead all the same', () => {
    expect(afterFailure({ attempts: 3, maxAttempts: 3, now: NOW, policy: exact, retryAfterMs: 1000 }).state).toBe('dead');
  });
});
