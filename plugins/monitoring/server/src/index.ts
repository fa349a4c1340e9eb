import type { Core } from '@strapi/strapi';
import controllers from './controllers';
import routes from './routes';
import services from './services';

const register = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany([
    { section: 'plugins', displayName: 'View system health and analytics', uid: 'read', pluginName: 'monitoring' },
  ]);
};

export default {
  register,
  bootstrap() {},
  destroy() {},
  config: { default: {}, validator() {} },
  controllers,
  routes,
  services,
  contentTypes: {},
  policies: {},
  middlewares: {},
};
