/** The answers of the member-card admin routes (docs/ADMIN.md, Member card). Money is integer kopecks. */
import type { BookingState } from '../../../../../../src/domain/booking-state';
// The server's own shapes (type-only: erased by the bundler).
import type { MemberCard, MemberListItem, NoteData as MemberNote } from '../../../../server/src/services/members';

export type { MemberListItem, MemberNote };

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

export type MemberProfile = MemberCard['profile'];

/** The card as the server answers it; a booking's state narrowed to the states the page labels. */
export type MemberCardData = Omit<MemberCard, 'bookings'> & { bookings: (MemberCard['bookings'][number] & { state: BookingState })[] };

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
