/**
 * Turns the errors of reading a request body into clear 4xx answers in Strapi's envelope. Registered just
 * before `strapi::body` (config/middlewares.ts), so it sees what the body parsers throw: co-body and raw-body
 * (malformed JSON, a body over the limit, a Content-Length that does not match), inflation and zlib (a
 * Content-Encoding that is unknown or a body that is not what it claims, such as "gzip" that is not gzip) and
 * formidable (a multipart body without a boundary or cut short). Without it those are 500s, or 400s carrying
 * the parser's own text (`Expected property name or '}' in JSON at position 1`).
 *
 * The answer never repeats the parser's text: each case has a stable message and `details.code`. Nothing
 * downstream ran, so nothing was written. Errors raised after the body was read pass through untouched.
 */
import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';

export type BodyErrorCode = 'invalid_json' | 'invalid_encoding' | 'unsupported_encoding' | 'invalid_multipart' | 'incomplete_body' | 'body_too_large';

export interface BodyRefusal {
  status: 400 | 413 | 415;
  code: BodyErrorCode;
  message: string;
}

const NAMES = { 400: 'BadRequestError', 413: 'PayloadTooLargeError', 415: 'UnsupportedMediaTypeError' } as const;

const REFUSALS: Record<BodyErrorCode, BodyRefusal> = {
  invalid_json: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  invalid_encoding: {
    status: 400,
    code: 'invalid_encoding',
    message: 'The request body could not be decompressed: it does not match its Content-Encoding header.',
  },
  unsupported_encoding: {
    status: 415,
    code: 'unsupported_encoding',
    message: 'The request body uses an unsupported Content-Encoding or charset. Send it uncompressed (or gzip, deflate, br) in UTF-8.',
  },
  invalid_multipart: {
    status: 400,
    code: 'invalid_multipart',
    message: 'The request body is not valid multipart/form-data: it has no boundary, or it is cut short or malformed.',
  },
  incomplete_body: {
    status: 400,
    code: 'incomplete_body',
    message: 'The request body is incomplete: it is shorter or longer than its Content-Length header says.',
  },
  body_too_large: { status: 413, code: 'body_too_large', message: 'The request body is too large.' },
};

// raw-body's and co-body's `type`s (their errors carry a status too).
const RAW_BODY_TYPES: Record<string, BodyErrorCode> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'body_too_large',
  'request.size.invalid': 'incomplete_body',
  'request.aborted': 'incomplete_body',
  'encoding.unsupported': 'unsupported_encoding',
  'charset.unsupported': 'unsupported_encoding',
};

// formidable 2's FormidableError codes (formidable/src/FormidableError.js).
const FORMIDABLE_TOO_LARGE = new Set([1006, 1007, 1009]);
const FORMIDABLE_MALFORMED = new Set([1002, 1003, 1010, 1011, 1012, 1013, 1014]);

interface ParserError {
  status?: unknown;
  type?: unknown;
  code?: unknown;
  httpCode?: unknown;
  body?: unknown;
  message?: unknown;
}

/**
 * The error's own `code`, or the one in its message: koa-body re-wraps a thrown value that is not an `Error` of its
 * own realm as `new Error(JSON.stringify(value))`, and zlib's errors come from Node's realm, which under a sandbox
 * (a test runner's) is another one.
 */
function codeOf(error: ParserError): unknown {
  if (error.code !== undefined || typeof error.message !== 'string' || !error.message.startsWith('{')) return error.code;
  try {
    return (JSON.parse(error.message) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
}

/** Which body-reading failure `error` is, or null when it is not one. */
export function bodyRefusalOf(error: unknown): BodyRefusal | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, type, httpCode, body, message } = error as ParserError;
  const code = codeOf(error as ParserError);
  if (typeof type === 'string' && type in RAW_BODY_TYPES) return REFUSALS[RAW_BODY_TYPES[type]];
  // co-body: JSON.parse's (or bourne's) SyntaxError, given status 400 and the raw text.
  if (error instanceof SyntaxError && status === 400 && typeof body === 'string') return REFUSALS.invalid_json;
  // inflation: "Unsupported Content-Encoding: x", status 415.
  if (status === 415 && typeof message === 'string' && message.startsWith('Unsupported Content-Encoding')) {
    return REFUSALS.unsupported_encoding;
  }
  // zlib: the body is not the compressed data its Content-Encoding says (Z_DATA_ERROR, Z_BUF_ERROR…; brotli's
  // decoder errors are named ERR__ERROR_FORMAT_… by Node).
  if (typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(code)) return REFUSALS.invalid_encoding;
  if (typeof code === 'number' && typeof httpCode === 'number') {
    if (FORMIDABLE_TOO_LARGE.has(code)) return REFUSALS.body_too_large;
    if (FORMIDABLE_MALFORMED.has(code)) return REFUSALS.invalid_multipart;
  }
  return null;
}

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) =>
  async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      // A parsed body is set on the request; an error thrown after that (by a controller) is not the parser's.
      const refusal = (ctx.request as unknown as { body?: unknown }).body === undefined ? bodyRefusalOf(error) : null;
      if (refusal === null) throw error;
      strapi.log.debug(`${ctx.method} ${ctx.path}: request body refused (${refusal.code}): ${(error as Error).message}`);
      ctx.status = refusal.status;
      ctx.body = {
        data: null,
        error: { status: refusal.status, name: NAMES[refusal.status], message: refusal.message, details: { code: refusal.code } },
      };
    }
  };
