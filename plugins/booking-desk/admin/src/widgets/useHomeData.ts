import { useFetchClient } from '@strapi/strapi/admin';
import * as React from 'react';
import type { HomeData } from './types';

/**
 * The home page's figures, shared by its widgets: each widget mounts on its own, so one request serves them all
 * (answers younger than FRESH_MS are reused) and each widget reads its section.
 */
const FRESH_MS = 10_000;
let shared: { at: number; promise: Promise<HomeData> } | null = null;

export type HomeState = { status: 'loading' } | { status: 'error' } | { status: 'ready'; data: HomeData };

export function useHomeData(): HomeState {
  const { get } = useFetchClient();
  const [state, setState] = React.useState<HomeState>({ status: 'loading' });

  React.useEffect(() => {
    let live = true;
    if (!shared || Date.now() - shared.at > FRESH_MS) {
      const promise = get<{ data: HomeData }>('/booking-desk/home').then((res) => res.data.data);
      shared = { at: Date.now(), promise };
      // A failed answer is not reused.
      promise.catch(() => {
        if (shared?.promise === promise) shared = null;
      });
    }
    shared.promise.then(
      (data) => live && setState({ status: 'ready', data }),
      () => live && setState({ status: 'error' }),
    );
    return () => {
      live = false;
    };
  }, [get]);

  return state;
}
