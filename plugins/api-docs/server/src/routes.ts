import type { Core } from '@strapi/strapi';
import { apiTokenStrategy } from './access';
import { PLUGIN_ID, ROUTE_PREFIX, type DocumentationConfig } from './config';

/**
 * Admin-type routes, because they live outside the /api prefix. When the documentation is not public,
 * the page and the spec take an admin JWT (Strapi's `admin` strategy) or an API token, and answer 401
 * with Strapi's error envelope otherwise. The UI assets are public in every mode: they are the stock
 * Swagger UI files and reveal nothing about this API.
 */
export default {
  documentation: ({ strapi }: { strapi: Core.Strapi }) => {
    const { public: isPublic } = strapi.config.get(`plugin::${PLUGIN_ID}`) as DocumentationConfig;
    // A fresh object per route: Strapi writes each route's scope into its `auth` object.
    const auth = () => (isPublic ? false : { strategies: ['admin', apiTokenStrategy(strapi)] });
    return {
      type: 'admin',
      prefix: ROUTE_PREFIX,
      routes: [
        { method: 'GET', path: '/', handler: 'documentation.ui', config: { auth: auth() } },
        { method: 'GET', path: '/openapi.json', handler: 'documentation.spec', config: { auth: auth() } },
        { method: 'GET', path: '/assets/:file', handler: 'documentation.asset', config: { auth: false } },
      ],
    };
  },
};
