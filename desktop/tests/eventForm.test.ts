import { describe, expect, it } from 'vitest';
import { draftForm, eventToForm, formToBody, toggleAllDay } from '../src/lib/eventForm';

describe('event form', () => {
  it('sends wall-clock times in the event zone with their offset', () => {
    const f = { ...draftForm('Europe/Berlin', '2026-12-01'), title: ' Dentist ', start: '2026-12-01T15:00', end: '2026-12-01T16:30' };
    const body = formToBody(f);
    expect(body).toMatchObject({
      title: 'Dentist',
      start_time: '2026-12-01T15:00:00+01:00',
      end_time: '2026-12-01T16:30:00+01:00',
      timezone: 'Europe/Berlin',
      all_day: false,
      rrule: null,
      reminders: null,
      location: null,
    });
  });

  it('round-trips an event with custom reminders and a recurrence', () => {
    const ev = {
      title: 'Standup',
      description: 'daily',
      start_time: '2026-12-01T09:00:00-05:00',
      end_time: '2026-12-01T09:15:00-05:00',
      location: 'Zoom',
      timezone: 'America/New_York',
      all_day: false,
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
      reminders: [
        { offset_minutes: 10, channels: ['desktop' as const] },
        { offset_minutes: 1440, channels: ['desktop' as const, 'telegram' as const] },
      ],
    };
    const form = eventToForm(ev, 'Europe/Berlin');
    expect(form.start).toBe('2026-12-01T09:00');
    expect(form.preset).toBe('weekdays');
    expect(form.reminders[1]).toEqual({ amount: '1', unit: 'days', desktop: true, telegram: true });
    expect(formToBody(form)).toMatchObject({ ...ev });
  });

  it('stores all-day events as midnights in the zone, the end exclusive', () => {
    const f = toggleAllDay({ ...draftForm('Europe/Berlin', '2026-12-24'), title: 'Holidays', end: '2026-12-26T10:00' }, true);
    expect(f.start).toBe('2026-12-24');
    const body = formToBody(f);
    expect(body.start_time).toBe('2026-12-24T00:00:00+01:00');
    expect(body.end_time).toBe('2026-12-27T00:00:00+01:00');
    expect(eventToForm({ ...body, all_day: true }, 'UTC')).toMatchObject({ start: '2026-12-24', end: '2026-12-26', allDay: true });
  });

  it('leaves an unknown zone and a bad offset for the API to name', () => {
    const f = { ...draftForm('Mars/Olympus', '2026-12-01'), title: 'x', useDefaultReminders: false, reminders: [{ amount: 'abc', unit: 'minutes' as const, desktop: true, telegram: false }] };
    const body = formToBody(f);
    expect(body.start_time).toBe('2026-12-01T09:00:00');
    expect(body.timezone).toBe('Mars/Olympus');
    expect(JSON.parse(JSON.stringify(body.reminders))).toEqual([{ offset_minutes: null, channels: ['desktop'] }]);
  });
});
