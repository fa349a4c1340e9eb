/**
 * Audience of a newsletter (docs/NEWSLETTERS.md, Audience): a segment with parameters, compiled by a pure
 * function into one indexed query over the members table. Banned members, members who blocked the bot (Telegram),
 * members without an address on the channel and, unless the newsletter is a service notice, members without
 * marketing consent are always excluded.
 *
 * OWNER: helper A (compose & audience). The zod schema below is the shared contract; keep its shape.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Channel } from '../types';

const days = z.number().int().min(1).max(3650);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const audienceSchema = z.discriminatedUnion('segment', [
  z.object({ segment: z.literal('all'), params: z.object({}).strict().default({}) }),
  /** Registered within the last `days` days. */
  z.object({ segment: z.literal('new'), params: z.object({ days }).strict() }),
  /** Has a confirmed or completed booking created within the last `days` days. */
  z.object({ segment: z.literal('active'), params: z.object({ days }).strict() }),
  /** No confirmed or completed booking created within the last `days` days (never booked included). */
  z.object({ segment: z.literal('inactive'), params: z.object({ days }).strict() }),
  /** At least `minBookings` successful bookings, or at least `minSpent` kopecks paid (net of refunds). */
  z.object({
    segment: z.literal('vip'),
    params: z
      .object({ minBookings: z.number().int().min(1).max(100000).optional(), minSpent: z.number().int().min(1).optional() })
      .strict()
      .refine((p) => p.minBookings !== undefined || p.minSpent !== undefined, 'Set the number of bookings, the amount spent, or both'),
  }),
  /** Booked one of `tariffs` (documentIds) for a time within [from, to] (space-local dates, inclusive). */
  z.object({
    segment: z.literal('tariff'),
    params: z.object({ tariffs: z.array(z.string().min(1).max(64)).min(1).max(100), from: isoDate, to: isoDate }).strict(),
  }),
  /** Has a confirmed (or awaiting-payment / awaiting-approval) booking starting on `date` (space-local). */
  z.object({ segment: z.literal('upcoming'), params: z.object({ date: isoDate }).strict() }),
  /** A pasted or CSV list: Telegram ids and/or member documentIds (≤ 10,000 in all). */
  z.object({
    segment: z.literal('custom'),
    params: z
      .object({
        telegramIds: z.array(z.string().regex(/^[0-9]{1,20}$/, 'a Telegram id is digits only')).max(10000).default([]),
        members: z.array(z.string().min(1).max(64)).max(10000).default([]),
      })
      .strict()
      .refine((p) => p.telegramIds.length + p.members.length > 0, 'The list is empty')
      .refine((p) => p.telegramIds.length + p.members.length <= 10000, 'At most 10,000 recipients in a custom list'),
  }),
]);

export type AudienceSpec = z.infer<typeof audienceSchema>;
export type Segment = AudienceSpec['segment'];

// ---------------------------------------------------------------------------------------------------------------
// The compiler: spec → one query.

/** Table and column names the compiler writes into the query (Strapi's names; tests may pass a copy's). */
export interface AudienceTables {
  members: string;
  bookings: string;
  bookingMember: { table: string; booking: string; member: string };
  bookingTariff: { table: string; booking: string; tariff: string };
  tariffs: string;
  payments: string;
  paymentMember: { table: string; payment: string; member: string };
  refunds: string;
  refundPayment: { table: string; refund: string; payment: string };
}

export const STRAPI_TABLES: AudienceTables = {
  members: 'up_users',
  bookings: 'bookings',
  bookingMember: { table: 'bookings_member_lnk', booking: 'booking_id', member: 'user_id' },
  bookingTariff: { table: 'bookings_tariff_lnk', booking: 'booking_id', tariff: 'tariff_id' },
  tariffs: 'tariffs',
  payments: 'payments',
  paymentMember: { table: 'payments_member_lnk', payment: 'payment_id', member: 'user_id' },
  refunds: 'refunds',
  refundPayment: { table: 'refunds_payment_lnk', refund: 'refund_id', payment: 'payment_id' },
};

