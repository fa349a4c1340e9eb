/**
 * The transactional outbox (ARCHITECTURE §3.7, docs/OUTBOX.md): side effects are written as `outbox_jobs` rows
 * in the transaction of the change that causes them, then claimed atomically and run by a worker in the Strapi
 * process (services/worker.ts), with retries, backoff, dead-lettering, leases and rate limits.
 *
 * Delivery is at least once: a job whose worker dies after the side effect but before recording it runs again
 * when its lease expires, so handlers must be idempotent (idempotence keys at the remote end where it has them).
 * Two workers (or two API instances on one PostgreSQL) never hold the same job at once: a claim is one
 * `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING` on PostgreSQL, and one `UPDATE … RETURNING`
 * statement on SQLite, which has a single writer. Every later write of a claimed job is fenced by
 * (lockedBy, attempts), so a worker whose lease was taken over cannot overwrite the new owner's outcome.
 *
 * All times are JavaScript Dates bound as parameters, never the database's clock, so tests and several
 * instances agree on "now" as far as their clocks do.
 */
import { randomBytes } from 'crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import type { OutboxSettings } from '../../../../config/outbox';
import { afterFailure, type BackoffPolicy, checkBackoffPolicy, DEFAULT_BACKOFF, type FailureOutcome } from '../../../domain/outbox-backoff';
import { KeyedStartSpacing, type RateLimit, rateLimitInterval, StartSpacing } from '../../../domain/outbox-rate-limit';

const UID = 'api::outbox-job.outbox-job';

