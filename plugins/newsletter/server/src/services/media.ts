/**
 * Images of a newsletter (docs/NEWSLETTERS.md, Images): at most 10, each checked BEFORE anything is stored —
 * size (413 over NEWSLETTER_IMAGE_MAX_BYTES, Telegram's 10 MB for sendPhoto), real type from the bytes with
 * `file-type` (415 unless JPEG, PNG, WebP or GIF, whatever the name or declared type says), dimensions from the
 * header with `image-size` (422 unless width + height ≤ 10,000 and the sides' ratio ≤ 20, Telegram's sendPhoto
 * rules) — then stored through the upload plugin and attached. An 11th image is a 422, and so is an image that
 * would turn the text into a caption longer than 1,024 characters. Removing an image deletes the file.
 * Only drafts and scheduled newsletters can change (409).
 */
import { promises as fs } from 'fs';
import type { Core } from '@strapi/strapi';
import FileType from 'file-type';
import { imageSize } from 'image-size';
import { readSettings } from '../config';
import { contentIssues, MAX_IMAGES } from '../domain/content';
import { canEdit, editRefusal } from '../domain/state';
import type { NewsletterView } from '../types';
import { channelsOf, composedOf, NEWSLETTER_UID, type NewsletterRow, notFound, type Outcome, type Refusal, toView } from './newsletters';

/** A file as koa-body (formidable) hands it over. */
export interface IncomingFile {
  filepath: string;
  originalFilename?: string | null;
  mimetype?: string | null;
  size: number;
  [key: string]: unknown;
}

export const IMAGE_TYPES: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };
export const MAX_SIDES_SUM = 10_000;
export const MAX_RATIO = 20;
const HEADER_BYTES = 512 * 1024;

