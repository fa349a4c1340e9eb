/**
 * Attachments of member ticket messages: which multipart files a request carries, what they really are (from
 * their bytes, never their name or declared type), how large they would be once decoded, and the names they are
 * stored and shown under. Reads only the first bytes of each temporary file; the upload itself is in
 * services/member-tickets.ts.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import FileType from 'file-type';
import { imageSize } from 'image-size';
import { PRIVATE_NAME_PREFIX } from './attachment-urls';
import {
  ATTACHMENT_EXTENSIONS,
  ATTACHMENT_FIELDS,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MAX_FILES,
  ATTACHMENT_MIME_TYPES,
  type AttachmentMimeType,
} from '../../../../types/contracts/ticket';

/** A file as koa-body (formidable 2) hands it over. */
export interface IncomingFile {
  filepath: string;
  originalFilename?: string | null;
  mimetype?: string | null;
  size: number;
  /** Set by us from the bytes; the upload plugin prefers it over the declared type. */
  detectedMimeType?: string;
  [key: string]: unknown;
}

/** An attachment that passed the checks: the file and what its bytes say. */
export interface InspectedFile {
  file: IncomingFile;
  mime: AttachmentMimeType;
  /** What the member called it, cleaned and with the detected type's extension (display only). */
  displayName: string;
}

export type AttachmentProblem =
  | { status: 422; message: string; field: string }
  | { status: 413; message: string; field: string }
  | { status: 415; message: string; field: string };

export type CollectedFiles = { ok: true; files: IncomingFile[] } | { ok: false; problem: AttachmentProblem };

