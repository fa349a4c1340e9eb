/**
 * Reading Bot API requests the way the official server does: every parameter is a string
 * (query string, form field or JSON value), JSON-typed parameters may come as objects or as JSON text,
 * and files arrive as multipart parts, addressed directly by field name or through `attach://<name>`.
 */
import type { TgResponseParameters } from './types';

/** A failed call, answered as `{ ok: false, error_code, description, parameters? }`. */
export class BotApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: TgResponseParameters,
  ) {
    super(description);
  }
}

export const badRequest = (message: string): BotApiError => new BotApiError(400, `Bad Request: ${message}`);
export const forbidden = (message: string): BotApiError => new BotApiError(403, `Forbidden: ${message}`);
export const tooManyRequests = (retryAfter: number): BotApiError =>
  new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export class Params {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly files: ReadonlyMap<string, UploadedFile> = new Map(),
  ) {}

  /** Telegram treats an empty value like a missing one. */
  has(name: string): boolean {
    const value = this.values[name];
    return value !== undefined && value !== null && value !== '';
  }

  raw(name: string): unknown {
    return this.values[name];
  }

  str(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  /** Leading digits, like td::to_integer: "12abc" is 12 and "abc" is 0. */
  int(name: string): number | undefined {
    const text = this.str(name);
    if (text === undefined || text === '') return undefined;
    const match = /^\s*(-?\d+)/.exec(text);
    return match ? Number(match[1]) : 0;
  }

  /** "true", "yes" and "1", in any case, are true (Client::to_bool). */
  bool(name: string): boolean {
    const value = this.values[name];
    if (typeof value === 'boolean') return value;
    const text = this.str(name)?.trim().toLowerCase();
    return text === 'true' || text === 'yes' || text === '1';
  }

  /** A JSON-serialized parameter: an object from a JSON body, or JSON text from any body. */
  json(name: string, parseError: string): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw badRequest(parseError);
    }
  }

  /** The file a parameter names: its own multipart part, or the part named by `attach://<name>`. */
  file(name: string): UploadedFile | undefined {
    const own = this.files.get(name);
    if (own) return own;
    return this.attached(this.str(name));
  }

  attached(reference: string | undefined): UploadedFile | undefined {
    if (reference?.startsWith('attach://')) return this.files.get(reference.slice('attach://'.length));
    return undefined;
  }

  /** A plain copy for the call log, with uploads summarised instead of their bytes. */
  toRecord(): Record<string, unknown> {
    const record: Record<string, unknown> = { ...this.values };
    for (const [field, file] of this.files) {
      record[field] = { filename: file.filename, contentType: file.contentType, size: file.bytes.length };
    }
    return record;
  }
}

/** Parses a request body by its Content-Type; a query string is merged underneath. */
export function parseRequest(search: URLSearchParams, contentType: string | undefined, body: Buffer): Params {
  const values: Record<string, unknown> = Object.fromEntries(search);
  const files = new Map<string, UploadedFile>();
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();

  if (body.length > 0 && type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('JSON object expected');
    }
    Object.assign(values, parsed);
  } else if (body.length > 0 && type === 'application/x-www-form-urlencoded') {
    Object.assign(values, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    if (!boundary) throw badRequest("can't parse multipart/form-data: boundary is missing");
    for (const part of parseMultipart(body, boundary[1] ?? boundary[2].trim())) {
      if (part.filename === undefined) values[part.name] = part.data.toString('utf8');
      else
        files.set(part.name, {
          field: part.name,
          filename: part.filename,
          contentType: part.contentType ?? 'application/octet-stream',
          bytes: part.data,
        });
    }
  }
  return new Params(values, files);
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A small RFC 7578 reader: enough for what grammY, node-fetch FormData, curl and browsers send. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw badRequest("can't parse multipart/form-data: no parts found");

  while (position >= 0) {
    let start = position + delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw badRequest("can't parse multipart/form-data: unterminated part");
    // The CRLF before the next delimiter belongs to the delimiter.
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;

    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0 || headerEnd > end) throw badRequest("can't parse multipart/form-data: part headers");
    const headers = body.toString('utf8', start, headerEnd).split('\r\n');
    const disposition = dispositionParameters(headers.find((line) => /^content-disposition:/i.test(line)) ?? '');
    const name = disposition.get('name');
    const filename = disposition.get('filename');
    const contentType = headers
      .find((line) => /^content-type:/i.test(line))
      ?.split(':')[1]
      ?.trim();
    if (name !== undefined) {
      parts.push({ name, filename, contentType, data: body.subarray(headerEnd + 4, end) });
    }
    position = next;
  }
  return parts;
}

/**
 * Content-Disposition parameters, quoted or not: grammY writes `name="photo";filename=room.png`, browsers and
 * undici quote both, some clients add RFC 5987 `filename*=UTF-8''...`.
 */
function dispositionParameters(header: string): Map<string, string> {
  const parameters = new Map<string, string>();
  const pattern = /;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let match = pattern.exec(header); match; match = pattern.exec(header)) {
    const key = match[1].toLowerCase();
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3].trim();
    if (key === 'filename*') {
      const encoded = /^[\w-]*'[\w-]*'(.*)$/.exec(value)?.[1];
      if (encoded !== undefined) parameters.set('filename', decodeURIComponent(encoded));
    } else if (!(key === 'filename' && parameters.has('filename'))) {
      parameters.set(key, value);
    }
  }
  return parameters;
}
