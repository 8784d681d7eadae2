import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { type Api, type EventItem } from '../lib/api';
import { useEventWindow } from '../lib/useEventWindow';
import { addDays, dayHeading, dayKey, formatDay, formatMonth, formatTime, monthGrid, startOfDay, weekdayNames } from '../lib/dates';
import { Empty, ErrorBanner } from './common';
import { groupByDay } from './Agenda';
import { EventRow } from './EventRow';

interface Props {
  api: Api;
  timezone: string;
  refreshKey: number;
  onOpen: (id: number) => void;
  onDone: (item: EventItem) => void;
  onNew: (day: string) => void;
}

const MAX_CHIPS = 3;

/** A month grid; arrow keys move the selected day, Enter adds an event on it. */
export function Calendar({ api, timezone, refreshKey, onOpen, onDone, onNew }: Props) {
  const today = dayKey(new Date(), timezone);
  const [selected, setSelected] = useState(today);
  const [year, month] = [Number(selected.slice(0, 4)), Number(selected.slice(5, 7))];
  const grid = useMemo(() => monthGrid(year, month), [year, month]);
  const fetched = useEventWindow(
    api,
    startOfDay(grid[0], timezone).toISOString(),
    startOfDay(addDays(grid[41], 1), timezone).toISOString(),
    undefined,
    refreshKey,
  );
  const items = useMemo(() => fetched.items ?? [], [fetched.items]);
  const { error, truncated, retry } = fetched;
  const gridRef = useRef<HTMLDivElement>(null);
  const focusSelected = useRef(false);

  useEffect(() => {
    if (focusSelected.current) {
      focusSelected.current = false;
      gridRef.current?.querySelector<HTMLElement>(`[data-day="${selected}"]`)?.focus();
    }
  }, [selected]);

  const byDay = useMemo(() => new Map(groupByDay(items, timezone)), [items, timezone]);
  const weekdays = weekdayNames(1);

  function move(days: number) {
    focusSelected.current = true;
    setSelected((d) => addDays(d, days));
  }

  function shiftMonth(delta: number) {
    const m0 = month - 1 + delta;
    const y = year + Math.floor(m0 / 12);
    const m = ((m0 % 12) + 12) % 12;
    const day = Math.min(Number(selected.slice(8, 10)), 28);
    setSelected(`${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }

  function onKey(e: KeyboardEvent) {
    const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (e.key in steps) {
      e.preventDefault();
      move(steps[e.key]);
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      focusSelected.current = true;
      shiftMonth(e.key === 'PageUp' ? -1 : 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusSelected.current = true;
      setSelected(today);
    }
  }

  const dayItems = byDay.get(selected) ?? [];

  return (
    <section aria-labelledby="calendar-heading" className="view calendar-view">
      <div className="view-head">
        <h1 id="calendar-heading">{formatMonth(year, month)}</h1>
        <div className="view-tools">
          <button type="button" className="btn" onClick={() => shiftMonth(-1)} aria-label="Previous month">
            ‹
          </button>
          <button type="button" className="btn" onClick={() => setSelected(today)}>
            Today
          </button>
          <button type="button" className="btn" onClick={() => shiftMonth(1)} aria-label="Next month">
            ›
          </button>
        </div>
      </div>
      <ErrorBanner message={error} onRetry={retry} />
      {truncated && (
        <p className="hint truncated" role="status">
          Showing the first {items.length} events only; there are more in this range.
        </p>
      )}
      <div className="month" role="grid" aria-label={formatMonth(year, month)} ref={gridRef} onKeyDown={onKey}>
        <div className="month-row month-weekdays" role="row">
          {weekdays.map((w) => (
            <div key={w} role="columnheader" className="month-weekday">
              {w}
            </div>
          ))}
        </div>
        {[0, 1, 2, 3, 4, 5].map((week) => (
          <div className="month-row" role="row" key={week}>
            {grid.slice(week * 7, week * 7 + 7).map((day) => {
              const list = byDay.get(day) ?? [];
              const inMonth = Number(day.slice(5, 7)) === month;
              const cls = ['month-day', inMonth ? '' : 'is-other', day === today ? 'is-today' : '', day === selected ? 'is-selected' : '']
                .filter(Boolean)
                .join(' ');
              return (
                <div
                  key={day}
                  role="gridcell"
                  aria-selected={day === selected}
                  tabIndex={day === selected ? 0 : -1}
                  data-day={day}
                  className={cls}
                  aria-label={`${formatDay(day)}${list.length ? `, ${list.length} event${list.length > 1 ? 's' : ''}` : ''}`}
                  onClick={() => setSelected(day)}
                  onDoubleClick={() => onNew(day)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && e.target === e.currentTarget) onNew(day);
                  }}
                >
                  <span className="month-date">{Number(day.slice(8, 10))}</span>
                  {list.slice(0, MAX_CHIPS).map((item) => (
                    <button
                      type="button"
                      tabIndex={-1}
                      key={`${item.id}-${item.occurrence_start ?? ''}`}
                      className={`chip${item.is_completed ? ' is-done' : ''}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        onOpen(item.id);
                      }}
                      title={item.title}
                    >
                      {!item.all_day && <span className="chip-time">{formatTime(item.occurrence_start ?? item.start_time, timezone)}</span>}
                      {item.title}
                    </button>
                  ))}
                  {list.length > MAX_CHIPS && <span className="chip-more">+{list.length - MAX_CHIPS} more</span>}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <p className="hint">Arrow keys move between days, Page Up/Down between months, Home goes to today, Enter adds an event on the selected day.</p>
      <div className="day-detail">
        <div className="view-head">
          <h2>{dayHeading(selected, today)}</h2>
          <button type="button" className="btn" onClick={() => onNew(selected)}>
            New event on this day
          </button>
        </div>
        {dayItems.length === 0 ? (
          <Empty>No events.</Empty>
        ) : (
          <ul className="event-list">
            {dayItems.map((item) => (
              <EventRow key={`${item.id}-${item.occurrence_start ?? ''}`} item={item} timezone={timezone} onOpen={onOpen} onDone={onDone} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
