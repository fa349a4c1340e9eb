/**
 * The figures of the staff home page (GET /booking-desk/home): today's bookings, places free now, bookings
 * awaiting approval, open tickets and revenue. Reads only. "Today" and "this month" are the space's calendar
 * day and month (SPACE_TIMEZONE, default Europe/Moscow), from local midnight to the next local midnight.
 *
 * Each section is computed only when asked for: the controller asks for the sections the admin user's role may
 * see, so a figure a role must not see is never even read.
 */
import type { Core } from '@strapi/strapi';
import { addDays, localDateOf, zonedInstant } from './calendar-range';

const BOOKING_UID = 'api::booking.booking';
const RESOURCE_UID = 'api::resource.resource';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const TICKET_UID = 'api::ticket.ticket';

export const DEFAULT_TIME_ZONE = 'Europe/Moscow';
export const spaceTimeZone = () => process.env.SPACE_TIMEZONE?.trim() || DEFAULT_TIME_ZONE;

/** How many items a list section carries (the widget shows them; the count is always the full one). */
export const LIST_LIMIT = 4;

export const SECTIONS = ['todayBookings', 'freeNow', 'awaitingApproval', 'openTickets', 'revenue'] as const;
export type Section = (typeof SECTIONS)[number];

/** States a booking of "today" may be in: it holds (or held) a place. A pending payment counts while its hold lasts. */
const HELD_STATES = ['awaiting_confirmation', 'confirmed', 'completed'];
/** States that take a place now (pending_payment only with an active hold; see the app's booking-state.ts). */
const OCCUPYING_STATES = ['awaiting_confirmation', 'confirmed'];
const OPEN_TICKET_STATES = ['open', 'in_progress'];

export interface HomeBooking {
  documentId: string;
  label: string | null;
  state: string;
  startAt: string;
  endAt: string;
  member: { documentId: string; name: string } | null;
  resource: { documentId: string; name: string } | null;
  tariff: { documentId: string; name: string } | null;
}

export interface HomeTicket {
  documentId: string;
  subject: string;
  state: string;
  priority: string | null;
  lastMessageAt: string | null;
  member: { documentId: string; name: string } | null;
}

export interface MoneyPeriod {
  /** Kopecks received (payments succeeded, by `paidAt`). */
  payments: number;
  /** Kopecks returned (refunds succeeded, by the time the refund was made, `createdAt`). */
  refunds: number;
  /** payments − refunds. */
  net: number;
}

export interface HomeData {
  timeZone: string;
  now: string;
  /** The space's local date, YYYY-MM-DD. */
  date: string;
  /** Bookings overlapping today that hold or held a place; `next`: those started today and not over yet. */
  todayBookings?: { count: number; byState: Record<string, number>; next: HomeBooking[] };
  freeNow?: {
    total: { capacity: number; taken: number; free: number };
    resources: { documentId: string; name: string; kind: string; capacity: number; taken: number; free: number }[];
  };
  awaitingApproval?: { count: number; next: HomeBooking[] };
  openTickets?: { count: number; byState: Record<string, number>; next: HomeTicket[] };
  revenue?: { currency: 'RUB'; today: MoneyPeriod; month: MoneyPeriod & { from: string } };
}

interface Named {
  documentId: string;
  name?: string | null;
}

interface MemberRow {
  documentId: string;
  fullName?: string | null;
  telegramUsername?: string | null;
  username?: string | null;
}

interface BookingRow {
  documentId: string;
  label: string | null;
  state: string;
  startAt: string | Date;
  endAt: string | Date;
  member?: MemberRow | null;
  resource?: Named | null;
  tariff?: Named | null;
}

const iso = (value: string | Date) => new Date(value).toISOString();

const memberView = (member: MemberRow | null | undefined) =>
  member
    ? {
        documentId: member.documentId,
        name: member.fullName?.trim() || (member.telegramUsername ? `@${member.telegramUsername}` : '') || member.username || '—',
      }
    : null;

