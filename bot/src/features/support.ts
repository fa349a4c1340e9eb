/**
 * Support: a ticket with text and up to 5 photos (downloaded from Telegram with getFile, uploaded to
 * POST /api/tickets as multipart), my tickets with their status, and a reply to a ticket.
 */
import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext } from '../context';
import { ApiError } from '../strapi-client';
import { answer, requireRegistered, show } from '../ui';

export const supportFeature = new Composer<BotContext>();
const MAX_PHOTOS = 5;

async function supportMenu(ctx: BotContext) {
  if (!(await requireRegistered(ctx))) return;
  ctx.session.step = undefined;
  ctx.session.ticket = undefined;
  const s = ctx.t.support;
  await show(ctx, s.menu, new InlineKeyboard().text(s.create, 'sp:new').row().text(s.mine, 'sp:mine').row().text(ctx.t.common.mainMenu, 'menu:home'));
}

supportFeature.command('support', supportMenu);
supportFeature.callbackQuery('menu:support', async (ctx) => {
  await answer(ctx);
  await supportMenu(ctx);
});

supportFeature.callbackQuery('sp:new', async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  ctx.session.ticket = { photos: [] };
  ctx.session.step = 'ticket:body';
  await show(ctx, ctx.t.support.askBody, new InlineKeyboard().text(ctx.t.common.cancel, 'menu:support'));
});

const sendKeyboard = (ctx: BotContext) => new InlineKeyboard().text(ctx.t.support.send, 'sp:send').text(ctx.t.common.cancel, 'menu:support');

supportFeature.on('message:text', async (ctx, next) => {
  const step = ctx.session.step;
  if (step !== 'ticket:body' && step !== 'ticket:reply') return next();
  const text = ctx.message.text.trim();
  if (text.startsWith('/')) return next();
  if (step === 'ticket:reply') {
    const ticketId = ctx.session.ticket?.replyTo;
    if (!ticketId) return next();
    await ctx.memberApi.replyToTicket(ticketId, text.slice(0, 4000));
    ctx.session.step = undefined;
    ctx.session.ticket = undefined;
    await ctx.reply(ctx.t.support.replied, { reply_markup: new InlineKeyboard().text(ctx.t.support.mine, 'sp:mine') });
    return;
  }
  if (text.length < 10 || text.length > 1000) return void (await ctx.reply(`${ctx.t.support.badBody}\n${ctx.t.support.askBody}`));
  ctx.session.ticket = { body: text, photos: [] };
  ctx.session.step = 'ticket:photos';
  await ctx.reply(ctx.t.support.askPhotos, { reply_markup: sendKeyboard(ctx) });
});

supportFeature.on('message:photo', async (ctx, next) => {
  if (ctx.session.step !== 'ticket:photos' || !ctx.session.ticket) return next();
  const ticket = ctx.session.ticket;
  if (ticket.photos.length >= MAX_PHOTOS) return void (await ctx.reply(ctx.t.support.tooManyPhotos, { reply_markup: sendKeyboard(ctx) }));
  const largest = ctx.message.photo[ctx.message.photo.length - 1];
  ticket.photos.push(largest.file_id);
  await ctx.reply(ctx.t.support.photoAdded(ticket.photos.length), { reply_markup: sendKeyboard(ctx) });
});

async function download(ctx: BotContext, fileId: string) {
  const file = await ctx.api.getFile(fileId);
  const { apiRoot, botToken } = ctx.deps.config;
  const res = await fetch(`${apiRoot}/file/bot${botToken}/${file.file_path}`);
  if (!res.ok) throw new Error(`download of ${fileId} failed: ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ext = (file.file_path ?? '').split('.').pop()?.toLowerCase() ?? 'jpg';
  const type = ext === 'png' ? 'image/png' : ext === 'webp' ? 'image/webp' : ext === 'gif' ? 'image/gif' : 'image/jpeg';
  return { bytes, name: `photo-${file.file_unique_id}.${ext}`, type };
}

supportFeature.callbackQuery('sp:send', async (ctx) => {
  const ticket = ctx.session.ticket;
  if (ctx.session.step !== 'ticket:photos' || !ticket?.body) return answer(ctx, ctx.t.common.outdated);
  await answer(ctx);
  try {
    const photos = [];
    for (const fileId of ticket.photos) photos.push(await download(ctx, fileId));
    const subject = ticket.body.replace(/\s+/g, ' ').trim().slice(0, 80);
    const created = await ctx.memberApi.createTicket({ subject, body: ticket.body, photos });
    ctx.session.step = undefined;
    ctx.session.ticket = undefined;
    await show(ctx, ctx.t.support.created(created.documentId), new InlineKeyboard().text(ctx.t.support.mine, 'sp:mine').row().text(ctx.t.common.mainMenu, 'menu:home'));
  } catch (error) {
    ctx.deps.log?.('ticket creation failed', error);
    await ctx.reply(error instanceof ApiError && error.status === 422 ? (error.body?.error?.message ?? ctx.t.support.unavailable) : ctx.t.support.unavailable);
  }
});

supportFeature.callbackQuery('sp:mine', async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  let tickets;
  try {
    tickets = await ctx.memberApi.myTickets();
  } catch (error) {
    ctx.deps.log?.('tickets list failed', error);
    return void (await ctx.reply(ctx.t.support.unavailable));
  }
  const s = ctx.t.support;
  const keyboard = new InlineKeyboard();
  if (tickets.length === 0) return show(ctx, s.none, keyboard.text(s.create, 'sp:new').row().text(ctx.t.common.mainMenu, 'menu:home'));
  const lines = tickets.slice(0, 10).map((ticket, i) => {
    const text = (ticket.subject || ticket.body || '').slice(0, 50);
    return `${i + 1}. ${s.status[ticket.status] ?? ticket.status} — ${text}`;
  });
  tickets.slice(0, 10).forEach((ticket, i) => {
    if (ticket.status !== 'closed') keyboard.text(`${s.reply} №${i + 1}`, `sp:r:${ticket.documentId}`).row();
  });
  keyboard.text(ctx.t.common.mainMenu, 'menu:home');
  await show(ctx, [s.list, ...lines].join('\n'), keyboard);
});

supportFeature.callbackQuery(/^sp:r:([a-z0-9]{24})$/, async (ctx) => {
  await answer(ctx);
  if (!(await requireRegistered(ctx))) return;
  ctx.session.ticket = { photos: [], replyTo: ctx.match[1] };
  ctx.session.step = 'ticket:reply';
  await ctx.reply(ctx.t.support.askReply, { reply_markup: new InlineKeyboard().text(ctx.t.common.cancel, 'menu:support') });
});
