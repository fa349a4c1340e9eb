/**
 * The audience of a newsletter (docs/NEWSLETTERS.md, Audience): the live count while composing, the
 * materialisation of the recipients into delivery rows when a newsletter starts, and member search for custom
 * lists. The selection itself is the pure compiler of domain/audience.ts.
 *
 * Materialisation is resumable and idempotent: per channel, members are read in id order after a cursor (the
 * highest member already listed for that channel), in batches; each batch is one transaction that inserts the
 * delivery rows with ON CONFLICT (delivery_key) DO NOTHING, writes the link-table rows of the rows it inserted and
 * bumps the newsletter's totalCount by that many. Members created after the run started are left out, so the
 * snapshot does not grow. When every channel is done, materialisedAt is set. A crash between batches loses
 * nothing; running it twice (two processes) lists nobody twice.
 */
import { randomBytes } from 'crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { readSettings } from '../config';
import { type AudienceRow, type AudienceSpec, compileAudience } from '../domain/audience';
import type { Channel } from '../types';
import { DELIVERY_UID, NEWSLETTER_UID, tableName, USER_UID } from '../db';
import { audienceOf, channelsOf, type NewsletterRow } from './newsletters';

export interface CountOptions {
  channels: readonly Channel[];
  serviceNotice: boolean;
  now?: Date;
}

export interface AudienceCount {
  /** Distinct members reached on at least one of the channels. */
  count: number;
  byChannel: Record<Channel, number>;
}

export interface MaterialiseOptions {
  batchSize?: number;
  /** Stop after this many batches; default: as many as fit in `maxMs`. */
  maxBatches?: number;
  /**
   * Start no new batch after this long (default: a quarter of NEWSLETTER_LEASE_MS), so a caller holding a lease
   * on the newsletter can renew it between calls.
   */
  maxMs?: number;
  now?: Date;
}

export interface MaterialiseResult {
  inserted: number;
  /** Every channel is listed (materialisedAt set), or the newsletter is no longer being sent. */
  done: boolean;
}

export interface MemberPick {
  documentId: string;
  fullName: string | null;
  telegramId: string | null;
  email: string | null;
}

const DOCUMENT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A 24-character documentId like Strapi's (lowercase letters and digits, starting with a letter). */
export function newDocumentId(): string {
  const bytes = randomBytes(24);
  let id = DOCUMENT_ID_ALPHABET[bytes[0] % 26];
  for (let i = 1; i < 24; i += 1) id += DOCUMENT_ID_ALPHABET[bytes[i] % 36];
  return id;
}

const toDate = (value: Date | string | number | null | undefined): Date | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const date = new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** Rows per INSERT statement (≤ 14 parameters each). */
const INSERT_CHUNK = 500;

const PLACEHOLDER_EMAIL = /@telegram\.invalid$/i;

interface JoinTable {
  name: string;
  joinColumn: { name: string };
  inverseJoinColumn: { name: string };
  orderColumnName?: string;
  inverseOrderColumnName?: string;
}

/** One link row, with the order columns Strapi keeps when the relation has them. */
function linkRow(link: JoinTable, deliveryId: number, otherId: number): Record<string, number> {
  const row: Record<string, number> = { [link.joinColumn.name]: deliveryId, [link.inverseJoinColumn.name]: otherId };
  if (link.orderColumnName) row[link.orderColumnName] = 1;
  if (link.inverseOrderColumnName) row[link.inverseOrderColumnName] = deliveryId;
  return row;
}

