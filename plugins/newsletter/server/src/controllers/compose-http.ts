/**
 * What the compose controllers (newsletters, media, audience, sending, settings, templates) share: parsing a body
 * or query with zod into Strapi's error envelope (400 wrong shape, 422 a broken rule), answering a service's
 * outcome, and the staff member as an actor.
 */
import type { Context } from 'koa';
import { z, type ZodTypeAny } from 'zod';
import { type AdminUser, clientIp, fieldErrors, issuesStatus, requestBody, sendError, sendRefusal, staffLabel } from '../http';
import type { Actor, Outcome } from '../services/newsletters';

export const DOCUMENT_ID = /^[a-z0-9]{1,64}$/;

/** Parses `value` with `schema`; on failure answers 400/422 and returns undefined. */
export function parse<S extends ZodTypeAny>(ctx: Context, schema: S, value: unknown, what = 'body'): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const status = issuesStatus(parsed.error.issues);
  const first = parsed.error.issues[0];
  const at = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  sendError(ctx, status, `Invalid ${what}: ${at}${first.code === 'unrecognized_keys' ? `unknown field(s) ${first.keys.join(', ')}` : first.message}`, {
    errors: fieldErrors(parsed.error.issues),
  });
  return undefined;
}

export const parseBody = <S extends ZodTypeAny>(ctx: Context, schema: S) => parse(ctx, schema, requestBody(ctx));

/** The :documentId of the route; answers 404 and returns undefined when it cannot be one. */
export function documentIdOf(ctx: Context, what = 'newsletter'): string | undefined {
  const id = String(ctx.params.documentId ?? '');
  if (DOCUMENT_ID.test(id)) return id;
  sendError(ctx, 404, `No ${what} has this id.`, { code: 'not_found' });
  return undefined;
}

export function actorOf(ctx: Context): Actor {
  const user = ctx.state.user as AdminUser;
  return { id: user.id, label: staffLabel(user), email: user.email ?? null, firstname: user.firstname ?? null, lastname: user.lastname ?? null, ip: clientIp(ctx) };
}

/** Answers a service's outcome: `{ data }` with `okStatus`, or the refusal in Strapi's error envelope. */
export function answer<T>(ctx: Context, outcome: Outcome<T>, okStatus = 200): void {
  if (outcome.ok) {
    ctx.status = okStatus;
    ctx.body = { data: outcome.data };
    return;
  }
  const { status, code, message, field, issues } = outcome;
  if (issues && issues.length > 1) {
    sendError(ctx, status, message, { code, errors: issues.map((issue) => ({ path: [issue.field], message: issue.message, name: 'ValidationError' })) });
    return;
  }
  sendRefusal(ctx, { status, code, message, ...(field ? { field } : {}) }, (f) => f.split('.'));
}

export const pageQuery = (max: number) =>
  z
    .string({ invalid_type_error: 'must be given once' })
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .refine((value) => value >= 1 && value <= max, { message: `must be between 1 and ${max}` })
    .optional();
