/**
 * Data of the calendar page: the grid, the side sheet's booking and its actions, member search, the price
 * preview and staff bookings. Each hook talks to one admin route of the booking desk (docs/ADMIN.md, Bookings calendar).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { useAdminData } from '../../hooks/useAdminData';
import { serverMessage } from '../../serverMessage';
import { PLUGIN_ID } from '../../pluginId';
import type { StaffAction } from '../../staffActions';
import type { StaffActionBody } from '../../useStaffAction';
import type { BookingDetail, CalendarAnswer, CreateAnswer, CreateBody, MemberOption, QuoteData, RefundDue } from './types';

/** The server's own words for a failed request: its message plus field messages. */
export function errorMessage(error: unknown): string {
  return serverMessage(error) ?? String(error);
}

export interface CalendarParams {
  from: string;
  to: string;
  resource?: string;
  tariff?: string;
  member?: string;
}

/** GET /booking-desk/calendar for the view's days and filters; `reload` after a change. */
export function useCalendarData(params: CalendarParams) {
  const query = Object.fromEntries(Object.entries(params).filter(([, value]) => value)) as Record<string, string>;
  const { data: answer, error, loading, reload } = useAdminData<CalendarAnswer>(`/${PLUGIN_ID}/calendar`, {
    params: query,
    describe: errorMessage,
    initialLoading: true,
  });
  return { answer, error: error?.message ?? null, loading, reload };
}

/** GET /booking-desk/calendar/bookings/:documentId, for the side sheet. */
export function useBookingDetail(documentId: string | null) {
  const { data: booking, error, loading, reload } = useAdminData<{ data: BookingDetail }, BookingDetail>(
    documentId ? `/${PLUGIN_ID}/calendar/bookings/${documentId}` : null,
    { select: (answer) => answer.data, describe: errorMessage, initialLoading: false, idle: 'clear' },
  );
  return { booking, error, loading, reload };
}

export type ActionOutcome = { ok: true; refund: RefundDue | null } | { ok: false; message: string };

/**
 * Runs one staff action of staffActions.ts (POST /booking-desk/bookings/:documentId/<path>) and answers what the
 * server said, the refund of a cancellation included (useStaffAction.ts serves the content manager's panel and
 * refreshes its cache; the sheet needs the answer itself).
 */
export function useBookingAction(documentId: string | null) {
  const { post } = useFetchClient();
  const [pending, setPending] = useState<string | null>(null);
  const run = useCallback(
    async (action: StaffAction, body: StaffActionBody = {}): Promise<ActionOutcome> => {
      if (!documentId) return { ok: false, message: 'No booking' };
      setPending(action.key);
      try {
        const { data } = await post<{ meta?: { refund?: RefundDue | null } }>(`/${PLUGIN_ID}/bookings/${documentId}/${action.path}`, body);
        return { ok: true, refund: data.meta?.refund ?? null };
      } catch (failure) {
        return { ok: false, message: errorMessage(failure) };
      } finally {
        setPending(null);
      }
    },
    [post, documentId],
  );
  return { run, pending };
}

/** GET /booking-desk/members?q= (members helper's route), debounced; nothing under 2 characters. */
export function useMemberSearch(query: string) {
  const { get } = useFetchClient();
  const [members, setMembers] = useState<MemberOption[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setMembers([]);
      setError(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      setLoading(true);
      get<{ data: MemberOption[] }>(`/${PLUGIN_ID}/members`, { params: { q } })
        .then(({ data }) => {
          if (!live) return;
          setMembers(data.data ?? []);
          setError(null);
        })
        .catch((failure: unknown) => live && setError(errorMessage(failure)))
        .finally(() => live && setLoading(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [get, query]);
  return { members, loading, error };
}

/** POST /booking-desk/bookings/quote whenever the request changes (debounced); null request → no quote. */
export function useQuote(body: Omit<CreateBody, 'markPaid' | 'sendPaymentLink' | 'comment' | 'member'> & { member?: string } | null) {
  const { post } = useFetchClient();
  const [quote, setQuote] = useState<QuoteData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key = body ? JSON.stringify(body) : null;

  useEffect(() => {
    if (key === null) {
      setQuote(null);
      setError(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      setLoading(true);
      post<{ data: QuoteData }>(`/${PLUGIN_ID}/bookings/quote`, JSON.parse(key))
        .then(({ data }) => {
          if (!live) return;
          setQuote(data.data);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (!live) return;
          setQuote(null);
          setError(errorMessage(failure));
        })
        .finally(() => live && setLoading(false));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [post, key]);
  return { quote, error, loading };
}

/** POST /booking-desk/bookings. */
export function useCreateBooking() {
  const { post } = useFetchClient();
  const [pending, setPending] = useState(false);
  const busy = useRef(false);
  const create = useCallback(
    async (body: CreateBody): Promise<{ ok: true; answer: CreateAnswer } | { ok: false; message: string }> => {
      // A second click while the first request runs would book twice.
      if (busy.current) return { ok: false, message: '' };
      busy.current = true;
      setPending(true);
      try {
        const { data } = await post<CreateAnswer>(`/${PLUGIN_ID}/bookings`, body);
        return { ok: true, answer: data };
      } catch (failure) {
        return { ok: false, message: errorMessage(failure) };
      } finally {
        busy.current = false;
        setPending(false);
      }
    },
    [post],
  );
  return { create, pending };
}

/** The current time, ticking every `ms`. */
export function useNow(ms = 60_000) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
