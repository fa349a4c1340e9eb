import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import {
  type MemberSession,
  profileSchema,
  telegramBotStatusSchema,
  telegramInitDataAuthSchema,
  telegramServiceAuthSchema,
} from '../../../../types/contracts/member';
import { verifyInitData } from '../../../domain/telegram-init-data';
import { refuseSignIn } from '../../ip-ban/report';
import { bodyErrorStatus, fieldErrors, sendValidationError } from '../../../utils/http-errors';
import { assertMemberNotBlocked, bearerToken, MemberForbiddenError } from '../../../utils/member-access';
import { isBotServiceCredential, toMemberDto, type IdentityService, type MemberRow } from '../services/identity';

const INIT_DATA_MAX_AGE_SECONDS = () => Number(process.env.TELEGRAM_INIT_DATA_MAX_AGE_SECONDS ?? 24 * 60 * 60);

const memberController = ({ strapi }: { strapi: Core.Strapi }) => {
  const identity = () => strapi.service('api::member.identity') as IdentityService;

  return {
    /** POST /api/auth/telegram: the bot (service credential) or a Mini App (initData) signs a member in. */
    async authTelegram(ctx: Context) {
      const body = (ctx.request as unknown as { body?: unknown }).body ?? {};
      let member: MemberRow;

      if (typeof body === 'object' && body !== null && 'initData' in body) {
        const parsed = telegramInitDataAuthSchema.safeParse(body);
        if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid request body', fieldErrors(parsed.error.issues));
        const botToken = process.env.BOT_TOKEN;
        const check = botToken ? verifyInitData(parsed.data.initData, botToken, new Date(), INIT_DATA_MAX_AGE_SECONDS()) : null;
        if (!check?.ok) throw await refuseSignIn(strapi, ctx, 'Telegram initData is invalid or expired');
        member = await identity().findOrCreateByTelegram({
          telegramId: String(check.user.id),
          username: check.user.username,
          language: check.user.language_code === 'en' ? 'en' : check.user.language_code === 'ru' ? 'ru' : undefined,
        });
      } else {
        if (!isBotServiceCredential(bearerToken(ctx))) throw await refuseSignIn(strapi, ctx, 'A valid service credential is required');
        const parsed = telegramServiceAuthSchema.safeParse(body);
        if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid request body', fieldErrors(parsed.error.issues));
        member = await identity().findOrCreateByTelegram(parsed.data, { fromBot: true });
      }

      assertMemberNotBlocked(member);
      const dto = toMemberDto(member);
      const session: MemberSession = { ...(await identity().openSession(member)), user: dto, isRegistered: dto.isRegistered };
      ctx.body = session;
    },

    /**
     * POST /api/auth/telegram/bot-status (bot only): the member blocked the bot or started it again. Notifications
     * skip a member marked `botBlocked` (docs/NOTIFICATIONS.md); repeating a report changes nothing.
     */
    async reportBotStatus(ctx: Context) {
      if (!isBotServiceCredential(bearerToken(ctx))) throw new errors.UnauthorizedError('A valid service credential is required');
      const parsed = telegramBotStatusSchema.safeParse((ctx.request as unknown as { body?: unknown }).body ?? {});
      if (!parsed.success) return sendValidationError(ctx, 400, 'Invalid request body', fieldErrors(parsed.error.issues));
      const member = await identity().setBotBlocked(parsed.data.telegramId, parsed.data.blocked, new Date());
      if (!member) throw new errors.NotFoundError('No member has this Telegram id');
      ctx.body = { data: { telegramId: member.telegramId, botBlocked: member.botBlocked } };
    },

    /** PUT /api/profile: the signed-in member completes or edits their registration. */
    async updateProfile(ctx: Context) {
      // An API token passes the permission check (a full-access one passes every check) but is nobody's account.
      if (ctx.state.auth?.strategy?.name !== 'users-permissions' || !ctx.state.user) {
        throw new MemberForbiddenError('This endpoint is for members signed in with their own account.');
      }
      const member = (await strapi.db
        .query('plugin::users-permissions.user')
        .findOne({ where: { id: ctx.state.user.id } })) as MemberRow | null;
      if (!member) throw new errors.UnauthorizedError('Sign in again');
      assertMemberNotBlocked(member);

      const parsed = profileSchema.safeParse((ctx.request as unknown as { body?: unknown }).body ?? {});
      if (!parsed.success) {
        return sendValidationError(ctx, bodyErrorStatus(parsed.error.issues), 'Some fields need correcting', fieldErrors(parsed.error.issues));
      }
      const saved = await identity().saveProfile(member, parsed.data, new Date());
      if (saved === 'email_taken') {
        ctx.status = 409;
        ctx.body = {
          data: null,
          error: {
            status: 409,
            name: 'ConflictError',
            message: 'This e-mail is already used by another member. Enter a different one.',
            details: { code: 'email_taken', errors: [{ path: ['email'], message: 'This e-mail is already used by another member', name: 'ValidationError' }] },
          },
        };
        return;
      }
      ctx.body = { data: toMemberDto(saved) };
    },
  };
};

export default memberController;
