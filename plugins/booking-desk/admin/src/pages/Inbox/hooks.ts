import { useCallback, useEffect, useState } from 'react';
import { useAuth, useFetchClient } from '@strapi/strapi/admin';
import { useAdminData } from '../../hooks/useAdminData';
import { serverMessage } from '../../serverMessage';
import { PLUGIN_ID } from '../../pluginId';
import type { Assignee, ErrorEnvelope, Message, TicketListAnswer, TicketPriority, TicketState, TicketView } from './types';

const BASE = `/${PLUGIN_ID}/tickets`;

export interface ListFilters {
  state?: string;
  priority?: string;
  assignee?: string;
  q?: string;
  page: number;
  pageSize: number;
}

export { serverMessage };

/** The inbox actions this admin user holds. */
export function useInboxPermissions() {
  const permissions = useAuth('InboxPage', (state) => state.permissions);
  const granted = new Set(permissions.map((permission) => permission.action));
  return { reply: granted.has(`plugin::${PLUGIN_ID}.inbox.reply`), members: granted.has(`plugin::${PLUGIN_ID}.members.read`) };
}

/** One page of the ticket list with the counters; `reload` fetches it again. */
export function useTickets(filters: ListFilters) {
  const { state, priority, assignee, q, page, pageSize } = filters;
  const params: Record<string, string | number> = { page, pageSize };
  if (state) params.state = state;
  if (priority) params.priority = priority;
  if (assignee) params.assignee = assignee;
  if (q) params.q = q;
  const { data: answer, error, loading, reload } = useAdminData<TicketListAnswer>(BASE, { params, initialLoading: true });
  return { answer, error: error?.message ?? null, loading, reload };
}

/** One ticket with its thread; `reload` fetches it again (fresh signed photo links too). */
export function useTicket(documentId: string | undefined) {
  const { data: ticket, setData: setTicket, error, loading, reload } = useAdminData<{ data: TicketView }, TicketView>(
    documentId ? `${BASE}/${documentId}` : null,
    { select: (answer) => answer.data, initialLoading: true },
  );
  return { ticket, setTicket, error, loading, reload };
}

/** Staff who may be assigned (they may answer tickets). */
export function useAssignees() {
  const { get } = useFetchClient();
  const [assignees, setAssignees] = useState<Assignee[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    get<{ data: Assignee[] }>(`${BASE}/assignees`, { signal: controller.signal })
      .then(({ data }) => setAssignees(data.data))
      .catch(() => undefined);
    return () => controller.abort();
  }, [get]);
  return assignees;
}

/** Sends a reply (multipart: body and files) and changes a ticket (PATCH). */
export function useInboxActions(documentId: string | undefined) {
  const { post } = useFetchClient();
  const token = useAuth('InboxPage', (state) => state.token);

  const reply = useCallback(
    async (body: string, files: File[]): Promise<Message> => {
      const form = new FormData();
      form.append('body', body);
      for (const file of files) form.append('files', file, file.name);
      const { data } = await post<{ data: Message }>(`${BASE}/${documentId}/reply`, form);
      return data.data;
    },
    [post, documentId],
  );

  // The admin's fetch client has no PATCH; the same request with the same bearer, by hand.
  const update = useCallback(
    async (changes: { state?: TicketState; priority?: TicketPriority; assignee?: number | null }): Promise<TicketView> => {
      const response = await fetch(`${(window as unknown as { strapi?: { backendURL?: string } }).strapi?.backendURL ?? ''}${BASE}/${documentId}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(changes),
      });
      const answer = (await response.json().catch(() => ({}))) as { data?: TicketView } & ErrorEnvelope;
      if (!response.ok || !answer.data) {
        const fields = (answer.error?.details?.errors ?? []).map((item) => item.message).filter(Boolean);
        throw new Error([answer.error?.message ?? `HTTP ${response.status}`, ...fields].join(' '));
      }
      return answer.data;
    },
    [documentId, token],
  );

  return { reply, update };
}
