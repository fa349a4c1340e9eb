import type { Modules } from '@strapi/strapi';

const PROMOCODE_UID = 'api::promocode.promocode';

/**
 * Promo codes are stored upper-case and matched case-insensitively (the original system failed on
 * lower-case input). Normalising on every write, from the admin panel or the API, keeps the unique
 * index meaningful: "welcome" and "WELCOME" are the same code.
 */
export const normalisePromocode: Modules.Documents.Middleware.Middleware = async (context, next) => {
  if (context.uid === PROMOCODE_UID && (context.action === 'create' || context.action === 'update')) {
    const data = (context.params as { data?: { code?: unknown } }).data;
    if (data && typeof data.code === 'string') data.code = data.code.trim().toUpperCase();
  }
  return next();
};
