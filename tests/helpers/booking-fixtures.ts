/**
 * Small catalogue fixtures for the booking endpoint tests, written through the Document Service, and
 * local dates / instants in the space's timezone so assertions can name exact wall-clock times.
 */
import type { Core } from '@strapi/strapi';
import { addDays, type DateKey, localDateOf, zonedInstant } from '../../src/domain/space-time';
import { asService } from './integrity';

export const SPACE_TIMEZONE = 'Europe/Moscow';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${counter++}`;

/** The local date `offset` days from today in the space's timezone. */
export const localDay = (offset: number): DateKey => addDays(localDateOf(new Date(), SPACE_TIMEZONE), offset);

/** The instant of a local wall-clock time "HH:MM" on a local date. */
export const at = (date: DateKey, clock: string): Date =>
  zonedInstant(date, Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5)), SPACE_TIMEZONE);

const daily = (open: string, close: string) => {
  const hours = [{ open, close }];
  return { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours };
};

export interface ResourceFixture {
  capacity: number;
  bufferMinutes?: number;
  closedDates?: DateKey[];
  isActive?: boolean;
}

/** A resource open 09:00–18:00 every day. */
export async function createResource(strapi: Core.Strapi, fixture: ResourceFixture) {
  const slug = unique('resource');
  return strapi.documents('api::resource.resource').create({
    data: {
      name: slug,
      slug,
      kind: fixture.capacity === 1 ? 'meeting_room' : 'open_space',
      capacity: fixture.capacity,
      bufferMinutes: fixture.bufferMinutes ?? 0,
      openingHours: daily('09:00', '18:00'),
      closedDates: fixture.closedDates ?? [],
      isActive: fixture.isActive ?? true,
    },
  });
}

export interface TariffFixture {
  resources: string[];
  billingUnit: 'hour' | 'day' | 'month';
  price: number;
  minUnits?: number;
  maxUnits?: number;
  durationDiscounts?: { minUnits: number; percent: number }[];
  isActive?: boolean;
  isPublic?: boolean;
  requiresApproval?: boolean;
  trialOnce?: boolean;
  freeCancellationHours?: number;
  lateCancellationRefundPercent?: number;
}

export async function createTariff(strapi: Core.Strapi, fixture: TariffFixture) {
  const slug = unique('tariff');
  return strapi.documents('api::tariff.tariff').create({
    data: {
      name: slug,
      slug,
      resources: fixture.resources,
      billingUnit: fixture.billingUnit,
      price: fixture.price,
      minUnits: fixture.minUnits ?? 1,
      maxUnits: fixture.maxUnits ?? 8,
      durationDiscounts: fixture.durationDiscounts ?? [],
      requiresApproval: fixture.requiresApproval ?? false,
      trialOnce: fixture.trialOnce ?? false,
      freeCancellationHours: fixture.freeCancellationHours ?? 24,
      lateCancellationRefundPercent: fixture.lateCancellationRefundPercent ?? 0,
      isActive: fixture.isActive ?? true,
      isPublic: fixture.isPublic ?? true,
    },
  });
}

export interface BookingFixture {
  resource: string;
  tariff: string;
  startAt: Date;
  endAt: Date;
  state: 'pending_payment' | 'awaiting_confirmation' | 'confirmed' | 'completed' | 'rejected' | 'cancelled' | 'expired';
  holdExpiresAt?: Date;
}

export async function createBooking(strapi: Core.Strapi, fixture: BookingFixture) {
  return asService(strapi, () =>
    strapi.documents('api::booking.booking').create({
      data: { ...fixture, units: 1, priceBase: 0, priceTotal: 0, currency: 'RUB', source: 'api' },
    }),
  );
}

/**
 * A member who completed registration, written straight through the Document Service (no password hashing),
 * so the concurrency tests can make dozens quickly.
 */
export async function createRegisteredMember(strapi: Core.Strapi): Promise<{ id: number; documentId: string }> {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const username = unique('booker');
  const member = await strapi.documents('plugin::users-permissions.user').create({
    data: {
      username,
      email: `${username}@example.com`,
      provider: 'local',
      confirmed: true,
      role: role.id,
      registeredAt: new Date(),
      language: 'ru',
      consentTerms: true,
      consentMarketing: false,
      isBanned: false,
      botBlocked: false,
    },
  });
  return { id: Number(member.id), documentId: member.documentId };
}