const asList = (value: unknown): IncomingFile[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? (value as IncomingFile[]) : [value as IncomingFile];

/** Every temporary file of the request, whatever its field, so the caller can delete them all afterwards. */
export function allRequestFiles(files: Record<string, unknown> | undefined): IncomingFile[] {
  return Object.values(files ?? {}).flatMap(asList);
}

/** The attachment files of a request, refused when they come under another field or are too many. */
export function collectAttachments(files: Record<string, unknown> | undefined): CollectedFiles {
  const fields = Object.keys(files ?? {});
  const unknown = fields.filter((field) => !(ATTACHMENT_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    return {
      ok: false,
      problem: { status: 422, field: unknown[0], message: `Send files as "attachments"; unexpected file field(s): ${unknown.join(', ')}` },
    };
  }
  const list = ATTACHMENT_FIELDS.flatMap((field) => asList(files?.[field]));
  if (list.length > ATTACHMENT_MAX_FILES) {
    return {
      ok: false,
      problem: { status: 422, field: 'attachments', message: `At most ${ATTACHMENT_MAX_FILES} attachments per message (got ${list.length})` },
    };
  }
  return { ok: true, files: list };
}

const isAttachmentMime = (mime: string | undefined): mime is AttachmentMimeType =>
  mime !== undefined && (ATTACHMENT_MIME_TYPES as readonly string[]).includes(mime);

/** image-size's name for each accepted type, to check that the header agrees with the signature. */
const HEADER_TYPES: Record<AttachmentMimeType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Enough for the header of any PNG or WebP and of nearly every JPEG (whose size follows the EXIF block). */
const HEADER_BYTES = 512 * 1024;

/**
 * Width and height as the image's header declares them, without decoding any pixel; null when the header
 * cannot be read or is not of `mime`. A JPEG whose size marker lies beyond the first 512 KB is read whole.
 */
async function headerDimensions(file: IncomingFile, mime: AttachmentMimeType): Promise<{ width: number; height: number } | null> {
  const read = (length: number) => readHead(file.filepath, length);
  const measure = (bytes: Uint8Array) => {
    try {
      const size = imageSize(bytes);
      return size.type === HEADER_TYPES[mime] && size.width > 0 && size.height > 0 ? { width: size.width, height: size.height } : null;
    } catch {
      return null;
    }
  };
  const head = await read(HEADER_BYTES);
  return measure(head) ?? (file.size > head.length ? measure(await read(file.size)) : null);
}

/** An animated WebP (VP8X with the animation flag): every frame would be decoded for the thumbnails. */
function isAnimatedWebp(head: Uint8Array): boolean {
  const text = (from: number, to: number) => Buffer.from(head.subarray(from, to)).toString('latin1');
  return head.length > 20 && text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP' && text(12, 16) === 'VP8X' && (head[20] & 0x02) !== 0;
}

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

const nameOf = (file: IncomingFile, index: number) => file.originalFilename || `attachment ${index + 1}`;

/**
 * The client's file name as display metadata only: no path, no control or reserved characters, at most 100
 * characters, and the extension of the type its bytes showed (`evil.html` holding a PNG shows as `evil.png`).
 */
export function displayNameFor(originalFilename: string | null | undefined, mime: AttachmentMimeType): string {
  const base = path.posix
    .basename(String(originalFilename ?? '').replace(/\\/g, '/'))
    .normalize('NFC')
    .replace(/\.[^.]*$/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, '_')
    .trim()
    .slice(0, 100);
  return `${base || 'attachment'}.${ATTACHMENT_EXTENSIONS[mime]}`;
}

/** A fresh server-chosen file name for a stored attachment, e.g. `ticket_<32 hex>.png`: private (attachment-urls.ts). */
export function storedNameFor(mime: AttachmentMimeType): string {
  return `${PRIVATE_NAME_PREFIX}${randomBytes(16).toString('hex')}.${ATTACHMENT_EXTENSIONS[mime]}`;
}

export interface AttachmentLimits {
  /** Bytes per file: the smaller of our limit and the upload plugin's sizeLimit. */
  maxBytes: number;
  /** Width × height per file, read from the header before anything decodes the image. */
  maxPixels: number;
}

const megapixels = (pixels: number) => `${Math.round(pixels / 100_000) / 10} megapixels`;

/**
 * The cheap checks, none of which decodes an image: each file's size (413), real type from its bytes (415),
 * header dimensions against the pixel limit (413). Records the detected type on each file for the upload plugin.
 */
export async function inspectAttachments(
  files: IncomingFile[],
  { maxBytes = ATTACHMENT_MAX_BYTES, maxPixels }: Partial<AttachmentLimits> & { maxPixels: number },
): Promise<{ ok: true; files: InspectedFile[] } | { ok: false; problem: AttachmentProblem }> {
  for (const [index, file] of files.entries()) {
    if (file.size > maxBytes) {
      const limit = `${Math.floor(maxBytes / (1024 * 1024))} MB`;
      return {
        ok: false,
        problem: { status: 413, field: `attachments.${index}`, message: `${nameOf(file, index)} is larger than ${limit}; each attachment may be at most ${limit}` },
      };
    }
  }
  const inspected: InspectedFile[] = [];
  for (const [index, file] of files.entries()) {
    const field = `attachments.${index}`;
    const notAnImage = (why: string): { ok: false; problem: AttachmentProblem } => ({
      ok: false,
      problem: { status: 415, field, message: `${nameOf(file, index)} ${why}; attach photos or screenshots only` },
    });
    const mime = file.size === 0 ? undefined : (await FileType.fromFile(file.filepath))?.mime;
    if (!isAttachmentMime(mime)) return notAnImage('is not a JPEG, PNG or WebP image (its content was checked, not its name)');
    const size = await headerDimensions(file, mime);
    if (size === null) return notAnImage(`looks like ${mime} but its header cannot be read`);
    if (mime === 'image/webp' && isAnimatedWebp(await readHead(file.filepath, 32))) return notAnImage('is an animated image');
    const pixels = size.width * size.height;
    if (pixels > maxPixels) {
      return {
        ok: false,
        problem: {
          status: 413,
          field,
          message: `${nameOf(file, index)} is ${size.width} × ${size.height} pixels (${megapixels(pixels)}); attachments may have at most ${megapixels(maxPixels)}`,
        },
      };
    }
    file.detectedMimeType = mime;
    file.mimetype = mime;
    inspected.push({ file, mime, displayName: displayNameFor(file.originalFilename, mime) });
  }
  return { ok: true, files: inspected };
}

/**
 * The expensive check, run only after the cheap ones and the upload rate limit: `decodable` reads the whole image
 * (a valid header with broken content behind it would otherwise be stored as an unreadable "image"). 415 when not.
 */
export async function confirmDecodable(
  files: InspectedFile[],
  decodable: (file: IncomingFile) => Promise<boolean>,
): Promise<AttachmentProblem | null> {
  for (const [index, { file, mime }] of files.entries()) {
    if (!(await decodable(file))) {
      return {
        status: 415,
        field: `attachments.${index}`,
        message: `${nameOf(file, index)} looks like ${mime} but cannot be read as an image; attach photos or screenshots only`,
      };
    }
  }
  return null;
}
