import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import type { Core } from '@strapi/strapi';
import type { MemberDto, ProfileInput } from '../../../../types/contracts/member';

const USER_UID = 'plugin::users-permissions.user';
const REFERRAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
// Members created on first contact carry a placeholder e-mail under the reserved .invalid domain.
const PLACEHOLDER_EMAIL_DOMAIN = 'telegram.invalid';
// Deep enough for any real referral chain, bounded so a corrupted chain cannot loop forever.
const MAX_REFERRAL_DEPTH = 100;

export interface MemberRow {
  id: number;
  documentId: string;
  telegramId: string | null;
  telegramUsername: string | null;
  fullName: string | null;
  phone: string | null;
  email: string;
  language: 'ru' | 'en';
  consentTerms: boolean;
  consentMarketing: boolean;
  referralCode: string | null;
  registeredAt: string | null;
  isBanned: boolean;
  blocked: boolean;
  /** The member blocked the bot: notifications skip them (docs/NOTIFICATIONS.md). */
  botBlocked: boolean | null;
}

export type { MemberDto };

export const toMemberDto = (member: MemberRow): MemberDto => ({
  documentId: member.documentId,
  telegramId: member.telegramId,
  telegramUsername: member.telegramUsername,
  fullName: member.fullName,
  phone: member.phone,
  email: member.email.endsWith(`@${PLACEHOLDER_EMAIL_DOMAIN}`) ? null : member.email,
  language: member.language,
  consentMarketing: member.consentMarketing,
  referralCode: member.referralCode,
  registeredAt: member.registeredAt,
  isRegistered: member.registeredAt !== null,
});

