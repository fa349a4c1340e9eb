/**
 * Newsletters: compose (create, edit while draft or scheduled, delete), the API's view of one, and the staff's
 * state changes: send now or schedule, pause, resume, cancel, resend to the failed recipients, test send
 * (docs/NEWSLETTERS.md). Every state change writes an audit-log row in the transaction of the change, and is a
 * conditional UPDATE on the state it starts from, so two clicks (or two admins) cannot both win: the loser gets
 * a 409. The dispatcher (services/dispatcher.ts) does the sending; it is woken after a change commits.
 *
 * Rows are written with the query engine (the Document Service's middlewares guard other types' fields and would
 * only add cost here); `publishedAt` is set as the Document Service would for a type without drafts.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { readSettings } from '../config';
import { AUDIT_UID, DELIVERY_UID, iso, NEWSLETTER_UID, parseJson, tableName } from '../db';
import { audienceRuleIssues, audienceSchema, type AudienceSpec } from '../domain/audience';
import { type ComposedContent, contentIssues, type ContentIssue, type CreateInput, type UpdateInput, validateForSending } from '../domain/content';
import { canDelete, canEdit, deleteRefusal, editRefusal, type NewsletterAction, nextState, refusalMessage } from '../domain/state';
import { recipientVars } from '../domain/template';
import type { Channel, Language, MediaView, NewsletterContent, NewsletterState, NewsletterView, RecipientVars, UrlButton } from '../types';

export { DELIVERY_UID, NEWSLETTER_UID };

/** The staff member doing something (from the admin JWT). */
export interface Actor {
  id: number;
  /** `admin:<id> <name>` (http.ts staffLabel). */
  label: string;
  email: string | null;
  firstname?: string | null;
  lastname?: string | null;
  ip: string | null;
}

export type Refusal = { ok: false; status: 404 | 409 | 413 | 415 | 422; code: string; message: string; field?: string; issues?: ContentIssue[] };
export type Outcome<T> = { ok: true; data: T } | Refusal;

export const notFound = (): Refusal => ({ ok: false, status: 404, code: 'not_found', message: 'No newsletter has this id.' });

/** A newsletters row as the query engine returns it (media populated). */
export interface NewsletterRow {
  id: number;
  documentId: string;
  title: string;
  body: string | null;
  bodyEn: string | null;
  channels: unknown;
  subject: string | null;
  subjectEn: string | null;
  emailHtml: string | null;
  emailHtmlEn: string | null;
  buttons: unknown;
  media?: Array<{ id: number; name: string; url: string; mime: string; size: number | string; width: number | null; height: number | null }> | null;
  telegramFileIds: unknown;
  segment: string;
  segmentParams: unknown;
  onlyMarketingConsent: boolean | null;
  state: NewsletterState;
  scheduledAt: Date | string | null;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
  materialisedAt: Date | string | null;
  pausedAt: Date | string | null;
  lastError: string | null;
  createdByLabel: string | null;
  sentByLabel: string | null;
  totalCount: number | null;
  sentCount: number | null;
  failedCount: number | null;
  blockedCount: number | null;
  cancelledCount: number | null;
  openedCount: number | null;
  clickedCount: number | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}


export const channelsOf = (row: Pick<NewsletterRow, 'channels'>): Channel[] =>
  parseJson<unknown[]>(row.channels, []).filter((c): c is Channel => c === 'telegram' || c === 'email');

export const buttonsOf = (row: Pick<NewsletterRow, 'buttons'>): UrlButton[] =>
  parseJson<unknown[]>(row.buttons, []).filter(
    (b): b is UrlButton => typeof b === 'object' && b !== null && typeof (b as UrlButton).text === 'string' && typeof (b as UrlButton).url === 'string',
  );

export function audienceOf(row: Pick<NewsletterRow, 'segment' | 'segmentParams'>): AudienceSpec {
  const parsed = audienceSchema.safeParse({ segment: row.segment, params: parseJson(row.segmentParams, {}) });
  return parsed.success ? parsed.data : { segment: 'all', params: {} };
}

export const mediaOf = (row: Pick<NewsletterRow, 'media'>): MediaView[] =>
  (row.media ?? []).map((file) => ({
    id: file.id,
    name: file.name,
    url: file.url,
    mime: file.mime,
    size: Math.round(Number(file.size) * 1024) || 0, // the upload plugin stores KB
    width: file.width ?? null,
    height: file.height ?? null,
  }));

