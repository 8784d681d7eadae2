import type { ReactNode } from 'react';
import type { RecentReminder } from '../lib/settings';
import { formatDateTime } from '../lib/dates';
import { Empty } from './common';

interface Props {
  reminders: RecentReminder[];
  timezone: string;
  onSnooze: (r: RecentReminder) => void;
  onDone: (r: RecentReminder) => void;
  onOpen: (eventId: number) => void;
  onClear: () => void;
  /** shown under the heading, above the received reminders (the missed and failed ones) */
  children?: ReactNode;
}

/** Reminders received over the WebSocket, newest first, with Snooze and Done. */
export function RecentReminders({ reminders, timezone, onSnooze, onDone, onOpen, onClear, children }: Props) {
  return (
    <section aria-labelledby="reminders-heading" className="view">
      <div className="view-head">
        <h1 id="reminders-heading">Reminders</h1>
      </div>
      {children}
      <div className="view-head recent-head">
        <h2 id="recent-reminders-heading">Recent reminders</h2>
        {reminders.length > 0 && (
          <button type="button" className="btn btn-small btn-ghost" onClick={onClear}>
            Clear list
          </button>
        )}
      </div>
      {reminders.length === 0 ? (
        <Empty>No reminders yet. They appear here and as notifications when they are due.</Empty>
      ) : (
        <ul className="event-list reminder-list">
          {reminders.map((r) => (
            <li key={r.reminder_id} className={`event-row${r.handled ? ' is-done' : ''}`} data-reminder-id={r.reminder_id}>
              <span className="event-when">{formatDateTime(r.received_at, timezone)}</span>
              <button type="button" className="event-main" onClick={() => onOpen(r.event_id)} aria-label={`Open ${r.title}`}>
                <span className="event-title">{r.title}</span>
                <span className="event-meta">
                  {r.event_start && <span>starts {formatDateTime(r.event_start, timezone)}</span>}
                  {r.late && <span className="late">late</span>}
                  {r.handled && <span>{r.handled === 'done' ? '✓ done' : 'snoozed 10 min'}</span>}
                </span>
              </button>
              {!r.handled && (
                <span className="row-actions">
                  <button type="button" className="btn btn-small" onClick={() => onSnooze(r)} aria-label={`Snooze ${r.title} 10 minutes`}>
                    Snooze 10 min
                  </button>
                  <button type="button" className="btn btn-small btn-primary" onClick={() => onDone(r)} aria-label={`Done: ${r.title}`}>
                    Done
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
