import { useCallback, useEffect, useState } from 'react';
import { errorMessage, listAllEvents, type Api, type EventItem } from './api';

export interface EventWindow {
  /** null until the first answer arrives. */
  items: EventItem[] | null;
  error: string | null;
  /** More occurrences exist in the range than were fetched. */
  truncated: boolean;
  retry: () => void;
}

/** Every occurrence in [from, to), refetched when the range, the filter or
 * `refreshKey` changes; an answer that arrives after the range moved on is dropped. */
export function useEventWindow(
  api: Api,
  from: string,
  to: string,
  completed: boolean | undefined,
  refreshKey: number,
): EventWindow {
  const [items, setItems] = useState<EventItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    listAllEvents(api, { from, to, completed, limit: 500 })
      .then((all) => {
        if (!live) return;
        setItems(all.items);
        setTruncated(all.truncated);
      })
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api, from, to, completed, refreshKey, reload]);

  const retry = useCallback(() => setReload((n) => n + 1), []);
  return { items, error, truncated, retry };
}
