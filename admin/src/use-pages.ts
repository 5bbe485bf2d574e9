import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { describeError } from './strings.ts';

/** Where the next page starts: the (time, id) of the last row shown. */
export interface Cursor {
  beforeAtMs: number;
  beforeId: string;
}

/**
 * A list the admin API answers a page at a time (newest first, `beforeAtMs` and `beforeId` after the
 * last row): the first page whenever `path` changes, and the next one on "load more".
 */
export function usePages<T>(path: string, cursorOf: (last: T) => Cursor, pageSize = 50) {
  const [items, setItems] = useState<T[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cursor = useRef(cursorOf);
  cursor.current = cursorOf;
  const load = useCallback(
    (after?: T) => {
      let url = path;
      if (after !== undefined) {
        const c = cursor.current(after);
        const query = new URLSearchParams({ beforeAtMs: String(c.beforeAtMs), beforeId: c.beforeId });
        url += `${path.includes('?') ? '&' : '?'}${query}`;
      }
      api<{ items: T[] }>('GET', url).then(
        (page) => {
          setItems((shown) => (after !== undefined ? [...shown, ...page.items] : page.items));
          setMore(page.items.length === pageSize);
        },
        (e) => setError(describeError(e)),
      );
    },
    [path, pageSize],
  );
  useEffect(() => load(), [load]);
  return {
    items,
    more,
    error,
    setError,
    reload: () => load(),
    loadMore: () => {
      const last = items.at(-1);
      if (last !== undefined) load(last);
    },
  };
}
