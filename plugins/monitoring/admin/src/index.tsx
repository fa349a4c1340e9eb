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
};