export const OUTBOX_STATES = ['queued', 'running', 'done', 'failed', 'dead'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxJob<P = unknown> {
  id: number;
  documentId: string;
  kind: string;
  payload: P;
  state: OutboxState;
  /** Attempts started so far; a claim counts one. */
  attempts: number;
  maxAttempts: number;
  runAfter: Date | null;
  lockedUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  dedupeKey: string | null;
  finishedAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface EnqueueInput<P = unknown> {
  /** Which handler runs the job, e.g. `telegram.send`. 3..100 characters. */
  kind: string;
  /** JSON-serialisable. Stored as is and visible to staff in the admin panel: no secrets. */
  payload?: P;
  /** Makes the enqueue idempotent: a second enqueue with the same key returns the first job. ≤ 200 characters. */
  dedupeKey?: string | null;
  /** Not before this moment (default: now). */
  runAfter?: Date;
  /** 1..100 (default 8, the schema's default). */
  maxAttempts?: number;
}

export interface EnqueueResult<P = unknown> {
  job: OutboxJob<P>;
  /** false when a job with the same dedupeKey already existed (and was returned instead). */
  created: boolean;
}

export interface HandlerContext {
  /** Aborted when the job's time is up; pass it to fetch() and the like. */
  signal: AbortSignal;
  /** The handler must be done by then (the lease, less a safety margin, or timeoutMs). */
  deadline: Date;
  workerId: string;
}

export type OutboxHandler<P = unknown> = (job: OutboxJob<P>, context: HandlerContext) => Promise<void> | void;

export interface HandlerOptions<P = unknown> {
  /** Spacing of the starts of this kind in this process, e.g. `{ intervalMs: 5000 }` or `{ perSecond: 25 }`. */
  rateLimit?: RateLimit;
  /** The key of a per-key limit (e.g. the Telegram chat id); null or undefined: no per-key limit for that job. */
  keyOf?: (payload: P) => string | number | null | undefined;
  /** Least time between two starts with the same key, e.g. 1000 for one message per second per chat. */
  perKeyIntervalMs?: number;
  /** How long a claim of this kind is reserved for its worker (default OUTBOX_LEASE_MS). */
  leaseMs?: number;
  /** How long one attempt may take (default and upper bound: the lease less a safety margin). */
  timeoutMs?: number;
  /** Overrides of the backoff (default OUTBOX_BACKOFF_*). */
  backoff?: Partial<BackoffPolicy>;
}

/**
 * What a handler throws to steer the outcome; any other error is an ordinary, retried failure. Recognised by
 * its fields rather than by class, so a copy of this class from another bundle works too.
 */
export class OutboxJobError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs?: number;

  constructor(message: string, options: { permanent?: boolean; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'OutboxJobError';
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A job that has just gone dead, as a dead-job listener sees it (staff alerts, docs/NOTIFICATIONS.md). */
export interface DeadJob {
  documentId: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  finishedAt: Date;
}

/** Called in the transaction that makes jobs dead, so whatever it writes commits with that change. */
export type DeadJobListener = (jobs: DeadJob[], trx: Knex.Transaction) => Promise<void>;

export type RetryOutcome =
  | { ok: true; job: OutboxJob }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'not_retryable'; state: OutboxState };

/** Counts of one runOnce; with `wait: false` only claimed, deferred (partly), expired and nextDelayMs are final. */
export interface RunSummary {
  /** Jobs claimed by this run. */
  claimed: number;
  done: number;
  /** Failed and scheduled again. */
  failed: number;
  dead: number;
  /** Claimed but put back unrun (per-key limit, or no time left in the lease), without counting an attempt. */
  deferred: number;
  /** Jobs whose worker died during their last attempt, moved to dead. */
  expired: number;
  /** When a rate-limited kind with more work waiting can start its next job, if sooner than a poll. */
  nextDelayMs: number | null;
}

export interface RunOptions {
  /** Wait for the claimed jobs to be recorded (default true). */
  wait?: boolean;
  /** Called when a batch has been recorded; `full` means the claim got all it asked for, so more may be due. */
  onBatchSettled?: (batch: { kind: string; claimed: number; full: boolean }) => void;
}

export interface ClaimOptions {
  /** Kinds to claim (default: those with a registered handler). */
  kinds?: string[];
  /** Default: the longest lease among the kinds (their own leaseMs, else OUTBOX_LEASE_MS). */
  leaseMs?: number;
}

interface Registration {
  kind: string;
  handler: OutboxHandler<never>;
  leaseMs: number;
  timeoutMs: number | null;
  backoff: BackoffPolicy;
  spacing: StartSpacing | null;
  keyOf: ((payload: never) => string | number | null | undefined) | null;
  keyed: KeyedStartSpacing | null;
  /** The last claim got all it asked for, so more work is probably waiting. */
  backlog: boolean;
}

const DEFAULT_SETTINGS: OutboxSettings = {
  worker: true,
  pollMs: 1000,
  leaseMs: 60_000,
  batchSize: 20,
  backoff: DEFAULT_BACKOFF,
  retentionDays: 30,
};

/** Rows removed per DELETE by purgeFinished: each statement is short, so other writers get in between. */
const PURGE_BATCH = 1000;
const DAY_MS = 86_400_000;

const LAST_ERROR_MAX = 4000;
const LOG_ERROR_MAX = 500;

/** Removes what looks like a credential from an error message before it is stored or logged. */
export function redactSecrets(text: string): string {
  return (
    text
      // Telegram bot tokens, also inside https://api.telegram.org/bot<token>/…
      .replace(/\d{5,}:[A-Za-z0-9_-]{30,}/g, '<redacted>')
      // user:password@ in URLs
      .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//<redacted>@')
      .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 <redacted>')
      .replace(
        /\b((?:password|passwd|secret|token|api[_-]?key|access[_-]?key|authorization|client[_-]?secret)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
        '$1<redacted>',
      )
  );
}

/** The error as staff and logs see it: name and message, no stack, no payload, no credentials. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  else if (typeof error === 'string') text = error;
  else text = `non-error thrown (${typeof error})`;
  const redacted = redactSecrets(text || 'unknown error');
  return redacted.length > LAST_ERROR_MAX ? `${redacted.slice(0, LAST_ERROR_MAX - 1)}…` : redacted;
}

function validateKind(kind: unknown): string {
  if (typeof kind !== 'string' || kind.length < 3 || kind.length > 100) {
    throw new TypeError(`outbox: kind must be a string of 3..100 characters, got ${JSON.stringify(kind)}`);
  }
  return kind;
}

function positiveWhole(value: number | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`outbox: ${name} must be a whole number ≥ ${min}, got ${value}`);
  return value;
}

const toDate = (value: unknown): Date | null => {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return new Date(Number(value));
  return new Date(String(value));
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** cuid2-like fallback, used only if Strapi's own documentId generator cannot be found in the metadata. */
const fallbackDocumentId = () =>
  `o${BigInt(`0x${randomBytes(16).toString('hex')}`)
    .toString(36)
    .padStart(23, '0')
    .slice(0, 23)}`;

const createOutboxService = ({ strapi }: { strapi: Core.Strapi }) => {
  const handlers = new Map<string, Registration>();
  const deadListeners: DeadJobListener[] = [];
  /** `<workerId> NUL <kind>` while that worker's batch of that kind runs. */
  const busy = new Set<string>();
  const inFlight = new Set<Promise<void>>();

  const settings = (): OutboxSettings => {
    const configured = strapi.config.get('outbox') as Partial<OutboxSettings> | undefined;
    return { ...DEFAULT_SETTINGS, ...configured, backoff: { ...DEFAULT_SETTINGS.backoff, ...configured?.backoff } };
  };

  // Column names come from Strapi's metadata, so they follow the schema rather than a guess.
  let layout: { table: string; c: Record<string, string>; newDocumentId: () => string } | null = null;
  const model = () => {
    if (layout) return layout;
    const meta = strapi.db.metadata.get(UID) as unknown as {
      tableName: string;
      attributes: Record<string, { columnName?: string; default?: unknown }>;
    };
    const column = (name: string, fallback: string) => meta.attributes[name]?.columnName ?? fallback;
    const generator = meta.attributes.documentId?.default;
    layout = {
      table: meta.tableName,
      c: {
        id: column('id', 'id'),
        documentId: column('documentId', 'document_id'),
        kind: column('kind', 'kind'),
        payload: column('payload', 'payload'),
        state: column('state', 'state'),
        attempts: column('attempts', 'attempts'),
        maxAttempts: column('maxAttempts', 'max_attempts'),
        runAfter: column('runAfter', 'run_after'),
        lockedUntil: column('lockedUntil', 'locked_until'),
        lockedBy: column('lockedBy', 'locked_by'),
        lastError: column('lastError', 'last_error'),
        dedupeKey: column('dedupeKey', 'dedupe_key'),
        finishedAt: column('finishedAt', 'finished_at'),
        createdAt: column('createdAt', 'created_at'),
        updatedAt: column('updatedAt', 'updated_at'),
        publishedAt: column('publishedAt', 'published_at'),
      },
      newDocumentId: typeof generator === 'function' ? (generator as () => string) : fallbackDocumentId,
    };
    return layout;
  };

  const knex = (): Knex => strapi.db.connection;
  const isPostgres = () => strapi.db.dialect.client === 'postgres';
  const table = (k: Knex | Knex.Transaction) => {
    const query = k(model().table);
    const schema = strapi.db.getSchemaName();
    return schema ? query.withSchema(schema) : query;
  };

  const toJob = <P = unknown>(row: Record<string, unknown>): OutboxJob<P> => {
    const { c } = model();
    let payload = row[c.payload];
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch {
        // A string that is not JSON (written by hand): hand it over as it is.
      }
    }
    const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
    return {
      id: Number(row[c.id]),
      documentId: String(row[c.documentId]),
      kind: String(row[c.kind]),
      payload: (payload ?? null) as P,
      state: row[c.state] as OutboxState,
      attempts: Number(row[c.attempts] ?? 0),
      maxAttempts: Number(row[c.maxAttempts] ?? 8),
      runAfter: toDate(row[c.runAfter]),
      lockedUntil: toDate(row[c.lockedUntil]),
      lockedBy: text(row[c.lockedBy]),
      lastError: text(row[c.lastError]),
      dedupeKey: text(row[c.dedupeKey]),
      finishedAt: toDate(row[c.finishedAt]),
      createdAt: toDate(row[c.createdAt]),
      updatedAt: toDate(row[c.updatedAt]),
    };
  };

  /** Only the worker holding this very claim (same worker, same attempt) may write the job's outcome. */
  const fenced = (k: Knex | Knex.Transaction, job: Pick<OutboxJob, 'id' | 'lockedBy' | 'attempts'>) => {
    const { c } = model();
    return table(k)
      .where(c.id, job.id)
      .andWhere(c.state, 'running')
      .andWhere(c.lockedBy, job.lockedBy ?? '')
      .andWhere(c.attempts, job.attempts);
  };

  const leaseOf = (kind: string) => handlers.get(kind)?.leaseMs ?? settings().leaseMs;
  /** Time kept free at the end of a lease, so an attempt that ran out of time is recorded before anyone else may claim it. */
  const leaseMargin = (leaseMs: number) => Math.min(5000, Math.floor(leaseMs * 0.2));

  const service = {
    /**
     * Writes a job. Pass the caller's transaction (`strapi.db.transaction(({ trx }) => …)`) so that the job
     * commits or rolls back with the change that caused it; inside strapi.db.transaction the trx argument may be
     * left out, the job joins that transaction anyway. With a dedupeKey that is already taken, nothing is
     * written (INSERT … ON CONFLICT DO NOTHING, which does not abort a PostgreSQL transaction) and the existing
     * job is returned with `created: false`.
     */
    async enqueue<P = unknown>(input: EnqueueInput<P>, trx?: Knex.Transaction): Promise<EnqueueResult<P>> {
      const { c, newDocumentId } = model();
      const kind = validateKind(input.kind);
      const maxAttempts = positiveWhole(input.maxAttempts, 'maxAttempts') ?? 8;
      if (maxAttempts > 100) throw new RangeError(`outbox: maxAttempts must be ≤ 100, got ${maxAttempts}`);
      const dedupeKey = input.dedupeKey ?? null;
      if (dedupeKey !== null && (typeof dedupeKey !== 'string' || dedupeKey.length === 0 || dedupeKey.length > 200)) {
        throw new TypeError('outbox: dedupeKey must be a string of 1..200 characters');
      }
      if (input.runAfter !== undefined && !(input.runAfter instanceof Date && Number.isFinite(input.runAfter.getTime()))) {
        throw new TypeError('outbox: runAfter must be a valid Date');
      }
      const payload = input.payload === undefined ? null : JSON.stringify(input.payload);
      if (payload !== null && payload.length > 1_000_000) throw new RangeError('outbox: payload is larger than 1 MB');
      const now = new Date();
      const row = {
        [c.documentId]: newDocumentId(),
        [c.kind]: kind,
        [c.payload]: payload,
        [c.state]: 'queued',
        [c.attempts]: 0,
        [c.maxAttempts]: maxAttempts,
        [c.runAfter]: input.runAfter ?? now,
        [c.dedupeKey]: dedupeKey,
        [c.createdAt]: now,
        [c.updatedAt]: now,
        // Types without draft & publish keep one, published, row per document.
        [c.publishedAt]: now,
      };

      const write = async (k: Knex.Transaction): Promise<EnqueueResult<P>> => {
        const inserted = (await table(k).insert(row).onConflict().ignore().returning([c.id])) as Array<Record<string, unknown>>;
        const id = inserted[0]?.[c.id];
        if (id !== undefined) {
          const created = await table(k).where(c.id, Number(id)).first();
          return { job: toJob<P>(created), created: true };
        }
        const existing = dedupeKey === null ? undefined : await table(k).where(c.dedupeKey, dedupeKey).first();
        if (!existing) throw new Error('outbox: the job was neither inserted nor found');
        return { job: toJob<P>(existing), created: false };
      };
      return trx ? write(trx) : strapi.db.transaction(({ trx: own }) => write(own));
    },

    /**
     * Says how to run jobs of `kind`. One handler per kind and process; registering a kind twice is an error.
     * Call it from a module's register or bootstrap phase; jobs of kinds nobody registered stay queued.
     */
    registerHandler<P = unknown>(kind: string, handler: OutboxHandler<P>, options: HandlerOptions<P> = {}): void {
      validateKind(kind);
      if (typeof handler !== 'function') throw new TypeError(`outbox: the handler of ${kind} must be a function`);
      if (handlers.has(kind)) throw new Error(`outbox: a handler for ${kind} is already registered`);
      const leaseMs = positiveWhole(options.leaseMs, 'leaseMs', 100) ?? settings().leaseMs;
      if (leaseMs > 86_400_000) throw new RangeError(`outbox: leaseMs must be ≤ 86400000, got ${leaseMs}`);
      const timeoutMs = positiveWhole(options.timeoutMs, 'timeoutMs') ?? null;
      if ((options.keyOf === undefined) !== (options.perKeyIntervalMs === undefined)) {
        throw new Error(`outbox: ${kind} needs both keyOf and perKeyIntervalMs, or neither`);
      }
      const backoff = checkBackoffPolicy({ ...settings().backoff, ...options.backoff });
      handlers.set(kind, {
        kind,
        handler: handler as OutboxHandler<never>,
        leaseMs,
        timeoutMs,
        backoff,
        spacing: options.rateLimit ? new StartSpacing(rateLimitInterval(options.rateLimit)) : null,
        keyOf: (options.keyOf as Registration['keyOf']) ?? null,
        keyed: options.perKeyIntervalMs === undefined ? null : new KeyedStartSpacing(options.perKeyIntervalMs),
        backlog: false,
      });
    },

    registeredKinds(): string[] {
      return [...handlers.keys()];
    },

    /**
     * Calls `listener` whenever jobs go dead (a permanent failure, no attempts left, or a worker that died on
     * its last attempt), inside the transaction that records it, so what it enqueues commits with the change.
     * It must use the `trx` it is given for every query (SQLite has one connection). A listener that throws is
     * logged and rolled back to a savepoint; the outcome is recorded all the same.
     */
    onDead(listener: DeadJobListener): void {
      deadListeners.push(listener);
    },

    /**
     * Atomically takes up to `limit` due jobs for `workerId`: queued or failed ones whose runAfter has come,
     * and running ones whose lease expired before `now` (their worker died). Each claim counts an attempt and
     * reserves the job until now + lease. A job that staff put back to `queued` after it died gets a fresh
     * set of attempts. Must not be called inside a transaction.
     */
    async claimBatch(workerId: string, now: Date, limit: number, options: ClaimOptions = {}): Promise<OutboxJob[]> {
      const { c } = model();
      const kinds = options.kinds ?? [...handlers.keys()];
      if (kinds.length === 0 || limit < 1) return [];
      if (!workerId || workerId.length > 100) throw new RangeError('outbox: workerId must be 1..100 characters');
      const leaseMs = options.leaseMs ?? Math.max(...kinds.map(leaseOf));
      const k = knex();
      const due = (query: Knex.QueryBuilder) =>
        query
          .whereIn(c.kind, kinds)
          .andWhere((either) =>
            either
              .where((waiting) =>
                waiting
                  .whereIn(c.state, ['queued', 'failed'])
                  .andWhere((time) => time.whereNull(c.runAfter).orWhere(c.runAfter, '<=', now)),
              )
              .orWhere((abandoned) =>
                abandoned
                  .where(c.state, 'running')
                  .andWhere(c.lockedUntil, '<', now)
                  .andWhere(c.attempts, '<', k.ref(c.maxAttempts)),
              ),
          );
      const pick = due(table(k).select(c.id)).orderBy(c.id).limit(limit);
      const claim = due(table(k));
      if (isPostgres()) {
        // Rows another claim has locked are skipped, not waited for. `= ANY(ARRAY(…))` runs the subquery once:
        // under `IN (…)` the planner may rescan it per row, and each rescan claims the next `limit` rows.
        pick.forUpdate().skipLocked();
        claim.whereRaw('?? = ANY(ARRAY?)', [c.id, pick]);
      } else {
        claim.whereIn(c.id, pick); // SQLite has one writer anyway
      }
      const rows = (await claim
        .update({
          [c.state]: 'running',
          [c.attempts]: k.raw('CASE WHEN ?? = ? AND ?? >= ?? THEN 1 ELSE ?? + 1 END', [
            c.state,
            'queued',
            c.attempts,
            c.maxAttempts,
            c.attempts,
          ]),
          [c.lockedBy]: workerId,
          [c.lockedUntil]: new Date(now.getTime() + leaseMs),
          [c.finishedAt]: null,
          [c.updatedAt]: now,
        })
        .returning('*')) as Array<Record<string, unknown>>;
      return rows.map((row) => toJob(row)).sort((a, b) => a.id - b.id);
    },

    /** Records success. false: this claim no longer owns the job (its lease was taken over). */
    async complete(job: Pick<OutboxJob, 'id' | 'lockedBy' | 'attempts'>, now = new Date()): Promise<boolean> {
      const { c } = model();
      const changed = await fenced(knex(), job).update({
        [c.state]: 'done',
        [c.finishedAt]: now,
        [c.lockedBy]: null,
        [c.lockedUntil]: null,
        [c.updatedAt]: now,
      });
      return Number(changed) === 1;
    },

    /**
     * Records a failed attempt: `failed` with runAfter = now + backoff (at least the error's retryAfterMs), or
     * `dead` after maxAttempts or on a permanent OutboxJobError. lastError keeps the redacted message.
     * null: this claim no longer owns the job.
     */
    async fail(
      job: Pick<OutboxJob, 'id' | 'kind' | 'lockedBy' | 'attempts' | 'maxAttempts'>,
      error: unknown,
      now = new Date(),
      random: () => number = Math.random,
    ): Promise<FailureOutcome | null> {
      const { c } = model();
      const steer = (error ?? {}) as { permanent?: unknown; retryAfterMs?: unknown };
      const outcome = afterFailure({
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        now,
        policy: handlers.get(job.kind)?.backoff ?? settings().backoff,
        permanent: steer.permanent === true,
        retryAfterMs: typeof steer.retryAfterMs === 'number' ? steer.retryAfterMs : undefined,
        random,
      });
      const lastError = describeError(error);
      const write = (k: Knex | Knex.Transaction) =>
        fenced(k, job).update({
          [c.state]: outcome.state,
          [c.lastError]: lastError,
          [c.lockedBy]: null,
          [c.lockedUntil]: null,
          [c.updatedAt]: now,
          ...(outcome.state === 'failed' ? { [c.runAfter]: outcome.runAfter } : { [c.finishedAt]: now }),
        });
      // A job going dead tells the dead-job listeners (staff alerts) in the same transaction.
      const changed =
        outcome.state === 'dead' && deadListeners.length > 0
          ? await strapi.db.transaction(async ({ trx }) => {
              const count = await write(trx);
              if (Number(count) !== 1) return count;
              const row = await table(trx).where(c.id, job.id).first(c.documentId);
              await tellDead([{ documentId: String(row[c.documentId]), kind: job.kind, attempts: job.attempts, lastError, finishedAt: now }], trx);
              return count;
            })
          : await write(knex());
      return Number(changed) === 1 ? outcome : null;
    },

    /** Puts a claimed job back unrun, due at `runAfter`, without counting the attempt. */
    async release(job: Pick<OutboxJob, 'id' | 'lockedBy' | 'attempts'>, runAfter: Date, now = new Date()): Promise<boolean> {
      const { c } = model();
      const k = knex();
      const changed = await fenced(k, job).update({
        [c.state]: k.raw("CASE WHEN ?? IS NULL THEN 'queued' ELSE 'failed' END", [c.lastError]),
        [c.attempts]: k.raw('CASE WHEN ?? > 0 THEN ?? - 1 ELSE 0 END', [c.attempts, c.attempts]),
        [c.runAfter]: runAfter,
        [c.lockedBy]: null,
        [c.lockedUntil]: null,
        [c.updatedAt]: now,
      });
      return Number(changed) === 1;
    },

    /** Staff action: runs a dead or failed job again now, with a fresh set of attempts (lastError is kept). */
    async retry(documentId: string, now = new Date()): Promise<RetryOutcome> {
      const { c } = model();
      const k = knex();
      const found = await table(k).where(c.documentId, documentId).first();
      if (!found) return { ok: false, reason: 'not_found' };
      const changed = await table(k)
        .where(c.id, found[c.id])
        .whereIn(c.state, ['dead', 'failed'])
        .update({
          [c.state]: 'queued',
          [c.attempts]: 0,
          [c.runAfter]: now,
          [c.lockedBy]: null,
          [c.lockedUntil]: null,
          [c.finishedAt]: null,
          [c.updatedAt]: now,
        });
      const current = toJob(await table(k).where(c.id, found[c.id]).first());
      if (Number(changed) !== 1) return { ok: false, reason: 'not_retryable', state: current.state };
      return { ok: true, job: current };
    },

    /** Jobs whose worker died during their last attempt cannot be claimed again: they become dead. */
    async expireAbandoned(now: Date, kinds: string[] = [...handlers.keys()]): Promise<number> {
      const { c } = model();
      if (kinds.length === 0) return 0;
      const lastError = 'The worker stopped during the last attempt and its lease expired; the side effect may or may not have happened.';
      const expiring = (k: Knex | Knex.Transaction, ids?: number[]) => {
        const query = table(k)
          .whereIn(c.kind, kinds)
          .andWhere(c.state, 'running')
          .andWhere(c.lockedUntil, '<', now)
          .andWhere(c.attempts, '>=', k.ref(c.maxAttempts));
        return ids ? query.whereIn(c.id, ids) : query;
      };
      const values = { [c.state]: 'dead', [c.lastError]: lastError, [c.lockedBy]: null, [c.lockedUntil]: null, [c.finishedAt]: now, [c.updatedAt]: now };
      if (deadListeners.length === 0) return Number(await expiring(knex()).update(values));
      // With listeners: the rows first, then the same conditions again by id, and the listeners, in one transaction.
      return strapi.db.transaction(async ({ trx }) => {
        const rows = (await expiring(trx).select(c.id, c.documentId, c.kind, c.attempts)) as Array<Record<string, unknown>>;
        if (rows.length === 0) return 0;
        const changed = (await expiring(
          trx,
          rows.map((row) => Number(row[c.id])),
        )
          .update(values)
          .returning([c.documentId])) as Array<Record<string, unknown>>;
        const expired = new Set(changed.map((row) => String(row[c.documentId])));
        const dead = rows
          .filter((row) => expired.has(String(row[c.documentId])))
          .map((row) => ({ documentId: String(row[c.documentId]), kind: String(row[c.kind]), attempts: Number(row[c.attempts]), lastError, finishedAt: now }));
        if (dead.length > 0) await tellDead(dead, trx);
        return dead.length;
      });
    },

    /**
     * Deletes `done` jobs whose finishedAt is more than OUTBOX_RETENTION_DAYS before `now` (nothing when it is
     * 0), PURGE_BATCH rows per DELETE until a batch comes back short, so a large backlog never holds SQLite's
     * single writer or PostgreSQL's row locks for long. Returns how many rows were deleted. Run hourly by the
     * outboxPurge cron task (config/cron-tasks.ts).
     *
     * Only `done`: dead jobs stay for staff to look at and requeue; queued, failed and running ones are work.
     * Freeing a dedupe key is safe because a key only has to outlive the window in which the same event could be
     * enqueued again: reminders are enqueued for bookings starting within a day (the largest BOOKING_REMINDER_HOURS,
     * default 24: keep the retention longer than that), and booking / payment notifications by state transitions
     * that cannot happen twice, so nothing re-enqueues a key 30 days on.
     */
    async purgeFinished(now: Date): Promise<number> {
      const { c } = model();
      const { retentionDays } = settings();
      if (!Number.isInteger(retentionDays) || retentionDays <= 0) return 0;
      const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
      if (!Number.isFinite(cutoff.getTime())) return 0;
      const k = knex();
      const expired = (query: Knex.QueryBuilder) => query.where(c.state, 'done').andWhere(c.finishedAt, '<', cutoff);
      let total = 0;
      for (;;) {
        // The ids first, then the DELETE by id. Not `DELETE … WHERE id IN (SELECT … LIMIT n)`: PostgreSQL may
        // run that subquery more than once in one statement and delete far more than n rows at a time.
        // No ORDER BY: any expired rows will do, and the scan stops as soon as it has enough.
        const picked = (await expired(table(k).select(c.id)).limit(PURGE_BATCH)) as Array<Record<string, unknown>>;
        if (picked.length === 0) return total;
        // The conditions again: a row a Manager moved out of `done` in between stays.
        const ids = picked.map((row) => Number(row[c.id]));
        total += Number(await expired(table(k).whereIn(c.id, ids)).delete());
        if (picked.length < PURGE_BATCH) return total;
      }
    },

    /**
     * One poll: claims what is due for each registered kind (within its rate limit) and runs it. By default
     * it resolves when every claimed job has been recorded (what tests want). With `wait: false` (the
     * poller) it resolves once the claims are made; the jobs run on, each kind's batch independently, so a
     * slow kind never holds up another, and `onBatchSettled` reports each batch's end. A kind whose previous
     * batch for this worker is still running is skipped. Never rejects because of a handler.
     */
    async runOnce(workerId: string, options: RunOptions = {}): Promise<RunSummary> {
      const config = settings();
      const summary: RunSummary = { claimed: 0, done: 0, failed: 0, dead: 0, deferred: 0, expired: 0, nextDelayMs: null };
      const registrations = [...handlers.values()];
      if (registrations.length === 0) return summary;
      summary.expired = await service.expireAbandoned(new Date(), registrations.map((r) => r.kind));

      const batches: Promise<void>[] = [];
      for (const registration of registrations) {
        const busyKey = `${workerId}\u0000${registration.kind}`;
        if (busy.has(busyKey)) continue;
        const spacing = registration.spacing;
        let limit = config.batchSize;
        if (spacing) {
          // Claim only what can start within one poll interval; the rest waits in the table, not in memory.
          const now = Date.now();
          limit = spacing.plan(now, config.pollMs, config.batchSize);
          if (limit === 0) {
            if (registration.backlog) {
              const delay = spacing.nextPlanDelay(now, config.pollMs);
              summary.nextDelayMs = summary.nextDelayMs === null ? delay : Math.min(summary.nextDelayMs, delay);
            }
            continue;
          }
        }
        busy.add(busyKey);
        let jobs: OutboxJob[] = [];
        try {
          jobs = await service.claimBatch(workerId, new Date(), limit, { kinds: [registration.kind], leaseMs: registration.leaseMs });
        } finally {
          spacing?.giveBack(limit - jobs.length);
          if (jobs.length === 0) busy.delete(busyKey);
        }
        registration.backlog = jobs.length === limit;
        if (jobs.length === 0) continue;
        summary.claimed += jobs.length;
        const deferrals = new Map<string, number>();
        const full = jobs.length === limit;
        const batch = Promise.all(jobs.map((job) => execute(registration, job, workerId, summary, deferrals))).then(() => {
          busy.delete(busyKey);
          inFlight.delete(batch);
          try {
            options.onBatchSettled?.({ kind: registration.kind, claimed: jobs.length, full });
          } catch {
            // A listener's problem is not the batch's.
          }
        });
        inFlight.add(batch);
        batches.push(batch);
      }

      if (options.wait !== false) await Promise.all(batches);
      return summary;
    },

    /** Resolves when every batch started by runOnce in this process has been recorded. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };

  /** Runs one claimed job: waits for its rate-limit slot, runs the handler with a deadline, records the outcome. */
  async function execute(
    registration: Registration,
    job: OutboxJob,
    workerId: string,
    summary: RunSummary,
    deferrals: Map<string, number>,
  ): Promise<void> {
    const label = `outbox: ${job.kind} job ${job.documentId} (attempt ${job.attempts}/${job.maxAttempts})`;
    try {
      let key: string | null = null;
      if (registration.keyOf) {
        try {
          const value = registration.keyOf(job.payload as never);
          key = value === null || value === undefined ? null : String(value);
        } catch (error) {
          await record(job, error, summary, label);
          return;
        }
      }
      const leaseEnd = (job.lockedUntil?.getTime() ?? Date.now() + registration.leaseMs) - leaseMargin(registration.leaseMs);

      // The wait for a slot, the check of the key and the recording of the start happen in one synchronous
      // step, so two jobs of this process cannot take the same slot.
      let startedAt: number;
      for (;;) {
        const now = Date.now();
        // Less than a tenth of the lease left: put it back rather than start an attempt that cannot finish.
        if (leaseEnd - now < registration.leaseMs / 10) {
          await deferTo(job, new Date(now), summary);
          return;
        }
        const wait = registration.spacing?.waitMs(now) ?? 0;
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        if (key !== null && registration.keyed) {
          const keyWait = registration.keyed.waitMs(key, now);
          if (keyWait > 0) {
            // Later jobs of one key in this batch queue up behind each other instead of coming back together.
            const queued = deferrals.get(key) ?? 0;
            deferrals.set(key, queued + 1);
            await deferTo(job, new Date(now + keyWait + queued * registration.keyed.intervalMs), summary);
            return;
          }
          registration.keyed.markStart(key, now);
        }
        registration.spacing?.markStart(now);
        startedAt = now;
        break;
      }

      const deadline = Math.min(leaseEnd, registration.timeoutMs === null ? Infinity : startedAt + registration.timeoutMs);
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new OutboxJobError(`timed out after ${deadline - startedAt} ms`);
          controller.abort(error);
          reject(error);
        }, deadline - startedAt);
      });
      try {
        await Promise.race([
          Promise.resolve().then(() =>
            registration.handler(job as OutboxJob<never>, { signal: controller.signal, deadline: new Date(deadline), workerId }),
          ),
          timeout,
        ]);
      } catch (error) {
        await record(job, error, summary, label);
        return;
      } finally {
        clearTimeout(timer);
      }
      if (await service.complete(job)) {
        summary.done += 1;
        strapi.log.debug(`${label} done`);
      } else {
        strapi.log.warn(`${label} finished after its lease was taken over; outcome not recorded`);
      }
    } catch (error) {
      // Only the database can get here (recording the outcome failed): the lease brings the job back.
      strapi.log.error(`${label}: could not record the outcome: ${describeError(error).slice(0, LOG_ERROR_MAX)}`);
    }
  }

  async function tellDead(jobs: DeadJob[], trx: Knex.Transaction): Promise<void> {
    for (const listener of deadListeners) {
      try {
        // A savepoint: a listener that fails cannot take the recording of the outcome down with it.
        await trx.transaction((savepoint) => listener(jobs, savepoint));
      } catch (error) {
        strapi.log.error(`outbox: a dead-job listener failed: ${describeError(error).slice(0, LOG_ERROR_MAX)}`);
      }
    }
  }

  async function record(job: OutboxJob, error: unknown, summary: RunSummary, label: string): Promise<void> {
    const outcome = await service.fail(job, error);
    const message = describeError(error).slice(0, LOG_ERROR_MAX);
    if (outcome === null) {
      strapi.log.warn(`${label} failed after its lease was taken over; outcome not recorded: ${message}`);
    } else if (outcome.state === 'dead') {
      summary.dead += 1;
      strapi.log.error(`${label} is dead (${outcome.reason === 'permanent' ? 'permanent failure' : 'no attempts left'}): ${message}`);
    } else {
      summary.failed += 1;
      strapi.log.warn(`${label} failed, next attempt in ${Math.round(outcome.delayMs / 1000)} s: ${message}`);
    }
  }

  async function deferTo(job: OutboxJob, runAfter: Date, summary: RunSummary): Promise<void> {
    if (await service.release(job, runAfter)) summary.deferred += 1;
  }

  return service;
};

export type OutboxService = ReturnType<typeof createOutboxService>;
export default createOutboxService;