const asList = (value: unknown): IncomingFile[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? (value as IncomingFile[]) : [value as IncomingFile];

async function readHead(filepath: string, length: number): Promise<Uint8Array> {
  const handle = await fs.open(filepath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const nameOf = (file: IncomingFile, index: number) => file.originalFilename || `image ${index + 1}`;

/** Checks one file without decoding it; null when it is a usable image. Records the detected type on it. */
export async function inspectImage(file: IncomingFile, index: number, maxBytes: number): Promise<Refusal | null> {
  const field = `files.${index}`;
  const name = nameOf(file, index);
  if (file.size > maxBytes) {
    const mb = Math.floor(maxBytes / (1024 * 1024));
    return { ok: false, status: 413, code: 'image_too_large', field, message: `${name} is larger than ${mb} MB: an image for Telegram may be at most ${mb} MB.` };
  }
  const detected = file.size === 0 ? undefined : await FileType.fromFile(file.filepath);
  if (!detected || !(detected.mime in IMAGE_TYPES)) {
    return { ok: false, status: 415, code: 'not_an_image', field, message: `${name} is not a JPEG, PNG, WebP or GIF image (its content was checked, not its name).` };
  }
  let size: { width: number; height: number; type?: string } | null = null;
  for (const length of [HEADER_BYTES, file.size]) {
    try {
      const measured = imageSize(await readHead(file.filepath, Math.min(length, file.size)));
      if (measured.width > 0 && measured.height > 0) size = measured;
    } catch {
      size = null;
    }
    if (size || length >= file.size) break;
  }
  if (!size) return { ok: false, status: 415, code: 'not_an_image', field, message: `${name} looks like ${detected.mime} but its header cannot be read.` };
  const { width, height } = size;
  if (width + height > MAX_SIDES_SUM || Math.max(width, height) / Math.min(width, height) > MAX_RATIO) {
    return {
      ok: false,
      status: 422,
      code: 'image_dimensions',
      field,
      message: `${name} is ${width} × ${height} pixels: Telegram takes photos whose width + height is at most ${MAX_SIDES_SUM.toLocaleString('en-US')} and whose sides differ at most ${MAX_RATIO} times.`,
    };
  }
  file.mimetype = detected.mime;
  (file as { detectedMimeType?: string }).detectedMimeType = detected.mime;
  return null;
}

const mediaService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const uploads = () => strapi.plugin('upload').service('upload');
  const newsletters = () => strapi.plugin('newsletter').service('newsletters') as { load(documentId: string): Promise<NewsletterRow | null>; loadById(id: number): Promise<NewsletterRow | null> };

  async function removeFiles(files: Array<{ id: number }>): Promise<void> {
    for (const file of files) {
      try {
        await uploads().remove(file);
      } catch (error) {
        strapi.log.warn(`newsletter media: could not delete file ${file.id}: ${(error as Error).message}`);
      }
    }
  }

  /** The caption rule after the images change to `mediaCount`. */
  function captionRefusal(row: NewsletterRow, mediaCount: number): Refusal | null {
    const issue = contentIssues(composedOf(row), { channels: channelsOf(row), mediaCount }).find((i) => i.code === 'too_long' || i.code === 'too_many_images');
    return issue ? { ok: false, status: 422, code: issue.code, field: issue.field, message: issue.message } : null;
  }

  /** Deletes a request's temporary files (koa-body leaves them when nothing stored them). */
  const discard = async (files: IncomingFile[]) => {
    await Promise.all(files.map((file) => fs.rm(file.filepath, { force: true }).catch(() => undefined)));
  };

  return {
    async upload(documentId: string, requestFiles: Record<string, unknown> | undefined): Promise<Outcome<NewsletterView>> {
      const all = Object.values(requestFiles ?? {}).flatMap(asList);
      try {
        const row = await newsletters().load(documentId);
        if (!row) return notFound();
        if (!canEdit(row.state)) return { ok: false, status: 409, code: 'not_editable', message: editRefusal(row.state) };
        const other = Object.keys(requestFiles ?? {}).filter((field) => field !== 'files');
        if (other.length > 0) return { ok: false, status: 422, code: 'file_field', field: other[0], message: `Send images as "files"; unexpected field(s): ${other.join(', ')}.` };
        // koa-body lists a request's files in the order their uploads finished, not the order they were sent: several
        // images of one request are added in the order of their names (p1, p2 … p10), one request per image keeps
        // any order.
        const files = asList(requestFiles?.files).sort((a, b) =>
          String(a.originalFilename ?? '').localeCompare(String(b.originalFilename ?? ''), 'en', { numeric: true }),
        );
        if (files.length === 0) return { ok: false, status: 422, code: 'no_files', field: 'files', message: 'Attach at least one image as "files".' };
        const existing = (row.media ?? []).length;
        if (existing + files.length > MAX_IMAGES) {
          return {
            ok: false,
            status: 422,
            code: 'too_many_images',
            field: 'files',
            message: `A newsletter has at most ${MAX_IMAGES} images: it has ${existing}, and ${files.length} more would make ${existing + files.length}.`,
          };
        }
        for (const [index, file] of files.entries()) {
          const refusal = await inspectImage(file, index, settings.imageMaxBytes);
          if (refusal) return refusal;
        }
        const caption = captionRefusal(row, existing + files.length);
        if (caption) return caption;

        const stored: Array<{ id: number }> = [];
        try {
          for (const file of files) {
            const [one] = (await uploads().upload({ data: {}, files: file })) as Array<{ id: number }>;
            stored.push(one);
          }
          const ids = [...(row.media ?? []).map((m) => m.id), ...stored.map((s) => s.id)];
          await strapi.db.transaction(async () => {
            const changed = await strapi.db.query(NEWSLETTER_UID).updateMany({ where: { id: row.id, state: { $in: ['draft', 'scheduled'] } }, data: { telegramFileIds: null } });
            if (Number(changed.count) !== 1) throw new Error('not editable');
            await strapi.db.query(NEWSLETTER_UID).update({ where: { id: row.id }, data: { media: ids } });
          });
        } catch (error) {
          await removeFiles(stored);
          if ((error as Error).message === 'not editable') {
            const now = await newsletters().loadById(row.id);
            return now ? { ok: false, status: 409, code: 'not_editable', message: editRefusal(now.state) } : notFound();
          }
          throw error;
        }
        return { ok: true, data: toView((await newsletters().loadById(row.id)) as NewsletterRow) };
      } finally {
        await discard(all);
      }
    },

    async remove(documentId: string, fileId: number): Promise<Outcome<NewsletterView>> {
      const row = await newsletters().load(documentId);
      if (!row) return notFound();
      if (!canEdit(row.state)) return { ok: false, status: 409, code: 'not_editable', message: editRefusal(row.state) };
      const file = (row.media ?? []).find((m) => m.id === fileId);
      if (!file) return { ok: false, status: 404, code: 'not_found', field: 'fileId', message: 'This newsletter has no image with this id.' };
      const remaining = (row.media ?? []).filter((m) => m.id !== fileId);
      const caption = captionRefusal(row, remaining.length);
      if (caption) return caption;
      await strapi.db.query(NEWSLETTER_UID).update({ where: { id: row.id }, data: { media: remaining.map((m) => m.id), telegramFileIds: null } });
      await removeFiles([file]);
      return { ok: true, data: toView((await newsletters().loadById(row.id)) as NewsletterRow) };
    },
  };
};

export default mediaService;
