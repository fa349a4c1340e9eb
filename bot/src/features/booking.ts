/**
 * Booking: tariff → date → time (hourly tariffs) → duration → promo code → summary with the quote → confirm.
 * A session-driven state machine: the draft lives in the session (memory or Redis), every button carries the
 * draft's `flow` tag, so a button of an older message is answered with a short note instead of acting.
 */
import { randomUUID } from 'crypto';
import { Composer, InlineKeyboard } from 'grammy';
import type { BookingDraft, BotContext } from '../context';
import { ApiError, type Booking, type Slot, type Tariff } from '../strapi-client';
import {
  answer,
  clock,
  dateKeyboard,
  dayMonth,
  freeHoursFrom,
  HOUR_MS,
  localMidnight,
  money,
  newFlow,
  requireRegistered,
  show,
  showMainMenu,
  slotStart,
  timeKeyboard,
} from '../ui';

export const bookingFeature = new Composer<BotContext>();

const data = (draft: BookingDraft, action: string, arg = '') => `bk:${draft.flow}:${action}${arg ? `:${arg}` : ''}`;

function navRow(keyboard: InlineKeyboard, ctx: BotContext, draft: BookingDraft, back = true) {
  keyboard.row();
  if (back) keyboard.text(ctx.t.common.back, data(draft, 'back'));
  return keyboard.text(ctx.t.common.cancel, data(draft, 'x'));
}

async function trialAllowed(ctx: BotContext): Promise<boolean> {
  const successful = await ctx.memberApi.myBookings({ status: 'confirmed,completed', pageSize: 1 });
  return successful.length === 0;
}

async function showTariffs(ctx: BotContext, draft: BookingDraft, prefix?: string) {
  draft.stage = 'tariff';
  const tariffs = await ctx.deps.strapi.getTariffs();
  // The member's bookings are asked for only when there is a trial tariff to hide.
  const trial = tariffs.some((tariff) => tariff.trialOnce) ? await trialAllowed(ctx) : true;
  const visible = tariffs.filter((tariff) => trial || !tariff.trialOnce);
  if (visible.length === 0) {
    ctx.session.booking = undefined;
    return showMainMenu(ctx, ctx.t.booking.noTariffs);
  }
  const keyboard = new InlineKeyboard();
  for (const tariff of visible) {
    keyboard.text(`${tariff.name} — ${tariff.price === 0 ? ctx.t.booking.free : money(tariff.price, ctx.lang)}`, data(draft, 't', tariff.documentId)).row();
  }
  keyboard.text(ctx.t.common.cancel, data(draft, 'x'));
  await show(ctx, prefix ? `${prefix}\n\n${ctx.t.booking.chooseTariff}` : ctx.t.booking.chooseTariff, keyboard);
}

async function showDates(ctx: BotContext, draft: BookingDraft, prefix?: string) {
  draft.stage = 'date';
  const keyboard = dateKeyboard(ctx, (date) => data(draft, 'd', date));
  navRow(keyboard, ctx, draft);
  const text = ctx.t.booking.chooseDate(draft.tariffName ?? '');
  await show(ctx, prefix ? `${prefix}\n\n${text}` : text, keyboard);
}

async function freeSlots(ctx: BotContext, draft: BookingDraft): Promise<Slot[]> {
  const availability = await ctx.deps.strapi.getAvailability(draft.tariff!, draft.date!);
  return 'slots' in availability ? availability.slots : [];
}

async function showTimes(ctx: BotContext, draft: BookingDraft, prefix?: string) {
  draft.stage = 'time';
  const slots = (await freeSlots(ctx, draft)).filter((slot) => slot.free);
  const { timeZone } = ctx.deps.config;
  if (slots.length === 0) {
    return showDates(ctx, draft, prefix ? `${prefix}\n\n${ctx.t.booking.noSlots}` : ctx.t.booking.noSlots);
  }
  const keyboard = timeKeyboard(slots, timeZone, (key) => data(draft, 's', key));
  navRow(keyboard, ctx, draft);
  const text = ctx.t.booking.chooseTime(dayMonth(draft.date!));
  await show(ctx, prefix ? `${prefix}\n\n${text}` : text, keyboard);
}

