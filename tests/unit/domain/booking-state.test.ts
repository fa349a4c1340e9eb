import {
  ACTIVE_STATES,
  ACTORS,
  BOOKING_EVENTS,
  BOOKING_STATES,
  FINAL_STATES,
  SUCCESSFUL_STATES,
  cancellationRefund,
  decideTransition,
  isHoldActive,
  occupiesCapacity,
  type Actor,
  type BookingEvent,
  type BookingState,
  type TransitionInput,
} from '../../../src/domain/booking-state';

const at = (time: string): Date => new Date(`2030-01-10T${time}:00.000Z`);

// A two-hour booking, 10:00–12:00 UTC, held until 09:10.
const startAt = at('10:00');
const endAt = at('12:00');
const holdExpiresAt = at('09:10');

/** A clock at which each event's time rule passes, so the table below tests state and actor only. */
const CLOCK: { readonly [E in BookingEvent]: Date } = {
  payment_succeeded: at('09:00'),
  mark_paid: at('09:00'),
  approve: at('09:00'),
  reject: at('09:00'),
  cancel: at('09:00'),
  reschedule: at('09:00'),
  expire_hold: at('09:20'),
  expire_unconfirmed: at('10:30'),
  complete: at('12:30'),
  late_payment_confirmed: at('09:20'),
};

/** Every allowed (state, event) pair: the documented next state, who may fire it, and the stamp it sets. */
const ALLOWED: ReadonlyArray<{
  state: BookingState;
  event: BookingEvent;
  next: BookingState;
  actors: readonly Actor[];
  stamp?: 'confirmedAt' | 'cancelledAt';
}> = [
  { state: 'pending_payment', event: 'payment_succeeded', next: 'confirmed', actors: ['system'], stamp: 'confirmedAt' },
  { state: 'pending_payment', event: 'mark_paid', next: 'confirmed', actors: ['staff'], stamp: 'confirmedAt' },
  { state: 'pending_payment', event: 'cancel', next: 'cancelled', actors: ['member', 'staff'], stamp: 'cancelledAt' },
  { state: 'pending_payment', event: 'reschedule', next: 'pending_payment', actors: ['member', 'staff'] },
  { state: 'pending_payment', event: 'expire_hold', next: 'expired', actors: ['system'] },
  { state: 'awaiting_confirmation', event: 'approve', next: 'confirmed', actors: ['staff'], stamp: 'confirmedAt' },
  { state: 'awaiting_confirmation', event: 'reject', next: 'rejected', actors: ['staff'] },
  { state: 'awaiting_confirmation', event: 'cancel', next: 'cancelled', actors: ['member', 'staff'], stamp: 'cancelledAt' },
  { state: 'awaiting_confirmation', event: 'reschedule', next: 'awaiting_confirmation', actors: ['member', 'staff'] },
  { state: 'awaiting_confirmation', event: 'expire_unconfirmed', next: 'expired', actors: ['system'] },
  { state: 'confirmed', event: 'cancel', next: 'cancelled', actors: ['member', 'staff'], stamp: 'cancelledAt' },
  { state: 'confirmed', event: 'reschedule', next: 'confirmed', actors: ['member', 'staff'] },
  { state: 'confirmed', event: 'complete', next: 'completed', actors: ['system'] },
  { state: 'expired', event: 'late_payment_confirmed', next: 'confirmed', actors: ['system'], stamp: 'confirmedAt' },
];

const input = (overrides: Partial<TransitionInput> & Pick<TransitionInput, 'state' | 'event' | 'actor'>): TransitionInput => ({
  now: CLOCK[overrides.event],
  startAt,
  endAt,
  holdExpiresAt,
  ...overrides,
});

describe('decideTransition over every state × event × actor', () => {
  const cases = BOOKING_STATES.flatMap((state) =>
    BOOKING_EVENTS.flatMap((event) => ACTORS.map((actor) => ({ state, event, actor }))),
  );

  it('covers all 7 × 10 × 3 combinations', () => {
    expect(cases).toHaveLength(210);
  });

  it.each(cases)('$state + $event by $actor', ({ state, event, actor }) => {
    const result = decideTransition(input({ state, event, actor }));
    const rule = ALLOWED.find((row) => row.state === state && row.event === event);

    if (rule && rule.actors.includes(actor)) {
      const now = CLOCK[event];
      expect(result).toEqual({ ok: true, next: rule.next, stamps: rule.stamp ? { [rule.stamp]: now } : {} });
      return;
    }
    expect(result).toMatchObject({ ok: false, code: rule ? 'not_allowed_for_actor' : 'forbidden_transition' });
    // Messages reach people: plain English, no raw state or event identifiers.
    if (!result.ok) expect(result.message).not.toMatch(/_/);
  });
});

