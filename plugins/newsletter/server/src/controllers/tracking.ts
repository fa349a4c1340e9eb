/**
 * Public e-mail tracking routes (routes/content-api.ts, docs/NEWSLETTERS.md, E-mail). Thin: the tracking service
 * checks the signed token and writes; these answer.
 *
 * - GET /api/newsletter/o/:token → the 43-byte transparent GIF, never cached (404 for a token that is not ours).
 * - GET /api/newsletter/c/:token?l=<n> → 302 to link n of that delivery's newsletter; a malformed `l` is a 400,
 *   a wrong signature, another link number or an unknown delivery a 404, never a redirect.
 * - GET /api/newsletter/u/:token → a small page (ru + en) with a button that POSTs back.
 *   An invalid token is a 404: a page for a browser (Accept: text/html), Strapi's error envelope for anyone else.
 * - POST /api/newsletter/u/:token → clears the marketing consent (RFC 8058 one-click with the body
 *   `List-Unsubscribe=One-Click`, or the page's form) and answers 200 with a page; idempotent.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { escapeHtml } from '../domain/email-render';
import { parseLinkNumber } from '../domain/tracking-token';
import { clientIp, sendError } from '../http';

/** A 1×1 transparent GIF89a (43 bytes). */
export const PIXEL = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

interface TrackingService {
  open(token: string): Promise<boolean>;
  click(token: string, link: number): Promise<{ url: string } | null>;
  checkUnsubscribe(token: string): Promise<{ kind: 'invalid' } | { kind: 'test' } | { kind: 'member'; subscribed: boolean }>;
  unsubscribe(token: string, meta: { ip?: string | null }): Promise<{ kind: 'invalid' } | { kind: 'test' } | { kind: 'unsubscribed'; changed: boolean }>;
}

const noStore = (ctx: Context) => {
  ctx.set('Cache-Control', 'no-store, no-cache, must-revalidate, private, max-age=0');
  ctx.set('Pragma', 'no-cache');
  ctx.set('Expires', '0');
};

const PAGE_TEXT = {
  confirm: {
    title: 'Отписка от рассылок · Unsubscribe',
    ru: 'Отписаться от рассылок коворкинга? Служебные сообщения о ваших бронированиях будут приходить по-прежнему.',
    en: 'Unsubscribe from the coworking space’s newsletters? Service messages about your bookings will still arrive.',
    button: 'Отписаться · Unsubscribe',
  },
  already: {
    title: 'Вы отписаны · You are unsubscribed',
    ru: 'Вы уже отписаны от рассылок. Подписаться снова можно в профиле в боте.',
    en: 'You are already unsubscribed from newsletters. You can subscribe again in your profile in the bot.',
  },
  done: {
    title: 'Вы отписаны · You are unsubscribed',
    ru: 'Готово: вы больше не будете получать рассылки. Подписаться снова можно в профиле в боте.',
    en: 'Done: you will no longer receive newsletters. You can subscribe again in your profile in the bot.',
  },
  test: {
    title: 'Тестовое письмо · Test e-mail',
    ru: 'Это ссылка из тестового письма: ничего не изменилось.',
    en: 'This link comes from a test e-mail: nothing was changed.',
  },
  invalid: {
    title: 'Ссылка недействительна · Invalid link',
    ru: 'Ссылка для отписки недействительна. Откройте её из письма целиком или отпишитесь в профиле в боте.',
    en: 'This unsubscribe link is not valid. Open it from the e-mail in full, or unsubscribe in your profile in the bot.',
  },
} as const;

function page(ctx: Context, status: number, text: { title: string; ru: string; en: string; button?: string }) {
  const form = text.button
    ? `<form method="post" action="${escapeHtml(ctx.path)}"><input type="hidden" name="List-Unsubscribe" value="One-Click" />` +
      `<button type="submit">${escapeHtml(text.button)}</button></form>`
    : '';
  noStore(ctx);
  ctx.set('X-Robots-Tag', 'noindex');
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body =
    `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />` +
    `<meta name="robots" content="noindex" /><title>${escapeHtml(text.title)}</title>` +
    `<style>body{font-family:Arial,Helvetica,sans-serif;max-width:520px;margin:48px auto;padding:0 16px;color:#18181b;line-height:1.5}` +
    `button{font-size:16px;padding:10px 18px;border:0;border-radius:6px;background:#2f6fed;color:#fff;cursor:pointer}p.en{color:#52525b}</style></head>` +
    `<body><h1>${escapeHtml(text.title)}</h1><p lang="ru">${escapeHtml(text.ru)}</p><p class="en" lang="en">${escapeHtml(text.en)}</p>${form}</body></html>`;
}

/** A refused unsubscribe token: the page for browsers, the error envelope for mail clients and scripts. */
function invalidLink(ctx: Context) {
  if (ctx.accepts('json', 'html') === 'html') return page(ctx, 404, PAGE_TEXT.invalid);
  return sendError(ctx, 404, 'This unsubscribe link is not valid');
}

const tokenOf = (ctx: Context): string => String((ctx.params as { token?: unknown }).token ?? '');

const service = (strapi: Core.Strapi) => strapi.plugin('newsletter').service('tracking') as TrackingService;

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async open(ctx: Context) {
    const ok = await service(strapi).open(tokenOf(ctx));
    if (!ok) return sendError(ctx, 404, 'Not found');
    noStore(ctx);
    ctx.status = 200;
    ctx.type = 'image/gif';
    ctx.body = PIXEL;
  },

  async click(ctx: Context) {
    const raw = (ctx.query as Record<string, unknown>).l;
    const link = parseLinkNumber(raw);
    if (link === null) return sendError(ctx, 400, 'The link number is missing or malformed');
    const target = await service(strapi).click(tokenOf(ctx), link);
    if (!target) return sendError(ctx, 404, 'This link is not valid');
    noStore(ctx);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.status = 302;
    ctx.redirect(target.url);
  },

  async unsubscribePage(ctx: Context) {
    const check = await service(strapi).checkUnsubscribe(tokenOf(ctx));
    if (check.kind === 'invalid') return invalidLink(ctx);
    if (check.kind === 'test') return page(ctx, 200, PAGE_TEXT.test);
    return page(ctx, 200, check.subscribed ? PAGE_TEXT.confirm : PAGE_TEXT.already);
  },

  async unsubscribe(ctx: Context) {
    const result = await service(strapi).unsubscribe(tokenOf(ctx), { ip: clientIp(ctx) });
    if (result.kind === 'invalid') return invalidLink(ctx);
    if (result.kind === 'test') return page(ctx, 200, PAGE_TEXT.test);
    return page(ctx, 200, result.changed ? PAGE_TEXT.done : PAGE_TEXT.already);
  },
});
