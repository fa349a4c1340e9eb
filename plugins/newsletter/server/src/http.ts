/**
 * What the plugin's controllers share when they answer (the same helpers as the booking desk's; plugins are
 * self-contained, so each keeps its copy): Strapi's error envelope
 * `{ data: null, error: { status, name, message, details } }`, the zod issues of a refused query or body as
 * `details.errors`, a service's refusal mapped to that envelope, and the request's body, client address and
 * staff member as the controllers read them.
 */
import type { Context } from 'koa';
import type { ZodIssue } from 'zod';

export const ERROR_NAMES = {
  400: 'ValidationError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  415: 'UnsupportedMediaTypeError',
  422: 'ValidationError',
} as const;

export type ErrorStatus = keyof typeof ERROR_NAMES;

/** Answers `status` in Strapi's error envelope. */
export function sendError(ctx: Context, status: ErrorStatus, message: string, details: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name: ERROR_NAMES[status], message, details } };
}

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

/** The zod issue codes that say a body has the wrong shape (a missing or unknown field, a wrong JSON type). */
export const SHAPE_ISSUES: ReadonlySet<string> = new Set(['invalid_type', 'unrecognized_keys', 'invalid_union']);

/**
 * The status of a refused query or body (docs/API.md, Conventions): 400 when an issue says it has the wrong
 * shape (`isShape`; by default the codes of SHAPE_ISSUES), 422 when it is well-formed but a value breaks a rule.
 */
export const issuesStatus = (
  issues: readonly ZodIssue[],
  isShape: (issue: ZodIssue) => boolean = (issue) => SHAPE_ISSUES.has(issue.code),
): 400 | 422 => (issues.some(isShape) ? 400 : 422);

/** A service's refusal: its status, a machine-readable code, a message, and the field it is about, if any. */
export interface Refusal {
  status: ErrorStatus;
  code: string;
  message: string;
  field?: string;
}

/** Answers a service's refusal: `details.code`, and `details.errors` naming the field (`pathOf` its path). */
export function sendRefusal(ctx: Context, refusal: Refusal, pathOf: (field: string) => string[] = (field) => [field]): void {
  const errors = refusal.field ? [{ path: pathOf(refusal.field), message: refusal.message, name: 'ValidationError' }] : undefined;
  sendError(ctx, refusal.status, refusal.message, { code: refusal.code, ...(errors ? { errors } : {}) });
}

/** The parsed request body, `{}` when there is none. */
export const requestBody = (ctx: Context): unknown => (ctx.request as unknown as { body?: unknown }).body ?? {};

/** The client address as the app's ip-ban middleware worked it out (TRUSTED_PROXIES honoured). */
export const clientIp = (ctx: Context): string => (ctx.state.clientAddress as string | undefined) ?? ctx.request.ip;

export interface AdminUser {
  id: number;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
}

/** How the booking and the audit log name the staff member: `admin:<id> <name>`, stable id first. */
export const staffLabel = (user: AdminUser): string => {
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email || '';
  return `admin:${user.id} ${name}`.trim().slice(0, 100);
};
