/**
 * POST /api/bookings (issue 3): books a slot for a member with the no-double-booking guarantee of
 * ARCHITECTURE §3.5. Validation, pricing, the promo redemption, the capacity count and the insert run in one
 * transaction that first locks the resource row, so two bookings of one resource are decided one after the
 * other on SQLite (one writer at a time) and on PostgreSQL (the row lock) alike.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import type { QuoteRequest } from '../../../../types/contracts/booking';
import { intervalForUnits, type RejectionReason } from '../../../domain/availability';
import { ACTIVE_STATES, type BookingState, occupiesCapacity, SUCCESSFUL_STATES } from '../../../domain/booking-state';
import { normalisePromocode, type PromoRefusal } from '../../../domain/promocode';
import { HOUR_MS, MINUTE_MS } from '../../../domain/space-time';
import { trustedWrites } from '../../../document-middlewares/trusted-writes';
import { type AvailabilityService, type BookableResource, type BookableTariff, bookingSettings } from './availability';
import { BOOKING_VIEW_QUERY, type BookingData, type StoredBooking, toBookingData } from './booking-view';
import { linkedIds } from '../../../utils/linked-ids';
import { paymentGateway } from './payment-gateway';
import type { QuoteService } from './quote';
import type { StaffAlertsService } from '../../notification/services/staff-alerts';

const BOOKING_UID = 'api::booking.booking';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const DEFAULT_HOLD_MINUTES = 15;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_MAX_UNPAID_HOLDS = 2;

/** BOOKING_HOLD_MINUTES (default 15): how long a pending_payment booking keeps its place. Read per request. */
function holdMinutes(): number {
  const raw = process.env.BOOKING_HOLD_MINUTES;
  if (raw === undefined || raw.trim() === '') return DEFAULT_HOLD_MINUTES;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BOOKING_HOLD_MINUTES must be a whole number ≥ 1, got "${raw}"`);
  return value;
}

/**
 * BOOKING_MAX_UNPAID_HOLDS (default 2): how many bookings one member may hold unpaid at a time, so that nobody
 * can take a room's whole day with holds they never pay for. Read per request.
 */
function maxUnpaidHolds(): number {
  const raw = process.env.BOOKING_MAX_UNPAID_HOLDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_UNPAID_HOLDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BOOKING_MAX_UNPAID_HOLDS must be a whole number ≥ 1, got "${raw}"`);
  return value;
}

export type CreateRefusal =
  | { status: 404; message: string }
  | { status: 409; reason: 'full' | 'trial_used' | 'too_many_unpaid_holds'; message: string; limit?: number }
  | {
      status: 422;
      field: 'units' | 'startAt';
      reason?: RejectionReason;
      message: string;
    }
  | {
      status: 422;
      field: 'promocode';
      reason: PromoRefusal | 'not_found';
      message: string;
    }
  | {
      status: 422;
      field: 'Idempotency-Key';
      reason: 'idempotency_key_reused';
      message: string;
    };

export type { BookingData };

export type CreateOutcome = { ok: true; replayed: boolean; data: BookingData } | ({ ok: false } & CreateRefusal);

/** Thrown inside the transaction so that it rolls back: a refused request writes nothing, not even the lock bump. */
class Refused extends Error {
  constructor(readonly refusal: CreateRefusal) {
    super(refusal.message);
  }
}

export interface BookingMember {
  id: number;
  documentId: string;
}

/**
 * How a booking made by staff for a member (the booking desk, POST /booking-desk/bookings) differs from the
 * member's own; everything else (pricing, the lock, the overlap count, the insert) is the same path.
 */
export interface StaffCreateOptions {
  /** `admin:<id> <name>`: stamps a free booking's confirmedBy. */
  actorLabel: string;
  /** The resource to book (documentId or slug); it must be one of the tariff's active resources. */
  resource?: string;
  comment?: string;
  /** Create the YooKassa payment with the booking (to send its link); otherwise the member pays at the desk or asks the bot. */
  providerPayment: boolean;
  /** Runs inside the booking's transaction after the insert (audit log, outbox jobs): a failure rolls it back. */
  afterInsert?: (
    trx: Knex.Transaction,
    booking: { id: number; documentId: string; state: BookingState; startAt: Date; endAt: Date; priceTotal: number; resource: string },
  ) => Promise<void>;
}

