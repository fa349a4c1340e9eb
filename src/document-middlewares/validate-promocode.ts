import type { Core, Modules } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { promocodeProblems, type PromocodeSettings } from '../domain/promocode';

const PROMOCODE_UID = 'api::promocode.promocode';
const SETTINGS: (keyof PromocodeSettings)[] = ['kind', 'value', 'validFrom', 'validUntil', 'maxUses', 'maxUsesPerMember', 'minOrderAmount'];
const WRITES = ['create', 'update', 'clone'];

/**
 * Refuses a promo code whose settings make no sense (a 150 % discount, a window that ends before it starts…)
 * on every write path: the content manager, the REST API with an API token and the Document Service all go
 * through here. An update or a clone is checked as the code will be after it, its stored values merged with
 * the new ones. Answers Strapi's 400 ValidationError naming each field, and nothing is written.
 */
export const validatePromocode =
  (strapi: Core.Strapi): Modules.Documents.Middleware.Middleware =>
  async (context, next) => {
    if (context.uid !== PROMOCODE_UID || !WRITES.includes(context.action)) return next();
    const params = context.params as { data?: Record<string, unknown>; documentId?: string };
    const data = params.data ?? {};
    const stored =
      context.action === 'create' || params.documentId === undefined
        ? { kind: 'percent' }
        : ((await strapi.db.query(PROMOCODE_UID).findOne({ where: { documentId: params.documentId }, select: SETTINGS })) ?? {});
    const merged: PromocodeSettings = { ...stored };
    for (const field of SETTINGS) if (field in data) merged[field] = data[field];

    const problems = promocodeProblems(merged);
    if (problems.length > 0) {
      throw new errors.ValidationError(problems.map((problem) => problem.message).join(' '), {
        errors: problems.map((problem) => ({ path: [problem.field], message: problem.message, name: 'ValidationError' })),
      });
    }
    return next();
  };
