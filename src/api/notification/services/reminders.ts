/**
 * `api::notification.reminders`: enqueues the reminders before confirmed bookings (docs/NOTIFICATIONS.md),
 * run by the `bookingReminders` cron task (config/cron-tasks.ts).
 *
 * Offsets come from BOOKING_REMINDER_HOURS (default "24,1"). Each run, for each offset H (next smaller offset S,
 * or 0), the confirmed bookings starting in (now + S, now + H] get a `member.notify` job
 * `{ booking, event: 'reminder', hours: H }` with dedupeKey `member.notify:reminder:<booking>:<H>`, so each
 * reminder is enqueued once however many runs and instances see it. A booking already inside a smaller window
 * gets only the smaller reminder, and a booking confirmed after an offset's window began skips that reminder
 * (booked 5 hours ahead: no "24 hours" reminder), except the smallest offset, which every booking gets
 * (booked 30 minutes ahead: the "1 hour" reminder still comes, at once).
 */
import type { Core } from '@strapi/strapi';
import { HOUR_MS } from '../../../domain/space-time';
import type { OutboxService } from '../../outbox-job/services/outbox';
import { NOTIFY_KIND } from './notifier';

const BOOKING_UID = 'api::booking.booking';
const OUTBOX_UID = 'api::outbox-job.outbox-job';

export const DEFAULT_REMINDER_HOURS = [24, 1];

/** BOOKING_REMINDER_HOURS: whole hours 1..720, comma-separated, largest first; throws naming the variable. */
export function parseReminderHours(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_REMINDER_HOURS];
  const values = raw.split(',').map((part) => part.trim());
  const hours = values.map(Number);
  if (values.some((v) => v === '') || hours.some((h) => !Number.isInteger(h) || h < 1 || h > 720)) {
    throw new Error(`BOOKING_REMINDER_HOURS must be whole hours within 1..720 separated by commas (e.g. "24,1"), got "${raw}"`);
  }
  return [...new Set(hours)].sort((a, b) => b - a);
}

export const reminderDedupeKey = (booking: string, hours: number) => `${NOTIFY_KIND}:reminder:${booking}:${hours}`;

export interface ReminderRunSummary {
  /** Bookings within some window this run. */
  considered: number;
  enqueued: number;
}

interface Candidate {
  documentId: string;
  startAt: string | Date;
  createdAt: string | Date | null;
  confirmedAt: string | Date | null;
}

const remindersService = ({ strapi }: { strapi: Core.Strapi }) => {
  const outbox = () => strapi.service('api::outbox-job.outbox') as OutboxService;

  return {
    hours: () => parseReminderHours(process.env.BOOKING_REMINDER_HOURS),

    /** Enqueues the reminders due at `now` that were not enqueued before. */
    async run(now: Date = new Date()): Promise<ReminderRunSummary> {
      const offsets = parseReminderHours(process.env.BOOKING_REMINDER_HOURS);
      const summary: ReminderRunSummary = { considered: 0, enqueued: 0 };
      for (let i = 0; i < offsets.length; i += 1) {
        const hours = offsets[i];
        const smaller = offsets[i + 1] ?? 0;
        const smallest = i === offsets.length - 1;
        const candidates = (await strapi.db.query(BOOKING_UID).findMany({
          select: ['documentId', 'startAt', 'createdAt', 'confirmedAt'],
          where: {
            state: 'confirmed',
            startAt: { $gt: new Date(now.getTime() + smaller * HOUR_MS), $lte: new Date(now.getTime() + hours * HOUR_MS) },
          },
          orderBy: { startAt: 'asc' },
        })) as Candidate[];
        const due = candidates.filter((booking) => {
          if (smallest) return true;
          // Confirmed (or, for older rows, created) before this window began: else the reminder would only
          // repeat the confirmation the member has just had.
          const since = new Date(booking.confirmedAt ?? booking.createdAt ?? 0).getTime();
          return since <= new Date(booking.startAt).getTime() - hours * HOUR_MS;
        });
        summary.considered += due.length;
        if (due.length === 0) continue;

        // Skip the ones already enqueued (done or not) with one query per chunk, rather than an insert each.
        const keys = due.map((booking) => reminderDedupeKey(booking.documentId, hours));
        const taken = new Set<string>();
        for (let start = 0; start < keys.length; start += 500) {
          const rows = (await strapi.db.query(OUTBOX_UID).findMany({
            select: ['dedupeKey'],
            where: { dedupeKey: { $in: keys.slice(start, start + 500) } },
          })) as { dedupeKey: string }[];
          for (const row of rows) taken.add(row.dedupeKey);
        }
        for (const booking of due) {
          const dedupeKey = reminderDedupeKey(booking.documentId, hours);
          if (taken.has(dedupeKey)) continue;
          const { created } = await outbox().enqueue({
            kind: NOTIFY_KIND,
            payload: { booking: booking.documentId, event: 'reminder', hours },
            dedupeKey,
          });
          if (created) summary.enqueued += 1;
        }
      }
      if (summary.enqueued > 0) strapi.log.info(`notifications: ${summary.enqueued} booking reminder(s) enqueued`);
      return summary;
    },
  };
};

export type RemindersService = ReturnType<typeof remindersService>;
export default remindersService;
