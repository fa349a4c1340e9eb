/**
 * The transactional outbox (ARCHITECTURE §3.7, docs/OUTBOX.md) on the real Strapi, SQLite or PostgreSQL
 * (DATABASE_CLIENT=postgres). The first block turns the background poller off (OUTBOX_WORKER=false) and drives
 * `runOnce` / `claimBatch` itself, so every step is deterministic; the second boots with the poller on.
 * The final checks read the outbox_jobs rows, not the service's answers.
 */
import { randomBytes } from 'crypto';
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import outboxConfig from '../../config/outbox';
import { cronTasks } from '../../config/cron-tasks';
import { OutboxJobError, type OutboxJob, type OutboxService } from '../../src/api/outbox-job/services/outbox';
import type { OutboxWorker } from '../../src/api/outbox-job/services/worker';
import { staffToken } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const UID = 'api::outbox-job.outbox-job';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// A made-up token in Telegram's format: it must never reach lastError or the logs.
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ';
const DAY_MS = 86_400_000;

interface Row {
  id: number;
  documentId: string;
  kind: string;
  payload: unknown;
  state: string;
  attempts: number;
  maxAttempts: number;
  runAfter: Date | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

function harness(getApp: () => TestApp) {
  const strapi = () => getApp().strapi;
  const knex = (): Knex => strapi().db.connection;
  const outbox = () => strapi().service('api::outbox-job.outbox') as OutboxService;
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

  /** One job as stored, read through the query engine (which converts types the same way on both engines). */
  async function row(documentId: string): Promise<Row> {
    const found = await strapi().db.query(UID).findOne({ where: { documentId } });
    if (!found) throw new Error(`no outbox job ${documentId}`);
    return {
      ...found,
      runAfter: date(found.runAfter),
      lockedUntil: date(found.lockedUntil),
      finishedAt: date(found.finishedAt),
      updatedAt: date(found.updatedAt) as Date,
    };
  }

  async function countOf(kind: string, states?: string[]): Promise<number> {
    const query = knex()('outbox_jobs').where({ kind });
    if (states) query.whereIn('state', states);
    const result = await query.count({ n: '*' }).first();
    return Number(result?.n);
  }

  /** Runs the given workers side by side until no job of `kind` is left to do. */
  async function drain(kind: string, workers: string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      workers.map(async (workerId) => {
        for (;;) {
          const summary = await outbox().runOnce(workerId);
          if (summary.claimed > 0) continue;
          if ((await countOf(kind, ['queued', 'failed', 'running'])) === 0) return;
          if (Date.now() > deadline) throw new Error(`${kind} jobs were not drained within ${timeoutMs} ms`);
          await sleep(10);
        }
      }),
    );
  }

  /**
   * Writes `count` jobs straight into the table (fast, for the retention tests): as they would be after running,
   * in `state`, finished at `finishedAt`.
   */
  async function insertJobs(
    kind: string,
    count: number,
    state: string,
    finishedAt: Date | null,
    dedupeKey: (i: number) => string | null = () => null,
  ): Promise<void> {
    const now = new Date();
    const rows = Array.from({ length: count }, (_, i) => ({
      document_id: `p${randomBytes(12).toString('hex')}`,
      kind,
      payload: null,
      state,
      attempts: state === 'queued' ? 0 : 1,
      max_attempts: 8,
      run_after: finishedAt ?? now,
      dedupe_key: dedupeKey(i),
      finished_at: finishedAt,
      created_at: finishedAt ?? now,
      updated_at: finishedAt ?? now,
      published_at: finishedAt ?? now,
    }));
    await knex().batchInsert('outbox_jobs', rows, 250);
  }

  return { strapi, knex, outbox, row, countOf, drain, insertJobs };
}

