/**
 * GET /api/bookings/mine: one member's own bookings, newest first, or upcoming (soonest first) / past.
 * The member filter comes from the signed-in account only, never from the query.
 */
import type { Core } from '@strapi/strapi';
import type { MyBookingsQuery } from '../../../../types/contracts/booking';
import { linkedIds } from '../../../utils/linked-ids';
import { BOOKING_VIEW_QUERY, type BookingData, type StoredBooking, toBookingData } from './booking-view';

const BOOKING_UID = 'api::booking.booking';
const DEFAULT_PAGE_SIZE = 10;

export interface MyBookingsPage {
  data: BookingData[];
  meta: { pagination: { page: number; pageSize: number; pageCount: number; total: number } };
}

const myBookingsService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async list(memberId: number, query: MyBookingsQuery, now: Date): Promise<MyBookingsPage> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    // A booking is upcoming until it ends, so one in progress is still listed with what is ahead.
    const where = {
      id: { $in: await linkedIds(strapi, BOOKING_UID, 'member', memberId) },
      ...(query.status === undefined ? {} : { state: { $in: query.status } }),
      ...(query.when === 'upcoming' ? { endAt: { $gt: now } } : query.when === 'past' ? { endAt: { $lte: now } } : {}),
    };
    const order = query.when === 'upcoming' ? 'asc' : 'desc';
    const [rows, total] = await Promise.all([
      strapi.db.query(BOOKING_UID).findMany({
        where,
        ...BOOKING_VIEW_QUERY,
        orderBy: [{ startAt: order }, { id: order }],
        offset: (page - 1) * pageSize,
        limit: pageSize,
      }) as Promise<StoredBooking[]>,
      strapi.db.query(BOOKING_UID).count({ where }),
    ]);
    return {
      data: rows.map((row) => toBookingData(row, now)),
      meta: { pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } },
    };
  },
});

export type MyBookingsService = ReturnType<typeof myBookingsService>;
export default myBookingsService;
