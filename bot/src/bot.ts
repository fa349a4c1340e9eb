/**
 * createBot(deps): the whole bot, wired but not started (tests construct it against the Telegram stand-in).
 * Order: flood control on the Api, per-user rate limit, one chat at a time, session, blocked/unblocked reports,
 * sign-in (ban check), then one Composer per feature, then a fallback for stale buttons and stray messages.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { Bot, session, type BotConfig as GrammyBotConfig, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { SESSION_VERSION, type BotContext, type BotDeps, type SessionData } from './context';
import { bookingFeature } from './features/booking';
import { botStatusFeature } from './features/bot-status';
import { menuFeature } from './features/menu';
import { myBookingsFeature } from './features/my-bookings';
import { profileFeature } from './features/profile';
import { rescheduleFeature } from './features/reschedule';
import { startFeature } from './features/start';
import { supportFeature } from './features/support';
import { authenticate, rateLimit, tellBanned } from './middleware';
import { ApiError } from './strapi-client';
import { answer, showMainMenu } from './ui';

/** One session per chat (grammY's default key, spelled out because sequentialize must use the same). */
const sessionKey = (ctx: Context) => ctx.chat?.id.toString();

export interface CreateBotOptions {
  /** Skip getMe (tests, or a known bot). */
  botInfo?: UserFromGetMe;
}

export function createBot(deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const config: GrammyBotConfig<BotContext> = { client: { apiRoot: deps.config.apiRoot } };
  if (options.botInfo) config.botInfo = options.botInfo;
  const bot = new Bot<BotContext>(deps.config.botToken, config);

  // Flood control: sleep on 429 retry_after and retry; give up on waits over a minute.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));

  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    await next();
  });
  bot.use(rateLimit(deps.config.rateLimit));
  // Updates are handled concurrently (bot/src/polling.ts, webhooks); one chat's wait for each other, so a session
  // is never read by one update while another is still changing it.
  bot.use(sequentialize(sessionKey));
  bot.use(
    session<SessionData, BotContext>({
      initial: () => ({}),
      getSessionKey: sessionKey,
      storage: deps.storage,
      // The version in the key: a changed layout starts from empty sessions instead of misreading old ones.
      prefix: `bot:v${SESSION_VERSION}:`,
    }),
  );
  bot.use(botStatusFeature);
  bot.use(authenticate());

  // Error boundary for the features: the member gets a short apology, the operator the details.
  bot.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      // Banned after the sign-in was cached: the API refuses with 403; a fresh sign-in tells a ban apart.
      if (error instanceof ApiError && error.status === 403 && ctx.from) {
        deps.strapi.forget(ctx.from.id);
        const ban = await deps.strapi.signIn({ telegramId: ctx.from.id, username: ctx.from.username }).then(
          () => undefined,
          (signInError) => (signInError instanceof ApiError && signInError.status === 403 ? signInError : undefined),
        );
        if (ban) return tellBanned(ctx, ban);
      }
      if (error instanceof ApiError && error.status === 429) {
        const seconds = Number(error.body?.error?.details?.retryAfterSeconds) || 60;
        await answer(ctx);
        if (ctx.chat) await ctx.reply(ctx.t.common.rateLimited(seconds)).catch(() => undefined);
        return;
      }
      deps.log?.(`update ${ctx.update.update_id} failed`, error);
      await answer(ctx);
      if (ctx.chat) await ctx.reply(ctx.t.common.error).catch(() => undefined);
    }
  });

  const features = bot.chatType('private');
  features.use(startFeature, menuFeature, bookingFeature, myBookingsFeature, rescheduleFeature, profileFeature, supportFeature);

  // Nothing handled it: a button of an old message, or text outside any step.
  features.on('callback_query', (ctx) => answer(ctx, ctx.t.common.outdated));
  features.on('message', async (ctx) => {
    if (ctx.session.step === 'reg:phone' || ctx.session.step === 'ticket:photos') return void (await ctx.reply(ctx.t.common.useButtons));
    if (!ctx.member.isRegistered) return void (await ctx.reply(ctx.t.common.needRegistration));
    await showMainMenu(ctx);
  });

  bot.catch((error) => deps.log?.('unhandled bot error', error.error));
  return bot;
}

/** Bot commands shown in Telegram's menu, per language. */
export const COMMANDS = {
  ru: [
    { command: 'start', description: 'Начать / главное меню' },
    { command: 'book', description: 'Забронировать' },
    { command: 'mybookings', description: 'Мои брони' },
    { command: 'pay', description: 'Оплатить бронь' },
    { command: 'profile', description: 'Профиль' },
    { command: 'support', description: 'Поддержка' },
    { command: 'invite', description: 'Пригласить друзей' },
  ],
  en: [
    { command: 'start', description: 'Start / main menu' },
    { command: 'book', description: 'Book' },
    { command: 'mybookings', description: 'My bookings' },
    { command: 'pay', description: 'Pay for a booking' },
    { command: 'profile', description: 'Profile' },
    { command: 'support', description: 'Support' },
    { command: 'invite', description: 'Invite friends' },
  ],
};
