/**
 * My bookings: upcoming and past, cancel (the refund is shown before the member confirms), pay (/pay) and the
 * Move button that starts the reschedule flow (features/reschedule.ts).
 */
import { Composer, InlineKeyboard } from 'grammy';
import type { BotContext } from '../context';
import { ApiError, type Booking } from '../strapi-client';
import { answer, describeInterval, money, requireRegistered, show } from '../ui';

export const myBookingsFeature = new Composer<BotContext>();

/**
 * States a member may move a booking from: the state machine's ACTIVE_STATES (src/domain/booking-state.ts, server
 * code the bot's build does not include).
 */
const MOVABLE_STATES = ['pending_payment', 'awaiting_confirmation', 'confirmed'];

/**
 * Whether the API would let the member move this booking now: an active state and not started yet. A booking
 * waiting for payment only while its hold lasts: a lapsed hold no longer reserves the slot, and the API refuses
 * anything but its expiry. `holdExpiresAt` is part of the member booking shape (docs/API.md).
 */
export function canReschedule(booking: Pick<Booking, 'status' | 'startAt'> & { holdExpiresAt?: string | null }, now: Date): boolean {
  if (!MOVABLE_STATES.includes(booking.status) || Date.parse(booking.startAt) <= now.getTime()) return false;
  if (booking.status !== 'pending_payment') return true;
  return booking.holdExpiresAt != null && Date.parse(booking.holdExpiresAt) > now.getTime();
}

function line(ctx: BotContext, booking: Booking, n: number): string {
  const when = describeInterval(booking.startAt, booking.endAt, booking.billingUnit, ctx.deps.config.timeZone);
  const status = ctx.t.mine.status[booking.status] ?? booking.status;
  const price = booking.priceTotal === 0 ? ctx.t.booking.free : money(booking.priceTotal, ctx.lang);
  return `${n}. ${booking.tariffName}, ${when} — ${price}, ${status}`;
}

export async function showMyBookings(ctx: BotContext, when: 'upcoming' | 'past', prefix?: string): Promise<void> {
  if (!(await requireRegistered(ctx))) return;
  const bookings = await ctx.memberApi.myBookings({ when, pageSize: 10 });
  const m = ctx.t.mine;
  const keyboard = new InlineKeyboard();
  let text: string;
  if (bookings.length === 0) {
    text = when === 'upcoming' ? m.noneUpcoming : m.nonePast;
  } else {
    text = [when === 'upcoming' ? m.titleUpcoming : m.titlePast, ...bookings.map((booking, i) => line(ctx, booking, i + 1))].join('\n');
    const now = ctx.deps.now?.() ?? new Date();
    bookings.forEach((booking, i) => {
      const movable = canReschedule(booking, now);
      if (booking.status === 'pending_payment') keyboard.text(m.pay(i + 1), `my:pay:${booking.documentId}`);
      if (movable) keyboard.text(m.move(i + 1), `my:mv:${booking.documentId}`);
      if (booking.cancellation.allowed) keyboard.text(m.cancel(i + 1), `my:c:${booking.documentId}`);
      if (booking.status === 'pending_payment' || movable || booking.cancellation.allowed) keyboard.row();
    });
  }
  keyboard.text(when === 'upcoming' ? m.past : m.upcoming, when === 'upcoming' ? 'my:past' : 'my:up').row();
  keyboard.text(ctx.t.common.mainMenu, 'menu:home');
  await show(ctx, prefix ? `${prefix}\n\n${text}` : text, keyboard);
}

myBookingsFeature.command(['mybookings', 'bookings'], (ctx) => showMyBookings(ctx, 'upcoming'));
myBookingsFeature.callbackQuery(['menu:mine', 'my:up'], async (ctx) => {
  await answer(ctx);
  await showMyBookings(ctx, 'upcoming');
});
myBookingsFeature.callbackQuery('my:past', async (ctx) => {
  await answer(ctx);
  await showMyBookings(ctx, 'past');
});

