import type { ContentManagerPlugin } from '@strapi/content-manager/strapi-admin';
import { BookingActionsPanel } from './components/BookingActionsPanel';
import { PLUGIN_ID } from './pluginId';

interface AdminApp {
  registerPlugin(plugin: { id: string; name: string }): void;
  getPlugin(id: 'content-manager'): { apis: unknown };
}

export default {
  register(app: AdminApp) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Booking desk' });
  },
  bootstrap(app: AdminApp) {
    // The apis are typed `unknown` by the admin; the content manager documents this cast.
    const contentManager = app.getPlugin('content-manager').apis as ContentManagerPlugin['config']['apis'];
    contentManager.addEditViewSidePanel([BookingActionsPanel]);
  },
  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        if (locale !== 'en') return { data: {}, locale };
        const { default: data } = await import('./translations/en.json');
        return { data: data as Record<string, string>, locale };
      }),
    );
  },
};
