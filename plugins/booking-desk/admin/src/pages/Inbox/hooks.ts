import { useCallback, useEffect, useState } from 'react';
import { isFetchError, useAuth, useFetchClient } from '@strapi/strapi/admin';
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

/** The server's own words for a failed request: its message plus the field messages of a 4xx. */
export function serverMessage(error: unknown): string | null {
  if (!isFetchError(error)) return error instanceof Error ? error.message : null;
  const body = error.response?.data as ErrorEnvelope | undefined;
  const message = body?.error?.message ?? error.message;
  const fields = (body?.error?.details?.errors ?? []).map((item) => item.message).filter((text): text is string => Boolean(text) && text !== message);
  return [message, ...fields].filter(Boolean).join(' ');
}

/** The inbox actions this admin user holds. */
export function useInboxPermissions() {
  const permissions = useAuth('InboxPage', (state) => state.permissions);
  const granted = new Set(permissions.map((permission) => permission.action));
  return { reply: granted.has(`plugin::${PLUGIN_ID}.inbox.reply`), members: granted.has(`plugin::${PLUGIN_ID}.members.read`) };
}

/** One page of the ticket list with the counters; `reload` fetches it again. */
export function useTickets(filters: ListFilters) {
  const { get } = useFetchClient();
  const [answer, setAnswer] = useState<TicketListAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const { state, priority, assignee, q, page, pageSize } = filters;

  useEffect(() => {
    const controller = new AbortController();
    const params: Record<string, string | number> = { page, pageSize };
    if (state) params.state = state;
    if (priority) params.priority = priority;
    if (assignee) params.assignee = assignee;
    if (q) params.q = q;
    setLoading(true);
    get<TicketListAnswer>(BASE, { params, signal: controller.signal })
      .then(({ data }) => {
        setAnswer(data);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(serverMessage(failure) ?? 'Error');
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [get, state, priority, assignee, q, page, pageSize, version]);

  return { answer, error, loading, reload: useCallback(() => setVersion((v) => v + 1), []) };
}

/** One ticket with its thread; `reload` fetches it again (fresh signed photo links too). */
export function useTicket(documentId: string | undefined) {
  const { get } = useFetchClient();
  const [ticket, setTicket] = useState<TicketView | null>(null);
  const [error, setError] = useState<{ status: number | null; message: string } | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!documentId) return undefined;
    const controller = new AbortController();
    setLoading(true);
    get<{ data: TicketView }>(`${BASE}/${documentId}`, { signal: controller.signal })
      .then(({ data }) => {
        setTicket(data.data);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setError({ status: isFetchError(failure) ? (failure.status ?? null) : null, message: serverMessage(failure) ?? 'Error' });
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [get, documentId, version]);

  return { ticket, setTicket, error, loading, reload: useCallback(() => setVersion((v) => v + 1), []) };
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
