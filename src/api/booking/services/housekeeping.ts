/**
 * The booking jobs the clock drives, run by the cron task in config/cron-tasks.ts: lapsed payment holds expire
 * (and give their promo redemptions back), requests staff never answered expire at their start, and confirmed
 * bookings complete at their end. Each booking moves through the lifecycle service on its own transaction, so
 * one failure does not hold up the rest, and a booking another instance handled first is simply skipped.
 */
import type { Core } from '@strapi/strapi';
import type { BookingEvent } from '../../../domain/booking-state';
import type { LifecycleService } from './lifecycle';

const BOOKING_UID = 'api::booking.booking';
const BATCH = 200;

export interface HousekeepingReport {
  expiredHolds: number;
  expiredRequests: number;
  completed: number;
  /** Bookings a concurrent change moved first, or that failed; they are retried on the next run. */
  skipped: number;
}

const housekeepingService = ({ strapi }: { strapi: Core.Strapi }) => {
  async function due(where: Record<string, unknown>): Promise<string[]> {
    const rows = (await strapi.db.query(BOOKING_UID).findMany({ select: ['documentId'], where, orderBy: { id: 'asc' }, limit: BATCH })) as {
      documentId: string;
    }[];
    return rows.map((row) => row.documentId);
  }

  async function applyAll(documentIds: string[], event: BookingEvent, now: Date): Promise<{ done: number; skipped: number }> {
    const lifecycle = strapi.service('api::booking.lifecycle') as LifecycleService;
    let done = 0;
    let skipped = 0;
    for (const documentId of documentIds) {
      try {
        const outcome = await lifecycle.transition({ documentId, event, actor: { type: 'system', label: 'system:housekeeping' }, now });
        if (outcome.ok) done += 1;
        else skipped += 1;
      } catch (error) {
        skipped += 1;
        strapi.log.error(`Booking housekeeping: ${event} failed for booking ${documentId}: ${(error as Error).message}`);
      }
    }
    return { done, skipped };
  }

  return {
    /** One pass over what is due at `now`, at most BATCH bookings of each kind. */
    async run(now: Date): Promise<HousekeepingReport> {
      const holds = await applyAll(
        await due({ state: 'pending_payment', $or: [{ holdExpiresAt: { $lte: now } }, { holdExpiresAt: { $null: true } }] }),
        'expire_hold',
        now,
      );
      const requests = await applyAll(await due({ state: 'awaiting_confirmation', startAt: { $lte: now } }), 'expire_unconfirmed', now);
      const completions = await applyAll(await due({ state: 'confirmed', endAt: { $lte: now } }), 'complete', now);
      const report = {
        expiredHolds: holds.done,
        expiredRequests: requests.done,
        completed: completions.done,
        skipped: holds.skipped + requests.skipped + completions.skipped,
      };
      if (report.expiredHolds + report.expiredRequests + report.completed + report.skipped > 0) {
        strapi.log.info(`Booking housekeeping: ${JSON.stringify(report)}`);
      }
      return report;
    },
  };
};

export type HousekeepingService = ReturnType<typeof housekeepingService>;
export default housekeepingService;
