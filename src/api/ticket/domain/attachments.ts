/**
 * Attachments of member ticket messages: which multipart files a request carries, and what they really are.
 * Pure apart from reading the first bytes of each temporary file; the upload itself is in services/member-tickets.ts.
 */
import { promises as fs } from 'fs';
import {
  ATTACHMENT_FIELDS,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MAX_FILES,
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

/** What the first bytes say the file is: JPEG, PNG or WebP, or null for anything else. */
export function sniffImageType(head: Uint8Array): AttachmentMimeType | null {
  const starts = (bytes: number[], at = 0) => bytes.every((byte, index) => head[at + index] === byte);
  if (head.length >= 3 && starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (head.length >= 8 && starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // "RIFF" <size> "WEBP"
  if (head.length >= 12 && starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

async function readHead(filepath: string, length = 16): Promise<Uint8Array> {
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
 * Checks each file's size (413) and real type (415), and records the detected type on it. `maxBytes` is the
 * smaller of our per-file limit and the upload plugin's sizeLimit; `decodable` reads the whole image (415 when
 * it cannot).
 */
export async function checkAttachments(
  files: IncomingFile[],
  maxBytes = ATTACHMENT_MAX_BYTES,
  decodable: (file: IncomingFile) => Promise<boolean> = async () => true,
): Promise<AttachmentProblem | null> {
  for (const [index, file] of files.entries()) {
    if (file.size > maxBytes) {
      const limit = `${Math.floor(maxBytes / (1024 * 1024))} MB`;
      return { status: 413, field: `attachments.${index}`, message: `${nameOf(file, index)} is larger than ${limit}; each attachment may be at most ${limit}` };
    }
  }
  for (const [index, file] of files.entries()) {
    const type = file.size === 0 ? null : sniffImageType(await readHead(file.filepath));
    if (type === null) {
      return {
        status: 415,
        field: `attachments.${index}`,
        message: `${nameOf(file, index)} is not a JPEG, PNG or WebP image (its content was checked, not its name); attach photos or screenshots only`,
      };
    }
    // A valid signature with broken content behind it would be stored as an unreadable "image".
    if (!(await decodable(file))) {
      return {
        status: 415,
        field: `attachments.${index}`,
        message: `${nameOf(file, index)} looks like ${type} but cannot be read as an image; attach photos or screenshots only`,
      };
    }
    file.detectedMimeType = type;
    file.mimetype = type;
  }
  return null;
}