describe('outbox settings', () => {
  type Env = Core.Config.Shared.ConfigParams['env'];
  const envOf = (vars: Record<string, string>) => ((name: string, fallback?: string) => vars[name] ?? fallback) as unknown as Env;

  it('reads OUTBOX_RETENTION_DAYS: 30 by default, 0 keeps forever, anything but a whole number ≥ 0 stops the boot', () => {
    expect(outboxConfig({ env: envOf({}) }).retentionDays).toBe(30);
    expect(outboxConfig({ env: envOf({ OUTBOX_RETENTION_DAYS: '7' }) }).retentionDays).toBe(7);
    expect(outboxConfig({ env: envOf({ OUTBOX_RETENTION_DAYS: '0' }) }).retentionDays).toBe(0);
    for (const bad of ['-1', '1.5', 'thirty']) {
      expect(() => outboxConfig({ env: envOf({ OUTBOX_RETENTION_DAYS: bad }) })).toThrow(
        `OUTBOX_RETENTION_DAYS must be a whole number of days ≥ 0 (0 keeps done jobs forever), got "${bad}"`,
      );
    }
  });

  it('schedules outboxPurge hourly by default, at the rule OUTBOX_PURGE_CRON gives otherwise', () => {
    expect(cronTasks({ env: envOf({}) }).outboxPurge.options.rule).toBe('30 17 * * * *');
    expect(cronTasks({ env: envOf({ OUTBOX_PURGE_CRON: '0 0 3 * * *' }) }).outboxPurge.options.rule).toBe('0 0 3 * * *');
  });
});

