/**
 * What the bookings calendar shows (GET /booking-desk/calendar) and the booking its side sheet opens
 * (GET /booking-desk/calendar/bookings/:documentId). Reads only.
 *
 * The range query is one findMany on the bookings table bounded on `startAt` from both sides, so it walks the
 * `bookings_start_end_idx` index (database/hot-path-indexes.ts) instead of every booking ever made: a booking
 * overlapping [from, to) started before `to` and at most the longest booking a tariff allows before `from`.
 * Member, tariff and resource come in three batched populate queries with only the fields a block shows.
 * The member filter narrows by the member's link rows (an index of their own); resource and tariff filters are
 * applied to the range's rows, which a relation filter would only slow down (it joins the target table).
 */
import type { Core } from '@strapi/strapi';
import { longestBookingMs } from './calendar-range';

const BOOKING_UID = 'api::booking.booking';
const RESOURCE_UID = 'api::resource.resource';
const TARIFF_UID = 'api::tariff.tariff';
const USER_UID = 'plugin::users-permissions.user';

export const BOOKING_STATES = [
  'pending_payment',
  'awaiting_confirmation',
  'confirmed',
  'completed',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

/** Shown unless the request names states: what holds or held a place (expired holds and rejections are noise). */
export const DEFAULT_STATES: readonly BookingState[] = ['pending_payment', 'awaiting_confirmation', 'confirmed', 'completed', 'cancelled'];

/** At most this many blocks in one answer; `meta.truncated` says when more matched. */
export const MAX_BLOCKS = 10_000;

export interface CalendarQuery {
  from: Date;
  to: Date;
  resource?: string;
  tariff?: string;
  member?: string;
  states: readonly BookingState[];
}

export interface CalendarResource {
  documentId: string;
  name: string;
  kind: string;
  capacity: number;
  color: string | null;
  openingHours: unknown;
  closedDates: unknown;
  bufferMinutes: number;
  isActive: boolean;
}

export interface CalendarTariff {
  documentId: string;
  name: string;
  color: string | null;
  billingUnit: 'hour' | 'day' | 'month';
  price: number;
  minUnits: number;
  maxUnits: number;
  requiresApproval: boolean;
  isPublic: boolean;
  resources: string[];
}

/** One block on the grid. `kind` leaves room for rentals (issue 19), which will take capacity the same way. */
export interface CalendarBlock {
  kind: 'booking';
  documentId: string;
  id: number;
  resource: string | null;
  tariff: { documentId: string; name: string } | null;
  member: { documentId: string; fullName: string | null; phone: string | null } | null;
  startAt: string;
  endAt: string;
  units: number;
  state: BookingState;
  priceTotal: number;
  currency: string;
  holdExpiresAt: string | null;
  source: string | null;
}

export interface CalendarData {
  resources: CalendarResource[];
  tariffs: CalendarTariff[];
  blocks: CalendarBlock[];
}

interface BookingRow {
  id: number;
  documentId: string;
  startAt: string | Date;
  endAt: string | Date;
  units: number;
  state: BookingState;
  priceTotal: number;
  currency: string | null;
  holdExpiresAt: string | Date | null;
  source: string | null;
  resource: { documentId: string } | null;
  tariff: { documentId: string; name: string } | null;
  member: { documentId: string; fullName: string | null; phone: string | null } | null;
}

const RESOURCE_FIELDS = ['id', 'documentId', 'name', 'kind', 'capacity', 'color', 'openingHours', 'closedDates', 'bufferMinutes', 'isActive'];

const iso = (value: string | Date) => new Date(value).toISOString();

const toResource = (row: CalendarResource): CalendarResource => ({
  documentId: row.documentId,
  name: row.name,
  kind: row.kind,
  capacity: row.capacity,
  color: row.color ?? null,
  openingHours: row.openingHours ?? null,
  closedDates: row.closedDates ?? [],
  bufferMinutes: row.bufferMinutes ?? 0,
  isActive: row.isActive !== false,
});

const calendarService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** Ids of the member's bookings, from the link table alone (bookings_member_lnk_member_idx). */
  async function bookingIdsOfMember(memberDocumentId: string): Promise<number[] | null> {
    const member = (await strapi.db.query(USER_UID).findOne({ where: { documentId: memberDocumentId }, select: ['id'] })) as { id: number } | null;
    if (!member) return null;
    const { joinTable } = strapi.db.metadata.get(BOOKING_UID).attributes.member as unknown as {
      joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } };
    };
    const rows = (await strapi.db
      .connection(joinTable.name)
      .select({ id: joinTable.joinColumn.name })
      .where(joinTable.inverseJoinColumn.name, member.id)) as { id: number | string }[];
    return rows.map((row) => Number(row.id));
  }

  async function tariffsCatalogue(): Promise<(CalendarTariff & { isActive: boolean })[]> {
    const rows = (await strapi.db.query(TARIFF_UID).findMany({
      select: ['documentId', 'name', 'color', 'billingUnit', 'price', 'minUnits', 'maxUnits', 'requiresApproval', 'isPublic', 'isActive'],
      populate: { resources: { select: ['documentId'] } },
      orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
    })) as (Omit<CalendarTariff, 'resources'> & { isActive: boolean; resources: { documentId: string }[] | null })[];
    return rows.map((row) => ({
      documentId: row.documentId,
      name: row.name,
      color: row.color ?? null,
      billingUnit: row.billingUnit,
      price: row.price,
      minUnits: row.minUnits,
      maxUnits: row.maxUnits,
      requiresApproval: Boolean(row.requiresApproval),
      isPublic: Boolean(row.isPublic),
      isActive: Boolean(row.isActive),
      resources: (row.resources ?? []).map((resource) => resource.documentId),
    }));
  }

  return {
    async read(query: CalendarQuery): Promise<{ data: CalendarData; truncated: boolean }> {
      const allTariffs = await tariffsCatalogue();
      const lookback = longestBookingMs(allTariffs);

      let ids: number[] | null = null;
      if (query.member !== undefined) {
        ids = await bookingIdsOfMember(query.member);
        if (ids === null) ids = [];
      }

      const rows =
        ids !== null && ids.length === 0
          ? []
          : ((await strapi.db.query(BOOKING_UID).findMany({
              select: ['id', 'documentId', 'startAt', 'endAt', 'units', 'state', 'priceTotal', 'currency', 'holdExpiresAt', 'source'],
              where: {
                ...(ids === null ? {} : { id: { $in: ids } }),
                startAt: { $lt: query.to, $gt: new Date(query.from.getTime() - lookback) },
                endAt: { $gt: query.from },
                state: { $in: [...query.states] },
              },
              populate: {
                resource: { select: ['documentId'] },
                tariff: { select: ['documentId', 'name'] },
                member: { select: ['documentId', 'fullName', 'phone'] },
              },
              orderBy: [{ startAt: 'asc' }, { id: 'asc' }],
              limit: MAX_BLOCKS + 1,
            })) as BookingRow[]);
      const truncated = rows.length > MAX_BLOCKS;

      const filterTariff = query.tariff === undefined ? null : allTariffs.find((tariff) => tariff.documentId === query.tariff) ?? null;
      const blocks: CalendarBlock[] = rows
        .slice(0, MAX_BLOCKS)
        .filter((row) => query.resource === undefined || row.resource?.documentId === query.resource)
        .filter((row) => query.tariff === undefined || row.tariff?.documentId === query.tariff)
        .map((row) => ({
          kind: 'booking',
          documentId: row.documentId,
          id: Number(row.id),
          resource: row.resource?.documentId ?? null,
          tariff: row.tariff ? { documentId: row.tariff.documentId, name: row.tariff.name } : null,
          member: row.member ? { documentId: row.member.documentId, fullName: row.member.fullName ?? null, phone: row.member.phone ?? null } : null,
          startAt: iso(row.startAt),
          endAt: iso(row.endAt),
          units: row.units,
          state: row.state,
          priceTotal: row.priceTotal,
          currency: row.currency ?? 'RUB',
          holdExpiresAt: row.holdExpiresAt ? iso(row.holdExpiresAt) : null,
          source: row.source ?? null,
        }));

      // Columns: the active resources (of the filtered tariff, or the one asked for), plus any inactive one a
      // shown booking still takes.
      const referenced = new Set(blocks.map((block) => block.resource).filter((id): id is string => id !== null));
      const wanted = (documentId: string) =>
        query.resource !== undefined
          ? documentId === query.resource
          : query.tariff !== undefined
            ? Boolean(filterTariff?.resources.includes(documentId)) || referenced.has(documentId)
            : true;
      const resourceRows = (await strapi.db.query(RESOURCE_UID).findMany({
        select: RESOURCE_FIELDS,
        where: referenced.size > 0 ? { $or: [{ isActive: true }, { documentId: { $in: [...referenced] } }] } : { isActive: true },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      })) as CalendarResource[];
      const resources = resourceRows.filter((row) => wanted(row.documentId)).map(toResource);

      const tariffs = allTariffs
        .filter((tariff) => tariff.isActive || blocks.some((block) => block.tariff?.documentId === tariff.documentId))
        .map(({ isActive: _isActive, ...tariff }) => tariff);
      return { data: { resources, tariffs, blocks }, truncated };
    },

    /** The booking as the side sheet shows it, with its payments and refunds; null when there is none. */
    async booking(documentId: string) {
      const row = (await strapi.db.query(BOOKING_UID).findOne({
        where: { documentId },
        select: [
          'id',
          'documentId',
          'state',
          'startAt',
          'endAt',
          'units',
          'priceBase',
          'discountTotal',
          'discounts',
          'priceTotal',
          'currency',
          'holdExpiresAt',
          'source',
          'comment',
          'cancelledAt',
          'cancelReason',
          'cancelledBy',
          'confirmedAt',
          'confirmedBy',
          'createdAt',
        ],
        populate: {
          member: { select: ['documentId', 'fullName', 'phone', 'telegramUsername', 'isBanned'] },
          tariff: { select: ['documentId', 'name', 'billingUnit', 'freeCancellationHours', 'lateCancellationRefundPercent'] },
          resource: { select: ['documentId', 'name'] },
          promocode: { select: ['code'] },
          payments: {
            select: ['documentId', 'provider', 'state', 'amount', 'currency', 'paidAt', 'createdAt', 'confirmationUrl'],
            orderBy: { id: 'asc' },
            populate: { refunds: { select: ['documentId', 'amount', 'state', 'reason', 'createdAt'], orderBy: { id: 'asc' } } },
          },
        },
      })) as (Record<string, unknown> & {
        id: number;
        payments: { state: string; amount: number; refunds: { state: string; amount: number }[] | null }[] | null;
      }) | null;
      if (!row) return null;
      // Money received and not (being) given back, as the member endpoints count it (booking-view.ts).
      let paidAmount = 0;
      for (const payment of row.payments ?? []) {
        if (payment.state !== 'succeeded') continue;
        const refunded = (payment.refunds ?? []).filter((refund) => refund.state !== 'canceled').reduce((sum, refund) => sum + refund.amount, 0);
        paidAmount += payment.amount - refunded;
      }
      return { ...row, id: Number(row.id), paidAmount };
    },
  };
};

export type CalendarService = ReturnType<typeof calendarService>;
export default calendarService;
