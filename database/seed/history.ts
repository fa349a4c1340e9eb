/**
 * Six months of bookings (and two weeks ahead) with their payments, refunds and promo code
 * redemptions, planned day by day so that:
 * - the meeting room and the kids' room never hold two bookings at once (meeting room: plus its buffer);
 * - the open space never has more than its capacity of bookings on one day, counting every status;
 * - prices follow the tariff, its duration discounts and the promo code (the one pricing service, src/domain/pricing.ts);
 * - statuses follow time: the past is completed / cancelled / expired / rejected, the future is
 *   confirmed / pending_payment / awaiting_confirmation, a booking under way is confirmed.
 * Everything is a pure function of the timeline and the random stream.
 */
import {
  addDays,
  addMonths,
  atLocal,
  type DateKey,
  daysBetween,
  DAY_MS,
  HOUR_MS,
  minutesOf,
  MINUTE_MS,
  type Timeline,
  weekdayOf,
} from './calendar';
import { type Catalogue, type PromocodeSeed, RESOURCE, type ResourceSeed, TARIFF, type TariffSeed } from './catalogue';
import type { MemberSeed } from './members';
import { type DiscountLine, quotePrice } from '../../src/domain/pricing';
import type { Rng } from './prng';

export type BookingStatus =
  | 'pending_payment'
  | 'awaiting_confirmation'
  | 'confirmed'
  | 'completed'
  | 'rejected'
  | 'cancelled'
  | 'expired';

/** Statuses that occupy the resource. */
export const ACTIVE_STATUSES: readonly BookingStatus[] = ['pending_payment', 'awaiting_confirmation', 'confirmed', 'completed'];
/** Statuses that count towards a member's successfulBookings. */
export const SUCCESSFUL_STATUSES: readonly BookingStatus[] = ['confirmed', 'completed'];

export interface BookingSeed {
  memberTelegramId: string;
  tariffSlug: string;
  resourceSlug: string;
  promocode: string | null;
  startAt: Date;
  endAt: Date;
  units: number;
  state: BookingStatus;
  priceBase: number;
  discountTotal: number;
  priceTotal: number;
  discounts: DiscountLine[];
  holdExpiresAt: Date | null;
  source: 'bot' | 'admin' | 'miniapp';
  cancelledAt: Date | null;
  cancelReason: string | null;
  cancelledBy: string | null;
  confirmedAt: Date | null;
  confirmedBy: string | null;
  createdAt: Date;
}

export interface PaymentSeed {
  booking: BookingSeed;
  providerPaymentId: string;
  idempotenceKey: string;
  amount: number;
  state: 'succeeded';
  paidAt: Date;
  createdAt: Date;
}

export interface RefundSeed {
  payment: PaymentSeed;
  providerRefundId: string;
  idempotenceKey: string;
  amount: number;
  state: 'succeeded';
  reason: string;
  createdAt: Date;
}

export interface RedemptionSeed {
  booking: BookingSeed;
  /** The discount the code gave. */
  amount: number;
  state: 'reserved' | 'used' | 'released';
  createdAt: Date;
}

export interface History {
  bookings: BookingSeed[];
  payments: PaymentSeed[];
  refunds: RefundSeed[];
  redemptions: RedemptionSeed[];
}

/** How long an unpaid booking holds its slot. */
const HOLD_MINUTES = 15;
const PROMO_SHARE = 0.12;
const MEMBER_CANCEL_REASONS = ['Изменились планы', 'Заболел', 'Перенесли встречу', 'Работаю из дома', 'Уезжаю в командировку'];
const ADMIN_CANCEL_REASONS = ['Техническая проблема в помещении', 'Отмена по просьбе участника по телефону'];
const REJECT_REASONS = ['Комната занята мероприятием', 'Нет свободного сотрудника для присмотра', 'Повторная заявка на то же время'];

