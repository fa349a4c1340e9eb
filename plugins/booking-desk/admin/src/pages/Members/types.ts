/** The answers of the member-card admin routes (docs/ADMIN.md, Member card). Money is integer kopecks. */
import type { BookingState } from '../../../../../../src/domain/booking-state';

export interface MemberListItem {
  documentId: string;
  id: number;
  fullName: string | null;
  phone: string | null;
  telegramUsername: string | null;
  telegramId: string | null;
  isBanned: boolean;
}

export interface Pagination {
  page: number;
  pageSize: number;
  pageCount: number;
  total: number;
}

export interface MemberSearchAnswer {
  data: MemberListItem[];
  meta: { pagination: Pagination };
}

export interface MemberProfile {
  documentId: string;
  id: number;
  username: string | null;
  fullName: string | null;
  phone: string | null;
  email: string | null;
  telegramUsername: string | null;
  telegramId: string | null;
  language: string | null;
  consentTerms: boolean;
  consentAt: string | null;
  consentMarketing: boolean;
  birthDate: string | null;
  registeredAt: string | null;
  createdAt: string | null;
  referralCode: string | null;
  referrer: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
  isBanned: boolean;
  banReason: string | null;
  bannedAt: string | null;
  botBlocked: boolean;
  botBlockedAt: string | null;
  blocked: boolean;
  successfulBookings: number;
}

export interface MemberCardData {
  profile: MemberProfile;
  totals: {
    bookings: { total: number; byState: Record<BookingState, number> };
    paidTotal: number;
    refundedTotal: number;
    refundPendingTotal: number;
    netSpend: number;
    currency: string;
    lastVisitAt: string | null;
    referralsCount: number;
    ticketsCount: number;
    notesCount: number;
  };
  bookings: {
    documentId: string;
    id: number;
    state: BookingState;
    startAt: string | null;
    endAt: string | null;
    localDate: string | null;
    units: number;
    priceTotal: number;
    currency: string;
    source: string | null;
    createdAt: string | null;
    tariff: { documentId: string; name: string } | null;
    resource: { documentId: string; name: string } | null;
  }[];
  payments: {
    documentId: string;
    booking: string | null;
    provider: string | null;
    amount: number;
    currency: string;
    state: string;
    paidAt: string | null;
    cancellationReason: string | null;
    createdAt: string | null;
  }[];
  refunds: {
    documentId: string;
    payment: string | null;
    booking: string | null;
    amount: number;
    currency: string;
    state: string;
    reason: string | null;
    createdAt: string | null;
  }[];
  tickets: {
    documentId: string;
    subject: string;
    state: string;
    priority: string | null;
    createdAt: string | null;
    lastMessageAt: string | null;
    lastMessage: { authorType: string; body: string; createdAt: string | null } | null;
  }[];
  referrals: { documentId: string; fullName: string | null; telegramUsername: string | null; registeredAt: string | null }[];
  notes: MemberNote[];
}

export interface MemberNote {
  documentId: string;
  body: string;
  authorLabel: string | null;
  createdAt: string | null;
}

export interface MemberCardAnswer {
  data: MemberCardData;
  meta: { timeZone: string };
}

/** Strapi's error envelope as our routes fill it. */
export interface ErrorEnvelope {
  error?: {
    status?: number;
    message?: string;
    details?: { code?: string; errors?: { path?: string[]; message?: string }[] };
  };
}