const namedView = (row: Named | null | undefined) => (row ? { documentId: row.documentId, name: row.name ?? '' } : null);

const BOOKING_LIST_QUERY = {
  select: ['id', 'documentId', 'label', 'state', 'startAt', 'endAt'],
  populate: {
    member: { select: ['documentId', 'fullName', 'telegramUsername', 'username'] },
    resource: { select: ['documentId', 'name'] },
    tariff: { select: ['documentId', 'name'] },
  },
} as const;

const bookingView = (row: BookingRow): HomeBooking => ({
  documentId: row.documentId,
  label: row.label,
  state: row.state,
  startAt: iso(row.startAt),
  endAt: iso(row.endAt),
  member: memberView(row.member),
  resource: namedView(row.resource),
  tariff: namedView(row.tariff),
});

/** Bookings that take a place at `now`, or held one: a pending payment counts only while its hold lasts. */
const holdingAt = (now: Date, states: string[]) => ({
  $or: [{ state: { $in: states } }, { state: 'pending_payment', holdExpiresAt: { $gt: now } }],
});

const sum = (rows: { amount: number | null }[]) => rows.reduce((total, row) => total + (row.amount ?? 0), 0);

const homeService = ({ strapi }: { strapi: Core.Strapi }) => {
  const db = (uid: string) => strapi.db.query(uid as never);

  /** Bookings overlapping the local day [dayStart, dayEnd) that hold or held a place. */
  async function todayBookings(now: Date, dayStart: Date, dayEnd: Date): Promise<NonNullable<HomeData['todayBookings']>> {
    const where = { startAt: { $lt: dayEnd }, endAt: { $gt: dayStart }, ...holdingAt(now, HELD_STATES) };
    const rows = (await db(BOOKING_UID).findMany({ select: ['id', 'state'], where })) as { state: string }[];
    const byState: Record<string, number> = {};
    for (const row of rows) byState[row.state] = (byState[row.state] ?? 0) + 1;
    // The next ones: started today and not yet over (a month or day booking that began earlier is in the count only).
    const next = (await db(BOOKING_UID).findMany({
      ...BOOKING_LIST_QUERY,
      where: { ...where, startAt: { $gte: dayStart, $lt: dayEnd }, endAt: { $gt: now } },
      orderBy: [{ startAt: 'asc' }, { id: 'asc' }],
      limit: LIST_LIMIT,
    })) as BookingRow[];
    return { count: rows.length, byState, next: next.map(bookingView) };
  }

  /** Each active resource's capacity less the bookings that take a place at this moment. */
  async function freeNow(now: Date): Promise<NonNullable<HomeData['freeNow']>> {
    const resources = (await db(RESOURCE_UID).findMany({
      select: ['id', 'documentId', 'name', 'kind', 'capacity'],
      where: { isActive: true },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
    })) as { id: number; documentId: string; name: string; kind: string; capacity: number | null }[];
    const occupying = (await db(BOOKING_UID).findMany({
      // The id keeps identical bookings apart (a relation populate makes the query DISTINCT).
      select: ['id'],
      where: { startAt: { $lte: now }, endAt: { $gt: now }, ...holdingAt(now, OCCUPYING_STATES) },
      populate: { resource: { select: ['id'] } },
    })) as { id: number; resource?: { id: number } | null }[];
    const taken = new Map<number, number>();
    for (const booking of occupying) {
      if (booking.resource) taken.set(booking.resource.id, (taken.get(booking.resource.id) ?? 0) + 1);
    }
    const rows = resources.map((resource) => {
      const capacity = resource.capacity ?? 0;
      const used = taken.get(resource.id) ?? 0;
      return {
        documentId: resource.documentId,
        name: resource.name,
        kind: resource.kind,
        capacity,
        taken: used,
        free: Math.max(0, capacity - used),
      };
    });
    const total = rows.reduce((acc, row) => ({ capacity: acc.capacity + row.capacity, taken: acc.taken + row.taken, free: acc.free + row.free }), {
      capacity: 0,
      taken: 0,
      free: 0,
    });
    return { total, resources: rows };
  }

  /** Requests staff still have to answer, soonest first (a request not answered by its start expires). */
  async function awaitingApproval(now: Date): Promise<NonNullable<HomeData['awaitingApproval']>> {
    const where = { state: 'awaiting_confirmation', startAt: { $gt: now } };
    const [count, next] = await Promise.all([
      db(BOOKING_UID).count({ where }),
      db(BOOKING_UID).findMany({ ...BOOKING_LIST_QUERY, where, orderBy: [{ startAt: 'asc' }, { id: 'asc' }], limit: LIST_LIMIT }),
    ]);
    return { count: Number(count), next: (next as BookingRow[]).map(bookingView) };
  }

  async function openTickets(): Promise<NonNullable<HomeData['openTickets']>> {
    const byState: Record<string, number> = {};
    for (const state of OPEN_TICKET_STATES) byState[state] = Number(await db(TICKET_UID).count({ where: { state } }));
    const rows = (await db(TICKET_UID).findMany({
      select: ['id', 'documentId', 'subject', 'state', 'priority', 'lastMessageAt'],
      where: { state: { $in: OPEN_TICKET_STATES } },
      populate: { member: { select: ['documentId', 'fullName', 'telegramUsername', 'username'] } },
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      limit: LIST_LIMIT,
    })) as {
      documentId: string;
      subject: string;
      state: string;
      priority: string | null;
      lastMessageAt: string | Date | null;
      member?: MemberRow | null;
    }[];
    return {
      count: Object.values(byState).reduce((a, b) => a + b, 0),
      byState,
      next: rows.map((row) => ({
        documentId: row.documentId,
        subject: row.subject,
        state: row.state,
        priority: row.priority,
        lastMessageAt: row.lastMessageAt ? iso(row.lastMessageAt) : null,
        member: memberView(row.member),
      })),
    };
  }

  async function moneyBetween(from: Date, to: Date): Promise<MoneyPeriod> {
    const [payments, refunds] = await Promise.all([
      db(PAYMENT_UID).findMany({ select: ['id', 'amount'], where: { state: 'succeeded', paidAt: { $gte: from, $lt: to } } }),
      db(REFUND_UID).findMany({ select: ['id', 'amount'], where: { state: 'succeeded', createdAt: { $gte: from, $lt: to } } }),
    ]);
    const received = sum(payments as { amount: number | null }[]);
    const returned = sum(refunds as { amount: number | null }[]);
    return { payments: received, refunds: returned, net: received - returned };
  }

  /** What the home page shows at `now`, limited to `sections`. */
  async function overview(sections: readonly Section[], now = new Date(), timeZone = spaceTimeZone()): Promise<HomeData> {
    const date = localDateOf(now, timeZone);
    const dayStart = zonedInstant(date, 0, timeZone);
    const dayEnd = zonedInstant(addDays(date, 1), 0, timeZone);
    const wanted = new Set(sections);
    const data: HomeData = { timeZone, now: now.toISOString(), date };
    if (wanted.has('todayBookings')) data.todayBookings = await todayBookings(now, dayStart, dayEnd);
    if (wanted.has('freeNow')) data.freeNow = await freeNow(now);
    if (wanted.has('awaitingApproval')) data.awaitingApproval = await awaitingApproval(now);
    if (wanted.has('openTickets')) data.openTickets = await openTickets();
    if (wanted.has('revenue')) {
      const monthKey = `${date.slice(0, 8)}01`;
      const [year, month] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
      const nextMonthKey = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
      const monthStart = zonedInstant(monthKey, 0, timeZone);
      const [today, monthTotal] = await Promise.all([
        moneyBetween(dayStart, dayEnd),
        moneyBetween(monthStart, zonedInstant(nextMonthKey, 0, timeZone)),
      ]);
      data.revenue = { currency: 'RUB', today, month: { ...monthTotal, from: monthKey } };
    }
    return data;
  }

  return { overview };
};

export type HomeService = ReturnType<typeof homeService>;

export default homeService;
