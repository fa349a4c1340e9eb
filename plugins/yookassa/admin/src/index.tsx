import type { ContentManagerPlugin } from '@strapi/content-manager/strapi-admin';
import { RefundPanel } from './components/RefundPanel';

const PLUGIN_ID = 'yookassa';

interface AdminApp {
  registerPlugin(plugin: { id: string; name: string }): void;
  getPlugin(id: 'content-manager'): { apis: unknown };
}

export default {
  register(app: AdminApp) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'YooKassa' });
  },
  bootstrap(app: AdminApp) {
    // The apis are typed `unknown` by the admin; the content manager documents this cast.
    const contentManager = app.getPlugin('content-manager').apis as ContentManagerPlugin['config']['apis'];
    contentManager.addEditViewSidePanel([RefundPanel]);
  },
  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        if (locale === 'ru') return { locale, data: (await import('./translations/ru.json')).default as Record<string, string> };
        if (locale === 'en') return { locale, data: (await import('./translations/en.json')).default as Record<string, string> };
        return { locale, data: {} };
      }),
    );
  },
};
