import { useEffect, useState } from 'react';
import { errorMessage, type Api } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { EventTitleCache, loadProblemReminders, type ProblemReminder, type ProblemReminders } from '../lib/missed';
import { ErrorBanner } from './common';

interface Props {
  api: Api;
  timezone: string;
  refreshKey: number;
  onOpen: (eventId: number) => void;
}

// One title cache per API client, emptied when the app's data changes (an edit may rename).
const caches = new WeakMap<Api, { cache: EventTitleCache; refreshKey: number }>();

function titleCache(api: Api, refreshKey: number): EventTitleCache {
  let entry = caches.get(api);
  if (!entry) {
    entry = { cache: new EventTitleCache(api), refreshKey };
    caches.set(api, entry);
  } else if (entry.refreshKey !== refreshKey) {
    entry.cache.clear();
    entry.refreshKey = refreshKey;
  }
  return entry.cache;
}

const RELOAD_MS = 60_000;

const CHANNEL: Record<string, string> = { desktop: 'desktop', telegram: 'Telegram' };

function ProblemRow({ p, timezone, onOpen }: { p: ProblemReminder; timezone: string; onOpen: (id: number) => void }) {
  const r = p.reminder;
  const ev = p.event === 'gone' ? null : p.event;
  const title = ev?.title ?? (p.event === 'gone' ? `Event ${r.event_id} (deleted)` : `Event ${r.event_id}`);
  return (
    <li className={`event-row${ev?.is_completed ? ' is-done' : ''}`} data-reminder-id={r.id} data-status={r.status}>
      <span className="event-when" title="When it should have reminded">
        {formatDateTime(r.remind_at, timezone)}
      </span>
      <button type="button" className="event-main" onClick={() => onOpen(r.event_id)} aria-label={`Open ${title}`} disabled={p.event === 'gone'}>
        <span className="event-title">{title}</span>
        <span className="event-meta">
          {r.occurrence_start && <span>starts {formatDateTime(r.occurrence_start, timezone)}</span>}
          <span>{CHANNEL[r.notification_type] ?? r.notification_type}</span>
          {ev?.is_completed && <span>✓ done</span>}
          {p.kind === 'failed' && r.last_error && <span className="problem-error">{r.last_error}</span>}
        </span>
      </button>
    </li>
  );
}

/** Reminders that never reached the user: missed while nudge was off, and failed ones. */
export function MissedReminders({ api, timezone, refreshKey, onOpen }: Props) {
  const [data, setData] = useState<ProblemReminders | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    loadProblemReminders(api, titleCache(api, refreshKey))
      .then((d) => live && setData(d))
      .catch((e) => live && setError(`Could not load missed reminders: ${errorMessage(e)}`));
    return () => {
      live = false;
    };
  }, [api, refreshKey, reload]);

  // The sweeper marks reminders missed or failed on its own schedule: look again now and then.
  useEffect(() => {
    const t = setInterval(() => setReload((n) => n + 1), RELOAD_MS);
    return () => clearInterval(t);
  }, []);

  const sections: { kind: 'missed' | 'failed'; heading: string; hint: string; list: ProblemReminder[] }[] = data
    ? [
        {
          kind: 'missed',
          heading: 'Missed while nudge was off',
          hint: 'These came due while nudge was not running and were older than your catch-up window, so they were not sent. Times are when they should have reminded you.',
          list: data.missed,
        },
        {
          kind: 'failed',
          heading: 'Could not be delivered',
          hint: 'Delivery was given up after several attempts; the reason is shown with each.',
          list: data.failed,
        },
      ]
    : [];

  return (
    <>
      <ErrorBanner message={error} onRetry={() => setReload((n) => n + 1)} />
      {sections
        .filter((s) => s.list.length > 0)
        .map((s) => (
          <div key={s.kind} className={`problem-section problem-${s.kind}`} aria-labelledby={`problem-${s.kind}-heading`} role="region">
            <h2 id={`problem-${s.kind}-heading`}>
              {s.heading} <span className="pill warn">{s.list.length >= (data?.limit ?? Infinity) ? `${s.list.length}+` : s.list.length}</span>
            </h2>
            <p className="hint">{s.hint}</p>
            <ul className="event-list problem-list">
              {s.list.map((p) => (
                <ProblemRow key={p.reminder.id} p={p} timezone={timezone} onOpen={onOpen} />
              ))}
            </ul>
          </div>
        ))}
    </>
  );
}