export function buildHistory(rng: Rng, timeline: Timeline, catalogue: Catalogue, members: readonly MemberSeed[]): History {
  const anchor = timeline.anchor.getTime();
  const resource = (slug: string) => catalogue.resources.find((r) => r.slug === slug) as ResourceSeed;
  const tariff = (slug: string) => catalogue.tariffs.find((t) => t.slug === slug) as TariffSeed;
  const openSpace = resource(RESOURCE.openSpace);

  const history: History = { bookings: [], payments: [], refunds: [], redemptions: [] };
  const bookingKeys = new Set<string>();
  const openSpaceLoad = new Map<DateKey, number>();
  const deskUntil = new Map<string, DateKey>();
  const trialTaken = new Set<string>();
  const successfulCount = new Map<string, number>();
  const promoUses = new Map<string, number>();

  const isOpenOn = (res: ResourceSeed, day: DateKey) =>
    !res.closedDates.includes(day) && res.openingHours[weekdayOf(day)].length > 0;

  /** Members who had registered, and were not banned, when the booking was made; weighted by activity. */
  const pickMember = (createdAt: number, accept: (member: MemberSeed) => boolean): MemberSeed | null => {
    const eligible = members.filter(
      (m) =>
        m.registeredAt.getTime() <= createdAt - 10 * MINUTE_MS &&
        (m.bannedAt === null || m.bannedAt.getTime() > createdAt) &&
        accept(m),
    );
    return eligible.length === 0 ? null : rng.weighted(eligible.map((m) => [m, m.activity] as const));
  };

  /** A booking is made `lead` before it starts, but never after the anchor ("now"). */
  const creationTime = (at: number): number =>
    at <= anchor - 5 * MINUTE_MS ? at : anchor - rng.int(5, 2 * 24 * 60) * MINUTE_MS;

  const choosePromo = (t: TariffSeed, units: number, member: MemberSeed, createdAt: number): PromocodeSeed | undefined => {
    if (t.price === 0 || !rng.chance(PROMO_SHARE)) return undefined;
    const eligible = catalogue.promocodes.filter(
      (p) =>
        p.isActive &&
        (p.validFrom === null || p.validFrom.getTime() <= createdAt) &&
        (p.validUntil === null || p.validUntil.getTime() >= createdAt) &&
        (p.tariffSlugs.length === 0 || p.tariffSlugs.includes(t.slug)) &&
        p.minOrderAmount <= t.price * units &&
        (p.maxUses === null || (promoUses.get(p.code) ?? 0) < p.maxUses) &&
        (p.maxUsesPerMember === null || (promoUses.get(`${p.code}|${member.telegramId}`) ?? 0) < p.maxUsesPerMember),
    );
    return eligible.length === 0 ? undefined : rng.pick(eligible);
  };

  const chooseStatus = (t: TariffSeed, startAt: number, endAt: number, free: boolean): BookingStatus => {
    if (startAt <= anchor && anchor < endAt) return 'confirmed';
    const past = endAt <= anchor;
    if (t.requiresApproval) {
      return past
        ? rng.weighted([['completed', 80], ['rejected', 10], ['cancelled', 10]])
        : rng.weighted([['awaiting_confirmation', 55], ['confirmed', 40], ['cancelled', 5]]);
    }
    return past
      ? rng.weighted([['completed', 85], ['cancelled', 8], ['expired', free ? 0 : 7]])
      : rng.weighted([['confirmed', 78], ['pending_payment', free ? 0 : 12], ['cancelled', 10]]);
  };

  const addBooking = (
    t: TariffSeed,
    res: ResourceSeed,
    member: MemberSeed,
    startAt: number,
    endAt: number,
    units: number,
    madeAt: number,
  ): BookingSeed | null => {
    const key = `${member.telegramId}|${res.slug}|${startAt}`;
    if (bookingKeys.has(key)) return null;
    bookingKeys.add(key);

    const promo = choosePromo(t, units, member, madeAt);
    const price = quotePrice({ tariff: t, units, promo });
    const free = price.priceTotal === 0;
    const status = chooseStatus(t, startAt, endAt, free);
    let createdAt = madeAt;
    if (status === 'pending_payment') createdAt = Math.max(createdAt, anchor - rng.int(1, HOLD_MINUTES - 3) * MINUTE_MS);
    // The latest moment something could still happen to the booking before "now".
    const horizon = Math.min(anchor, Math.max(startAt, createdAt + HOUR_MS));

    const booking: BookingSeed = {
      memberTelegramId: member.telegramId,
      tariffSlug: t.slug,
      resourceSlug: res.slug,
      promocode: promo?.code ?? null,
      startAt: new Date(startAt),
      endAt: new Date(endAt),
      units,
      state: status,
      ...price,
      // Every booking that costs money starts as pending_payment, holding its slot for a while.
      holdExpiresAt: free ? null : new Date(createdAt + HOLD_MINUTES * MINUTE_MS),
      source: rng.weighted([['bot', 85], ['miniapp', 5], ['admin', 10]]),
      cancelledAt: null,
      cancelReason: null,
      cancelledBy: null,
      confirmedAt: null,
      confirmedBy: null,
      createdAt: new Date(createdAt),
    };

    let paidAt: number | null = null;
    const paid = !free && (status === 'confirmed' || status === 'completed' || (status === 'cancelled' && rng.chance(0.6)));
    if (paid) paidAt = Math.min(createdAt + rng.int(1, 6) * MINUTE_MS, anchor);

    if (status === 'confirmed' || status === 'completed') {
      if (t.requiresApproval) {
        booking.confirmedAt = new Date(Math.min(createdAt + rng.int(10, 360) * MINUTE_MS, horizon));
        booking.confirmedBy = 'admin';
      } else {
        booking.confirmedAt = new Date(paidAt ?? createdAt);
        booking.confirmedBy = paidAt === null ? 'system' : 'payment';
      }
    } else if (status === 'rejected') {
      booking.cancelledAt = new Date(Math.min(createdAt + rng.int(10, 240) * MINUTE_MS, horizon));
      booking.cancelledBy = 'admin';
      booking.cancelReason = rng.pick(REJECT_REASONS);
    } else if (status === 'cancelled') {
      const byAdmin = rng.chance(0.2);
      const from = paidAt ?? createdAt;
      // Unpaid bookings are cancelled while their hold lasts; paid ones any time before the start.
      const until = paidAt === null && !free ? createdAt + (HOLD_MINUTES - 1) * MINUTE_MS : horizon;
      booking.cancelledAt = new Date(Math.min(anchor, Math.max(from + MINUTE_MS, from + (until - from) * rng.next())));
      booking.cancelledBy = byAdmin ? 'admin' : 'member';
      booking.cancelReason = rng.pick(byAdmin ? ADMIN_CANCEL_REASONS : MEMBER_CANCEL_REASONS);
    }
    history.bookings.push(booking);

    if (paidAt !== null) {
      const n = history.payments.length + 1;
      const payment: PaymentSeed = {
        booking,
        providerPaymentId: `demo-${n}`,
        idempotenceKey: `demo-payment-${n}`,
        amount: price.priceTotal,
        state: 'succeeded',
        paidAt: new Date(paidAt),
        createdAt: new Date(createdAt + 30 * 1000),
      };
      history.payments.push(payment);
      if (booking.cancelledAt) {
        const hoursBefore = (startAt - booking.cancelledAt.getTime()) / HOUR_MS;
        const percent = hoursBefore >= t.freeCancellationHours ? 100 : t.lateCancellationRefundPercent;
        const amount = Math.round((payment.amount * percent) / 100);
        if (amount > 0) {
          const r = history.refunds.length + 1;
          history.refunds.push({
            payment,
            providerRefundId: `demo-refund-${r}`,
            idempotenceKey: `demo-refund-${r}`,
            amount,
            state: 'succeeded',
            reason: booking.cancelReason ?? 'Отмена брони',
            createdAt: new Date(booking.cancelledAt.getTime() + MINUTE_MS),
          });
        }
      }
    }

    const released = status === 'cancelled' || status === 'expired' || status === 'rejected';
    if (promo) {
      const discount = price.discounts.find((line) => line.kind === 'promocode');
      history.redemptions.push({
        booking,
        amount: discount?.amount ?? 0,
        state: released ? 'released' : status === 'pending_payment' ? 'reserved' : 'used',
        createdAt: new Date(createdAt),
      });
      // A released redemption gives the use back.
      if (!released) {
        promoUses.set(promo.code, (promoUses.get(promo.code) ?? 0) + 1);
        const perMember = `${promo.code}|${member.telegramId}`;
        promoUses.set(perMember, (promoUses.get(perMember) ?? 0) + 1);
      }
    }
    if (SUCCESSFUL_STATUSES.includes(status)) {
      successfulCount.set(member.telegramId, (successfulCount.get(member.telegramId) ?? 0) + 1);
    }
    if (t.trialOnce && !released) trialTaken.add(member.telegramId);
    return booking;
  };

  const hasDeskOn = (member: MemberSeed, day: DateKey) => (deskUntil.get(member.telegramId) ?? '') > day;

  const planDesk = (day: DateKey, ramp: number) => {
    if (!isOpenOn(openSpace, day) || !rng.chance(0.2 * ramp)) return;
    const months = rng.weighted([[1, 50], [2, 10], [3, 20], [6, 12], [12, 8]]);
    const until = addMonths(day, months);
    const days = Array.from({ length: daysBetween(day, until) }, (_, i) => addDays(day, i));
    if (days.some((d) => (openSpaceLoad.get(d) ?? 0) >= openSpace.capacity)) return;
    const startAt = atLocal(day).getTime();
    const madeAt = creationTime(startAt - rng.int(1, 7 * 24) * HOUR_MS);
    const member = pickMember(madeAt, (m) => !hasDeskOn(m, day));
    if (!member) return;
    if (!addBooking(tariff(TARIFF.deskMonth), openSpace, member, startAt, atLocal(until).getTime(), months, madeAt)) return;
    deskUntil.set(member.telegramId, until);
    for (const d of days) openSpaceLoad.set(d, (openSpaceLoad.get(d) ?? 0) + 1);
  };

  const planDayPasses = (day: DateKey, ramp: number) => {
    if (!isOpenOn(openSpace, day)) return;
    const weekend = ['sat', 'sun'].includes(weekdayOf(day));
    const wanted = Math.round((weekend ? rng.int(3, 9) : rng.int(9, 22)) * ramp);
    const startAt = atLocal(day).getTime();
    const endAt = atLocal(addDays(day, 1)).getTime();
    for (let i = 0; i < wanted && (openSpaceLoad.get(day) ?? 0) < openSpace.capacity; i++) {
      // Bought a few days ahead or the same morning.
      const leadDays = rng.weighted([[0, 5], [1, 3], [2, 1], [5, 1]]);
      const madeAt = creationTime(atLocal(day, rng.int(7 * 60, 11 * 60)).getTime() - leadDays * DAY_MS);
      const member = pickMember(madeAt, (m) => !hasDeskOn(m, day) && !bookingKeys.has(`${m.telegramId}|${openSpace.slug}|${startAt}`));
      if (!member) return;
      const trial =
        !trialTaken.has(member.telegramId) && (successfulCount.get(member.telegramId) ?? 0) === 0 && rng.chance(0.5);
      if (addBooking(tariff(trial ? TARIFF.trialDay : TARIFF.dayPass), openSpace, member, startAt, endAt, 1, madeAt)) {
        openSpaceLoad.set(day, (openSpaceLoad.get(day) ?? 0) + 1);
      }
    }
  };

  /** Books an exclusive room back to back through the day, keeping its buffer between groups. */
  const planRoom = (t: TariffSeed, res: ResourceSeed, day: DateKey, wanted: number, maxLeadHours: number) => {
    if (!isOpenOn(res, day)) return;
    let planned = 0;
    for (const { open, close } of res.openingHours[weekdayOf(day)]) {
      let cursor = minutesOf(open);
      while (planned < wanted) {
        const gap = rng.weighted([[0, 3], [30, 2], [60, 2], [120, 1], [180, 1]]);
        const start = Math.ceil((cursor + gap) / 30) * 30;
        const units = Math.min(t.maxUnits, rng.weighted([[1, 35], [2, 35], [3, 15], [4, 10], [6, 3], [8, 2]]));
        const end = start + units * 60;
        if (end > minutesOf(close)) break;
        const startAt = atLocal(day, start).getTime();
        const madeAt = creationTime(startAt - rng.int(1, maxLeadHours) * HOUR_MS);
        const member = pickMember(madeAt, () => true);
        if (member) addBooking(t, res, member, startAt, atLocal(day, end).getTime(), units, madeAt);
        planned++;
        cursor = end + res.bufferMinutes;
      }
    }
  };

  const totalDays = daysBetween(timeline.firstDay, timeline.lastDay);
  for (let day = timeline.firstDay; day <= timeline.lastDay; day = addDays(day, 1)) {
    // Business grows over the half year, so the charts trend upwards.
    const ramp = 0.45 + (0.55 * daysBetween(timeline.firstDay, day)) / totalDays;
    const weekend = ['sat', 'sun'].includes(weekdayOf(day));
    planDesk(day, ramp);
    planDayPasses(day, ramp);
    planRoom(tariff(TARIFF.meetingHour), resource(RESOURCE.meetingRoom), day, Math.round(rng.int(0, weekend ? 3 : 6) * ramp), 5 * 24);
    if (rng.chance(0.35)) planRoom(tariff(TARIFF.kidsHour), resource(RESOURCE.kidsRoom), day, rng.int(1, 2), 3 * 24);
  }
  return history;
}
