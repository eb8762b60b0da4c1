/** A small history-API router: the page is the first path segment after /ui/, the rest is its argument. */
import { useEffect, useState } from 'react';

export interface Route {
  page: string;
  rest: string[];
  search: URLSearchParams;
}

function current(): Route {
  const parts = location.pathname.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? 'overview', rest: parts.slice(1), search: new URLSearchParams(location.search) };
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, '', `/ui/${path}`);
  for (const l of listeners) l();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = (): void => setRoute(current());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A path segment for a value a user controls (a principal id may hold `/`). */
export const seg = (value: string): string => encodeURIComponent(value);
