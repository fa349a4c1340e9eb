/** Admin controller of the audience: the live recipient count while composing, and member picks for custom lists. */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { audienceRuleIssues, audienceSchema } from '../domain/audience';
import type { AudienceService } from '../services/audience';
import { CHANNELS } from '../types';
import { sendError } from '../http';
import { parse, parseBody } from './compose-http';

const PREVIEW_BODY = z
  .object({
    audience: audienceSchema,
    channels: z.array(z.enum(CHANNELS)).min(1).max(2).optional(),
    serviceNotice: z.boolean().optional(),
  })
  .strict();

const MEMBERS_QUERY = z.object({ q: z.string({ invalid_type_error: 'q must be given once' }).max(100).optional() }).passthrough();

const audienceController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('audience') as AudienceService;
  return {
    async preview(ctx: Context) {
      const body = parseBody(ctx, PREVIEW_BODY);
      if (!body) return;
      const issue = audienceRuleIssues(body.audience)[0];
      if (issue) return sendError(ctx, 422, issue, { code: 'audience', errors: [{ path: ['audience'], message: issue, name: 'ValidationError' }] });
      const result = await service().count(body.audience, { channels: body.channels ?? ['telegram'], serviceNotice: body.serviceNotice ?? false });
      ctx.body = { data: result };
    },
    async members(ctx: Context) {
      const query = parse(ctx, MEMBERS_QUERY, ctx.query, 'query');
      if (!query) return;
      ctx.body = { data: await service().searchMembers(query.q ?? '') };
    },
  };
};

export default audienceController;
