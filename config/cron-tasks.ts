import type { Core } from '@strapi/strapi';
import type { OutboxService } from '../src/api/outbox-job/services/outbox';
import type { OutboxSettings } from './outbox';

/**
 * Cron tasks (enabled unless STRAPI_DISABLE_CRON=true). Every instance runs them; the jobs are safe to run
 * concurrently because each change goes through the booking lifecycle under the resource lock.
 * A function of the environment, so that config/server.ts reads it each time Strapi loads its config.
 */
export const cronTasks = ({ env }: Pick<Core.Config.Shared.ConfigParams, 'env'>) => ({
  bookingHousekeeping: {
    task: async ({ strapi }: { strapi: Core.Strapi }) => {
      await strapi.service('api::booking.housekeeping').run(new Date());
    },
    // Seconds first: every 30 s by default, so a lapsed hold is marked expired within half a minute.
    options: { rule: env('BOOKING_HOUSEKEEPING_CRON', '*/30 * * * * *') },
  },
  // Payments still pending after YOOKASSA_RECONCILE_AFTER_MS are fetched again: a lost webhook is recovered.
  paymentReconciliation: {
    task: async ({ strapi }: { strapi: Core.Strapi }) => {
      await strapi.plugin('yookassa').service('payments').reconcile(new Date());
    },
    options: { rule: env('YOOKASSA_RECONCILE_CRON', '15 * * * * *') },
  },
  // Reminders before confirmed bookings (BOOKING_REMINDER_HOURS, default 24 and 1 hours; docs/NOTIFICATIONS.md).
  // Each reminder is enqueued once under its dedupe key, however many instances run this.
  bookingReminders: {
    task: async ({ strapi }: { strapi: Core.Strapi }) => {
      await strapi.service('api::notification.reminders').run(new Date());
    },
    options: { rule: env('BOOKING_REMINDER_CRON', '45 * * * * *') },
  },
  // Done outbox jobs older than OUTBOX_RETENTION_DAYS (default 30; 0 keeps them) are deleted in batches
  // (docs/OUTBOX.md, Retention). Hourly at a fixed minute; instances that run it together only share the work.
  outboxPurge: {
    task: async ({ strapi }: { strapi: Core.Strapi }) => {
      if ((strapi.config.get('outbox') as OutboxSettings | undefined)?.retentionDays === 0) return;
      const purged = await (strapi.service('api::outbox-job.outbox') as OutboxService).purgeFinished(new Date());
      if (purged > 0) strapi.log.info(`outbox: purged ${purged} done job(s) past the retention period`);
    },
    options: { rule: env('OUTBOX_PURGE_CRON', '30 17 * * * *') },
  },
});
