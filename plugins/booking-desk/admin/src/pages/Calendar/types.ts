/** The answers of the calendar's admin routes (docs/ADMIN.md, Bookings calendar). */
import type { BookingState } from '../../../../../../src/domain/booking-state';
// The grid's shapes are the server's own (type-only: erased by the bundler).
import type { CalendarBlock, CalendarResource, CalendarTariff } from '../../../../server/src/services/calendar';

export type { BookingState, CalendarBlock, CalendarResource, CalendarTariff };

export interface CalendarAnswer {
  data: { resources: CalendarResource[]; tariffs: CalendarTariff[]; blocks: CalendarBlock[] };
  meta: { from: string; to: string; timeZone: string; truncated?: boolean };
}

export interface BookingDetail {
  id: number;
  documentId: string;
  state: BookingState;
  startAt: string;
  endAt: string;
  units: number;
  priceBase: number;
  discountTotal: number | null;
  discounts: { kind: string; label: string; amount: number }[] | null;
  priceTotal: number;
  currency: string;
  paidAmount: number;
  holdExpiresAt: string | null;
  source: string | null;
  comment: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  cancelledBy: string | null;
  confirmedAt: string | null;
  confirmedBy: string | null;
  createdAt: string;
  member: { documentId: string; fullName: string | null; phone: string | null; telegramUsername: string | null; isBanned: boolean | null } | null;
  tariff: {
    documentId: string;
    name: string;
    billingUnit: string;
    freeCancellationHours: number | null;
    lateCancellationRefundPercent: number | null;
  } | null;
  resource: { documentId: string; name: string } | null;
  promocode: { code: string } | null;
  payments: {
    documentId: string;
    provider: string;
    state: string;
    amount: number;
    currency: string;
    paidAt: string | null;
    createdAt: string;
    confirmationUrl: string | null;
    refunds: { documentId: string; amount: number; state: string; reason: string | null; createdAt: string }[] | null;
  }[];
}

export interface RefundDue {
  amount: number;
  currency: string;
  policy: 'full' | 'partial' | 'none';
  state: 'pending';
}

export interface MemberOption {
  documentId: string;
  fullName: string | null;
  phone: string | null;
  telegramUsername: string | null;
}

export interface QuoteData {
  priceBase: number;
  discounts: { kind: string; label: string; amount: number }[];
  priceTotal: number;
  currency: string;
  resource: string;
  available: boolean;
  problem?: { code: string; message: string };
  state: BookingState;
}

export interface CreateBody {
  member: string;
  tariff: string;
  startAt: string;
  units: number;
  resource?: string;
  markPaid?: boolean;
  sendPaymentLink?: boolean;
  comment?: string;
}

export interface CreateAnswer {
  data: { documentId: string; status: BookingState; priceTotal: number; currency: string };
  meta: {
    markedPaid: boolean;
    markPaidError?: string;
    paymentLink: { confirmationUrl: string | null; notification: 'queued' | 'no_telegram' } | null;
  };
}