const audienceService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const knex = () => strapi.db.connection;
  const deliveryMeta = () => strapi.db.metadata.get(DELIVERY_UID);
  const joinTableOf = (attribute: 'newsletter' | 'member'): JoinTable | null =>
    ((deliveryMeta().attributes[attribute] as unknown as { joinTable?: JoinTable }).joinTable ?? null);

  const countOne = async (spec: AudienceSpec, channels: readonly Channel[], serviceNotice: boolean, now: Date): Promise<number> => {
    const query = compileAudience(spec, { channels, serviceNotice, now, timeZone: settings.timeZone })(knex());
    const rows = await query.clearSelect().clearOrder().count({ n: 'u.id' });
    return Number((rows[0] as { n: number | string }).n);
  };

  async function materialiseChannel(
    newsletter: NewsletterRow,
    channel: Channel,
    spec: AudienceSpec,
    options: { batchSize: number; batches: { left: number }; deadline: number; now: Date; createdBefore: Date },
  ): Promise<{ inserted: number; done: boolean; stopped: boolean }> {
    const table = deliveryMeta().tableName;
    const newsletterLink = joinTableOf('newsletter');
    const memberLink = joinTableOf('member');
    // Resume after the highest member already listed for this channel (ids are listed in increasing order).
    const last = await knex()(table).where({ newsletter_ref: newsletter.id, channel }).max({ m: 'member_ref' });
    let cursor = Number((last[0] as { m: number | string | null }).m ?? 0);
    let inserted = 0;
    while (options.batches.left > 0 && Date.now() < options.deadline) {
      options.batches.left -= 1;
      const outcome = await strapi.db.transaction(async ({ trx }) => {
        const t = trx as unknown as Knex.Transaction;
        // Still being sent? A cancelled newsletter gets no more recipients.
        const current = await t(tableName(strapi, NEWSLETTER_UID)).where({ id: newsletter.id }).first('state');
        if (!current || !['sending', 'paused'].includes(current.state)) return { stopped: true, rows: 0, added: 0 };
        const members = (await compileAudience(spec, {
          channels: [channel],
          serviceNotice: newsletter.onlyMarketingConsent === false,
          now: options.now,
          timeZone: settings.timeZone,
          afterId: cursor,
          createdBefore: options.createdBefore,
          limit: options.batchSize,
        })(t as unknown as Knex)) as AudienceRow[];
        if (members.length === 0) return { stopped: false, rows: 0, added: 0 };
        const now = new Date();
        const rows = members.map((member) => ({
          document_id: newDocumentId(),
          newsletter_ref: newsletter.id,
          member_ref: member.id,
          channel,
          delivery_key: `${newsletter.id}:${channel}:${member.id}`,
          telegram_id: channel === 'telegram' ? member.telegramId : null,
          email: channel === 'email' ? member.email : null,
          language: member.language === 'en' ? 'en' : 'ru',
          state: 'queued',
          attempts: 0,
          click_count: 0,
          created_at: now,
          updated_at: now,
          published_at: now,
        }));
        // In chunks, to stay under the databases' limits on bound parameters.
        const added: Array<{ id: number; member_ref: number }> = [];
        for (let from = 0; from < rows.length; from += INSERT_CHUNK) {
          const chunk = rows.slice(from, from + INSERT_CHUNK);
          added.push(...((await t(table).insert(chunk).onConflict('delivery_key').ignore().returning(['id', 'member_ref'])) as typeof added));
        }
        if (added.length > 0) {
          for (let from = 0; from < added.length; from += INSERT_CHUNK) {
            const chunk = added.slice(from, from + INSERT_CHUNK);
            if (newsletterLink) await t(newsletterLink.name).insert(chunk.map((row) => linkRow(newsletterLink, row.id, newsletter.id)));
            if (memberLink) await t(memberLink.name).insert(chunk.map((row) => linkRow(memberLink, row.id, Number(row.member_ref))));
          }
          await t(tableName(strapi, NEWSLETTER_UID))
            .where({ id: newsletter.id })
            .increment('total_count', added.length);
        }
        cursor = members[members.length - 1].id;
        return { stopped: false, rows: members.length, added: added.length };
      });
      inserted += outcome.added;
      if (outcome.stopped) return { inserted, done: true, stopped: true };
      if (outcome.rows < options.batchSize) return { inserted, done: true, stopped: false };
    }
    return { inserted, done: false, stopped: false };
  }

  return {
    /** How many members an audience reaches now: in all, and on each channel. */
    async count(spec: AudienceSpec, options: CountOptions): Promise<AudienceCount> {
      const now = options.now ?? new Date();
      const channels = [...new Set(options.channels)];
      const byChannel: Record<Channel, number> = { telegram: 0, email: 0 };
      if (channels.length === 0) return { count: 0, byChannel };
      for (const channel of channels) byChannel[channel] = await countOne(spec, [channel], options.serviceNotice, now);
      const count = channels.length === 1 ? byChannel[channels[0]] : await countOne(spec, channels, options.serviceNotice, now);
      return { count, byChannel };
    },

    /** Lists the recipients of a newsletter being sent as delivery rows (see the top of the file). */
    async materialise(newsletterId: number, options: MaterialiseOptions = {}): Promise<MaterialiseResult> {
      const newsletter = (await strapi.db.query(NEWSLETTER_UID).findOne({ where: { id: newsletterId } })) as NewsletterRow | null;
      if (!newsletter || !['sending', 'paused'].includes(newsletter.state)) return { inserted: 0, done: true };
      if (newsletter.materialisedAt) return { inserted: 0, done: true };
      const batchSize = options.batchSize ?? settings.materialiseBatch;
      const batches = { left: options.maxBatches ?? Number.POSITIVE_INFINITY };
      const deadline = Date.now() + (options.maxMs ?? settings.leaseMs / 4);
      const now = options.now ?? new Date();
      const createdBefore = toDate(newsletter.startedAt) ?? now;
      const spec = audienceOf(newsletter);
      let inserted = 0;
      for (const channel of channelsOf(newsletter)) {
        const outcome = await materialiseChannel(newsletter, channel, spec, { batchSize, batches, deadline, now: createdBefore, createdBefore });
        inserted += outcome.inserted;
        if (outcome.stopped) return { inserted, done: true };
        if (!outcome.done) return { inserted, done: false };
      }
      await strapi.db.query(NEWSLETTER_UID).updateMany({ where: { id: newsletterId, materialisedAt: null }, data: { materialisedAt: new Date() } });
      return { inserted, done: true };
    },

    /** Members for a custom list: by name, Telegram id or username, e-mail or phone; at most 20. */
    async searchMembers(q: string): Promise<MemberPick[]> {
      const term = q.trim();
      if (term === '') return [];
      const like = { $containsi: term };
      const rows = (await strapi.db.query(USER_UID).findMany({
        where: {
          $or: [{ fullName: like }, { telegramUsername: like }, { email: like }, { telegramId: { $startsWith: term } }, { phone: like }],
          isBanned: { $ne: true },
        },
        select: ['documentId', 'fullName', 'telegramId', 'email'],
        orderBy: [{ fullName: 'asc' }, { id: 'asc' }],
        limit: 20,
      })) as Array<{ documentId: string; fullName: string | null; telegramId: string | null; email: string | null }>;
      return rows.map((row) => ({
        documentId: row.documentId,
        fullName: row.fullName ?? null,
        telegramId: row.telegramId ?? null,
        email: row.email && !PLACEHOLDER_EMAIL.test(row.email) ? row.email : null,
      }));
    },
  };
};

export type AudienceService = ReturnType<typeof audienceService>;
export default audienceService;
