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
  ctx.status = status;
  ctx.body = { data: null, error: { status, name: 'ValidationError', message, details: { ...extra, errors } } };
}
