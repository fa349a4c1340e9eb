/**
 * `api::booking.price-correction`: a staff member corrects a booking's price (POST
 * /booking-desk/bookings/:documentId/price, docs/ADMIN.md, Integrity of records). Either an explicit new total in
 * kopecks (recorded as an override: a `correction` line in the discounts, so priceBase − discounts = total still
 * holds) or a re-price of the booking's tariff, units and promo code through the one pricing service
 * (src/domain/pricing.ts). The reason is required.
 *
 * The money rule: a price is corrected only while no money has been taken. Once a payment succeeded (or is held
 * for capture) the answer is 409: money goes back through the booking desk's Cancel (with refund) or the
 * payment's Refund action. A booking waiting for payment may be corrected while no payment link has been issued
 * for it at YooKassa: the prepared, not yet submitted payment rows are cancelled (a new link is made for the new
 * amount); an issued link cannot be withdrawn at YooKassa, so then the answer is 409 too. Final states (completed,
 * cancelled, rejected, expired) are not corrected.
 *
 * Done in one transaction under the booking's resource lock (the lock order of the lifecycle), with an audit-log
 * row `booking.price_corrected` (before / after, staff, reason, override flag) and a CRM sync job.
 */
import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { type DiscountLine, type DurationDiscount, quotePrice } from '../../../domain/pricing';
import { trustedWrites } from '../../../document-middlewares/trusted-writes';
import type { OutboxService } from '../../outbox-job/services/outbox';
import { BOOKING_VIEW_QUERY, type BookingData, type StoredBooking, toBookingData } from './booking-view';

const BOOKING_UID = 'api::booking.booking';
const PAYMENT_UID = 'api::payment.payment';
const REDEMPTION_UID = 'api::promocode-redemption.promocode-redemption';
const AUDIT_UID = 'api::audit-log.audit-log';

const CORRECTABLE_STATES = ['pending_payment', 'awaiting_confirmation', 'confirmed'];
/** Money has been taken (or is held for capture) in these payment states. */
const MONEY_TAKEN = ['succeeded', 'waiting_for_capture'];

export interface PriceCorrectionRequest {
  documentId: string;
  /** An explicit new total in kopecks (override), or `reprice`. */
  priceTotal?: number;
  reprice?: boolean;
  reason: string;
  actor: { id: number; label: string };
  ip?: string;
  now: Date;
}

export interface PriceSummary {
  priceBase: number;
  discountTotal: number;
  priceTotal: number;
  discounts: DiscountLine[] | CorrectionLine[];
}

interface CorrectionLine {
  kind: 'correction';
  label: string;
  amount: number;
}

export type PriceCorrectionCode = 'not_found' | 'final_state' | 'paid' | 'payment_link_open' | 'unchanged' | 'no_tariff';

export type PriceCorrectionOutcome =
  | { ok: true; data: BookingData; correction: { before: PriceSummary; after: PriceSummary; override: boolean } }
  | { ok: false; status: 404 | 409 | 422; code: PriceCorrectionCode; message: string };

class Refused extends Error {
  constructor(readonly refusal: Extract<PriceCorrectionOutcome, { ok: false }>) {
    super(refusal.message);
  }
}

interface LockedBooking {
  id: number;
  documentId: string;
  state: string;
  units: number;
  priceBase: number;
  discountTotal: number | null;
  priceTotal: number;
  discounts: (DiscountLine | CorrectionLine)[] | null;
  tariff: { price: number; durationDiscounts: unknown } | null;
  promocode: { code: string; kind: 'percent' | 'fixed'; value: number } | null;
  payments: { id: number; provider: string; providerPaymentId: string | null; state: string }[];
}

const rub = (kopecks: number) => `${(kopecks / 100).toFixed(2)} RUB`;

