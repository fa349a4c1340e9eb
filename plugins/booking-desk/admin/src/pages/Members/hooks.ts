import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth, useFetchClient } from '@strapi/strapi/admin';
import { useAdminData } from '../../hooks/useAdminData';
import { serverMessage } from '../../serverMessage';
import { PLUGIN_ID } from '../../pluginId';
import type { MemberCardAnswer, MemberNote, MemberSearchAnswer } from './types';

const BASE = `/${PLUGIN_ID}/members`;

export { serverMessage };

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
  const { data: answer, error, loading } = useAdminData<MemberSearchAnswer>(BASE, { params: { q, page, pageSize }, initialLoading: true });
  return { answer, error: error?.message ?? null, loading };
}

/** One member's card; `reload` fetches it again after an action. */
export function useMemberCard(documentId: string | undefined) {
  const { data: answer, error, loading, reload } = useAdminData<MemberCardAnswer>(documentId ? `${BASE}/${documentId}` : null, { initialLoading: true });
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
