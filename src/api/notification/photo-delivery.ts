/**
 * A staff reply with photos, delivered to the member as photos (docs/NOTIFICATIONS.md, "Photos"):
 *
 * - one photo: `sendPhoto` with the message as its caption when the caption fits (≤ 1,024 characters after
 *   Telegram parses the HTML), else `sendPhoto` without a caption, then the text with `sendMessage`;
 * - two to five: `sendMediaGroup` (an album) with the caption on the first photo, or without a caption and then
 *   the text.
 *
 * So a delivery is one or two Telegram calls ("steps"). Telegram has no idempotency key, so a retry of a job
 * whose first step went out and whose second failed must not send the photos again: after each step the
 * handler records it in the job's payload (`delivered: { steps, messageIds }`), fenced by the claim (same
 * worker, same attempt, still running), and a later attempt starts after the recorded steps. What is left: a
 * crash (or a lost answer, e.g. a timeout after Telegram accepted the call) between a step and its record
 * repeats that one step, the outbox's at-least-once rule (docs/OUTBOX.md). `sendMediaGroup` is one call for the
 * whole album, so an album is never half sent by us.
 *
 * The bytes are read from the upload provider's storage: the local provider's folder (public/uploads) by the
 * file's hash and extension; any other provider through its URL. A photo whose bytes are gone is left out (and
 * logged); when none is left the text goes alone.
 */
import { promises as fs } from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { type Api, InputFile } from 'grammy';
import type { InputMediaPhoto } from 'grammy/types';
import type { HandlerContext, OutboxJob } from '../outbox-job/services/outbox';

const OUTBOX_UID = 'api::outbox-job.outbox-job';

/** Telegram: a photo's caption is at most 1,024 characters after entity parsing. */
export const CAPTION_MAX_CHARS = 1024;

export interface StoredPhoto {
  id: number;
  name: string | null;
  url: string;
  hash: string | null;
  ext: string | null;
  mime: string | null;
  provider: string | null;
}

export type DeliveryStep = { kind: 'photo' | 'album'; caption: boolean } | { kind: 'text' };

/** What a Telegram HTML text shows once parsed: no tags, the four entities our renderer writes decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Whether the rendered message can be a caption (counted in UTF-16 units, never fewer than Telegram's count). */
export const fitsCaption = (html: string): boolean => visibleText(html).length <= CAPTION_MAX_CHARS;

/** The steps of a delivery, in order (pure). */
export function planDelivery(html: string, photoCount: number): DeliveryStep[] {
  if (photoCount <= 0) return [{ kind: 'text' }];
  const kind = photoCount === 1 ? 'photo' : 'album';
  return fitsCaption(html) ? [{ kind, caption: true }] : [{ kind, caption: false }, { kind: 'text' }];
}

/** The progress a job's payload carries from an earlier attempt. */
export interface DeliveryProgress {
  steps: number;
  messageIds: number[];
}

export function progressOf(payload: unknown): DeliveryProgress {
  const delivered = (payload as { delivered?: { steps?: unknown; messageIds?: unknown } } | null)?.delivered;
  const steps = Number(delivered?.steps);
  return {
    steps: Number.isInteger(steps) && steps > 0 ? steps : 0,
    messageIds: Array.isArray(delivered?.messageIds) ? delivered.messageIds.filter((id): id is number => typeof id === 'number') : [],
  };
}

export interface PhotoDeliveryInput {
  strapi: Core.Strapi;
  api: Api;
  chat: string;
  html: string;
  photos: StoredPhoto[];
  job: OutboxJob<unknown>;
  context: HandlerContext;
  /** Waits for the chat's next free second (the notifier's per-chat limit). */
  waitForChat(): Promise<void>;
  label: string;
}

async function readPhoto(strapi: Core.Strapi, photo: StoredPhoto, signal: AbortSignal): Promise<Buffer | null> {
  try {
    if ((photo.provider ?? 'local') === 'local' && photo.hash) {
      const file = path.join(strapi.dirs.static.public, 'uploads', `${photo.hash}${photo.ext ?? ''}`);
      return await fs.readFile(file);
    }
    if (/^https?:\/\//i.test(photo.url)) {
      const response = await fetch(photo.url, { signal });
      if (!response.ok) return null;
      return Buffer.from(await response.arrayBuffer());
    }
    if (photo.url.startsWith('/')) return await fs.readFile(path.join(strapi.dirs.static.public, photo.url.split('?')[0]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return null;
}

/**
 * Sends the reply with its photos, resuming after the steps an earlier attempt recorded; returns the first
 * message id. Telegram's errors are thrown as they come (the notifier maps them to retries and outcomes).
 */
export async function deliverWithPhotos(input: PhotoDeliveryInput): Promise<{ message_id: number }> {
  const { strapi, api, chat, html, job, context, label } = input;
  const signal = context.signal as unknown as Parameters<Api['sendMessage']>[3];
  const progress = progressOf(job.payload);

  const photos: Array<{ photo: StoredPhoto; bytes: Buffer }> = [];
  for (const photo of input.photos) {
    const bytes = await readPhoto(strapi, photo, context.signal);
    if (bytes) photos.push({ photo, bytes });
    else strapi.log.warn(`${label}: the stored file ${photo.id} is gone; the reply goes without it`);
  }
  const steps = planDelivery(html, photos.length);

  const record = async () => {
    const payload = { ...((job.payload as Record<string, unknown> | null) ?? {}), delivered: { steps: progress.steps, messageIds: progress.messageIds } };
    const { count } = await strapi.db.query(OUTBOX_UID).updateMany({
      where: { id: job.id, state: 'running', lockedBy: job.lockedBy, attempts: job.attempts },
      data: { payload },
    });
    if (Number(count) !== 1) strapi.log.warn(`${label}: could not record the delivery progress (the claim was taken over)`);
  };

  const file = (index: number) => new InputFile(photos[index].bytes, photos[index].photo.name ?? `photo-${index + 1}`);
  let first = true;
  for (const [index, step] of steps.entries()) {
    if (index < progress.steps) continue;
    // The notifier has waited for the chat before the first call of this attempt.
    if (!first) await input.waitForChat();
    first = false;
    let ids: number[];
    if (step.kind === 'text') {
      const sent = await api.sendMessage(chat, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } }, signal);
      ids = [sent.message_id];
    } else if (step.kind === 'photo') {
      const sent = await api.sendPhoto(chat, file(0), step.caption ? { caption: html, parse_mode: 'HTML' } : {}, signal);
      ids = [sent.message_id];
    } else {
      const media: InputMediaPhoto[] = photos.map((_, i) => ({
        type: 'photo',
        media: file(i),
        ...(i === 0 && step.caption ? { caption: html, parse_mode: 'HTML' as const } : {}),
      }));
      const sent = await api.sendMediaGroup(chat, media, {}, signal);
      ids = sent.map((message) => message.message_id);
    }
    progress.steps = index + 1;
    progress.messageIds.push(...ids);
    // After the last step too: should the job's "done" not get recorded, a re-run sends nothing again.
    await record();
  }
  return { message_id: progress.messageIds[0] ?? 0 };
}
