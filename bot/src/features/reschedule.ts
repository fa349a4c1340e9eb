/**
 * Moving a booking (POST /api/bookings/:id/reschedule), started by the Move button of My bookings: date → start
 * time (hourly tariffs; day and month tariffs start at local midnight of the date) → "old → new" → confirm. The
 * booking keeps its tariff, resource and units, so only starts with room for all its units are offered. As in the
 * booking flow, every button carries the draft's `flow` tag, so buttons of an older message are answered with a
 * short note instead of acting.
 */
import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext, MoveDraft } from '../context';
import { ApiError, type Booking, type Slot } from '../strapi-client';
import {
  addDays,
  answer,
  dateKeyboard,
  dayMonth,
  describeInterval,
  freeHoursFrom,
  HOUR_MS,
  localMidnight,
  newFlow,
  requireRegistered,
  show,
  slotStart,
  timeKeyboard,
} from '../ui';
import { canReschedule, findUpcoming, showMyBookings } from './my-bookings';

export const rescheduleFeature = new Composer<BotContext>();

const data = (move: MoveDraft, action: string, arg = '') => `mv:${move.flow}:${action}${arg ? `:${arg}` : ''}`;
const withPrefix = (prefix: string | undefined, text: string) => (prefix ? `${prefix}\n\n${text}` : text);

function navRow(keyboard: InlineKeyboard, ctx: BotContext, move: MoveDraft) {
  return keyboard.row().text(ctx.t.common.back, data(move, 'back')).text(ctx.t.common.cancel, data(move, 'x'));
}

/** The slots a booking of `units` hours may start at: free, with enough free consecutive hours after them. */
export function fittingStarts(slots: Slot[], units: number): Slot[] {
  return slots.filter((_, index) => freeHoursFrom(slots, index) >= units);
}

const oldWhen = (ctx: BotContext, move: MoveDraft) => describeInterval(move.startAt, move.endAt, move.billingUnit, ctx.deps.config.timeZone);

/** The new interval as the confirmation shows it; month lengths vary, so a month booking shows its start and length. */
function newWhen(ctx: BotContext, move: MoveDraft): string {
  const { timeZone } = ctx.deps.config;
  const start = move.newStartAt!;
  if (move.billingUnit === 'hour') return describeInterval(start, new Date(Date.parse(start) + move.units * HOUR_MS).toISOString(), 'hour', timeZone);
  if (move.billingUnit === 'day') return describeInterval(start, localMidnight(addDays(move.date!, move.units), timeZone).toISOString(), 'day', timeZone);
  return `${dayMonth(move.date!)} (${move.units} ${ctx.t.booking.units.month})`;
}

async function showDates(ctx: BotContext, move: MoveDraft, prefix?: string) {
  move.stage = 'date';
  move.newStartAt = undefined;
  const keyboard = navRow(dateKeyboard(ctx, (date) => data(move, 'd', date)), ctx, move);
  await show(ctx, withPrefix(prefix, ctx.t.move.chooseDate(`${move.tariffName}, ${oldWhen(ctx, move)}`)), keyboard);
}

/** Starts on the chosen date that fit the booking, other than the one it has now. */
async function movableStarts(ctx: BotContext, move: MoveDraft): Promise<Slot[]> {
  const availability = await ctx.deps.strapi.getAvailability(move.tariff, move.date!);
  if (!('slots' in availability)) return [];
  return fittingStarts(availability.slots, move.units).filter((slot) => Date.parse(slot.startAt) !== Date.parse(move.startAt));
}

async function showTimes(ctx: BotContext, move: MoveDraft, prefix?: string) {
  move.stage = 'time';
  move.newStartAt = undefined;
  const starts = await movableStarts(ctx, move);
  if (starts.length === 0) return showDates(ctx, move, withPrefix(prefix, ctx.t.booking.noSlots));
  const keyboard = navRow(timeKeyboard(starts, ctx.deps.config.timeZone, (key) => data(move, 's', key)), ctx, move);
  await show(ctx, withPrefix(prefix, ctx.t.move.chooseTime(`${move.tariffName}, ${oldWhen(ctx, move)}`, dayMonth(move.date!))), keyboard);
}

/** Fresh choices after the API refused the new time: other times of the date (hourly), or other dates. */
function offerAgain(ctx: BotContext, move: MoveDraft, prefix: string) {
  return move.billingUnit === 'hour' ? showTimes(ctx, move, prefix) : showDates(ctx, move, prefix);
}

async function showConfirm(ctx: BotContext, move: MoveDraft) {
  move.stage = 'confirm';
  const keyboard = navRow(new InlineKeyboard().text(ctx.t.booking.confirm, data(move, 'ok')), ctx, move);
  await show(ctx, ctx.t.move.confirm(move.tariffName, oldWhen(ctx, move), newWhen(ctx, move)), keyboard);
}