export const composedOf = (row: NewsletterRow): ComposedContent => ({
  body: row.body ?? null,
  bodyEn: row.bodyEn ?? null,
  subject: row.subject ?? null,
  subjectEn: row.subjectEn ?? null,
  emailHtml: row.emailHtml ?? null,
  emailHtmlEn: row.emailHtmlEn ?? null,
  buttons: buttonsOf(row),
});

export function toView(row: NewsletterRow): NewsletterView {
  return {
    documentId: row.documentId,
    title: row.title,
    channels: channelsOf(row),
    ...composedOf(row),
    media: mediaOf(row),
    audience: audienceOf(row),
    serviceNotice: row.onlyMarketingConsent === false,
    state: row.state,
    scheduledAt: iso(row.scheduledAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    pausedAt: iso(row.pausedAt),
    lastError: row.lastError ?? null,
    counters: {
      total: row.totalCount ?? 0,
      sent: row.sentCount ?? 0,
      failed: row.failedCount ?? 0,
      blocked: row.blockedCount ?? 0,
      cancelled: row.cancelledCount ?? 0,
      opened: row.openedCount ?? 0,
      clicked: row.clickedCount ?? 0,
    },
    createdBy: row.createdByLabel ?? null,
    sentBy: row.sentByLabel ?? null,
    createdAt: iso(row.createdAt) ?? '',
    updatedAt: iso(row.updatedAt) ?? '',
  };
}

export interface ListQuery {
  page: number;
  pageSize: number;
  state?: NewsletterState;
  q?: string;
}

/** The dispatcher's part used here (services/dispatcher.ts, helper B); called only if present. */
interface Dispatcher {
  wake?: () => void;
  cancelQueued?: (newsletterId: number, trx: Knex.Transaction) => Promise<unknown>;
  requeueFailed?: (newsletterId: number, trx: Knex.Transaction) => Promise<unknown>;
}

/** A channel sender's test send (services/telegram.ts, services/email.ts); called only if present. */
interface TestSender {
  sendTest?: (target: string, content: NewsletterContent, vars: RecipientVars, language: Language) => Promise<unknown>;
  enabled?: () => boolean;
}

export interface TestTarget {
  telegramId?: string | null;
  email?: string | null;
  language?: Language;
}

export interface TestResult {
  ok: boolean;
  messageId?: string | null;
  error?: string;
}

/** What a sender's sendTest answered, as the API shows it (a SendOutcome or already `{ ok, … }`). */
function testResultOf(answer: unknown): TestResult {
  if (answer && typeof answer === 'object') {
    const value = answer as { kind?: string; ok?: boolean; messageId?: string | null; error?: string };
    if (value.kind === 'sent') return { ok: true, messageId: value.messageId ?? null };
    if (typeof value.kind === 'string') return { ok: false, error: value.error ?? value.kind };
    if (typeof value.ok === 'boolean') return { ok: value.ok, ...(value.messageId !== undefined ? { messageId: value.messageId } : {}), ...(value.error ? { error: value.error } : {}) };
  }
  return { ok: false, error: 'The sender gave no answer' };
}

class StateChanged extends Error {
  constructor(readonly state: NewsletterState | null) {
    super('state changed');
  }
}

/** The latest moment a newsletter may be scheduled for, from now. */
export const SCHEDULE_MAX_MS = 366 * 86_400_000;

const newslettersService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const plugin = () => strapi.plugin('newsletter');
  const dispatcher = (): Dispatcher => (plugin().service('dispatcher') ?? {}) as Dispatcher;
  const sender = (channel: Channel): TestSender => (plugin().service(channel) ?? {}) as TestSender;
  const audience = () =>
    plugin().service('audience') as {
      count(spec: AudienceSpec, options: { channels: readonly Channel[]; serviceNotice: boolean; now?: Date }): Promise<{ count: number; byChannel: Record<Channel, number> }>;
    };

  async function load(documentId: string): Promise<NewsletterRow | null> {
    if (typeof documentId !== 'string' || documentId.length === 0 || documentId.length > 64) return null;
    return (await strapi.db.query(NEWSLETTER_UID).findOne({ where: { documentId }, populate: { media: true } })) as NewsletterRow | null;
  }

  async function loadById(id: number): Promise<NewsletterRow | null> {
    return (await strapi.db.query(NEWSLETTER_UID).findOne({ where: { id }, populate: { media: true } })) as NewsletterRow | null;
  }

  async function audit(action: string, row: Pick<NewsletterRow, 'documentId'>, actor: Actor, before: unknown, after: unknown): Promise<void> {
    await strapi.db.query(AUDIT_UID).create({
      data: {
        actorType: 'admin',
        actorId: String(actor.id),
        actorLabel: actor.label,
        action,
        subjectType: NEWSLETTER_UID,
        subjectId: row.documentId,
        before,
        after,
        ip: actor.ip,
        at: new Date(),
      },
    });
  }

  const rulesRefusal = (issues: ContentIssue[]): Refusal => ({
    ok: false,
    status: 422,
    code: issues[0].code,
    message: issues[0].message,
    field: issues[0].field,
    issues,
  });

  /** Whether a channel can send at all in this deployment, and why not. */
  function channelOff(channel: Channel): string | null {
    if (channel === 'telegram') return settings.telegram.token ? null : 'Telegram is off: the server has no BOT_TOKEN.';
    const email = sender('email');
    const enabled = typeof email.enabled === 'function' ? email.enabled() : settings.email.enabled;
    return enabled ? null : 'E-mail is off: SMTP is not configured on the server (SMTP_HOST).';
  }

  /**
   * One state change: a conditional UPDATE from the state it starts from, the audit row and `extra` (the
   * dispatcher's part) in one transaction. A concurrent change in between is a 409.
   */
  async function transition(
    row: NewsletterRow,
    action: NewsletterAction,
    actor: Actor,
    auditAction: string,
    data: Record<string, unknown>,
    extra?: (trx: Knex.Transaction) => Promise<void>,
  ): Promise<Outcome<NewsletterView>> {
    const to = nextState(row.state, action);
    if (to === null) return { ok: false, status: 409, code: 'wrong_state', message: refusalMessage(row.state, action) };
    try {
      await strapi.db.transaction(async ({ trx }) => {
        const changed = await strapi.db.query(NEWSLETTER_UID).updateMany({ where: { id: row.id, state: row.state }, data: { ...data, state: to } });
        if (Number(changed.count) !== 1) {
          const now = (await strapi.db.query(NEWSLETTER_UID).findOne({ where: { id: row.id }, select: ['state'] })) as { state: NewsletterState } | null;
          throw new StateChanged(now?.state ?? null);
        }
        await audit(auditAction, row, actor, { state: row.state }, { state: to, ...serialisable(data) });
        if (extra) await extra(trx as unknown as Knex.Transaction);
      });
    } catch (error) {
      if (error instanceof StateChanged) {
        if (error.state === null) return notFound();
        return { ok: false, status: 409, code: 'wrong_state', message: refusalMessage(error.state, action) };
      }
      throw error;
    }
    const wake = dispatcher().wake;
    if (typeof wake === 'function') wake.call(dispatcher());
    return { ok: true, data: toView((await loadById(row.id)) as NewsletterRow) };
  }

  const serialisable = (data: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));

  const service = {
    load,
    loadById,

    async find(query: ListQuery): Promise<{ data: NewsletterView[]; meta: { pagination: { page: number; pageSize: number; total: number; pageCount: number } } }> {
      const where: Record<string, unknown> = {};
      if (query.state) where.state = query.state;
      if (query.q) where.title = { $containsi: query.q };
      const [rows, total] = await Promise.all([
        strapi.db.query(NEWSLETTER_UID).findMany({
          where,
          populate: { media: true },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          offset: (query.page - 1) * query.pageSize,
          limit: query.pageSize,
        }) as Promise<NewsletterRow[]>,
        strapi.db.query(NEWSLETTER_UID).count({ where }),
      ]);
      return {
        data: rows.map(toView),
        meta: { pagination: { page: query.page, pageSize: query.pageSize, total: Number(total), pageCount: Math.ceil(Number(total) / query.pageSize) } },
      };
    },

    async findOne(documentId: string): Promise<NewsletterView | null> {
      const row = await load(documentId);
      return row ? toView(row) : null;
    },

    async create(input: CreateInput, actor: Actor): Promise<Outcome<NewsletterView>> {
      const content: ComposedContent = {
        body: input.body ?? null,
        bodyEn: input.bodyEn ?? null,
        subject: input.subject ?? null,
        subjectEn: input.subjectEn ?? null,
        emailHtml: input.emailHtml ?? null,
        emailHtmlEn: input.emailHtmlEn ?? null,
        buttons: input.buttons,
      };
      const issues = contentIssues(content, { channels: input.channels, mediaCount: 0 });
      if (issues.length > 0) return rulesRefusal(issues);
      const audienceIssue = audienceRuleIssues(input.audience)[0];
      if (audienceIssue) return { ok: false, status: 422, code: 'audience', message: audienceIssue, field: 'audience' };
      const now = new Date();
      const created = (await strapi.db.query(NEWSLETTER_UID).create({
        data: {
          title: input.title,
          channels: input.channels,
          ...content,
          segment: input.audience.segment,
          segmentParams: input.audience.params,
          onlyMarketingConsent: !input.serviceNotice,
          state: 'draft',
          createdByLabel: actor.label,
          totalCount: 0,
          sentCount: 0,
          failedCount: 0,
          blockedCount: 0,
          cancelledCount: 0,
          openedCount: 0,
          clickedCount: 0,
          publishedAt: now,
        },
      })) as { id: number };
      return { ok: true, data: toView((await loadById(created.id)) as NewsletterRow) };
    },

    async update(documentId: string, input: UpdateInput, actor: Actor): Promise<Outcome<NewsletterView>> {
      void actor;
      const row = await load(documentId);
      if (!row) return notFound();
      if (!canEdit(row.state)) return { ok: false, status: 409, code: 'not_editable', message: editRefusal(row.state) };
      const current = composedOf(row);
      const content: ComposedContent = {
        body: input.body !== undefined ? input.body : current.body,
        bodyEn: input.bodyEn !== undefined ? input.bodyEn : current.bodyEn,
        subject: input.subject !== undefined ? input.subject : current.subject,
        subjectEn: input.subjectEn !== undefined ? input.subjectEn : current.subjectEn,
        emailHtml: input.emailHtml !== undefined ? input.emailHtml : current.emailHtml,
        emailHtmlEn: input.emailHtmlEn !== undefined ? input.emailHtmlEn : current.emailHtmlEn,
        buttons: input.buttons ?? current.buttons,
      };
      const channels = input.channels ?? channelsOf(row);
      const issues = contentIssues(content, { channels, mediaCount: (row.media ?? []).length });
      if (issues.length > 0) return rulesRefusal(issues);
      if (input.audience) {
        const audienceIssue = audienceRuleIssues(input.audience)[0];
        if (audienceIssue) return { ok: false, status: 422, code: 'audience', message: audienceIssue, field: 'audience' };
      }
      const data: Record<string, unknown> = { ...content, channels };
      if (input.title !== undefined) data.title = input.title;
      if (input.audience) {
        data.segment = input.audience.segment;
        data.segmentParams = input.audience.params;
      }
      if (input.serviceNotice !== undefined) data.onlyMarketingConsent = !input.serviceNotice;
      // Conditional on the state it was read in: a newsletter that started meanwhile is not changed.
      const changed = await strapi.db.query(NEWSLETTER_UID).updateMany({ where: { id: row.id, state: { $in: ['draft', 'scheduled'] } }, data });
      if (Number(changed.count) !== 1) {
        const now = (await loadById(row.id)) as NewsletterRow | null;
        if (!now) return notFound();
        return { ok: false, status: 409, code: 'not_editable', message: editRefusal(now.state) };
      }
      return { ok: true, data: toView((await loadById(row.id)) as NewsletterRow) };
    },

    async remove(documentId: string, actor: Actor): Promise<Outcome<{ documentId: string }>> {
      const row = await load(documentId);
      if (!row) return notFound();
      if (!canDelete(row.state)) return { ok: false, status: 409, code: 'not_deletable', message: deleteRefusal(row.state) };
      const knex = strapi.db.connection;
      const deliveries = strapi.db.metadata.get(DELIVERY_UID);
      try {
        await strapi.db.transaction(async ({ trx }) => {
          const t = trx as unknown as Knex.Transaction;
          const gone = await strapi.db.query(NEWSLETTER_UID).deleteMany({ where: { id: row.id, state: { $notIn: ['sending', 'paused'] } } });
          if (Number(gone.count) !== 1) {
            const now = (await strapi.db.query(NEWSLETTER_UID).findOne({ where: { id: row.id }, select: ['state'] })) as { state: NewsletterState } | null;
            throw new StateChanged(now?.state ?? null);
          }
          // Its recipients' rows (and their link rows) go with it.
          for (const name of ['newsletter', 'member'] as const) {
            const joinTable = (deliveries.attributes[name] as unknown as { joinTable?: { name: string; joinColumn: { name: string } } }).joinTable;
            if (joinTable) {
              await t(joinTable.name)
                .whereIn(joinTable.joinColumn.name, knex(deliveries.tableName).transacting(t).select('id').where('newsletter_ref', row.id))
                .delete();
            }
          }
          await t(deliveries.tableName).where('newsletter_ref', row.id).delete();
          await audit('newsletter.deleted', row, actor, { state: row.state, title: row.title, totalCount: row.totalCount ?? 0 }, null);
        });
      } catch (error) {
        if (error instanceof StateChanged) {
          if (error.state === null) return notFound();
          return { ok: false, status: 409, code: 'not_deletable', message: deleteRefusal(error.state) };
        }
        throw error;
      }
      // Its images were uploaded for it alone.
      for (const file of row.media ?? []) {
        try {
          await strapi.plugin('upload').service('upload').remove(file);
        } catch (error) {
          strapi.log.warn(`newsletter ${row.documentId}: could not delete image ${file.id}: ${(error as Error).message}`);
        }
      }
      return { ok: true, data: { documentId: row.documentId } };
    },

    /** Send now (no scheduledAt) or schedule. */
    async send(documentId: string, options: { scheduledAt?: Date | null }, actor: Actor): Promise<Outcome<NewsletterView>> {
      const row = await load(documentId);
      if (!row) return notFound();
      const now = new Date();
      const scheduledAt = options.scheduledAt ?? null;
      const action: NewsletterAction = scheduledAt ? 'schedule' : 'send';
      if (nextState(row.state, action) === null) {
        const message = row.state === 'sending' || row.state === 'paused' ? 'The newsletter is already being sent.' : refusalMessage(row.state, action);
        return { ok: false, status: 409, code: row.state === 'sending' || row.state === 'paused' ? 'already_sending' : 'wrong_state', message };
      }
      if (scheduledAt) {
        if (scheduledAt.getTime() <= now.getTime()) {
          return { ok: false, status: 422, code: 'schedule_in_past', field: 'scheduledAt', message: 'The time to send is in the past: choose a future time, or send now.' };
        }
        if (scheduledAt.getTime() > now.getTime() + SCHEDULE_MAX_MS) {
          return { ok: false, status: 422, code: 'schedule_too_far', field: 'scheduledAt', message: 'A newsletter can be scheduled at most a year ahead.' };
        }
      }
      const channels = channelsOf(row);
      const issues = validateForSending(composedOf(row), channels, (row.media ?? []).length);
      if (issues.length > 0) return rulesRefusal(issues);
      for (const channel of channels) {
        const off = channelOff(channel);
        if (off) return { ok: false, status: 422, code: 'channel_off', field: 'channels', message: off };
      }
      const reach = await audience().count(audienceOf(row), { channels, serviceNotice: row.onlyMarketingConsent === false, now });
      if (reach.count === 0) {
        return { ok: false, status: 422, code: 'empty_audience', field: 'audience', message: 'Nobody would receive this newsletter: the audience has no reachable members on its channels.' };
      }
      if (scheduledAt) {
        return transition(row, 'schedule', actor, 'newsletter.scheduled', { scheduledAt, sentByLabel: actor.label, lastError: null });
      }
      return transition(row, 'send', actor, 'newsletter.sent', { startedAt: now, scheduledAt: null, sentByLabel: actor.label, lastError: null, finishedAt: null });
    },

    async pause(documentId: string, actor: Actor): Promise<Outcome<NewsletterView>> {
      const row = await load(documentId);
      if (!row) return notFound();
      return transition(row, 'pause', actor, 'newsletter.paused', { pausedAt: new Date() });
    },

    async resume(documentId: string, actor: Actor): Promise<Outcome<NewsletterView>> {
      const row = await load(documentId);
      if (!row) return notFound();
      return transition(row, 'resume', actor, 'newsletter.resumed', { pausedAt: null });
    },

    async cancel(documentId: string, actor: Actor): Promise<Outcome<NewsletterView>> {
      const row = await load(documentId);
      if (!row) return notFound();
      return transition(row, 'cancel', actor, 'newsletter.cancelled', { finishedAt: new Date(), pausedAt: null }, async (trx) => {
        const cancelQueued = dispatcher().cancelQueued;
        if (typeof cancelQueued === 'function') await cancelQueued.call(dispatcher(), row.id, trx);
      });
    },

    async resend(documentId: string, actor: Actor): Promise<Outcome<NewsletterView>> {
      const row = await load(documentId);
      if (!row) return notFound();
      if (nextState(row.state, 'resend') === null) return { ok: false, status: 409, code: 'wrong_state', message: refusalMessage(row.state, 'resend') };
      const failed = await strapi.db.connection(tableName(strapi, DELIVERY_UID)).where({ newsletter_ref: row.id, state: 'failed' }).count({ n: '*' });
      if (Number((failed[0] as { n: number | string }).n) === 0) {
        return { ok: false, status: 422, code: 'nothing_to_resend', message: 'No recipient of this newsletter has failed: there is nobody to resend to.' };
      }
      return transition(row, 'resend', actor, 'newsletter.resent', { finishedAt: null, lastError: null }, async (trx) => {
        const requeueFailed = dispatcher().requeueFailed;
        if (typeof requeueFailed === 'function') await requeueFailed.call(dispatcher(), row.id, trx);
      });
    },

    /** What a newsletter carries into sending (the senders read it once per claim). */
    async contentOf(id: number): Promise<NewsletterContent | null> {
      const row = await loadById(id);
      if (!row) return null;
      const fileIds = parseJson<unknown>(row.telegramFileIds, null);
      return {
        id: row.id,
        documentId: row.documentId,
        title: row.title,
        ...composedOf(row),
        media: mediaOf(row),
        telegramFileIds: Array.isArray(fileIds) ? fileIds.map(String) : null,
        serviceNotice: row.onlyMarketingConsent === false,
      };
    },

    /**
     * A test send to the staff member: Telegram to `target.telegramId` (default: their linked Telegram id), e-mail
     * to `target.email` (default: their admin e-mail), on the newsletter's channels. Variables are filled from the
     * staff member's name.
     */
    async testSend(documentId: string, target: TestTarget, actor: Actor): Promise<Outcome<{ telegram?: TestResult; email?: TestResult }>> {
      const row = await load(documentId);
      if (!row) return notFound();
      const channels = channelsOf(row);
      const settingsService = plugin().service('settings') as { telegramIdOf(adminId: number): Promise<string | null> };
      const telegramId = channels.includes('telegram') ? (target.telegramId ?? (await settingsService.telegramIdOf(actor.id))) : null;
      const email = channels.includes('email') ? (target.email ?? actor.email ?? null) : null;
      if (!telegramId && !email) {
        return {
          ok: false,
          status: 422,
          code: 'no_test_target',
          message: channels.includes('telegram')
            ? 'Nowhere to send the test: link your Telegram id in the settings (or give telegramId).'
            : 'Nowhere to send the test: give an e-mail address.',
        };
      }
      const tested: Channel[] = [...(telegramId ? (['telegram'] as const) : []), ...(email ? (['email'] as const) : [])];
      const issues = validateForSending(composedOf(row), tested, (row.media ?? []).length);
      if (issues.length > 0) return rulesRefusal(issues);
      const content = (await service.contentOf(row.id)) as NewsletterContent;
      const vars = recipientVars({
        fullName: [actor.firstname, actor.lastname].filter(Boolean).join(' ') || null,
        email: email ?? actor.email,
        successfulBookings: 0,
      });
      const language: Language = target.language ?? 'ru';
      const result: { telegram?: TestResult; email?: TestResult } = {};
      for (const channel of tested) {
        const address = channel === 'telegram' ? (telegramId as string) : (email as string);
        const off = channelOff(channel);
        const send = sender(channel).sendTest;
        if (off) result[channel] = { ok: false, error: off };
        else if (typeof send !== 'function') result[channel] = { ok: false, error: `The ${channel} sender is not available.` };
        else {
          try {
            result[channel] = testResultOf(await send.call(sender(channel), address, content, vars, language));
          } catch (error) {
            result[channel] = { ok: false, error: (error as Error).message };
          }
        }
      }
      return { ok: true, data: result };
    },
  };
  return service;
};

export type NewslettersService = ReturnType<typeof newslettersService>;
export default newslettersService;
