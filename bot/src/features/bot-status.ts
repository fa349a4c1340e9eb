/**
 * Telegram's `my_chat_member` updates in private chats: the member blocked the bot ("kicked") or started it
 * again ("member"). The API marks or clears `botBlocked`, so notifications stop at once instead of after a
 * failed send, and resume without waiting for the member's next message. Runs before the sign-in, which would
 * otherwise clear the mark it is about to set.
 */
import { Composer } from 'grammy';
import type { BotContext } from '../context';

export const botStatusFeature = new Composer<BotContext>();

botStatusFeature.chatType('private').on('my_chat_member', async (ctx) => {
  const status = ctx.myChatMember.new_chat_member.status;
  if (status !== 'kicked' && status !== 'member') return;
  const blocked = status === 'kicked';
  // A cached sign-in would skip the next sign-in, which is what clears the mark when the member writes again.
  if (blocked) ctx.deps.strapi.forget(ctx.from.id);
  const known = await ctx.deps.strapi.reportBotStatus(ctx.from.id, blocked);
  if (!known) ctx.deps.log?.(`my_chat_member: no member for Telegram id ${ctx.from.id}`);
});
