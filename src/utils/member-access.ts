import type { Context } from 'koa';
import { errors } from '@strapi/utils';

/** The token of an `Authorization: Bearer …` header, if any. */
export const bearerToken = (ctx: Context): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(ctx.request.header.authorization ?? '')?.[1];

/** Banned (by staff) or blocked (users-permissions) members may not sign in or act. */
export function assertMemberNotBlocked(member: { isBanned: boolean; blocked: boolean | null }): void {
  if (member.isBanned || member.blocked) throw new errors.ForbiddenError('This account is blocked. Contact the space staff.');
}
