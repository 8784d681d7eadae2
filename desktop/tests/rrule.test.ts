import { describe, expect, it } from 'vitest';
import { checkCustomRule, describeRule, presetToRule, ruleToRecurrence, type Preset } from '../src/lib/rrule';

describe('presets to rules', () => {
  it('makes the rule of each preset', () => {
    expect(presetToRule('none')).toBeNull();
    expect(presetToRule('daily')).toBe('FREQ=DAILY');
    expect(presetToRule('weekdays')).toBe('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR');
    expect(presetToRule('weekly')).toBe('FREQ=WEEKLY');
    expect(presetToRule('monthly')).toBe('FREQ=MONTHLY');
    expect(presetToRule('custom', '  RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE ')).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE');
    expect(presetToRule('custom', '   ')).toBeNull();
  });

  it('round-trips every preset', () => {
    for (const p of ['none', 'daily', 'weekdays', 'weekly', 'monthly'] as Preset[]) {
      expect(ruleToRecurrence(presetToRule(p)).preset).toBe(p);
    }
  });
});

describe('rules to presets', () => {
  it('recognises equivalent spellings', () => {
    expect(ruleToRecurrence('RRULE:FREQ=DAILY;INTERVAL=1').preset).toBe('daily');
    expect(ruleToRecurrence('freq=weekly;byday=fr,th,we,tu,mo').preset).toBe('weekdays');
    expect(ruleToRecurrence('FREQ=WEEKLY;WKST=MO').preset).toBe('weekly');
    expect(ruleToRecurrence('FREQ=WEEKLY;BYDAY=TU', 2).preset).toBe('weekly'); // on a Tuesday event
    expect(ruleToRecurrence('FREQ=MONTHLY;BYMONTHDAY=15', undefined, 15).preset).toBe('monthly');
    expect(ruleToRecurrence(null).preset).toBe('none');
    expect(ruleToRecurrence('').preset).toBe('none');
  });

  it('keeps anything else as a custom rule, verbatim', () => {
    for (const rule of [
      'FREQ=WEEKLY;BYDAY=TU',
      'FREQ=DAILY;COUNT=5',
      'FREQ=WEEKLY;INTERVAL=2',
      'FREQ=MONTHLY;BYDAY=2MO',
      'FREQ=YEARLY',
      'RRULE:FREQ=DAILY\nEXDATE:20261203T090000Z',
      'garbage',
    ]) {
      expect(ruleToRecurrence(rule)).toEqual({ preset: 'custom', custom: rule });
    }
  });
});

describe('describing and checking rules', () => {
  it('describes rules for people', () => {
    expect(describeRule(null)).toBe('Does not repeat');
    expect(describeRule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR')).toBe('Every weekday (Mon–Fri)');
    expect(describeRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE')).toBe('Every 2 weeks on MO,WE');
    expect(describeRule('FREQ=DAILY;COUNT=3')).toBe('Every day, 3 times');
  });

  it('checks custom rules locally', () => {
    expect(checkCustomRule('FREQ=WEEKLY;BYDAY=MO')).toBeNull();
    expect(checkCustomRule('')).toMatch(/Enter a rule/);
    expect(checkCustomRule('BYDAY=MO')).toMatch(/FREQ=/);
    expect(checkCustomRule('FREQ=SOMETIMES')).toMatch(/FREQ must be/);
  });
});
