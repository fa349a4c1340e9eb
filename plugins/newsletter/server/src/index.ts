import type { Core } from '@strapi/strapi';
import { ACTIONS, PLUGIN_ID } from './actions';
import controllers from './controllers';
import routes from './routes';
import services from './services';

interface Dispatcher {
  start?: () => void;
  stop?: () => Promise<void>;
}

const dispatcher = (strapi: Core.Strapi) => strapi.plugin(PLUGIN_ID).service('dispatcher') as Dispatcher;

export default {
  async register({ strapi }: { strapi: Core.Strapi }) {
    await strapi.service('admin::permission').actionProvider.registerMany(
      Object.values(ACTIONS).map(({ uid, displayName }) => ({ section: 'plugins', displayName, uid, pluginName: PLUGIN_ID })),
    );
  },
  // The dispatcher starts with the server (unless NEWSLETTER_WORKER=false) and resumes whatever was being sent.
  bootstrap({ strapi }: { strapi: Core.Strapi }) {
    dispatcher(strapi).start?.();
  },
  async destroy({ strapi }: { strapi: Core.Strapi }) {
    await dispatcher(strapi).stop?.();
  },
  config: { default: {}, validator() {} },
  controllers,
  routes,
  services,
  contentTypes: {},
  policies: {},
  middlewares: {},
};
