/** Answers of the inbox's admin routes (plugins/booking-desk/server/src/services/inbox.ts). */
export type TicketState = 'open' | 'in_progress' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type StateFilter = TicketState | 'waiting';

export const TICKET_STATES: TicketState[] = ['open', 'in_progress', 'resolved', 'closed'];
export const TICKET_PRIORITIES: TicketPriority[] = ['urgent', 'high', 'normal', 'low'];

export interface Assignee {
  id: number;
  name: string;
}

export interface TicketListItem {
  documentId: string;
  subject: string;
  state: TicketState;
  priority: TicketPriority;
  member: { documentId: string; fullName: string | null; telegramUsername: string | null } | null;
  assignee: Assignee | null;
  createdAt: string;
  lastMessageAt: string;
  lastMessagePreview: string;
  lastAuthorType: 'member' | 'staff' | null;
  unanswered: boolean;
}

export interface Attachment {
  documentId: string;
  name: string;
  url: string;
  thumbnailUrl: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  size: number;
}

export interface Message {
  documentId: string;
  authorType: 'member' | 'staff';
  authorName: string;
  body: string;
  createdAt: string;
  attachments: Attachment[];
}

export interface TicketView extends TicketListItem {
  messages: Message[];
}

export interface TicketListAnswer {
  data: TicketListItem[];
  meta: {
    pagination: { page: number; pageSize: number; pageCount: number; total: number };
    counts: Record<StateFilter, number>;
  };
}

export interface ErrorEnvelope {
  error?: { status?: number; message?: string; details?: { errors?: { message?: string }[] } };
}
