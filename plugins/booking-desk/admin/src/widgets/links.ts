/**
 * Where the widgets lead (admin routes; the admin's router adds the /admin base). The calendar opens on `date`
 * (YYYY-MM-DD, the space's day) and, with `booking`, opens that booking's side sheet; a ticket's thread is the
 * inbox's sub-route `/inbox/<documentId>` (pages/Inbox/index.tsx).
 */
const BASE = '/plugins/booking-desk';

export const calendarDay = (date: string) => `${BASE}/calendar?date=${encodeURIComponent(date)}`;
export const calendarBooking = (date: string, documentId: string) =>
  `${BASE}/calendar?date=${encodeURIComponent(date)}&booking=${encodeURIComponent(documentId)}`;
export const inbox = () => `${BASE}/inbox`;
export const inboxTicket = (documentId: string) => `${BASE}/inbox/${encodeURIComponent(documentId)}`;
