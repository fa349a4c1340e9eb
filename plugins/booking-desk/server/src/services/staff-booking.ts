/**
 * A booking made by staff for a member (POST /booking-desk/bookings) and its price preview
 * (POST /booking-desk/bookings/quote).
 *
 * Creation goes through the app's own booking path (`api::booking.create-booking`, the one POST /api/bookings
 * uses): the pricing service, the resource lock, the overlap count against capacity and the insert in one
 * transaction, so a staff booking and a member booking of one slot are decided one after the other. What differs
 * (src/api/booking/services/create-booking.ts, `StaffCreateOptions`): `source: 'admin'`; staff choose the
 * resource; a tariff that needs approval is approved by the staff member creating it; the member's unpaid-holds
 * cap does not apply; the YooKassa payment is created only when a link is to be sent. In the same transaction
 * this service writes the audit-log row and, for `sendPaymentLink`, the outbox job that sends the link.
 * `markPaid` then confirms the booking through the lifecycle's `mark_paid` event (a manual payment), as the
 * "Mark as paid" action does.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

const USER_UID = 'plugin::users-permissions.user';
const BOOKING_UID = 'api::booking.booking';
const AUDIT_UID = 'api::audit-log.audit-log';

export interface StaffActor {
  id: number;
  label: string;
  ip?: string;
}

export interface StaffBookingInput {
  member: string;
  tariff: string;
  startAt: Date;
  units: number;
  resource?: string;
  markPaid?: boolean;
  sendPaymentLink?: boolean;
  comment?: string;
}

export type StaffQuoteInput = Omit<StaffBookingInput, 'member' | 'markPaid' | 'sendPaymentLink' | 'comment'> & { member?: string };

export type StaffRefusal = { ok: false; status: 404 | 409 | 422; code: string; message: string; field?: string };

// ---- The narrow parts of the app's services this plugin uses (a plugin cannot import app code). ----

interface BookableResource {
  id: number;
  documentId: string;
  slug: string;
  capacity: number;
  openingHours: unknown;
  closedDates: unknown;
  bufferMinutes: number | null;
}

interface BookableTariff {
  id: number;
  documentId: string;
  billingUnit: 'hour' | 'day' | 'month';
  price: number;
  minUnits: number;
  maxUnits: number;
  durationDiscounts: unknown;
  requiresApproval: boolean;
  trialOnce: boolean;
  resources: BookableResource[];
}

interface AvailabilityService {
  findBookableTariff(reference: string): Promise<BookableTariff | null>;
  resourceOf(tariff: BookableTariff, reference?: string): BookableResource | null;
  checkBookable(
    tariff: Pick<BookableTariff, 'billingUnit'>,
    resource: BookableResource,
    startAt: Date,
    units: number,
    now: Date,
  ): Promise<{ ok: true } | { ok: false; reason: string; message: string }>;
}

interface QuoteService {
  price(
    memberId: number,
    tariff: BookableTariff,
    input: { tariff: string; startAt: Date; units: number },
    now: Date,
  ): Promise<
    | { ok: true; price: { priceBase: number; discounts: { kind: string; label: string; amount: number }[]; discountTotal?: number; priceTotal: number; currency: string } }
    | { ok: false; problem: string; message: string }
  >;
}

/** The member booking shape (src/api/booking/services/booking-view.ts); the fields read here. */
interface BookingData {
  documentId: string;
  status: string;
  priceTotal: number;
  payment: { documentId: string; status: string; confirmationUrl: string | null } | null;
  [key: string]: unknown;
}

interface CreateBookingService {
  create(
    member: { id: number; documentId: string },
    input: { tariff: string; startAt: Date; units: number },
    idempotencyKey: undefined,
    now: Date,
    staff: {
      actorLabel: string;
      resource?: string;
      comment?: string;
      providerPayment: boolean;
      afterInsert?: (
        trx: Knex.Transaction,
        booking: { id: number; documentId: string; state: string; startAt: Date; endAt: Date; priceTotal: number; resource: string },
      ) => Promise<void>;
    },
  ): Promise<
    | { ok: true; replayed: boolean; data: BookingData }
    | { ok: false; status: 404; message: string }
    | { ok: false; status: 409; reason: string; message: string }
    | { ok: false; status: 422; field: string; reason?: string; message: string }
  >;
}

