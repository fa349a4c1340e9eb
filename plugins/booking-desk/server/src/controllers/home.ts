/**
 * GET /booking-desk/home: the figures of the staff home page. Each section is there only when the admin user's
 * role may see it (calendar.read: today's bookings, places free now, awaiting approval; inbox.read: open tickets;
 * revenue.read: revenue); the route's policy answers 403 to a role with none of them.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { permissionOf, type ActionName } from '../actions';
import type { HomeService, Section } from '../services/home';

interface Ability {
  can(action: string, subject?: string): boolean;
}

/** The RBAC action each section needs. */
export const SECTION_ACTIONS: Record<Section, ActionName> = {
  todayBookings: 'calendarRead',
  freeNow: 'calendarRead',
  awaitingApproval: 'calendarRead',
  openTickets: 'inboxRead',
  revenue: 'revenueRead',
};

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: Context) {
    const ability = ctx.state.userAbility as Ability | undefined;
    const sections = (Object.keys(SECTION_ACTIONS) as Section[]).filter((section) => ability?.can(permissionOf(SECTION_ACTIONS[section])));
    const home = strapi.plugin('booking-desk').service('home') as unknown as HomeService;
    ctx.body = { data: await home.overview(sections) };
  },
});
