import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';

/** The token of an `Authorization: Bearer …` header, if any. */
export const bearerToken = (ctx: Context): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(ctx.request.header.authorization ?? '')?.[1];

/**
 * A 403 whose message reaches the client. Strapi's route wrapper answers a plain "Forbidden" for any
 * ForbiddenError a controller throws, except a PolicyError, which it passes on; the name stays ForbiddenError.
 */
export class MemberForbiddenError extends errors.PolicyError {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, 'name', { value: 'ForbiddenError' });
  }
}

/** Banned (by staff) or blocked (users-permissions) members may not sign in or act. */
export function assertMemberNotBlocked(member: { isBanned: boolean; blocked: boolean | null }): void {
  if (member.isBanned || member.blocked) throw new MemberForbiddenError('This account is blocked. Contact the space staff.');
}

/** What the member endpoints need to know about the member behind a JWT. */
export interface SignedInMember {
  id: number;
  documentId: string;
  isBanned: boolean;
  blocked: boolean | null;
  registeredAt: string | null;
}

/**
 * The member behind `ctx.state.user`: users-permissions has just read the whole row to authenticate the request,
 * so it is reused; a partial user is read again. Null when the member no longer exists.
 */
export async function signedInMember(strapi: Core.Strapi, user: { id: number } & Partial<SignedInMember>): Promise<SignedInMember | null> {
  if ('isBanned' in user && 'registeredAt' in user) return user as SignedInMember;
  return (await strapi.db.query('plugin::users-permissions.user').findOne({
    where: { id: user.id },
    select: ['id', 'documentId', 'isBanned', 'blocked', 'registeredAt'],
  })) as SignedInMember | null;
}
