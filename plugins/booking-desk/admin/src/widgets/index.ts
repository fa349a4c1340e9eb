import { Calendar, ChartPie, Clock, Discuss, GridFour } from '@strapi/icons';
import type { AdminApp } from '../index';
import { PLUGIN_ID } from '../pluginId';

const permission = (uid: string) => [{ action: `plugin::${PLUGIN_ID}.${uid}` }];
const title = (key: string, defaultMessage: string) => ({ id: `${PLUGIN_ID}.home.${key}.title`, defaultMessage });
const link = (key: string, defaultMessage: string, href: string) => ({ label: { id: `${PLUGIN_ID}.home.${key}.link`, defaultMessage }, href });

/**
 * The staff home-page widgets (Strapi 5's widget API), each shown only to roles holding its permission; their
 * figures come from GET /booking-desk/home. Strapi's own developer widgets are removed for everyone by
 * src/admin/app.tsx, whose `register` runs after every plugin's (so it sees the content manager's widgets too).
 */
export function registerHomeWidgets(app: AdminApp): void {
  app.widgets.register([
    {
      id: 'today-bookings',
      pluginId: PLUGIN_ID,
      icon: Calendar,
      title: title('today-bookings', "Today's bookings"),
      link: link('today-bookings', 'Open the calendar', `/plugins/${PLUGIN_ID}/calendar`),
      component: async () => (await import('./TodayBookings')).TodayBookingsWidget,
      permissions: permission('calendar.read'),
    },
    {
      id: 'free-now',
      pluginId: PLUGIN_ID,
      icon: GridFour,
      title: title('free-now', 'Free right now'),
      component: async () => (await import('./FreeNow')).FreeNowWidget,
      permissions: permission('calendar.read'),
    },
    {
      id: 'revenue',
      pluginId: PLUGIN_ID,
      icon: ChartPie,
      title: title('revenue', 'Revenue'),
      component: async () => (await import('./Revenue')).RevenueWidget,
      permissions: permission('revenue.read'),
    },
    {
      id: 'awaiting-approval',
      pluginId: PLUGIN_ID,
      icon: Clock,
      title: title('awaiting-approval', 'Awaiting approval'),
      link: link('awaiting-approval', 'Open the calendar', `/plugins/${PLUGIN_ID}/calendar`),
      component: async () => (await import('./AwaitingApproval')).AwaitingApprovalWidget,
      permissions: permission('calendar.read'),
    },
    {
      id: 'open-tickets',
      pluginId: PLUGIN_ID,
      icon: Discuss,
      title: title('open-tickets', 'Open tickets'),
      link: link('open-tickets', 'Open the inbox', `/plugins/${PLUGIN_ID}/inbox`),
      component: async () => (await import('./OpenTickets')).OpenTicketsWidget,
      permissions: permission('inbox.read'),
    },
  ]);
}
