import { randomBytes } from 'crypto';
import { InlineKeyboard, type Context } from 'grammy';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { BotContext } from './context';
import type { Slot } from './strapi-client';

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** Kopecks as roubles: 150000 → "1 500 ₽", 150050 → "1 500,50 ₽". */
export function money(kopecks: number, lang: 'ru' | 'en' = 'ru'): string {
  const roubles = kopecks / 100;
  const text = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'ru-RU', {
    minimumFractionDigits: Number.isInteger(roubles) ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(roubles);
  return `${text.replace(/\u00a0|\u202f/g, ' ')} ₽`;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The instant of local midnight of `date` in `timeZone`. */
export function localMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(ms));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - ms;
  };
  let instant = guess - offsetAt(guess);
  instant = guess - offsetAt(instant);
  return new Date(instant);
}

export function clock(instant: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));
}

/** "26.11" */
export function dayMonth(date: string): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}`;
}

export function describeInterval(startAt: string, endAt: string, billingUnit: string, timeZone: string): string {
  const date = dayMonth(localDate(new Date(startAt), timeZone));
  if (billingUnit === 'hour') return `${date} ${clock(startAt, timeZone)}–${clock(endAt, timeZone)}`;
  const last = localDate(new Date(new Date(endAt).getTime() - 1), timeZone);
  const lastLabel = dayMonth(last);
  return lastLabel === date ? date : `${date}–${lastLabel}`;
}

export const HOUR_MS = 3600_000;

/** A random tag for a multi-step flow's buttons: a button whose tag is not the session's is outdated. */
export const newFlow = (): string => randomBytes(3).toString('hex');

/** The next `config.bookingDays` dates as buttons, two a row; `data` makes each button's callback data. */
export function dateKeyboard(ctx: BotContext, data: (date: string) => string): InlineKeyboard {
  const { timeZone, bookingDays } = ctx.deps.config;
  const today = localDate(ctx.deps.now?.() ?? new Date(), timeZone);
  const keyboard = new InlineKeyboard();
  for (let offset = 0; offset < bookingDays; offset += 1) {
    const date = addDays(today, offset);
    const label = offset === 0 ? `${ctx.t.booking.today} (${dayMonth(date)})` : offset === 1 ? `${ctx.t.booking.tomorrow} (${dayMonth(date)})` : dayMonth(date);
    keyboard.text(label, data(date));
    if (offset % 2 === 1) keyboard.row();
  }
  return keyboard;
}

/** A slot's start in callback data: minutes since the epoch in base 36 (short, within the 64-byte limit). */
const slotKey = (startAt: string): string => Math.floor(Date.parse(startAt) / 60_000).toString(36);
export const slotStart = (key: string): number => parseInt(key, 36) * 60_000;

/** Start times as buttons, four a row; `data` makes each button's callback data from its `slotKey`. */
export function timeKeyboard(slots: Slot[], timeZone: string, data: (key: string) => string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  slots.forEach((slot, index) => {
    keyboard.text(clock(slot.startAt, timeZone), data(slotKey(slot.startAt)));
    if (index % 4 === 3) keyboard.row();
  });
  return keyboard;
}

/** Free consecutive hours from `slots[first]` on (0 when that slot is taken): how long a booking there may last. */
export function freeHoursFrom(slots: Slot[], first: number): number {
  let hours = 0;
  for (let i = first; i < slots.length && slots[i].free; i += 1) {
    if (i > first && slots[i].startAt !== slots[i - 1].endAt) break;
    hours += Math.max(1, Math.round((Date.parse(slots[i].endAt) - Date.parse(slots[i].startAt)) / HOUR_MS));
  }
  return hours;
}

/** Edits the message a pressed button belongs to, or sends a new one for a typed message. */
export async function show(ctx: BotContext, text: string, markup?: Markup): Promise<void> {
  const message = ctx.callbackQuery?.message;
  const inline = markup === undefined || 'inline_keyboard' in markup;
  if (message && inline) {
    try {
      await ctx.editMessageText(text, { reply_markup: markup as InlineKeyboardMarkup | undefined, link_preview_options: { is_disabled: true } });
      return;
    } catch (error) {
      if (String((error as Error).message).includes('message is not modified')) return;
      // The message may be too old or gone: send a new one instead.
    }
  }
  await ctx.reply(text, { reply_markup: markup, link_preview_options: { is_disabled: true } });
}

/** Answers a pressed button (once) with an optional short note. */
export async function answer(ctx: Context, text?: string, alert = false): Promise<void> {
  if (!ctx.callbackQuery) return;
  try {
    await ctx.answerCallbackQuery(text ? { text, show_alert: alert } : undefined);
  } catch {
    // Answered already, or too old: nothing to do.
  }
}

export function mainMenuKeyboard(ctx: BotContext): InlineKeyboard {
  const m = ctx.t.menu;
  return new InlineKeyboard()
    .text(m.book, 'menu:book')
    .text(m.myBookings, 'menu:mine')
    .row()
    .text(m.support, 'menu:support')
    .text(m.profile, 'menu:profile')
    .row()
    .text(m.invite, 'menu:invite')
    .text(m.info, 'menu:info');
}

export async function showMainMenu(ctx: BotContext, prefix?: string): Promise<void> {
  await show(ctx, prefix ? `${prefix}\n\n${ctx.t.menu.title}` : ctx.t.menu.title, mainMenuKeyboard(ctx));
}

/** Registered members only; others are sent to /start. Returns false when the update was answered here. */
export async function requireRegistered(ctx: BotContext): Promise<boolean> {
  if (ctx.member?.isRegistered) return true;
  await answer(ctx);
  await ctx.reply(ctx.t.common.needRegistration);
  return false;
}
