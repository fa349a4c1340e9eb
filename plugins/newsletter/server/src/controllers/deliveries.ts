/**
 * GET /newsletter/newsletters/:documentId/progress, …/deliveries and …/deliveries.csv (docs/ADMIN.md,
 * Newsletters). Thin: the query is checked here (400 with the field), the work is in services/deliveries.ts.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { fieldErrors, sendError } from '../http';
import { listQuerySchema, type DeliveriesService } from '../services/deliveries';

const NOT_FOUND = 'There is no newsletter with this documentId.';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('deliveries') as unknown as DeliveriesService;
  const documentIdOf = (ctx: Context): string => String(ctx.params.documentId ?? '');
  const query = (ctx: Context) => {
    const parsed = listQuerySchema.safeParse(ctx.query ?? {});
    if (!parsed.success) {
      sendError(ctx, 400, parsed.error.issues[0]?.message ?? 'The query is not valid.', { errors: fieldErrors(parsed.error.issues) });
      return null;
    }
    return parsed.data;
  };

  return {
    async progress(ctx: Context) {
      const progress = await service().progress(documentIdOf(ctx));
      if (!progress) return sendError(ctx, 404, NOT_FOUND);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { data: progress };
    },

    async find(ctx: Context) {
      const q = query(ctx);
      if (!q) return;
      const page = await service().list(documentIdOf(ctx), q);
      if (!page) return sendError(ctx, 404, NOT_FOUND);
      ctx.body = page;
    },

    async csv(ctx: Context) {
      const q = query(ctx);
      if (!q) return;
      const documentId = documentIdOf(ctx);
      const stream = await service().csv(documentId, q);
      if (!stream) return sendError(ctx, 404, NOT_FOUND);
      const safe = documentId.replace(/[^A-Za-z0-9_-]/g, '');
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="newsletter-${safe}-recipients.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = stream;
    },
  };
};
