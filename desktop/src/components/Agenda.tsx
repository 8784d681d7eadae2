import { useState } from 'react';
import { type Api, type EventItem } from '../lib/api';
import { useEventWindow } from '../lib/useEventWindow';
import { addDays, dayHeading, dayKey, startOfDay } from '../lib/dates';
import { Empty, ErrorBanner } from './common';
import { EventRow } from './EventRow';

interface Props {
  api: Api;
  timezone: string;
  refreshKey: number;
  onOpen: (id: number) => void;
  onDone: (item: EventItem) => void;
}

const RANGES = [7, 30, 90, 365];

export function itemDay(item: EventItem, timezone: string): string {
  const start = item.occurrence_start ?? item.start_time;
  return dayKey(start, item.all_day ? item.timezone || timezone : timezone);
}

/** Group items (already in time order) by their day in `timezone`. */
export function groupByDay(items: EventItem[], timezone: string): [string, EventItem[]][] {
  const groups = new Map<string, EventItem[]>();
  for (const item of items) {
    const day = itemDay(item, timezone);
    const list = groups.get(day);
    if (list) list.push(item);
    else groups.set(day, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Upcoming events (occurrences) from today on, grouped by day. */
export function Agenda({ api, timezone, refreshKey, onOpen, onDone }: Props) {
  const [days, setDays] = useState(30);
  const [showDone, setShowDone] = useState(false);
  const today = dayKey(new Date(), timezone);
  const { items, error, truncated, retry } = useEventWindow(
    api,
    startOfDay(today, timezone).toISOString(),
    startOfDay(addDays(today, days), timezone).toISOString(),
    showDone ? undefined : false,
    refreshKey,
  );

  return (
    <section aria-labelledby="agenda-heading" className="view">
      <div className="view-head">
        <h1 id="agenda-heading">Agenda</h1>
        <div className="view-tools">
          <label>
            Show{' '}
            <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {RANGES.map((d) => (
                <option key={d} value={d}>
                  next {d} days
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={showDone} onChange={(e) => setShowDone(e.target.checked)} /> show done
          </label>
        </div>
      </div>
      <ErrorBanner message={error} onRetry={retry} />
      {truncated && (
        <p className="hint truncated" role="status">
          Showing the first {items?.length ?? 0} events only; there are more in this range.
        </p>
      )}
      {items === null && !error && <p className="muted">Loading…</p>}
      {items && items.length === 0 && <Empty>Nothing in the next {days} days. Add an event with quick add above.</Empty>}
      {items &&
        groupByDay(items, timezone).map(([day, list]) => (
          <div key={day} className="day-group" data-day={day}>
            <h2 className={day === today ? 'day-heading is-today' : 'day-heading'}>{dayHeading(day, today)}</h2>
            <ul className="event-list">
              {list.map((item) => (
                <EventRow
                  key={`${item.id}-${item.occurrence_start ?? ''}`}
                  item={item}
                  timezone={timezone}
                  onOpen={onOpen}
                  onDone={onDone}
                />
              ))}
            </ul>
          </div>
        ))}
    </section>
  );
}