describe('state groups', () => {
  it('splits the states into active and final, and counts confirmed and completed as successful', () => {
    expect([...ACTIVE_STATES, ...FINAL_STATES].sort()).toEqual([...BOOKING_STATES].sort());
    expect(ACTIVE_STATES).toEqual(['pending_payment', 'awaiting_confirmation', 'confirmed']);
    expect(SUCCESSFUL_STATES).toEqual(['confirmed', 'completed']);
  });
});

describe('time rules', () => {
  it('lets a member cancel until the start, and refuses from the start on', () => {
    // Given a confirmed booking, when the member cancels one millisecond before the start, then it is cancelled
    const justBefore = new Date(startAt.getTime() - 1);
    expect(decideTransition(input({ state: 'confirmed', event: 'cancel', actor: 'member', now: justBefore }))).toEqual({
      ok: true,
      next: 'cancelled',
      stamps: { cancelledAt: justBefore },
    });

    // When the member cancels at the start, then it is too late
    expect(decideTransition(input({ state: 'confirmed', event: 'cancel', actor: 'member', now: startAt }))).toMatchObject({
      ok: false,
      code: 'too_late',
    });
  });

  it('lets staff cancel after the start, e.g. a no-show', () => {
    // Given a confirmed booking whose end has passed, when staff cancel it, then it is cancelled
    const result = decideTransition(input({ state: 'confirmed', event: 'cancel', actor: 'staff', now: at('12:30') }));
    expect(result).toMatchObject({ ok: true, next: 'cancelled' });
  });

  it('refuses to expire a hold before holdExpiresAt and expires it exactly at that moment', () => {
    // Given a pending booking held until 09:10, when the job runs at 09:09, then the hold is still active
    const early = decideTransition(input({ state: 'pending_payment', event: 'expire_hold', actor: 'system', now: at('09:09') }));
    expect(early).toMatchObject({ ok: false, code: 'hold_not_expired' });

    // When it runs at 09:10 sharp, then the booking expires
    const onTime = decideTransition(input({ state: 'pending_payment', event: 'expire_hold', actor: 'system', now: holdExpiresAt }));
    expect(onTime).toEqual({ ok: true, next: 'expired', stamps: {} });
  });

  it('expires a pending booking that has no hold at all', () => {
    // Given a pending booking without holdExpiresAt (it reserves nothing), when the job runs, then it expires
    const result = decideTransition(
      input({ state: 'pending_payment', event: 'expire_hold', actor: 'system', now: at('09:00'), holdExpiresAt: null }),
    );
    expect(result).toMatchObject({ ok: true, next: 'expired' });
  });

  it('treats a lapsed hold as expired before the job has run', () => {
    // Given a pending booking whose hold lapsed at 09:10 and no expiry job yet, when anything but expiry happens at 09:15
    const lapsed = at('09:15');
    const attempts: Array<[BookingEvent, Actor]> = [
      ['payment_succeeded', 'system'],
      ['mark_paid', 'staff'],
      ['cancel', 'member'],
      ['cancel', 'staff'],
      ['reschedule', 'member'],
      ['reschedule', 'staff'],
    ];

    // Then each is refused because the slot is no longer reserved
    for (const [event, actor] of attempts) {
      expect(decideTransition(input({ state: 'pending_payment', event, actor, now: lapsed }))).toMatchObject({
        ok: false,
        code: 'hold_expired',
      });
    }
  });

  it('refuses payment_succeeded on an expired booking and points to the late-payment path', () => {
    // Given an expired booking, when the payment webhook reports success, then it is no transition
    const result = decideTransition(input({ state: 'expired', event: 'payment_succeeded', actor: 'system' }));
    expect(result).toMatchObject({ ok: false, code: 'forbidden_transition' });
    if (!result.ok) expect(result.message).toMatch(/late payment/);
  });

  it('confirms a late payment only before the booking ends', () => {
    // Given an expired booking, when the late payment is confirmed during the booking, then it is confirmed
    const during = decideTransition(input({ state: 'expired', event: 'late_payment_confirmed', actor: 'system', now: at('11:59') }));
    expect(during).toMatchObject({ ok: true, next: 'confirmed' });

    // When it arrives at the end, then it is too late (the payments service refunds instead)
    const after = decideTransition(input({ state: 'expired', event: 'late_payment_confirmed', actor: 'system', now: endAt }));
    expect(after).toMatchObject({ ok: false, code: 'too_late' });
  });

  it('completes a confirmed booking from its end on, not before', () => {
    // Given a confirmed booking ending at 12:00, when the job runs at 11:59, then it is too early
    const early = decideTransition(input({ state: 'confirmed', event: 'complete', actor: 'system', now: at('11:59') }));
    expect(early).toMatchObject({ ok: false, code: 'too_early' });

    // When it runs at 12:00 sharp, then the booking is completed
    expect(decideTransition(input({ state: 'confirmed', event: 'complete', actor: 'system', now: endAt }))).toEqual({
      ok: true,
      next: 'completed',
      stamps: {},
    });
  });

  it('lets staff approve a request until the start, after which only expiry or rejection remain', () => {
    // Given a request waiting for staff, when staff approve at the start, then it is too late
    const late = decideTransition(input({ state: 'awaiting_confirmation', event: 'approve', actor: 'staff', now: startAt }));
    expect(late).toMatchObject({ ok: false, code: 'too_late' });

    // When the job expires it before the start, then it is too early; at the start it expires
    const early = decideTransition(
      input({ state: 'awaiting_confirmation', event: 'expire_unconfirmed', actor: 'system', now: at('09:59') }),
    );
    expect(early).toMatchObject({ ok: false, code: 'too_early' });
    const due = decideTransition(input({ state: 'awaiting_confirmation', event: 'expire_unconfirmed', actor: 'system', now: startAt }));
    expect(due).toMatchObject({ ok: true, next: 'expired' });

    // And staff may still reject it after the start
    const rejected = decideTransition(input({ state: 'awaiting_confirmation', event: 'reject', actor: 'staff', now: at('11:00') }));
    expect(rejected).toMatchObject({ ok: true, next: 'rejected' });
  });

  it('lets a member reschedule before the start and staff before the end', () => {
    // Given a confirmed booking, when the member moves it at the start, then it is too late
    const member = decideTransition(input({ state: 'confirmed', event: 'reschedule', actor: 'member', now: startAt }));
    expect(member).toMatchObject({ ok: false, code: 'too_late' });

    // When staff move it during the booking, then the state stays confirmed
    const staff = decideTransition(input({ state: 'confirmed', event: 'reschedule', actor: 'staff', now: at('11:00') }));
    expect(staff).toEqual({ ok: true, next: 'confirmed', stamps: {} });

    // When staff move it at its end, then it is too late
    const ended = decideTransition(input({ state: 'confirmed', event: 'reschedule', actor: 'staff', now: endAt }));
    expect(ended).toMatchObject({ ok: false, code: 'too_late' });
  });

  it('checks the state before the actor, and the actor before the clock', () => {
    // Given a member approving a cancelled booking, then the state answers first
    expect(decideTransition(input({ state: 'cancelled', event: 'approve', actor: 'member' }))).toMatchObject({
      code: 'forbidden_transition',
    });

    // Given a member expiring a still-active hold, then the actor answers before the clock
    expect(
      decideTransition(input({ state: 'pending_payment', event: 'expire_hold', actor: 'member', now: at('09:00') })),
    ).toMatchObject({ code: 'not_allowed_for_actor' });
  });
});

