/** The main menu, Info and Invite friends. */
import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext } from '../context';
import { answer, requireRegistered, show, showMainMenu } from '../ui';

export const menuFeature = new Composer<BotContext>();

menuFeature.command(['menu', 'cancel'], async (ctx) => {
  ctx.session.step = undefined;
  ctx.session.booking = undefined;
  ctx.session.ticket = undefined;
  if (!(await requireRegistered(ctx))) return;
  await showMainMenu(ctx);
});

menuFeature.callbackQuery('menu:home', async (ctx) => {
  await answer(ctx);
  ctx.session.step = undefined;
  if (!(await requireRegistered(ctx))) return;
  await showMainMenu(ctx);
});

menuFeature.callbackQuery('menu:info', async (ctx) => {
  await answer(ctx);
  const keyboard = new InlineKeyboard().url(ctx.t.start.readRules, ctx.deps.config.rulesUrl);
  if (ctx.member.isRegistered) keyboard.row().text(ctx.t.common.mainMenu, 'menu:home');
  await show(ctx, ctx.t.info(ctx.deps.config.info), keyboard);
});

export function inviteLink(botUsername: string, referralCode: string): string {
  return `https://t.me/${botUsername}?start=${referralCode}`;
}

async function invite(ctx: BotContext) {
  if (!(await requireRegistered(ctx))) return;
  const link = inviteLink(ctx.me.username, ctx.member.referralCode ?? '');
  const share = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(ctx.t.inviteText)}`;
  await show(
    ctx,
    ctx.t.invite(link),
    new InlineKeyboard().url(ctx.t.inviteShare, share).row().text(ctx.t.common.mainMenu, 'menu:home'),
  );
}

menuFeature.callbackQuery('menu:invite', async (ctx) => {
  await answer(ctx);
  await invite(ctx);
});
menuFeature.command('invite', invite);
