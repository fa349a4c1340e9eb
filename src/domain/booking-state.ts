/**
 * The booking state machine (ARCHITECTURE §3.4) as pure functions: no Strapi, no I/O, the clock is passed in.
 * The booking service asks `decideTransition` before every state change, then writes the result, the audit row
 * and the side effects (payment, refund, promo redemption, notifications) in one transaction.
 *
 * | event                  | from                  | to          | actors        | time rule                                   |
 * |------------------------|-----------------------|-------------|---------------|---------------------------------------------|
 * | payment_succeeded      | pending_payment       | confirmed   | system        | hold active                                 |
 * | mark_paid              | pending_payment       | confirmed   | staff         | hold active                                 |
 * | approve                | awaiting_confirmation | confirmed   | staff         | before startAt                              |
 * | reject                 | awaiting_confirmation | rejected    | staff         | any time                                    |
 * | cancel                 | any ACTIVE_STATES     | cancelled   | member, staff | member before startAt; staff any time       |
 * | reschedule             | any ACTIVE_STATES     | (unchanged) | member, staff | member before startAt; staff before endAt   |
 * | expire_hold            | pending_payment       | expired     | system        | hold lapsed (now ≥ holdExpiresAt, or none)  |
 * | expire_unconfirmed     | awaiting_confirmation | expired     | system        | from startAt on (staff never answered)      |
 * | complete               | confirmed             | completed   | system        | from endAt on                               |
 * | late_payment_confirmed | expired               | confirmed   | system        | before endAt                                |
 *
 * Everything else is refused. completed, rejected and cancelled accept nothing; expired accepts only
 * `late_payment_confirmed`. On top of the table, a pending_payment booking whose hold has lapsed counts as
 * expired before the expiry job has run: it accepts only `expire_hold` (anything else gets `hold_expired`).
 *
 * Why `late_payment_confirmed` is its own event: a payment that succeeds after the hold lapsed may find the slot
 * taken by someone else. Letting `payment_succeeded` revive an expired booking would bypass that check. The
 * payments service instead re-checks capacity under the resource lock and either fires this event or refunds, so
 * only the system may fire it.
 *
 * Actors: `member` (the booking's owner; ownership is checked by the caller's policy), `staff` (admin RBAC) and
 * `system` (jobs, and payment webhooks, whose payment object is always re-fetched from the provider before we act,
 * so it is our code deciding, not the caller).
 *
 * Refusal codes map to HTTP: `not_allowed_for_actor` → 403, every other code → 409.
 */

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

export const BOOKING_EVENTS = [
  'payment_succeeded',
  'mark_paid',
  'approve',
  'reject',
  'cancel',
  'reschedule',
  'expire_hold',
  'expire_unconfirmed',
  'complete',
  'late_payment_confirmed',
] as const;
export type BookingEvent = (typeof BOOKING_EVENTS)[number];

export const ACTORS = ['member', 'staff', 'system'] as const;
export type Actor = (typeof ACTORS)[number];

/** States that hold capacity; pending_payment only while its hold is active (see `occupiesCapacity`). */
export const ACTIVE_STATES: readonly BookingState[] = ['pending_payment', 'awaiting_confirmation', 'confirmed'];

/** States that count as a member's successful booking (trial-once rule, `successfulBookings`). */
export const SUCCESSFUL_STATES: readonly BookingState[] = ['confirmed', 'completed'];

export const FINAL_STATES: readonly BookingState[] = ['completed', 'rejected', 'cancelled', 'expired'];

export type TransitionErrorCode =
  | 'forbidden_transition'
  | 'not_allowed_for_actor'
  | 'too_early'
  | 'too_late'
  | 'hold_expired'
  | 'hold_not_expired';

/** Fields the caller sets with the new state; the matching `confirmedBy` / `cancelledBy` is the caller's actor label. */
export interface TransitionStamps {
  confirmedAt?: Date;
  cancelledAt?: Date;
}

export type TransitionResult =
  | { ok: true; next: BookingState; stamps: TransitionStamps }
  | { ok: false; code: TransitionErrorCode; message: string };

export interface TransitionInput {
  state: BookingState;
  event: BookingEvent;
  actor: Actor;
  now: Date;
  startAt: Date;
  endAt: Date;
  holdExpiresAt?: Date | null;
}

interface HoldView {
  state: BookingState;
  holdExpiresAt?: Date | null;
}

