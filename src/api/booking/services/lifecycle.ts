/**
 * The one way a booking changes after it was created (ARCHITECTURE §3.4). `transition` takes the booking's
 * resource lock, re-reads the booking under it, asks the pure state machine (`decideTransition`) and, in the
 * same transaction, writes the new state with who did it and why, the promo redemption (released or used), the
 * member's successful-bookings counter, a manual payment (mark paid), the refunds a cancellation gives, and an
 * audit-log row. A refused transition writes nothing.
 *
 * Refunds are recorded as `pending` refund rows; the payments integration executes them (issue 4).
 */
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { intervalForUnits } from '../../../domain/availability';
import {
  BOOKING_EVENTS,
  type BookingEvent,
  type BookingState,
  decideTransition,
  SUCCESSFUL_STATES,
  type TransitionErrorCode,
} from '../../../domain/booking-state';
import { trustedWrites } from '../../../document-middlewares/trusted-writes';
import type { OutboxService } from '../../outbox-job/services/outbox';
import { type AvailabilityService, BOOKABLE_RESOURCE_FIELDS, type BookableResource, bookingSettings } from './availability';
import {
  BOOKING_VIEW_QUERY,
  type BookingData,
  paidAmountOf,
  refundIfCancelled,
  type StoredBooking,
  toBookingData,
} from './booking-view';

const BOOKING_UID = 'api::booking.booking';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const PAYMENT_UID = 'api::payment.payment';
const REFUND_UID = 'api::refund.refund';
const AUDIT_UID = 'api::audit-log.audit-log';

export type LifecycleActor =
  | { type: 'member'; id: number }
  | { type: 'staff'; id: number; label: string }
  | { type: 'system'; label: string };

/** What a cancellation refunds: the tariff's policy, everything paid, or nothing. Members always get the policy. */
export type RefundChoice = 'policy' | 'full' | 'none';

export interface TransitionRequest {
  documentId: string;
  event: BookingEvent;
  actor: LifecycleActor;
  now: Date;
  /** Why (cancel, reject): stored on the booking and in the audit log. */
  reason?: string;
  /** The caller's address, for the audit log. */
  ip?: string;
  /** reschedule: the new start; the booking keeps its tariff, resource and units. */
  startAt?: Date;
  /** cancel by staff: default `full`, since the space called it off. */
  refund?: RefundChoice;
}

export interface RefundDue {
  amount: number;
  currency: string;
  policy: 'full' | 'partial' | 'none';
  /** `pending` until the payments integration has returned the money. */
  state: 'pending';
}

export type TransitionRefusalCode = TransitionErrorCode | 'not_found' | 'not_own' | 'full' | 'invalid_time';

export type TransitionOutcome =
  | { ok: true; data: BookingData; refund: RefundDue | null }
  | { ok: false; status: 403 | 404 | 409 | 422; code: TransitionRefusalCode; message: string; field?: string };

type Refusal = Extract<TransitionOutcome, { ok: false }>;

/** Thrown inside the transaction so that it rolls back. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

interface LockedBooking extends Omit<StoredBooking, 'resource' | 'payments' | 'promocode'> {
  member: { id: number; documentId: string } | null;
  resource: (BookableResource & { name: string }) | null;
  promocode: { id: number; code: string } | null;
  payments: {
    id: number;
    documentId: string;
    provider: string;
    state: string;
    amount: number;
    refunds: { state: string; amount: number }[];
  }[];
}

const LOCKED_BOOKING_QUERY = {
  select: BOOKING_VIEW_QUERY.select,
  populate: {
    ...BOOKING_VIEW_QUERY.populate,
    member: { select: ['id', 'documentId'] },
    resource: { select: [...BOOKABLE_RESOURCE_FIELDS, 'name'] },
    promocode: { select: ['id', 'code'] },
    payments: { select: ['id', 'documentId', 'provider', 'state', 'amount'], populate: { refunds: { select: ['state', 'amount'] } } },
  },
};

const CONFIRMING_EVENTS: readonly BookingEvent[] = ['payment_succeeded', 'mark_paid', 'approve', 'late_payment_confirmed'];

/** Events the member is told about when staff or the system fire them: all but completion, which is not news. */
const NOTIFIED_EVENTS: readonly BookingEvent[] = BOOKING_EVENTS.filter((event) => event !== 'complete');

