// Not "documentation": the upload and users-permissions plugins treat a plugin of that name as
// @strapi/plugin-documentation and call its override service.
export const PLUGIN_ID = 'api-docs';

/** Where the page, the spec and the UI assets are served (outside the /api prefix, as Strapi's plugin was). */
export const ROUTE_PREFIX = '/documentation';

export interface DocumentationConfig {
  /** Serve the spec and the UI without credentials; otherwise an API token or an admin JWT is required. */
  public: boolean;
  info: { title: string; version: string; description?: string };
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

export default {
  // Closed unless the app opens it: the spec maps every route and field of the API.
  default: (): DocumentationConfig => ({ public: false, info: { title: 'API', version: '1.0.0' } }),
  validator(config: DocumentationConfig) {
    if (typeof config.public !== 'boolean') throw new Error(`${PLUGIN_ID}: \`public\` must be a boolean`);
    if (!isNonEmptyString(config.info?.title) || !isNonEmptyString(config.info?.version)) {
      throw new Error(`${PLUGIN_ID}: \`info.title\` and \`info.version\` are required`);
    }
  },
};