/**
 * True while a pending_payment booking's hold reserves its slot. The hold ends at `holdExpiresAt` exactly,
 * whether or not the expiry job has run; a pending_payment booking without a hold reserves nothing.
 */
export function isHoldActive(booking: HoldView, now: Date): boolean {
  return (
    booking.state === 'pending_payment' &&
    booking.holdExpiresAt != null &&
    now.getTime() < booking.holdExpiresAt.getTime()
  );
}

/** Whether a booking takes capacity at `now`: the single definition the availability rules share. */
export function occupiesCapacity(booking: HoldView, now: Date): boolean {
  if (booking.state === 'pending_payment') return isHoldActive(booking, now);
  return ACTIVE_STATES.includes(booking.state);
}

interface Transition {
  from: readonly BookingState[];
  /** `null`: the state does not change (reschedule moves the time only). */
  to: BookingState | null;
  actors: readonly Actor[];
  stamp?: keyof TransitionStamps;
  /** Starts a sentence in refusal messages. */
  noun: string;
}

const TRANSITIONS: { readonly [E in BookingEvent]: Transition } = {
  payment_succeeded: {
    from: ['pending_payment'],
    to: 'confirmed',
    actors: ['system'],
    stamp: 'confirmedAt',
    noun: 'Taking a payment',
  },
  mark_paid: {
    from: ['pending_payment'],
    to: 'confirmed',
    actors: ['staff'],
    stamp: 'confirmedAt',
    noun: 'Marking as paid',
  },
  approve: {
    from: ['awaiting_confirmation'],
    to: 'confirmed',
    actors: ['staff'],
    stamp: 'confirmedAt',
    noun: 'Approval',
  },
  reject: { from: ['awaiting_confirmation'], to: 'rejected', actors: ['staff'], noun: 'Rejection' },
  cancel: {
    from: ACTIVE_STATES,
    to: 'cancelled',
    actors: ['member', 'staff'],
    stamp: 'cancelledAt',
    noun: 'Cancellation',
  },
  reschedule: { from: ACTIVE_STATES, to: null, actors: ['member', 'staff'], noun: 'Moving to another time' },
  expire_hold: { from: ['pending_payment'], to: 'expired', actors: ['system'], noun: 'Expiring the payment hold' },
  expire_unconfirmed: {
    from: ['awaiting_confirmation'],
    to: 'expired',
    actors: ['system'],
    noun: 'Expiring an unanswered request',
  },
  complete: { from: ['confirmed'], to: 'completed', actors: ['system'], noun: 'Completion' },
  late_payment_confirmed: {
    from: ['expired'],
    to: 'confirmed',
    actors: ['system'],
    stamp: 'confirmedAt',
    noun: 'Confirming a late payment',
  },
};

const STATE_LABEL: { readonly [S in BookingState]: string } = {
  pending_payment: 'waiting for payment',
  awaiting_confirmation: 'waiting for staff confirmation',
  confirmed: 'confirmed',
  completed: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  expired: 'expired',
};

const ACTOR_LABEL: { readonly [A in Actor]: string } = {
  member: 'the member',
  staff: 'staff',
  system: 'the system',
};

const refuse = (code: TransitionErrorCode, message: string): TransitionResult => ({ ok: false, code, message });

/** The time rules of the table above; `null` when the clock allows the event. */
function timingRefusal(input: TransitionInput): TransitionResult | null {
  const { event, actor, state } = input;
  const now = input.now.getTime();
  const started = now >= input.startAt.getTime();
  const ended = now >= input.endAt.getTime();

  // A lapsed hold no longer reserves the slot, so nothing but its expiry may act on it.
  if (state === 'pending_payment' && event !== 'expire_hold' && !isHoldActive(input, input.now)) {
    return refuse(
      'hold_expired',
      'The time to pay for this booking has run out and its slot is no longer reserved. Please make a new booking.',
    );
  }

  switch (event) {
    case 'expire_hold':
      return isHoldActive(input, input.now)
        ? refuse('hold_not_expired', `The payment hold is still active until ${input.holdExpiresAt?.toISOString()}.`)
        : null;
    case 'approve':
      return started ? refuse('too_late', 'This booking has already started, so it can no longer be approved.') : null;
    case 'cancel':
      return actor === 'member' && started
        ? refuse('too_late', 'This booking has already started, so it can no longer be cancelled. Please contact staff.')
        : null;
    case 'reschedule':
      if (actor === 'member' && started) {
        return refuse('too_late', 'This booking has already started, so it can no longer be moved. Please contact staff.');
      }
      return ended ? refuse('too_late', 'This booking has already ended, so it can no longer be moved.') : null;
    case 'expire_unconfirmed':
      return started ? null : refuse('too_early', 'This booking has not started yet; staff can still confirm or reject it.');
    case 'complete':
      return ended ? null : refuse('too_early', 'This booking has not ended yet, so it cannot be completed.');
    case 'late_payment_confirmed':
      return ended
        ? refuse('too_late', 'This booking has already ended, so a late payment cannot confirm it; refund the payment.')
        : null;
    default:
      return null;
  }
}