describe('transactional outbox (poller off, driven by the test)', () => {
  let app: TestApp;
  const { strapi, knex, outbox, row, countOf, drain, insertJobs } = harness(() => app);

  beforeAll(async () => {
    app = await startStrapi({ OUTBOX_WORKER: 'false' });
  });

  afterAll(async () => {
    await app.stop();
  });

  it('leaves the background poller off when OUTBOX_WORKER=false', () => {
    expect((strapi().service('api::outbox-job.worker') as OutboxWorker).isRunning()).toBe(false);
  });

  describe('enqueue', () => {
    it('writes nothing when the transaction that enqueued rolls back (trx passed or joined implicitly)', async () => {
      // Given a transaction that enqueues two jobs, one with the trx passed and one without
      const attempt = strapi().db.transaction(async ({ trx }) => {
        await outbox().enqueue({ kind: 'test.rollback', payload: { n: 1 } }, trx);
        await outbox().enqueue({ kind: 'test.rollback', payload: { n: 2 }, dedupeKey: 'rollback-1' });
        // When the change that caused them fails
        throw new Error('the booking could not be saved');
      });
      await expect(attempt).rejects.toThrow('the booking could not be saved');

      // Then no job exists, and the dedupe key is free again
      expect(await countOf('test.rollback')).toBe(0);
      const { created } = await outbox().enqueue({ kind: 'test.rollback', payload: { n: 3 }, dedupeKey: 'rollback-1' });
      expect(created).toBe(true);
    });

    it('commits the job with the transaction, as a complete record the admin panel can show', async () => {
      // Given a transaction that enqueues a job
      const runAfter = new Date(Date.now() + 60_000);
      const { job, created } = await strapi().db.transaction(({ trx }) =>
        outbox().enqueue({ kind: 'test.commit', payload: { chatId: 42, text: 'Привет' }, runAfter, maxAttempts: 3 }, trx),
      );

      // Then it is stored queued, with a documentId the Document Service finds
      expect(created).toBe(true);
      expect(job).toMatchObject({ kind: 'test.commit', state: 'queued', attempts: 0, maxAttempts: 3, payload: { chatId: 42, text: 'Привет' } });
      expect(job.runAfter?.getTime()).toBe(runAfter.getTime());
      expect(job.documentId).toMatch(/^[a-z0-9]{20,}$/);
      const document = await strapi().documents(UID).findOne({ documentId: job.documentId });
      expect(document).toMatchObject({ kind: 'test.commit', state: 'queued', payload: { chatId: 42, text: 'Привет' } });
      expect(document?.publishedAt).toBeTruthy();
    });

    it('refuses an invalid kind, maxAttempts or dedupeKey before writing anything', async () => {
      await expect(outbox().enqueue({ kind: 'x' })).rejects.toThrow(/kind/);
      await expect(outbox().enqueue({ kind: 'test.invalid', maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
      await expect(outbox().enqueue({ kind: 'test.invalid', dedupeKey: 'k'.repeat(201) })).rejects.toThrow(/dedupeKey/);
      expect(await countOf('test.invalid')).toBe(0);
    });
  });

  describe('dedupeKey', () => {
    it('returns the existing job for a second enqueue with the same key, outside a transaction', async () => {
      const first = await outbox().enqueue({ kind: 'test.dedupe', payload: { v: 1 }, dedupeKey: 'booking-1:confirmed' });
      const second = await outbox().enqueue({ kind: 'test.dedupe', payload: { v: 2 }, dedupeKey: 'booking-1:confirmed' });

      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.job.documentId).toBe(first.job.documentId);
      expect(second.job.payload).toEqual({ v: 1 });
      expect(await countOf('test.dedupe')).toBe(1);
    });

    it('does not abort the caller’s transaction: later writes in it still commit', async () => {
      // Given a job with a key already committed
      const existing = await outbox().enqueue({ kind: 'test.dedupe-trx', dedupeKey: 'payment-7:succeeded' });

      // When a transaction enqueues the same key and then writes more
      const again = await strapi().db.transaction(async ({ trx }) => {
        const repeated = await outbox().enqueue({ kind: 'test.dedupe-trx', dedupeKey: 'payment-7:succeeded' }, trx);
        await outbox().enqueue({ kind: 'test.dedupe-trx', dedupeKey: 'payment-7:receipt' }, trx);
        await trx('outbox_jobs').where({ id: existing.job.id }).update({ last_error: 'touched in the same transaction' });
        return repeated;
      });

      // Then the repeat returned the first job and everything after it committed
      expect(again).toMatchObject({ created: false, job: { documentId: existing.job.documentId } });
      expect(await countOf('test.dedupe-trx')).toBe(2);
      expect((await row(existing.job.documentId)).lastError).toBe('touched in the same transaction');
    });

    it('keeps exactly one job when 20 enqueues with one key race', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => outbox().enqueue({ kind: 'test.dedupe-race', payload: { i }, dedupeKey: 'newsletter-3:member-9' })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.documentId)).size).toBe(1);
      expect(await countOf('test.dedupe-race')).toBe(1);
    });
  });

  describe('claiming and leases', () => {
    it('runs a job again after its worker died mid-job, once the lease expires, and completes it once', async () => {
      // Given a handler that counts its runs, with a 1 s lease
      let runs = 0;
      outbox().registerHandler('test.crash', () => void (runs += 1), { leaseMs: 1000 });
      const { job } = await outbox().enqueue({ kind: 'test.crash', payload: { n: 1 } });

      // When a worker claims it and dies without completing
      const [claimed] = await outbox().claimBatch('worker-that-dies', new Date(), 10, { kinds: ['test.crash'] });
      expect(claimed).toMatchObject({ documentId: job.documentId, state: 'running', attempts: 1, lockedBy: 'worker-that-dies' });

      // Then nobody else can claim it while the lease holds, up to its last millisecond
      const leaseEnd = (claimed.lockedUntil as Date).getTime();
      expect(await outbox().claimBatch('survivor', new Date(leaseEnd - 1), 10, { kinds: ['test.crash'] })).toEqual([]);
      expect(runs).toBe(0);

      // And after the lease, another worker runs it and records it done
      await sleep(Math.max(0, leaseEnd - Date.now()) + 100);
      const summary = await outbox().runOnce('survivor');
      expect(summary).toMatchObject({ claimed: 1, done: 1 });
      expect(runs).toBe(1);
      expect(await row(job.documentId)).toMatchObject({ state: 'done', attempts: 2, lockedBy: null, lockedUntil: null });

      // And the first worker, coming back, cannot overwrite that outcome
      expect(await outbox().complete(claimed)).toBe(false);
      expect(await outbox().fail(claimed, new Error('late'))).toBeNull();
      expect(await row(job.documentId)).toMatchObject({ state: 'done', attempts: 2, lastError: null });
      await outbox().runOnce('survivor');
      expect(runs).toBe(1);
    });

    it('moves a job to dead when its worker died during the last attempt', async () => {
      let runs = 0;
      outbox().registerHandler('test.crash-last', () => void (runs += 1));
      const { job } = await outbox().enqueue({ kind: 'test.crash-last', maxAttempts: 1 });
      await outbox().claimBatch('worker-that-dies', new Date(), 1, { kinds: ['test.crash-last'], leaseMs: 100 });

      await sleep(150);
      const summary = await outbox().runOnce('survivor');

      expect(summary.expired).toBe(1);
      expect(runs).toBe(0);
      const stored = await row(job.documentId);
      expect(stored).toMatchObject({ state: 'dead', attempts: 1, lockedBy: null });
      expect(stored.lastError).toMatch(/lease expired/);
      expect(stored.finishedAt).not.toBeNull();
    });

    it('runs each of 1,000 jobs exactly once with two workers racing', async () => {
      // Given 1,000 jobs and a handler that notes every run and any overlap of one job with itself
      const runsPerJob = new Map<number, number>();
      const active = new Set<number>();
      const perWorker = new Map<string, number>();
      let overlaps = 0;
      outbox().registerHandler<{ i: number }>('test.race', async (job, { workerId }) => {
        perWorker.set(workerId, (perWorker.get(workerId) ?? 0) + 1);
        if (active.has(job.id)) overlaps += 1;
        active.add(job.id);
        runsPerJob.set(job.id, (runsPerJob.get(job.id) ?? 0) + 1);
        await sleep(Math.random() * 3);
        active.delete(job.id);
      });
      await strapi().db.transaction(async ({ trx }) => {
        for (let i = 0; i < 1000; i++) await outbox().enqueue({ kind: 'test.race', payload: { i } }, trx);
      });

      // When two workers drain them concurrently
      await drain('test.race', ['worker-a', 'worker-b']);

      // Then every job ran exactly once, and the database agrees
      expect(runsPerJob.size).toBe(1000);
      expect([...runsPerJob.values()].every((n) => n === 1)).toBe(true);
      expect(overlaps).toBe(0);
      const states = await knex()('outbox_jobs')
        .where({ kind: 'test.race' })
        .select('state', 'attempts')
        .count({ n: '*' })
        .groupBy('state', 'attempts');
      const tally = states as unknown as Array<{ state: string; attempts: number | string; n: number | string }>;
      expect(tally.map((s) => ({ state: s.state, attempts: Number(s.attempts), n: Number(s.n) }))).toEqual([
        { state: 'done', attempts: 1, n: 1000 },
      ]);
      // Both workers took part: a worker that never claimed would prove nothing about the race.
      expect(perWorker.get('worker-a')).toBeGreaterThan(0);
      expect(perWorker.get('worker-b')).toBeGreaterThan(0);
    });

    it('claims no more than the batch asked for, from a backlog of 2,500 due jobs', async () => {
      // PostgreSQL may run `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` with the subquery
      // re-evaluated, claiming far more than n on a table without fresh statistics.
      outbox().registerHandler('test.backlog', async () => undefined);
      const now = new Date();
      await knex().batchInsert(
        'outbox_jobs',
        Array.from({ length: 2500 }, (_, i) => ({
          document_id: `backlog${String(i).padStart(17, '0')}`,
          kind: 'test.backlog',
          state: 'queued',
          attempts: 0,
          max_attempts: 8,
          run_after: now,
          created_at: now,
          updated_at: now,
          published_at: now,
        })),
        500,
      );

      const claimed = await outbox().claimBatch('worker-batch', now, 20, { kinds: ['test.backlog'] });

      expect(claimed).toHaveLength(20);
      const running = await knex()('outbox_jobs').where({ kind: 'test.backlog', state: 'running' }).count({ n: '*' });
      expect(Number(running[0].n)).toBe(20);
      await knex()('outbox_jobs').where({ kind: 'test.backlog' }).delete();
    });

    it('leaves jobs of a kind without a handler queued', async () => {
      const { job } = await outbox().enqueue({ kind: 'test.nobody-handles-this' });
      await outbox().runOnce('worker-a');
      expect(await row(job.documentId)).toMatchObject({ state: 'queued', attempts: 0 });
    });
  });

  describe('failures', () => {
    let flakyRuns = 0;
    let flakyHealed = false;
    let flaky: OutboxJob;

    beforeAll(async () => {
      outbox().registerHandler(
        'test.flaky',
        () => {
          flakyRuns += 1;
          if (!flakyHealed) throw new Error(`Telegram said no: POST https://api.telegram.org/bot${BOT_TOKEN}/sendMessage answered 502`);
        },
        { backoff: { baseMs: 200, maxMs: 10_000, jitter: 0 } },
      );
      flaky = (await outbox().enqueue({ kind: 'test.flaky', payload: { chatId: 7 }, maxAttempts: 3 })).job;
    });

    it('retries with exponential backoff and moves the job to dead after maxAttempts, with lastError recorded', async () => {
      // Attempt 1 fails: failed, due again 200 ms later
      expect(await outbox().runOnce('worker-a')).toMatchObject({ claimed: 1, failed: 1 });
      let stored = await row(flaky.documentId);
      expect(stored).toMatchObject({ state: 'failed', attempts: 1, lockedBy: null, lockedUntil: null });
      expect((stored.runAfter as Date).getTime() - stored.updatedAt.getTime()).toBe(200);
      expect(stored.lastError).toContain('Telegram said no');
      expect(stored.lastError).toContain('answered 502');
      expect(stored.lastError).not.toContain(BOT_TOKEN);
      expect(stored.lastError).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ');

      // Not before its time
      const due = (stored.runAfter as Date).getTime();
      expect(await outbox().claimBatch('worker-a', new Date(due - 1), 10, { kinds: ['test.flaky'] })).toEqual([]);
      expect(flakyRuns).toBe(1);

      // Attempt 2 fails: due again 400 ms later
      await sleep(220);
      expect(await outbox().runOnce('worker-a')).toMatchObject({ failed: 1 });
      stored = await row(flaky.documentId);
      expect(stored).toMatchObject({ state: 'failed', attempts: 2 });
      expect((stored.runAfter as Date).getTime() - stored.updatedAt.getTime()).toBe(400);

      // Attempt 3 of 3 fails: dead, finished, with the error kept
      await sleep(420);
      expect(await outbox().runOnce('worker-a')).toMatchObject({ dead: 1 });
      stored = await row(flaky.documentId);
      expect(stored).toMatchObject({ state: 'dead', attempts: 3, lockedBy: null });
      expect(stored.finishedAt).not.toBeNull();
      expect(stored.lastError).toContain('Telegram said no');

      // And it is not tried again
      await sleep(50);
      await outbox().runOnce('worker-a');
      expect(flakyRuns).toBe(3);
    });

    it('retries a dead job on request (the staff action), with a fresh set of attempts', async () => {
      flakyHealed = true;

      const outcome = await outbox().retry(flaky.documentId);

      expect(outcome).toMatchObject({ ok: true, job: { state: 'queued', attempts: 0 } });
      expect(await outbox().runOnce('worker-a')).toMatchObject({ claimed: 1, done: 1 });
      expect(await row(flaky.documentId)).toMatchObject({ state: 'done', attempts: 1 });
      expect(flakyRuns).toBe(4);
    });

    it('refuses to retry a job that is not dead or failed, or does not exist', async () => {
      expect(await outbox().retry(flaky.documentId)).toEqual({ ok: false, reason: 'not_retryable', state: 'done' });
      expect(await outbox().retry('nosuchdocumentid0000000')).toEqual({ ok: false, reason: 'not_found' });
    });

    it('gives a dead job a fresh set of attempts when a Manager retries it (the state itself is read-only in the content manager)', async () => {
      // Given a job that died on its only attempt
      let healed = false;
      outbox().registerHandler('test.requeue', () => {
        if (!healed) throw new Error('CRM unavailable');
      });
      const { job } = await outbox().enqueue({ kind: 'test.requeue', maxAttempts: 1 });
      await outbox().runOnce('worker-a');
      expect(await row(job.documentId)).toMatchObject({ state: 'dead', attempts: 1 });

      // When a Manager tries to save it with state queued in the admin panel, the worker's state is refused
      healed = true;
      const token = await staffToken(strapi(), 'coworking-manager');
      const edited = await request(strapi().server.httpServer)
        .put(`/content-manager/collection-types/${UID}/${job.documentId}`)
        .set('Authorization', `Bearer ${token}`)
        .send({ state: 'queued' });
      expect(edited.status).toBe(403);
      expect(edited.body.error.message).toMatch(/Retry button/);
      expect(await row(job.documentId)).toMatchObject({ state: 'dead' });
      // and the Retry action (POST /admin/outbox-jobs/:documentId/retry) puts it back in the queue
      const res = await request(strapi().server.httpServer).post(`/admin/outbox-jobs/${job.documentId}/retry`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);

      // Then the worker runs it again and it is done
      expect(await outbox().runOnce('worker-a')).toMatchObject({ claimed: 1, done: 1 });
      expect(await row(job.documentId)).toMatchObject({ state: 'done', attempts: 1 });
    });

    it('moves a job to dead at once when the handler reports a permanent failure', async () => {
      let runs = 0;
      outbox().registerHandler('test.permanent', () => {
        runs += 1;
        throw new OutboxJobError('Forbidden: bot was blocked by the user', { permanent: true });
      });
      const { job } = await outbox().enqueue({ kind: 'test.permanent', maxAttempts: 8 });

      expect(await outbox().runOnce('worker-a')).toMatchObject({ dead: 1 });
      const stored = await row(job.documentId);
      expect(stored).toMatchObject({ state: 'dead', attempts: 1 });
      expect(stored.lastError).toBe('OutboxJobError: Forbidden: bot was blocked by the user');
      expect(runs).toBe(1);
    });

    it('waits at least the retry-after the handler reports', async () => {
      outbox().registerHandler('test.retry-after', () => {
        throw new OutboxJobError('Too Many Requests: retry after 30', { retryAfterMs: 30_000 });
      });
      const { job } = await outbox().enqueue({ kind: 'test.retry-after' });

      await outbox().runOnce('worker-a');

      const stored = await row(job.documentId);
      expect(stored.state).toBe('failed');
      expect((stored.runAfter as Date).getTime() - stored.updatedAt.getTime()).toBeGreaterThanOrEqual(30_000);
    });

    it('fails an attempt that outlives its timeout and aborts the handler’s signal', async () => {
      let aborted = false;
      outbox().registerHandler(
        'test.slow',
        (_job, { signal }) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve();
            });
          }),
        { timeoutMs: 200 },
      );
      const { job } = await outbox().enqueue({ kind: 'test.slow' });

      const started = Date.now();
      expect(await outbox().runOnce('worker-a')).toMatchObject({ failed: 1 });

      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(aborted).toBe(true);
      expect(await row(job.documentId)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'OutboxJobError: timed out after 200 ms' });
    });

    it('survives a handler that throws something that is not an Error', async () => {
      outbox().registerHandler('test.weird-throw', () => {
        throw { password: 'hunter2' };
      });
      const { job } = await outbox().enqueue({ kind: 'test.weird-throw' });

      expect(await outbox().runOnce('worker-a')).toMatchObject({ failed: 1 });
      expect((await row(job.documentId)).lastError).toBe('non-error thrown (object)');
    });
  });

  describe('rate limits', () => {
    it('spaces the starts of a rate-limited kind (1 per 250 ms), even across two workers', async () => {
      // Given a kind limited to one start per 250 ms (as Rubitime needs one per 5 s) and 5 jobs
      const starts: number[] = [];
      outbox().registerHandler('test.rubitime', () => void starts.push(Date.now()), { rateLimit: { intervalMs: 250 } });
      for (let i = 0; i < 5; i++) await outbox().enqueue({ kind: 'test.rubitime', payload: { i } });

      // When two workers drain them
      await drain('test.rubitime', ['worker-a', 'worker-b']);

      // Then they all ran, each start about 250 ms after the one before. The handler reads the clock a moment
      // after the limiter marks the start, and that moment varies with the machine's load: one gap may look a
      // few ms short, but the five starts always span at least four intervals.
      expect(starts).toHaveLength(5);
      starts.sort((a, b) => a - b);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(225);
      expect(starts[4] - starts[0]).toBeGreaterThanOrEqual(4 * 250 - 10);
      expect(await countOf('test.rubitime', ['done'])).toBe(5);
    });

    it('honours a per-key limit (1 per 400 ms per chat) on top of the kind limit, without spending attempts', async () => {
      // Given a Telegram-like kind: 100 starts a second overall, one per 400 ms per chat
      const starts: Array<{ chat: string; at: number }> = [];
      outbox().registerHandler<{ chat: string }>('test.telegram', (job) => void starts.push({ chat: job.payload.chat, at: Date.now() }), {
        rateLimit: { perSecond: 100 },
        keyOf: (payload) => payload.chat,
        perKeyIntervalMs: 400,
      });
      for (const chat of ['A', 'A', 'B', 'A', 'B']) await outbox().enqueue({ kind: 'test.telegram', payload: { chat } });

      // When one worker drains them
      await drain('test.telegram', ['worker-a']);

      // Then the starts of one chat are 400 ms apart, the kind's 10 ms apart, and chats do not wait for each other
      expect(starts).toHaveLength(5);
      const of = (chat: string) => starts.filter((s) => s.chat === chat).map((s) => s.at);
      for (const chat of ['A', 'B']) {
        const times = of(chat);
        const gaps = times.slice(1).map((at, i) => at - times[i]);
        // As above: the handler's clock reading trails the limiter's mark by a load-dependent moment.
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(375);
      }
      const all = starts.map((s) => s.at).sort((a, b) => a - b);
      expect(all[4] - all[0]).toBeGreaterThanOrEqual(4 * 10 - 10);
      expect(of('B')[0]).toBeLessThan(of('A')[1]);
      // Put back for the chat's next slot, not failed: one attempt each.
      const rows = await knex()('outbox_jobs').where({ kind: 'test.telegram' }).select('state', 'attempts');
      expect(rows.map((r) => [r.state, Number(r.attempts)])).toEqual(Array(5).fill(['done', 1]));
    });

    it('refuses inconsistent handler options and a second handler for one kind', () => {
      expect(() => outbox().registerHandler('test.race', () => undefined)).toThrow(/already registered/);
      expect(() => outbox().registerHandler('test.bad-key', () => undefined, { keyOf: () => 'x' })).toThrow(/perKeyIntervalMs/);
      expect(() => outbox().registerHandler('test.bad-rate', () => undefined, { rateLimit: {} })).toThrow(/perSecond/);
    });
  });

  describe('retention (purgeFinished, OUTBOX_RETENTION_DAYS = 30 by default)', () => {
    const statesOf = async (kind: string) => {
      const rows = await knex()('outbox_jobs').where({ kind }).select('state').count({ n: '*' }).groupBy('state').orderBy('state');
      return Object.fromEntries((rows as unknown as Array<{ state: string; n: number | string }>).map((r) => [r.state, Number(r.n)]));
    };

    it('deletes done jobs finished before the window and keeps recent done, dead, failed, queued and running ones', async () => {
      // Given done jobs from 31 days ago (one holding a dedupe key), 1 day ago and exactly 30 days ago, and
      // jobs in every other state that look just as old
      const now = new Date();
      const old = new Date(now.getTime() - 31 * DAY_MS);
      await insertJobs('test.purge', 3, 'done', old);
      await insertJobs('test.purge', 1, 'done', old, () => 'booking-99:confirmed');
      await insertJobs('test.purge', 2, 'done', new Date(now.getTime() - DAY_MS));
      await insertJobs('test.purge', 1, 'done', new Date(now.getTime() - 30 * DAY_MS));
      await insertJobs('test.purge', 1, 'done', null);
      for (const state of ['dead', 'failed', 'queued', 'running']) await insertJobs('test.purge', 1, state, old);

      // When the old jobs are purged
      const purged = await outbox().purgeFinished(now);

      // Then exactly the four old done jobs are gone (the other tests' done jobs are recent)
      expect(purged).toBe(4);
      expect(await statesOf('test.purge')).toEqual({ dead: 1, done: 4, failed: 1, queued: 1, running: 1 });
      // And the dedupe key of a purged job is free again
      expect((await outbox().enqueue({ kind: 'test.purge', dedupeKey: 'booking-99:confirmed' })).created).toBe(true);
      // And the job finished exactly 30 days before `now` goes one millisecond later, not before
      expect(await outbox().purgeFinished(now)).toBe(0);
      expect(await outbox().purgeFinished(new Date(now.getTime() + 1))).toBe(1);
    });

    it('deletes nothing while the retention is 0 (keep forever), and the cron task does not even look', async () => {
      const now = new Date();
      await insertJobs('test.purge-keep', 2, 'done', new Date(now.getTime() - 400 * DAY_MS));
      const configured = strapi().config.get('outbox.retentionDays');
      strapi().config.set('outbox.retentionDays', 0);
      const purge = jest.spyOn(outbox(), 'purgeFinished');
      try {
        expect(await outbox().purgeFinished(now)).toBe(0);
        purge.mockClear();
        const { outboxPurge } = strapi().config.get('server.cron.tasks') as ReturnType<typeof cronTasks>;
        await outboxPurge.task({ strapi: strapi() });
        expect(purge).not.toHaveBeenCalled();
        expect(await countOf('test.purge-keep', ['done'])).toBe(2);
      } finally {
        purge.mockRestore();
        strapi().config.set('outbox.retentionDays', configured);
      }
      // The setting was all that kept them
      expect(await outbox().purgeFinished(now)).toBe(2);
    });

    it('purges a backlog of 2,500 old done jobs in batches of 1,000', async () => {
      // Given more than two batches' worth of old done jobs
      const now = new Date();
      await insertJobs('test.purge-backlog', 2500, 'done', new Date(now.getTime() - 45 * DAY_MS));
      expect(await countOf('test.purge-backlog')).toBe(2500);
      const deletes: number[] = [];
      const onQuery = (query: { sql: string; bindings?: unknown[] }) => {
        if (/^\s*delete\b/i.test(query.sql)) deletes.push(1);
      };
      knex().on('query', onQuery);

      // When they are purged
      let purged: number;
      try {
        purged = await outbox().purgeFinished(now);
      } finally {
        knex().removeListener('query', onQuery);
      }

      // Then all are gone, in three short DELETEs rather than one long one
      expect(purged).toBe(2500);
      expect(await countOf('test.purge-backlog')).toBe(0);
      expect(deletes).toHaveLength(3);
    });

    it('is run by the registered outboxPurge cron task, which logs how many it purged', async () => {
      // Given the cron task as Strapi registered it (cron itself is off in tests: the task is called by hand)
      const tasks = strapi().config.get('server.cron.tasks') as ReturnType<typeof cronTasks>;
      expect(tasks.outboxPurge.options.rule).toBe('30 17 * * * *');
      await insertJobs('test.purge-cron', 2, 'done', new Date(Date.now() - 31 * DAY_MS));
      const info = jest.spyOn(strapi().log, 'info');
      const purge = jest.spyOn(outbox(), 'purgeFinished');
      try {
        // When it runs, twice
        await tasks.outboxPurge.task({ strapi: strapi() });
        await tasks.outboxPurge.task({ strapi: strapi() });

        // Then the jobs are gone, and only the run that purged something logged
        expect(purge).toHaveBeenCalledTimes(2);
        expect(await countOf('test.purge-cron')).toBe(0);
        const purgeLogs = info.mock.calls.filter(([message]) => String(message).startsWith('outbox: purged'));
        expect(purgeLogs).toEqual([['outbox: purged 2 done job(s) past the retention period']]);
      } finally {
        purge.mockRestore();
        info.mockRestore();
      }
    });
  });
});

