/** /start [referral code], the welcome and the registration: consent → full name → phone → e-mail. */
import { Composer, InlineKeyboard, Keyboard } from 'grammy';
import { normaliseRussianPhone, profileSchema } from '../../../types/contracts/member';
import type { BotContext } from '../context';
import { refreshMember } from '../middleware';
import { ApiError } from '../strapi-client';
import { answer, show, showMainMenu } from '../ui';

const REFERRAL_CODE = /^[A-Za-z0-9_-]{6,32}$/;

export const startFeature = new Composer<BotContext>();
const privateChats = startFeature.chatType('private');

privateChats.command('start', async (ctx) => {
  ctx.session.step = undefined;
  ctx.session.booking = undefined;
  ctx.session.ticket = undefined;
  if (ctx.member.isRegistered) {
    await ctx.reply(ctx.t.start.welcomeBack(ctx.member.fullName ?? ''), { reply_markup: { remove_keyboard: true } });
    await showMainMenu(ctx);
    return;
  }
  const payload = ctx.match.trim();
  ctx.session.reg = { referralCode: REFERRAL_CODE.test(payload) ? payload : ctx.session.reg?.referralCode };
  await ctx.reply(ctx.t.start.welcome, {
    reply_markup: new InlineKeyboard().text(ctx.t.start.register, 'reg:start').row().text(ctx.t.menu.info, 'menu:info'),
  });
});

privateChats.callbackQuery('reg:start', async (ctx) => {
  await answer(ctx);
  if (ctx.member.isRegistered) return showMainMenu(ctx);
  await show(
    ctx,
    ctx.t.start.consent(ctx.deps.config.rulesUrl),
    new InlineKeyboard().text(ctx.t.start.accept, 'reg:accept').row().url(ctx.t.start.readRules, ctx.deps.config.rulesUrl),
  );
});

privateChats.callbackQuery('reg:accept', async (ctx) => {
  await answer(ctx);
  if (ctx.member.isRegistered) return showMainMenu(ctx);
  ctx.session.reg = { referralCode: ctx.session.reg?.referralCode };
  ctx.session.step = 'reg:name';
  await show(ctx, ctx.t.start.askName);
});

async function askPhone(ctx: BotContext) {
  ctx.session.step = 'reg:phone';
  await ctx.reply(ctx.t.start.askPhone, {
    reply_markup: new Keyboard().requestContact(ctx.t.start.sharePhone).resized().oneTime(),
  });
}

async function acceptPhone(ctx: BotContext, raw: string) {
  const phone = normaliseRussianPhone(raw);
  if (phone === null) {
    await ctx.reply(ctx.t.start.badPhone);
    return askPhone(ctx);
  }
  ctx.session.reg = { ...ctx.session.reg, phone };
  ctx.session.step = 'reg:email';
  await ctx.reply(ctx.t.start.askEmail, { reply_markup: { remove_keyboard: true } });
}

privateChats.on('message:contact', async (ctx, next) => {
  if (ctx.session.step !== 'reg:phone') return next();
  const contact = ctx.message.contact;
  // Only the member's own number: a forwarded contact card is someone else's.
  if (contact.user_id !== undefined && contact.user_id !== ctx.from.id) {
    await ctx.reply(ctx.t.start.badPhone);
    return askPhone(ctx);
  }
  await acceptPhone(ctx, contact.phone_number.startsWith('+') ? contact.phone_number : `+${contact.phone_number}`);
});

privateChats.on('message:text', async (ctx, next) => {
  const step = ctx.session.step;
  if (step !== 'reg:name' && step !== 'reg:phone' && step !== 'reg:email') return next();
  if (ctx.member.isRegistered) {
    ctx.session.step = undefined;
    return showMainMenu(ctx);
  }
  const text = ctx.message.text;
  if (step === 'reg:name') {
    const parsed = profileSchema.shape.fullName.safeParse(text);
    if (!parsed.success) {
      await ctx.reply(ctx.t.start.badName(parsed.error.issues[0].message));
      await ctx.reply(ctx.t.start.askName);
      return;
    }
    ctx.session.reg = { ...ctx.session.reg, fullName: parsed.data };
    return askPhone(ctx);
  }
  if (step === 'reg:phone') return acceptPhone(ctx, text);

  const email = profileSchema.shape.email.safeParse(text);
  if (!email.success) {
    await ctx.reply(ctx.t.start.badEmail);
    await ctx.reply(ctx.t.start.askEmail);
    return;
  }
  const reg = ctx.session.reg ?? {};
  if (!reg.fullName) {
    ctx.session.step = 'reg:name';
    return void (await ctx.reply(ctx.t.start.askName));
  }
  if (!reg.phone) return askPhone(ctx);
  try {
    await ctx.memberApi.updateProfile({
      fullName: reg.fullName,
      phone: reg.phone,
      email: email.data,
      consentTerms: true,
      language: ctx.lang,
      ...(reg.referralCode ? { referralCode: reg.referralCode } : {}),
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) {
      const problems = (error.details.errors as { path?: string[] }[] | undefined) ?? [];
      const field = problems[0]?.path?.[0];
      if (field === 'referralCode') {
        // A malformed code from a link is not the member's fault: register without it.
        ctx.session.reg = { ...reg, referralCode: undefined };
        return ctx.reply(ctx.t.common.error);
      }
      if (field === 'fullName') {
        ctx.session.step = 'reg:name';
        return ctx.reply(ctx.t.start.askName);
      }
      if (field === 'phone') return askPhone(ctx);
      await ctx.reply(ctx.t.start.badEmail);
      return ctx.reply(ctx.t.start.askEmail);
    }
    if (error instanceof ApiError && error.status === 409 && error.reason === 'email_taken') {
      await ctx.reply(ctx.t.start.emailTaken);
      return ctx.reply(ctx.t.start.askEmail);
    }
    throw error;
  }
  ctx.session.step = undefined;
  ctx.session.reg = undefined;
  await refreshMember(ctx);
  await ctx.reply(ctx.t.start.done(reg.fullName));
  await showMainMenu(ctx);
});