const priceCorrectionService = ({ strapi }: { strapi: Core.Strapi }) => {
  const outbox = () => strapi.service('api::outbox-job.outbox') as OutboxService;

  async function apply(trx: Knex.Transaction, bookingId: number, resourceId: number | null, request: PriceCorrectionRequest) {
    if (resourceId !== null) await trx('resources').where({ id: resourceId }).increment('lock_version', 1);
    const booking = (await strapi.db.query(BOOKING_UID).findOne({
      where: { id: bookingId },
      select: ['id', 'documentId', 'state', 'units', 'priceBase', 'discountTotal', 'priceTotal', 'discounts'],
      populate: {
        tariff: { select: ['price', 'durationDiscounts'] },
        promocode: { select: ['code', 'kind', 'value'] },
        payments: { select: ['id', 'provider', 'providerPaymentId', 'state'] },
      },
    })) as LockedBooking;

    if (!CORRECTABLE_STATES.includes(booking.state)) {
      throw new Refused({ ok: false, status: 409, code: 'final_state', message: `A ${booking.state} booking's price cannot be corrected.` });
    }
    if (booking.payments.some((payment) => MONEY_TAKEN.includes(payment.state))) {
      throw new Refused({
        ok: false,
        status: 409,
        code: 'paid',
        message:
          "This booking has been paid: its price can no longer be corrected. Give money back with the booking desk's Cancel (with refund) or the payment's Refund action.",
      });
    }
    const openLinks = booking.payments.filter((payment) => payment.state === 'pending' && payment.providerPaymentId !== null);
    if (openLinks.length > 0) {
      throw new Refused({
        ok: false,
        status: 409,
        code: 'payment_link_open',
        message:
          'A payment link for the current amount has been issued to the member and cannot be withdrawn at YooKassa. Wait until the payment hold lapses, or cancel the booking and create a new one.',
      });
    }

    const before: PriceSummary = {
      priceBase: booking.priceBase,
      discountTotal: booking.discountTotal ?? booking.priceBase - booking.priceTotal,
      priceTotal: booking.priceTotal,
      discounts: (booking.discounts ?? []) as DiscountLine[],
    };
    let after: PriceSummary;
    if (request.reprice) {
      if (!booking.tariff) throw new Refused({ ok: false, status: 409, code: 'no_tariff', message: 'This booking has no tariff to price it by.' });
      const quote = quotePrice({
        tariff: { price: booking.tariff.price, durationDiscounts: (booking.tariff.durationDiscounts ?? []) as DurationDiscount[] },
        units: booking.units,
        ...(booking.promocode ? { promo: { code: booking.promocode.code, kind: booking.promocode.kind, value: booking.promocode.value } } : {}),
      });
      after = { priceBase: quote.priceBase, discountTotal: quote.discountTotal, priceTotal: quote.priceTotal, discounts: quote.discounts };
    } else {
      const total = request.priceTotal as number;
      const lines = ((booking.discounts ?? []) as (DiscountLine | CorrectionLine)[]).concat({
        kind: 'correction',
        label: 'Price correction',
        amount: booking.priceTotal - total,
      });
      after = { priceBase: booking.priceBase, discountTotal: booking.priceBase - total, priceTotal: total, discounts: lines as CorrectionLine[] };
    }
    if (after.priceTotal === before.priceTotal && JSON.stringify(after.discounts) === JSON.stringify(before.discounts)) {
      throw new Refused({ ok: false, status: 422, code: 'unchanged', message: `The booking already costs ${rub(before.priceTotal)}: there is nothing to correct.` });
    }

    await strapi.db.query(BOOKING_UID).update({
      where: { id: booking.id },
      data: { priceBase: after.priceBase, discountTotal: after.discountTotal, priceTotal: after.priceTotal, discounts: after.discounts as never },
    });
    // Prepared payment rows for the old amount never reached YooKassa: cancelled, so the next link is for the new one.
    const stale = booking.payments.filter((payment) => payment.state === 'pending' && payment.providerPaymentId === null);
    if (stale.length > 0) {
      await strapi.db.query(PAYMENT_UID).updateMany({
        where: { id: { $in: stale.map((payment) => payment.id) } },
        data: { state: 'canceled', cancellationReason: 'price corrected' },
      });
    }
    // A re-price also re-prices the promo code's discount its redemption records.
    if (request.reprice && booking.promocode) {
      const promoLine = (after.discounts as DiscountLine[]).find((line) => line.kind === 'promocode');
      const redemptions = (await strapi.db
        .query(REDEMPTION_UID)
        .findMany({ select: ['id'], where: { booking: { id: booking.id }, state: { $in: ['reserved', 'used'] } } })) as { id: number }[];
      if (redemptions.length > 0) {
        await strapi.db.query(REDEMPTION_UID).updateMany({ where: { id: { $in: redemptions.map((row) => row.id) } }, data: { amount: promoLine?.amount ?? 0 } });
      }
    }

    await outbox().enqueue(
      {
        kind: 'crm.sync-booking',
        payload: { booking: booking.documentId },
        dedupeKey: `crm.sync-booking:${booking.documentId}:price:${request.now.toISOString()}`,
      },
      trx,
    );
    const override = !request.reprice;
    await strapi.db.query(AUDIT_UID).create({
      data: {
        actorType: 'admin',
        actorId: String(request.actor.id),
        actorLabel: request.actor.label,
        action: 'booking.price_corrected',
        subjectType: BOOKING_UID,
        subjectId: booking.documentId,
        before,
        after: { ...after, reason: request.reason, override },
        ip: request.ip ?? null,
        at: request.now,
      },
    });

    const stored = (await strapi.db.query(BOOKING_UID).findOne({ where: { id: booking.id }, ...BOOKING_VIEW_QUERY })) as StoredBooking;
    return { ok: true as const, data: toBookingData(stored, request.now), correction: { before, after, override } };
  }

  return {
    async correct(request: PriceCorrectionRequest): Promise<PriceCorrectionOutcome> {
      const head = (await strapi.db.query(BOOKING_UID).findOne({
        where: { documentId: request.documentId },
        select: ['id'],
        populate: { resource: { select: ['id'] } },
      })) as { id: number; resource: { id: number } | null } | null;
      if (!head) return { ok: false, status: 404, code: 'not_found', message: 'No such booking.' };
      try {
        return await trustedWrites(
          () => strapi.db.transaction(({ trx }) => apply(trx, head.id, head.resource?.id ?? null, request)),
          'booking.price-correction',
        );
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },
  };
};

export type PriceCorrectionService = ReturnType<typeof priceCorrectionService>;
export default priceCorrectionService;
