/** The reschedule flow's pure pieces: which bookings may be moved, and which starts fit a booking's hours. */
import { canReschedule } from '../../bot/src/features/my-bookings';
import { fittingStarts } from '../../bot/src/features/reschedule';
import type { Slot } from '../../bot/src/strapi-client';
import { freeHoursFrom } from '../../bot/src/ui';

const now = new Date('2026-12-01T09:00:00.000Z');
const later = '2026-12-02T07:00:00.000Z';

describe('canReschedule', () => {
  it('allows the active states before the booking starts', () => {
    for (const status of ['awaiting_confirmation', 'confirmed']) expect(canReschedule({ status, startAt: later }, now)).toBe(true);
    expect(canReschedule({ status: 'pending_payment', startAt: later, holdExpiresAt: '2026-12-01T09:15:00.000Z' }, now)).toBe(true);
  });

  it('refuses final states, a started booking, and a booking whose payment hold has lapsed', () => {
    for (const status of ['completed', 'rejected', 'cancelled', 'expired']) expect(canReschedule({ status, startAt: later }, now)).toBe(false);
    expect(canReschedule({ status: 'confirmed', startAt: now.toISOString() }, now)).toBe(false);
    expect(canReschedule({ status: 'pending_payment', startAt: later, holdExpiresAt: '2026-12-01T08:59:00.000Z' }, now)).toBe(false);
    expect(canReschedule({ status: 'pending_payment', startAt: later, holdExpiresAt: null }, now)).toBe(false);
  });
});

describe('starts that fit a booking', () => {
  const hour = (h: number, free: boolean): Slot => ({
    startAt: `2026-12-02T${String(h).padStart(2, '0')}:00:00.000Z`,
    endAt: `2026-12-02T${String(h + 1).padStart(2, '0')}:00:00.000Z`,
    free,
  });
  // 06 07 08 free, 09 taken, 10 11 free, then a gap (13 is the next slot), 13 free.
  const slots = [hour(6, true), hour(7, true), hour(8, true), hour(9, false), hour(10, true), hour(11, true), hour(13, true)];

  it('counts free consecutive hours from a slot, stopping at a taken slot or a gap', () => {
    expect(slots.map((_, i) => freeHoursFrom(slots, i))).toEqual([3, 2, 1, 0, 2, 1, 1]);
  });

  it('keeps only starts with room for all the booking’s hours', () => {
    expect(fittingStarts(slots, 1).map((slot) => slot.startAt.slice(11, 13))).toEqual(['06', '07', '08', '10', '11', '13']);
    expect(fittingStarts(slots, 2).map((slot) => slot.startAt.slice(11, 13))).toEqual(['06', '07', '10']);
    expect(fittingStarts(slots, 3).map((slot) => slot.startAt.slice(11, 13))).toEqual(['06']);
    expect(fittingStarts(slots, 4)).toEqual([]);
  });
});
