export const PLUGIN_ID = 'newsletter';

/** Prefixes a message id with the plugin id, as Strapi's translation files expect. */
export const getTranslation = (id: string) => `${PLUGIN_ID}.${id}`;