async function showUnits(ctx: BotContext, draft: BookingDraft) {
  draft.stage = 'units';
  const min = draft.minUnits ?? 1;
  const max = Math.min(draft.unitsLimit ?? draft.maxUnits ?? 1, draft.billingUnit === 'hour' ? 12 : 12);
  const keyboard = new InlineKeyboard();
  for (let units = min, i = 0; units <= max; units += 1, i += 1) {
    keyboard.text(draft.billingUnit === 'hour' ? ctx.t.booking.hours(units) : String(units), data(draft, 'u', String(units)));
    if (i % 4 === 3) keyboard.row();
  }
  navRow(keyboard, ctx, draft);
  const text = draft.billingUnit === 'hour' ? ctx.t.booking.chooseDuration : ctx.t.booking.chooseUnits(ctx.t.booking.units[draft.billingUnit ?? 'day']);
  await show(ctx, text, keyboard);
}

/** Whether the member picks a duration for this draft (otherwise the tariff's only length is used). */
const choosesUnits = (draft: BookingDraft) => (draft.unitsLimit ?? draft.maxUnits ?? 1) > (draft.minUnits ?? 1);

async function showPromo(ctx: BotContext, draft: BookingDraft, prefix?: string) {
  draft.stage = 'promo';
  draft.promocode = undefined;
  ctx.session.step = 'book:promo';
  const keyboard = new InlineKeyboard().text(ctx.t.booking.skipPromo, data(draft, 'skip'));
  navRow(keyboard, ctx, draft);
  await show(ctx, prefix ? `${prefix}\n\n${ctx.t.booking.askPromo}` : ctx.t.booking.askPromo, keyboard);
}

function whenText(ctx: BotContext, draft: BookingDraft): string {
  const { timeZone } = ctx.deps.config;
  const start = draft.startAt!;
  if (draft.billingUnit === 'hour') {
    const end = new Date(Date.parse(start) + (draft.units ?? 1) * HOUR_MS);
    return `${dayMonth(draft.date!)} ${clock(start, timeZone)}–${clock(end, timeZone)}`;
  }
  const unit = ctx.t.booking.units[draft.billingUnit ?? 'day'];
  return `${dayMonth(draft.date!)} (${draft.units} ${unit})`;
}

async function showSummary(ctx: BotContext, draft: BookingDraft, promocode?: string): Promise<void> {
  const request = { tariff: draft.tariff!, startAt: draft.startAt!, units: draft.units!, ...(promocode ? { promocode } : {}) };
  let quote;
  try {
    quote = await ctx.memberApi.quote(request);
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && promocode) {
      const reason = ctx.t.booking.promoReasons[error.reason ?? ''] ?? error.body?.error?.message ?? '';
      const keyboard = new InlineKeyboard().text(ctx.t.booking.skipPromo, data(draft, 'skip'));
      navRow(keyboard, ctx, draft);
      ctx.session.step = 'book:promo';
      await ctx.reply(ctx.t.booking.badPromo(reason), { reply_markup: keyboard });
      return;
    }
    throw error;
  }
  if (!quote.available) return offerFreshSlots(ctx, draft);
  ctx.session.step = undefined;
  draft.stage = 'summary';
  draft.promocode = promocode;
  draft.idempotencyKey = randomUUID();
  const b = ctx.t.booking;
  const lines = [b.summary, `${b.tariff}: ${draft.tariffName}`, `${b.when}: ${whenText(ctx, draft)}`, `${b.base}: ${money(quote.priceBase, ctx.lang)}`];
  for (const discount of quote.discounts) lines.push(`— ${discount.label}: −${money(discount.amount, ctx.lang)}`);
  lines.push(`${b.total}: ${quote.priceTotal === 0 ? b.free : money(quote.priceTotal, ctx.lang)}`);
  const keyboard = new InlineKeyboard().text(b.confirm, data(draft, 'ok'));
  navRow(keyboard, ctx, draft);
  await show(ctx, lines.join('\n'), keyboard);
}

