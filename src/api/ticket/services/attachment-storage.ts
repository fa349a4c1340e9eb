/**
 * Storing and deleting ticket attachments through the upload plugin, for the member's tickets
 * (services/member-tickets.ts) and the staff's replies (services/staff-replies.ts):
 * `strapi.service('api::ticket.attachment-storage')`.
 *
 * Files are uploaded one by one into the upload plugin's "API Uploads" folder under a server-chosen private name
 * (`ticket_<random>.<detected type>`, domain/attachments.ts), then the person's own file name is recorded for
 * display. When one upload fails, the ones already stored are deleted again (rows and bytes); a file the upload
 * plugin's image library cannot read is answered as `not_an_image` with its position, for each caller to word.
 */
import type { Core } from '@strapi/strapi';
import { type InspectedFile, storedNameFor } from '../domain/attachments';

const FILE_UID = 'plugin::upload.file';

/** An upload plugin file row as `upload` returns it. */
export interface StoredAttachment {
  id: number;
  documentId: string;
  name: string;
  url: string;
  mime: string;
  size: number | string;
  width: number | null;
  height: number | null;
  formats: Record<string, { url: string; width?: number | null; height?: number | null }> | null;
  provider?: string;
}

export type UploadOutcome =
  | { ok: true; files: StoredAttachment[] }
  /** The file at `index` (its display name, if known) is not an image the upload plugin can read. */
  | { ok: false; code: 'not_an_image'; index: number; displayName: string | undefined };

const attachmentStorageService = ({ strapi }: { strapi: Core.Strapi }) => {
  const uploadService = () => strapi.plugin('upload').service('upload');

  /** Deletes the files (rows and stored bytes); a failure is logged, prefixed with `logLabel`, and skipped. */
  async function removeFiles(files: Array<{ id: number }>, logLabel: string): Promise<void> {
    for (const file of files) {
      try {
        await uploadService().remove(file);
      } catch (error) {
        strapi.log.error(`${logLabel}: could not delete the uploaded file ${file.id}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Uploads the files under server-chosen names and records each display name. When one fails, the ones already
   * stored are deleted (failures logged with `logLabel`); an unreadable image is a refusal, anything else is thrown.
   */
  async function uploadAll(files: InspectedFile[], logLabel: string): Promise<UploadOutcome> {
    if (files.length === 0) return { ok: true, files: [] };
    let folder: number | undefined;
    try {
      folder = (await strapi.plugin('upload').service('api-upload-folder').getAPIUploadFolder())?.id;
    } catch {
      folder = undefined;
    }
    const stored: StoredAttachment[] = [];
    try {
      for (const { file, mime, displayName } of files) {
        // The upload plugin takes the extension from originalFilename and derives the stored name from fileInfo.name.
        const storedName = storedNameFor(mime);
        file.originalFilename = storedName;
        const fileInfo = { name: storedName, ...(folder === undefined ? {} : { folder }) };
        const [one] = (await uploadService().upload({ data: { fileInfo }, files: file })) as StoredAttachment[];
        stored.push(one);
        await strapi.db.query(FILE_UID).update({ where: { id: one.id }, data: { name: displayName } });
        one.name = displayName;
      }
      return { ok: true, files: stored };
    } catch (error) {
      await removeFiles(stored, logLabel);
      if (error instanceof Error && /not a valid image/i.test(error.message)) {
        const index = stored.length;
        return { ok: false, code: 'not_an_image', index, displayName: files[index]?.displayName };
      }
      throw error;
    }
  }

  return { uploadAll, removeFiles };
};

export type AttachmentStorageService = ReturnType<typeof attachmentStorageService>;
export default attachmentStorageService;
