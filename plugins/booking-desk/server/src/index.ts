import type { Core } from '@strapi/strapi';
import { ACTIONS, PLUGIN_ID } from './actions';
import controllers from './controllers';
import { registerMoneyField } from './custom-fields/money';
import policies from './policies';
import routes from './routes';
import services from './services';

const register = async ({ strapi }: { strapi: Core.Strapi }) => {
  registerMoneyField(strapi);
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
  services,
  contentTypes: {},
  policies,
  middlewares: {},
};
