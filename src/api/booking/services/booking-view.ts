/**
 * The shape member endpoints answer for a booking (POST /api/bookings, GET /api/bookings/mine, cancel):
 * `status` mapped from the stored `state` (docs/API-CHANGES.md), names for display, what was paid and what a
 * cancellation right now would refund under the tariff's policy. One populate tree and one mapper, so every
 * member endpoint shows a booking the same way.
 */
import { type BookingState, cancellationRefund, decideTransition } from '../../../domain/booking-state';

export interface DiscountLine {
  kind: string;
  label: string;
  amount: number;
}

export interface CancellationPreview {
  /** Whether the member may cancel now (the state machine's answer for the `cancel` event). */
  allowed: boolean;
  /** Kopecks the policy would refund if the member cancelled at the moment of the answer. */
  refundAmount: number;
  policy: 'full' | 'partial' | 'none';
  /** Until then a cancellation returns everything paid. */
  freeUntil: string;
}

export interface BookingData {
  documentId: string;
  status: BookingState;
  startAt: string;
  endAt: string;
  units: number;
  priceBase: number;
  discounts: DiscountLine[];
  priceTotal: number;
  /** Kopecks received for this booking, less refunds already made or under way. */
  paidAmount: number;
  currency: string;
  holdExpiresAt: string | null;
  tariff: string;
  tariffName: string;
  billingUnit: string;
  resource: string;
  resourceName: string;
  promocode: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  cancellation: CancellationPreview;
  /** The latest payment: where to pay while it is pending (`confirmationUrl`), or how it ended. */
  payment: { documentId: string; status: string; confirmationUrl: string | null } | null;
}

interface StoredPayment {
  documentId?: string;
  state: string;
  amount: number;
  confirmationUrl?: string | null;
  refunds?: { state: string; amount: number }[] | null;
}

export interface StoredBooking {
  id: number;
  documentId: string;
  state: BookingState;
  startAt: string | Date;
  endAt: string | Date;
  units: number;
  priceBase: number;
  discounts: DiscountLine[] | null;
  priceTotal: number;
  currency: string;
  holdExpiresAt: string | Date | null;
  cancelledAt: string | Date | null;
  cancelReason: string | null;
  tariff: {
    documentId: string;
    slug: string;
    name: string;
    billingUnit: string;
    freeCancellationHours: number | null;
    lateCancellationRefundPercent: number | null;
  } | null;
  resource: { documentId: string; name: string } | null;
  promocode: { code: string } | null;
  payments: StoredPayment[] | null;
}

/** Pass to `strapi.db.query('api::booking.booking')` as `select` + `populate` to read a StoredBooking. */
export const BOOKING_VIEW_QUERY = {
  select: [
    'id',
    'documentId',
    'state',
    'startAt',
    'endAt',
    'units',
    'priceBase',
    'discounts',
    'priceTotal',
    'currency',
    'holdExpiresAt',
    'cancelledAt',
    'cancelReason',
  ],
  populate: {
    tariff: { select: ['documentId', 'slug', 'name', 'billingUnit', 'freeCancellationHours', 'lateCancellationRefundPercent'] },
    resource: { select: ['documentId', 'name'] },
    promocode: { select: ['code'] },
    payments: {
      select: ['documentId', 'state', 'amount', 'confirmationUrl'],
      orderBy: { id: 'asc' },
      populate: { refunds: { select: ['state', 'amount'] } },
    },
  },
};

const iso = (value: string | Date) => new Date(value).toISOString();
const isoOrNull = (value: string | Date | null) => (value === null ? null : iso(value));

/** Money received and not (being) given back: succeeded payments less their non-cancelled refunds. */
export function paidAmountOf(payments: readonly StoredPayment[] | null): number {
  let paid = 0;
  for (const payment of payments ?? []) {
    if (payment.state !== 'succeeded') continue;
    const refunded = (payment.refunds ?? [])
      .filter((refund) => refund.state !== 'canceled')
      .reduce((sum, refund) => sum + refund.amount, 0);
    paid += payment.amount - refunded;
  }
  return paid;
}

/** The tariff's cancellation policy applied to what the member paid; the defaults are the schema's. */
export function refundIfCancelled(booking: Pick<StoredBooking, 'payments' | 'startAt' | 'tariff'>, now: Date) {
  return cancellationRefund({
    paidAmount: paidAmountOf(booking.payments),
    startAt: new Date(booking.startAt),
    now,
    freeCancellationHours: booking.tariff?.freeCancellationHours ?? 24,
    lateCancellationRefundPercent: booking.tariff?.lateCancellationRefundPercent ?? 0,
  });
}

export function toBookingData(booking: StoredBooking, now: Date): BookingData {
  const latestPayment = booking.payments?.at(-1);
  const refund = refundIfCancelled(booking, now);
  const cancel = decideTransition({
    state: booking.state,
    event: 'cancel',
    actor: 'member',
    now,
    startAt: new Date(booking.startAt),
    endAt: new Date(booking.endAt),
    holdExpiresAt: booking.holdExpiresAt === null ? null : new Date(booking.holdExpiresAt),
  });
  return {
    documentId: booking.documentId,
    status: booking.state,
    startAt: iso(booking.startAt),
    endAt: iso(booking.endAt),
    units: booking.units,
    priceBase: booking.priceBase,
    discounts: booking.discounts ?? [],
    priceTotal: booking.priceTotal,
    paidAmount: paidAmountOf(booking.payments),
    currency: booking.currency,
    holdExpiresAt: isoOrNull(booking.holdExpiresAt),
    tariff: booking.tariff?.documentId ?? '',
    tariffName: booking.tariff?.name ?? '',
    billingUnit: booking.tariff?.billingUnit ?? '',
    resource: booking.resource?.documentId ?? '',
    resourceName: booking.resource?.name ?? '',
    promocode: booking.promocode?.code ?? null,
    cancelledAt: isoOrNull(booking.cancelledAt),
    cancelReason: booking.cancelReason,
    cancellation: {
      allowed: cancel.ok,
      refundAmount: cancel.ok ? refund.refundAmount : 0,
      policy: cancel.ok ? refund.policy : 'none',
      freeUntil: refund.freeUntil.toISOString(),
    },
    payment: latestPayment
      ? {
          documentId: latestPayment.documentId ?? '',
          status: latestPayment.state,
          confirmationUrl: latestPayment.state === 'pending' ? (latestPayment.confirmationUrl ?? null) : null,
        }
      : null,
  };
}