/** 403 codes of the booking itself; any other 403 may be a ban, which the error boundary in bot.ts tells apart. */
const REFUSED_FOR_BOOKING = ['not_own', 'not_allowed_for_actor'];

async function confirm(ctx: BotContext, move: MoveDraft) {
  let moved: Booking;
  try {
    moved = await ctx.memberApi.rescheduleBooking(move.booking, move.newStartAt!);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409 && error.reason === 'full') {
      return offerAgain(ctx, move, move.billingUnit === 'hour' ? ctx.t.booking.slotTaken : ctx.t.booking.dayFull);
    }
    if (error.status === 422) return offerAgain(ctx, move, ctx.t.move.invalid);
    // Gone, someone else's, or its state or start no longer allow a move: nothing to choose any more.
    if (error.status === 404 || error.status === 409 || (error.status === 403 && REFUSED_FOR_BOOKING.includes(error.reason ?? ''))) {
      ctx.session.move = undefined;
      return showMyBookings(ctx, 'upcoming', ctx.t.move.notMovable);
    }
    throw error;
  }
  // The flow ends here: its buttons (a second press of Confirm included) are outdated from now on.
  ctx.session.move = undefined;
  const when = describeInterval(moved.startAt, moved.endAt, moved.billingUnit, ctx.deps.config.timeZone);
  await show(
    ctx,
    ctx.t.move.done(moved.tariffName, when),
    new InlineKeyboard().text(ctx.t.menu.myBookings, 'my:up').row().text(ctx.t.common.mainMenu, 'menu:home'),
  );
}

rescheduleFeature.callbackQuery(/^my:mv:([a-z0-9]{24})$/, async (ctx) => {
  if (!ctx.member.isRegistered) return requireRegistered(ctx);
  // The list may be old: ask the API for the booking as it is now.
  const booking = await findUpcoming(ctx, ctx.match[1]);
  if (!booking || !canReschedule(booking, ctx.deps.now?.() ?? new Date())) return answer(ctx, ctx.t.move.notMovable, true);
  await answer(ctx);
  ctx.session.step = undefined;
  const move: MoveDraft = {
    flow: newFlow(),
    stage: 'date',
    booking: booking.documentId,
    tariff: booking.tariff,
    tariffName: booking.tariffName,
    billingUnit: booking.billingUnit as MoveDraft['billingUnit'],
    units: booking.units,
    startAt: booking.startAt,
    endAt: booking.endAt,
  };
  ctx.session.move = move;
  await showDates(ctx, move);
});

rescheduleFeature.callbackQuery(/^mv:([0-9a-f]+):([a-z]+)(?::(.+))?$/, async (ctx) => {
  const [, flow, action, arg] = ctx.match;
  const move = ctx.session.move;
  if (!move || move.flow !== flow) return answer(ctx, ctx.t.common.outdated);
  await answer(ctx);
  if (!ctx.member.isRegistered) return requireRegistered(ctx);

  switch (action) {
    case 'x':
      ctx.session.move = undefined;
      return showMyBookings(ctx, 'upcoming', ctx.t.move.cancelled);
    case 'back':
      if (move.stage === 'confirm') return move.billingUnit === 'hour' ? showTimes(ctx, move) : showDates(ctx, move);
      if (move.stage === 'time') return showDates(ctx, move);
      ctx.session.move = undefined;
      return showMyBookings(ctx, 'upcoming');
    case 'd': {
      if (move.stage !== 'date' || !/^\d{4}-\d{2}-\d{2}$/.test(arg ?? '')) return;
      move.date = arg;
      if (move.billingUnit === 'hour') return showTimes(ctx, move);
      const startAt = localMidnight(arg, ctx.deps.config.timeZone).toISOString();
      if (Date.parse(startAt) === Date.parse(move.startAt)) return showDates(ctx, move, ctx.t.move.sameTime);
      const availability = await ctx.deps.strapi.getAvailability(move.tariff, arg);
      if ('free' in availability && availability.free <= 0) return showDates(ctx, move, ctx.t.booking.dayFull);
      move.newStartAt = startAt;
      return showConfirm(ctx, move);
    }
    case 's': {
      if (move.stage !== 'time' || !arg) return;
      const startMs = slotStart(arg);
      // Re-checked: the times shown may have been taken since.
      const starts = await movableStarts(ctx, move);
      if (!starts.some((slot) => Date.parse(slot.startAt) === startMs)) return showTimes(ctx, move, ctx.t.booking.slotTaken);
      move.newStartAt = new Date(startMs).toISOString();
      return showConfirm(ctx, move);
    }
    case 'ok':
      if (move.stage !== 'confirm') return;
      return confirm(ctx, move);
    default:
      return;
  }
});
