import type { Context } from 'koa';
import type { ZodIssue } from 'zod';

/** One entry of Strapi's `details.errors`: the field path and what is wrong with it. */
export interface FieldError {
  path: string[];
  message: string;
  name: 'ValidationError';
}

export const fieldErrors = (issues: readonly ZodIssue[]): FieldError[] =>
  issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.code === 'unrecognized_keys' ? `Unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    name: 'ValidationError',
  }));

// Issues that say the request has the wrong shape: a missing or unknown field, a wrong JSON type (a whole
// number is a type: zod reports 1.5 for an int as invalid_type), or a date-time that names no instant.
const SHAPE_ISSUES = new Set<string>(['invalid_type', 'unrecognized_keys', 'invalid_union', 'invalid_union_discriminator', 'invalid_date']);
const isShapeIssue = (issue: ZodIssue) =>
  SHAPE_ISSUES.has(issue.code) || (issue.code === 'invalid_string' && issue.validation === 'datetime');

/**
 * The status of a refused request body (docs/API.md, Conventions): 400 when it has the wrong shape, 422 when
 * it is well-formed but a value breaks a rule (a length, a range, an allowed value, a format such as an e-mail).
 */
export const bodyErrorStatus = (issues: readonly ZodIssue[]): 400 | 422 => (issues.some(isShapeIssue) ? 400 : 422);

/** Answers `status` in Strapi's error envelope `{ data: null, error: { status, name, message, details } }`. */
export function sendError(ctx: Context, status: number, name: string, message: string, details: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name, message, details } };
}

/**
 * Answers with Strapi's error envelope. Strapi's own ValidationError always maps to 400; the member
 * endpoints answer 422 for well-formed requests whose values are wrong, as API.md specifies. `extra` adds
 * machine-readable details next to `errors`, such as a promo code's refusal `reason`.
 */
export function sendValidationError(
  ctx: Context,
  status: 400 | 422,
  message: string,
  errors: FieldError[],
  extra: Record<string, unknown> = {},
): void {
  sendError(ctx, status, 'ValidationError', message, { ...extra, errors });
}
