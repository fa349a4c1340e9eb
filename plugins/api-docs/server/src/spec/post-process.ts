/**
 * Corrections applied to the document that Strapi's experimental OpenAPI generator (@strapi/openapi)
 * produces, so that it describes the API as clients actually call it. Pure: no Strapi handle needed.
 */

export type JsonObject = { [key: string]: unknown };

export interface Parameter extends JsonObject {
  name: string;
  in: string;
}

export interface Operation extends JsonObject {
  parameters?: Parameter[];
  responses?: Record<string, JsonObject>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenAPIDocument extends JsonObject {
  openapi: string;
  info: JsonObject;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, JsonObject> } & JsonObject;
}

export interface PostProcessOptions {
  info: { title: string; version: string; description?: string };
  /** The public server URL (`server.url`), '' when Strapi does not know it. */
  serverUrl: string;
  /** The REST prefix (`api.rest.prefix`, '/api'). */
  apiPrefix: string;
  /** `METHOD /path` keys (with the prefix and `{param}` placeholders) of routes declared with `auth: false`. */
  publicOperations: ReadonlySet<string>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `/bookings/:documentId/cancel` → `/bookings/{documentId}/cancel`, as the generator writes path keys. */
export const toOpenAPIPath = (routePath: string): string => routePath.replace(/:([^/]+)/g, '{$1}');

export const operationKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

const DOCUMENT_ID_SCHEMA = {
  type: 'string',
  description:
    'documentId: the public id of a document, a 24-character lowercase alphanumeric string (CUID2). ' +
    'The numeric `id` is internal and is never accepted in a path.',
  example: 'tz4a98xxat96iws9zmbrgj3a',
};

const ERROR_SCHEMA = {
  type: 'object',
  description: "Strapi's error envelope, the body of every 4xx and 5xx answer.",
  required: ['data', 'error'],
  properties: {
    data: { type: 'null' },
    error: {
      type: 'object',
      required: ['status', 'name', 'message'],
      properties: {
        status: { type: 'integer', example: 404 },
        name: { type: 'string', example: 'NotFoundError' },
        message: { type: 'string', example: 'Not Found' },
        details: { type: 'object', description: 'Per-field errors and other context (may be empty).' },
      },
    },
  },
};

const BEARER_DESCRIPTION =
  'Authorization: Bearer <token>. Members send the access token of their session (from POST /api/auth/telegram, ' +
  'renewed with POST /api/auth/refresh); integrators send an API token created in the admin panel (Settings → API Tokens). ' +
  'Routes marked with an empty security list need no token; any other route may also be opened to the ' +
  'public role by staff.';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// The generator describes every documentId (path parameters, the `documentId` field of responses, relation
// targets in request bodies) as a UUID with a UUID pattern. Strapi's documentIds are CUID2 strings, so a
// client that validates against the spec would reject every real id. The generator uses format "uuid" for
// nothing else, and no attribute of ours is a UUID.
const fixDocumentIds = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(fixDocumentIds);
  if (!isObject(node)) return node;
  if (node.format === 'uuid') return { ...DOCUMENT_ID_SCHEMA };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fixDocumentIds(value)]));
};

const withPrefix = (path: string, prefix: string): string =>
  prefix === '' || path === prefix || path.startsWith(`${prefix}/`) ? path : `${prefix}${path}`;

// The generator only documents path parameters that a route declares with a zod schema in `request.params`;
// custom routes usually do not, so their `{param}` placeholders would be undocumented. Path segments are
// strings on the wire: `documentId` gets the documentId schema, anything else a plain string.
const addMissingPathParameters = (path: string, operation: Operation): void => {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const parameters = operation.parameters ?? [];
  for (const name of names) {
    if (parameters.some((parameter) => parameter.in === 'path' && parameter.name === name)) continue;
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: name === 'documentId' ? { ...DOCUMENT_ID_SCHEMA } : { type: 'string' },
    });
  }
  operation.parameters = parameters;
};

const describeErrorResponses = (operation: Operation): void => {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (Number(status) >= 400 && response.content === undefined) {
      response.content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
    }
  }
};

export function postProcess(generated: OpenAPIDocument, options: PostProcessOptions): OpenAPIDocument {
  const document = fixDocumentIds(generated) as OpenAPIDocument;

  // Generated paths lack the REST prefix (strapi/strapi#25493) while the server URL is the bare host, so
  // every documented URL would 404. Paths get the prefix unless a later generator already adds it.
  const paths: OpenAPIDocument['paths'] = {};
  for (const [rawPath, pathItem] of Object.entries(document.paths)) {
    const path = withPrefix(rawPath, options.apiPrefix);
    paths[path] = pathItem;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation === undefined) continue;
      addMissingPathParameters(path, operation);
      describeErrorResponses(operation);
      if (options.publicOperations.has(operationKey(method, path))) operation.security = [];
    }
  }
  document.paths = paths;

  document.info = { ...options.info };
  // A relative URL resolves against the host the document was fetched from, which is right when
  // Strapi does not know its public URL.
  document.servers = [{ url: options.serverUrl || '/', description: 'This Strapi server' }];

  const components = document.components ?? {};
  components.schemas = { ...components.schemas, Error: ERROR_SCHEMA };
  const bearerAuth = components.securitySchemes?.bearerAuth ?? { type: 'http', scheme: 'bearer' };
  components.securitySchemes = {
    ...components.securitySchemes,
    bearerAuth: { ...bearerAuth, description: BEARER_DESCRIPTION },
  };
  document.components = components;
  return document;
}
