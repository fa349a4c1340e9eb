/**
 * The Telegram channel of the newsletter dispatcher: one delivery → one or two Bot API calls through grammY's `Api`
 * (BOT_TOKEN, TELEGRAM_API_ROOT), and Telegram's answer → a SendOutcome (domain/telegram-errors.ts).
 *
 * Shapes (domain/content.ts `telegramShape`, decided on the text as rendered for the recipient):
 * - no image: sendMessage (parse_mode HTML, inline URL buttons one per row, link previews as Telegram makes them);
 * - one image: sendPhoto with the text as caption (≤ 1,024) and the buttons; a longer text (a variable made it
 *   grow) goes as the photo without caption, then the text with the buttons;
 * - 2–10 images: sendMediaGroup with the caption on the first item when the text is ≤ 1,024 and there are no
 *   buttons; otherwise the album without caption, then sendMessage with the text and the buttons.
 * The member's language picks bodyEn when there is one and the member is 'en'. Variables ({{firstName}} …) are
 * filled in, HTML-escaped (domain/template.ts).
 *
 * Media: the first send uploads the images (read from the upload provider; local: public/uploads/<hash><ext>),
 * and answers the file_ids Telegram gave them (the largest PhotoSize of each message); the dispatcher stores them
 * on the newsletter and every later send reuses them, so each image is uploaded once.
 *
 * A two-step delivery (album, then text) reports the first step through `onFirstStep(messageId)`; the dispatcher
 * writes it on the delivery row, and a retry that finds it there sends only the text (the album is not repeated).
 */
import { promises as fs } from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { Api, InputFile } from 'grammy';
import type { InlineKeyboardMarkup, InputMediaPhoto, Message, PhotoSize } from 'grammy/types';
import { readSettings } from '../config';
import { telegramShape } from '../domain/content';
import { CAPTION_MAX, checkTelegramHtml } from '../domain/telegram-html';
import { renderTemplate } from '../domain/template';
import { telegramOutcome } from '../domain/telegram-errors';
import type { DeliveryRow, Language, MediaView, NewsletterContent, RecipientVars, SendOutcome } from '../types';

const FILE_UID = 'plugin::upload.file';

export interface SendOptions {
  signal?: AbortSignal;
  /** A two-step delivery's first step (the album) went out: record it so a retry does not repeat it. */
  onFirstStep?: (messageId: string) => Promise<void>;
}

export interface TestResult {
  ok: boolean;
  messageId?: string;
  error?: string;
}

interface StoredFile {
  id: number;
  name: string | null;
  url: string;
  hash: string | null;
  ext: string | null;
  provider: string | null;
}

type Shape = 'text' | 'photo' | 'photo+text' | 'album' | 'album+text';

/** The message as one recipient gets it (pure). */
export function composeFor(
  content: Pick<NewsletterContent, 'body' | 'bodyEn' | 'buttons' | 'media'>,
  vars: RecipientVars,
  language: Language | string | null,
): { html: string; shape: Shape; keyboard: InlineKeyboardMarkup | undefined } {
  const source = language === 'en' && content.bodyEn?.trim() ? content.bodyEn : (content.body ?? '');
  const html = renderTemplate(source, vars);
  const check = checkTelegramHtml(html);
  const length = check.ok ? check.length : html.length;
  const buttons = (content.buttons ?? []).filter((b) => b && b.text && b.url);
  const keyboard = buttons.length ? { inline_keyboard: buttons.map((b) => [{ text: b.text, url: b.url }]) } : undefined;
  const count = content.media?.length ?? 0;
  let shape: Shape = telegramShape(length, count, buttons.length);
  if (shape === 'photo' && length > CAPTION_MAX) shape = 'photo+text';
  return { html, shape, keyboard };
}

/** The file_id of the largest size of a photo message. */
function largest(message: Message): string | null {
  const sizes: PhotoSize[] = message.photo ?? [];
  if (sizes.length === 0) return null;
  const best = sizes.reduce((a, b) => ((b.file_size ?? b.width * b.height) >= (a.file_size ?? a.width * a.height) ? b : a));
  return best.file_id;
}

