/** Profile: view, edit name / phone / e-mail, switch language, toggle newsletters. PUT /api/profile takes the full profile. */
import { Composer, InlineKeyboard } from 'grammy';
import { normaliseRussianPhone, profileSchema } from '../../../types/contracts/member';
import type { BotContext } from '../context';
import { refreshMember } from '../middleware';
import { ApiError, type ProfileBody } from '../strapi-client';
import { answer, requireRegistered, show } from '../ui';

export const profileFeature = new Composer<BotContext>();

async function showProfile(ctx: BotContext, prefix?: string) {
  if (!(await requireRegistered(ctx))) return;
  const p = ctx.t.profile;
  const m = ctx.member;
  const text = [
    ...(prefix ? [prefix, ''] : []),
    p.title,
    `${p.name}: ${m.fullName ?? '—'}`,
    `${p.phone}: ${m.phone ?? '—'}`,
    `${p.email}: ${m.email ?? '—'}`,
    `${p.language}: ${m.language === 'en' ? 'English' : 'Русский'}`,
    `${p.marketing}: ${m.consentMarketing ? p.yes : p.no}`,
  ].join('\n');
  const keyboard = new InlineKeyboard()
    .text(p.editName, 'pf:name')
    .text(p.editPhone, 'pf:phone')
    .text(p.editEmail, 'pf:email')
    .row()
    .text(p.switchLanguage, 'pf:lang')
    .text(p.toggleMarketing, 'pf:mkt')
    .row()
    .text(ctx.t.common.mainMenu, 'menu:home');
  await show(ctx, text, keyboard);
}

/** Saves the member's current profile with `change` applied. */
async function save(ctx: BotContext, change: Partial<ProfileBody>) {
  const m = ctx.member;
  await ctx.memberApi.updateProfile({
    fullName: m.fullName ?? '',
    phone: m.phone ?? '',
    email: m.email ?? '',
    consentTerms: true,
    consentMarketing: m.consentMarketing,
    language: m.language,
    ...change,
  });
  await refreshMember(ctx);
}

profileFeature.command('profile', (ctx) => showProfile(ctx));
profileFeature.callbackQuery('menu:profile', async (ctx) => {
  await answer(ctx);
  await showProfile(ctx);
});

profileFeature.callbackQuery(['pf:name', 'pf:phone', 'pf:email'], async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  const field = ctx.callbackQuery.data.slice(3) as 'name' | 'phone' | 'email';
  ctx.session.step = `profile:${field}`;
  const p = ctx.t.profile;
  await ctx.reply(field === 'name' ? p.askName : field === 'phone' ? p.askPhone : p.askEmail, {
    reply_markup: new InlineKeyboard().text(ctx.t.common.cancel, 'menu:profile'),
  });
});

profileFeature.callbackQuery('pf:lang', async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  await save(ctx, { language: ctx.member.language === 'en' ? 'ru' : 'en' });
  await showProfile(ctx, ctx.t.profile.saved);
});

profileFeature.callbackQuery('pf:mkt', async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  await save(ctx, { consentMarketing: !ctx.member.consentMarketing });
  await showProfile(ctx, ctx.t.profile.saved);
});

profileFeature.on('message:text', async (ctx, next) => {
  const step = ctx.session.step;
  if (step !== 'profile:name' && step !== 'profile:phone' && step !== 'profile:email') return next();
  const text = ctx.message.text;
  if (text.startsWith('/')) return next();
  let change: Partial<ProfileBody>;
  if (step === 'profile:name') {
    const parsed = profileSchema.shape.fullName.safeParse(text);
    if (!parsed.success) return void (await ctx.reply(`${ctx.t.start.badName(parsed.error.issues[0].message)}\n${ctx.t.profile.askName}`));
    change = { fullName: parsed.data };
  } else if (step === 'profile:phone') {
    const phone = normaliseRussianPhone(text);
    if (!phone) return void (await ctx.reply(`${ctx.t.start.badPhone}\n${ctx.t.profile.askPhone}`));
    change = { phone };
  } else {
    const parsed = profileSchema.shape.email.safeParse(text);
    if (!parsed.success) return void (await ctx.reply(`${ctx.t.start.badEmail}\n${ctx.t.profile.askEmail}`));
    change = { email: parsed.data };
  }
  try {
    await save(ctx, change);
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) return void (await ctx.reply(error.body?.error?.message ?? ctx.t.common.error));
    if (error instanceof ApiError && error.status === 409 && error.reason === 'email_taken') {
      return void (await ctx.reply(`${ctx.t.start.emailTaken}\n${ctx.t.profile.askEmail}`));
    }
    throw error;
  }
  ctx.session.step = undefined;
  await showProfile(ctx, ctx.t.profile.saved);
});
