import type { EventItem } from '../lib/api';
import { formatDateTime, formatTime } from '../lib/dates';
import { describeRule } from '../lib/rrule';

interface Props {
  item: EventItem;
  timezone: string;
  /** Show the date too (search results), not only the time. */
  withDate?: boolean;
  onOpen: (id: number) => void;
  onDone: (item: EventItem) => void;
}

/** One event in a list: time, title, details, and the Done / Edit actions. */
export function EventRow({ item, timezone, withDate, onOpen, onDone }: Props) {
  const start = item.occurrence_start ?? item.start_time;
  const end = item.occurrence_start ? item.occurrence_end : item.end_time;
  const tz = item.all_day ? item.timezone || timezone : timezone;
  let when: string;
  if (item.all_day) when = withDate ? `${formatDateTime(start, tz).split(',').slice(0, 2).join(',')} · all day` : 'All day';
  else if (withDate) when = formatDateTime(start, timezone);
  else when = end ? `${formatTime(start, timezone)}–${formatTime(end, timezone)}` : formatTime(start, timezone);
  return (
    <li className={`event-row${item.is_completed ? ' is-done' : ''}`} data-event-id={item.id}>
      <span className="event-when">{when}</span>
      <button type="button" className="event-main" onClick={() => onOpen(item.id)} aria-label={`Edit ${item.title}`}>
        <span className="event-title">{item.title}</span>
        <span className="event-meta">
          {item.location && <span title="Location">at {item.location}</span>}
          {item.rrule && <span title={item.rrule}>↻ {describeRule(item.rrule)}</span>}
          {item.timezone && item.timezone !== timezone && !item.all_day && (
            <span title="the event's own time zone">
              {formatTime(start, item.timezone)} {item.timezone}
            </span>
          )}
          {item.is_completed && <span>✓ done</span>}
        </span>
      </button>
      {!item.is_completed && (
        <button type="button" className="btn btn-small" onClick={() => onDone(item)} aria-label={`Mark ${item.title} done`}>
          Done
        </button>
      )}
    </li>
  );
}
