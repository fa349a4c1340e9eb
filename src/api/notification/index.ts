/**
 * The notification API (docs/NOTIFICATIONS.md): services only, no content types or routes. Strapi loads an
 * API folder's `index` as a module with register / bootstrap / destroy, and runs the modules' bootstrap before
 * the application's (src/index.ts), so the handler is registered before the outbox worker starts.
 */
import type { Core } from '@strapi/strapi';
import type { NotifierService } from './services/notifier';
import type { RemindersService } from './services/reminders';
import type { StaffAlertsService } from './services/staff-alerts';

export default {
  bootstrap({ strapi }: { strapi: Core.Strapi }) {
    // An invalid BOOKING_REMINDER_HOURS stops the boot with a message naming it, not the first cron run.
    (strapi.service('api::notification.reminders') as RemindersService).hours();
    (strapi.service('api::notification.notifier') as NotifierService).register();
    (strapi.service('api::notification.staff-alerts') as StaffAlertsService).register();
  },
};
