/** Admin controller of newsletter templates. Rules in services/templates.ts. */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { templateCreateSchema, templateUpdateSchema, type TemplateView } from '../services/templates';
import type { Outcome } from '../services/newsletters';
import { answer, documentIdOf, parseBody } from './compose-http';

interface TemplatesService {
  find(): Promise<TemplateView[]>;
  create(input: unknown): Promise<Outcome<TemplateView>>;
  update(documentId: string, input: unknown): Promise<Outcome<TemplateView>>;
  remove(documentId: string): Promise<Outcome<{ documentId: string }>>;
}

const templatesController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('templates') as TemplatesService;
  return {
    async find(ctx: Context) {
      ctx.body = { data: await service().find() };
    },
    async create(ctx: Context) {
      const body = parseBody(ctx, templateCreateSchema);
      if (!body) return;
      answer(ctx, await service().create(body), 201);
    },
    async update(ctx: Context) {
      const documentId = documentIdOf(ctx, 'template');
      if (!documentId) return;
      const body = parseBody(ctx, templateUpdateSchema);
      if (!body) return;
      answer(ctx, await service().update(documentId, body));
    },
    async delete(ctx: Context) {
      const documentId = documentIdOf(ctx, 'template');
      if (!documentId) return;
      answer(ctx, await service().remove(documentId));
    },
  };
};

export default templatesController;