describe('transactional outbox (background poller on)', () => {
  let app: TestApp;
  const { strapi, outbox, row } = harness(() => app);

  beforeAll(async () => {
    app = await startStrapi({ OUTBOX_POLL_MS: '50' });
  });

  afterAll(async () => {
    if (app) await app.stop();
  });

  async function waitFor(documentId: string, state: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stored = await row(documentId);
      if (stored.state === state) return stored;
      if (Date.now() > deadline) throw new Error(`job ${documentId} is ${stored.state}, not ${state}, after ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  it('picks up jobs enqueued after boot, keeps going after a handler error, runs kinds independently, and stops with Strapi', async () => {
    const worker = strapi().service('api::outbox-job.worker') as OutboxWorker;
    expect(worker.isRunning()).toBe(true);

    // Given handlers registered after boot, one of them failing
    const seen: unknown[] = [];
    outbox().registerHandler('test.background', (job) => void seen.push(job.payload));
    outbox().registerHandler('test.background-broken', () => {
      throw new Error('the remote end is down');
    });

    // When jobs are enqueued in a transaction, the broken one first
    const [broken, first] = await strapi().db.transaction(({ trx }) =>
      Promise.all([
        outbox().enqueue({ kind: 'test.background-broken', maxAttempts: 1 }, trx),
        outbox().enqueue({ kind: 'test.background', payload: { n: 1 } }, trx),
      ]),
    );

    // Then the poller runs them without being asked
    await waitFor(broken.job.documentId, 'dead');
    await waitFor(first.job.documentId, 'done');
    expect(worker.isRunning()).toBe(true);
    const second = await outbox().enqueue({ kind: 'test.background', payload: { n: 2 } });
    await waitFor(second.job.documentId, 'done');
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);

    // And a slow kind does not hold up another: each kind's batch runs on its own
    let releaseSlow: () => void = () => undefined;
    outbox().registerHandler('test.background-slow', () => new Promise<void>((resolve) => (releaseSlow = resolve)));
    const slow = await outbox().enqueue({ kind: 'test.background-slow' });
    await waitFor(slow.job.documentId, 'running');
    const third = await outbox().enqueue({ kind: 'test.background', payload: { n: 3 } });
    await waitFor(third.job.documentId, 'done');
    expect((await row(slow.job.documentId)).state).toBe('running');
    releaseSlow();
    await waitFor(slow.job.documentId, 'done');

    // And Strapi's destroy stops it
    await app.stop();
    app = undefined as unknown as TestApp;
    expect(worker.isRunning()).toBe(false);
  });
});
