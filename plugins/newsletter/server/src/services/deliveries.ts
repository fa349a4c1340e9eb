/**
 * What the page shows of a newsletter's recipients: the progress (counters kept with the rows, the current rate
 * from the deliveries sent in the last seconds, an estimated finish), the paged list with filters, and the CSV
 * export (streamed in pages by id: memory stays flat however many recipients there are).
 */
import { Readable } from 'stream';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { z } from 'zod';
import { DELIVERY_UID, fromTable, iso, NEWSLETTER_UID, tableLayout, text, USER_UID, type TableLayout } from '../db';
import { CHANNELS, DELIVERY_STATES, type Channel, type DeliveryState, type NewsletterState, type ProgressView } from '../types';

/** The current rate is measured over this many seconds. */
export const PROGRESS_WINDOW_SECONDS = 10;
const CSV_PAGE = 1000;

export const listQuerySchema = z
  .object({
    page: z.coerce.number({ invalid_type_error: 'page must be a number' }).int('page must be a whole number').min(1, 'page starts at 1').max(100_000).default(1),
    pageSize: z.coerce
      .number({ invalid_type_error: 'pageSize must be a number' })
      .int('pageSize must be a whole number')
      .min(1, 'pageSize is at least 1')
      .max(100, 'pageSize is at most 100')
      .default(25),
    status: z.enum(DELIVERY_STATES, { errorMap: () => ({ message: `status is one of ${DELIVERY_STATES.join(', ')}` }) }).optional(),
    channel: z.enum(CHANNELS, { errorMap: () => ({ message: `channel is one of ${CHANNELS.join(', ')}` }) }).optional(),
  })
  .passthrough();
export type ListQuery = z.infer<typeof listQuerySchema>;

export interface DeliveryView {
  documentId: string;
  channel: Channel;
  state: DeliveryState;
  member: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
  telegramId: string | null;
  email: string | null;
  language: string;
  attempts: number;
  errorCode: string | null;
  error: string | null;
  sentAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  telegramMessageId: string | null;
}

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'Member',
  'Telegram username',
  'Telegram ID',
  'E-mail',
  'Channel',
  'Language',
  'Status',
  'Attempts',
  'Error code',
  'Error',
  'Sent at',
  'Opened at',
  'Clicked at',
  'Telegram message ID',
];

