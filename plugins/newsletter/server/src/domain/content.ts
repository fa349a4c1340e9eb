/**
 * What a newsletter says, and the rules it must meet (docs/NEWSLETTERS.md, Composing). Pure.
 *
 * - The bodies of POST / PUT /newsletter/newsletters (zod): a wrong shape is a 400, a broken rule a 422.
 * - `contentIssues(content, { channels, mediaCount, forSending })`: the rules of the content itself. When saving
 *   (forSending false) only what is there is checked (markup, lengths, variables), so a draft may be unfinished;
 *   when sending, each selected channel must also have what it needs.
 *
 * Telegram: the body is Telegram HTML. No image: one message, ≤ 4,096 characters. One image: sendPhoto with the
 * body as its caption, ≤ 1,024. 2–10 images: a media group; the body goes on the first item as the album's caption
 * when it is ≤ 1,024 characters and there are no buttons, otherwise the album is followed by the body as its own
 * message (with the buttons), so the limit is 4,096. At most 10 images and 10 URL buttons.
 * E-mail: a subject (≤ 200) and an HTML body; without an e-mail body the Telegram body is used.
 * English variants (bodyEn, subjectEn, emailHtmlEn) go to members whose language is English and meet the same rules.
 */
import { z } from 'zod';
import { audienceSchema } from './audience';
import { CAPTION_MAX, checkTelegramHtml, MESSAGE_MAX } from './telegram-html';
import { TEMPLATE_VARIABLES, unknownVariables } from './template';
import { CHANNELS, type Channel, type NewsletterView } from '../types';

export const MAX_IMAGES = 10;
export const MAX_BUTTONS = 10;
export const SUBJECT_MAX = 200;
/** Raw Telegram HTML (tags included): generous, the parsed length is what Telegram limits. */
export const BODY_SOURCE_MAX = 20_000;
export const EMAIL_HTML_MAX = 200_000;

const BUTTON_SCHEMES = new Set(['http:', 'https:', 'tg:']);

export function isButtonUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return BUTTON_SCHEMES.has(url.protocol) && (url.protocol === 'tg:' || url.hostname !== '');
  } catch {
    return false;
  }
}

const nullableText = (max: number, label: string) =>
  z
    .string()
    .max(max, `${label} is longer than ${max.toLocaleString('en-US')} characters`)
    .nullable()
    .optional()
    .transform((value) => (value === undefined ? undefined : value === null || value.trim() === '' ? null : value));

export const buttonSchema = z
  .object({
    text: z.string().trim().min(1, 'A button needs a text').max(64, 'A button text is at most 64 characters'),
    url: z
      .string()
      .trim()
      .max(2048, 'A button address is at most 2,048 characters')
      .refine(isButtonUrl, 'A button needs a full http://, https:// or tg:// address'),
  })
  .strict();

const channelsSchema = z
  .array(z.enum(CHANNELS))
  .min(1, 'Choose at least one channel')
  .max(CHANNELS.length)
  .refine((list) => new Set(list).size === list.length, 'A channel is listed twice');

const fields = {
  title: z.string().trim().min(3, 'The title is at least 3 characters').max(200, 'The title is at most 200 characters'),
  channels: channelsSchema,
  body: nullableText(BODY_SOURCE_MAX, 'The text'),
  bodyEn: nullableText(BODY_SOURCE_MAX, 'The English text'),
  subject: nullableText(SUBJECT_MAX, 'The subject'),
  subjectEn: nullableText(SUBJECT_MAX, 'The English subject'),
  emailHtml: nullableText(EMAIL_HTML_MAX, 'The e-mail'),
  emailHtmlEn: nullableText(EMAIL_HTML_MAX, 'The English e-mail'),
  buttons: z.array(buttonSchema).max(MAX_BUTTONS, `At most ${MAX_BUTTONS} buttons`),
  audience: audienceSchema,
  serviceNotice: z.boolean(),
};

/** POST /newsletter/newsletters. */
export const createSchema = z
  .object({
    ...fields,
    buttons: fields.buttons.default([]),
    audience: fields.audience.default({ segment: 'all', params: {} }),
    serviceNotice: fields.serviceNotice.default(false),
  })
  .strict();

/** PUT /newsletter/newsletters/:documentId: the same fields, each optional. */
export const updateSchema = z
  .object({
    title: fields.title.optional(),
    channels: channelsSchema.optional(),
    body: fields.body,
    bodyEn: fields.bodyEn,
    subject: fields.subject,
    subjectEn: fields.subjectEn,
    emailHtml: fields.emailHtml,
    emailHtmlEn: fields.emailHtmlEn,
    buttons: fields.buttons.optional(),
    audience: fields.audience.optional(),
    serviceNotice: fields.serviceNotice.optional(),
  })
  .strict();

export type CreateInput = z.infer<typeof createSchema>;
export type UpdateInput = z.infer<typeof updateSchema>;

/** The parts of a newsletter the rules look at. */
export type ComposedContent = Pick<NewsletterView, 'body' | 'bodyEn' | 'subject' | 'subjectEn' | 'emailHtml' | 'emailHtmlEn' | 'buttons'>;

export interface ContentIssue {
  /** The field of the request body it is about. */
  field: keyof ComposedContent | 'channels' | 'media';
  code: 'html_invalid' | 'too_long' | 'missing' | 'unknown_variable' | 'too_many_images' | 'too_many_buttons';
  message: string;
}