const telegramService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  let api: Api | null = null;
  const client = (): Api | null => {
    if (!settings.telegram.token) return null;
    api ??= new Api(settings.telegram.token, { apiRoot: settings.telegram.apiRoot, timeoutSeconds: 30 });
    return api;
  };

  async function readImage(media: MediaView, signal?: AbortSignal): Promise<InputFile> {
    const file = (await strapi.db.query(FILE_UID).findOne({
      where: { id: media.id },
      select: ['id', 'name', 'url', 'hash', 'ext', 'provider'],
    })) as StoredFile | null;
    const name = file?.name ?? media.name ?? `image-${media.id}`;
    if (file && (file.provider ?? 'local') === 'local' && file.hash) {
      const local = path.join(strapi.dirs.static.public, 'uploads', `${file.hash}${file.ext ?? ''}`);
      return new InputFile(await fs.readFile(local), name);
    }
    const url = file?.url ?? media.url;
    if (url.startsWith('/')) return new InputFile(await fs.readFile(path.join(strapi.dirs.static.public, url.split('?')[0])), name);
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`the image ${media.id} could not be read (${response.status})`);
    return new InputFile(Buffer.from(await response.arrayBuffer()), name);
  }

  /** The photos to send: stored file_ids when we have them for every image, else the files themselves. */
  async function photos(content: NewsletterContent, signal?: AbortSignal): Promise<{ items: Array<string | InputFile>; uploading: boolean }> {
    const media = content.media ?? [];
    const ids = content.telegramFileIds;
    if (ids && ids.length === media.length && ids.every((id) => typeof id === 'string' && id !== '')) return { items: ids, uploading: false };
    const items: InputFile[] = [];
    for (const item of media) items.push(await readImage(item, signal));
    return { items, uploading: true };
  }

  /** Sends; answers the first message id, and the file_ids when images were uploaded. Throws Telegram's errors. */
  async function deliver(
    chat: string,
    content: NewsletterContent,
    vars: RecipientVars,
    language: string | null,
    options: SendOptions & { firstStepDone?: string | null },
  ): Promise<{ messageId: string; fileIds?: string[] }> {
    const bot = client();
    if (!bot) throw Object.assign(new Error('BOT_TOKEN is not set'), { channelOff: true });
    const signal = options.signal as unknown as Parameters<Api['sendMessage']>[3];
    const { html, shape, keyboard } = composeFor(content, vars, language);
    const text = async () =>
      bot.sendMessage(chat, html, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) }, signal);

    if (shape === 'text') return { messageId: String((await text()).message_id) };

    // Two steps, the first already sent by an earlier attempt: only the text is left.
    if ((shape === 'album+text' || shape === 'photo+text') && options.firstStepDone) {
      await text();
      return { messageId: options.firstStepDone };
    }

    const { items, uploading } = await photos(content, options.signal);
    let first: string;
    let fileIds: string[] | undefined;
    if (shape === 'photo' || shape === 'photo+text') {
      const caption = shape === 'photo' && html.trim() !== '';
      const sent = await bot.sendPhoto(
        chat,
        items[0],
        { ...(caption ? { caption: html, parse_mode: 'HTML' as const } : {}), ...(keyboard && shape === 'photo' ? { reply_markup: keyboard } : {}) },
        signal,
      );
      first = String(sent.message_id);
      if (uploading) fileIds = [largest(sent)].filter((id): id is string => id !== null);
    } else {
      const caption = shape === 'album' && html.trim() !== '';
      const media: InputMediaPhoto[] = items.map((item, i) => ({
        type: 'photo',
        media: item,
        ...(i === 0 && caption ? { caption: html, parse_mode: 'HTML' as const } : {}),
      }));
      const sent = await bot.sendMediaGroup(chat, media, {}, signal);
      first = String(sent[0]?.message_id ?? '');
      if (uploading) fileIds = sent.map(largest).filter((id): id is string => id !== null);
    }
    if (fileIds && fileIds.length !== items.length) fileIds = undefined;
    if (shape === 'photo+text' || shape === 'album+text') {
      if (html.trim() !== '') {
        await options.onFirstStep?.(first);
        await text();
      }
    }
    return { messageId: first, ...(fileIds ? { fileIds } : {}) };
  }

  return {
    /** The channel is usable (BOT_TOKEN set). */
    enabled(): boolean {
      return settings.telegram.token !== null;
    },

    /** The message id stays that of the first message (the photo or the album's first item). */
    async send(delivery: DeliveryRow, content: NewsletterContent, vars: RecipientVars, options: SendOptions = {}): Promise<SendOutcome> {
      if (!client()) return { kind: 'failed', code: 'channel_off', error: 'Telegram is not configured (BOT_TOKEN)' };
      const chat = delivery.telegramId?.trim();
      if (!chat) return { kind: 'failed', code: 'chat_not_found', error: 'the member has no Telegram id' };
      // File ids we got from a first step of this very delivery.
      let fileIdsFromStep: string[] | undefined;
      try {
        const result = await deliver(chat, content, vars, delivery.language, {
          ...options,
          firstStepDone: delivery.telegramMessageId,
        });
        fileIdsFromStep = result.fileIds;
        return { kind: 'sent', messageId: result.messageId, ...(fileIdsFromStep ? { fileIds: fileIdsFromStep } : {}) };
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') {
          return { kind: 'failed', code: 'bad_request', error: 'an image of the newsletter is missing from the upload storage' };
        }
        return telegramOutcome(error);
      }
    },

    /** A test send to one chat (the staff member's own): never stores anything. */
    async sendTest(chatId: string | number, content: NewsletterContent, vars: RecipientVars, language: Language | string | null): Promise<TestResult> {
      if (!client()) return { ok: false, error: 'Telegram is not configured (BOT_TOKEN)' };
      try {
        const result = await deliver(String(chatId), content, vars, language, {});
        return { ok: true, messageId: result.messageId };
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return { ok: false, error: 'an image of the newsletter is missing from the upload storage' };
        return { ok: false, error: telegramOutcome(error).error };
      }
    },
  };
};

export type TelegramService = ReturnType<typeof telegramService>;
export default telegramService;
