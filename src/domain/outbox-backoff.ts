/**
 * When a failed outbox job runs again, and when it stops trying (ARCHITECTURE §3.7). Pure functions: the
 * clock and the random source are arguments, so the rules are unit-tested without a database.
 */

export interface BackoffPolicy {
  /** Delay after the first failed attempt, in ms. */
  baseMs: number;
  /** No delay is longer than this, jitter included. */
  maxMs: number;
  /** Spread as a fraction of the delay: 0.2 means ±20 %. 0 makes the delay exact. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 60 * 60_000, jitter: 0.2 };

export class BackoffPolicyError extends RangeError {}

export function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { baseMs, maxMs, jitter } = policy;
  if (!Number.isFinite(baseMs) || baseMs < 0) throw new BackoffPolicyError(`backoff baseMs must be ≥ 0, got ${baseMs}`);
  if (!Number.isFinite(maxMs) || maxMs < baseMs) throw new BackoffPolicyError(`backoff maxMs must be ≥ baseMs, got ${maxMs}`);
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) throw new BackoffPolicyError(`backoff jitter must be within 0..1, got ${jitter}`);
  return policy;
}

/**
 * The wait before the next attempt after `attempts` failed ones: baseMs · 2^(attempts − 1), capped at maxMs,
 * then spread by ±jitter (so that many jobs failing together do not come back together), and capped again.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  checkBackoffPolicy(policy);
  if (!Number.isInteger(attempts) || attempts < 1) throw new BackoffPolicyError(`attempts must be a whole number ≥ 1, got ${attempts}`);
  // 2 ** 1100 is Infinity, which the cap turns into maxMs.
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempts - 1));
  const spread = policy.jitter === 0 ? 1 : 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.maxMs, Math.max(0, exponential * spread)));
}

export type FailureOutcome =
  | { state: 'failed'; runAfter: Date; delayMs: number }
  | { state: 'dead'; reason: 'max_attempts' | 'permanent' };

export interface FailureInput {
  /** Attempts made so far, the one that just failed included. */
  attempts: number;
  maxAttempts: number;
  now: Date;
  policy: BackoffPolicy;
  /** The handler said that retrying cannot help (e.g. the chat blocked the bot). */
  permanent?: boolean;
  /** The remote side asked for a pause (e.g. Telegram's retry_after); the job waits at least this long. */
  retryAfterMs?: number;
  random?: () => number;
}

/** What becomes of a job whose attempt failed: another try later (`failed`) or none (`dead`). */
export function afterFailure(input: FailureInput): FailureOutcome {
  if (input.permanent) return { state: 'dead', reason: 'permanent' };
  if (input.attempts >= input.maxAttempts) return { state: 'dead', reason: 'max_attempts' };
  const backoff = backoffDelay(input.attempts, input.policy, input.random);
  const asked = input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs) ? Math.max(0, Math.round(input.retryAfterMs)) : 0;
  const delayMs = Math.max(backoff, asked);
  return { state: 'failed', runAfter: new Date(input.now.getTime() + delayMs), delayMs };
}