describe('isHoldActive and occupiesCapacity', () => {
  const pending = { state: 'pending_payment' as const, holdExpiresAt };

  it('holds until holdExpiresAt, exclusive', () => {
    expect(isHoldActive(pending, at('09:09'))).toBe(true);
    expect(isHoldActive(pending, new Date(holdExpiresAt.getTime() - 1))).toBe(true);
    expect(isHoldActive(pending, holdExpiresAt)).toBe(false);
  });

  it('has no hold without holdExpiresAt or outside pending_payment', () => {
    expect(isHoldActive({ state: 'pending_payment', holdExpiresAt: null }, at('09:00'))).toBe(false);
    expect(isHoldActive({ state: 'pending_payment' }, at('09:00'))).toBe(false);
    expect(isHoldActive({ state: 'confirmed', holdExpiresAt }, at('09:00'))).toBe(false);
  });

  it.each([
    ['pending_payment', at('09:00'), true],
    ['pending_payment', at('09:10'), false],
    ['awaiting_confirmation', at('09:20'), true],
    ['confirmed', at('09:20'), true],
    ['completed', at('09:00'), false],
    ['rejected', at('09:00'), false],
    ['cancelled', at('09:00'), false],
    ['expired', at('09:00'), false],
  ] as const)('%s at %s occupies capacity: %s', (state, now, expected) => {
    expect(occupiesCapacity({ state, holdExpiresAt }, now)).toBe(expected);
  });
});

