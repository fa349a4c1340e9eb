import path from 'node:path';
import { generate } from '@strapi/openapi';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, type DocumentationConfig } from '../config';
import { addAdminRoutes, type AdminRoute, mountedAdminRoutes, type RouteDefinition } from '../spec/admin-routes';
import { operationKey, postProcess, toOpenAPIPath, type OpenAPIDocument } from '../spec/post-process';

/** Every content-API router of the app's APIs and of the plugins, as registered at boot. */
const contentApiRouters = (strapi: Core.Strapi): Core.Router[] => [
  ...Object.values(strapi.apis).flatMap((api) => Object.values(api.routes)),
  ...Object.values(strapi.plugins).flatMap((plugin) =>
    Array.isArray(plugin.routes) ? [] : Object.values(plugin.routes).filter((router) => router.type === 'content-api'),
  ),
];

/**
 * `METHOD /path` keys of the content-API routes declared with `auth: false`, built the way Strapi mounts
 * them: the REST prefix, then the router's prefix, which a route opts out of by having `config.prefix`.
 */
const publicOperations = (strapi: Core.Strapi, apiPrefix: string): Set<string> => {
  const keys = new Set<string>();
  for (const router of contentApiRouters(strapi)) {
    for (const route of router.routes) {
      if (route.config?.auth !== false) continue;
      const prefix = 'prefix' in route.config ? '' : (router.prefix ?? '');
      keys.add(operationKey(route.method, toOpenAPIPath(`${apiPrefix}${prefix}${route.path}`)));
    }
  }
  return keys;
};

/**
 * The plugins resolved from the app's own `plugins/` folder (config/plugins.ts `resolve: './plugins/…'`), not
 * Strapi's or npm ones: their admin routes are ours to document.
 */
const localPlugins = (strapi: Core.Strapi): string[] => {
  const root = strapi.dirs.app.root;
  const folder = path.resolve(root, 'plugins') + path.sep;
  const enabled = (strapi.config.get('enabledPlugins', {}) ?? {}) as Record<string, { pathToPlugin?: string }>;
  return Object.keys(strapi.plugins)
    .filter((name) => {
      const where = enabled[name]?.pathToPlugin;
      return typeof where === 'string' && path.resolve(root, where).startsWith(folder);
    })
    .sort();
};

/** The admin routes of the local plugins as Strapi mounts them (`/<plugin>/…`), read from their routers now. */
const localAdminRoutes = (strapi: Core.Strapi): AdminRoute[] =>
  localPlugins(strapi).flatMap((name) => {
    const routes = strapi.plugins[name].routes as unknown;
    // An array of routes is one admin router under /<plugin>.
    if (Array.isArray(routes)) return mountedAdminRoutes(name, routes as RouteDefinition[]);
    return Object.values((routes ?? {}) as Record<string, { type?: string; prefix?: string; routes?: RouteDefinition[] }>)
      .filter((router) => (router.type ?? 'admin') === 'admin' && Array.isArray(router.routes))
      .flatMap((router) => mountedAdminRoutes(name, router.routes as RouteDefinition[], router.prefix ?? `/${name}`));
  });

const specService = ({ strapi }: { strapi: Core.Strapi }) => {
  let document: OpenAPIDocument | undefined;

  return {
    /**
     * The OpenAPI document of the content API, generated from the routes this process serves, so custom
     * routes and plugins appear without any extra step; plus the admin routes of our local plugins
     * (spec/admin-routes.ts), read from their routers the same way. Generating takes a few seconds of CPU, so it runs
     * once per process, on first use rather than at boot (every boot, tests included, would pay for it).
     */
    document(): OpenAPIDocument {
      if (document === undefined) {
        const config = strapi.config.get(`plugin::${PLUGIN_ID}`) as DocumentationConfig;
        const apiPrefix = strapi.config.get('api.rest.prefix', '/api') as string;
        const generated = generate(strapi, { type: 'content-api' }).document as unknown as OpenAPIDocument;
        document = addAdminRoutes(
          postProcess(generated, {
            info: config.info,
            serverUrl: strapi.config.get('server.url', '') as string,
            apiPrefix,
            publicOperations: publicOperations(strapi, apiPrefix),
          }),
          localAdminRoutes(strapi),
        );
      }
      return document;
    },
  };
};

export type SpecService = ReturnType<typeof specService>;
export default specService;