async function offerFreshSlots(ctx: BotContext, draft: BookingDraft) {
  ctx.session.step = undefined;
  draft.startAt = undefined;
  draft.idempotencyKey = undefined;
  if (draft.billingUnit === 'hour') return showTimes(ctx, draft, ctx.t.booking.slotTaken);
  return showDates(ctx, draft, ctx.t.booking.dayFull);
}

/** What the member sees once the booking exists. */
export async function showBookingResult(ctx: BotContext, booking: Booking): Promise<void> {
  const b = ctx.t.booking;
  const keyboard = new InlineKeyboard();
  let text: string;
  if (booking.status === 'pending_payment') {
    const amount = money(booking.priceTotal, ctx.lang);
    if (booking.payment?.confirmationUrl) {
      text = b.pendingPayment(amount);
      keyboard.url(b.pay(amount), booking.payment.confirmationUrl);
    } else {
      text = b.noPaymentLink;
      keyboard.text(b.getLink, `my:pay:${booking.documentId}`);
    }
  } else if (booking.status === 'awaiting_confirmation') {
    text = b.awaiting;
  } else {
    text = b.confirmed;
  }
  keyboard.row().text(ctx.t.common.mainMenu, 'menu:home');
  await show(ctx, text, keyboard);
}

async function confirm(ctx: BotContext, draft: BookingDraft) {
  draft.idempotencyKey ??= randomUUID();
  const request = { tariff: draft.tariff!, startAt: draft.startAt!, units: draft.units!, ...(draft.promocode ? { promocode: draft.promocode } : {}) };
  let booking: Booking;
  try {
    booking = await ctx.memberApi.createBooking(request, draft.idempotencyKey);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      if (error.reason === 'trial_used') {
        draft.idempotencyKey = undefined;
        return showTariffs(ctx, draft, ctx.t.booking.trialUsed);
      }
      if (error.reason === 'too_many_unpaid_holds') {
        draft.idempotencyKey = undefined;
        return void (await ctx.reply(ctx.t.booking.tooManyUnpaid));
      }
      return offerFreshSlots(ctx, draft);
    }
    if (error instanceof ApiError && error.status === 422 && draft.promocode) {
      return showPromo(ctx, draft, ctx.t.booking.badPromo(ctx.t.booking.promoReasons[error.reason ?? ''] ?? error.body?.error?.message ?? ''));
    }
    throw error;
  }
  // Kept as "done" with its key: a second press of Confirm replays the same request and gets the same booking.
  draft.stage = 'done';
  draft.bookingId = booking.documentId;
  await showBookingResult(ctx, booking);
}

export async function startBooking(ctx: BotContext): Promise<void> {
  if (!(await requireRegistered(ctx))) return;
  ctx.session.step = undefined;
  const draft: BookingDraft = { flow: newFlow(), stage: 'tariff' };
  ctx.session.booking = draft;
  await showTariffs(ctx, draft);
}

bookingFeature.command('book', startBooking);
bookingFeature.callbackQuery('menu:book', async (ctx) => {
  await answer(ctx);
  await startBooking(ctx);
});

