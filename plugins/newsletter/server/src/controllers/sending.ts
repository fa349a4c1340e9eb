/**
 * Admin controller of sending: test send, send now or schedule, pause, resume, cancel, resend to the failed.
 * Thin; the rules are in services/newsletters.ts and domain/state.ts.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import type { NewslettersService } from '../services/newsletters';
import { actorOf, answer, documentIdOf, parseBody } from './compose-http';

/** ISO 8601 with a time zone offset (or Z), e.g. 2026-12-24T10:00:00+03:00. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const SEND_BODY = z
  .object({
    scheduledAt: z
      .string()
      .regex(ISO_WITH_OFFSET, 'scheduledAt must be a date and time with its offset, e.g. 2026-12-24T10:00:00+03:00')
      .refine((value) => !Number.isNaN(Date.parse(value)), 'scheduledAt is not a real date')
      .transform((value) => new Date(value))
      .nullable()
      .optional(),
  })
  .strict();

const TEST_BODY = z
  .object({
    telegramId: z.string().regex(/^[0-9]{1,20}$/, 'a Telegram id is digits only').nullable().optional(),
    email: z.string().trim().max(254).email('not an e-mail address').nullable().optional(),
    language: z.enum(['ru', 'en']).optional(),
  })
  .strict();

const EMPTY_BODY = z.object({}).strict();

const sendingController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('newsletter').service('newsletters') as NewslettersService;
  const simple = (action: 'pause' | 'resume' | 'cancel' | 'resend') => async (ctx: Context) => {
    const documentId = documentIdOf(ctx);
    if (!documentId) return;
    if (!parseBody(ctx, EMPTY_BODY)) return;
    answer(ctx, await service()[action](documentId, actorOf(ctx)));
  };
  return {
    async test(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      const body = parseBody(ctx, TEST_BODY);
      if (!body) return;
      answer(ctx, await service().testSend(documentId, { telegramId: body.telegramId ?? undefined, email: body.email ?? undefined, language: body.language }, actorOf(ctx)));
    },
    async send(ctx: Context) {
      const documentId = documentIdOf(ctx);
      if (!documentId) return;
      const body = parseBody(ctx, SEND_BODY);
      if (!body) return;
      answer(ctx, await service().send(documentId, { scheduledAt: body.scheduledAt ?? null }, actorOf(ctx)));
    },
    pause: simple('pause'),
    resume: simple('resume'),
    cancel: simple('cancel'),
    resend: simple('resend'),
  };
};

export default sendingController;
