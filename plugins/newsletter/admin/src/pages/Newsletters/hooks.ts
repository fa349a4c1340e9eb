/**
 * Data of the Newsletters page: the admin routes under /newsletter (plugins/newsletter/server/src/routes/admin.ts)
 * through the admin's fetch client (the staff member's token), one hook per thing the page shows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth, useFetchClient } from '@strapi/strapi/admin';
import { useAdminData } from '../../hooks/useAdminData';
import { serverMessage } from '../../serverMessage';
import { PLUGIN_ID } from '../../pluginId';
import type {
  AudienceSpec,
  Channel,
  DeliveryView,
  ListAnswer,
  MemberPick,
  NewsletterInput,
  NewsletterView,
  Preview,
  ProgressView,
  Settings,
  TariffOption,
  Template,
  TestAnswer,
} from './types';

export const BASE = `/${PLUGIN_ID}`;
const NEWSLETTERS = `${BASE}/newsletters`;
/** How often the progress view asks again while a newsletter runs. */
export const PROGRESS_POLL_MS = 2000;
/** How long the audience must stay unchanged before the recipient count is asked for. */
export const PREVIEW_DELAY_MS = 400;

/** The newsletter actions this admin user holds. */
export function useNewsletterPermissions() {
  const permissions = useAuth('NewslettersPage', (state) => state.permissions);
  const granted = new Set(permissions.map((permission) => permission.action));
  return {
    read: granted.has(`plugin::${PLUGIN_ID}.read`),
    send: granted.has(`plugin::${PLUGIN_ID}.send`),
    manage: granted.has(`plugin::${PLUGIN_ID}.manage`),
  };
}

export interface ListFilters {
  state?: string;
  q?: string;
  page: number;
  pageSize: number;
}

/** One page of the history, newest first. */
export function useNewsletters(filters: ListFilters) {
  const params: Record<string, string | number> = { page: filters.page, pageSize: filters.pageSize };
  if (filters.state) params.state = filters.state;
  if (filters.q) params.q = filters.q;
  const { data: answer, error, loading, reload } = useAdminData<ListAnswer<NewsletterView>>(NEWSLETTERS, { params, initialLoading: true });
  return { answer, error: error?.message ?? null, loading, reload };
}

/** One newsletter; `setNewsletter` takes an answer of an action, `reload` fetches it again. */
export function useNewsletter(documentId: string | undefined) {
  const { data, setData, error, loading, reload } = useAdminData<{ data: NewsletterView }, NewsletterView>(
    documentId ? `${NEWSLETTERS}/${documentId}` : null,
    { select: (answer) => answer.data, initialLoading: Boolean(documentId), idle: 'clear' },
  );
  return { newsletter: data, setNewsletter: setData, error, loading, reload };
}

/** Channel availability, the staff member's own addresses and the space's time zone. */
export function useSettings() {
  const { data, setData, error, loading } = useAdminData<{ data: Settings }, Settings>(`${BASE}/settings`, {
    select: (answer) => answer.data,
    initialLoading: true,
  });
  return { settings: data, setSettings: setData, error: error?.message ?? null, loading };
}

/** The e-mail templates; `reload` after saving one. */
export function useTemplates(enabled: boolean) {
  const { data, error, reload } = useAdminData<{ data: Template[] }, Template[]>(enabled ? `${BASE}/templates` : null, {
    select: (answer) => answer.data,
    initialLoading: false,
  });
  return { templates: data ?? [], error: error?.message ?? null, reload };
}

/**
 * The tariffs to pick for the "by tariff" segment: the content manager's list (names and documentIds), which every
 * role that may compose newsletters can read.
 */
export function useTariffs(enabled: boolean) {
  const { data, error } = useAdminData<{ results: { documentId: string; name: string }[] }, TariffOption[]>(
    enabled ? '/content-manager/collection-types/api::tariff.tariff' : null,
    {
      params: { page: 1, pageSize: 100, sort: 'name:ASC' },
      select: (answer) => (answer.results ?? []).map((tariff) => ({ documentId: tariff.documentId, name: tariff.name })),
      initialLoading: false,
    },
  );
  return { tariffs: data ?? [], error: error?.message ?? null };
}

/**
 * The live recipient count of an audience: asked PREVIEW_DELAY_MS after the last change, an older request
 * dropped when a newer one starts. `spec` null: the audience is incomplete, nothing is asked.
 */
