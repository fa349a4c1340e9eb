/**
 * The newsletter dispatcher (docs/NEWSLETTERS.md, Operators: delivery). A loop in every process that runs the
 * worker (NEWSLETTER_WORKER, default on). Each pass (`tick`):
 *
 * 1. promotes scheduled newsletters whose time has come to `sending` (an UPDATE … WHERE state = 'scheduled' per
 *    newsletter, with its `newsletter.started` audit row in the same transaction, written by the process that won);
 * 2. materialises the recipients of sending newsletters that have none yet (audience.materialise, in batches),
 *    under a lease on the newsletter row (lockedBy / lockedUntil), so one process does it;
 * 3. per channel, claims due deliveries (queued with runAfter ≤ now, or `sending` whose lease expired: their
 *    worker died) atomically with a lease — an UPDATE … RETURNING per kind, on PostgreSQL over a FOR UPDATE SKIP
 *    LOCKED subquery — at most what the channel's rate allows in about two seconds, and sends them with up to
 *    NEWSLETTER_CONCURRENCY in flight, each after its slot from the shared limiter; the next claim is made while
 *    the last NEWSLETTER_CONCURRENCY of the previous one go out (one claim ahead at most), so the rate has no gap
 *    at claim boundaries;
 * 4. records each outcome in one transaction with the newsletter's counter change, fenced by the claim (same
 *    worker, same attempt, still `sending`), so a worker whose lease was taken over writes nothing;
 * 5. finishes newsletters with nothing queued or in flight: `sent` (or `failed` when nothing was sent and
 *    something failed), finishedAt, counters recounted from the rows, and a `newsletter.finished` audit row.
 *
 * Exactly once: a delivery is marked sent with its message id right after Telegram answers. A crash between the
 * answer and the mark is the only window: those deliveries (at most NEWSLETTER_CONCURRENCY per process) are
 * claimed again when their lease expires and sent a second time. Claimed deliveries not yet sent when the process
 * dies are simply claimed again (nobody skipped).
 *
 * Memory stays flat: deliveries are only ever read in claims of a few dozen rows; counts are SQL aggregates.
 */
import { hostname } from 'os';
import { randomBytes } from 'crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { readSettings } from '../config';
import { AUDIT_UID, DELIVERY_UID, fromTable, NEWSLETTER_UID, parseJson, tableLayout, text, USER_UID, type TableLayout } from '../db';
import { backoffMs, claimSize } from '../domain/rate';
import { recipientVars } from '../domain/template';
import type { Channel, DeliveryRow, MediaView, NewsletterContent, RecipientVars, SendOutcome } from '../types';


/** Claims cover about this much sending time at the channel's rate. */
const CLAIM_HORIZON_MS = 2000;
const CLAIM_MAX = 200;
/** A newsletter's state is re-read before a send when the cached one is older than this. */
const STATE_CACHE_MS = 250;
/** One tick sends for at most this long, then lets the loop promote / materialise / finish again. */
const PASS_MAX_MS = 5000;
const ERROR_MAX = 2000;

export interface ChannelSender {
  send(delivery: DeliveryRow, content: NewsletterContent, vars: RecipientVars, options?: { signal?: AbortSignal; onFirstStep?: (messageId: string) => Promise<void> }): Promise<SendOutcome>;
}

interface Limiter {
  acquire(channel: Channel, signal?: AbortSignal): Promise<void>;
  pause(channel: Channel, ms: number): Promise<void>;
  rate(channel: Channel): number;
}

interface Audience {
  materialise?: (newsletterId: number, options: { batchSize: number }) => Promise<{ inserted: number; done: boolean }>;
}

export interface TickSummary {
  promoted: number;
  materialised: number;
  claimed: number;
  sent: number;
  failed: number;
  blocked: number;
  retried: number;
  throttled: number;
  released: number;
  cancelled: number;
  finished: number;
  /** More is due right away (the pass ran out of time, or a claim came back full). */
  busy: boolean;
}

const emptySummary = (): TickSummary => ({
  promoted: 0,
  materialised: 0,
  claimed: 0,
  sent: 0,
  failed: 0,
  blocked: 0,
  retried: 0,
  throttled: 0,
  released: 0,
  cancelled: 0,
  finished: 0,
  busy: false,
});

const toDate = (value: unknown): Date | null => {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return new Date(Number(value));
  return new Date(String(value));
};

const clip = (value: string, max = ERROR_MAX) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

