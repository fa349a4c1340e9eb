import type { MiddlewareFn } from 'grammy';
import { languageFromTelegram, locales } from '../locales';
import type { BotContext } from './context';
import { ApiError } from './strapi-client';
import { answer } from './ui';

/**
 * Per-user spam guard: a fixed window of `max` updates per `windowMs`. Over the limit the update is dropped;
 * the member is told once per window.
 */
export function rateLimit(options: { max: number; windowMs: number; now?: () => number }): MiddlewareFn<BotContext> {
  const windows = new Map<number, { start: number; count: number; warned: boolean }>();
  const now = options.now ?? Date.now;
  return async (ctx, next) => {
    const id = ctx.from?.id;
    if (id === undefined) return next();
    const time = now();
    let window = windows.get(id);
    if (!window || time - window.start >= options.windowMs) {
      window = { start: time, count: 0, warned: false };
      windows.set(id, window);
      if (windows.size > 10_000) {
        for (const [key, value] of windows) if (time - value.start >= options.windowMs) windows.delete(key);
      }
    }
    window.count += 1;
    if (window.count <= options.max) return next();
    const t = locales[languageFromTelegram(ctx.from?.language_code, 'ru')];
    if (ctx.callbackQuery) await answer(ctx, t.common.tooFast);
    else if (!window.warned && ctx.chat) await ctx.reply(t.common.tooFast).catch(() => undefined);
    window.warned = true;
  };
}

/**
 * Signs the sender in through POST /api/auth/telegram (cached per member) and sets ctx.member, ctx.memberApi,
 * ctx.lang and ctx.t. A banned member (403) gets one clear message and nothing else.
 */
export function authenticate(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    const fallback = ctx.deps.config.defaultLanguage;
    ctx.lang = languageFromTelegram(from?.language_code, fallback);
    ctx.t = locales[ctx.lang];
    if (!from || from.is_bot) return;
    const identity = { telegramId: from.id, username: from.username, language: ctx.lang };
    try {
      const session = await ctx.deps.strapi.signIn(identity);
      ctx.member = session.member;
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return tellBanned(ctx, error);
      ctx.deps.log?.('sign-in failed', error);
      await answer(ctx);
      if (ctx.message) await ctx.reply(ctx.t.common.error).catch(() => undefined);
      return;
    }
    ctx.memberApi = ctx.deps.strapi.forMember(identity);
    ctx.lang = ctx.member.language === 'en' ? 'en' : ctx.member.language === 'ru' ? 'ru' : ctx.lang;
    ctx.t = locales[ctx.lang];
    await next();
  };
}

/**
 * Tells a banned member so, with how to reach the staff: the contacts the API's 403 carries (`details.contacts`,
 * `details.supportChatUrl`), else the bot's own BOT_INFO_CONTACTS. A button press also gets the short alert.
 */
export async function tellBanned(ctx: BotContext, error: ApiError): Promise<void> {
  const fromApi = [error.details.contacts, error.details.supportChatUrl].filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const own = ctx.deps.config.info.contacts;
  const contacts = fromApi.length > 0 ? fromApi : own && own !== '—' ? [own] : [];
  await answer(ctx, ctx.t.common.banned, true);
  const text = contacts.length > 0 ? `${ctx.t.common.banned}\n${ctx.t.common.staffContacts(contacts.join('\n'))}` : ctx.t.common.banned;
  if (ctx.chat) await ctx.reply(text).catch(() => undefined);
}

/** The member's sign-in may have changed (profile saved, language switched): re-read the cached one. */
export async function refreshMember(ctx: BotContext): Promise<void> {
  const from = ctx.from!;
  ctx.member = (await ctx.deps.strapi.signIn({ telegramId: from.id, username: from.username, language: ctx.lang })).member;
  ctx.lang = ctx.member.language === 'en' ? 'en' : 'ru';
  ctx.t = locales[ctx.lang];
}