const createBookingService = ({ strapi }: { strapi: Core.Strapi }) => {
  const availability = () => strapi.service('api::booking.availability') as AvailabilityService;
  const quote = () => strapi.service('api::booking.quote') as QuoteService;

  const findByKey = async (storedKey: string) =>
    (await strapi.db.query(BOOKING_UID).findOne({ where: { idempotencyKey: storedKey }, ...BOOKING_VIEW_QUERY })) as StoredBooking | null;

  /** Whether a retried request asks for what the first one booked (same tariff, interval, units and code). */
  function sameRequest(booking: StoredBooking, input: QuoteRequest): boolean {
    if (!booking.tariff || ![booking.tariff.documentId, booking.tariff.slug].includes(input.tariff)) return false;
    // A stored start is the requested instant (hour) or the local midnight of its day (day, month): at most
    // 25 hours earlier. This also keeps calendar arithmetic off starts far outside any bookable window.
    if (Math.abs(input.startAt.getTime() - new Date(booking.startAt).getTime()) > 2 * DAY_MS) return false;
    const wanted = intervalForUnits({
      billingUnit: booking.tariff.billingUnit as BookableTariff['billingUnit'],
      startAt: input.startAt,
      units: input.units,
      timeZone: bookingSettings().timeZone,
    });
    const promocode = input.promocode === undefined ? null : normalisePromocode(input.promocode);
    return (
      booking.units === input.units &&
      wanted.startAt.getTime() === new Date(booking.startAt).getTime() &&
      wanted.endAt.getTime() === new Date(booking.endAt).getTime() &&
      (booking.promocode?.code ?? null) === promocode
    );
  }

  function replay(booking: StoredBooking, input: QuoteRequest, now: Date): CreateOutcome {
    if (sameRequest(booking, input)) return { ok: true, replayed: true, data: toBookingData(booking, now) };
    return {
      ok: false,
      status: 422,
      field: 'Idempotency-Key',
      reason: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used for a different booking request. Use a new key for a new booking.',
    };
  }

  /**
   * A trial tariff is for members who never had a successful booking. An active booking of a trial tariff
   * counts too, so a member cannot hold two trials while the first is unpaid or unapproved.
   */
  async function trialUsed(trx: Knex.Transaction, memberId: number, now: Date): Promise<boolean> {
    const rows = (await strapi.db.query(BOOKING_UID).findMany({
      // The relation filters make the query DISTINCT: the id keeps identical rows apart.
      select: ['id', 'state', 'holdExpiresAt'],
      where: {
        id: { $in: await linkedIds(strapi, BOOKING_UID, 'member', memberId, trx) },
        $or: [{ state: { $in: [...SUCCESSFUL_STATES] } }, { tariff: { trialOnce: true }, state: { $in: [...ACTIVE_STATES] } }],
      },
    })) as { state: BookingState; holdExpiresAt: string | Date | null }[];
    return rows.some(
      (row) =>
        SUCCESSFUL_STATES.includes(row.state) ||
        occupiesCapacity(
          {
            state: row.state,
            holdExpiresAt: row.holdExpiresAt ? new Date(row.holdExpiresAt) : null,
          },
          now,
        ),
    );
  }

  /**
   * Refuses a new hold when the member already has `maxUnpaidHolds()` holds whose time to pay is still running.
   * Takes the member's row lock first (after the resource and promo code, as everywhere), so two parallel
   * creates of one member, even for different resources, are counted one after the other.
   */
  async function assertHoldAllowed(trx: Knex.Transaction, memberId: number, now: Date): Promise<void> {
    await trx('up_users')
      .where({ id: memberId })
      .update({ successful_bookings: trx.raw('successful_bookings') });
    const limit = maxUnpaidHolds();
    const held = await strapi.db.query(BOOKING_UID).count({
      where: {
        id: { $in: await linkedIds(strapi, BOOKING_UID, 'member', memberId, trx) },
        state: 'pending_payment',
        holdExpiresAt: { $gt: now },
      },
    });
    if (held >= limit) {
      const bookings = limit === 1 ? 'an unpaid booking' : `${limit} unpaid bookings`;
      throw new Refused({
        status: 409,
        reason: 'too_many_unpaid_holds',
        limit,
        message: `You already have ${bookings} waiting for payment. Pay for or cancel one of them before booking again; an unpaid booking is released when its time to pay runs out.`,
      });
    }
  }

  /**
   * Everything between the lock and the insert; runs inside strapi.db.transaction (the query engine joins it).
   * The tariff and resource come from outside: their bookable settings are not what two bookings race for.
   */
  async function reserve(
    trx: Knex.Transaction,
    catalogue: { tariff: BookableTariff; resource: BookableResource },
    member: BookingMember,
    input: QuoteRequest,
    storedKey: string | null,
    now: Date,
    staff?: StaffCreateOptions,
  ): Promise<{ bookingId: number; paymentDocumentId: string | null }> {
    const { tariff, resource } = catalogue;

    // Lock order is always resource, then promo code, then member, so concurrent bookings cannot deadlock.
    // The UPDATE takes the row lock on PostgreSQL; on SQLite the transaction already holds the only writer.
    await trx('resources').where({ id: resource.id }).increment('lock_version', 1);
    if (input.promocode !== undefined) {
      // Serialises redemptions of one code, so its total and per-member limits are counted under the lock.
      // Usage is counted from redemptions (reserved | used), as the quote does; this write only takes the lock.
      await trx('promocodes')
        .where({ code: normalisePromocode(input.promocode) })
        .update({ used_count: trx.raw('used_count') });
    }
    if (tariff.trialOnce) {
      // Two trial bookings of one member on different resources would not meet at the resource lock.
      await trx('up_users')
        .where({ id: member.id })
        .update({ successful_bookings: trx.raw('successful_bookings') });
      if (await trialUsed(trx, member.id, now)) {
        throw new Refused({
          status: 409,
          reason: 'trial_used',
          message: 'The trial tariff is only for your first booking. Please choose another tariff.',
        });
      }
    }

    const priced = await quote().price(member.id, tariff, input, now);
    if (!priced.ok) {
      throw new Refused(
        priced.problem === 'units'
          ? { status: 422, field: 'units', message: priced.message }
          : {
              status: 422,
              field: 'promocode',
              reason: priced.reason,
              message: priced.message,
            },
      );
    }

    const bookable = await availability().checkBookable(tariff, resource, input.startAt, input.units, now);
    if (!bookable.ok) {
      throw new Refused(
        bookable.reason === 'full'
          ? {
              status: 409,
              reason: 'full',
              message: 'Sorry, this time has just been taken. Please choose another slot.',
            }
          : {
              status: 422,
              field: 'startAt',
              reason: bookable.reason,
              message: bookable.message,
            },
      );
    }

    const { price, promocode } = priced;
    const interval = intervalForUnits({
      billingUnit: tariff.billingUnit,
      startAt: input.startAt,
      units: input.units,
      timeZone: bookingSettings().timeZone,
    });
    const lifecycle: {
      state: BookingState;
      holdExpiresAt?: Date;
      confirmedAt?: Date;
      confirmedBy?: string;
    } = tariff.requiresApproval && !staff
      ? { state: 'awaiting_confirmation' }
      : price.priceTotal > 0
        ? {
            state: 'pending_payment',
            holdExpiresAt: new Date(now.getTime() + holdMinutes() * MINUTE_MS),
          }
        : { state: 'confirmed', confirmedAt: now, confirmedBy: staff?.actorLabel ?? 'system' };
    // Holds are the only state a member can pile up without paying or staff seeing it. Staff, who create a
    // booking on purpose and for the member, are not capped (docs/ADMIN.md, Bookings calendar).
    if (lifecycle.state === 'pending_payment' && !staff) await assertHoldAllowed(trx, member.id, now);
    const discounts = price.discounts.map(({ kind, label, amount }) => ({
      kind,
      label,
      amount,
    }));

    // The query engine, not the Document Service: the ids are known, the values are computed here, so its
    // documentId lookups, relation checks and the populated read-back for the `entry.create` event (13 of a
    // booking's 37 queries, docs/PERFORMANCE.md) buy nothing. It writes the link rows and joins this transaction;
    // documentId comes from the attribute's default, publishedAt marks the only row of a type without drafts.
    const booking = (await strapi.db.query(BOOKING_UID).create({
      data: {
        member: member.id,
        tariff: tariff.id,
        resource: resource.id,
        promocode: promocode?.id,
        startAt: interval.startAt,
        endAt: interval.endAt,
        units: input.units,
        priceBase: price.priceBase,
        discountTotal: price.discountTotal,
        priceTotal: price.priceTotal,
        currency: price.currency,
        discounts,
        source: staff ? 'admin' : 'api',
        ...(staff?.comment ? { comment: staff.comment } : {}),
        idempotencyKey: storedKey ?? undefined,
        publishedAt: now,
        ...lifecycle,
      },
      select: ['id', 'documentId'],
    })) as { id: number; documentId: string };
    if (promocode) {
      await strapi.db.query(REDEMPTION_UID).create({
        data: {
          promocode: promocode.id,
          member: member.id,
          booking: booking.id,
          amount: price.discounts.find((line) => line.kind === 'promocode')?.amount ?? 0,
          state: 'reserved',
          publishedAt: now,
        },
        select: ['id'],
      });
      // usedCount mirrors the code's reserved and used redemptions, for staff; limits are counted from the rows.
      await trx('promocodes').where({ id: promocode.id }).increment('used_count', 1);
    }
    if (lifecycle.state === 'confirmed') {
      await trx('up_users').where({ id: member.id }).increment('successful_bookings', 1);
    }
    // A request waiting for approval tells the staff chat, in this transaction (docs/NOTIFICATIONS.md § Staff alerts).
    if (lifecycle.state === 'awaiting_confirmation') {
      await (strapi.service('api::notification.staff-alerts') as StaffAlertsService).enqueue({ event: 'booking_awaiting', booking: booking.documentId }, trx);
    }
    // The payment row (with its Idempotence-Key) commits with the booking, before the provider is called.
    const gateway = paymentGateway(strapi);
    const paymentDocumentId =
      lifecycle.state === 'pending_payment' && gateway && (!staff || staff.providerPayment)
        ? await gateway.prepare({ documentId: booking.documentId, priceTotal: price.priceTotal, member })
        : null;
    await staff?.afterInsert?.(trx, {
      id: Number(booking.id),
      documentId: booking.documentId,
      state: lifecycle.state,
      startAt: interval.startAt,
      endAt: interval.endAt,
      priceTotal: price.priceTotal,
      resource: resource.documentId,
    });
    return { bookingId: Number(booking.id), paymentDocumentId };
  }

  return {
    /**
     * `idempotencyKey` is stored as `<memberId>:<key>` under a unique index, so one member's key never
     * collides with another's and a concurrent retry loses at the database, then replays the winner.
     */
    async create(
      member: BookingMember,
      input: QuoteRequest,
      idempotencyKey: string | undefined,
      now: Date,
      staff?: StaffCreateOptions,
    ): Promise<CreateOutcome> {
      const storedKey = idempotencyKey === undefined ? null : `${member.id}:${idempotencyKey}`;
      if (storedKey !== null) {
        const earlier = await findByKey(storedKey);
        if (earlier) return replay(earlier, input, now);
      }
      // The catalogue is read before the transaction: on SQLite it holds the only connection, so everything
      // that needs no lock stays out of it. What must be decided under the lock is re-read inside.
      const tariff = await availability().findBookableTariff(input.tariff);
      const resource: BookableResource | null = tariff && availability().resourceOf(tariff, staff?.resource);
      if (!tariff || !resource) return { ok: false, status: 404, message: `No bookable tariff "${input.tariff}".` };
      try {
        // The booking's protected fields (state, price) are ours to write (src/document-middlewares/protected-fields.ts).
        const created = await trustedWrites(() => strapi.db.transaction(({ trx }) => reserve(trx, { tariff, resource }, member, input, storedKey, now, staff)), 'booking.create');
        // An unknown outcome leaves the link empty; POST /api/bookings/:documentId/pay or the reconciliation
        // job repeats the call with the same key.
        if (created.paymentDocumentId !== null) await paymentGateway(strapi)?.submit(created.paymentDocumentId);
        const stored = (await strapi.db.query(BOOKING_UID).findOne({ where: { id: created.bookingId }, ...BOOKING_VIEW_QUERY })) as StoredBooking;
        return { ok: true, replayed: false, data: toBookingData(stored, now) };
      } catch (error) {
        if (error instanceof Refused) return { ok: false, ...error.refusal };
        // A concurrent request with the same key committed first: the unique index refused this insert.
        const winner = storedKey === null ? null : await findByKey(storedKey);
        if (winner) return replay(winner, input, now);
        throw error;
      }
    },
  };
};

export type CreateBookingService = ReturnType<typeof createBookingService>;
export default createBookingService;