/** How long the Telegram text may be, with this many images and buttons. */
export function telegramLimit(mediaCount: number): { limit: number; caption: boolean } {
  if (mediaCount === 1) return { limit: CAPTION_MAX, caption: true };
  return { limit: MESSAGE_MAX, caption: false };
}

/**
 * How a Telegram newsletter is sent (the dispatcher's rule, shared so the editor and the sender agree):
 * `text` one message; `photo` sendPhoto with the caption; `album` a media group with the caption on the first
 * item; `album+text` a media group without a caption, then the text (with the buttons) as a message.
 */
export function telegramShape(textLength: number, mediaCount: number, buttonCount: number): 'text' | 'photo' | 'album' | 'album+text' {
  if (mediaCount === 0) return 'text';
  if (mediaCount === 1) return 'photo';
  return textLength <= CAPTION_MAX && buttonCount === 0 ? 'album' : 'album+text';
}

const count = (n: number) => n.toLocaleString('en-US');

function telegramBodyIssues(field: 'body' | 'bodyEn', source: string, mediaCount: number): ContentIssue[] {
  const label = field === 'body' ? 'The text' : 'The English text';
  const check = checkTelegramHtml(source);
  if (!check.ok) return [{ field, code: 'html_invalid', message: `${label}: ${check.message}` }];
  const { limit, caption } = telegramLimit(mediaCount);
  if (check.length > limit) {
    return [
      {
        field,
        code: 'too_long',
        message: caption
          ? `${label} is ${count(check.length)} characters; a photo caption holds ${count(CAPTION_MAX)}. Shorten it, or add a second image (then it is sent after the album).`
          : `${label} is ${count(check.length)} characters; a Telegram message holds ${count(MESSAGE_MAX)}.`,
      },
    ];
  }
  if (check.length === 0) return [{ field, code: 'missing', message: `${label} is empty once the markup is removed.` }];
  return [];
}

const variableIssue = (field: ContentIssue['field'], names: string[]): ContentIssue => ({
  field,
  code: 'unknown_variable',
  message: `Unknown variable${names.length > 1 ? 's' : ''} ${names.map((n) => `{{${n}}}`).join(', ')}: use ${TEMPLATE_VARIABLES.map((n) => `{{${n}}}`).join(', ')}.`,
});

export interface RuleOptions {
  /** The channels the newsletter goes to. */
  channels: readonly Channel[];
  mediaCount: number;
  /** Also require what each channel needs to be sent (default false: the rules of what is there). */
  forSending?: boolean;
}

/** Every rule the content breaks (empty when it is fine). */
export function contentIssues(content: ComposedContent, options: RuleOptions): ContentIssue[] {
  const issues: ContentIssue[] = [];
  const { channels, mediaCount } = options;
  const forSending = options.forSending ?? false;
  const telegram = channels.includes('telegram');
  const email = channels.includes('email');

  if (mediaCount > MAX_IMAGES) issues.push({ field: 'media', code: 'too_many_images', message: `At most ${MAX_IMAGES} images; there are ${mediaCount}.` });
  if (content.buttons.length > MAX_BUTTONS) issues.push({ field: 'buttons', code: 'too_many_buttons', message: `At most ${MAX_BUTTONS} buttons.` });

  // The Telegram body is checked as Telegram HTML whenever it is there: e-mail falls back to it, and a channel
  // may be switched on later.
  for (const field of ['body', 'bodyEn'] as const) {
    const source = content[field];
    if (source !== null) issues.push(...telegramBodyIssues(field, source, mediaCount));
  }
  for (const field of ['body', 'bodyEn', 'subject', 'subjectEn', 'emailHtml', 'emailHtmlEn'] as const) {
    const names = unknownVariables(content[field]);
    if (names.length > 0) issues.push(variableIssue(field, names));
  }
  for (const field of ['subject', 'subjectEn'] as const) {
    const value = content[field];
    if (value !== null && value.length > SUBJECT_MAX) {
      issues.push({ field, code: 'too_long', message: `The subject is ${count(value.length)} characters; at most ${SUBJECT_MAX}.` });
    }
  }

  if (forSending) {
    if (telegram && content.body === null) {
      issues.push({ field: 'body', code: 'missing', message: 'Telegram needs a text: write the message.' });
    }
    if (email) {
      if (content.subject === null) issues.push({ field: 'subject', code: 'missing', message: 'An e-mail needs a subject.' });
      if (content.emailHtml === null && content.body === null) {
        issues.push({ field: 'emailHtml', code: 'missing', message: 'An e-mail needs a body: write the e-mail, or the text it can be made from.' });
      }
      const english = content.bodyEn !== null || content.emailHtmlEn !== null;
      if (english && content.subjectEn === null && content.subject === null) {
        issues.push({ field: 'subjectEn', code: 'missing', message: 'The English e-mail needs a subject.' });
      }
    }
  }
  return issues;
}

/**
 * The rules a newsletter must meet to be sent on `channels` with `mediaCount` images (the send endpoint's 422s).
 */
export const validateForSending = (content: ComposedContent, channels: readonly Channel[], mediaCount: number): ContentIssue[] =>
  contentIssues(content, { channels, mediaCount, forSending: true });
