/**
 * The admin routes of our local plugins (the booking desk, YooKassa refunds, monitoring …) in the OpenAPI
 * document. @strapi/openapi only describes the content API; these routes are read from the plugins' routers at
 * runtime (services/spec.ts), so a route a plugin adds appears without any extra step. Pure: no Strapi handle.
 *
 * Each operation: tagged by plugin, secured by the admin JWT (`adminAuth`), its RBAC action(s) named in the
 * description (taken from the route's `admin::hasPermissions` policy), path parameters declared, and a generic
 * JSON body and answer where the route declares no schema.
 */
import { type JsonObject, type OpenAPIDocument, type Operation, type Parameter, toOpenAPIPath } from './post-process';

/** One admin route as Strapi mounts it. */
export interface AdminRoute {
  /** The plugin's name, e.g. `booking-desk`. */
  plugin: string;
  method: string;
  /** The mounted path with its prefix, Koa-style: `/booking-desk/bookings/:documentId/confirm`. */
  path: string;
  /** `controller.action`, e.g. `bookings.confirm`. */
  handler?: string;
  /** RBAC action uids the route's policies require, e.g. `plugin::booking-desk.confirm`. */
  actions: string[];
  /** `config.auth === false`: no admin token needed. */
  public?: boolean;
}

/** What a route definition in a plugin's router looks like (the parts read here). */
export interface RouteDefinition {
  method: string;
  path: string;
  handler?: unknown;
  config?: { auth?: unknown; prefix?: unknown; policies?: unknown[] } & JsonObject;
}

export const ADMIN_SECURITY_SCHEME = 'adminAuth';

const ADMIN_AUTH_DESCRIPTION =
  'Staff (admin panel users): `Authorization: Bearer <token>` with the token from `POST /admin/login` ' +
  '(body `{ "email", "password" }`, answer `data.token`), valid for the admin session. Each admin route also ' +
  'checks the RBAC action named in its description (Settings → Administration panel → Roles). API tokens and ' +
  'member tokens are refused.';

const DOCUMENT_ID_SCHEMA = {
  type: 'string',
  description: 'documentId: the public id of a document, a 24-character lowercase alphanumeric string (CUID2).',
  example: 'tz4a98xxat96iws9zmbrgj3a',
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const WITH_BODY = new Set(['post', 'put', 'patch']);

/** The RBAC actions named by `admin::hasPermissions` policies (object or `{ name, config: { actions } }`). */
export function actionsOf(policies: unknown[] | undefined): string[] {
  const actions: string[] = [];
  for (const policy of policies ?? []) {
    if (typeof policy !== 'object' || policy === null) continue;
    const { name, config } = policy as { name?: unknown; config?: { actions?: unknown } };
    if (name !== 'admin::hasPermissions' || !Array.isArray(config?.actions)) continue;
    for (const action of config.actions) if (typeof action === 'string' && !actions.includes(action)) actions.push(action);
  }
  return actions;
}

/** A router's routes as mounted: the router's prefix (default `/<plugin>`) unless a route sets its own. */
export function mountedAdminRoutes(plugin: string, routes: RouteDefinition[], prefix: string = `/${plugin}`): AdminRoute[] {
  return routes
    .filter((route) => typeof route?.method === 'string' && typeof route?.path === 'string')
    .map((route) => {
      const ownPrefix = route.config && 'prefix' in route.config ? String(route.config.prefix ?? '') : null;
      return {
        plugin,
        method: route.method.toUpperCase(),
        path: `${ownPrefix ?? prefix}${route.path}`,
        handler: typeof route.handler === 'string' ? route.handler : undefined,
        actions: actionsOf(route.config?.policies),
        public: route.config?.auth === false,
      };
    });
}

export const adminTag = (plugin: string) => `Admin: ${plugin}`;

function describe(route: AdminRoute): string {
  if (route.public) return `Admin route of the \`${route.plugin}\` plugin; needs no token.`;
  const rbac =
    route.actions.length === 0
      ? 'Any signed-in admin user (no RBAC action).'
      : `RBAC action${route.actions.length > 1 ? 's (all of them)' : ''}: ${route.actions.map((action) => `\`${action}\``).join(', ')}.`;
  return `Admin route of the \`${route.plugin}\` plugin. Admin JWT: \`Authorization: Bearer <token from POST /admin/login>\`. ${rbac} See docs/ADMIN.md.`;
}

function operationFor(route: AdminRoute, operationId: string): Operation {
  const parameters: Parameter[] = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: match[1] === 'documentId' ? { ...DOCUMENT_ID_SCHEMA } : { type: 'string' },
  }));
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const operation: Operation = {
    tags: [adminTag(route.plugin)],
    summary: `${route.method} ${route.path}${route.handler ? ` (${route.handler})` : ''}`,
    description: describe(route),
    operationId,
    parameters,
    security: route.public ? [] : [{ [ADMIN_SECURITY_SCHEME]: [] }],
    responses: {
      '2XX': { description: 'Success', content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } },
      '400': error('The request is malformed (body, query or path)'),
      ...(route.public ? {} : { '401': error('No or an invalid admin token'), '403': error('The admin user lacks the RBAC action') }),
      '404': error('Not found'),
    },
  };
  if (WITH_BODY.has(route.method.toLowerCase())) {
    operation.requestBody = {
      required: false,
      description: 'JSON body as described in docs/ADMIN.md.',
      content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
    };
  }
  return operation;
}

/**
 * Adds the admin routes to the document: paths, one tag per plugin, the `adminAuth` scheme. A path and method
 * the document already has (a content-API route at the same URL) is left alone.
 */
export function addAdminRoutes(document: OpenAPIDocument, routes: AdminRoute[], pluginDescriptions: Record<string, string> = {}): OpenAPIDocument {
  const usedIds = new Set<string>();
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (typeof operation?.operationId === 'string') usedIds.add(operation.operationId);
    }
  }
  const plugins = new Set<string>();
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!HTTP_METHODS.has(method)) continue;
    const path = toOpenAPIPath(route.path);
    const pathItem = (document.paths[path] ??= {});
    if (pathItem[method] !== undefined) continue;
    const base = `admin/${route.plugin}/${route.handler ?? `${method}${path}`}`.replace(/[^A-Za-z0-9_./-]+/g, '-');
    let operationId = base;
    for (let n = 2; usedIds.has(operationId); n += 1) operationId = `${base}-${n}`;
    usedIds.add(operationId);
    pathItem[method] = operationFor(route, operationId);
    plugins.add(route.plugin);
  }

  const tags = Array.isArray(document.tags) ? (document.tags as JsonObject[]) : [];
  for (const plugin of [...plugins].sort()) {
    if (tags.some((tag) => tag.name === adminTag(plugin))) continue;
    tags.push({ name: adminTag(plugin), description: pluginDescriptions[plugin] ?? `Admin routes of the ${plugin} plugin (staff, admin JWT + RBAC).` });
  }
  if (tags.length > 0) document.tags = tags;

  const components = document.components ?? {};
  components.securitySchemes = {
    ...components.securitySchemes,
    [ADMIN_SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: ADMIN_AUTH_DESCRIPTION },
  };
  document.components = components;
  return document;
}
