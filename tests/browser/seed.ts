/**
 * What the browser tests put in the database before they look at a page: catalogue, members with a Telegram chat
 * on the stand-in, bookings, payments and tickets. Money fields and states are written inside the trusted-write
 * scope (src/document-middlewares/trusted-writes.ts), as our services write them; tickets go through the member
 * API, as the bot opens them.
 */
import { randomUUID } from 'crypto';
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { HOUR_MS } from '../../src/domain/space-time';
import { trustedWrites } from '../../src/document-middlewares/trusted-writes';
import { memberToken } from '../helpers/auth';
import { createRegisteredMember } from '../helpers/booking-fixtures';
import type { TelegramStandIn } from '../stand-ins/telegram/server';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const USER_UID = 'plugin::users-permissions.user';

export type BookingState = 'pending_payment' | 'awaiting_confirmation' | 'confirmed' | 'completed' | 'rejected' | 'cancelled' | 'expired';

const daily = (open: string, close: string) => {
  const hours = [{ open, close }];
  return { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours };
};

let counter = 0;

/** A resource open 08:00–22:00 every day, with a name a person would give it. */
export async function seedResource(strapi: Core.Strapi, name: string, capacity: number) {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${counter++}`;
  return strapi.documents('api::resource.resource').create({
    data: {
      name,
      slug,
      kind: capacity === 1 ? 'meeting_room' : 'open_space',
      capacity,
      bufferMinutes: 0,
      openingHours: daily('08:00', '22:00'),
      closedDates: [],
      isActive: true,
    } as never,
  });
}

/** An hourly tariff at `price` kopecks an hour on these resources. */
export async function seedTariff(strapi: Core.Strapi, name: string, resources: string[], price: number, extra: Record<string, unknown> = {}) {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${counter++}`;
  return trustedWrites(() =>
    strapi.documents('api::tariff.tariff').create({
      data: {
        name,
        slug,
        resources,
        billingUnit: 'hour',
        price,
        minUnits: 1,
        maxUnits: 8,
        durationDiscounts: [],
        requiresApproval: false,
        trialOnce: false,
        freeCancellationHours: 24,
        lateCancellationRefundPercent: 0,
        isActive: true,
        isPublic: true,
        ...extra,
      } as never,
    }),
  );
}

export interface SeededMember {
  id: number;
  documentId: string;
  chatId: number;
  firstName: string;
  lastName: string;
  fullName: string;
}

let nextChat = 880100;

/** A registered member with a name and a Telegram chat the stand-in knows (so the bot may write to them). */
export async function seedMember(strapi: Core.Strapi, telegram: TelegramStandIn, firstName: string, lastName: string): Promise<SeededMember> {
  const { id, documentId } = await createRegisteredMember(strapi);
  const chatId = nextChat++;
  await strapi.db.query(USER_UID).update({
    where: { id },
    data: { telegramId: String(chatId), fullName: `${firstName} ${lastName}`, language: 'ru' },
  });
  telegram.addUser({ id: chatId, first_name: firstName, last_name: lastName, language_code: 'ru' });
  return { id, documentId, chatId, firstName, lastName, fullName: `${firstName} ${lastName}` };
}

export interface BookingSeed {
  member: string;
  tariff: string;
  resource: string;
  startAt: Date;
  hours?: number;
  state: BookingState;
  price?: number;
  /** A succeeded manual payment of the whole price, paid now (or at `paidAt`). */
  paid?: boolean;
  paidAt?: Date;
  source?: 'bot' | 'admin' | 'api' | 'miniapp';
}

/** A booking as our services would have left it (and its payment when `paid`). */
export async function seedBooking(strapi: Core.Strapi, seed: BookingSeed) {
  const hours = seed.hours ?? 1;
  const price = seed.price ?? 150000 * hours;
  return trustedWrites(async () => {
    const booking = await strapi.documents(BOOKING_UID).create({
      data: {
        member: seed.member,
        tariff: seed.tariff,
        resource: seed.resource,
        startAt: seed.startAt,
        endAt: new Date(seed.startAt.getTime() + hours * HOUR_MS),
        units: hours,
        priceBase: price,
        discountTotal: 0,
        priceTotal: price,
        currency: 'RUB',
        source: seed.source ?? 'bot',
        state: seed.state,
        ...(seed.state === 'confirmed' || seed.state === 'completed' ? { confirmedAt: new Date() } : {}),
      } as never,
    });
    let payment: { documentId: string } | null = null;
    if (seed.paid) {
      payment = await strapi.documents(PAYMENT_UID).create({
        data: {
          booking: booking.documentId,
          member: seed.member,
          provider: 'manual',
          idempotenceKey: `manual-${randomUUID()}`,
          amount: price,
          currency: 'RUB',
          state: 'succeeded',
          paidAt: seed.paidAt ?? new Date(),
        } as never,
      });
    }
    return { documentId: booking.documentId, id: Number(booking.id), payment };
  }, 'browser-test seed');
}

/** A ticket opened by the member through the member API (as the bot does), with its first message. */
export async function seedTicket(strapi: Core.Strapi, member: SeededMember, subject: string, body: string, priority = 'normal'): Promise<string> {
  const token = await memberToken(strapi, member.id);
  const res = await request(strapi.server.httpServer)
    .post('/api/tickets')
    .set('Authorization', `Bearer ${token}`)
    .send({ subject, body, priority });
  if (res.status !== 201) throw new Error(`opening a ticket failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.documentId as string;
}