export interface AudienceContext {
  /** A member is selected when reachable on at least one of these channels. */
  channels: readonly Channel[];
  /** A service notice also goes to members without marketing consent. */
  serviceNotice: boolean;
  /** "Now" for the day-based segments (bound as a parameter; the database's clock is never used). */
  now: Date;
  /** The space's time zone: dates of the tariff and upcoming segments are local days there. */
  timeZone: string;
  tables?: AudienceTables;
  /** Only members with a greater id (the materialisation cursor). */
  afterId?: number;
  /** Only members created at or before this instant (the snapshot of a run that has started). */
  createdBefore?: Date | null;
  limit?: number;
}

/** One selected recipient (the query's columns). */
export interface AudienceRow {
  id: number;
  documentId: string;
  telegramId: string | null;
  email: string | null;
  language: string | null;
  fullName: string | null;
  phone: string | null;
  telegramUsername: string | null;
  successfulBookings: number | null;
}

/** Bookings that count as "booked" for the active / inactive / tariff segments. */
export const SUCCESSFUL_BOOKING_STATES = ['confirmed', 'completed'] as const;
/** Bookings that count as "upcoming" on a day. */
export const UPCOMING_BOOKING_STATES = ['pending_payment', 'awaiting_confirmation', 'confirmed'] as const;

const DAY_MS = 86_400_000;

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(instant / 1000) * 1000;
}

/** The instant a local day (YYYY-MM-DD) starts in `timeZone`, `plusDays` later. */
export function localDayStart(date: string, timeZone: string, plusDays = 0): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d + plusDays);
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant);
}

const notTrue = (column: string) => (q: Knex.QueryBuilder) => q.whereNull(column).orWhere(column, false);

/**
 * Compiles an audience into ONE query over the members table (a function of a knex instance, so it runs on the
 * connection or a transaction). It selects the members of the segment reachable on at least one of
 * `ctx.channels`, ordered by id: banned members never; for Telegram a Telegram id and not having blocked the bot;
 * for e-mail a verified-looking address (not the `@telegram.invalid` placeholder); and, unless the newsletter is a
 * service notice, marketing consent. Booking and payment segments are EXISTS subqueries over the link tables,
 * correlated on the member (indexes `bookings_member_lnk_member_idx`, `payments_member_lnk_ifk`).
 * Pure: nothing runs until the returned function is called and the query awaited.
 */