export async function findUpcoming(ctx: BotContext, documentId: string): Promise<Booking | undefined> {
  const bookings = await ctx.memberApi.myBookings({ when: 'upcoming', pageSize: 50 });
  return bookings.find((booking) => booking.documentId === documentId);
}

myBookingsFeature.callbackQuery(/^my:c:([a-z0-9]{24})$/, async (ctx) => {
  if (!ctx.member.isRegistered) return requireRegistered(ctx);
  const booking = await findUpcoming(ctx, ctx.match[1]);
  if (!booking || !booking.cancellation.allowed) return answer(ctx, ctx.t.mine.notCancellable);
  await answer(ctx);
  const m = ctx.t.mine;
  const what = `${booking.tariffName}, ${describeInterval(booking.startAt, booking.endAt, booking.billingUnit, ctx.deps.config.timeZone)}`;
  const refund = booking.cancellation.refundAmount > 0 ? money(booking.cancellation.refundAmount, ctx.lang) : m.noRefund;
  await show(
    ctx,
    m.confirmCancel(what, refund),
    new InlineKeyboard().text(m.yesCancel, `my:cy:${booking.documentId}`).text(m.keep, 'my:up'),
  );
});

myBookingsFeature.callbackQuery(/^my:cy:([a-z0-9]{24})$/, async (ctx) => {
  if (!ctx.member.isRegistered) return requireRegistered(ctx);
  let cancelled: Booking;
  try {
    cancelled = await ctx.memberApi.cancelBooking(ctx.match[1]);
  } catch (error) {
    if (error instanceof ApiError && [403, 404, 409].includes(error.status)) return answer(ctx, ctx.t.mine.notCancellable, true);
    throw error;
  }
  await answer(ctx);
  const refund = cancelled.refund?.amount ?? 0;
  await show(
    ctx,
    refund > 0 ? ctx.t.mine.cancelledWithRefund(money(refund, ctx.lang)) : ctx.t.mine.cancelledNoRefund,
    new InlineKeyboard().text(ctx.t.menu.myBookings, 'my:up').row().text(ctx.t.common.mainMenu, 'menu:home'),
  );
});

async function payLink(ctx: BotContext, documentId: string) {
  let url: string | null;
  try {
    url = (await ctx.memberApi.payBooking(documentId)).confirmationUrl;
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      await answer(ctx, ctx.t.mine.cannotPay, true);
      if (!ctx.callbackQuery) await ctx.reply(ctx.t.mine.cannotPay);
      return;
    }
    throw error;
  }
  await answer(ctx);
  if (!url) return void (await ctx.reply(ctx.t.booking.noPaymentLink));
  const booking = await findUpcoming(ctx, documentId);
  const amount = money(booking?.priceTotal ?? 0, ctx.lang);
  await ctx.reply(booking ? `${ctx.t.mine.payHere} ${line(ctx, booking, 1).slice(3)}` : ctx.t.mine.payHere, {
    reply_markup: new InlineKeyboard().url(ctx.t.booking.pay(amount), url),
  });
}

myBookingsFeature.callbackQuery(/^my:pay:([a-z0-9]{24})$/, async (ctx) => {
  if (!ctx.member.isRegistered) return requireRegistered(ctx);
  await payLink(ctx, ctx.match[1]);
});

/** /pay: a payment link for each booking waiting for payment. */
myBookingsFeature.command('pay', async (ctx) => {
  if (!(await requireRegistered(ctx))) return;
  const unpaid = await ctx.memberApi.myBookings({ status: 'pending_payment', pageSize: 10 });
  if (unpaid.length === 0) return void (await ctx.reply(ctx.t.mine.nothingToPay));
  const keyboard = new InlineKeyboard();
  unpaid.forEach((booking, i) => keyboard.text(ctx.t.mine.pay(i + 1), `my:pay:${booking.documentId}`).row());
  await ctx.reply([ctx.t.mine.titleUpcoming, ...unpaid.map((booking, i) => line(ctx, booking, i + 1))].join('\n'), { reply_markup: keyboard });
});
