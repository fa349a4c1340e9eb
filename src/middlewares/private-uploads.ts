/**
 * Global middleware `global::private-uploads`, before the static file servers:
 *
 * - A private ticket attachment (`ticket_<128 random bits>…`, src/api/ticket/domain/attachment-urls.ts) is served
 *   only with a valid, unexpired `?expires=…&signature=…` (403 otherwise), and only to the browser's private
 *   cache. Checked on the decoded, normalised path, so `/./uploads/…` or percent-encoding reach the same check.
 * - Every file under /uploads is answered with `X-Content-Type-Options: nosniff` and a sandboxing CSP; a type
 *   outside the upload plugin's allowed list (an old `.html`, `.svg`, `.js` stored before types were checked) is
 *   sent as an `application/octet-stream` download, and every non-image as an attachment, never rendered inline.
 */
import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { isUploadsPath, privateUploadPath } from '../api/ticket/domain/attachment-urls';
import type { AttachmentUrlsService } from '../api/ticket/services/attachment-urls';

const REFUSALS = {
  missing: 'This attachment is private. Open it from its support ticket to get a link that works.',
  invalid: 'This attachment link is not valid. Open the support ticket again to get a fresh link.',
  expired: 'This attachment link has expired. Open the support ticket again to get a fresh link.',
} as const;

/** Image types a browser only ever displays as a picture. */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const urls = () => strapi.service('api::ticket.attachment-urls') as AttachmentUrlsService;
  const allowedTypes = () => {
    const security = (strapi.config.get('plugin::upload') as { security?: { allowedTypes?: string[] } } | undefined)?.security;
    return new Set(security?.allowedTypes ?? INLINE_TYPES);
  };

  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();

    const privatePath = privateUploadPath(ctx.path);
    if (privatePath !== null) {
      const verdict = urls().verify(privatePath, ctx.query);
      if (!verdict.ok) {
        ctx.set('X-Content-Type-Options', 'nosniff');
        ctx.set('Cache-Control', 'no-store');
        ctx.status = 403;
        ctx.body = { data: null, error: { status: 403, name: 'ForbiddenError', message: REFUSALS[verdict.reason], details: { code: `attachment_link_${verdict.reason}` } } };
        return;
      }
      // The static server keeps a Cache-Control that is already set.
      ctx.set('Cache-Control', `private, max-age=${Math.max(0, verdict.expires - Math.floor(Date.now() / 1000))}`);
    }
    if (privatePath === null && !isUploadsPath(ctx.path)) return next();

    await next();

    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    if (ctx.status !== 200 && ctx.status !== 206) return;
    const type = ctx.response.type;
    if (!allowedTypes().has(type)) ctx.type = 'application/octet-stream';
    if (!INLINE_TYPES.has(ctx.response.type)) ctx.attachment();
  };
};