const deliveriesService = ({ strapi }: { strapi: Core.Strapi }) => {
  let layout: { n: TableLayout; d: TableLayout; u: TableLayout } | null = null;
  const columns = (uid: string, names: string[]) => tableLayout(strapi, uid, names);
  const model = () =>
    (layout ??= {
      n: columns(NEWSLETTER_UID, ['id', 'documentId', 'state', 'totalCount', 'sentCount', 'failedCount', 'blockedCount', 'cancelledCount', 'openedCount', 'clickedCount']),
      d: columns(DELIVERY_UID, [
        'id', 'documentId', 'newsletterRef', 'memberRef', 'channel', 'telegramId', 'email', 'language', 'state', 'attempts', 'errorCode', 'error',
        'sentAt', 'openedAt', 'clickedAt', 'telegramMessageId',
      ]),
      u: columns(USER_UID, ['id', 'documentId', 'fullName', 'telegramUsername']),
    });
  const knex = (): Knex => strapi.db.connection;
  const from = (name: string) => fromTable(strapi, knex(), name);

  async function newsletterOf(documentId: string): Promise<Record<string, unknown> | null> {
    const { n } = model();
    return ((await from(n.table).where(n.c.documentId, documentId).first()) as Record<string, unknown> | undefined) ?? null;
  }

  const filtered = (newsletterId: number, query: Pick<ListQuery, 'status' | 'channel'>) => {
    const { d } = model();
    const q = from(d.table).where(`${d.table}.${d.c.newsletterRef}`, newsletterId);
    if (query.channel) q.andWhere(`${d.table}.${d.c.channel}`, query.channel);
    if (query.status) q.andWhere(`${d.table}.${d.c.state}`, query.status);
    return q;
  };

  const withMember = (q: Knex.QueryBuilder) => {
    const { d, u } = model();
    return q
      .leftJoin(u.table, `${u.table}.${u.c.id}`, `${d.table}.${d.c.memberRef}`)
      .select(
        ...Object.values(d.c).map((column) => `${d.table}.${column}`),
        `${u.table}.${u.c.documentId} as member_document_id`,
        `${u.table}.${u.c.fullName} as member_full_name`,
        `${u.table}.${u.c.telegramUsername} as member_telegram_username`,
      );
  };

  const toView = (row: Record<string, unknown>): DeliveryView => {
    const { c } = model().d;
    return {
      documentId: String(row[c.documentId] ?? ''),
      channel: row[c.channel] as Channel,
      state: String(row[c.state]) as DeliveryState,
      member: row.member_document_id
        ? { documentId: String(row.member_document_id), fullName: text(row.member_full_name), telegramUsername: text(row.member_telegram_username) }
        : null,
      telegramId: text(row[c.telegramId]),
      email: text(row[c.email]),
      language: String(row[c.language] ?? 'ru'),
      attempts: Number(row[c.attempts] ?? 0),
      errorCode: text(row[c.errorCode]),
      error: text(row[c.error]),
      sentAt: iso(row[c.sentAt]),
      openedAt: iso(row[c.openedAt]),
      clickedAt: iso(row[c.clickedAt]),
      telegramMessageId: text(row[c.telegramMessageId]),
    };
  };

  return {
    /** null: no such newsletter. */
    async progress(documentId: string, now = new Date()): Promise<ProgressView | null> {
      const newsletter = await newsletterOf(documentId);
      if (!newsletter) return null;
      const { n, d } = model();
      const id = Number(newsletter[n.c.id]);
      const num = (name: string) => Number(newsletter[n.c[name]] ?? 0);
      const total = num('totalCount');
      const sent = num('sentCount');
      const failed = num('failedCount');
      const blocked = num('blockedCount');
      const cancelled = num('cancelledCount');
      const remaining = Math.max(0, total - sent - failed - blocked - cancelled);

      const since = new Date(now.getTime() - PROGRESS_WINDOW_SECONDS * 1000);
      const recent = (await from(d.table).where(d.c.newsletterRef, id).andWhere(d.c.sentAt, '>=', since).count({ count: '*' }).first()) as
        | { count: unknown }
        | undefined;
      const ratePerSecond = Math.round((Number(recent?.count ?? 0) / PROGRESS_WINDOW_SECONDS) * 10) / 10;
      const etaSeconds = ratePerSecond > 0 && remaining > 0 ? Math.ceil(remaining / ratePerSecond) : null;

      const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, { total: 0, sent: 0, failed: 0, blocked: 0, remaining: 0 }])) as ProgressView['byChannel'];
      const rows = (await from(d.table).where(d.c.newsletterRef, id).select(d.c.channel, d.c.state).count({ count: '*' }).groupBy(d.c.channel, d.c.state)) as Array<
        Record<string, unknown>
      >;
      for (const row of rows) {
        const channel = byChannel[row[d.c.channel] as Channel];
        if (!channel) continue;
        const count = Number(row.count);
        const state = String(row[d.c.state]);
        channel.total += count;
        if (state === 'sent' || state === 'failed' || state === 'blocked') channel[state] += count;
        if (state === 'queued' || state === 'sending') channel.remaining += count;
      }
      return {
        status: newsletter[n.c.state] as NewsletterState,
        total,
        sent,
        failed,
        blocked,
        remaining,
        ratePerSecond,
        etaSeconds,
        cancelled,
        opened: num('openedCount'),
        clicked: num('clickedCount'),
        byChannel,
      };
    },

    /** null: no such newsletter. */
    async list(documentId: string, query: ListQuery): Promise<{ data: DeliveryView[]; meta: { pagination: { page: number; pageSize: number; total: number; pageCount: number } } } | null> {
      const newsletter = await newsletterOf(documentId);
      if (!newsletter) return null;
      const { n, d } = model();
      const id = Number(newsletter[n.c.id]);
      const counted = (await filtered(id, query).count({ count: '*' }).first()) as { count: unknown } | undefined;
      const total = Number(counted?.count ?? 0);
      const rows = (await withMember(filtered(id, query))
        .orderBy(`${d.table}.${d.c.id}`, 'asc')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)) as Array<Record<string, unknown>>;
      return {
        data: rows.map(toView),
        meta: { pagination: { page: query.page, pageSize: query.pageSize, total, pageCount: Math.ceil(total / query.pageSize) } },
      };
    },

    /** A UTF-8 CSV stream with BOM (null: no such newsletter), read in pages by id. */
    async csv(documentId: string, query: Pick<ListQuery, 'status' | 'channel'>): Promise<Readable | null> {
      const newsletter = await newsletterOf(documentId);
      if (!newsletter) return null;
      const { n, d } = model();
      const id = Number(newsletter[n.c.id]);
      const line = (fields: unknown[]) => `${fields.map(csvField).join(',')}\r\n`;
      async function* rows(): AsyncGenerator<string> {
        yield `\uFEFF${line(CSV_HEADER)}`;
        let after = 0;
        for (;;) {
          const page = (await withMember(filtered(id, query))
            .andWhere(`${d.table}.${d.c.id}`, '>', after)
            .orderBy(`${d.table}.${d.c.id}`, 'asc')
            .limit(CSV_PAGE)) as Array<Record<string, unknown>>;
          if (page.length === 0) return;
          after = Number(page[page.length - 1][d.c.id]);
          let chunk = '';
          for (const row of page) {
            const v = toView(row);
            chunk += line([
              v.member?.fullName ?? '',
              v.member?.telegramUsername ? `@${v.member.telegramUsername}` : '',
              v.telegramId,
              v.email,
              v.channel,
              v.language,
              v.state,
              v.attempts,
              v.errorCode,
              v.error,
              v.sentAt,
              v.openedAt,
              v.clickedAt,
              v.telegramMessageId,
            ]);
          }
          yield chunk;
          if (page.length < CSV_PAGE) return;
        }
      }
      return Readable.from(rows(), { objectMode: false });
    },
  };
};

export type DeliveriesService = ReturnType<typeof deliveriesService>;
export default deliveriesService;
