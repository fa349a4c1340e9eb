import { PaperPlane } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';

interface AdminApp {
  registerPlugin(plugin: { id: string; name: string }): void;
  addMenuLink(link: unknown): void;
}

export default {
  register(app: AdminApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: PaperPlane,
      intlLabel: { id: `${PLUGIN_ID}.menu.newsletters`, defaultMessage: 'Newsletters' },
      permissions: [{ action: `plugin::${PLUGIN_ID}.read`, subject: null }],
      Component: () => import('./pages/Newsletters'),
    });
    app.registerPlugin({ id: PLUGIN_ID, name: 'Newsletters' });
  },
  bootstrap() {},
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
