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
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
    Object.defineProperty(this, 'name', { value: 'ForbiddenError' });
  }
}

/**
 * How a member reaches the staff, as configured: `BOT_INFO_CONTACTS` (free text, the same value the bot's Info
 * screen shows) and `SUPPORT_CHAT_URL` (a link to a support chat). Unset or empty means not configured.
 */
export interface StaffContacts {
  contacts: string | null;
  supportChatUrl: string | null;
}

export function staffContacts(env: NodeJS.ProcessEnv = process.env): StaffContacts {
  const configured = (value: string | undefined) => (value?.trim() ? value.trim() : null);
  return { contacts: configured(env.BOT_INFO_CONTACTS), supportChatUrl: configured(env.SUPPORT_CHAT_URL) };
}

/** "This account is blocked." followed by whichever staff contacts are configured. */
export function blockedAccountMessage({ contacts, supportChatUrl }: StaffContacts): string {
  if (contacts && supportChatUrl) return `This account is blocked. Contact the space staff: ${contacts}, or write to ${supportChatUrl}.`;
  if (contacts) return `This account is blocked. Contact the space staff: ${contacts}.`;
  if (supportChatUrl) return `This account is blocked. Write to the space staff: ${supportChatUrl}.`;
  return 'This account is blocked. Contact the space staff.';
}

/**
 * Banned (by staff) or blocked (users-permissions) members may not sign in or act. The 403 tells them how to
 * reach the staff, in `message` and in `details` (`code: "account_blocked"`, `contacts`, `supportChatUrl`).
 */
export function assertMemberNotBlocked(member: { isBanned: boolean; blocked: boolean | null }): void {
  if (!member.isBanned && !member.blocked) return;
  const contacts = staffContacts();
  throw new MemberForbiddenError(blockedAccountMessage(contacts), { code: 'account_blocked', ...contacts });
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
