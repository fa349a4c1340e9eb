import { Heart } from '@strapi/icons';

const PLUGIN_ID = 'monitoring';

export default {
  register(app: any) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Heart,
      intlLabel: { id: `${PLUGIN_ID}.menu.health`, defaultMessage: 'System health' },
      permissions: [{ action: 'plugin::monitoring.read', subject: null }],
      Component: () => import('./pages/HealthPage'),
    });
    app.registerPlugin({ id: PLUGIN_ID, name: 'Monitoring' });
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