interface LifecycleService {
  transition(request: {
    documentId: string;
    event: 'mark_paid';
    actor: { type: 'staff'; id: number; label: string };
    now: Date;
    reason?: string;
    ip?: string;
  }): Promise<{ ok: true; data: BookingData; refund: unknown } | { ok: false; status: number; code: string; message: string }>;
}

interface OutboxService {
  enqueue(job: { kind: string; payload: unknown; dedupeKey?: string }, trx?: Knex.Transaction): Promise<unknown>;
}

interface PaymentsService {
  isConfigured(): boolean;
}

interface MemberRow {
  id: number;
  documentId: string;
  isBanned: boolean | null;
  blocked: boolean | null;
  telegramId: string | null;
}

export interface StaffCreateResult {
  ok: true;
  data: BookingData;
  meta: {
    /** markPaid: whether the booking was confirmed with a manual payment (false with `markPaidError` if refused). */
    markedPaid: boolean;
    markPaidError?: string;
    /** sendPaymentLink: the link and whether the member will get it through the bot. */
    paymentLink: { confirmationUrl: string | null; notification: 'queued' | 'no_telegram' } | null;
  };
}

const refuse = (status: StaffRefusal['status'], code: string, message: string, field?: string): StaffRefusal => ({
  ok: false,
  status,
  code,
  message,
  ...(field ? { field } : {}),
});

