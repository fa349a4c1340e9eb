import type { Core } from '@strapi/strapi';
import { ACTIONS, PLUGIN_ID } from './actions';
import controllers from './controllers';
import routes from './routes';

const register = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany(
    Object.values(ACTIONS).map(({ uid, displayName }) => ({ section: 'plugins', displayName, uid, pluginName: PLUGIN_ID })),
  );
};

export default {
  register,
  bootstrap() {},
  destroy() {},
  config: { default: {}, validator() {} },
  controllers,
  routes,
  services: {},
  contentTypes: {},
  policies: {},
  middlewares: {},
};
