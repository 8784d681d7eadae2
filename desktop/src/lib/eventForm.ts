// The event editor's form state and its conversion to and from the API's event body.

import type { Channel, EventBody, NudgeEvent, ReminderRule } from './api';
import {
  addDays,
  dayKey,
  instantToWall,
  isValidTimeZone,
  wallParts,
  wallToOffsetISO,
  weekday,
  type DayKey,
} from './dates';
import { presetToRule, ruleToRecurrence, ruleWeekdays, type Preset } from './rrule';

export type Unit = 'minutes' | 'hours' | 'days';
const UNIT_MINUTES: Record<Unit, number> = { minutes: 1, hours: 60, days: 1440 };

export interface ReminderRow {
  amount: string;
  unit: Unit;
  desktop: boolean;
  telegram: boolean;
}

export interface EventForm {
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  /** "YYYY-MM-DDTHH:mm", or "YYYY-MM-DD" when all-day */
  start: string;
  end: string;
  timezone: string;
  useDefaultReminders: boolean;
  reminders: ReminderRow[];
  preset: Preset;
  customRule: string;
}

export function ruleToRow(r: ReminderRule): ReminderRow {
  const m = r.offset_minutes;
  const unit: Unit = m > 0 && m % 1440 === 0 ? 'days' : m > 0 && m % 60 === 0 ? 'hours' : 'minutes';
  return {
    amount: String(m / UNIT_MINUTES[unit]),
    unit,
    desktop: r.channels.includes('desktop'),
    telegram: r.channels.includes('telegram'),
  };
}

export function rowToRule(row: ReminderRow): ReminderRule {
  const amount = row.amount.trim() === '' ? NaN : Number(row.amount);
  const channels: Channel[] = [];
  if (row.desktop) channels.push('desktop');
  if (row.telegram) channels.push('telegram');
  // NaN is sent as null, so the API reports the bad offset beside the row.
  const minutes = Number.isFinite(amount) ? Math.round(amount * UNIT_MINUTES[row.unit]) : (null as unknown as number);
  return { offset_minutes: minutes, channels };
}

export function newReminderRow(): ReminderRow {
  return { amount: '15', unit: 'minutes', desktop: true, telegram: true };
}

/** A blank form: on `day` at 09:00, or today at the next full hour. */
export function draftForm(timezone: string, day?: DayKey, now: Date = new Date()): EventForm {
  let start: string;
  if (day) {
    start = `${day}T09:00`;
  } else {
    const next = new Date(Math.ceil((now.getTime() + 60000) / 3600000) * 3600000);
    start = instantToWall(next, timezone);
  }
  return {
    title: '',
    description: '',
    location: '',
    allDay: false,
    start,
    end: '',
    timezone,
    useDefaultReminders: true,
    reminders: [],
    preset: 'none',
    customRule: '',
  };
}

export function eventToForm(ev: Pick<NudgeEvent, 'title' | 'start_time'> & Partial<NudgeEvent>, fallbackTz: string): EventForm {
  const tz = ev.timezone && isValidTimeZone(ev.timezone) ? ev.timezone : fallbackTz;
  const allDay = !!ev.all_day;
  const startWall = instantToWall(ev.start_time, tz);
  let end = '';
  if (ev.end_time) {
    if (allDay) {
      // stored as the exclusive midnight after the last day
      const last = addDays(dayKey(ev.end_time, tz), -1);
      end = last < startWall.slice(0, 10) ? startWall.slice(0, 10) : last;
    } else {
      end = instantToWall(ev.end_time, tz);
    }
  }
  const startDay = startWall.slice(0, 10);
  const rec = ruleToRecurrence(ev.rrule, weekday(startDay), wallParts(new Date(ev.start_time), tz).day);
  return {
    title: ev.title,
    description: ev.description ?? '',
    location: ev.location ?? '',
    allDay,
    start: allDay ? startDay : startWall,
    end,
    timezone: tz,
    useDefaultReminders: ev.reminders == null,
    reminders: (ev.reminders ?? []).map(ruleToRow),
    preset: rec.preset,
    customRule: rec.custom,
  };
}

function toTimestamp(value: string, allDay: boolean, tz: string): string {
  const wall = allDay ? `${value.slice(0, 10)}T00:00` : value;
  if (isValidTimeZone(tz)) {
    try {
      return wallToOffsetISO(wall, tz);
    } catch {
      return value; // let the API name the problem
    }
  }
  return wall.length === 16 ? `${wall}:00` : wall; // naive: the API reads it in the user's zone
}

/** The API body for a form (PUT replaces the whole event, so every field is sent). */
export function formToBody(f: EventForm): EventBody {
  const tz = f.timezone.trim();
  const endValue = f.end.trim();
  let end_time: string | null = null;
  if (endValue) {
    end_time = f.allDay ? toTimestamp(addDays(endValue.slice(0, 10), 1), true, tz) : toTimestamp(endValue, false, tz);
  }
  return {
    title: f.title.trim(),
    description: f.description,
    start_time: f.start.trim() ? toTimestamp(f.start.trim(), f.allDay, tz) : '',
    end_time,
    location: f.location.trim() === '' ? null : f.location.trim(),
    timezone: tz,
    all_day: f.allDay,
    rrule: presetToRule(f.preset, f.customRule),
    reminders: f.useDefaultReminders ? null : f.reminders.map(rowToRule),
  };
}

/** Switch a form between timed and all-day, keeping the dates. */
export function toggleAllDay(f: EventForm, allDay: boolean): EventForm {
  if (allDay === f.allDay) return f;
  if (allDay) return { ...f, allDay, start: f.start.slice(0, 10), end: f.end.slice(0, 10) };
  return {
    ...f,
    allDay,
    start: f.start ? `${f.start.slice(0, 10)}T09:00` : '',
    end: f.end ? `${f.end.slice(0, 10)}T10:00` : '',
  };
}

export interface StartMove {
  /** the start day before and after the move ("YYYY-MM-DD") */
  from: DayKey;
  to: DayKey;
}

/**
 * RFC 5545 counts DTSTART as the first occurrence even when it does not match the
 * rule, so "every weekday" starting on a Saturday would also fire that Saturday.
 * When the form's start day is not one of the rule's weekdays, move the start (and
 * the end, keeping the duration) forward to the first day that is, keeping the time.
 */
export function alignStartToRule(f: EventForm): { form: EventForm; moved: StartMove | null } {
  const days = ruleWeekdays(f.preset, f.customRule);
  const start = f.start.trim();
  if (!days || days.length === 0 || !/^\d{4}-\d{2}-\d{2}/.test(start)) return { form: f, moved: null };
  const from = start.slice(0, 10);
  let shift = 0;
  while (shift < 7 && !days.includes(weekday(addDays(from, shift)))) shift++;
  if (shift === 0 || shift === 7) return { form: f, moved: null };
  const to = addDays(from, shift);
  const end = f.end.trim();
  return {
    form: {
      ...f,
      start: to + start.slice(10),
      end: /^\d{4}-\d{2}-\d{2}/.test(end) ? addDays(end.slice(0, 10), shift) + end.slice(10) : f.end,
    },
    moved: { from, to },
  };
}
