import { useCallback, useEffect, useRef, useState } from 'react';
import { isFetchError, useAuth, useFetchClient } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../pluginId';
import type { ErrorEnvelope, MemberCardAnswer, MemberNote, MemberSearchAnswer } from './types';

const BASE = `/${PLUGIN_ID}/members`;

/** The server's own words for a failed request: its message plus the field messages of a 400 / 422. */
export function serverMessage(error: unknown): string | null {
  if (!isFetchError(error)) return error instanceof Error ? error.message : null;
  const body = error.response?.data as ErrorEnvelope | undefined;
  const message = body?.error?.message ?? error.message;
  const fields = (body?.error?.details?.errors ?? [])
    .map((item) => item.message)
    .filter((text): text is string => Boolean(text) && text !== message);
  return [message, ...fields].filter(Boolean).join(' ');
}

/** The member-card actions this admin user holds (plugins' RBAC, src/bootstrap/admin-roles.ts). */
export function useMemberPermissions() {
  const permissions = useAuth('MembersPage', (state) => state.permissions);
  const granted = new Set(permissions.map((permission) => permission.action));
  const has = (uid: string) => granted.has(`plugin::${PLUGIN_ID}.${uid}`);
  return {
    read: has('members.read'),
    ban: has('members.ban'),
    message: has('members.message'),
    notes: has('members.notes'),
    calendar: has('calendar.read'),
    inbox: has('inbox.read'),
  };
}

/** Searches members as staff type (debounced by the caller), one page at a time. */
export function useMemberSearch(q: string, page: number, pageSize = 20) {
  const { get } = useFetchClient();
  const [answer, setAnswer] = useState<MemberSearchAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    get<MemberSearchAnswer>(BASE, { params: { q, page, pageSize }, signal: controller.signal })
      .then(({ data }) => {
        setAnswer(data);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(serverMessage(failure) ?? 'Error');
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [get, q, page, pageSize]);

  return { answer, error, loading };
}

/** One member's card; `reload` fetches it again after an action. */
export function useMemberCard(documentId: string | undefined) {
  const { get } = useFetchClient();
  const [answer, setAnswer] = useState<MemberCardAnswer | null>(null);
  const [error, setError] = useState<{ status: number | null; message: string } | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!documentId) return undefined;
    const controller = new AbortController();
    setLoading(true);
    get<MemberCardAnswer>(`${BASE}/${documentId}`, { signal: controller.signal })
      .then(({ data }) => {
        setAnswer(data);
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

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { answer, error, loading, reload };
}

export type MemberAction = 'ban' | 'unban' | 'message' | 'notes';

type Bodies = { ban: { reason: string }; unban: { reason: string }; message: { text: string }; notes: { body: string } };

/** Runs a member-card action; resolves to an error message, or null when it worked. */
export function useMemberAction(documentId: string) {
  const { post } = useFetchClient();
  const [pending, setPending] = useState<MemberAction | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const run = useCallback(
    async <A extends MemberAction>(action: A, body: Bodies[A]): Promise<{ ok: true; note?: MemberNote } | { ok: false; message: string }> => {
      setPending(action);
      try {
        const { data } = await post<{ data: unknown }>(`${BASE}/${documentId}/${action}`, body);
        return { ok: true, ...(action === 'notes' ? { note: data.data as MemberNote } : {}) };
      } catch (failure) {
        return { ok: false, message: serverMessage(failure) ?? 'Error' };
      } finally {
        if (mounted.current) setPending(null);
      }
    },
    [post, documentId],
  );

  return { run, pending };
}