describe('cancellationRefund', () => {
  const policy = { paidAmount: 300000, startAt, freeCancellationHours: 24, lateCancellationRefundPercent: 50 };
  const dayBefore = new Date(startAt.getTime() - 24 * 60 * 60 * 1000);
  const minute = 60 * 1000;

  it('refunds in full exactly N hours before the start', () => {
    // Given a 24-hour free window, when the member cancels exactly 24 hours before, then all is refunded
    expect(cancellationRefund({ ...policy, now: dayBefore })).toEqual({
      refundAmount: 300000,
      policy: 'full',
      freeUntil: dayBefore,
    });
  });

  it('refunds the late percentage one minute after the free window', () => {
    // Given the same policy with 50 % late, when cancelled one minute later, then half is refunded
    const result = cancellationRefund({ ...policy, now: new Date(dayBefore.getTime() + minute) });
    expect(result).toEqual({ refundAmount: 150000, policy: 'partial', freeUntil: dayBefore });
  });

  it('refunds nothing late when the percentage is left at its 0 % default', () => {
    // Given no late percentage, when cancelled after the free window, then nothing is refunded
    const result = cancellationRefund({ paidAmount: 300000, startAt, now: at('09:00'), freeCancellationHours: 24 });
    expect(result).toMatchObject({ refundAmount: 0, policy: 'none' });
  });

  it('rounds a partial refund down to whole kopecks', () => {
    // Given 999.99 ₽ paid and 33 % late, when cancelled late, then 329.99 ₽ (not 330.00) comes back
    const result = cancellationRefund({ ...policy, paidAmount: 99999, lateCancellationRefundPercent: 33, now: at('09:00') });
    expect(result).toMatchObject({ refundAmount: 32999, policy: 'partial' });

    // And a share smaller than one kopeck rounds to nothing
    expect(cancellationRefund({ ...policy, paidAmount: 1, now: at('09:00') })).toMatchObject({ refundAmount: 0, policy: 'none' });
  });

  it('reports a 100 % late refund as full and a free booking as none', () => {
    expect(cancellationRefund({ ...policy, lateCancellationRefundPercent: 100, now: at('09:00') })).toMatchObject({
      refundAmount: 300000,
      policy: 'full',
    });
    expect(cancellationRefund({ ...policy, paidAmount: 0, now: dayBefore })).toMatchObject({ refundAmount: 0, policy: 'none' });
  });

  it('with a zero-hour window is free until the start itself', () => {
    // Given free cancellation until the start, when cancelled at the start and one minute after
    const zero = { ...policy, freeCancellationHours: 0 };
    expect(cancellationRefund({ ...zero, now: startAt })).toMatchObject({ policy: 'full', freeUntil: startAt });
    expect(cancellationRefund({ ...zero, now: new Date(startAt.getTime() + minute) })).toMatchObject({ policy: 'partial' });
  });

  it.each([
    { paidAmount: -1 },
    { paidAmount: 10.5 },
    { lateCancellationRefundPercent: 101 },
    { lateCancellationRefundPercent: -5 },
    { lateCancellationRefundPercent: 12.5 },
    { freeCancellationHours: -1 },
  ])('refuses invalid policy input %o', (bad) => {
    expect(() => cancellationRefund({ ...policy, now: at('09:00'), ...bad })).toThrow(RangeError);
  });
});