export function compileAudience(spec: AudienceSpec, ctx: AudienceContext): (knex: Knex) => Knex.QueryBuilder {
  const t = ctx.tables ?? STRAPI_TABLES;
  const channels = [...new Set(ctx.channels)];
  if (channels.length === 0) throw new Error('compileAudience: at least one channel');

  return (knex) => {
    const bookingsOf = (q: Knex.QueryBuilder, states: readonly string[]) =>
      q
        .select(knex.raw('1'))
        .from({ b: t.bookings })
        .join({ bm: t.bookingMember.table }, `bm.${t.bookingMember.booking}`, 'b.id')
        .whereRaw('?? = ??', [`bm.${t.bookingMember.member}`, 'u.id'])
        .whereIn('b.state', [...states]);

    const query = knex
      .select({
        id: 'u.id',
        documentId: 'u.document_id',
        telegramId: 'u.telegram_id',
        email: 'u.email',
        language: 'u.language',
        fullName: 'u.full_name',
        phone: 'u.phone',
        telegramUsername: 'u.telegram_username',
        successfulBookings: 'u.successful_bookings',
      })
      .from({ u: t.members })
      .where(notTrue('u.is_banned'));

    // Reachable on at least one channel.
    query.where((reach) => {
      for (const channel of channels) {
        reach.orWhere((q) => {
          if (channel === 'telegram') q.whereNotNull('u.telegram_id').andWhere(notTrue('u.bot_blocked'));
          else q.where('u.email', 'like', '%_@_%._%').andWhere('u.email', 'not like', '%@telegram.invalid');
        });
      }
    });
    if (!ctx.serviceNotice) query.where('u.consent_marketing', true);
    if (ctx.afterId !== undefined) query.where('u.id', '>', ctx.afterId);
    if (ctx.createdBefore) query.where('u.created_at', '<=', ctx.createdBefore);

    const now = ctx.now.getTime();
    switch (spec.segment) {
      case 'all':
        break;
      case 'new':
        query.where('u.registered_at', '>=', new Date(now - spec.params.days * DAY_MS));
        break;
      case 'active':
      case 'inactive': {
        const since = new Date(now - spec.params.days * DAY_MS);
        const recent = (q: Knex.QueryBuilder) => bookingsOf(q, SUCCESSFUL_BOOKING_STATES).where('b.created_at', '>=', since);
        if (spec.segment === 'active') query.whereExists(recent);
        else query.whereNotExists(recent);
        break;
      }
      case 'vip': {
        const { minBookings, minSpent } = spec.params;
        query.where((vip) => {
          if (minBookings !== undefined) vip.orWhere('u.successful_bookings', '>=', minBookings);
          if (minSpent !== undefined) {
            const paid = knex
              .from({ p: t.payments })
              .join({ pm: t.paymentMember.table }, `pm.${t.paymentMember.payment}`, 'p.id')
              .whereRaw('?? = ??', [`pm.${t.paymentMember.member}`, 'u.id'])
              .where('p.state', 'succeeded')
              .select(knex.raw('coalesce(sum(??), 0)', ['p.amount']));
            const refunded = knex
              .from({ r: t.refunds })
              .join({ rp: t.refundPayment.table }, `rp.${t.refundPayment.refund}`, 'r.id')
              .join({ rpm: t.paymentMember.table }, `rpm.${t.paymentMember.payment}`, `rp.${t.refundPayment.payment}`)
              .whereRaw('?? = ??', [`rpm.${t.paymentMember.member}`, 'u.id'])
              .where('r.state', 'succeeded')
              .select(knex.raw('coalesce(sum(??), 0)', ['r.amount']));
            vip.orWhereRaw('(?) - (?) >= ?', [paid, refunded, minSpent]);
          }
        });
        break;
      }
      case 'tariff': {
        const from = localDayStart(spec.params.from, ctx.timeZone);
        const to = localDayStart(spec.params.to, ctx.timeZone, 1);
        query.whereExists((q) =>
          bookingsOf(q, SUCCESSFUL_BOOKING_STATES)
            .join({ bt: t.bookingTariff.table }, `bt.${t.bookingTariff.booking}`, 'b.id')
            .join({ tf: t.tariffs }, 'tf.id', `bt.${t.bookingTariff.tariff}`)
            .whereIn('tf.document_id', spec.params.tariffs)
            .where('b.start_at', '>=', from)
            .where('b.start_at', '<', to),
        );
        break;
      }
      case 'upcoming': {
        const from = localDayStart(spec.params.date, ctx.timeZone);
        const to = localDayStart(spec.params.date, ctx.timeZone, 1);
        query.whereExists((q) => bookingsOf(q, UPCOMING_BOOKING_STATES).where('b.start_at', '>=', from).where('b.start_at', '<', to));
        break;
      }
      case 'custom': {
        const { telegramIds, members } = spec.params;
        query.where((list) => {
          if (telegramIds.length > 0) list.orWhereIn('u.telegram_id', telegramIds);
          if (members.length > 0) list.orWhereIn('u.document_id', members);
        });
        break;
      }
    }
    query.orderBy('u.id', 'asc');
    if (ctx.limit !== undefined) query.limit(ctx.limit);
    return query;
  };
}

/** Checks the order of a tariff segment's dates (zod cannot compare two fields of a discriminated member). */
export function audienceRuleIssues(spec: AudienceSpec): string[] {
  if (spec.segment === 'tariff' && spec.params.from > spec.params.to) return ['The period ends before it starts'];
  return [];
}
