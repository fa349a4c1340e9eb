/**
 * Reusable newsletter templates (docs/NEWSLETTERS.md, Templates): a name, a description, an e-mail subject and
 * HTML, and an optional Telegram text, with the same {{variables}} as newsletters. Picked when composing: the page
 * copies a template into the newsletter, so changing a template later changes no newsletter.
 */
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { EMAIL_HTML_MAX, SUBJECT_MAX } from '../domain/content';
import { checkTelegramHtml, MESSAGE_MAX } from '../domain/telegram-html';
import { TEMPLATE_VARIABLES, unknownVariables } from '../domain/template';
import type { Outcome, Refusal } from './newsletters';

const TEMPLATE_UID = 'api::newsletter-template.newsletter-template';

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v));

const fields = {
  name: z.string().trim().min(1, 'A template needs a name').max(100),
  description: optionalText(300),
  subject: optionalText(SUBJECT_MAX),
  html: z.string().min(1, 'A template needs its e-mail HTML').max(EMAIL_HTML_MAX),
  body: optionalText(4096 * 4),
};

export const templateCreateSchema = z.object(fields).strict();
export const templateUpdateSchema = z
  .object({ name: fields.name.optional(), description: fields.description, subject: fields.subject, html: fields.html.optional(), body: fields.body })
  .strict();

export interface TemplateView {
  documentId: string;
  name: string;
  description: string | null;
  subject: string | null;
  html: string;
  body: string | null;
}

interface TemplateRow extends TemplateView {
  id: number;
}

const toView = (row: TemplateRow): TemplateView => ({
  documentId: row.documentId,
  name: row.name,
  description: row.description ?? null,
  subject: row.subject ?? null,
  html: row.html,
  body: row.body ?? null,
});

const notFound = (): Refusal => ({ ok: false, status: 404, code: 'not_found', message: 'No template has this id.' });

function ruleRefusal(data: { subject?: string | null; html?: string; body?: string | null }): Refusal | null {
  for (const field of ['subject', 'html', 'body'] as const) {
    const names = unknownVariables(data[field] ?? null);
    if (names.length > 0) {
      return {
        ok: false,
        status: 422,
        code: 'unknown_variable',
        field,
        message: `Unknown variable(s) ${names.map((n) => `{{${n}}}`).join(', ')}: use ${TEMPLATE_VARIABLES.map((n) => `{{${n}}}`).join(', ')}.`,
      };
    }
  }
  if (data.body) {
    const check = checkTelegramHtml(data.body);
    if (!check.ok) return { ok: false, status: 422, code: 'html_invalid', field: 'body', message: `The text: ${check.message}` };
    if (check.length > MESSAGE_MAX) {
      return { ok: false, status: 422, code: 'too_long', field: 'body', message: `The text is ${check.length} characters; a Telegram message holds ${MESSAGE_MAX}.` };
    }
  }
  return null;
}

const templatesService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(): Promise<TemplateView[]> {
    const rows = (await strapi.db.query(TEMPLATE_UID).findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }], limit: 500 })) as TemplateRow[];
    return rows.map(toView);
  },

  async create(input: z.infer<typeof templateCreateSchema>): Promise<Outcome<TemplateView>> {
    const refusal = ruleRefusal(input);
    if (refusal) return refusal;
    const row = (await strapi.db.query(TEMPLATE_UID).create({
      data: { name: input.name, description: input.description ?? null, subject: input.subject ?? null, html: input.html, body: input.body ?? null, publishedAt: new Date() },
    })) as TemplateRow;
    return { ok: true, data: toView(row) };
  },

  async update(documentId: string, input: z.infer<typeof templateUpdateSchema>): Promise<Outcome<TemplateView>> {
    const row = (await strapi.db.query(TEMPLATE_UID).findOne({ where: { documentId } })) as TemplateRow | null;
    if (!row) return notFound();
    const merged = {
      name: input.name ?? row.name,
      description: input.description !== undefined ? input.description : row.description,
      subject: input.subject !== undefined ? input.subject : row.subject,
      html: input.html ?? row.html,
      body: input.body !== undefined ? input.body : row.body,
    };
    const refusal = ruleRefusal(merged);
    if (refusal) return refusal;
    const updated = (await strapi.db.query(TEMPLATE_UID).update({ where: { id: row.id }, data: merged })) as TemplateRow;
    return { ok: true, data: toView(updated) };
  },

  async remove(documentId: string): Promise<Outcome<{ documentId: string }>> {
    const row = (await strapi.db.query(TEMPLATE_UID).findOne({ where: { documentId }, select: ['id', 'documentId'] })) as TemplateRow | null;
    if (!row) return notFound();
    await strapi.db.query(TEMPLATE_UID).delete({ where: { id: row.id } });
    return { ok: true, data: { documentId: row.documentId } };
  },
});

export default templatesService;
