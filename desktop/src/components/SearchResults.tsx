import { useEffect, useState } from 'react';
import { errorMessage, type Api, type EventItem } from '../lib/api';
import { Empty, ErrorBanner } from './common';
import { EventRow } from './EventRow';

interface Props {
  api: Api;
  timezone: string;
  query: string;
  refreshKey: number;
  onOpen: (id: number) => void;
  onDone: (item: EventItem) => void;
}

/** Events whose title or description contains the query (GET /events?q=). */
export function SearchResults({ api, timezone, query, refreshKey, onOpen, onDone }: Props) {
  const [items, setItems] = useState<EventItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError(null);
    api
      .listEvents({ q: query, limit: 200 })
      .then((page) => live && setItems(page.items))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api, query, refreshKey, reload]);

  return (
    <section aria-labelledby="search-heading" className="view">
      <div className="view-head">
        <h1 id="search-heading">Search: “{query}”</h1>
      </div>
      <ErrorBanner message={error} onRetry={() => setReload((n) => n + 1)} />
      {items === null && !error && <p className="muted">Searching…</p>}
      {items && items.length === 0 && <Empty>No events match “{query}”.</Empty>}
      {items && items.length > 0 && (
        <ul className="event-list">
          {items.map((item) => (
            <EventRow key={item.id} item={item} timezone={timezone} withDate onOpen={onOpen} onDone={onDone} />
          ))}
        </ul>
      )}
    </section>
  );
}