const AUDIT_ACTOR_TYPE = { member: 'member', staff: 'admin', system: 'system' } as const;

const actorLabel = (actor: LifecycleActor) => (actor.type === 'member' ? `member:${actor.id}` : actor.label);

const lifecycleService = ({ strapi }: { strapi: Core.Strapi }) => {
  const availability = () => strapi.service('api::booking.availability') as AvailabilityService;
  const outbox = () => strapi.service('api::outbox-job.outbox') as OutboxService;

  /** The new time of a rescheduled booking, checked against the rules and everyone else's bookings. */
  async function rescheduledInterval(booking: LockedBooking, request: TransitionRequest) {
    if (request.startAt === undefined) {
      throw new Refused({ ok: false, status: 422, code: 'invalid_time', field: 'startAt', message: 'Give the new start time.' });
    }
    if (!booking.resource || !booking.tariff) {
      throw new Refused({ ok: false, status: 409, code: 'forbidden_transition', message: 'This booking has no resource to move it on.' });
    }
    const billingUnit = booking.tariff.billingUnit as 'hour' | 'day' | 'month';
    const check = await availability().checkBookable(
      { billingUnit },
      booking.resource,
      request.startAt,
      booking.units,
      request.now,
      booking.id,
    );
    if (!check.ok) {
      throw new Refused(
        check.reason === 'full'
          ? { ok: false, status: 409, code: 'full', message: 'That time is already taken. Please choose another one.' }
          : { ok: false, status: 422, code: 'invalid_time', field: 'startAt', message: check.message },
      );
    }
    return intervalForUnits({ billingUnit, startAt: request.startAt, units: booking.units, timeZone: bookingSettings().timeZone });
  }

  /**
   * A payment that arrived after the hold lapsed confirms the booking only if nobody took its place meanwhile.
   * Only capacity counts here: the booking's time was valid when it was made.
   */
  async function assertStillFree(booking: LockedBooking, now: Date) {
    if (!booking.resource || !booking.tariff) return;
    const billingUnit = booking.tariff.billingUnit as 'hour' | 'day' | 'month';
    const check = await availability().checkBookable({ billingUnit }, booking.resource, new Date(booking.startAt), booking.units, now, booking.id);
    if (!check.ok && check.reason === 'full') {
      throw new Refused({ ok: false, status: 409, code: 'full', message: 'The slot was taken by someone else after the payment hold lapsed.' });
    }
  }

  /** Pending refund rows for `amount`, taken from the booking's succeeded payments in turn. */
  async function recordRefunds(trx: Knex.Transaction, booking: LockedBooking, amount: number, reason: string) {
    let left = amount;
    for (const payment of booking.payments) {
      if (left === 0) break;
      if (payment.state !== 'succeeded') continue;
      const refundable = paidAmountOf([payment]);
      const part = Math.min(left, refundable);
      if (part <= 0) continue;
      const refund = await strapi.documents(REFUND_UID).create({
        data: { payment: payment.documentId, amount: part, currency: booking.currency as 'RUB', state: 'pending', reason, idempotenceKey: randomUUID() },
      });
      // Money taken at the desk is handed back at the desk; the provider's refunds go through the outbox.
      if (payment.provider !== 'manual') {
        await outbox().enqueue(
          { kind: 'refund.execute', payload: { refund: refund.documentId }, dedupeKey: `refund.execute:${refund.documentId}` },
          trx,
        );
      }
      left -= part;
    }
  }

  async function releaseOrUseRedemption(trx: Knex.Transaction, booking: LockedBooking, next: BookingState) {
    if (!booking.promocode) return;
    const settle = next === 'confirmed' ? 'used' : next === 'rejected' || next === 'cancelled' || next === 'expired' ? 'released' : null;
    if (settle === null) return;
    // updateMany cannot filter through a relation, so the reserved rows are found first (under the resource lock).
    const reserved = (await strapi.db
      .query(REDEMPTION_UID)
      .findMany({ select: ['id'], where: { booking: { id: booking.id }, state: 'reserved' } })) as { id: number }[];
    if (reserved.length === 0) return;
    await strapi.db.query(REDEMPTION_UID).updateMany({ where: { id: { $in: reserved.map((row) => row.id) } }, data: { state: settle } });
    // A code already used (paid for) stays used: only an unpaid booking gives its place in the limit back.
    if (settle === 'released') {
      await trx('promocodes')
        .where({ id: booking.promocode.id })
        .where('used_count', '>=', reserved.length)
        .decrement('used_count', reserved.length);
    }
  }

  /**
   * The member hears of what staff and the system did (their own actions are answered directly), and the CRM
   * gets every change. Dedupe keys make a repeated transition (a second webhook) enqueue nothing new.
   */
  async function enqueueSideEffects(
    trx: Knex.Transaction,
    booking: LockedBooking,
    request: TransitionRequest,
    next: BookingState,
    changes: Record<string, unknown>,
    refund: RefundDue | null,
  ) {
    const { event, actor } = request;
    const moment = event === 'reschedule' ? `reschedule:${(changes.startAt as Date).toISOString()}` : next;
    if (actor.type !== 'member' && NOTIFIED_EVENTS.includes(event)) {
      await outbox().enqueue(
        {
          kind: 'member.notify',
          payload: { booking: booking.documentId, event, state: next, reason: request.reason ?? null, refund: refund?.amount ?? null },
          dedupeKey: `member.notify:${booking.documentId}:${moment}`,
        },
        trx,
      );
    }
    await outbox().enqueue(
      { kind: 'crm.sync-booking', payload: { booking: booking.documentId }, dedupeKey: `crm.sync-booking:${booking.documentId}:${moment}` },
      trx,
    );
  }

  async function apply(trx: Knex.Transaction, bookingId: number, resourceId: number | null, request: TransitionRequest) {
    const { actor, event, now } = request;
    // Lock order as in create-booking: resource, then promo code, then member.
    if (resourceId !== null) await trx('resources').where({ id: resourceId }).increment('lock_version', 1);
    const booking = (await strapi.db.query(BOOKING_UID).findOne({ where: { id: bookingId }, ...LOCKED_BOOKING_QUERY })) as LockedBooking;

    const decision = decideTransition({
      state: booking.state,
      event,
      actor: actor.type,
      now,
      startAt: new Date(booking.startAt),
      endAt: new Date(booking.endAt),
      holdExpiresAt: booking.holdExpiresAt === null ? null : new Date(booking.holdExpiresAt),
    });
    if (!decision.ok) {
      const status = decision.code === 'not_allowed_for_actor' ? 403 : 409;
      throw new Refused({ ok: false, status, code: decision.code, message: decision.message });
    }

    const label = actorLabel(actor);
    const reason = request.reason?.trim() || null;
    const changes: Record<string, unknown> = { state: decision.next, ...decision.stamps };
    if (CONFIRMING_EVENTS.includes(event)) changes.confirmedBy = label;
    if (event === 'cancel' || event === 'reject') Object.assign(changes, { cancelledBy: label, cancelReason: reason });
    if (event === 'reschedule') {
      const interval = await rescheduledInterval(booking, request);
      Object.assign(changes, { startAt: interval.startAt, endAt: interval.endAt });
    }
    if (event === 'late_payment_confirmed') await assertStillFree(booking, now);

    await releaseOrUseRedemption(trx, booking, decision.next);

    const wasSuccessful = SUCCESSFUL_STATES.includes(booking.state);
    const isSuccessful = SUCCESSFUL_STATES.includes(decision.next);
    if (booking.member && wasSuccessful !== isSuccessful) {
      const members = trx('up_users').where({ id: booking.member.id });
      await (isSuccessful
        ? members.increment('successful_bookings', 1)
        : members.where('successful_bookings', '>', 0).decrement('successful_bookings', 1));
    }

    if (event === 'mark_paid') {
      // Paid at the desk: recorded as a payment, so refunds and reports see the money like any other.
      await strapi.documents(PAYMENT_UID).create({
        data: {
          booking: booking.documentId,
          member: booking.member?.documentId,
          provider: 'manual',
          idempotenceKey: `manual-${randomUUID()}`,
          amount: booking.priceTotal,
          currency: booking.currency as 'RUB',
          state: 'succeeded',
          paidAt: now,
        },
      });
    }

    let refund: RefundDue | null = null;
    if (event === 'cancel') {
      const choice: RefundChoice = actor.type === 'staff' ? (request.refund ?? 'full') : 'policy';
      const policy = refundIfCancelled(booking, now);
      const paid = paidAmountOf(booking.payments);
      const amount = choice === 'policy' ? policy.refundAmount : choice === 'full' ? paid : 0;
      if (amount > 0) {
        await recordRefunds(trx, booking, amount, reason ?? `Booking cancelled by ${actor.type}`);
        refund = { amount, currency: booking.currency, policy: amount === paid ? 'full' : 'partial', state: 'pending' };
      }
    }

    await strapi.db.query(BOOKING_UID).update({ where: { id: booking.id }, data: changes });
    await enqueueSideEffects(trx, booking, request, decision.next, changes, refund);

    const summary = (state: BookingState, startAt: unknown, endAt: unknown) => ({
      state,
      startAt: new Date(startAt as string).toISOString(),
      endAt: new Date(endAt as string).toISOString(),
    });
    await strapi.db.query(AUDIT_UID).create({
      data: {
        actorType: AUDIT_ACTOR_TYPE[actor.type],
        actorId: actor.type === 'system' ? null : String(actor.id),
        actorLabel: label,
        action: `booking.${event}`,
        subjectType: BOOKING_UID,
        subjectId: booking.documentId,
        before: summary(booking.state, booking.startAt, booking.endAt),
        after: {
          ...summary(decision.next, changes.startAt ?? booking.startAt, changes.endAt ?? booking.endAt),
          ...(reason === null ? {} : { reason }),
          ...(refund === null ? {} : { refund: refund.amount }),
        },
        ip: request.ip ?? null,
        at: now,
      },
    });

    const stored = (await strapi.db.query(BOOKING_UID).findOne({ where: { id: booking.id }, ...BOOKING_VIEW_QUERY })) as StoredBooking;
    return { ok: true as const, data: toBookingData(stored, now), refund };
  }

  return {
    /**
     * Applies `event` to the booking. Members may act only on their own bookings (403 otherwise); the state
     * machine's refusals come back as 403 (wrong actor) or 409, reschedule's as 409 (taken) or 422.
     */
    async transition(request: TransitionRequest): Promise<TransitionOutcome> {
      const head = (await strapi.db.query(BOOKING_UID).findOne({
        where: { documentId: request.documentId },
        select: ['id'],
        populate: { resource: { select: ['id'] }, member: { select: ['id'] } },
      })) as { id: number; resource: { id: number } | null; member: { id: number } | null } | null;
      if (!head) return { ok: false, status: 404, code: 'not_found', message: 'No such booking.' };
      if (request.actor.type === 'member' && head.member?.id !== request.actor.id) {
        return { ok: false, status: 403, code: 'not_own', message: 'This booking belongs to someone else.' };
      }
      try {
        // The state machine writes protected fields (src/document-middlewares/protected-fields.ts).
        return await trustedWrites(() => strapi.db.transaction(({ trx }) => apply(trx, head.id, head.resource?.id ?? null, request)), 'booking.lifecycle');
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },
  };
};

export type LifecycleService = ReturnType<typeof lifecycleService>;
export default lifecycleService;
