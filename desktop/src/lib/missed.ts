// Reminders that never reached the user: "missed" (due while nudge was off, older than
// the catch-up window) and "failed" (gave up after bounded retries), with the titles
// of their events.

import { ApiError, type Api, type ReminderRecord } from './api';

export type ProblemKind = 'missed' | 'failed';

export interface EventInfo {
  title: string;
  is_completed: boolean;
}

export interface ProblemReminder {
  kind: ProblemKind;
  reminder: ReminderRecord;
  /** 'gone' when the event was deleted (404); null when it could not be read just now */
  event: EventInfo | 'gone' | null;
}

export interface ProblemReminders {
  missed: ProblemReminder[];
  failed: ProblemReminder[];
  /** the limit asked of each list (a full list may have more behind it) */
  limit: number;
}

type EventLookup = Pick<Api, 'getEvent'>;

/**
 * Event titles by id, each asked for once. A 404 is remembered as "gone"; any other
 * error is not cached, so the next load asks again.
 */
export class EventTitleCache {
  private readonly entries = new Map<number, Promise<EventInfo | 'gone' | null>>();

  constructor(private readonly api: EventLookup) {}

  get(id: number): Promise<EventInfo | 'gone' | null> {
    let p = this.entries.get(id);
    if (!p) {
      p = this.api.getEvent(id).then(
        (ev) => ({ title: ev.title, is_completed: ev.is_completed }),
        (e) => {
          if (e instanceof ApiError && e.status === 404) return 'gone' as const;
          this.entries.delete(id);
          return null;
        },
      );
      this.entries.set(id, p);
    }
    return p;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Both lists, newest first, each reminder with its event's title. */
export async function loadProblemReminders(
  api: Pick<Api, 'remindersByStatus'>,
  titles: EventTitleCache,
  limit = 50,
): Promise<ProblemReminders> {
  const [missed, failed] = await Promise.all([api.remindersByStatus('missed', limit), api.remindersByStatus('failed', limit)]);
  const withTitles = (kind: ProblemKind, list: ReminderRecord[]) =>
    Promise.all(list.map(async (reminder) => ({ kind, reminder, event: await titles.get(reminder.event_id) })));
  return { missed: await withTitles('missed', missed), failed: await withTitles('failed', failed), limit };
}
