import type { ContentManagerPlugin } from '@strapi/content-manager/strapi-admin';
import { Calendar, Discuss, User } from '@strapi/icons';
import { BookingActionsPanel } from './components/BookingActionsPanel';
import { OutboxRetryPanel } from './components/OutboxRetryPanel';
import { MemberCardLinkPanel } from './components/MemberCardLinkPanel';
import { registerMoneyFieldAdmin, registerMoneyListCells } from './custom-fields/money';
import { PLUGIN_ID } from './pluginId';
import { loadTranslations } from './translations';
import { registerHomeWidgets } from './widgets';

interface MenuLink {
  to: string;
  icon: unknown;
  intlLabel: { id: string; defaultMessage: string };
  permissions: { action: string; subject: null }[];
  Component: () => Promise<unknown>;
}

export interface AdminApp {
  registerPlugin(plugin: { id: string; name: string }): void;
  addMenuLink(link: MenuLink): void;
  getPlugin(id: 'content-manager'): { apis: unknown };
  customFields: { register(field: unknown): void };
  widgets: { register(widgets: unknown): void };
}

const permission = (uid: string) => [{ action: `plugin::${PLUGIN_ID}.${uid}`, subject: null }];

export default {
  register(app: AdminApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}/calendar`,
      icon: Calendar,
      intlLabel: { id: `${PLUGIN_ID}.menu.calendar`, defaultMessage: 'Bookings calendar' },
      permissions: permission('calendar.read'),
      Component: () => import('./pages/Calendar'),
    });
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}/members`,
      icon: User,
      intlLabel: { id: `${PLUGIN_ID}.menu.members`, defaultMessage: 'Members' },
      permissions: permission('members.read'),
      Component: () => import('./pages/Members'),
    });
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}/inbox`,
      icon: Discuss,
      intlLabel: { id: `${PLUGIN_ID}.menu.inbox`, defaultMessage: 'Support inbox' },
      permissions: permission('inbox.read'),
      Component: () => import('./pages/Inbox'),
    });
    registerMoneyFieldAdmin(app);
    registerHomeWidgets(app);
    app.registerPlugin({ id: PLUGIN_ID, name: 'Booking desk' });
  },
  bootstrap(app: AdminApp) {
    // The apis are typed `unknown` by the admin; the content manager documents this cast.
    const contentManager = app.getPlugin('content-manager').apis as ContentManagerPlugin['config']['apis'];
    contentManager.addEditViewSidePanel([BookingActionsPanel, OutboxRetryPanel]);
    contentManager.addEditViewSidePanel([MemberCardLinkPanel]);
    registerMoneyListCells(app);
  },
  registerTrads: loadTranslations,
};
