/** Admin controller of a newsletter's images: upload (multipart field `files`) and remove. Rules in services/media.ts. */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { NewsletterView } from '../types';
import type { Outcome } from '../services/newsletters';
import { sendError } from '../http';
import { answer, documentIdOf } from './compose-http';

interface MediaService {
  upload(documentId: string, files: Record<string, unknown> | undefined): Promise<Outcome<NewsletterView>>;
  remove(documentId: string, fileId: number): Promise<Outcome<NewsletterView>>;
}

const mediaController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('media') as MediaService;
  return {
    async upload(ctx: Context) {
      const documentId = documentIdOf(ctx);
      const files = (ctx.request as unknown as { files?: Record<string, unknown> }).files;
      if (!documentId) return;
      if (!ctx.is('multipart')) return sendError(ctx, 400, 'Send the images as multipart/form-data, field "files".', { code: 'not_multipart' });
      answer(ctx, await service().upload(documentId, files));
    },
    async remove(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      const fileId = String(ctx.params.fileId ?? '');
      if (!/^\d{1,12}$/.test(fileId)) return sendError(ctx, 404, 'This newsletter has no image with this id.', { code: 'not_found' });
      answer(ctx, await service().remove(documentId, Number(fileId)));
    },
  };
};

export default mediaController;