function stateRefusal(state: BookingState, event: BookingEvent, noun: string): TransitionResult {
  if (state === 'expired' && event === 'payment_succeeded') {
    return refuse(
      'forbidden_transition',
      'The payment arrived after this booking expired; it can only be confirmed as a late payment if the slot ' +
        'is still free, otherwise the payment is refunded.',
    );
  }
  if (FINAL_STATES.includes(state)) {
    return refuse('forbidden_transition', `This booking is ${STATE_LABEL[state]} and can no longer change.`);
  }
  return refuse('forbidden_transition', `${noun} is not possible for a booking that is ${STATE_LABEL[state]}.`);
}

/**
 * Decides whether `actor` may apply `event` to a booking in `state` at `now`. Checks run in this order: the
 * state accepts the event (else `forbidden_transition`), the actor may fire it (`not_allowed_for_actor`), then the
 * clock (`hold_expired`, `hold_not_expired`, `too_early`, `too_late`).
 */
export function decideTransition(input: TransitionInput): TransitionResult {
  const transition = TRANSITIONS[input.event];
  if (!transition.from.includes(input.state)) return stateRefusal(input.state, input.event, transition.noun);
  if (!transition.actors.includes(input.actor)) {
    const who = transition.actors.map((actor) => ACTOR_LABEL[actor]).join(' or ');
    return refuse('not_allowed_for_actor', `${transition.noun} can only be done by ${who}.`);
  }

  const refusal = timingRefusal(input);
  if (refusal) return refusal;

  const stamps: TransitionStamps = transition.stamp ? { [transition.stamp]: input.now } : {};
  return { ok: true, next: transition.to ?? input.state, stamps };
}

export interface CancellationRefundInput {
  /** What the member actually paid, in kopecks (0 for free or unpaid bookings). */
  paidAmount: number;
  startAt: Date;
  now: Date;
  freeCancellationHours: number;
  /** Refund share after the free window; the tariff default is 0. */
  lateCancellationRefundPercent?: number;
}

export interface CancellationRefund {
  refundAmount: number;
  /** Describes the money returned: all of it, some of it, or none (also when nothing was paid). */
  policy: 'full' | 'partial' | 'none';
  /** The last moment a cancellation is free. */
  freeUntil: Date;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * The tariff's cancellation policy: a full refund up to and including `freeCancellationHours` before the start,
 * then `lateCancellationRefundPercent` of the amount paid, rounded down so we never refund more than the policy.
 */
export function cancellationRefund(input: CancellationRefundInput): CancellationRefund {
  const { paidAmount, freeCancellationHours } = input;
  const percent = input.lateCancellationRefundPercent ?? 0;
  if (!Number.isSafeInteger(paidAmount) || paidAmount < 0) {
    throw new RangeError(`paidAmount must be a non-negative integer of kopecks, got ${paidAmount}`);
  }
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`lateCancellationRefundPercent must be an integer from 0 to 100, got ${percent}`);
  }
  if (!Number.isInteger(freeCancellationHours) || freeCancellationHours < 0) {
    throw new RangeError(`freeCancellationHours must be a non-negative integer, got ${freeCancellationHours}`);
  }

  const freeUntil = new Date(input.startAt.getTime() - freeCancellationHours * HOUR_MS);
  const refundAmount =
    input.now.getTime() <= freeUntil.getTime() ? paidAmount : Math.floor((paidAmount * percent) / 100);
  const policy = refundAmount === 0 ? 'none' : refundAmount === paidAmount ? 'full' : 'partial';
  return { refundAmount, policy, freeUntil };
}
