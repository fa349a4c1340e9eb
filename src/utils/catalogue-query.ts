import type { Core } from '@strapi/strapi';

// The admin's content-API token strategy; every API token is issued by a Super Admin.
const API_TOKEN_STRATEGY = 'content-api-token';

interface PinnedQuery {
  filters: Record<string, unknown>;
  /** Replaces whatever the client asked to populate; undefined populates nothing. */
  populate?: Record<string, unknown>;
}

/**
 * A route middleware (LaunchPad style) that narrows catalogue reads by members and anonymous clients:
 * the pinned filters are AND-ed with the client's own, and the populate tree is fixed so a client cannot
 * reach hidden entries through relations. Staff API tokens see everything.
 */
export function pinCatalogueQuery(pinned: PinnedQuery): Core.MiddlewareHandler {
  return async (ctx, next) => {
    if (ctx.state.auth?.strategy?.name !== API_TOKEN_STRATEGY) {
      // Strapi's query parser caches this object, and the core controller reads the same one.
      const query = ctx.query as Record<string, unknown>;
      query.filters = query.filters === undefined ? pinned.filters : { $and: [query.filters, pinned.filters] };
      if (pinned.populate === undefined) delete query.populate;
      else query.populate = pinned.populate;
    }
    await next();
  };
}