const staffBookingService = ({ strapi }: { strapi: Core.Strapi }) => {
  const availability = () => strapi.service('api::booking.availability') as unknown as AvailabilityService;
  const quotes = () => strapi.service('api::booking.quote') as unknown as QuoteService;
  const creator = () => strapi.service('api::booking.create-booking') as unknown as CreateBookingService;
  const lifecycle = () => strapi.service('api::booking.lifecycle') as unknown as LifecycleService;
  const outbox = () => strapi.service('api::outbox-job.outbox') as unknown as OutboxService;
  const payments = () => strapi.plugin('yookassa')?.service('payments') as PaymentsService | undefined;

  async function findMember(documentId: string): Promise<MemberRow | StaffRefusal> {
    const member = (await strapi.db.query(USER_UID).findOne({
      where: { documentId },
      select: ['id', 'documentId', 'isBanned', 'blocked', 'telegramId'],
    })) as MemberRow | null;
    if (!member) return refuse(422, 'unknown_member', 'There is no such member.', 'member');
    if (member.isBanned || member.blocked) return refuse(422, 'member_banned', 'This member is banned and cannot book.', 'member');
    return member;
  }

  /**
   * The tariff (active and public: the ones members can book) and the resource: the one named, else the first
   * of the tariff's resources where the interval is free now, else its first (the transaction then refuses).
   */
  async function catalogue(input: StaffQuoteInput, now: Date): Promise<{ tariff: BookableTariff; resource: BookableResource } | StaffRefusal> {
    const tariff = await availability().findBookableTariff(input.tariff);
    if (!tariff) return refuse(422, 'unknown_tariff', 'There is no active tariff with this id.', 'tariff');
    if (input.resource !== undefined) {
      const resource = availability().resourceOf(tariff, input.resource);
      if (!resource) return refuse(422, 'resource_not_in_tariff', 'This tariff does not book that resource (or it is inactive).', 'resource');
      return { tariff, resource };
    }
    if (tariff.resources.length === 0) return refuse(422, 'no_resource', 'This tariff has no active resource to book.', 'tariff');
    if (tariff.resources.length > 1) {
      for (const resource of tariff.resources) {
        if ((await availability().checkBookable(tariff, resource, input.startAt, input.units, now)).ok) return { tariff, resource };
      }
    }
    return { tariff, resource: tariff.resources[0] };
  }

  return {
    /** The price the pricing service gives and whether the interval is free right now (reads only). */
    async quote(input: StaffQuoteInput, now: Date) {
      let memberId = 0;
      if (input.member !== undefined) {
        const member = await findMember(input.member);
        if ('ok' in member) return member;
        memberId = member.id;
      }
      const found = await catalogue(input, now);
      if ('ok' in found) return found;
      const { tariff, resource } = found;
      const priced = await quotes().price(memberId, tariff, { tariff: tariff.documentId, startAt: input.startAt, units: input.units }, now);
      if (!priced.ok) return refuse(422, priced.problem === 'units' ? 'units_out_of_range' : priced.problem, priced.message, 'units');
      const bookable = await availability().checkBookable(tariff, resource, input.startAt, input.units, now);
      return {
        ok: true as const,
        data: {
          priceBase: priced.price.priceBase,
          discounts: priced.price.discounts.map(({ kind, label, amount }) => ({ kind, label, amount })),
          priceTotal: priced.price.priceTotal,
          currency: priced.price.currency,
          resource: resource.documentId,
          available: bookable.ok,
          ...(bookable.ok ? {} : { problem: { code: bookable.reason, message: bookable.message } }),
          state: priced.price.priceTotal > 0 ? 'pending_payment' : 'confirmed',
        },
      };
    },

    async create(input: StaffBookingInput, actor: StaffActor, now: Date): Promise<StaffCreateResult | StaffRefusal> {
      const member = await findMember(input.member);
      if ('ok' in member) return member;
      const found = await catalogue(input, now);
      if ('ok' in found) return found;
      const sendLink = input.sendPaymentLink === true;
      if (sendLink && !payments()?.isConfigured()) {
        return refuse(422, 'payments_not_configured', 'Online payments (YooKassa) are not configured, so there is no link to send.', 'sendPaymentLink');
      }

      const link: { notification: 'queued' | 'no_telegram' | null } = { notification: null };
      const outcome = await creator().create(member, { tariff: found.tariff.documentId, startAt: input.startAt, units: input.units }, undefined, now, {
        actorLabel: actor.label,
        resource: found.resource.documentId,
        comment: input.comment,
        providerPayment: sendLink,
        afterInsert: async (trx, booking) => {
          await strapi.db.query(AUDIT_UID).create({
            data: {
              actorType: 'admin',
              actorId: String(actor.id),
              actorLabel: actor.label,
              action: 'booking.create',
              subjectType: BOOKING_UID,
              subjectId: booking.documentId,
              before: null,
              after: {
                state: booking.state,
                startAt: booking.startAt.toISOString(),
                endAt: booking.endAt.toISOString(),
                priceTotal: booking.priceTotal,
                member: member.documentId,
                tariff: found.tariff.documentId,
                resource: booking.resource,
                source: 'admin',
                ...(input.markPaid ? { markPaid: true } : {}),
                ...(sendLink ? { sendPaymentLink: true } : {}),
              },
              ip: actor.ip ?? null,
              at: now,
            },
          });
          if (sendLink && booking.state === 'pending_payment') {
            // Committed with the booking; sent once the payment's link is known (src/api/notification).
            await outbox().enqueue(
              {
                kind: 'member.notify',
                payload: { booking: booking.documentId, event: 'payment_link', ...(member.telegramId ? { chatId: member.telegramId } : {}) },
                dedupeKey: `member.notify:${booking.documentId}:payment_link`,
              },
              trx,
            );
            link.notification = member.telegramId ? 'queued' : 'no_telegram';
          }
        },
      });
      if (!outcome.ok) {
        if (outcome.status === 404) return refuse(422, 'unknown_tariff', outcome.message, 'tariff');
        if (outcome.status === 409) return refuse(409, outcome.reason, outcome.message);
        return refuse(422, outcome.reason ?? (outcome.field === 'units' ? 'units_out_of_range' : 'invalid'), outcome.message, outcome.field);
      }

      let data = outcome.data;
      const meta: StaffCreateResult['meta'] = { markedPaid: false, paymentLink: null };
      if (input.markPaid && data.status === 'pending_payment') {
        const paid = await lifecycle().transition({
          documentId: data.documentId,
          event: 'mark_paid',
          actor: { type: 'staff', id: actor.id, label: actor.label },
          now: new Date(),
          reason: 'Paid at the desk when booked',
          ip: actor.ip,
        });
        if (paid.ok) {
          data = paid.data;
          meta.markedPaid = true;
        } else {
          meta.markPaidError = paid.message;
        }
      }
      if (link.notification !== null) meta.paymentLink = { confirmationUrl: data.payment?.confirmationUrl ?? null, notification: link.notification };
      return { ok: true, data, meta };
    },
  };
};

export type StaffBookingService = ReturnType<typeof staffBookingService>;
export default staffBookingService;
