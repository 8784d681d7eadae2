import { describe, expect, it } from 'vitest';
import { alignStartToRule, draftForm, formToBody, type EventForm } from '../src/lib/eventForm';
import { ruleWeekdays } from '../src/lib/rrule';

// 2026-11-28 is a Saturday, 2026-11-30 a Monday.
function form(patch: Partial<EventForm>): EventForm {
  return { ...draftForm('Europe/Berlin', '2026-11-28'), title: 'Standup', ...patch };
}

describe('weekdays of a rule', () => {
  it('knows the presets that limit the day', () => {
    expect(ruleWeekdays('weekdays')).toEqual([1, 2, 3, 4, 5]);
    for (const p of ['none', 'daily', 'weekly', 'monthly'] as const) expect(ruleWeekdays(p)).toBeNull();
  });

  it('reads a plain BYDAY list of a custom weekly or daily rule', () => {
    expect(ruleWeekdays('custom', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,MO')).toEqual([1, 3]);
    expect(ruleWeekdays('custom', 'RRULE:freq=daily;byday=sa,su;count=4')).toEqual([0, 6]);
  });

  it('leaves rules it cannot read simply alone', () => {
    expect(ruleWeekdays('custom', 'FREQ=WEEKLY')).toBeNull();
    expect(ruleWeekdays('custom', 'FREQ=MONTHLY;BYDAY=1MO')).toBeNull();
    expect(ruleWeekdays('custom', 'FREQ=WEEKLY;BYDAY=1MO')).toBeNull();
    expect(ruleWeekdays('custom', 'FREQ=WEEKLY;BYDAY=MO;BYMONTH=1')).toBeNull();
    expect(ruleWeekdays('custom', 'FREQ=WEEKLY;BYDAY=M')).toBeNull();
    expect(ruleWeekdays('custom', '')).toBeNull();
  });
});

describe('moving the start to the first day the rule falls on', () => {
  it('moves a Saturday start of "every weekday" to Monday, keeping the time and the duration', () => {
    const { form: f, moved } = alignStartToRule(form({ preset: 'weekdays', start: '2026-11-28T10:30', end: '2026-11-28T11:15' }));
    expect(moved).toEqual({ from: '2026-11-28', to: '2026-11-30' });
    expect(f.start).toBe('2026-11-30T10:30');
    expect(f.end).toBe('2026-11-30T11:15');
    expect(formToBody(f).start_time).toBe('2026-11-30T10:30:00+01:00');
  });

  it('keeps an end on a later day the same number of days after the start', () => {
    const { form: f } = alignStartToRule(form({ preset: 'weekdays', start: '2026-11-29T22:00', end: '2026-11-30T01:00' }));
    expect(f.start).toBe('2026-11-30T22:00');
    expect(f.end).toBe('2026-12-01T01:00');
  });

  it('works on all-day dates and across a month and a year end', () => {
    const { form: f, moved } = alignStartToRule(form({ allDay: true, preset: 'weekdays', start: '2027-01-02', end: '2027-01-03' }));
    expect(moved).toEqual({ from: '2027-01-02', to: '2027-01-04' });
    expect(f.start).toBe('2027-01-04');
    expect(f.end).toBe('2027-01-05');
    const custom = alignStartToRule(form({ preset: 'custom', customRule: 'FREQ=WEEKLY;BYDAY=MO', start: '2026-12-29T09:00' }));
    expect(custom.form.start).toBe('2027-01-04T09:00');
  });

  it('moves to the nearest listed day of a custom rule', () => {
    const { form: f, moved } = alignStartToRule(form({ preset: 'custom', customRule: 'FREQ=WEEKLY;BYDAY=TU,TH', start: '2026-11-27T18:00' }));
    expect(moved).toEqual({ from: '2026-11-27', to: '2026-12-01' });
    expect(f.start).toBe('2026-12-01T18:00');
    expect(f.end).toBe('');
  });

  it('changes nothing when the start already matches, or the rule does not limit the day', () => {
    for (const patch of [
      { preset: 'weekdays' as const, start: '2026-11-30T10:00' },
      { preset: 'weekly' as const, start: '2026-11-28T10:00' },
      { preset: 'daily' as const, start: '2026-11-28T10:00' },
      { preset: 'none' as const, start: '2026-11-28T10:00' },
      { preset: 'weekdays' as const, start: '' },
      { preset: 'custom' as const, customRule: 'FREQ=WEEKLY;BYDAY=SA', start: '2026-11-28T10:00' },
    ]) {
      const f = form(patch);
      const out = alignStartToRule(f);
      expect(out.moved).toBeNull();
      expect(out.form).toBe(f);
    }
  });
});