/** Compares the presented bot credential with BOT_SERVICE_TOKEN in constant time; unset means disabled. */
export function isBotServiceCredential(presented: string | undefined): boolean {
  const expected = process.env.BOT_SERVICE_TOKEN;
  if (!expected || !presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const newReferralCode = () =>
  Array.from(randomBytes(8), (byte) => REFERRAL_ALPHABET[byte % REFERRAL_ALPHABET.length]).join('');

const identityService = ({ strapi }: { strapi: Core.Strapi }) => {
  const users = () => strapi.db.query(USER_UID);

  const findByTelegramId = (telegramId: string) => users().findOne({ where: { telegramId } }) as Promise<MemberRow | null>;

  /** The id of the member owning `referralCode`, or null when it is unknown, the member's own, or a loop. */
  const acceptableReferrer = async (memberId: number, referralCode: string): Promise<number | null> => {
    const referrer = await users().findOne({ where: { referralCode }, select: ['id'] });
    if (!referrer || referrer.id === memberId) return null;
    let cursor: number | null = referrer.id;
    for (let depth = 0; cursor !== null && depth < MAX_REFERRAL_DEPTH; depth += 1) {
      const row: { referrer: { id: number } | null } | null = await users().findOne({
        where: { id: cursor },
        select: ['id'],
        populate: { referrer: { select: ['id'] } },
      });
      cursor = row?.referrer?.id ?? null;
      if (cursor === memberId) return null;
    }
    return referrer.id;
  };

  return {
    findByTelegramId,

    /**
     * The member with this Telegram id, created bare (unregistered) on first contact.
     *
     * `fromBot`: the bot signs the member in because they wrote to it, so they have not blocked it (any more) and
     * notifications resume (docs/NOTIFICATIONS.md). A Mini App sign-in says nothing about the bot.
     */
    async findOrCreateByTelegram(
      input: { telegramId: string; username?: string; language?: 'ru' | 'en' },
      options: { fromBot?: boolean } = {},
    ): Promise<MemberRow> {
      const existing = await findByTelegramId(input.telegramId);
      if (existing) {
        const changes: Record<string, unknown> = {};
        if (input.username !== undefined && input.username !== existing.telegramUsername) changes.telegramUsername = input.username;
        if (options.fromBot && existing.botBlocked) Object.assign(changes, { botBlocked: false, botBlockedAt: null });
        if (Object.keys(changes).length === 0) return existing;
        return (await users().update({ where: { id: existing.id }, data: changes })) as MemberRow;
      }
      const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
      try {
        await strapi.documents(USER_UID).create({
          data: {
            username: `tg_${input.telegramId}`,
            email: `tg${input.telegramId}@${PLACEHOLDER_EMAIL_DOMAIN}`,
            provider: 'telegram',
            confirmed: true,
            blocked: false,
            role: role.id,
            telegramId: input.telegramId,
            telegramUsername: input.username,
            language: input.language ?? 'ru',
            referralCode: newReferralCode(),
            consentTerms: false,
            consentMarketing: false,
            isBanned: false,
            botBlocked: false,
          },
        });
      } catch (error) {
        // Two first contacts at once: one insert wins (unique checks and the unique index), the other
        // fails with a validation or constraint error and reads the winner's row instead.
        const winner = await findByTelegramId(input.telegramId);
        if (winner) return winner;
        throw error;
      }
      const created = await findByTelegramId(input.telegramId);
      if (!created) throw new Error(`member ${input.telegramId} could not be created`);
      return created;
    },

    /** Marks that the member blocked the bot, or started it again; null when no member has this Telegram id. */
    async setBotBlocked(telegramId: string, blocked: boolean, now: Date): Promise<MemberRow | null> {
      const member = await findByTelegramId(telegramId);
      if (!member || Boolean(member.botBlocked) === blocked) return member;
      return (await users().update({
        where: { id: member.id },
        data: { botBlocked: blocked, botBlockedAt: blocked ? now : null },
      })) as MemberRow;
    },

    /**
     * Opens a member session (users-permissions with jwtManagement 'refresh', through Strapi's session manager):
     * a short-lived access token bound to the session and the refresh token that renews it
     * (POST /api/auth/refresh rotates it; POST /api/auth/logout revokes the session and both tokens with it).
     */
    async openSession(member: MemberRow): Promise<{ jwt: string; refreshToken: string }> {
      const sessions = strapi.sessionManager('users-permissions');
      const refresh = await sessions.generateRefreshToken(String(member.id), undefined, { type: 'refresh' });
      const access = await sessions.generateAccessToken(refresh.token);
      if ('error' in access) throw new Error(`member ${member.id}: the new session gave no access token (${access.error})`);
      return { jwt: access.token, refreshToken: refresh.token };
    },

    /**
     * Completes or edits registration. The first completion stamps registeredAt and consentAt and credits the
     * referrer named by `referralCode`, unless that is the member themselves or would close a referral loop.
     */
    async saveProfile(member: MemberRow, input: ProfileInput, now: Date): Promise<MemberRow | 'email_taken'> {
      // Receipts are keyed on the e-mail, so no two members share one (compared case-insensitively). The unique
      // index of ensureMemberIndexes (src/bootstrap/users-permissions.ts) makes this hold under concurrent writes
      // too: a lost race fails the update, and the second look below names the cause.
      const emailTaken = async () =>
        (await users().count({ where: { email: { $eqi: input.email }, id: { $ne: member.id } } })) > 0;
      if (await emailTaken()) return 'email_taken';
      const firstCompletion = member.registeredAt === null;
      const data: Record<string, unknown> = {
        fullName: input.fullName,
        phone: input.phone,
        email: input.email,
        consentTerms: true,
        ...(input.consentMarketing !== undefined ? { consentMarketing: input.consentMarketing } : {}),
        ...(input.language !== undefined ? { language: input.language } : {}),
      };
      if (firstCompletion) {
        data.registeredAt = now;
        data.consentAt = now;
        const referrerId = input.referralCode ? await acceptableReferrer(member.id, input.referralCode) : null;
        if (referrerId !== null) data.referrer = referrerId;
      }
      try {
        return (await users().update({ where: { id: member.id }, data })) as MemberRow;
      } catch (error) {
        if (await emailTaken()) return 'email_taken';
        throw error;
      }
    },
  };
};

export type IdentityService = ReturnType<typeof identityService>;
export default identityService;