bookingFeature.callbackQuery(/^bk:([0-9a-f]+):([a-z]+)(?::(.+))?$/, async (ctx) => {
  const [, flow, action, arg] = ctx.match;
  const draft = ctx.session.booking;
  if (!draft || draft.flow !== flow || (draft.stage === 'done' && action !== 'ok')) {
    return answer(ctx, ctx.t.common.outdated);
  }
  await answer(ctx);
  if (!ctx.member.isRegistered) return requireRegistered(ctx);

  switch (action) {
    case 'x':
      ctx.session.booking = undefined;
      ctx.session.step = undefined;
      return showMainMenu(ctx, ctx.t.common.cancelled);
    case 'back':
      ctx.session.step = undefined;
      switch (draft.stage) {
        case 'date':
          return showTariffs(ctx, draft);
        case 'time':
          return showDates(ctx, draft);
        case 'units':
          return draft.billingUnit === 'hour' ? showTimes(ctx, draft) : showDates(ctx, draft);
        case 'promo':
          if (choosesUnits(draft)) return showUnits(ctx, draft);
          return draft.billingUnit === 'hour' ? showTimes(ctx, draft) : showDates(ctx, draft);
        case 'summary':
          return showPromo(ctx, draft);
        default:
          return showMainMenu(ctx);
      }
    case 't': {
      if (draft.stage !== 'tariff') return;
      const tariff = (await ctx.deps.strapi.getTariffs()).find((candidate: Tariff) => candidate.documentId === arg);
      if (!tariff) return showTariffs(ctx, draft);
      Object.assign(draft, {
        tariff: tariff.documentId,
        tariffName: tariff.name,
        billingUnit: tariff.billingUnit,
        minUnits: tariff.minUnits,
        maxUnits: tariff.maxUnits,
        unitsLimit: undefined,
      });
      return showDates(ctx, draft);
    }
    case 'd': {
      if (draft.stage !== 'date' || !/^\d{4}-\d{2}-\d{2}$/.test(arg ?? '')) return;
      draft.date = arg;
      if (draft.billingUnit === 'hour') return showTimes(ctx, draft);
      const availability = await ctx.deps.strapi.getAvailability(draft.tariff!, draft.date);
      if ('free' in availability && availability.free <= 0) return showDates(ctx, draft, ctx.t.booking.dayFull);
      draft.startAt = localMidnight(draft.date, ctx.deps.config.timeZone).toISOString();
      draft.unitsLimit = draft.maxUnits;
      if (choosesUnits(draft)) return showUnits(ctx, draft);
      draft.units = draft.minUnits ?? 1;
      return showPromo(ctx, draft);
    }
    case 's': {
      if (draft.stage !== 'time' || !arg) return;
      const startMs = slotStart(arg);
      const slots = await freeSlots(ctx, draft);
      const first = slots.findIndex((slot) => Date.parse(slot.startAt) === startMs);
      if (first < 0 || !slots[first].free) return showTimes(ctx, draft, ctx.t.booking.slotTaken);
      // Free consecutive hours from the chosen start bound the duration.
      const limit = freeHoursFrom(slots, first);
      draft.startAt = new Date(startMs).toISOString();
      draft.unitsLimit = Math.max(draft.minUnits ?? 1, Math.min(limit, draft.maxUnits ?? 1));
      if (choosesUnits(draft)) return showUnits(ctx, draft);
      draft.units = draft.minUnits ?? 1;
      return showPromo(ctx, draft);
    }
    case 'u': {
      const units = Number(arg);
      if (draft.stage !== 'units' || !Number.isInteger(units) || units < (draft.minUnits ?? 1) || units > (draft.unitsLimit ?? 1)) return;
      draft.units = units;
      return showPromo(ctx, draft);
    }
    case 'skip':
      if (draft.stage !== 'promo') return;
      return showSummary(ctx, draft);
    case 'ok':
      if (draft.stage !== 'summary' && draft.stage !== 'done') return;
      return confirm(ctx, draft);
    default:
      return;
  }
});

bookingFeature.on('message:text', async (ctx, next) => {
  const draft = ctx.session.booking;
  if (ctx.session.step !== 'book:promo' || !draft || draft.stage !== 'promo') return next();
  const code = ctx.message.text.trim();
  if (code.startsWith('/')) return next();
  await showSummary(ctx, draft, code.slice(0, 64));
});
