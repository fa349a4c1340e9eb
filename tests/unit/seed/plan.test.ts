/**
 * The demo plan is a pure function of its anchor: these check its invariants without a database
 * (tests/api/seed.test.ts checks the same data once written).
 */
import { atLocal, DAY_MS, localDateKey, minutesOf, weekdayOf } from '../../../database/seed/calendar';
import { ACTIVE_STATUSES, type BookingSeed } from '../../../database/seed/history';
import { buildDemoPlan, type DemoPlan } from '../../../database/seed/plan';

const ANCHOR = new Date('2026-11-25T09:17:00Z');

describe('demo plan', () => {
  let plan: DemoPlan;
  const resourceOf = (slug: string) => plan.catalogue.resources.find((r) => r.slug === slug)!;
  const tariffOf = (slug: string) => plan.catalogue.tariffs.find((t) => t.slug === slug)!;
  const bookingsOf = (slug: string) => plan.history.bookings.filter((b) => b.resourceSlug === slug);

  beforeAll(() => {
    plan = buildDemoPlan(ANCHOR);
  });

  it('is the same for the same anchor', () => {
    // Given the anchor, when the plan is built again, then every row is identical
    expect(JSON.stringify(buildDemoPlan(ANCHOR))).toBe(JSON.stringify(plan));
  });

  it('has 300 members with unique natural keys and contact details', () => {
    const { members } = plan;
    expect(members).toHaveLength(300);
    for (const field of ['telegramId', 'referralCode', 'phone', 'email'] as const) {
      expect(new Set(members.map((m) => m[field])).size).toBe(300);
    }
    expect(members.every((m) => /^\+7\d{10}$/.test(m.phone) && /^[A-Za-z0-9_-]{6,32}$/.test(m.referralCode))).toBe(true);
    // A referrer registered before the member they invited
    const byId = new Map(members.map((m) => [m.telegramId, m]));
    for (const m of members.filter((x) => x.referrerTelegramId)) {
      expect(byId.get(m.referrerTelegramId!)!.registeredAt.getTime()).toBeLessThanOrEqual(m.registeredAt.getTime());
    }
  });

  it('books exclusive rooms one group at a time, within opening hours, keeping the buffer', () => {
    for (const slug of ['meeting-room', 'kids-room']) {
      const resource = resourceOf(slug);
      const sorted = [...bookingsOf(slug)].sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
      expect(sorted.length).toBeGreaterThan(50);
      sorted.forEach((b, i) => {
        const day = localDateKey(b.startAt);
        const [hours] = resource.openingHours[weekdayOf(day)];
        expect(b.startAt.getTime()).toBeGreaterThanOrEqual(atLocal(day, minutesOf(hours.open)).getTime());
        expect(b.endAt.getTime()).toBeLessThanOrEqual(atLocal(day, minutesOf(hours.close)).getTime());
        expect(resource.closedDates).not.toContain(day);
        if (i > 0) {
          const gap = b.startAt.getTime() - sorted[i - 1].endAt.getTime();
          expect(gap).toBeGreaterThanOrEqual(resource.bufferMinutes * 60_000);
        }
      });
    }
  });

  it('never puts more than 30 bookings in the open space on one day, whatever their status', () => {
    const perDay = new Map<string, number>();
    for (const b of bookingsOf('open-space')) {
      for (let t = b.startAt.getTime(); t < b.endAt.getTime(); t += DAY_MS) {
        perDay.set(localDateKey(new Date(t)), (perDay.get(localDateKey(new Date(t))) ?? 0) + 1);
      }
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(30);
  });

  it('keeps each natural key (member, resource, start) unique', () => {
    const keys = plan.history.bookings.map((b) => `${b.memberTelegramId}|${b.resourceSlug}|${b.startAt.toISOString()}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('sets statuses by time: past bookings are finished, future ones are not', () => {
    const anchor = ANCHOR.getTime();
    for (const b of plan.history.bookings) {
      if (b.endAt.getTime() <= anchor) expect(['completed', 'cancelled', 'expired', 'rejected']).toContain(b.state);
      if (b.startAt.getTime() > anchor) expect(['confirmed', 'pending_payment', 'awaiting_confirmation', 'cancelled']).toContain(b.state);
      expect(b.createdAt.getTime()).toBeLessThanOrEqual(anchor);
    }
    // A pending payment still holds its slot; approvals only wait on tariffs that need them
    for (const b of plan.history.bookings.filter((x) => x.state === 'pending_payment')) {
      expect(b.holdExpiresAt!.getTime()).toBeGreaterThan(anchor);
    }
    for (const b of plan.history.bookings.filter((x) => x.state === 'awaiting_confirmation' || x.state === 'rejected')) {
      expect(tariffOf(b.tariffSlug).requiresApproval).toBe(true);
    }
  });

  it('books only members who had registered and were not banned', () => {
    const members = new Map(plan.members.map((m) => [m.telegramId, m]));
    for (const b of plan.history.bookings) {
      const member = members.get(b.memberTelegramId)!;
      expect(b.createdAt.getTime()).toBeGreaterThan(member.registeredAt.getTime());
      if (member.bannedAt) expect(b.createdAt.getTime()).toBeLessThan(member.bannedAt.getTime());
    }
  });

  it('lets each member take the trial day only once', () => {
    const trials = plan.history.bookings.filter((b) => b.tariffSlug === 'trial-day' && ACTIVE_STATUSES.includes(b.state));
    const members = trials.map((b) => b.memberTelegramId);
    expect(trials.length).toBeGreaterThan(20);
    expect(new Set(members).size).toBe(members.length);
  });

  it('pays exactly the total of paid bookings, and refunds at most what was paid', () => {
    const paymentsOf = new Map<BookingSeed, number>();
    for (const p of plan.history.payments) {
      expect(p.amount).toBe(p.booking.priceTotal);
      expect(p.amount).toBeGreaterThan(0);
      paymentsOf.set(p.booking, (paymentsOf.get(p.booking) ?? 0) + 1);
    }
    for (const b of plan.history.bookings.filter((x) => ['confirmed', 'completed'].includes(x.state) && x.priceTotal > 0)) {
      expect(paymentsOf.get(b)).toBe(1);
    }
    for (const r of plan.history.refunds) {
      expect(r.payment.booking.state).toBe('cancelled');
      expect(r.amount).toBeLessThanOrEqual(r.payment.amount);
      expect(r.createdAt.getTime()).toBeGreaterThan(r.payment.paidAt.getTime());
    }
  });

  it('respects promo code limits, validity and tariff scope', () => {
    for (const promo of plan.catalogue.promocodes) {
      const redemptions = plan.history.redemptions.filter((r) => r.booking.promocode === promo.code);
      const counted = redemptions.filter((r) => r.state !== 'released');
      if (promo.maxUses !== null) expect(counted.length).toBeLessThanOrEqual(promo.maxUses);
      for (const r of redemptions) {
        if (promo.validUntil) expect(r.createdAt.getTime()).toBeLessThanOrEqual(promo.validUntil.getTime());
        if (promo.tariffSlugs.length > 0) expect(promo.tariffSlugs).toContain(r.booking.tariffSlug);
      }
    }
    expect(plan.history.redemptions.every((r) => r.amount > 0)).toBe(true);
  });

  it('gives every ticket 1–3 messages, the first from the member, in time order', () => {
    expect(plan.tickets).toHaveLength(70);
    for (const t of plan.tickets) {
      expect(t.messages.length).toBeGreaterThanOrEqual(1);
      expect(t.messages.length).toBeLessThanOrEqual(3);
      expect(t.messages[0].authorType).toBe('member');
      const times = t.messages.map((m) => m.createdAt.getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(t.lastMessageAt).toEqual(t.messages[t.messages.length - 1].createdAt);
    }
  });
});
