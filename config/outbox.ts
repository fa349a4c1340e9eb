import type { Core } from '@strapi/strapi';

/** Settings of the transactional outbox (docs/OUTBOX.md), read once at boot: `strapi.config.get('outbox')`. */
export interface OutboxSettings {
  /** OUTBOX_WORKER (default on; only the value `false` turns it off): run the poller in this process. */
  worker: boolean;
  /** OUTBOX_POLL_MS (default 1000): pause between polls when there is nothing to do. */
  pollMs: number;
  /** OUTBOX_LEASE_MS (default 60000): how long a claimed job is reserved for its worker. */
  leaseMs: number;
  /** OUTBOX_BATCH_SIZE (default 20): jobs claimed per kind and poll, run concurrently. */
  batchSize: number;
  /** OUTBOX_BACKOFF_BASE_MS (default 5000), OUTBOX_BACKOFF_MAX_MS (default 3600000), OUTBOX_BACKOFF_JITTER (default 0.2). */
  backoff: { baseMs: number; maxMs: number; jitter: number };
  /** OUTBOX_RETENTION_DAYS (default 30; 0 keeps them forever): `done` jobs finished longer ago are purged by the outboxPurge cron task. */
  retentionDays: number;
}

type Env = Core.Config.Shared.ConfigParams['env'];

function number(env: Env, name: string, fallback: number, check: (value: number) => boolean, rule: string): number {
  const raw = env(name, '');
  if (raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!check(value)) throw new Error(`${name} must be ${rule}, got "${raw}"`);
  return value;
}

const wholeAtLeast = (min: number) => (value: number) => Number.isInteger(value) && value >= min;

export default ({ env }: Core.Config.Shared.ConfigParams): OutboxSettings => ({
  worker: env('OUTBOX_WORKER', 'true').trim().toLowerCase() !== 'false',
  pollMs: number(env, 'OUTBOX_POLL_MS', 1000, wholeAtLeast(10), 'a whole number of ms ≥ 10'),
  leaseMs: number(env, 'OUTBOX_LEASE_MS', 60_000, (v) => wholeAtLeast(100)(v) && v <= 86_400_000, 'a whole number of ms within 100..86400000'),
  batchSize: number(env, 'OUTBOX_BATCH_SIZE', 20, (v) => wholeAtLeast(1)(v) && v <= 1000, 'a whole number within 1..1000'),
  backoff: {
    baseMs: number(env, 'OUTBOX_BACKOFF_BASE_MS', 5000, wholeAtLeast(0), 'a whole number of ms ≥ 0'),
    maxMs: number(env, 'OUTBOX_BACKOFF_MAX_MS', 3_600_000, wholeAtLeast(0), 'a whole number of ms ≥ 0'),
    jitter: number(env, 'OUTBOX_BACKOFF_JITTER', 0.2, (v) => v >= 0 && v <= 1, 'a fraction within 0..1'),
  },
  retentionDays: number(env, 'OUTBOX_RETENTION_DAYS', 30, wholeAtLeast(0), 'a whole number of days ≥ 0 (0 keeps done jobs forever)'),
});
