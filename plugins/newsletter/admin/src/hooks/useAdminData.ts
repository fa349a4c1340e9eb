/**
 * Loading one admin route into a page: the answer, whether it is loading, the server's error and `reload`.
 * Copied from the booking desk's hook of the same name (plugins do not import each other); used by
 * pages/Newsletters/hooks.ts.
 */
import { useCallback, useEffect, useState } from 'react';
import { isFetchError, useFetchClient } from '@strapi/strapi/admin';
import { serverMessage } from '../serverMessage';

/** A failed load: the HTTP status (null when there was no answer) and what to show. */
export interface LoadFailure {
  status: number | null;
  message: string;
}

export interface AdminDataOptions<A, T> {
  /** Query parameters, sent as given. */
  params?: Record<string, string | number>;
  /** What of the answer to keep (default: all of it). */
  select?: (answer: A) => T;
  /** The message of a failure (default: the server's words, else "Error"). */
  describe?: (failure: unknown) => string;
  /** Whether the page starts out loading (before the first request, or while there is nothing to load). */
  initialLoading: boolean;
  /** With no path, forget the data and the error (`clear`) or leave them as they are (`keep`). */
  idle?: 'clear' | 'keep';
}

const describeDefault = (failure: unknown) => serverMessage(failure) ?? 'Error';

/**
 * GET `path` (no request while it is null) again whenever it, the params or `reload` change. A request that is
 * superseded or whose page is gone is aborted and changes nothing.
 */
export function useAdminData<A, T = A>(path: string | null, options: AdminDataOptions<A, T>) {
  const { get } = useFetchClient();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<LoadFailure | null>(null);
  const [loading, setLoading] = useState(options.initialLoading);
  const [version, setVersion] = useState(0);
  const paramsKey = options.params ? JSON.stringify(options.params) : null;
  const { select, describe = describeDefault, idle = 'keep' } = options;

  useEffect(() => {
    if (path === null) {
      if (idle === 'clear') {
        setData(null);
        setError(null);
      }
      return undefined;
    }
    const controller = new AbortController();
    setLoading(true);
    const params = paramsKey === null ? undefined : (JSON.parse(paramsKey) as Record<string, string | number>);
    get<A>(path, { ...(params ? { params } : {}), signal: controller.signal })
      .then(({ data: answer }) => {
        if (controller.signal.aborted) return;
        setData(select ? select(answer) : (answer as unknown as T));
        setError(null);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setError({ status: isFetchError(failure) ? (failure.status ?? null) : null, message: describe(failure) });
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
    // `select` and `describe` are read when an answer comes; a new function each render is no reason to fetch again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [get, path, paramsKey, version, idle]);

  const reload = useCallback(() => setVersion((value) => value + 1), []);
  return { data, setData, error, loading, reload };
}