const dispatcherService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const workerId = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  let running = false;
  let loopDone: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let stopping = new AbortController();
  let ticking: Promise<TickSummary> | null = null;
  /** Newsletters being materialised by this process. */
  const materialising = new Map<number, Promise<void>>();
  const stateCache = new Map<number, { state: string; at: number }>();

  // ------------------------------------------------------------------ tables and columns

  let layout: { n: TableLayout; d: TableLayout; u: TableLayout } | null = null;
  const columns = (uid: string, names: string[]) => tableLayout(strapi, uid, names);
  const model = () =>
    (layout ??= {
      n: columns(NEWSLETTER_UID, [
        'id', 'documentId', 'title', 'body', 'bodyEn', 'subject', 'subjectEn', 'emailHtml', 'emailHtmlEn', 'buttons', 'telegramFileIds',
        'onlyMarketingConsent', 'state', 'scheduledAt', 'startedAt', 'finishedAt', 'materialisedAt', 'pausedAt', 'lockedBy', 'lockedUntil',
        'lastError', 'totalCount', 'sentCount', 'failedCount', 'blockedCount', 'cancelledCount', 'updatedAt',
      ]),
      d: columns(DELIVERY_UID, [
        'id', 'documentId', 'newsletterRef', 'memberRef', 'channel', 'telegramId', 'email', 'language', 'state', 'attempts', 'runAfter',
        'lockedBy', 'lockedUntil', 'errorCode', 'error', 'sentAt', 'telegramMessageId', 'providerMessageId', 'updatedAt',
      ]),
      u: columns(USER_UID, ['id', 'fullName', 'email', 'phone', 'telegramUsername', 'successfulBookings', 'botBlocked', 'botBlockedAt', 'updatedAt']),
    });
  const knex = (): Knex => strapi.db.connection;
  const isPostgres = () => strapi.db.dialect.client === 'postgres';
  const from = (k: Knex | Knex.Transaction, name: string) => fromTable(strapi, k, name);
  const N = (k: Knex | Knex.Transaction = knex()) => from(k, model().n.table);
  const D = (k: Knex | Knex.Transaction = knex()) => from(k, model().d.table);
  const U = (k: Knex | Knex.Transaction = knex()) => from(k, model().u.table);

  const toDelivery = (row: Record<string, unknown>): DeliveryRow => {
    const { c } = model().d;
    return {
      id: Number(row[c.id]),
      documentId: String(row[c.documentId] ?? ''),
      newsletterRef: Number(row[c.newsletterRef]),
      memberRef: Number(row[c.memberRef]),
      channel: row[c.channel] as Channel,
      telegramId: text(row[c.telegramId]),
      email: text(row[c.email]),
      language: (row[c.language] === 'en' ? 'en' : 'ru') as DeliveryRow['language'],
      state: row[c.state] as DeliveryRow['state'],
      attempts: Number(row[c.attempts] ?? 0),
      runAfter: toDate(row[c.runAfter]),
      lockedBy: text(row[c.lockedBy]),
      lockedUntil: toDate(row[c.lockedUntil]),
      errorCode: text(row[c.errorCode]),
      error: text(row[c.error]),
      sentAt: toDate(row[c.sentAt]),
      telegramMessageId: text(row[c.telegramMessageId]),
      providerMessageId: text(row[c.providerMessageId]),
    };
  };

  // ------------------------------------------------------------------ collaborators

  const plugin = () => strapi.plugin('newsletter');
  const limiter = () => plugin().service('limiter') as unknown as Limiter;
  const senderOf = (channel: Channel): ChannelSender | null => {
    const service = plugin().service(channel) as Partial<ChannelSender> | undefined;
    return service && typeof service.send === 'function' ? (service as ChannelSender) : null;
  };

  /** The newsletter's content: newsletters.contentOf (helper A) when there, else read here. */
  async function contentOf(id: number): Promise<NewsletterContent | null> {
    const owner = plugin().service('newsletters') as { contentOf?: (id: number) => Promise<NewsletterContent | null> };
    if (typeof owner?.contentOf === 'function') {
      const content = await owner.contentOf(id);
      if (content) return content;
    }
    const row = (await strapi.db.query(NEWSLETTER_UID).findOne({
      where: { id },
      populate: { media: { select: ['id', 'name', 'url', 'mime', 'size', 'width', 'height'] } },
    })) as Record<string, unknown> | null;
    if (!row) return null;
    const media = ((row.media as Array<Record<string, unknown>> | null) ?? []).map(
      (m): MediaView => ({
        id: Number(m.id),
        name: String(m.name ?? ''),
        url: String(m.url ?? ''),
        mime: String(m.mime ?? ''),
        size: Number(m.size ?? 0),
        width: m.width === null || m.width === undefined ? null : Number(m.width),
        height: m.height === null || m.height === undefined ? null : Number(m.height),
      }),
    );
    return {
      id: Number(row.id),
      documentId: String(row.documentId),
      title: String(row.title ?? ''),
      body: text(row.body),
      bodyEn: text(row.bodyEn),
      subject: text(row.subject),
      subjectEn: text(row.subjectEn),
      emailHtml: text(row.emailHtml),
      emailHtmlEn: text(row.emailHtmlEn),
      buttons: parseJson(row.buttons, []),
      media,
      telegramFileIds: parseJson<string[] | null>(row.telegramFileIds, null),
      serviceNotice: row.onlyMarketingConsent === false,
    };
  }

  /** The telegram_file_ids stored now (they may have arrived since the content was read). */
  async function storedFileIds(id: number): Promise<string[] | null> {
    const { c } = model().n;
    const row = await N().where(c.id, id).first(c.telegramFileIds);
    return parseJson<string[] | null>(row?.[c.telegramFileIds], null);
  }

  async function stateOf(id: number, fresh = false): Promise<string | null> {
    const cached = stateCache.get(id);
    const now = Date.now();
    if (!fresh && cached && now - cached.at <= STATE_CACHE_MS) return cached.state;
    const { c } = model().n;
    const row = await N().where(c.id, id).first(c.state);
    const state = row ? String(row[c.state]) : null;
    if (state === null) stateCache.delete(id);
    else stateCache.set(id, { state, at: now });
    return state;
  }

  // ------------------------------------------------------------------ counters

  const counterColumn: Partial<Record<string, string>> = {
    sent: 'sentCount',
    failed: 'failedCount',
    blocked: 'blockedCount',
    cancelled: 'cancelledCount',
  };

  async function bump(trx: Knex.Transaction, newsletterId: number, state: string, by: number, now: Date) {
    const name = counterColumn[state];
    if (!name || by === 0) return;
    const { c } = model().n;
    await N(trx)
      .where(c.id, newsletterId)
      .update({ [c[name]]: trx.raw('COALESCE(??, 0) + ?', [c[name], by]), [c.updatedAt]: now });
  }

  /** Counters from the rows (the truth); total included. */
  async function recount(newsletterId: number, trx: Knex | Knex.Transaction = knex()): Promise<Record<string, number>> {
    const { d, n } = model();
    const rows = (await D(trx)
      .where(d.c.newsletterRef, newsletterId)
      .select(d.c.state)
      .count({ count: '*' })
      .groupBy(d.c.state)) as Array<Record<string, unknown>>;
    const by: Record<string, number> = { queued: 0, sending: 0, sent: 0, failed: 0, blocked: 0, cancelled: 0 };
    for (const row of rows) by[String(row[d.c.state])] = Number(row.count);
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    await N(trx)
      .where(n.c.id, newsletterId)
      .update({
        [n.c.totalCount]: total,
        [n.c.sentCount]: by.sent,
        [n.c.failedCount]: by.failed,
        [n.c.blockedCount]: by.blocked,
        [n.c.cancelledCount]: by.cancelled,
      });
    return { ...by, total };
  }

  // ------------------------------------------------------------------ claims and outcomes

  /**
   * Due deliveries of one kind: `queued` ones whose runAfter has come, or `abandoned` ones (`sending` whose lease
   * expired: their worker died). Two queries, not one with an OR on the state: each is a range of the index
   * (newsletter_ref, channel, state, id) already in id order, so a claim reads about `limit` index entries however
   * long the queue is; with the OR the database collected every due row of the newsletter and sorted them by id
   * (on SQLite ≈ 14 ms for 100,000 queued, 1.2 ms for 10,000, blocking the event loop every claim).
   */
  type Due = 'queued' | 'abandoned';
  const dueFor = (query: Knex.QueryBuilder, newsletterId: number, channel: Channel, kind: Due, now: Date) => {
    const { c } = model().d;
    query.where(c.newsletterRef, newsletterId).andWhere(c.channel, channel);
    return kind === 'queued'
      ? query.andWhere(c.state, 'queued').andWhere((t) => t.whereNull(c.runAfter).orWhere(c.runAfter, '<=', now))
      : query.andWhere(c.state, 'sending').andWhere(c.lockedUntil, '<', now);
  };

  /** Takes up to `limit` due deliveries of one newsletter and channel for this worker (counts an attempt). */
  async function claim(newsletterId: number, channel: Channel, limit: number, now: Date): Promise<DeliveryRow[]> {
    // Abandoned ones first (few, and only when a worker died), then the queue.
    const abandoned = await claimDue(newsletterId, channel, 'abandoned', limit, now);
    const queued = abandoned.length < limit ? await claimDue(newsletterId, channel, 'queued', limit - abandoned.length, now) : [];
    return [...abandoned, ...queued].sort((a, b) => a.id - b.id);
  }

  async function claimDue(newsletterId: number, channel: Channel, kind: Due, limit: number, now: Date): Promise<DeliveryRow[]> {
    const { c } = model().d;
    const k = knex();
    const pick = dueFor(D(k).select(c.id), newsletterId, channel, kind, now).orderBy(c.id).limit(limit);
    const update = D(k).where(c.newsletterRef, newsletterId).andWhere(c.channel, channel);
    if (isPostgres()) {
      pick.forUpdate().skipLocked();
      update.whereRaw('?? = ANY(ARRAY?)', [c.id, pick]);
      // Re-checked on the row itself: another claim may have taken it between the snapshot and the lock.
      dueFor(update, newsletterId, channel, kind, now);
    } else {
      update.whereIn(c.id, pick);
    }
    const rows = (await update
      .update({
        [c.state]: 'sending',
        [c.attempts]: k.raw('COALESCE(??, 0) + 1', [c.attempts]),
        [c.lockedBy]: workerId,
        [c.lockedUntil]: new Date(now.getTime() + settings.leaseMs),
        [c.updatedAt]: now,
      })
      .returning('*')) as Array<Record<string, unknown>>;
    return rows.map(toDelivery);
  }

  /** Only this claim (this worker, this attempt, still sending) may write the delivery's outcome. */
  const fenced = (k: Knex | Knex.Transaction, delivery: DeliveryRow) => {
    const { c } = model().d;
    return D(k).where(c.id, delivery.id).andWhere(c.state, 'sending').andWhere(c.lockedBy, workerId).andWhere(c.attempts, delivery.attempts);
  };

  type Recorded = 'sent' | 'failed' | 'blocked' | 'retried' | 'throttled' | 'released' | 'cancelled' | 'stale';

  /** Writes one outcome and its counter change in one transaction. */
  async function record(delivery: DeliveryRow, outcome: SendOutcome, now = new Date()): Promise<Recorded> {
    const { d, n, u } = model();
    return strapi.db.transaction(async ({ trx }) => {
      const base = { [d.c.lockedBy]: null, [d.c.lockedUntil]: null, [d.c.updatedAt]: now };
      let state: string;
      let data: Record<string, unknown>;
      let result: Recorded;
      switch (outcome.kind) {
        case 'sent':
          state = 'sent';
          result = 'sent';
          data = { [d.c.state]: 'sent', [d.c.sentAt]: now, [d.c.errorCode]: null, [d.c.error]: null, [d.c.runAfter]: null };
          if (delivery.channel === 'telegram') data[d.c.telegramMessageId] = outcome.messageId;
          else data[d.c.providerMessageId] = outcome.messageId ? clip(outcome.messageId, 255) : null;
          break;
        case 'blocked':
          state = 'blocked';
          result = 'blocked';
          data = { [d.c.state]: 'blocked', [d.c.errorCode]: outcome.code, [d.c.error]: clip(outcome.error) };
          break;
        case 'failed':
          state = 'failed';
          result = 'failed';
          data = { [d.c.state]: 'failed', [d.c.errorCode]: outcome.code, [d.c.error]: clip(outcome.error) };
          break;
        case 'retry':
          if (delivery.attempts >= settings.maxAttempts) {
            state = 'failed';
            result = 'failed';
            data = {
              [d.c.state]: 'failed',
              [d.c.errorCode]: 'too_many_attempts',
              [d.c.error]: clip(`${delivery.attempts} attempts; the last: ${outcome.error}`),
            };
          } else {
            state = 'queued';
            result = 'retried';
            const wait = backoffMs(delivery.attempts, settings.retryBaseMs, outcome.afterMs ?? 0);
            data = {
              [d.c.state]: 'queued',
              [d.c.runAfter]: new Date(now.getTime() + wait),
              [d.c.errorCode]: outcome.code,
              [d.c.error]: clip(outcome.error),
            };
          }
          break;
        case 'throttled':
          state = 'queued';
          result = 'throttled';
          data = {
            [d.c.state]: 'queued',
            [d.c.runAfter]: new Date(now.getTime() + outcome.retryAfterMs),
            // A 429 is not the delivery's fault: the attempt is given back.
            [d.c.attempts]: Math.max(0, delivery.attempts - 1),
            [d.c.error]: clip(outcome.error),
          };
          break;
      }
      const changed = Number(await fenced(trx, delivery).update({ ...base, ...data }));
      if (changed !== 1) return 'stale';
      await bump(trx, delivery.newsletterRef, state, 1, now);
      if (outcome.kind === 'sent' && outcome.fileIds?.length) {
        await N(trx)
          .where(n.c.id, delivery.newsletterRef)
          .whereNull(n.c.telegramFileIds)
          .update({ [n.c.telegramFileIds]: JSON.stringify(outcome.fileIds) });
      }
      if (outcome.kind === 'blocked' && delivery.channel === 'telegram') {
        await U(trx).where(u.c.id, delivery.memberRef).update({ [u.c.botBlocked]: true, [u.c.botBlockedAt]: now, [u.c.updatedAt]: now });
      }
      return result;
    });
  }

  /** Gives claimed, unsent deliveries back (paused, stopping, lease running out): no attempt spent. */
  async function release(delivery: DeliveryRow, now = new Date()): Promise<boolean> {
    const { c } = model().d;
    const changed = await fenced(knex(), delivery).update({
      [c.state]: 'queued',
      [c.attempts]: Math.max(0, delivery.attempts - 1),
      [c.lockedBy]: null,
      [c.lockedUntil]: null,
      [c.updatedAt]: now,
    });
    return Number(changed) === 1;
  }

  async function cancelClaimed(delivery: DeliveryRow, now = new Date()): Promise<boolean> {
    const { c } = model().d;
    return strapi.db.transaction(async ({ trx }) => {
      const changed = Number(
        await fenced(trx, delivery).update({ [c.state]: 'cancelled', [c.lockedBy]: null, [c.lockedUntil]: null, [c.updatedAt]: now }),
      );
      if (changed === 1) await bump(trx, delivery.newsletterRef, 'cancelled', 1, now);
      return changed === 1;
    });
  }

  /** Records the first step of a two-step delivery (album, then text), so a retry sends only the text. */
  async function noteFirstStep(delivery: DeliveryRow, messageId: string): Promise<void> {
    const { c } = model().d;
    await fenced(knex(), delivery).update({ [c.telegramMessageId]: messageId });
  }

  // ------------------------------------------------------------------ the passes

  /** An audit row written by the dispatcher itself (in the caller's transaction: strapi.db.transaction's context). */
  async function auditSystem(action: string, documentId: string, before: unknown, after: unknown, at: Date): Promise<void> {
    await strapi.db.query(AUDIT_UID).create({
      data: { actorType: 'system', actorId: null, actorLabel: 'newsletter dispatcher', action, subjectType: NEWSLETTER_UID, subjectId: documentId, before, after, at },
    });
  }

  /**
   * Scheduled newsletters whose time has come → sending, each in its own transaction with its audit row. The UPDATE
   * is conditional on `scheduled`: with several processes only the one whose UPDATE changed the row writes the row.
   */
  async function promote(now: Date): Promise<number> {
    const { c } = model().n;
    const due = (await N()
      .where(c.state, 'scheduled')
      .andWhere(c.scheduledAt, '<=', now)
      .orderBy(c.id)
      .select(c.id, c.documentId)
      .limit(100)) as Array<Record<string, unknown>>;
    let count = 0;
    for (const row of due) {
      count += await strapi.db.transaction(async ({ trx }) => {
        const changed = Number(
          await N(trx)
            .where(c.id, Number(row[c.id]))
            .andWhere(c.state, 'scheduled')
            .andWhere(c.scheduledAt, '<=', now)
            .update({ [c.state]: 'sending', [c.startedAt]: now, [c.updatedAt]: now }),
        );
        if (changed === 1) await auditSystem('newsletter.started', String(row[c.documentId]), { state: 'scheduled' }, { state: 'sending', startedAt: now.toISOString() }, now);
        return changed === 1 ? 1 : 0;
      });
    }
    if (count > 0) strapi.log.info(`newsletter: ${count} scheduled newsletter(s) started`);
    return count;
  }

  /** Materialises under the newsletter's lease; resolves when done, lost the lease, or the newsletter left `sending`. */
  async function materialise(id: number): Promise<number> {
    const audience = plugin().service('audience') as Audience;
    if (typeof audience?.materialise !== 'function') return 0;
    const { c } = model().n;
    const take = async () => {
      const now = new Date();
      return Number(
        await N()
          .where(c.id, id)
          .andWhere(c.state, 'sending')
          .whereNull(c.materialisedAt)
          .andWhere((free) => free.whereNull(c.lockedBy).orWhere(c.lockedUntil, '<', now).orWhere(c.lockedBy, workerId))
          .update({ [c.lockedBy]: workerId, [c.lockedUntil]: new Date(now.getTime() + settings.leaseMs) }),
      );
    };
    let inserted = 0;
    try {
      while (!stopping.signal.aborted) {
        if ((await take()) !== 1) break;
        const result = await audience.materialise(id, { batchSize: settings.materialiseBatch });
        inserted += result.inserted;
        if (result.done) break;
      }
    } finally {
      await N()
        .where(c.id, id)
        .andWhere(c.lockedBy, workerId)
        .update({ [c.lockedBy]: null, [c.lockedUntil]: null })
        .catch(() => undefined);
    }
    if (inserted > 0) strapi.log.info(`newsletter ${id}: ${inserted} recipient(s) listed`);
    return inserted;
  }

  /**
   * Sends one newsletter's due deliveries of one channel for up to `until`; true when more is due.
   *
   * The pipeline is kept full across claims: NEWSLETTER_CONCURRENCY workers take deliveries from one local queue,
   * and when no more than NEWSLETTER_CONCURRENCY claimed deliveries are left in it the next claim is made while the
   * last ones are being sent (it used to wait for the last send of a batch to be answered and recorded; the
   * limiter never makes a missed slot up, so every batch boundary lost 30–75 ms of sending). At most one claim
   * ahead: claimed but unsent deliveries stay ≤ claim size + concurrency, each sent in order or, when the process
   * stops or the newsletter is paused or cancelled, released / cancelled by the worker that reaches it (none of
   * them has gone out, so a crash re-sends nothing but the sends in flight).
   */
  async function sendNewsletter(id: number, channel: Channel, sender: ChannelSender, until: number, summary: TickSummary): Promise<boolean> {
    let content = await contentOf(id);
    if (!content) return false;
    const vars = new Map<number, RecipientVars>();

    // Images not uploaded yet: one delivery at a time until Telegram has given us their file_ids.
    for (;;) {
      if (stopping.signal.aborted || Date.now() >= until) return true;
      if ((await stateOf(id, true)) !== 'sending') return false;
      if (!(channel === 'telegram' && content.media.length > 0 && !content.telegramFileIds?.length)) break;
      const stored = await storedFileIds(id);
      if (stored?.length) {
        content = { ...content, telegramFileIds: stored };
        break;
      }
      const [delivery] = await claim(id, channel, 1, new Date());
      if (!delivery) return false;
      summary.claimed += 1;
      await loadVars([delivery], vars);
      await sendOne(delivery, content, vars.get(delivery.memberRef) ?? recipientVars({}), sender, summary);
      vars.clear();
      const ids = await storedFileIds(id);
      if (ids?.length) content = { ...content, telegramFileIds: ids };
    }

    const current = content;
    const limit = claimSize(limiter().rate(channel), CLAIM_HORIZON_MS, CLAIM_MAX);
    const lowWater = settings.concurrency;
    const queue: DeliveryRow[] = [];
    /** Nothing more due right now (a claim came back short, or the newsletter left `sending`). */
    let exhausted = false;
    let claiming: Promise<void> | null = null;
    let failure: unknown = null;
    const refill = (): Promise<void> | null => {
      if (claiming || exhausted || stopping.signal.aborted || Date.now() >= until) return claiming;
      claiming = (async () => {
        if ((await stateOf(id, true)) !== 'sending') {
          exhausted = true;
          return;
        }
        const batch = await claim(id, channel, limit, new Date());
        if (batch.length < limit) exhausted = true;
        if (batch.length === 0) return;
        summary.claimed += batch.length;
        await loadVars(batch, vars);
        queue.push(...batch);
      })()
        .catch((error: unknown) => {
          if (!failure) failure = error;
          exhausted = true;
        })
        .finally(() => {
          claiming = null;
        });
      return claiming;
    };
    const worker = async () => {
      for (;;) {
        if (queue.length <= lowWater) refill();
        const delivery = queue.shift();
        if (!delivery) {
          const pending = claiming as Promise<void> | null;
          if (!pending) return;
          await pending;
          continue;
        }
        const memberVars = vars.get(delivery.memberRef) ?? recipientVars({});
        vars.delete(delivery.memberRef);
        await sendOne(delivery, current, memberVars, sender, summary);
      }
    };
    await refill();
    if (queue.length > 0) await Promise.all(Array.from({ length: settings.concurrency }, worker));
    if (failure) throw failure;
    return !exhausted;
  }

  async function loadVars(batch: DeliveryRow[], into: Map<number, RecipientVars>): Promise<void> {
    const { c } = model().u;
    const ids = [...new Set(batch.map((d) => d.memberRef))];
    const rows = (await U().whereIn(c.id, ids).select(c.id, c.fullName, c.email, c.phone, c.telegramUsername, c.successfulBookings)) as Array<
      Record<string, unknown>
    >;
    for (const row of rows) {
      into.set(
        Number(row[c.id]),
        recipientVars({
          fullName: text(row[c.fullName]),
          email: text(row[c.email]),
          phone: text(row[c.phone]),
          telegramUsername: text(row[c.telegramUsername]),
          successfulBookings: row[c.successfulBookings] === null ? 0 : Number(row[c.successfulBookings]),
        }),
      );
    }
  }

  async function sendOne(delivery: DeliveryRow, content: NewsletterContent, vars: RecipientVars, sender: ChannelSender, summary: TickSummary) {
    const label = `newsletter ${delivery.newsletterRef}: delivery ${delivery.id}`;
    try {
      const state = await stateOf(delivery.newsletterRef);
      if (state === 'paused') {
        if (await release(delivery)) summary.released += 1;
        return;
      }
      if (state !== 'sending') {
        if (await cancelClaimed(delivery)) summary.cancelled += 1;
        return;
      }
      // Not enough of the lease left to send and record safely: give it back.
      const leaseEnd = delivery.lockedUntil?.getTime() ?? 0;
      if (leaseEnd - Date.now() < Math.min(5000, settings.leaseMs / 4)) {
        if (await release(delivery)) summary.released += 1;
        return;
      }
      try {
        await limiter().acquire(delivery.channel, stopping.signal);
      } catch {
        if (await release(delivery)) summary.released += 1;
        return;
      }
      // The state may have changed while waiting for the slot.
      const after = await stateOf(delivery.newsletterRef);
      if (after !== 'sending') {
        if (after === 'paused') {
          if (await release(delivery)) summary.released += 1;
        } else if (await cancelClaimed(delivery)) summary.cancelled += 1;
        return;
      }
      let outcome: SendOutcome;
      try {
        outcome = await sender.send(delivery, content, vars, { onFirstStep: (messageId) => noteFirstStep(delivery, messageId) });
      } catch (error) {
        outcome = { kind: 'retry', code: delivery.channel === 'telegram' ? 'network' : 'smtp_unavailable', error: clip(String((error as Error)?.message ?? error)) };
      }
      if (outcome.kind === 'throttled') await limiter().pause(delivery.channel, outcome.retryAfterMs);
      const result = await record(delivery, outcome);
      if (result === 'stale') strapi.log.warn(`${label}: its lease was taken over; the outcome (${outcome.kind}) is not recorded`);
      else summary[result] += 1;
    } catch (error) {
      // Only the database can get here: the lease brings the delivery back.
      strapi.log.error(`${label}: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /** Deliveries left `sending` by a dead worker of a paused or cancelled newsletter (nobody claims those). */
  async function tidyAbandoned(now: Date, summary: TickSummary): Promise<void> {
    const { d, n } = model();
    const refs = (await D()
      .where(d.c.state, 'sending')
      .andWhere(d.c.lockedUntil, '<', now)
      .distinct(d.c.newsletterRef)
      .limit(20)) as Array<Record<string, unknown>>;
    for (const ref of refs) {
      const id = Number(ref[d.c.newsletterRef]);
      const row = await N().where(n.c.id, id).first(n.c.state);
      const state = row ? String(row[n.c.state]) : 'cancelled';
      if (state === 'sending') continue; // claimed again by the send pass
      const abandoned = (q: Knex.QueryBuilder) => q.where(d.c.newsletterRef, id).andWhere(d.c.state, 'sending').andWhere(d.c.lockedUntil, '<', now);
      if (state === 'paused') {
        summary.released += Number(
          await abandoned(D()).update({ [d.c.state]: 'queued', [d.c.lockedBy]: null, [d.c.lockedUntil]: null, [d.c.updatedAt]: now }),
        );
      } else {
        await strapi.db.transaction(async ({ trx }) => {
          const changed = Number(
            await abandoned(D(trx)).update({ [d.c.state]: 'cancelled', [d.c.lockedBy]: null, [d.c.lockedUntil]: null, [d.c.updatedAt]: now }),
          );
          if (changed > 0 && row) await recount(id, trx);
          summary.cancelled += changed;
        });
      }
    }
  }

  /** `sent` (or `failed`) once nothing is queued or in flight and the recipients are all listed. */
  async function finishIfDone(id: number, now: Date): Promise<boolean> {
    const { d, n } = model();
    return strapi.db.transaction(async ({ trx }) => {
      const row = await N(trx).where(n.c.id, id).first(n.c.state, n.c.materialisedAt, n.c.documentId);
      if (!row || row[n.c.state] !== 'sending' || !row[n.c.materialisedAt]) return false;
      const open = await D(trx).where(d.c.newsletterRef, id).whereIn(d.c.state, ['queued', 'sending']).first(d.c.id);
      if (open) return false;
      const counts = await recount(id, trx);
      const state = counts.sent === 0 && counts.failed + counts.blocked > 0 ? 'failed' : 'sent';
      const changed = Number(
        await N(trx)
          .where(n.c.id, id)
          .andWhere(n.c.state, 'sending')
          .update({
            [n.c.state]: state,
            [n.c.finishedAt]: now,
            [n.c.updatedAt]: now,
            ...(state === 'failed' ? { [n.c.lastError]: 'No message could be delivered; see the recipients for the reasons.' } : {}),
          }),
      );
      if (changed === 1) {
        const { total, sent, failed, blocked, cancelled } = counts;
        await auditSystem('newsletter.finished', String(row[n.c.documentId]), { state: 'sending' }, { state, finishedAt: now.toISOString(), total, sent, failed, blocked, cancelled }, now);
        stateCache.delete(id);
        strapi.log.info(`newsletter ${id}: ${state} (${counts.sent} sent, ${counts.failed} failed, ${counts.blocked} blocked, ${counts.cancelled} cancelled)`);
      }
      return changed === 1;
    });
  }

  async function tick(now: Date = new Date()): Promise<TickSummary> {
    const summary = emptySummary();
    const { n } = model();
    summary.promoted = await promote(now);
    await tidyAbandoned(now, summary);

    const active = (await N()
      .where(n.c.state, 'sending')
      .orderBy(n.c.id)
      .select(n.c.id, n.c.materialisedAt)
      .limit(100)) as Array<Record<string, unknown>>;

    // Listing recipients runs alongside the sending of what is listed already.
    const listing: Promise<void>[] = [];
    for (const row of active) {
      const id = Number(row[n.c.id]);
      if (row[n.c.materialisedAt] || materialising.has(id)) continue;
      const job = materialise(id)
        .then((count) => {
          summary.materialised += count;
        })
        .catch((error: unknown) => {
          strapi.log.error(`newsletter ${id}: listing the recipients failed: ${(error as Error)?.message ?? String(error)}`);
        })
        .finally(() => materialising.delete(id));
      materialising.set(id, job);
      listing.push(job);
    }

    const until = Date.now() + PASS_MAX_MS;
    const channels = (['telegram', 'email'] as const).map(async (channel) => {
      const sender = senderOf(channel);
      if (!sender) return;
      for (const row of active) {
        const more = await sendNewsletter(Number(row[n.c.id]), channel, sender, until, summary);
        if (more) summary.busy = true;
        if (Date.now() >= until || stopping.signal.aborted) {
          summary.busy = true;
          return;
        }
      }
    });
    await Promise.all([...channels, ...listing]);

    for (const row of active) if (await finishIfDone(Number(row[n.c.id]), new Date())) summary.finished += 1;
    return summary;
  }

  async function loop(): Promise<void> {
    while (running) {
      let busy = false;
      try {
        ticking = tick();
        busy = (await ticking).busy;
      } catch (error) {
        strapi.log.error(`newsletter dispatcher: ${(error as Error)?.message ?? String(error)}`);
      } finally {
        ticking = null;
      }
      if (!running) break;
      if (busy) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, settings.pollMs);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = done;
      });
    }
  }

  return {
    workerId: () => workerId,

    /** Starts the loop (unless NEWSLETTER_WORKER=false, or `force`). Resumes whatever was being sent. */
    start(options: { force?: boolean } = {}): void {
      if (running || (!settings.worker && !options.force)) return;
      running = true;
      stopping = new AbortController();
      loopDone = loop();
      strapi.log.info(`newsletter dispatcher started (${workerId})`);
    },

    /** Stops after the sends in flight are recorded; claimed but unsent deliveries go back to the queue. */
    async stop(): Promise<void> {
      running = false;
      stopping.abort();
      wakeUp?.();
      await loopDone;
      loopDone = null;
      await Promise.all([...materialising.values()]);
    },

    /** Runs the next pass now (after a send, resume or resend). */
    wake(): void {
      stateCache.clear();
      wakeUp?.();
    },

    /** One pass (tests drive it with NEWSLETTER_WORKER=false). */
    async tick(now?: Date): Promise<TickSummary> {
      if (stopping.signal.aborted && !running) stopping = new AbortController();
      return tick(now);
    },

    /** Ticks until nothing is due right away (tests). */
    async drain(maxTicks = 1000): Promise<TickSummary[]> {
      const all: TickSummary[] = [];
      for (let i = 0; i < maxTicks; i++) {
        const summary = await this.tick();
        all.push(summary);
        if (!summary.busy && summary.claimed === 0 && summary.materialised === 0 && summary.promoted === 0) break;
      }
      return all;
    },

    /**
     * Cancels what has not gone out: queued deliveries and `sending` ones whose worker died (lease expired);
     * live claims are cancelled by their worker before it sends. In the caller's transaction, with the counter.
     */
    async cancelQueued(newsletterId: number, trx?: Knex.Transaction, now = new Date()): Promise<number> {
      const run = async (k: Knex.Transaction) => {
        const { c } = model().d;
        const changed = Number(
          await D(k)
            .where(c.newsletterRef, newsletterId)
            .andWhere((either) =>
              either.where(c.state, 'queued').orWhere((dead) => dead.where(c.state, 'sending').andWhere(c.lockedUntil, '<', now)),
            )
            .update({ [c.state]: 'cancelled', [c.lockedBy]: null, [c.lockedUntil]: null, [c.updatedAt]: now }),
        );
        await bump(k, newsletterId, 'cancelled', changed, now);
        return changed;
      };
      stateCache.delete(newsletterId);
      return trx ? run(trx) : strapi.db.transaction(({ trx: own }) => run(own));
    },

    /** Failed deliveries back to the queue with fresh attempts (resend to failed). In the caller's transaction. */
    async requeueFailed(newsletterId: number, trx?: Knex.Transaction, now = new Date()): Promise<number> {
      const run = async (k: Knex.Transaction) => {
        const { c } = model().d;
        const changed = Number(
          await D(k)
            .where(c.newsletterRef, newsletterId)
            .andWhere(c.state, 'failed')
            .update({
              [c.state]: 'queued',
              [c.attempts]: 0,
              [c.runAfter]: now,
              [c.errorCode]: null,
              [c.error]: null,
              [c.lockedBy]: null,
              [c.lockedUntil]: null,
              [c.updatedAt]: now,
            }),
        );
        await bump(k, newsletterId, 'failed', -changed, now);
        return changed;
      };
      stateCache.delete(newsletterId);
      return trx ? run(trx) : strapi.db.transaction(({ trx: own }) => run(own));
    },

    /** Counters recomputed from the rows (also done when a newsletter finishes). */
    recount: (newsletterId: number) => recount(newsletterId),
  };
};

export type DispatcherService = ReturnType<typeof dispatcherService>;
export default dispatcherService;
