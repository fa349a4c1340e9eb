/** The answer of GET /booking-desk/home (docs/ADMIN.md, Home page); sections the role may not see are absent. */
export interface HomeBooking {
  documentId: string;
  label: string | null;
  state: string;
  startAt: string;
  endAt: string;
  member: { documentId: string; name: string } | null;
  resource: { documentId: string; name: string } | null;
  tariff: { documentId: string; name: string } | null;
}

export interface HomeTicket {
  documentId: string;
  subject: string;
  state: string;
  priority: string | null;
  lastMessageAt: string | null;
  member: { documentId: string; name: string } | null;
}

export interface MoneyPeriod {
  payments: number;
  refunds: number;
  net: number;
}

export interface HomeData {
  timeZone: string;
  now: string;
  date: string;
  todayBookings?: { count: number; byState: Record<string, number>; next: HomeBooking[] };
  freeNow?: {
    total: { capacity: number; taken: number; free: number };
    resources: { documentId: string; name: string; kind: string; capacity: number; taken: number; free: number }[];
  };
  awaitingApproval?: { count: number; next: HomeBooking[] };
  openTickets?: { count: number; byState: Record<string, number>; next: HomeTicket[] };
  revenue?: { currency: 'RUB'; today: MoneyPeriod; month: MoneyPeriod & { from: string } };
}
