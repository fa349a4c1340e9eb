/**
 * Admin controller of newsletters (history, compose, edit, delete): thin; the rules are in
 * services/newsletters.ts and domain/content.ts.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { createSchema, updateSchema } from '../domain/content';
import type { NewslettersService } from '../services/newsletters';
import { NEWSLETTER_STATES } from '../types';
import { actorOf, answer, documentIdOf, pageQuery, parse, parseBody } from './compose-http';
import { sendError } from '../http';

const LIST_QUERY = z
  .object({
    page: pageQuery(100_000),
    pageSize: pageQuery(100),
    state: z.enum(NEWSLETTER_STATES).optional(),
    q: z.string({ invalid_type_error: 'q must be given once' }).max(200).optional(),
  })
  .passthrough();

const newslettersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('newsletters') as NewslettersService;
  return {
    async find(ctx: Context) {
      const query = parse(ctx, LIST_QUERY, ctx.query, 'query');
      if (!query) return;
      ctx.body = await service().find({ page: query.page ?? 1, pageSize: query.pageSize ?? 20, state: query.state, q: query.q?.trim() || undefined });
    },
    async create(ctx: Context) {
      const body = parseBody(ctx, createSchema);
      if (!body) return;
      answer(ctx, await service().create(body, actorOf(ctx)), 201);
    },
    async findOne(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      const view = await service().findOne(documentId);
      if (!view) return sendError(ctx, 404, 'No newsletter has this id.', { code: 'not_found' });
      ctx.body = { data: view };
    },
    async update(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      const body = parseBody(ctx, updateSchema);
      if (!body) return;
      answer(ctx, await service().update(documentId, body, actorOf(ctx)));
    },
    async delete(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      answer(ctx, await service().remove(documentId, actorOf(ctx)));
    },
  };
};

export default newslettersController;