export function useAudiencePreview(spec: AudienceSpec | null, channels: Channel[], serviceNotice: boolean) {
  const { post } = useFetchClient();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key = spec ? JSON.stringify({ spec, channels, serviceNotice }) : null;

  useEffect(() => {
    if (key === null) {
      setPreview(null);
      setError(null);
      setLoading(false);
      return undefined;
    }
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      const { spec: audience, channels: selected, serviceNotice: notice } = JSON.parse(key) as { spec: AudienceSpec; channels: Channel[]; serviceNotice: boolean };
      post<{ data: Preview }>(`${BASE}/audience/preview`, { audience, channels: selected, serviceNotice: notice }, { signal: controller.signal })
        .then(({ data }) => {
          if (controller.signal.aborted) return;
          setPreview(data.data);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (controller.signal.aborted) return;
          setPreview(null);
          setError(serverMessage(failure) ?? 'Error');
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [post, key]);

  return { preview, error, loading };
}

/**
 * The progress of a running newsletter, asked every PROGRESS_POLL_MS while `active`; it stops by itself once
 * the newsletter is no longer scheduled, sending or paused (and calls `onSettled` once with the last answer).
 */
export function useProgress(documentId: string, active: boolean, onSettled?: (progress: ProgressView) => void) {
  const { get } = useFetchClient();
  const [progress, setProgress] = useState<ProgressView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const settledRef = useRef(onSettled);
  settledRef.current = onSettled;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const { data } = await get<{ data: ProgressView }>(`${NEWSLETTERS}/${documentId}/progress`, { signal: controller.signal });
        if (controller.signal.aborted) return;
        setProgress(data.data);
        setError(null);
        const running = ['scheduled', 'sending', 'paused'].includes(data.data.status);
        if (!running) {
          settledRef.current?.(data.data);
          return;
        }
      } catch (failure) {
        if (controller.signal.aborted) return;
        setError(serverMessage(failure) ?? 'Error');
      }
      if (active) timer = setTimeout(() => void ask(), PROGRESS_POLL_MS);
    };
    void ask();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [get, documentId, active, version]);

  const refresh = useCallback(() => setVersion((value) => value + 1), []);
  return { progress, error, refresh };
}

export interface DeliveryFilters {
  status?: string;
  channel?: string;
  page: number;
  pageSize: number;
}

/** One page of a newsletter's recipients. */
export function useDeliveries(documentId: string, filters: DeliveryFilters, refreshKey: number) {
  const params: Record<string, string | number> = { page: filters.page, pageSize: filters.pageSize };
  if (filters.status) params.status = filters.status;
  if (filters.channel) params.channel = filters.channel;
  const { data: answer, error, loading, reload } = useAdminData<ListAnswer<DeliveryView>>(`${NEWSLETTERS}/${documentId}/deliveries`, {
    params,
    initialLoading: true,
  });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    reload();
  }, [refreshKey, reload]);
  return { answer, error: error?.message ?? null, loading, reload };
}

/** Every change the page makes; each resolves to the server's answer or throws its error. */
export function useNewsletterActions() {
  const { get, post, put, del } = useFetchClient();

  const create = useCallback(
    async (input: NewsletterInput) => (await post<{ data: NewsletterView }>(NEWSLETTERS, input)).data.data,
    [post],
  );
  const update = useCallback(
    async (documentId: string, input: Partial<NewsletterInput>) => (await put<{ data: NewsletterView }>(`${NEWSLETTERS}/${documentId}`, input)).data.data,
    [put],
  );
  const remove = useCallback(async (documentId: string) => {
    await del(`${NEWSLETTERS}/${documentId}`);
  }, [del]);
  const uploadMedia = useCallback(
    async (documentId: string, files: File[]) => {
      const form = new FormData();
      for (const file of files) form.append('files', file, file.name);
      return (await post<{ data: NewsletterView }>(`${NEWSLETTERS}/${documentId}/media`, form)).data.data;
    },
    [post],
  );
  const removeMedia = useCallback(
    async (documentId: string, fileId: number) => (await del<{ data: NewsletterView }>(`${NEWSLETTERS}/${documentId}/media/${fileId}`)).data.data,
    [del],
  );
  const test = useCallback(
    async (documentId: string, target: { telegramId?: string; email?: string } = {}) =>
      (await post<{ data: TestAnswer }>(`${NEWSLETTERS}/${documentId}/test`, target)).data.data,
    [post],
  );
  const send = useCallback(
    async (documentId: string, scheduledAt?: string) =>
      (await post<{ data: NewsletterView }>(`${NEWSLETTERS}/${documentId}/send`, scheduledAt ? { scheduledAt } : {})).data.data,
    [post],
  );
  const control = useCallback(
    async (documentId: string, action: 'pause' | 'resume' | 'cancel' | 'resend') =>
      (await post<{ data: NewsletterView }>(`${NEWSLETTERS}/${documentId}/${action}`, {})).data.data,
    [post],
  );
  const linkTelegram = useCallback(
    async (telegramId: string) => (await put<{ data: Settings['me'] | Settings }>(`${BASE}/settings/me`, { telegramId })).data.data,
    [put],
  );
  const saveTemplate = useCallback(
    async (template: Omit<Template, 'documentId'>) => (await post<{ data: Template }>(`${BASE}/templates`, template)).data.data,
    [post],
  );
  const searchMembers = useCallback(
    async (q: string, signal?: AbortSignal) => (await get<{ data: MemberPick[] }>(`${BASE}/members`, { params: { q }, signal })).data.data,
    [get],
  );
  /** The recipients as CSV: fetched with the staff token as a blob, then saved through a link click. */
  const downloadCsv = useCallback(
    async (documentId: string, filters: { status?: string; channel?: string }, fileName: string) => {
      const params: Record<string, string> = {};
      if (filters.status) params.status = filters.status;
      if (filters.channel) params.channel = filters.channel;
      const { data } = await get<Blob>(`${NEWSLETTERS}/${documentId}/deliveries.csv`, { params, responseType: 'blob' });
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
    [get],
  );

  return { create, update, remove, uploadMedia, removeMedia, test, send, control, linkTelegram, saveTemplate, searchMembers, downloadCsv };
}
